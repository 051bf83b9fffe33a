// NIfTI, NRRD and MetaImage loading through itk-wasm, checked against independent readers: nibabel for
// NIfTI (affine converted RAS → LPS by the test, not by our code), plastimatch-written NRRD/MHA against the
// same CT loaded from DICOM and read by pydicom.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { norm, sameGrid, sub } from '../../domain/geometry.ts';
import type { Volume } from '../../domain/volume.ts';
import { DATA_DIR, nsclcSlices } from '../../../test/fixtures/io/bad-dicom-corpus.ts';
import { referenceNifti, type Reference } from '../../../test/fixtures/io/reference.ts';
import { ImageLoadError } from '../errors.ts';
import { loadDicomDirectory, loadImageFile, loadPath } from '../load-node.ts';

const POSITION_TOL_MM = 1e-4;

function assertMatchesNibabel(v: Volume, ref: Reference): void {
  assert.deepEqual([...v.dimensions], ref.dimensions);
  for (const s of ref.samples) {
    const ours = v.indexToPatient(s.index);
    assert.ok(norm(sub(ours, s.patient)) < POSITION_TOL_MM, `voxel ${s.index}: ours ${ours.join(',')} vs nibabel ${s.patient.join(',')}`);
    assert.equal(v.at(...s.index), s.value);
  }
  let bad = 0;
  for (let x = 0; x < v.data.length; x++) if (v.data[x] !== ref.data[x]) bad++;
  assert.equal(bad, 0, `${bad} voxels differ from nibabel`);
}

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'delineo-imageio-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('NIfTI through itk-wasm, against nibabel', () => {
  const cases = [
    ['TotalSegmentator example_ct.nii.gz (int32 on disk)', 'totalsegmentator-example/example_ct.nii.gz'],
    ['OpenKBP train pt_1', 'openkbp/train/pt_1/ct.nii.gz'],
    ['OpenKBP validation pt_201', 'openkbp/validation/pt_201/ct.nii.gz'],
  ] as const;
  for (const [label, rel] of cases) {
    it(`${label}: LPS geometry and every CT value`, async () => {
      const path = join(DATA_DIR, rel);
      const v = await loadImageFile(path);
      assertMatchesNibabel(v, await referenceNifti(path));
      assert.ok(v.data instanceof Int16Array, 'integer HU narrowed to Int16 when lossless');
      assert.equal(v.modality, 'CT');
    });
  }

  it('an oblique NIfTI written by nibabel lands where nibabel says (direction transpose)', async () => {
    const path = join(tmp, 'oblique.nii.gz');
    const py = `
import nibabel as nib, numpy as np, sys
a = np.arange(7*5*4, dtype=np.int16).reshape((7,5,4), order='F') - 50
c, s = np.cos(0.4), np.sin(0.4)
R = np.array([[c, -s, 0], [s*0.8, c*0.8, -0.6], [s*0.6, c*0.6, 0.8]])
aff = np.eye(4); aff[:3,:3] = R @ np.diag([1.5, 2.0, 3.0]); aff[:3,3] = [10, -20, 30]
img = nib.Nifti1Image(a, aff); img.set_qform(aff, 1); img.set_sform(aff, 1)
nib.save(img, sys.argv[1])
`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, path], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const v = await loadImageFile(path);
    assertMatchesNibabel(v, await referenceNifti(path));
    assert.ok(Math.abs(v.direction[1]) > 0.3, 'the grid really is oblique');
  });
});

describe('NRRD and MetaImage written by plastimatch from 12 NSCLC DICOM slices', () => {
  let dicomDir: string;
  before(async () => {
    dicomDir = join(tmp, 'nsclc12');
    await mkdir(dicomDir);
    for (const s of await nsclcSlices(12)) await writeFile(join(dicomDir, s.name), s.bytes);
  });
  for (const ext of ['nrrd', 'mha'] as const) {
    it(`${ext}: same grid and HU as the DICOM slices; a truncated copy is refused`, async () => {
      const out = join(tmp, `nsclc.${ext}`);
      const r = spawnSync('plastimatch', ['convert', '--input', dicomDir, '--output-img', out], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.error, undefined, 'plastimatch is needed (apt-get install plastimatch)');
      assert.equal(r.status, 0, r.stderr);
      const fromFile = await loadImageFile(out);
      const dicom = await loadDicomDirectory(dicomDir);
      assert.equal(dicom.kind, 'volume');
      if (dicom.kind !== 'volume') return;
      assert.ok(sameGrid(fromFile, dicom.volume, 1e-3), `grid: ${JSON.stringify(fromFile.geometry)} vs ${JSON.stringify(dicom.volume.geometry)}`);
      assert.ok(fromFile.data.length === dicom.volume.data.length && fromFile.data.every((v, x) => v === dicom.volume.data[x]), 'same HU');
      const cut = join(tmp, `cut.${ext}`);
      const bytes = await readFile(out);
      await writeFile(cut, bytes.subarray(0, bytes.length - 5000));
      await assert.rejects(loadImageFile(cut), (e: unknown) => e instanceof ImageLoadError && e.code === 'truncated' && e.file === cut);
    });
  }
});

describe('bad volume files', () => {
  it('names the file and the problem', async () => {
    const empty = join(tmp, 'empty.nii.gz');
    await writeFile(empty, new Uint8Array(0));
    await assert.rejects(loadImageFile(empty), (e: unknown) => e instanceof ImageLoadError && e.code === 'decode-failed' && e.file === empty);
    const truncated = join(tmp, 'truncated.nii.gz');
    const full = await readFile(join(DATA_DIR, 'openkbp/train/pt_1/ct.nii.gz'));
    await writeFile(truncated, full.subarray(0, full.length >> 1));
    await assert.rejects(loadImageFile(truncated), (e: unknown) => e instanceof ImageLoadError && e.code === 'truncated' && e.file === truncated);
    const notNifti = join(tmp, 'text.nii');
    await writeFile(notNifti, 'hello');
    await assert.rejects(loadImageFile(notNifti), (e: unknown) => e instanceof ImageLoadError && e.file === notNifti);
    await assert.rejects(loadImageFile(join(tmp, 'x.png')), (e: unknown) => e instanceof ImageLoadError && e.code === 'unsupported-format');
    await assert.rejects(loadPath(join(tmp, 'does-not-exist')), (e: unknown) => e instanceof ImageLoadError && e.code === 'read-failed');
  });
});
