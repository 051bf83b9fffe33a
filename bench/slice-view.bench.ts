// Slice change → rendered frame in <delineo-slice-view> on a 512×512 CT, in headless Chromium (WebGL2 through
// SwiftShader, i.e. on the CPU: treat the figures as an upper bound for a machine with a GPU). Target: median
// ≤ 16 ms (one 60 Hz frame).
//
// How: esbuild bundles bench/browser/slice-view-page.ts (the slice view element and the public API) into a
// temporary folder served by a small HTTP server with the app's COOP/COEP headers, which also serves the
// NSCLC LUNG1-001 CT and its RTSTRUCT from ../shared/data under /data/. puppeteer-core (installed with
// @web/test-runner-chrome) drives Debian's Chromium. The page mounts an axial view (600 × 600 canvas) in the
// lung window with the structures of its RTSTRUCT (2.dcm, imported with importRtstruct) drawn, steps through 40 consecutive slices and times:
//   work       setSlice + synchronous draw (vtk.js render + structure overlay) + gl.finish()
//   imageOnly  the same with every structure hidden
//   keyToFrame an ArrowUp keydown → the view's next animation-frame draw done + gl.finish() (what a user
//              waits for; includes waiting for the next frame). Under --disable-gpu the compositor reads
//              each WebGL frame back from SwiftShader to composite it in software ("GPU stall due to
//              ReadPixels"), which paces animation frames at tens of milliseconds here: this figure
//              measures that machine, not the view, and is reported for completeness only.
// A 512×512×134 phantom with its 7 structures runs as a second case (and alone when ../shared/data is absent).
// Every slice is new to the outline cache, as when a user scrolls.
//   npm run bench -- slice-view
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { median, percentile, report } from './util.ts';
import { serveIsolated } from './browser/serve.ts';

const NSCLC = resolve('../shared/data/nsclc-lung1-001/dicom');
const STEPS = 40;
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install chromium');

const work = await mkdtemp(join(tmpdir(), 'delineo-bench-slice-view-'));
try {
  await build({
    entryPoints: { page: 'bench/browser/slice-view-page.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['browser'],
    outdir: work,
    // Only loaded on demand (interpolation, compressed slices); the benchmark never calls them.
    external: ['@itk-wasm/*', 'itk-wasm', 'onnxruntime-web', 'onnxruntime-web/*'],
    logLevel: 'error',
  });
  await writeFile(join(work, 'index.html'), '<!doctype html><meta charset="utf-8"><body style="margin:0"><script type="module" src="./page.js"></script>');
  const haveData = existsSync(NSCLC);
  // File numbers: 1 RTDOSE, 2 RTSTRUCT, 3…136 CT, 137 RTPLAN (see ../shared/data/nsclc-lung1-001/SOURCE.md).
  const ctNames = haveData ? (await readdir(NSCLC)).filter((n) => /^\d+\.dcm$/.test(n) && +n.split('.')[0] >= 3 && +n.split('.')[0] <= 136) : [];
  const server = await serveIsolated({ '/': work, '/data/': NSCLC });
  const port = server.port;
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--enable-unsafe-swiftshader',
      '--force-device-scale-factor=1',
      '--disable-gpu-vsync',
      '--disable-frame-rate-limit',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 800, height: 700 });
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction('globalThis.benchReady === true', { timeout: 60_000 });
    type Case = { ct: string; structures: number; canvas: string; workMs: number[]; imageOnlyMs: number[]; keyToFrameMs: number[] };
    const cases = (await page.evaluate(`runBench(${JSON.stringify(ctNames)}, ${haveData ? '"2.dcm"' : 'null'}, ${STEPS})`)) as Case[];
    const summary = (xs: number[]) => ({ medianMs: +median(xs).toFixed(2), p95Ms: +percentile(xs, 95).toFixed(2), maxMs: +Math.max(...xs).toFixed(2) });
    report('slice-view', {
      what: 'slice change to finished frame (vtk.js image + 2D structure overlay) in <delineo-slice-view>, axial, lung window, headless Chromium with SwiftShader (CPU WebGL2: an upper bound)',
      browser: await browser.version(),
      cpus: cpus().length,
      steps: STEPS,
      target: 'work median <= 16 ms',
      cases: cases.map((c) => ({
        ct: c.ct,
        structures: c.structures,
        canvas: c.canvas,
        work: summary(c.workMs),
        imageOnly: summary(c.imageOnlyMs),
        keyToFrame: summary(c.keyToFrameMs),
      })),
    });
  } finally {
    await browser.close();
    server.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
