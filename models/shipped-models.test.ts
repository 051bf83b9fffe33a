// Every model shipped under models/<id>/ is what its model card says it is: the manifest validates, the .onnx file
// is the one the manifest's SHA-256 and size name, and on the first validation patient (OpenKBP pt_201, through
// the engine with onnxruntime-node, exactly as models/training/evaluate.ts ran it) it reproduces the Dice that
// its evaluation.json records for that patient. A re-export, a changed preprocessing step or a post-processing
// change that moves the published figures fails here. A dose model (kind "dose") reproduces, on the same patient, the
// OpenKBP dose error and DVH error its evaluation.json records (models/training/evaluate-dose.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { segmentWithNetwork } from '../src/inference/engine.ts';
import { dice } from '../src/inference/metrics.ts';
import { loadNodeNetwork, readManifest } from '../src/inference/segment-node.ts';
import { readVolumeNifti } from '../src/io/itk/nifti.ts';
import { predictDoseNode, readDoseManifest } from '../src/inference/dose-node.ts';
import { resampleVolume } from '../src/domain/resample.ts';
import { scoreOpenKbpPatient } from '../src/domain/dose-score.ts';
import { voxelVolumeMm3 } from '../src/domain/geometry.ts';
import { loadOpenKbpPatient, openKbpRequestStructures, openKbpStructures } from './training/dose-baseline.ts';

const PATIENT = '../shared/data/openkbp/validation/pt_201';
/** OpenKBP's OAR label numbers (oar.nii.gz) of our structure names (models/training/pack_data.py). */
const OPENKBP_OAR: Record<string, number> = { Brainstem: 1, SpinalCord: 2, Parotid_R: 3, Parotid_L: 4, Esophagus: 5, Larynx: 6, Bone_Mandible: 7 };

interface Evaluation {
  readonly model: string;
  readonly version: string;
  readonly sha256: string;
  readonly tta: boolean;
  readonly task?: 'oar' | 'ptv';
  readonly perPatient: Record<string, Record<string, { dice: number }>>;
}

interface DoseEvaluation {
  readonly model: string;
  readonly version: string;
  readonly sha256: string;
  readonly perPatient: Record<string, { model?: { doseErrorGy: number; metrics: { structure: string; metric: string; errorGy: number }[] } }>;
}

const shipped = readdirSync('models').filter((id) => existsSync(join('models', id, 'manifest.json')));

describe('shipped models', () => {
  it('ships at least hn-oar', () => {
    assert.ok(shipped.includes('hn-oar'), shipped.join(', '));
  });

  for (const id of shipped.filter((x) => JSON.parse(readFileSync(join('models', x, 'manifest.json'), 'utf8')).kind === 'dose')) {
    it(`${id}: the dose model's file, its manifest and its model card's OpenKBP scores agree`, async () => {
      const dir = join('models', id);
      assert.ok(existsSync(join(dir, 'MODEL_CARD.md')), 'a model card');
      const { manifest } = await readDoseManifest(join(dir, 'manifest.json'));
      assert.equal(manifest.id, id);
      const bytes = readFileSync(join(dir, manifest.dose.model.file));
      assert.equal(bytes.length, manifest.dose.model.bytes);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), manifest.dose.model.sha256);
      assert.ok(bytes.length <= 25 * 1024 * 1024, 'small enough to ship in the repository');
      const evaluation = JSON.parse(readFileSync(join(dir, 'evaluation.json'), 'utf8')) as DoseEvaluation;
      assert.deepEqual([evaluation.model, evaluation.version, evaluation.sha256], [manifest.id, manifest.version, manifest.dose.model.sha256], 'evaluation.json is of this file');
      const recorded = evaluation.perPatient['pt_201']?.model;
      assert.ok(recorded, 'evaluation.json has pt_201');

      const p = await loadOpenKbpPatient('../shared/data/openkbp/validation', 'pt_201');
      const r = await predictDoseNode({ ct: p.ct, structures: openKbpRequestStructures(p) }, join(dir, 'manifest.json'), { threads: 1 });
      const native = resampleVolume(r.dose, p.dose, { interpolation: 'linear', fill: 0 });
      const score = scoreOpenKbpPatient({ reference: p.dose.data, predicted: native.data, possibleDoseMask: p.possibleDoseMask.data, voxelVolumeMm3: voxelVolumeMm3(p.dose), structures: openKbpStructures(p) });
      assert.ok(Math.abs(score.doseErrorGy - recorded.doseErrorGy) < 0.01, `dose error ${score.doseErrorGy.toFixed(3)} Gy, model card ${recorded.doseErrorGy.toFixed(3)} Gy`);
      for (const m of recorded.metrics) {
        const now = score.metrics.find((x) => x.structure === m.structure && x.metric === m.metric);
        assert.ok(now && Math.abs(now.errorGy - m.errorGy) < 0.02, `${m.structure} ${m.metric}: ${now?.errorGy.toFixed(3)} Gy, model card ${m.errorGy.toFixed(3)} Gy`);
      }
    });
  }

  for (const id of shipped.filter((x) => JSON.parse(readFileSync(join('models', x, 'manifest.json'), 'utf8')).kind !== 'dose')) {
    it(`${id}: the file, its manifest and its model card's figures agree`, async () => {
      const dir = join('models', id);
      assert.ok(existsSync(join(dir, 'MODEL_CARD.md')), 'a model card');
      const { manifest } = await readManifest(join(dir, 'manifest.json'));
      assert.equal(manifest.id, id);
      const bytes = readFileSync(join(dir, manifest.onnx!.model.file));
      assert.equal(bytes.length, manifest.onnx!.model.bytes);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), manifest.onnx!.model.sha256);
      assert.ok(bytes.length <= 25 * 1024 * 1024, 'small enough to ship in the repository');
      const evaluation = JSON.parse(readFileSync(join(dir, 'evaluation.json'), 'utf8')) as Evaluation;
      assert.deepEqual([evaluation.model, evaluation.version, evaluation.sha256], [manifest.id, manifest.version, manifest.onnx!.model.sha256], 'evaluation.json is of this file');
      const recorded = evaluation.perPatient['pt_201'];
      assert.ok(recorded, 'evaluation.json has pt_201');

      const ct = await readVolumeNifti(join(PATIENT, 'ct.nii.gz'), 'CT');
      const ptv = evaluation.task === 'ptv';
      const reference = await readVolumeNifti(join(PATIENT, ptv ? 'ptv.nii.gz' : 'oar.nii.gz'), 'MASK');
      const net = await loadNodeNetwork(manifest, dir, 1);
      try {
        const result = await segmentWithNetwork(ct, manifest, net.runner, { tta: evaluation.tta });
        for (const [name, { dice: expected }] of Object.entries(recorded)) {
          const s = result.structures.find((x) => x.name === name);
          assert.ok(s, `${name} produced`);
          const value = OPENKBP_OAR[name];
          const ref = Uint8Array.from(reference.data, (v) => (ptv ? v > 0 : v === value) ? 1 : 0);
          const d = dice(s.mask.toDense(), ref);
          assert.ok(Math.abs(d - expected) < 0.005, `${name}: Dice ${d.toFixed(4)}, model card ${expected.toFixed(4)}`);
        }
      } finally {
        await net.release();
      }
    });
  }
});
