// One hn-oar tile batch, shaped as its manifest tiles (0.2: 8 × 3 × 96 × 96 slices; 0.3: 1 × 1 × 96 × 96 × 144
// patches), through ONNX Runtime alone, without the engine:
// which onnxruntime-web build and which use of two threads src/inference/segment-web.ts should pick.
// - builds: the default JSEP build (Asyncify-instrumented, needed for WebGPU), the plain WASM build and the JSPI
//   build, each with 2 threads in one module worker;
// - pools: one 2-threaded runtime against two 1-threaded runtimes in two workers running batches side by side
//   (throughput = per-batch time / workers);
// - onnxruntime-node with 2 and 1 intra-op threads on the same batch, the native reference.
// Medians of BENCH_REPS (default 15; 5 for a 3D patch, which takes seconds) warm runs after one warm-up run.
// Input: a synthetic slice (a soft-tissue disc in air) in every slice of the batch, normalised as the manifest says.
//
//   npm run bench -- ort-web-builds
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import puppeteer from 'puppeteer-core';
import { serveIsolated } from './browser/serve.ts';
import { median, report } from './util.ts';
import { readManifest } from '../src/node.ts';

const { manifest } = await readManifest('hn-oar');
const onnx = manifest.onnx!;
const REPS = Number(process.env.BENCH_REPS ?? (onnx.layout.kind === '3d' ? 5 : 15));
/** [batch, channels, (z,) y, x] of one batch as the engine feeds it. */
const DIMS = onnx.layout.kind === '3d'
  ? [onnx.batch, 1, onnx.patch[2], onnx.patch[1], onnx.patch[0]]
  : [onnx.batch, 2 * onnx.layout.contextSlices + 1, onnx.patch[1], onnx.patch[0]];
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (!CHROMIUM) throw new Error('Chromium is not installed: apt-get install chromium');

/** The batch: per slice a disc of soft tissue (0.05·sin, ≈ 25 HU) of radius 0.4 × the rows in air (−2 = −1000 HU / 500). */
function batch(dims: number[]): Float32Array {
  const [rows, cols] = dims.slice(-2);
  const x = new Float32Array(dims.reduce((a, b) => a * b, 1));
  const rad = 0.4 * rows;
  for (let i = 0; i < x.length; i++) {
    const r = Math.floor(i / cols) % rows;
    const c = i % cols;
    x[i] = (r - rows / 2) ** 2 + (c - cols / 2) ** 2 < rad * rad ? 0.05 * Math.sin(i * 0.01) : -2;
  }
  return x;
}

// The worker: loads one build, starts a session, times REPS runs of the batch; `batch()` is inlined as source.
const WORKER = `
const batch = ${batch.toString()};
const DIMS = ${JSON.stringify(DIMS)};
onmessage = async (e) => {
  const { file, threads, reps } = e.data;
  const ort = await import('/ort/' + file);
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = '/ort/';
  const bytes = new Uint8Array(await (await fetch('/model/model.onnx')).arrayBuffer());
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const t = new ort.Tensor('float32', batch(DIMS), DIMS);
  await s.run({ ct: t });
  const ms = [];
  for (let r = 0; r < reps; r++) { const t0 = performance.now(); await s.run({ ct: t }); ms.push(performance.now() - t0); }
  postMessage(ms);
};`;

const work = await mkdtemp(join(tmpdir(), 'delineo-bench-ort-'));
const server = await serveIsolated({ '/': work, '/ort/': resolve('node_modules/onnxruntime-web/dist'), '/model/': resolve('models/hn-oar') });
const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  await writeFile(join(work, 'index.html'), '<!doctype html><meta charset="utf-8">');
  await writeFile(join(work, 'tile.worker.js'), WORKER);
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.port}/`);
  /** Median per-batch ms of `workers` workers running side by side, each with `threads` threads, on `file`. */
  const web = (file: string, threads: number, workers = 1) =>
    page.evaluate(
      async ({ file, threads, workers, reps }) => {
        const ws = Array.from({ length: workers }, () => new Worker('/tile.worker.js', { type: 'module' }));
        try {
          return await Promise.all(ws.map((w) => new Promise<number[]>((done, fail) => {
            w.onmessage = (e) => done(e.data);
            w.onerror = (e) => fail(new Error(e.message));
            w.postMessage({ file, threads, reps });
          })));
        } finally {
          for (const w of ws) w.terminate();
        }
      },
      { file, threads, workers, reps: REPS },
    ).then((per) => median(per.map((ms) => median(ms))));
  const model = await readFile('models/hn-oar/model.onnx');
  const node = async (threads: number) => {
    const s = await ortNode.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const t = new ortNode.Tensor('float32', batch(DIMS), DIMS);
    await s.run({ ct: t });
    const ms: number[] = [];
    for (let r = 0; r < REPS; r++) {
      const t0 = performance.now();
      await s.run({ ct: t });
      ms.push(performance.now() - t0);
    }
    await s.release();
    return median(ms);
  };
  const r = (x: number) => +x.toFixed(1);
  const jsep2 = await web('ort.min.mjs', 2);
  const plain2 = await web('ort.wasm.min.mjs', 2);
  const jspi2 = await web('ort.jspi.min.mjs', 2);
  const plain1 = await web('ort.wasm.min.mjs', 1);
  const pool = await web('ort.wasm.min.mjs', 1, 2);
  const node2 = await node(2);
  const node1 = await node(1);
  report('ort-web-builds', {
    what: `hn-oar ${manifest.version}, one batch of ${DIMS.join(' × ')}, ONNX Runtime only: median ms per batch`,
    browser: await browser.version(),
    jsepBuild2Threads: r(jsep2),
    plainWasmBuild2Threads: r(plain2),
    jspiBuild2Threads: r(jspi2),
    plainWasmBuild1Thread: r(plain1),
    plainWasm2Workers1ThreadEachPerBatch: r(pool),
    plainWasm2Workers1ThreadEachThroughput: r(pool / 2),
    node2Threads: r(node2),
    node1Thread: r(node1),
    jsepOverPlain: +(jsep2 / plain2).toFixed(2),
    oneRuntimeOverPool: +(plain2 / (pool / 2)).toFixed(2),
    plainOverNode2Threads: +(plain2 / node2).toFixed(2),
    poolOverNode2Threads: +(pool / 2 / node2).toFixed(2),
    reps: REPS,
    loadAverage: (await import('node:os')).loadavg().map((x) => +x.toFixed(1)),
  });
} finally {
  await browser.close();
  server.close();
  await rm(work, { recursive: true, force: true });
}
