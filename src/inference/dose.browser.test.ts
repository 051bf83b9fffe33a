// The dose engine in headless Chromium: onnxruntime-web (WASM) in the dose Web Worker, driven through the dose
// client, with the tiny-dose fixture (a DoseUNet with random weights):
// - the browser's dose equals the Node path's (onnxruntime-node, run by the `delineo-node-dose` server command on
//   the same synthetic case) within 1e-4 Gy at every voxel, on the same grid;
// - what the prediction used is reported (targets with their prescriptions, organs found and missing);
// - hard cancel terminates the worker, the request is unchanged and the next call respawns it;
// - a corrupt model and a case without a prescribed PTV fail with their typed errors.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { doseCase } from '../../test/helpers/dose-case.ts';
import { isAbortError } from '../jobs/job.ts';
import { createDoseClient, type DoseClient } from './dose-client.ts';
import { validateDoseManifest, type DoseModelManifest } from './dose-manifest.ts';

const WASM_PATHS = '/raw/ort/';
const TINY = '/test/fixtures/models/tiny-dose/';

async function tinyManifest(): Promise<DoseModelManifest> {
  return validateDoseManifest(await (await fetch(`${TINY}manifest.json`)).json());
}

async function nodeDose(): Promise<{ dimensions: number[]; origin: number[]; label: string }> {
  await executeServerCommand('delineo-node-dose');
  for (;;) {
    const r = await executeServerCommand<{ dimensions: number[]; origin: number[]; label: string } | { pending: true }, unknown>('delineo-node-dose-result');
    if (!('pending' in r)) return r;
    await new Promise((res) => setTimeout(res, 500));
  }
}

describe('dose prediction in the browser (onnxruntime-web in a worker)', function () {
  this.timeout(120000);
  let client: DoseClient;
  let spawns = 0;
  beforeEach(() => {
    spawns = 0;
    client = createDoseClient(() => {
      spawns++;
      return new Worker(new URL('./dose.worker.ts', import.meta.url), { type: 'module' });
    }, WASM_PATHS);
  });
  afterEach(() => client.dispose());

  it('predicts the same dose as the Node path within 1e-4 Gy', async () => {
    const meta = await nodeDose();
    const node = new Float32Array(await (await fetch('/test/.out/dose/tiny-dose.node.f32')).arrayBuffer());
    const { ct, structures } = doseCase();
    const stages: string[] = [];
    const r = await client.predict({ ct, structures }, { manifest: await tinyManifest(), url: `${TINY}model.onnx` }, { progress: (p) => stages.push(p.stage) });
    expect(r.label).to.equal('Predicted dose (tiny-dose 0.1.0)');
    expect(r.label).to.equal(meta.label);
    expect([...r.dose.dimensions]).to.deep.equal(meta.dimensions);
    expect([...r.dose.origin]).to.deep.equal(meta.origin);
    expect(r.dose.modality).to.equal('RTDOSE');
    expect(r.dose.identity.frameOfReferenceUid).to.equal(ct.identity.frameOfReferenceUid);
    expect(stages).to.include.members(['preprocess', 'inference', 'postprocess']);
    expect(r.inputs.targets.map((t) => [t.name, t.prescriptionGy])).to.deep.equal([['PTV70', 70], ['PTV_5600', 56]]);
    expect(r.inputs.organs.map((o) => o.channel)).to.deep.equal(['SpinalCord', 'Parotid_R', 'Bone_Mandible']);
    expect(r.inputs.missingOrgans).to.deep.equal(['Brainstem', 'Parotid_L', 'Esophagus', 'Larynx']);
    expect(node.length).to.equal(r.dose.data.length);
    let worst = 0;
    let max = 0;
    for (let n = 0; n < node.length; n++) {
      worst = Math.max(worst, Math.abs(node[n] - r.dose.data[n]));
      max = Math.max(max, node[n]);
    }
    console.log(`tiny-dose: browser vs Node largest difference ${worst.toExponential(2)} Gy (dose max ${max.toFixed(2)} Gy; ${Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')})`);
    expect(max).to.be.greaterThan(0.1);
    expect(worst).to.be.at.most(1e-4);
  });

  it('hard-cancels: the worker is terminated, the request is unchanged, the next call respawns it', async () => {
    const manifest = await tinyManifest();
    const { ct, structures } = doseCase();
    const masks = structures.map((s) => s.mask.clone());
    const voxels = ct.data.slice();
    const ac = new AbortController();
    const run = client.predict({ ct, structures }, { manifest, url: `${TINY}model.onnx` }, { signal: ac.signal, progress: (p) => p.stage === 'inference' && ac.abort() });
    let err: unknown;
    await run.catch((e) => (err = e));
    expect(isAbortError(err)).to.equal(true);
    expect(structures.every((s, n) => s.mask.equals(masks[n]))).to.equal(true);
    expect(ct.data).to.deep.equal(voxels);
    const r = await client.predict({ ct, structures }, { manifest, url: `${TINY}model.onnx` });
    expect(r.dose.range()[1]).to.be.greaterThan(0);
    expect(spawns).to.equal(2);
  });

  it('refuses a corrupt model and a case without a prescribed PTV with typed errors', async () => {
    const manifest = await tinyManifest();
    const bytes = new Uint8Array(await (await fetch(`${TINY}model.onnx`)).arrayBuffer());
    bytes[400] ^= 0x55;
    const { ct, structures } = doseCase();
    const codes: string[] = [];
    await client.predict({ ct, structures }, { manifest, bytes: bytes.buffer }).catch((e: { code?: string }) => codes.push(String(e.code)));
    await client.predict({ ct, structures: structures.filter((s) => !s.name.startsWith('PTV')) }, { manifest, url: `${TINY}model.onnx` }).catch((e: { code?: string; message: string }) => codes.push(`${e.code}: ${e.message}`));
    expect(codes[0]).to.equal('corrupt-model');
    expect(codes[1]).to.match(/^no-target: no PTV was found/);
  });
});
