import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GridTransform, IDENTITY, type ImageGeometry, type Mat3, type Vec3, mulMat3, rotation, voxelCount } from '../domain/geometry.ts';
import { resampleVolume } from '../domain/resample.ts';
import { Volume } from '../domain/volume.ts';
import { bodyBox, lpsAlignedGeometry, modelGrid, normaliseIntensity, resampleToModelGrid } from './preprocess.ts';
import { resampleArgmax } from './postprocess.ts';

/** A CT whose HU is an affine function of the patient position (trilinear reproduces it exactly). */
function affineCt(g: ImageGeometry, f: (p: Vec3) => number): Volume {
  const t = new GridTransform(g);
  const data = new Float32Array(voxelCount(g));
  const [nx, ny, nz] = g.dimensions;
  for (let k = 0, o = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, o++) data[o] = f(t.toPatient([i, j, k]));
  return new Volume({ ...g, data, modality: 'CT' });
}
const f = (p: Vec3) => 3 * p[0] - 2 * p[1] + 5 * p[2] - 400;

describe('reorientation to LPS', () => {
  it('maps a NIfTI-style flipped grid onto +x, +y, +z covering the same voxels', () => {
    const g: ImageGeometry = { dimensions: [10, 8, 6], spacing: [2, 3, 4], origin: [50, 40, 0], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] };
    const a = lpsAlignedGeometry(g);
    assert.deepEqual([...a.direction], [...IDENTITY]);
    assert.deepEqual([...a.dimensions], [10, 8, 6]);
    assert.deepEqual([...a.origin], [50 - 18, 40 - 21, 0]);
  });
  it('permutes a sagittal stack (i along −y, j along −z, k along +x)', () => {
    const d: Mat3 = [0, -1, 0, 0, 0, -1, 1, 0, 0];
    const g: ImageGeometry = { dimensions: [7, 9, 5], spacing: [1, 2, 3], origin: [0, 0, 0], direction: d };
    const a = lpsAlignedGeometry(g);
    assert.deepEqual([...a.dimensions], [5, 7, 9]);
    assert.deepEqual([...a.spacing], [3, 1, 2]);
    assert.deepEqual([...a.origin], [0, -6, -16]);
    // Every source voxel centre is a voxel centre of the aligned grid.
    const t = new GridTransform(g);
    const u = new GridTransform(a);
    const idx = u.toIndex(t.toPatient([3, 4, 2]));
    for (const x of idx) assert.ok(Math.abs(x - Math.round(x)) < 1e-9);
  });
  it('samples the same patient-space CT whatever the source orientation (trilinear, affine HU exact)', () => {
    const base: ImageGeometry = { dimensions: [30, 28, 20], spacing: [1.5, 1.5, 2.5], origin: [-20, -20, -25], direction: IDENTITY };
    const flipped: ImageGeometry = { dimensions: [30, 28, 20], spacing: [1.5, 1.5, 2.5], origin: [23.5, 20.5, -25], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] };
    const a = resampleToModelGrid(affineCt(base, f), [4, 4, 3]);
    const b = resampleToModelGrid(affineCt(flipped, f), [4, 4, 3]);
    assert.deepEqual([...a.dimensions], [...b.dimensions]);
    assert.deepEqual([...a.direction], [...IDENTITY]);
    const t = new GridTransform(a.geometry);
    const [nx, ny, nz] = a.dimensions;
    let worst = 0;
    for (let k = 1, o = 0; k < nz - 1; k++) for (let j = 1; j < ny - 1; j++) for (let i = 1; i < nx - 1; i++) {
      o = i + nx * (j + ny * k);
      worst = Math.max(worst, Math.abs(a.data[o] - f(t.toPatient([i, j, k]))), Math.abs(b.data[o] - f(t.toPatient([i, j, k]))));
    }
    assert.ok(worst < 1e-2, `worst ${worst} HU`);
  });
  it('covers an oblique grid with an LPS grid at its finest spacing', () => {
    const g: ImageGeometry = { dimensions: [20, 20, 10], spacing: [1, 1, 2], origin: [0, 0, 0], direction: mulMat3(rotation([0, 0, 1], 30), IDENTITY) };
    const a = lpsAlignedGeometry(g);
    assert.deepEqual([...a.direction], [...IDENTITY]);
    assert.deepEqual([...a.spacing], [1, 1, 1]);
    const m = modelGrid(g, [2, 2, 2]);
    assert.ok(m.dimensions.every((n) => n > 0));
  });
  it('follows the training packer: same extent, withSpacing voxel centres', () => {
    // pack_data.py: n' = round(n·s/s'), centre i' at source index (i' + 0.5)·s'/s − 0.5.
    const g: ImageGeometry = { dimensions: [128, 128, 128], spacing: [3.906, 3.906, 2.5], origin: [0, 0, 0], direction: IDENTITY };
    const m = modelGrid(g, [4, 4, 3]);
    assert.deepEqual([...m.dimensions], [125, 125, 107]);
    const idx = new GridTransform(g).toIndex(new GridTransform(m).toPatient([10, 0, 0]));
    assert.ok(Math.abs(idx[0] - ((10 + 0.5) * 4) / 3.906 + 0.5) < 1e-9);
  });
});

