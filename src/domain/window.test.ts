import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generatePhantom } from '../phantom/phantom.ts';
import { loadDicomDirectory } from '../io/load-node.ts';
import { readVolumeNifti } from '../io/itk/nifti.ts';
import { Volume } from './volume.ts';
import { initialWindow, looksLikeChest, LUNG_WINDOW, SOFT_TISSUE_WINDOW } from './window.ts';

const DATA = join(import.meta.dirname, '../../../shared/data');

describe('the window a CT opens with', () => {
  it('recognises real chest CTs, and not head-and-neck or abdominal ones (those reaching the lung apices included)', async () => {
    const nsclc = await loadDicomDirectory(join(DATA, 'nsclc-lung1-001/dicom'));
    assert.equal(nsclc.kind, 'volume');
    if (nsclc.kind !== 'volume') return;
    assert.equal(looksLikeChest(nsclc.volume), true, 'NSCLC chest CT');
    assert.equal(looksLikeChest(generatePhantom().volume), true, 'thorax phantom');
    assert.equal(looksLikeChest(await readVolumeNifti(join(DATA, 'totalsegmentator-example/example_ct.nii.gz'))), false, 'abdomen');
    // pt_201, pt_215 and pt_232 reach down to the lung apices; pt_202 and pt_210 do not.
    for (const pt of ['pt_201', 'pt_202', 'pt_210', 'pt_215', 'pt_232']) {
      assert.equal(looksLikeChest(await readVolumeNifti(join(DATA, 'openkbp/validation', pt, 'ct.nii.gz'))), false, `head and neck ${pt}`);
    }
  });

  it("opens with the series' own window, else lung for a chest CT, else soft tissue", () => {
    const chest = generatePhantom().volume;
    assert.deepEqual(initialWindow(chest), { window: LUNG_WINDOW.window, level: LUNG_WINDOW.level });
    const own = new Volume({ ...chest.geometry, data: chest.data, defaultWindow: { window: 350, level: 50 } });
    assert.deepEqual(initialWindow(own), { window: 350, level: 50 });
    const water = new Volume({ dimensions: [8, 8, 8], spacing: [1, 1, 1], origin: [0, 0, 0], direction: chest.direction, data: new Int16Array(512) });
    assert.deepEqual(initialWindow(water), SOFT_TISSUE_WINDOW);
    const mr = new Volume({ ...chest.geometry, data: chest.data, modality: 'MR' });
    assert.deepEqual(initialWindow(mr), SOFT_TISSUE_WINDOW, 'HU rules say nothing about an MR');
  });
});
