// The browser inference path in headless Chromium: onnxruntime-web (WASM; threads because the test pages are
// cross-origin isolated) in the segmentation Web Worker, driven through the worker RPC.
// - a second, differently shaped network (the 3D tiny-3d fixture) through the whole engine;
// - prepare: a network started before the first segmentation is the one it runs on;
// - hard cancel: aborting terminates the worker inside ONNX Runtime, the next call respawns it;
// - parity: on two OpenKBP validation patients the browser labels agree with the Node path (onnxruntime-node,
//   run by the `delineo-node-segment` server command) on ≥ 99.9 % of voxels, with the default pool of
//   single-threaded tile workers and with one multi-threaded runtime;
// - a pool that cannot start (no tile worker script) falls back to one runtime and says so;
// - WebGPU asked for where it cannot start (no adapter here) runs on WASM and says so.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { GridTransform, type Mat3, type Vec3 } from '../domain/geometry.ts';
import { Volume } from '../domain/volume.ts';
import { isAbortError } from '../jobs/job.ts';
import { validateManifest, type ModelManifest } from './manifest.ts';
import { EXTERNAL_LUNGS_BONES } from './rules/external-lungs-bones.ts';
import { dice } from './metrics.ts';
import { createSegmentClient, type SegmentClient } from './segment-client.ts';

const WASM_PATHS = '/raw/ort/';
/** The WASM threads the engine chooses on this machine (cross-origin isolated): the cores, at most 4. */
const AUTO_THREADS = Math.min(4, navigator.hardwareConcurrency);
const TINY = '/test/fixtures/models/tiny-3d/';
const HN = '/models/hn-oar/';

async function manifestAt(base: string): Promise<ModelManifest> {
  return validateManifest(await (await fetch(`${base}manifest.json`)).json());
}

function boxCt(): { ct: Volume; bone: (p: Vec3) => boolean } {
  const dims: Vec3 = [48, 44, 30];
  const g = { dimensions: dims, spacing: [1.2, 1.25, 1.5] as Vec3, origin: [28, 27, -22] as Vec3, direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] as Mat3 };
  const tissue = (p: Vec3) => Math.abs(p[0]) < 18 && Math.abs(p[1]) < 16 && Math.abs(p[2]) < 15;
  const bone = (p: Vec3) => Math.abs(p[0] - 4) < 8 && Math.abs(p[1] + 2) < 7 && Math.abs(p[2]) < 8;
  const t = new GridTransform(g);
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, o = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, o++) {
    const p = t.toPatient([i, j, k]);
    data[o] = bone(p) ? 800 : tissue(p) ? 20 : -1000;
  }
  return { ct: new Volume({ ...g, data, modality: 'CT' }), bone };
}

