// The dose engine on ONNX Runtime in Node with the tiny-dose fixture (a DoseUNet with random weights, exported by
// models/training/export_dose_onnx.py): the exported graph reproduces PyTorch, the engine runs it end to end, and
// a damaged model or manifest fails with its typed error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BinaryMask } from '../domain/mask.ts';
import { createStructure } from '../domain/structure.ts';
import { Volume } from '../domain/volume.ts';
import { loadDoseNodeNetwork, predictDoseNode, readDoseManifest } from './dose-node.ts';
import { InferenceError } from './errors.ts';

const TINY = fileURLToPath(new URL('../../test/fixtures/models/tiny-dose/manifest.json', import.meta.url));

/** export_dose_onnx.py `parity_input`, rebuilt from the same formula. */
function parityInput(n = 16): Float32Array {
  const v = n * n * n;
  const x = new Float32Array(9 * v);
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let xx = 0; xx < n; xx++) {
        const o = (z * n + y) * n + xx;
        x[o] = 2 * Math.sin(0.37 * xx + 0.23 * y + 0.11 * z);
        let p = Math.abs(xx - 6) <= 3 && Math.abs(y - 7) <= 3 && Math.abs(z - 8) <= 3 ? 1 : 0;
        if (p === 0 && Math.abs(xx - 11) <= 2 && Math.abs(y - 9) <= 2 && Math.abs(z - 8) <= 4) p = 0.8;
        x[v + o] = p;
        for (let c = 0; c < 7; c++) x[(2 + c) * v + o] = (xx + 2 * y + 3 * z + 5 * c) % 11 < 3 ? 1 : 0;
      }
  return x;
}

function tinyCase(): { ct: Volume; structures: ReturnType<typeof createStructure>[] } {
  const dims = [60, 50, 30] as const;
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) data[i + dims[0] * (j + dims[1] * k)] = Math.hypot(i - 30, j - 25) < 20 ? ((i * 13 + j * 7 + k) % 80) - 40 : -1000;
  const ct = new Volume({ dimensions: dims, spacing: [2.5, 2.5, 3], origin: [-75, -60, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data, modality: 'CT', identity: { frameOfReferenceUid: '1.2.3.4' } });
  const cube = (name: string, lo: number[], hi: number[]) =>
    createStructure({ name, interpretedType: name.startsWith('PTV') ? 'PTV' : 'ORGAN', mask: BinaryMask.fromPredicate(dims, (i, j, k) => i >= lo[0] && i < hi[0] && j >= lo[1] && j < hi[1] && k >= lo[2] && k < hi[2]) });
  return { ct, structures: [cube('PTV70', [25, 20, 10], [35, 30, 20]), cube('PTV_5600', [20, 20, 10], [25, 30, 20]), cube('SpinalCord', [28, 34, 2], [32, 38, 28]), cube('LeftParotid', [40, 15, 12], [45, 20, 18])] };
}

describe('dose engine in Node (tiny-dose)', () => {
  it('the exported network reproduces PyTorch on the parity input within 1e-3 Gy', async () => {
    const { manifest, dir } = await readDoseManifest(TINY);
    const net = await loadDoseNodeNetwork(manifest, dir, 1);
    try {
      const got = await net.runner.run(parityInput(), [1, 9, 16, 16, 16]);
      const b = readFileSync(join(dir, 'parity.f32'));
      const want = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      assert.equal(got.length, want.length);
      let worst = 0;
      for (let n = 0; n < got.length; n++) worst = Math.max(worst, Math.abs(got[n] - want[n]));
      assert.ok(worst < 1e-3, `worst ${worst} Gy`);
      assert.ok(Math.max(...want) > 1, 'the parity dose is not trivially zero');
    } finally {
      await net.release();
    }
  });

  it('predicts a dose on the model grid through onnxruntime-node', async () => {
    const { ct, structures } = tinyCase();
    const stages = new Set<string>();
    const r = await predictDoseNode({ ct, structures }, TINY, { threads: 1, progress: (p) => stages.add(p.stage) });
    assert.deepEqual([...stages], ['preprocess', 'inference', 'postprocess']);
    assert.deepEqual([r.model, r.dose.spacing, r.dose.dimensions], [{ id: 'tiny-dose', version: '0.1.0' }, [4, 4, 3], [38, 31, 30]]);
    assert.ok(r.dose.data.every((v) => Number.isFinite(v) && v >= 0));
    assert.ok(r.dose.range()[1] > 0.1, `max ${r.dose.range()[1]}`);
    assert.deepEqual(r.inputs.missingOrgans, ['Brainstem', 'Parotid_R', 'Esophagus', 'Larynx', 'Bone_Mandible']);
    assert.ok(r.timings.inference >= 0 && r.timings.preprocess >= 0);
  });

  it('refuses a damaged model file and a segmentation manifest with typed errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiny-dose-'));
    const m = JSON.parse(readFileSync(TINY, 'utf8'));
    copyFileSync(join(TINY, '..', 'model.onnx'), join(dir, 'model.onnx'));
    m.dose.model.sha256 = 'a'.repeat(64);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const { ct, structures } = tinyCase();
    await assert.rejects(predictDoseNode({ ct, structures }, join(dir, 'manifest.json')), (e: unknown) => e instanceof InferenceError && e.code === 'corrupt-model');
    await assert.rejects(predictDoseNode({ ct, structures }, 'hn-oar'), /is a segmentation model/);
    await assert.rejects(predictDoseNode({ ct, structures }, join(dir, 'none.json')), (e: unknown) => e instanceof InferenceError && e.code === 'unknown-model');
  });
});
