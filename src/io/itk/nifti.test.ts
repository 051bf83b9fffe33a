import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY, type ImageGeometry, type Vec3 } from '../../domain/geometry.ts';
import { BinaryMask } from '../../domain/mask.ts';
import { generatePhantom, obliqueDirection, type Phantom } from '../../phantom/phantom.ts';
import { runPythonJson } from '../../../test/helpers/external-tools.ts';
import { itkDirectionFromMat3, mat3FromItkDirection } from './itk-image.ts';
import { readVolumeNifti, writeLabelMapNifti, writeMaskNifti, writeVolumeNifti } from './nifti.ts';

const scratch = mkdtempSync(join(tmpdir(), 'delineo-nifti-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface NibabelInfo {
  shape: number[];
  dtype: string;
  affine: number[][];
  qform: number[][];
  sformCode: number;
  /** Count and RAS centroid (mm) of the voxels holding each non-zero value. */
  labels: Record<string, { count: number; centroid: number[] }>;
}

// nibabel reads each file given as "path" or "path|labels"; voxels go to path + '.f64' in Fortran (i-fastest)
// order, which is our storage order. One interpreter for all files: starting python with numpy and nibabel
// costs more than reading these small files.
const READ_NIFTI = `
import json, sys
import numpy as np
import nibabel as nib
out = {}
for arg in sys.argv[1:]:
    path, _, mode = arg.partition('|')
    img = nib.load(path)
    data = np.asarray(img.dataobj)
    data.flatten(order='F').astype(np.float64).tofile(path + '.f64')
    labels = {}
    if mode == 'labels':
        for v in np.unique(data):
            if v == 0:
                continue
            ijk = np.argwhere(data == v)
            ras = nib.affines.apply_affine(img.affine, ijk)
            labels[str(int(v))] = dict(count=int(len(ijk)), centroid=ras.mean(axis=0).tolist())
    out[path] = dict(shape=list(data.shape), dtype=str(img.get_data_dtype()), affine=img.affine.tolist(),
        qform=img.get_qform().tolist(), sformCode=int(img.header['sform_code']), labels=labels)
print(json.dumps(out))
`;

/** Reads NIfTI files with nibabel in one python run; `labels` files also report per-label counts and centroids. */
function readWithNibabel(files: { path: string; labels?: boolean }[]): Map<string, { info: NibabelInfo; voxels: Float64Array }> {
  const infos = runPythonJson<Record<string, NibabelInfo>>(READ_NIFTI, files.map((f) => (f.labels ? `${f.path}|labels` : f.path)));
  const out = new Map<string, { info: NibabelInfo; voxels: Float64Array }>();
  for (const { path } of files) {
    const bytes = readFileSync(`${path}.f64`);
    out.set(path, { info: infos[path], voxels: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8) });
  }
  return out;
}

/** Our LPS grid as the RAS affine NIfTI must carry: rows 0 and 1 of [D·diag(s) | origin] negated. */
function expectedRasAffine(g: ImageGeometry): number[][] {
  const d = g.direction;
  const s = g.spacing;
  const sign = [-1, -1, 1];
  return [0, 1, 2]
    .map((r) => [d[r] * s[0] * sign[r], d[3 + r] * s[1] * sign[r], d[6 + r] * s[2] * sign[r], g.origin[r] * sign[r]])
    .concat([[0, 0, 0, 1]]);
}

function assertAffine(actual: number[][], g: ImageGeometry, what: string): void {
  const expected = expectedRasAffine(g);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      // NIfTI keeps the affine in float32: ~1e-7 relative, i.e. ≤ 1e-4 mm on a 300 mm origin.
      const tol = c === 3 ? 1e-4 : 1e-5;
      assert.ok(Math.abs(actual[r][c] - expected[r][c]) <= tol, `${what}[${r}][${c}] = ${actual[r][c]}, expected ${expected[r][c]}`);
    }
  }
}

describe('itk-wasm direction layout', () => {
  it('is the transpose of our column-major Mat3 (round trip is exact)', () => {
    const d = obliqueDirection(20);
    const itk = itkDirectionFromMat3(d);
    // itk[r*3 + c] = component r of axis c; our d[3c + r] is the same number.
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) assert.equal(itk[r * 3 + c], d[3 * c + r]);
    assert.deepEqual(mat3FromItkDirection(itk), d);
  });
});

