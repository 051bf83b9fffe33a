// Loading the 134-slice NSCLC Lung1-001 CT (512×512, uncompressed) in headless Chromium, against plastimatch
// converting the same files to NRRD on the same machine in the same run (target: ratio ≤ 1.0).
//
// How: esbuild bundles bench/browser/load-page.ts (the public API: createIoWorker, loadDicomSeries) and the io
// worker into a temporary folder served by a small HTTP server with the app's COOP/COEP headers; puppeteer-core
// (installed with @web/test-runner-chrome) drives Debian's Chromium, puts the 134 CT files into an
// <input type=file> (disk-backed File objects, as the file picker gives them) and times
// `createIoWorker().loadDicom(files)` from the call to a Volume on the main thread: reading the files,
// parsing, sorting, HU assembly in the worker, transfer back. The first run (worker start, JIT) is reported
// apart; the ratio uses the median of the warm runs. Both tools get the same folder of the 134 CT files
// (plastimatch would also rasterise the RTSTRUCT if it were there). plastimatch's time is its wall time,
// `plastimatch convert --input <dir> --output-img out.nrrd`, median of as many runs, each run right after
// one of ours so that background load affects both alike.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import dcmjs from 'dcmjs';
import { readFile } from 'node:fs/promises';
import { median, report } from './util.ts';
import { serveIsolated } from './browser/serve.ts';

const NSCLC = resolve('../shared/data/nsclc-lung1-001/dicom');
const RUNS = 5;
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install chromium');

const work = await mkdtemp(join(tmpdir(), 'delineo-bench-load-'));
try {
  // The 134 CT slices (the folder also holds RTSTRUCT, RTPLAN and RTDOSE), linked into one folder.
  const ctDir = join(work, 'ct');
  await mkdir(ctDir);
  const ctFiles: string[] = [];
  for (const name of await readdir(NSCLC)) {
    const bytes = await readFile(join(NSCLC, name));
    const d = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, { untilTag: '00080061' } as never);
    if (d.dict['00080060']?.Value?.[0] !== 'CT') continue;
    await symlink(join(NSCLC, name), join(ctDir, name));
    ctFiles.push(join(ctDir, name));
  }
  if (ctFiles.length !== 134) throw new Error(`expected 134 CT files, found ${ctFiles.length}`);

  // plastimatch, same files, same machine, same run; interleaved with our runs below so that both see the
  // same background load (CI machines are shared).
  const plastimatchMs: number[] = [];
  const runPlastimatch = (r: number) => {
    const out = join(work, `out${r}.nrrd`);
    const t0 = performance.now();
    const p = spawnSync('plastimatch', ['convert', '--input', ctDir, '--output-img', out], { encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (p.error || p.status !== 0) throw new Error(`plastimatch failed (apt-get install plastimatch): ${p.error?.message ?? p.stderr}`);
    plastimatchMs.push(ms);
  };

  // Bundle the page and the worker.
  const site = join(work, 'site');
  await build({
    entryPoints: { 'load-page': 'bench/browser/load-page.ts', 'io.worker': 'bench/browser/io-worker-entry.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: site,
    // itk-wasm is only needed for compressed slices; NSCLC is uncompressed, so it is left out of the bundle.
    external: ['@itk-wasm/image-io', 'itk-wasm'],
    logLevel: 'error',
  });
  await writeFile(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><input id="files" type="file" multiple><script type="module" src="./load-page.js"></script>');
  const server = await serveIsolated({ '/': site });
  const port = server.port;

  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction('globalThis.benchReady === true', { timeout: 60_000 });
    const input = await page.$('#files');
    if (!input) throw new Error('no file input');
    await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(...ctFiles);
    type Timing = { ms: number; slices: number; dims: string; checksum: number };
    const worker: Timing[] = [];
    for (let r = 0; r <= RUNS; r++) {
      worker.push((await page.evaluate('loadInWorker()')) as Timing);
      if (r > 0) runPlastimatch(r);
    }
    const mainThread: Timing[] = [];
    for (let r = 0; r < 3; r++) mainThread.push(await page.evaluate('loadOnMainThread()') as Timing);
    const checksums = new Set([...worker, ...mainThread].map((t) => t.checksum));
    if (checksums.size !== 1 || worker.some((t) => t.dims !== '512x512x134')) throw new Error(`inconsistent results: ${JSON.stringify(worker)}`);
    const warm = worker.slice(1).map((t) => t.ms);
    const ours = median(warm);
    const theirs = median(plastimatchMs);
    const chromiumVersion = await browser.version();
    report('load-nsclc', {
      what: 'NSCLC Lung1-001 CT, 134 slices 512x512 (70 MB), headless Chromium, files from an <input type=file>',
      browser: chromiumVersion,
      workerColdMs: Math.round(worker[0].ms),
      workerWarmMedianMs: Math.round(ours),
      workerWarmMs: warm.map(Math.round),
      mainThreadMedianMs: Math.round(median(mainThread.map((t) => t.ms))),
      plastimatchMedianMs: Math.round(theirs),
      plastimatchMs: plastimatchMs.map(Math.round),
      ratioWarm: +(ours / theirs).toFixed(3),
      ratioCold: +(worker[0].ms / theirs).toFixed(3),
      target: 'ratioWarm <= 1.0',
      cpus: (await import('node:os')).cpus().length,
    });
  } finally {
    await browser.close();
    server.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
