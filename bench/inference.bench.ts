// Full hn-oar inference on a 128³ OpenKBP CT (validation pt_201) in headless Chromium — onnxruntime-web WASM
// with 2 threads, as the app runs it: two single-threaded tile workers under the segmentation Web Worker
// (src/inference/provider.ts) — the whole engine (resampling, tiling, blending, resampling back,
// post-processing) — as a ratio to the Node path (onnxruntime-node, 2 intra-op threads, same engine) in the same
// run. Targets: ratio ≤ 2.0, browser ≤ 10 s. For comparison it also times one 2-threaded onnxruntime-web
// runtime (`tileWorkers: false`). Also the peak memory of each side: the Node process's RSS, and the summed RSS
// of Chromium's processes (page, workers, GPU/utility), sampled every 50 ms from /proc.
//
// How: esbuild bundles bench/browser/inference-page.ts, src/inference/segment.worker.ts and ort-tile.worker.ts
// with onnxruntime-web's "extern wasm" builds (the runtime's .mjs/.wasm served raw under /ort/, as the app's
// build does), served with COOP/COEP (cross-origin isolation: WASM threads); puppeteer-core drives Debian's
// Chromium. The first run of each configuration in that page (session start, JIT) is left out (Node's is reported
// as nodeColdMs); the ratios use the medians of the warm runs, which alternate between the configurations so
// background load affects all alike.
// Before all that, each in a browser of its own, it times the first auto-contour in a fresh page with nothing
// started, and after what the app does once a CT is open (SegmentClient.prepare: the model's sessions started in
// the background; also the memory that holds while idle): the wait of a clinician's first click.
//
//   npm run bench -- inference
import * as fs from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { segmentWithNetwork, loadNodeNetwork, readManifest, readVolumeNifti } from '../src/node.ts';
import { median, report } from './util.ts';
import { serveIsolated } from './browser/serve.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Threads for both sides (the comparison is at 2). */
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const CT = resolve('../shared/data/openkbp/validation/pt_201/ct.nii.gz');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install chromium');

/** Peak of a sampled quantity while `f` runs. */
async function peakDuring<T>(sample: () => number, f: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = sample();
  const timer = setInterval(() => (peak = Math.max(peak, sample())), 50);
  try {
    const value = await f();
    peak = Math.max(peak, sample());
    return { value, peak };
  } finally {
    clearInterval(timer);
  }
}

/** Summed RSS (bytes) of a process and its descendants, from /proc. */
function treeRss(rootPid: number): number {
  const { readdirSync } = fs;
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const pages = Number(fields[21]);
      rss.set(Number(d), pages * 4096);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}


