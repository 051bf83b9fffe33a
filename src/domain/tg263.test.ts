import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TG263, suggestStandardName, tg263Entry } from './tg263.ts';
import { ROI_INTERPRETED_TYPES } from './structure.ts';

describe('TG-263 names', () => {
  it('covers every structure our models and rules produce, with valid interpreted types', () => {
    for (const n of ['Brainstem', 'SpinalCord', 'Parotid_L', 'Parotid_R', 'Esophagus', 'Larynx', 'Bone_Mandible', 'Lung_L', 'Lung_R', 'Heart', 'External', 'Bone', 'GTV', 'CTV', 'PTV']) {
      assert.ok(tg263Entry(n), n);
    }
    for (const e of TG263) {
      assert.ok(ROI_INTERPRETED_TYPES.includes(e.interpretedType));
      assert.ok(e.name.length <= 16, `${e.name}: TG-263 names are at most 16 characters`);
    }
  });

  it('maps clinical spellings from real files to standard names, and leaves unknown names alone', () => {
    // Names from the NSCLC (XiO) and OpenKBP files in ../shared/data.
    assert.equal(suggestStandardName('Lung L'), 'Lung_L');
    assert.equal(suggestStandardName('Lung R'), 'Lung_R');
    assert.equal(suggestStandardName('Spinal cord'), 'SpinalCord');
    assert.equal(suggestStandardName('Patient'), 'External');
    assert.equal(suggestStandardName('RightParotid'), 'Parotid_R');
    assert.equal(suggestStandardName('Mandible'), 'Bone_Mandible');
    assert.equal(suggestStandardName('PTV-1'), 'PTV_1');
    assert.equal(suggestStandardName('GTV'), 'GTV');
    assert.equal(suggestStandardName('CTV 54'), 'CTV_54');
    assert.equal(suggestStandardName('Couch'), undefined);
    assert.equal(suggestStandardName('Isocenter 1'), undefined);
  });
});