describe('normalisation and crop', () => {
  it('clips then standardises', () => {
    const out = normaliseIntensity([-2000, -1000, 0, 250, 3000], { clip: [-1000, 1000], mean: 0, std: 500 });
    assert.deepEqual([...out], [-2, -2, 0, 0.5, 2]);
  });
  it('finds the body box with a margin in mm, clamped to the grid', () => {
    const dims: Vec3 = [10, 10, 5];
    const hu = new Float32Array(500).fill(-1000);
    hu[4 + 10 * (5 + 10 * 2)] = 40; // voxel (4, 5, 2)
    hu[6 + 10 * (6 + 10 * 2)] = 40; // voxel (6, 6, 2)
    const box = bodyBox(hu, { dimensions: dims, spacing: [2, 2, 3] }, -500, 4);
    assert.deepEqual([...box.lo], [2, 3, 0]);
    assert.deepEqual([...box.hi], [9, 9, 5]); // z: 2 + 1 + ceil(4 mm / 3 mm)
    assert.deepEqual([...bodyBox(new Float32Array(500).fill(-1000), { dimensions: dims, spacing: [1, 1, 1] }, -500, 4).hi], [10, 10, 5]);
  });
});

describe('probabilities back to the CT grid', () => {
  it('equals per-class trilinear resampling followed by argmax', () => {
    const src: ImageGeometry = { dimensions: [9, 8, 7], spacing: [4, 4, 3], origin: [-16, -14, -9], direction: IDENTITY };
    const n = 9 * 8 * 7;
    const C = 3;
    const probs = new Float32Array(C * n);
    for (let o = 0; o < n; o++) {
      const a = Math.sin(o * 0.7) + 1;
      const b = Math.cos(o * 0.3) + 1;
      const c = 0.7;
      const s = a + b + c;
      probs[o] = a / s;
      probs[n + o] = b / s;
      probs[2 * n + o] = c / s;
    }
    const target: ImageGeometry = { dimensions: [20, 22, 9], spacing: [1.3, 1.2, 2], origin: [15, 12, -8], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] };
    const got = resampleArgmax(probs, C, src, target);
    const per = [0, 1, 2].map((c) => resampleVolume(new Volume({ ...src, data: probs.slice(c * n, (c + 1) * n), modality: 'PROB' }), target, { interpolation: 'linear', fill: c === 0 ? 1 : 0 }).data);
    let mismatches = 0;
    for (let o = 0; o < got.length; o++) {
      const ref = per[0][o] >= per[1][o] && per[0][o] >= per[2][o] ? 0 : per[1][o] >= per[2][o] ? 1 : 2;
      if (ref !== got[o]) mismatches++;
    }
    assert.equal(mismatches, 0);
  });
});
