// Page of bench/inference.bench.ts: segments the bench CT with the hn-oar model through the public browser
// path (createSegmentClient → segment.worker → onnxruntime-web WASM) and reports the wall time of each run.
import { type Mat3, type Vec3, Volume, createSegmentClient, validateManifest } from '../../src/index.ts';

const g = globalThis as unknown as Record<string, unknown>;
const client = createSegmentClient(() => new Worker('/segment.worker.js', { type: 'module' }), '/ort/');

const loadManifest = async () => validateManifest(await (await fetch('/models/hn-oar/manifest.json')).json());

/** What the app does once a CT is open: start the model's network before the first auto-contour. */
g.prepareOnce = async (threads: number, tileWorkers = true) => {
  const t0 = performance.now();
  const r = await client.prepare({ manifest: await loadManifest(), url: '/models/hn-oar/model.onnx' }, { override: { provider: 'wasm', threads, tileWorkers } });
  return { ...r, wallMs: performance.now() - t0 };
};

g.runOnce = async (threads: number, tileWorkers = true) => {
  const meta = (await (await fetch('/ct.json')).json()) as { dimensions: Vec3; spacing: Vec3; origin: Vec3; direction: Mat3 };
  const data = new Int16Array(await (await fetch('/ct.i16')).arrayBuffer());
  const ct = new Volume({ ...meta, data, modality: 'CT' });
  const manifest = await loadManifest();
  const t0 = performance.now();
  const r = await client.segment(ct, { manifest, url: '/models/hn-oar/model.onnx' }, { override: { provider: 'wasm', threads, tileWorkers } });
  const ms = performance.now() - t0;
  let fg = 0;
  let sum = 0;
  for (let o = 0; o < r.labels.length; o++) if (r.labels[o]) {
    fg++;
    sum += r.labels[o] * (o % 9973);
  }
  return { ms, provider: r.provider, reason: r.reason, timings: r.timings, fg, checksum: sum, crossOriginIsolated };
};
g.benchReady = true;
