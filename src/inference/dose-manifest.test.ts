import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateDoseManifest } from './dose-manifest.ts';
import { ManifestError, validateManifest } from './manifest.ts';

const tiny = JSON.parse(readFileSync(new URL('../../test/fixtures/models/tiny-dose/manifest.json', import.meta.url), 'utf8'));
const hnOar = JSON.parse(readFileSync(new URL('../../models/hn-oar/manifest.json', import.meta.url), 'utf8'));

describe('dose model manifest', () => {
  it('accepts the test model with the contract channel order', () => {
    const m = validateDoseManifest(tiny);
    assert.equal(m.kind, 'dose');
    assert.deepEqual(m.dose.channels, ['CT', 'PTV', 'Brainstem', 'SpinalCord', 'Parotid_R', 'Parotid_L', 'Esophagus', 'Larynx', 'Bone_Mandible']);
    assert.deepEqual([m.dose.spacing, m.dose.prescriptionScaleGy, m.dose.model.inputName, m.dose.model.outputName], [[4, 4, 3], 70, 'inputs', 'dose']);
  });

  it('reports every problem with its path', () => {
    const bad = structuredClone(tiny);
    bad.version = '';
    bad.dose.model.sha256 = 'XYZ';
    bad.dose.spacing = [4, 4];
    bad.dose.channels = ['PTV', 'CT', 'Brainstem', 'brainstem'];
    bad.dose.prescriptionScaleGy = 0;
    bad.dose.maxPatch = 100;
    bad.dose.crop = { thresholdHu: -500 };
    try {
      validateDoseManifest(bad, 'manifest.json');
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof ManifestError);
      const all = e.problems.join('\n');
      for (const needle of ['version', 'dose.model.sha256', 'dose.spacing', 'must start with "CT", "PTV"', '"brainstem" is listed twice', 'prescriptionScaleGy', 'maxPatch must be a multiple', 'dose.crop']) {
        assert.ok(all.includes(needle), `missing "${needle}" in\n${all}`);
      }
      assert.ok(e.message.startsWith('manifest.json: '));
    }
  });

  it('refuses the other kind in each validator with a sentence saying which it is', () => {
    assert.throws(() => validateDoseManifest(hnOar), /is a segmentation model \(kind "onnx"\), not a dose-prediction model/);
    assert.throws(() => validateManifest(tiny), /predicts dose \(kind "dose"\): run it with dose prediction, not segmentation/);
    assert.throws(() => validateDoseManifest('x'), ManifestError);
    const missing = structuredClone(tiny);
    delete missing.dose;
    assert.throws(() => validateDoseManifest(missing), /dose must be an object/);
  });
});
