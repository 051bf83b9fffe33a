// hn-dose prediction of one 128³ OpenKBP patient (validation pt_201: its CT, OARs and PTVs as the request's
// structures, named as OpenKBP names them) in headless Chromium — onnxruntime-web WASM in the dose Web Worker
// through createDoseClient, the app's path — and in Node (predictDoseNode, onnxruntime-node, 2 threads), with the
// mean and largest absolute difference of the two doses (same grid). Targets (issue #25): browser ≤ 15 s on two
// cores; mean absolute difference ≤ 0.05 Gy. The browser's first predict call (download, integrity check,
// session start) is reported on its own; the timed calls reuse the started network, as the app does. Node's
// predictDoseNode starts its session on every call, so its time includes that.
//
// How: as bench/inference.bench.ts — esbuild bundles bench/browser/dose-page.ts and src/inference/dose.worker.ts
// with onnxruntime-web's "extern wasm" builds, served with COOP/COEP; puppeteer-core drives Debian's Chromium.
//
//   npm run bench -- dose-predict
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { loadOpenKbpPatient, openKbpRequestStructures } from '../models/training/dose-baseline.ts';
import { predictDoseNode, readDoseManifest } from '../src/node.ts';
import { median, report } from './util.ts';
import { serveIsolated } from './browser/serve.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const THREADS = 2;
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install chromium');

const patient = await loadOpenKbpPatient(resolve('../shared/data/openkbp/validation'), 'pt_201');
const req = { ct: patient.ct, structures: openKbpRequestStructures(patient) };
const { manifest, dir } = await readDoseManifest('hn-dose');
const work = await mkdtemp(join(tmpdir(), 'delineo-bench-dose-'));
try {
  const site = join(work, 'site');
  await build({
    entryPoints: { 'dose-page': 'bench/browser/dose-page.ts', 'dose.worker': 'src/inference/dose.worker.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: site,
    conditions: ['onnxruntime-web-use-extern-wasm'],
    external: ['@itk-wasm/image-io', 'itk-wasm'],
    logLevel: 'error',
  });
  await writeFile(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./dose-page.js"></script>');
  const { ct } = req;
  await writeFile(join(site, 'ct.i16'), Int16Array.from(ct.data));
  await writeFile(join(site, 'masks.u8'), Buffer.concat(req.structures.map((s) => s.mask.toDense())));
  const structures = req.structures.map((s) => ({ name: s.name, interpretedType: s.interpretedType }));
  await writeFile(join(site, 'case.json'), JSON.stringify({ dimensions: ct.dimensions, spacing: ct.spacing, origin: ct.origin, direction: ct.direction, structures }));

  // Node first: its dose is what the page compares with.
  const nodeMs: number[] = [];
  let nodeDose: Float32Array | undefined;
  for (let r = 0; r < Math.max(1, RUNS); r++) {
    const t0 = performance.now();
    const out = await predictDoseNode(req, 'hn-dose', { threads: THREADS });
    nodeMs.push(performance.now() - t0);
    nodeDose = out.dose.data as Float32Array;
  }
  await writeFile(join(site, 'node-dose.f32'), nodeDose!);

  const server = await serveIsolated({ '/': site, '/ort/': resolve('node_modules/onnxruntime-web/dist'), '/models/hn-dose/': resolve(dir) });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    page.on('console', (m) => console.log('page:', m.text()));
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForFunction('globalThis.benchReady === true', { timeout: 60_000 });
    type Run = { ms: number; timings: Record<string, number>; dims: number[]; meanAbsDiffGy: number; maxAbsDiffGy: number; browserMaxGy: number; crossOriginIsolated: boolean; hardwareConcurrency: number };
    const first = (await page.evaluate('predictOnce()')) as Run;
    const warm: Run[] = [];
    for (let r = 0; r < Math.max(1, RUNS); r++) warm.push((await page.evaluate('predictOnce()')) as Run);
    const last = warm.at(-1)!;
    report('dose-predict', {
      what: `hn-dose ${manifest.version} on OpenKBP validation pt_201 (128³ CT, ${structures.length} structures: ${structures.map((s) => s.name).join(', ')})`,
      browser: await browser.version(),
      crossOriginIsolated: last.crossOriginIsolated,
      browserHardwareConcurrency: last.hardwareConcurrency,
      browserFirstPredictMs: Math.round(first.ms),
      browserWarmMs: warm.map((w) => Math.round(w.ms)),
      browserWarmMedianMs: Math.round(median(warm.map((w) => w.ms))),
      browserStageMs: Object.fromEntries(Object.entries(last.timings).map(([k, v]) => [k, Math.round(v)])),
      nodeMs: nodeMs.map(Math.round),
      nodeMedianMs: Math.round(median(nodeMs)),
      doseGrid: last.dims,
      doseMaxGy: +last.browserMaxGy.toFixed(2),
      meanAbsDiffGy: +last.meanAbsDiffGy.toExponential(3),
      maxAbsDiffGy: +last.maxAbsDiffGy.toExponential(3),
      targets: 'browserWarmMedianMs <= 15000, meanAbsDiffGy <= 0.05',
      threads: THREADS,
      cpus: cpus().length,
      loadAverage: loadavg().map((x) => +x.toFixed(1)),
    });
  } finally {
    await browser.close();
    server.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
