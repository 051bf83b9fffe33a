// The WebGPU path, in a Chromium started with --enable-unsafe-webgpu (scripts/test.mjs runs
// `*.webgpu.browser.test.ts` files in their own test-runner process with WTR_WEBGPU=1). Headless Chromium's only
// adapter is SwiftShader's software fallback, so:
// - the automatic choice sees it and stays on WASM, saying why (a software adapter is far slower than WASM);
// - WebGPU asked for by the user really runs on it: ONNX Runtime's JSEP build with the WebGPU execution provider
//   alone (no silent WASM fallback inside ONNX Runtime), and its labels equal the WASM path's;
// - a model WebGPU cannot run (tiny-3d-upsample: ONNX Runtime 1.30 has no 3D transposed convolution on WebGPU) is
//   found out when the network starts, by a trial run, and runs on WASM, saying why — not an error at the first click;
// - both shipped networks start on WebGPU (hn-oar was exported without 3D transposed convolutions for that reason),
//   and their scores there match the WASM runtime's on a small CT-like patch.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { boxCtInit } from '../../test/helpers/box-ct.ts';
import { Volume } from '../domain/volume.ts';
import { validateManifest, type ModelManifest } from './manifest.ts';
import { createSegmentClient, type SegmentClient } from './segment-client.ts';

const TINY = '/test/fixtures/models/tiny-3d/';
const AUTO_THREADS = Math.min(4, navigator.hardwareConcurrency);

async function tinyManifest(): Promise<ModelManifest> {
  return validateManifest(await (await fetch(`${TINY}manifest.json`)).json());
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
    const ct = new Volume(boxCtInit());
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
    const base = '/test/fixtures/models/tiny-3d-upsample/';
    const manifest = validateManifest(await (await fetch(`${base}manifest.json`)).json());
    const ready = await client.prepare({ manifest, url: `${base}model.onnx` }, { override: { provider: 'webgpu' } });
    expect(ready.provider).to.equal(`onnxruntime-web wasm (${AUTO_THREADS} threads: ${AUTO_THREADS} tile workers)`);
    expect(ready.reason).to.match(new RegExp(`^chosen by the user; WebGPU cannot run this model \\(.*ConvTranspose.*\\), so WASM with ${AUTO_THREADS} threads as ${AUTO_THREADS} single-threaded tile workers$`));
    // The segmentation runs on the network the fallback started, and is right.
    const r = await client.segment(new Volume(boxCtInit()), { manifest, url: `${base}model.onnx` }, { override: { provider: 'webgpu' } });
    expect(r.provider).to.equal(ready.provider);
    expect(r.labels.filter((v) => v === 2).length, 'bone voxels').to.be.greaterThan(200);
  });

  for (const id of ['hn-oar', 'hn-target-proposal']) {
    it(`runs ${id} on WebGPU with the scores of the WASM runtime (a small CT-like patch)`, async () => {
      const manifest = validateManifest(await (await fetch(`/models/${id}/manifest.json`)).json());
      const ready = await client.prepare({ manifest, url: `/models/${id}/model.onnx` }, { override: { provider: 'webgpu' } });
      expect(ready.provider, ready.reason).to.equal('onnxruntime-web webgpu');
      // ONNX Runtime directly, both builds in this page, on a patch normalised as the engine normalises a CT (HU / 500):
      // air around a body of soft tissue (40 HU) with a bone ring (1200 HU), and some noise (σ ≈ 10 HU); 16 slices
      // for the 3D network, 3 for the 2.5D one (a slice and its neighbours as channels).
      const net = manifest.onnx!;
      const slices = net.layout.kind === '3d' ? 16 : 2 * net.layout.contextSlices + 1;
      const dims = net.layout.kind === '3d' ? [1, 1, slices, 32, 32] : [1, slices, 32, 32];
      const x = new Float32Array(slices * 32 * 32);
      let seed = 7;
      for (let z = 0, o = 0; z < slices; z++) for (let y = 0; y < 32; y++) for (let i = 0; i < 32; i++, o++) {
        seed = (seed * 16807) % 2147483647;
        const r = Math.hypot(i - 15.5, (y - 15.5) * 1.3);
        const hu = r > 14 ? -1000 : r > 9 && r < 11 ? 1200 : 40;
        x[o] = Math.max(-2, Math.min(2, (hu + (seed / 2147483647 - 0.5) * 35) / 500));
      }
      const [gpuOrt, wasmOrt] = await Promise.all([import('onnxruntime-web'), import('onnxruntime-web/wasm')]);
      for (const o of [gpuOrt, wasmOrt]) o.env.wasm.wasmPaths = '/raw/ort/';
      const bytes = new Uint8Array(await (await fetch(`/models/${id}/model.onnx`)).arrayBuffer());
      // As the engine asks for WebGPU (segment-web.ts): NCHW layout for 3D networks.
      const ep = net.layout.kind === '3d' ? { name: 'webgpu', preferredLayout: 'NCHW' as const } : 'webgpu';
      const gpu = await gpuOrt.InferenceSession.create(bytes, { executionProviders: [ep] });
      const cpu = await wasmOrt.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      const a = (await gpu.run({ [net.model.inputName]: new gpuOrt.Tensor('float32', x, dims) }))[net.model.outputName].data as Float32Array;
      const b = (await cpu.run({ [net.model.inputName]: new wasmOrt.Tensor('float32', x, dims) }))[net.model.outputName].data as Float32Array;
      await Promise.all([gpu.release(), cpu.release()]);
      expect(a.length).to.equal(net.model.classes * (x.length / (net.layout.kind === '3d' ? 1 : slices)));
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      expect(maxDiff, 'largest |Δlogit|').to.be.lessThan(1e-3);
    });
  }
});
