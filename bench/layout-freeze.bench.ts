// A layout change with the chest's surfaces shown (issue "Nothing lost, nothing surprising", item 6): the app's
// notices and progress row resize the views; each resize used to redraw the 3D view at once, which on a software
// renderer (headless Chromium's SwiftShader, and machines without a GPU) held the page for seconds.
//
// The page (bench/browser/layout-page.ts) shows the NSCLC LUNG1-001 structures as surfaces in <delineo-3d-view>
// under a 40 px notice that is shown and hidden; per toggle it times the main thread from the layout change to
// the next frame (target ≤ 50 ms), and the longest task in the 1.5 s after it (the redraw once the size has
// settled). Same bundling and server as bench/slice-view.bench.ts.
//   npm run bench -- layout-freeze
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { median, report } from './util.ts';
import { serveIsolated } from './browser/serve.ts';

const NSCLC = resolve('../shared/data/nsclc-lung1-001/dicom');
const TOGGLES = Number(process.env.BENCH_RUNS ?? 6);
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install chromium');
if (!existsSync(NSCLC)) throw new Error(`${NSCLC} is missing (../shared/data)`);

const work = await mkdtemp(join(tmpdir(), 'delineo-bench-layout-'));
try {
  await build({
    entryPoints: { page: 'bench/browser/layout-page.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['browser'],
    outdir: work,
    loader: { '.json': 'json' },
    external: ['@itk-wasm/*', 'itk-wasm', 'onnxruntime-web', 'onnxruntime-web/*'],
    logLevel: 'error',
  });
  // esbuild leaves `new URL('./mesh.worker.ts', import.meta.url)` as written: serve the worker's bundle at that name.
  await build({ entryPoints: ['src/mesh/mesh.worker.ts'], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: join(work, 'mesh.worker.ts'), logLevel: 'error' });
  await writeFile(join(work, 'index.html'), '<!doctype html><meta charset="utf-8"><body style="margin:0"><script type="module" src="./page.js"></script>');
  const ctNames = (await readdir(NSCLC)).filter((n) => /^\d+\.dcm$/.test(n) && +n.split('.')[0] >= 3 && +n.split('.')[0] <= 136);
  const server = await serveIsolated({ '/': work, '/data/': NSCLC });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader', '--force-device-scale-factor=1'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 900, height: 700 });
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForFunction('globalThis.benchReady === true', { timeout: 60_000 });
    const r = (await page.evaluate(`runBench(${JSON.stringify(ctNames)}, "2.dcm", ${TOGGLES})`)) as { structures: number; triangles: number; layoutToFrameMs: number[]; longestTaskAfterMs: number[] };
    report('layout-freeze', {
      structures: r.structures,
      triangles: r.triangles,
      layoutToFrameMedianMs: +median(r.layoutToFrameMs).toFixed(1),
      layoutToFrameMaxMs: +Math.max(...r.layoutToFrameMs).toFixed(1),
      longestTaskAfterMedianMs: +median(r.longestTaskAfterMs).toFixed(1),
      toggles: TOGGLES,
      layoutToFrameMs: r.layoutToFrameMs.map((x) => +x.toFixed(1)),
    });
  } finally {
    await browser.close();
    server.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
