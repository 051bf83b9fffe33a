// Page of bench/dose-predict.bench.ts: predicts the bench patient's dose with the hn-dose model through the
// public browser path (createDoseClient → dose.worker → onnxruntime-web WASM), reports the wall time of each
// predict call, and compares the dose with the Node path's (served as /node-dose.f32, same grid).
import { BinaryMask, type Mat3, type Vec3, Volume, createDoseClient, createStructure, validateDoseManifest } from '../../src/index.ts';

const g = globalThis as unknown as Record<string, unknown>;
const client = createDoseClient(() => new Worker('/dose.worker.js', { type: 'module' }), '/ort/');

async function request() {
  const meta = (await (await fetch('/case.json')).json()) as {
    dimensions: Vec3; spacing: Vec3; origin: Vec3; direction: Mat3;
    structures: { name: string; interpretedType: 'ORGAN' | 'PTV' }[];
  };
  const ct = new Volume({ ...meta, data: new Int16Array(await (await fetch('/ct.i16')).arrayBuffer()), modality: 'CT' });
  const masks = new Uint8Array(await (await fetch('/masks.u8')).arrayBuffer());
  const n = ct.data.length;
  const structures = meta.structures.map((s, k) => createStructure({ ...s, mask: BinaryMask.fromDense(meta.dimensions, masks.subarray(k * n, (k + 1) * n)) }));
  return { ct, structures };
}

g.predictOnce = async () => {
  const req = await request();
  const manifest = validateDoseManifest(await (await fetch('/models/hn-dose/manifest.json')).json());
  const t0 = performance.now();
  const r = await client.predict(req, { manifest, url: '/models/hn-dose/model.onnx' });
  const ms = performance.now() - t0;
  const node = new Float32Array(await (await fetch('/node-dose.f32')).arrayBuffer());
  if (node.length !== r.dose.data.length) throw new Error(`dose grids differ: browser ${r.dose.data.length} voxels, Node ${node.length}`);
  let sum = 0;
  let max = 0;
  let peak = 0;
  for (let o = 0; o < node.length; o++) {
    const d = Math.abs(node[o] - r.dose.data[o]);
    sum += d;
    if (d > max) max = d;
    if (r.dose.data[o] > peak) peak = r.dose.data[o];
  }
  return { ms, timings: r.timings, dims: [...r.dose.dimensions], meanAbsDiffGy: sum / node.length, maxAbsDiffGy: max, browserMaxGy: peak, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency };
};
g.benchReady = true;