const ct = await readVolumeNifti(CT, 'CT');
const { manifest, dir } = await readManifest('hn-oar');
const work = await mkdtemp(join(tmpdir(), 'delineo-bench-inference-'));
try {
  const site = join(work, 'site');
  await build({
    entryPoints: { 'inference-page': 'bench/browser/inference-page.ts', 'segment.worker': 'src/inference/segment.worker.ts', 'ort-tile.worker': 'src/inference/ort-tile.worker.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: site,
    conditions: ['onnxruntime-web-use-extern-wasm'],
    external: ['@itk-wasm/image-io', 'itk-wasm'],
    logLevel: 'error',
  });
  // esbuild leaves `new Worker(new URL('./ort-tile.worker.ts', import.meta.url))` as written: serve the bundle at that name.
  await rename(join(site, 'ort-tile.worker.js'), join(site, 'ort-tile.worker.ts'));
  await writeFile(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./inference-page.js"></script>');
  await writeFile(join(site, 'ct.i16'), Int16Array.from(ct.data));
  await writeFile(join(site, 'ct.json'), JSON.stringify({ dimensions: ct.dimensions, spacing: ct.spacing, origin: ct.origin, direction: ct.direction }));
  const server = await serveIsolated({ '/': site, '/ort/': resolve('node_modules/onnxruntime-web/dist'), '/models/hn-oar/': resolve(dir) });
  const port = server.port;

  // Node: one session, as the browser keeps one per model.
  const net = await loadNodeNetwork(manifest, dir, THREADS);
  const nodeMs: number[] = [];
  let nodePeak = 0;
  const runNode = async () => {
    const { value, peak } = await peakDuring(() => process.memoryUsage().rss, async () => {
      const t0 = performance.now();
      const r = await segmentWithNetwork(ct, manifest, net.runner);
      return { ms: performance.now() - t0, fg: r.labels.reduce((a, v) => a + (v ? 1 : 0), 0) };
    });
    nodePeak = Math.max(nodePeak, peak);
    nodeMs.push(value.ms);
    return value;
  };

  /** A fresh headless Chromium on the bench page, ready to run. */
  const openPage = async () => {
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    page.on('console', (m) => console.log('page:', m.text()));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction('globalThis.benchReady === true', { timeout: 60_000 });
    return { browser, page, pid: browser.process()!.pid! };
  };

  // What a clinician's first auto-contour costs, each in a browser of its own (nothing compiled or cached by an
  // earlier run helps it), alternating so that the machine's changing load affects both alike:
  // - cold: the first run in a fresh page, with nothing started before (model-preload="none");
  // - prepared: what the app does once a CT is open (SegmentClient.prepare: download, integrity check, one session
  //   per tile worker), the memory that holds while idle, then the first run.
  type FirstRun = { ms: number; fg: number; timings: Record<string, number> };
  const coldFirst: FirstRun[] = [];
  const preparedFirst: FirstRun[] = [];
  const prepareMs: number[] = [];
  const preparedIdleRss: number[] = [];
  for (let r = 0; r < Math.max(1, RUNS); r++) {
    for (const prepare of [false, true]) {
      const fresh = await openPage();
      try {
        if (prepare) {
          const before = treeRss(fresh.pid);
          const ready = (await fresh.page.evaluate(`prepareOnce(${THREADS}, true)`)) as { wallMs: number };
          prepareMs.push(ready.wallMs);
          await new Promise((done) => setTimeout(done, 1000));
          preparedIdleRss.push(treeRss(fresh.pid) - before);
        }
        const first = (await fresh.page.evaluate(`runOnce(${THREADS}, true)`)) as FirstRun;
        (prepare ? preparedFirst : coldFirst).push(first);
      } finally {
        await fresh.browser.close();
      }
    }
  }
  const stages = (runs: FirstRun[]) => Object.fromEntries(Object.keys(runs[0].timings).map((k) => [k, Math.round(median(runs.map((x) => x.timings[k])))]));

  const { browser, page, pid } = await openPage();
  try {
    type Run = { ms: number; provider: string; reason: string; timings: Record<string, number>; fg: number; crossOriginIsolated: boolean };
    const web: Run[] = [];
    const single: Run[] = [];
    let webPeak = 0;
    let singlePeak = 0;
    // The app's default (THREADS single-threaded tile workers), and for comparison one THREADS-threaded runtime.
    const runWeb = async () => {
      const { value, peak } = await peakDuring(() => treeRss(pid), () => page.evaluate(`runOnce(${THREADS}, true)`) as Promise<Run>);
      webPeak = Math.max(webPeak, peak);
      web.push(value);
      return value;
    };
    const runSingle = async () => {
      const { value, peak } = await peakDuring(() => treeRss(pid), () => page.evaluate(`runOnce(${THREADS}, false)`) as Promise<Run>);
      singlePeak = Math.max(singlePeak, peak);
      single.push(value);
      return value;
    };
    const nodeCold = await runNode();
    const singleCold = await runSingle();
    const webCold = await runWeb();
    nodeMs.length = 0;
    web.length = 0;
    single.length = 0;
    for (let r = 0; r < RUNS; r++) {
      await runWeb();
      await runNode();
      await runSingle();
    }
    // BENCH_RUNS=0 (a quick look) reports the cold runs in place of the warm ones.
    if (!web.length) {
      web.push(webCold);
      single.push(singleCold);
      nodeMs.push(nodeCold.ms);
    }
    const webWarm = median(web.map((w) => w.ms));
    const singleWarm = median(single.map((w) => w.ms));
    const nodeWarm = median(nodeMs);
    report('inference', {
      what: `hn-oar ${manifest.version} (tiles as its manifest says) on OpenKBP validation pt_201 (128³ CT): whole engine, no TTA`,
      browser: await browser.version(),
      crossOriginIsolated: webCold.crossOriginIsolated,
      browserProvider: webCold.provider,
      browserFreshColdFirstMs: coldFirst.map((x) => Math.round(x.ms)),
      browserFreshColdFirstMedianMs: Math.round(median(coldFirst.map((x) => x.ms))),
      browserFreshColdFirstStageMs: stages(coldFirst),
      browserPrepareMs: prepareMs.map(Math.round),
      browserPreparedFirstMs: preparedFirst.map((x) => Math.round(x.ms)),
      browserPreparedFirstMedianMs: Math.round(median(preparedFirst.map((x) => x.ms))),
      browserPreparedFirstStageMs: stages(preparedFirst),
      browserPreparedIdleRssMb: Math.round(median(preparedIdleRss) / 2 ** 20),
      browserWarmMs: web.map((w) => Math.round(w.ms)),
      browserWarmMedianMs: Math.round(webWarm),
      browserStageMs: Object.fromEntries(Object.entries(web.at(-1)!.timings).map(([k, v]) => [k, Math.round(v)])),
      nodeColdMs: Math.round(nodeCold.ms),
      nodeWarmMs: nodeMs.map(Math.round),
      nodeWarmMedianMs: Math.round(nodeWarm),
      ratioWarm: +(webWarm / nodeWarm).toFixed(3),
      singleRuntimeProvider: singleCold.provider,
      singleRuntimeWarmMs: single.map((w) => Math.round(w.ms)),
      singleRuntimeWarmMedianMs: Math.round(singleWarm),
      singleRuntimeStageMs: Object.fromEntries(Object.entries(single.at(-1)!.timings).map(([k, v]) => [k, Math.round(v)])),
      singleRuntimeRatioWarm: +(singleWarm / nodeWarm).toFixed(3),
      sameForeground: [...web, ...single, ...coldFirst, ...preparedFirst].every((w) => Math.abs(w.fg - nodeCold.fg) <= nodeCold.fg * 0.001 + 10),
      peakRssBrowserMb: Math.round(webPeak / 2 ** 20),
      peakRssBrowserSingleRuntimeMb: Math.round(singlePeak / 2 ** 20),
      peakRssNodeMb: Math.round(nodePeak / 2 ** 20),
      targets: 'ratioWarm <= 2.0, browserWarmMedianMs <= 10000',
      threads: THREADS,
      cpus: (await import('node:os')).cpus().length,
      loadAverage: (await import('node:os')).loadavg().map((x) => +x.toFixed(1)),
    });
  } finally {
    await browser.close();
    await net.release();
    server.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