describe('NIfTI writing (itk-wasm) read back by nibabel', () => {
  const grid = { dimensions: [48, 48, 10] as Vec3, spacing: [8, 7, 9] as Vec3 };
  const cases: [string, Phantom][] = [
    ['axial', generatePhantom({ ...grid, seed: 2 })],
    ['oblique', generatePhantom({ ...grid, direction: obliqueDirection(20), seed: 3 })],
  ];

  const paths = (name: string) => ({ ct: join(scratch, `${name}.nii.gz`), gtv: join(scratch, `${name}-gtv.nii.gz`), labels: join(scratch, `${name}-labels.nii.gz`) });
  let nib = new Map<string, { info: NibabelInfo; voxels: Float64Array }>();
  before(async () => {
    // Write everything, then read it all back in one nibabel run.
    for (const [name, phantom] of cases) {
      const p = paths(name);
      await writeVolumeNifti(phantom.volume, p.ct);
      await writeMaskNifti(phantom.structures.find((s) => s.name === 'GTV')!.mask, phantom.volume, p.gtv);
      const entries = phantom.structures.map((s, n) => ({ mask: s.mask, label: n + 1 }));
      await writeLabelMapNifti(entries, phantom.volume, p.labels);
    }
    nib = readWithNibabel(cases.flatMap(([name]) => [{ path: paths(name).ct }, { path: paths(name).gtv, labels: true }, { path: paths(name).labels, labels: true }]));
  });

  for (const [name, phantom] of cases) {
    it(`writes the ${name} CT with the LPS→RAS affine and every voxel in place`, () => {
      const path = paths(name).ct;
      assert.deepEqual([...readFileSync(path).subarray(0, 2)], [0x1f, 0x8b], 'gzip-compressed');
      const { info, voxels } = nib.get(path)!;
      assert.deepEqual(info.shape, [...phantom.volume.dimensions]);
      assert.equal(info.dtype, 'int16');
      assert.ok(info.sformCode > 0, 'sform set');
      assertAffine(info.affine, phantom.volume, 'affine');
      assertAffine(info.qform, phantom.volume, 'qform');
      assert.equal(voxels.length, phantom.volume.data.length);
      for (let n = 0; n < voxels.length; n++) if (voxels[n] !== phantom.volume.data[n]) assert.fail(`voxel ${n}: ${voxels[n]} vs ${phantom.volume.data[n]}`);
    });

    it(`writes the ${name} ground-truth masks and label map where the structures are in patient space`, () => {
      const gtv = phantom.structures.find((s) => s.name === 'GTV')!;
      const mask = nib.get(paths(name).gtv)!;
      assert.equal(mask.info.dtype, 'uint8');
      assertAffine(mask.info.affine, phantom.volume, 'mask affine');
      assert.deepEqual(Object.keys(mask.info.labels), ['1']);
      assert.equal(mask.info.labels['1'].count, gtv.mask.count());
      const dense = gtv.mask.toDense();
      for (let n = 0; n < dense.length; n++) if (dense[n] !== mask.voxels[n]) assert.fail(`GTV mask voxel ${n}`);

      const labels = nib.get(paths(name).labels)!;
      assert.equal(labels.info.dtype, 'uint8');
      // Later labels win: a voxel shows the last structure that contains it.
      for (const [n, s] of phantom.structures.entries()) {
        const visible = s.mask.clone();
        for (const later of phantom.structures.slice(n + 1)) visible.combine(later.mask, 'subtract');
        const got = labels.info.labels[String(n + 1)];
        assert.equal(got?.count ?? 0, visible.count(), `${s.name} voxel count`);
        if (!got) continue;
        // Centroid: nibabel's (from the RAS affine) vs ours (from indexToPatient, LPS → RAS).
        const acc = [0, 0, 0];
        visible.forEach((i, j, k) => {
          const p = phantom.volume.indexToPatient([i, j, k]);
          for (let a = 0; a < 3; a++) acc[a] += p[a];
        });
        const ours = [-acc[0] / got.count, -acc[1] / got.count, acc[2] / got.count];
        for (let a = 0; a < 3; a++) assert.ok(Math.abs(got.centroid[a] - ours[a]) < 1e-3, `${s.name} centroid ${got.centroid} vs ${ours}`);
      }
      // And the GTV sits where the analytic sphere is (RAS of its centre), to within a voxel.
      const c = phantom.anatomy.gtvCenter;
      const gtvCentroid = labels.info.labels[String(phantom.structures.indexOf(gtv) + 1)].centroid;
      assert.ok(Math.hypot(gtvCentroid[0] + c[0], gtvCentroid[1] + c[1], gtvCentroid[2] - c[2]) < 5);
    });

    it(`reads the ${name} file back through itk-wasm onto the same grid`, async () => {
      const back = await readVolumeNifti(join(scratch, `${name}.nii.gz`));
      assert.deepEqual(back.dimensions, phantom.volume.dimensions);
      for (let a = 0; a < 3; a++) {
        assert.ok(Math.abs(back.spacing[a] - phantom.volume.spacing[a]) < 1e-5);
        assert.ok(Math.abs(back.origin[a] - phantom.volume.origin[a]) < 1e-4);
      }
      for (let n = 0; n < 9; n++) assert.ok(Math.abs(back.direction[n] - phantom.volume.direction[n]) < 1e-6, `direction[${n}]`);
      assert.deepEqual(back.data, phantom.volume.data);
    });
  }

  it('refuses a path that is not NIfTI and a mask on another grid', async () => {
    const phantom = cases[0][1];
    await assert.rejects(writeVolumeNifti(phantom.volume, join(scratch, 'ct.nrrd')), RangeError);
    const other = new BinaryMask([2, 2, 2]);
    await assert.rejects(writeMaskNifti(other, { dimensions: [3, 3, 3], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY }, join(scratch, 'm.nii')), RangeError);
  });
});
