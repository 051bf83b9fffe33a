// The WebGPU path, in a Chromium started with --enable-unsafe-webgpu (scripts/test.mjs runs
// `*.webgpu.browser.test.ts` files in their own test-runner process with WTR_WEBGPU=1). Headless Chromium's only
// adapter is SwiftShader's software fallback, so:
// - the automatic choice sees it and stays on WASM, saying why (a software adapter is far slower than WASM);
// - WebGPU asked for by the user really runs on it: ONNX Runtime's JSEP build with the WebGPU execution provider
//   alone (no silent WASM fallback inside ONNX Runtime), and its labels equal the WASM path's;
// - a model WebGPU cannot run (hn-oar: ONNX Runtime 1.30 has no 3D transposed convolution on WebGPU) is found out
//   when the network starts, by a trial run, and runs on WASM, saying why — not an error at the first click.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { GridTransform, type Mat3, type Vec3 } from '../domain/geometry.ts';
import { Volume } from '../domain/volume.ts';
import { validateManifest, type ModelManifest } from './manifest.ts';
import { createSegmentClient, type SegmentClient } from './segment-client.ts';

const TINY = '/test/fixtures/models/tiny-3d/';
const AUTO_THREADS = Math.min(4, navigator.hardwareConcurrency);

async function tinyManifest(): Promise<ModelManifest> {
  return validateManifest(await (await fetch(`${TINY}manifest.json`)).json());
}

/** An oblique box phantom: soft tissue with a bone block, in LPS millimetres. */
function phantom(): Volume {
  const dims: Vec3 = [40, 36, 24];
  const c = Math.cos(0.3), s = Math.sin(0.3);
  const g = { dimensions: dims, spacing: [1.3, 1.2, 1.6] as Vec3, origin: [-20, -25, -18] as Vec3, direction: [c, s, 0, -s, c, 0, 0, 0, 1] as Mat3 };
  const t = new GridTransform(g);
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, o = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, o++) {
    const p = t.toPatient([i, j, k]);
    const inBody = Math.hypot(p[0], p[1] + 4) < 17 && Math.abs(p[2]) < 14;
    data[o] = inBody && Math.abs(p[0] - 3) < 6 && Math.abs(p[1] + 2) < 5 ? 700 : inBody ? 40 : -1000;
  }
  return new Volume({ ...g, data, modality: 'CT' });
}

describe('inference on WebGPU (headless Chromium with a software adapter)', function () {
  this.timeout(300000);
  let client: SegmentClient;
  beforeEach(() => {
    client = createSegmentClient(() => new Worker(new URL('./segment.worker.ts', import.meta.url), { type: 'module' }), '/raw/ort/');
  });
  afterEach(() => client.dispose());

  it('sees the software adapter and stays on WASM by default, saying why', async () => {
    const adapter = await (navigator as unknown as { gpu: { requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean } } | null> } }).gpu.requestAdapter();
    expect(adapter, 'Chromium was started without --enable-unsafe-webgpu').to.not.equal(null);
    expect(adapter!.info?.isFallbackAdapter).to.equal(true);
    const ready = await client.prepare({ manifest: await tinyManifest(), url: `${TINY}model.onnx` });
    expect(ready.provider).to.equal(`onnxruntime-web wasm (${AUTO_THREADS} threads: ${AUTO_THREADS} tile workers)`);
    expect(ready.reason).to.match(/^the only WebGPU adapter is a software fallback; WASM with/);
  });

  it('runs on WebGPU when the user asks for it, with the labels of the WASM path', async () => {
    const manifest = await tinyManifest();
    const ct = phantom();
    const gpu = await client.segment(ct, { manifest, url: `${TINY}model.onnx` }, { override: { provider: 'webgpu' } });
    expect(gpu.provider).to.equal('onnxruntime-web webgpu');
    expect(gpu.reason).to.equal('chosen by the user');
    const wasm = await client.segment(ct, { manifest, url: `${TINY}model.onnx` }, { override: { provider: 'wasm' } });
    expect(wasm.provider).to.match(/^onnxruntime-web wasm/);
    expect(gpu.labels).to.deep.equal(wasm.labels);
    const counts = [0, 0, 0];
    for (const v of wasm.labels) counts[v]++;
    expect(counts[1], 'tissue voxels').to.be.greaterThan(1000);
    expect(counts[2], 'bone voxels').to.be.greaterThan(200);
    expect(gpu.structures.map((s) => s.name)).to.deep.equal(['Tissue', 'Bone']);
  });

  it('starts a model WebGPU cannot run on WASM instead, when the network starts, and says why', async () => {
    const manifest = validateManifest(await (await fetch('/models/hn-oar/manifest.json')).json());
    const ready = await client.prepare({ manifest, url: '/models/hn-oar/model.onnx' }, { override: { provider: 'webgpu' } });
    expect(ready.provider).to.equal(`onnxruntime-web wasm (${AUTO_THREADS} threads: ${AUTO_THREADS} tile workers)`);
    expect(ready.reason).to.match(new RegExp(`^chosen by the user; WebGPU cannot run this model \\(.*ConvTranspose.*\\), so WASM with ${AUTO_THREADS} threads as ${AUTO_THREADS} single-threaded tile workers$`));
  });
});