describe('inference in the browser (onnxruntime-web in a worker)', function () {
  this.timeout(300000);
  let client: SegmentClient;
  let spawns = 0;
  beforeEach(() => {
    spawns = 0;
    client = createSegmentClient(() => {
      spawns++;
      return new Worker(new URL('./segment.worker.ts', import.meta.url), { type: 'module' });
    }, WASM_PATHS);
  });
  afterEach(() => client.dispose());

  it('runs a 3D network through the engine on multi-threaded WASM', async () => {
    expect(crossOriginIsolated).to.equal(true);
    const { ct, bone } = boxCt();
    const manifest = await manifestAt(TINY);
    const tiles: number[] = [];
    const r = await client.segment(ct, { manifest, url: `${TINY}model.onnx` }, { progress: (p) => p.stage === 'inference' && tiles.push(p.done) });
    // As many single-threaded tile workers as cores, at most 4 (provider.ts); CI machines have at least 2 cores.
    expect(AUTO_THREADS).to.be.at.least(2);
    expect(r.provider).to.equal(`onnxruntime-web wasm (${AUTO_THREADS} threads: ${AUTO_THREADS} tile workers)`);
    expect(r.reason).to.match(new RegExp(`WASM .*${AUTO_THREADS} single-threaded tile workers`));
    expect(tiles.at(-1)).to.be.greaterThan(1);
    const t = new GridTransform(ct.geometry);
    const ref = new Uint8Array(ct.data.length);
    const [nx, ny, nz] = ct.dimensions;
    for (let k = 0, o = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, o++) ref[o] = bone(t.toPatient([i, j, k])) ? 1 : 0;
    const boneMask = r.structures.find((s) => s.name === 'Bone')!.mask;
    expect(dice(boneMask.toDense(), ref)).to.be.greaterThan(0.85);
    expect(r.structures[1].provenance).to.deep.equal({ algorithm: 'AUTOMATIC', source: 'tiny-3d', version: '1.0.0' });
  });

  it('refuses a corrupt model with a typed error', async () => {
    const manifest = await manifestAt(TINY);
    const bytes = new Uint8Array(await (await fetch(`${TINY}model.onnx`)).arrayBuffer());
    bytes[300] ^= 0x55;
    try {
      await client.segment(boxCt().ct, { manifest, bytes: bytes.buffer });
      expect.fail('should reject');
    } catch (e) {
      expect((e as { code?: string }).code).to.equal('corrupt-model');
      expect((e as Error).name).to.equal('InferenceError');
    }
  });

  it('prepares a network before the first segmentation, which then runs on it; a corrupt model fails both alike', async () => {
    const manifest = await manifestAt(TINY);
    const bytes = new Uint8Array(await (await fetch(`${TINY}model.onnx`)).arrayBuffer());
    bytes[300] ^= 0x55;
    const codes: string[] = [];
    // A failed start is not kept: the segmentation tries again and reports the same typed error.
    await client.prepare({ manifest, bytes: bytes.slice().buffer }).catch((e: { code?: string }) => codes.push(`prepare ${e.code}`));
    await client.segment(boxCt().ct, { manifest, bytes: bytes.slice().buffer }).catch((e: { code?: string }) => codes.push(`segment ${e.code}`));
    expect(codes).to.deep.equal(['prepare corrupt-model', 'segment corrupt-model']);
    const ready = await client.prepare({ manifest, url: `${TINY}model.onnx` });
    expect(ready.provider).to.equal(`onnxruntime-web wasm (${AUTO_THREADS} threads: ${AUTO_THREADS} tile workers)`);
    expect(ready.reason).to.match(new RegExp(`WASM .*${AUTO_THREADS} single-threaded tile workers`));
    expect(ready.ms).to.be.greaterThan(0);
    // The network's file is gone now: a segmentation that downloaded and started the model again would fail.
    const r = await client.segment(boxCt().ct, { manifest, url: `${TINY}no-such-file.onnx` });
    expect(r.provider).to.equal(ready.provider);
    expect(r.structures.map((s) => s.name)).to.deep.equal(['Tissue', 'Bone']);
    expect(spawns).to.equal(1);
    // A rule-based model needs no network.
    const rules = await client.prepare({ manifest: EXTERNAL_LUNGS_BONES });
    expect(rules.provider).to.equal('rule-based');
  });

  it('hard-cancels inside ONNX Runtime and respawns the worker for the next call', async () => {
    const manifest = await manifestAt(HN);
    const meta = await nodeSegment('pt_201');
    const ct = await parityCt('pt_201', meta);
    const ac = new AbortController();
    const started = performance.now();
    // Half a second after the tiles start: hn-oar's 3D patches take seconds each, so the abort lands inside ONNX Runtime.
    let armed = false;
    let abortedAt = 0;
    const progress = (p: { stage: string }) => {
      if (p.stage !== 'inference' || armed) return;
      armed = true;
      setTimeout(() => {
        abortedAt = performance.now();
        ac.abort();
      }, 500);
    };
    const run = client.segment(ct, { manifest, url: `${HN}model.onnx` }, { signal: ac.signal, progress });
    let err: unknown;
    try {
      await run;
    } catch (e) {
      err = e;
    }
    expect(isAbortError(err)).to.equal(true);
    expect(performance.now() - started).to.be.lessThan(120000);
    // Hard: the worker is terminated, not asked to stop after its current multi-second patch.
    expect(abortedAt).to.be.greaterThan(0);
    expect(performance.now() - abortedAt).to.be.lessThan(1500);
    const r = await client.segment(boxCt().ct, { manifest: await manifestAt(TINY), url: `${TINY}model.onnx` });
    expect(r.structures.length).to.equal(2);
    expect(spawns).to.equal(2);
  });

  it('falls back to one multi-threaded runtime when tile workers cannot start, and says so', async () => {
    const { loadWebNetwork } = await import('./segment-web.ts');
    const { chooseExecutionProvider } = await import('./provider.ts');
    const manifest = await manifestAt(TINY);
    const bytes = new Uint8Array(await (await fetch(`${TINY}model.onnx`)).arrayBuffer());
    const choice = chooseExecutionProvider({ webgpu: false, adapter: null, crossOriginIsolated: true, hardwareConcurrency: 2 });
    expect(choice.workers).to.equal(2);
    const net = await loadWebNetwork(manifest, bytes, choice, () => new Worker('/no-such-tile-worker.js', { type: 'module' }));
    try {
      expect(net.workers).to.equal(1);
      expect(net.fallback).to.match(/tile workers unavailable/);
      const [x, y, z] = manifest.onnx!.patch;
      const out = await net.runner.run(new Float32Array(x * y * z), [1, 1, z, y, x]);
      expect(out.length).to.equal(manifest.onnx!.model.classes * x * y * z);
    } finally {
      await net.release();
    }
  });

  it('runs a WebGPU choice that cannot start on WASM, and says so instead of reporting WebGPU', async () => {
    // This suite's Chromium has no WebGPU adapter (the WebGPU suite, segment.webgpu.browser.test.ts, has one).
    const { ct } = boxCt();
    const manifest = await manifestAt(TINY);
    const gpu = await client.segment(ct, { manifest, url: `${TINY}model.onnx` }, { override: { provider: 'webgpu' } });
    expect(gpu.provider).to.equal(`onnxruntime-web wasm (${AUTO_THREADS} threads: ${AUTO_THREADS} tile workers)`);
    expect(gpu.reason).to.match(new RegExp(`^chosen by the user; WebGPU could not start \\(.+\\), so WASM with ${AUTO_THREADS} threads as ${AUTO_THREADS} single-threaded tile workers$`));
    const wasm = await client.segment(ct, { manifest, url: `${TINY}model.onnx` }, { override: { provider: 'wasm' } });
    expect(gpu.labels).to.deep.equal(wasm.labels);
    expect(wasm.labels.some((v) => v === 2)).to.equal(true);
  });

  const parityRuns = [
    { patient: 'pt_201', tileWorkers: true },
    { patient: 'pt_230', tileWorkers: true },
    { patient: 'pt_201', tileWorkers: false },
  ];
  for (const { patient, tileWorkers } of parityRuns) {
    it(`agrees with the Node path (onnxruntime-node) on ≥ 99.9 % of voxels: ${patient}, ${tileWorkers ? 'tile workers' : 'one multi-threaded runtime'}`, async () => {
      const manifest = await manifestAt(HN);
      const meta = await nodeSegment(patient);
      const ct = await parityCt(patient, meta);
      const node = new Uint8Array(await (await fetch(`/test/.out/parity/${patient}.hn-oar.node-labels.u8`)).arrayBuffer());
      const t0 = performance.now();
      const r = await client.segment(ct, { manifest, url: `${HN}model.onnx` }, { tta: false, override: { tileWorkers } });
      expect(r.provider).to.equal(tileWorkers ? `onnxruntime-web wasm (${AUTO_THREADS} threads: ${AUTO_THREADS} tile workers)` : `onnxruntime-web wasm (${AUTO_THREADS} threads)`);
      const ms = performance.now() - t0;
      let same = 0;
      let fg = 0;
      for (let o = 0; o < node.length; o++) {
        if (node[o] === r.labels[o]) same++;
        if (node[o]) fg++;
      }
      const agreement = same / node.length;
      console.log(`${patient}: browser ${r.provider} ${(ms / 1000).toFixed(1)} s (${Object.entries(r.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}), node ${(meta.nodeMs / 1000).toFixed(1)} s, label agreement ${(100 * agreement).toFixed(4)} % (${node.length - same} of ${node.length} voxels differ; ${fg} foreground)`);
      expect(fg).to.be.greaterThan(1000);
      expect(agreement).to.be.at.least(0.999);
    });
  }
});

type ParityMeta = { dimensions: Vec3; spacing: Vec3; origin: Vec3; direction: Mat3; nodeMs: number };

/** Runs the Node path on a patient through the server command (a background job polled every second). */
async function nodeSegment(patient: string): Promise<ParityMeta> {
  const payload = { patient, model: 'hn-oar', tta: false };
  await executeServerCommand('delineo-node-segment', payload);
  for (;;) {
    const r = await executeServerCommand<ParityMeta | { pending: true }, unknown>('delineo-node-segment-result', payload);
    if (!('pending' in r)) return r;
    await new Promise((res) => setTimeout(res, 1000));
  }
}

async function parityCt(patient: string, meta: { dimensions: Vec3; spacing: Vec3; origin: Vec3; direction: Mat3 }): Promise<Volume> {
  const data = new Int16Array(await (await fetch(`/test/.out/parity/${patient}.ct.i16`)).arrayBuffer());
  return new Volume({ ...meta, data, modality: 'CT', name: patient });
}
