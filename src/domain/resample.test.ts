import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IDENTITY, GridTransform, mulMat3, rotation, type ImageGeometry, type Vec3, voxelCount } from './geometry.ts';
import { Volume, applyRescale, toStoredValues } from './volume.ts';
import { insideGrid, resampleVolume, resampleMask, valueAtPoint, withSpacing } from './resample.ts';
import { BinaryMask } from './mask.ts';

/** A volume whose voxel values are an affine function of the patient position. */
function linearVolume(g: ImageGeometry, f: (p: Vec3) => number): Volume {
  const t = new GridTransform(g);
  const data = new Float32Array(voxelCount(g));
  const [nx, ny, nz] = g.dimensions;
  for (let k = 0, o = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, o++) data[o] = f(t.toPatient([i, j, k]));
  return new Volume({ ...g, data, modality: 'MR' });
}

const f = (p: Vec3) => 0.5 * p[0] - 0.25 * p[1] + 2 * p[2] + 10;

describe('resampling', () => {
  it('trilinear reproduces an affine intensity exactly on an oblique target grid', () => {
    const src: ImageGeometry = { dimensions: [40, 40, 30], spacing: [1.5, 1.5, 2], origin: [-30, -30, -30], direction: IDENTITY };
    const v = linearVolume(src, f);
    // Oblique target well inside the source so that every sample is interior.
    const target: ImageGeometry = { dimensions: [20, 20, 15], spacing: [1.1, 1.3, 1.7], origin: [-8, -9, -10], direction: mulMat3(rotation([0, 0, 1], 30), rotation([1, 0, 0], 20)) };
    const r = resampleVolume(v, target, { interpolation: 'linear' });
    const t = new GridTransform(target);
    let worst = 0;
    for (let k = 0, o = 0; k < 15; k++) for (let j = 0; j < 20; j++) for (let i = 0; i < 20; i++, o++) {
      worst = Math.max(worst, Math.abs(r.data[o] - f(t.toPatient([i, j, k]))));
    }
    assert.ok(worst < 1e-3, `worst error ${worst}`);
  });

  it('nearest-neighbour picks the voxel whose centre is closest', () => {
    const src: ImageGeometry = { dimensions: [4, 3, 2], spacing: [2, 2, 2], origin: [0, 0, 0], direction: IDENTITY };
    const data = Int16Array.from({ length: 24 }, (_, n) => n * 10);
    const v = new Volume({ ...src, data });
    const fine = withSpacing(src, [1, 1, 1]);
    assert.deepEqual([...fine.dimensions], [8, 6, 4]);
    assert.deepEqual([...fine.origin], [-0.5, -0.5, -0.5]);
    const r = resampleVolume(v, fine, { interpolation: 'nearest' });
    assert.ok(r.data instanceof Int16Array, 'nearest keeps the storage type');
    const t = new GridTransform(fine);
    for (let k = 0, o = 0; k < 4; k++) for (let j = 0; j < 6; j++) for (let i = 0; i < 8; i++, o++) {
      const p = t.toPatient([i, j, k]);
      // Source voxel centres at 0, 2, 4…; fine centres at −0.5, 0.5, 1.5…: floor((p + 1) / 2) is the nearest.
      const si = Math.floor((p[0] + 1) / 2);
      const sj = Math.floor((p[1] + 1) / 2);
      const sk = Math.floor((p[2] + 1) / 2);
      assert.equal(r.data[o], data[si + 4 * (sj + 3 * sk)]);
    }
  });

  it('fills target voxels outside the source with air for CT', () => {
    const src: ImageGeometry = { dimensions: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY };
    const v = new Volume({ ...src, data: new Int16Array(64).fill(40) });
    const r = resampleVolume(v, { ...src, origin: [10, 0, 0] });
    assert.ok(r.data.every((x) => x === -1024));
  });

  it('identity resampling leaves the data unchanged', () => {
    const src: ImageGeometry = { dimensions: [7, 6, 5], spacing: [0.7, 0.9, 2.5], origin: [1, 2, 3], direction: rotation([1, 1, 0], 40) };
    const v = linearVolume(src, f);
    const r = resampleVolume(v, src, { interpolation: 'linear' });
    r.data.forEach((x, n) => assert.ok(Math.abs(x - v.data[n]) < 1e-3));
  });

  it('resamples a sphere mask between anisotropic and rotated grids keeping its volume', () => {
    const src: ImageGeometry = { dimensions: [60, 60, 30], spacing: [1, 1, 2.5], origin: [-30, -30, -37.5], direction: IDENTITY };
    const t = new GridTransform(src);
    const R = 20;
    const m = BinaryMask.fromPredicate(src.dimensions, (i, j, k) => {
      const p = t.toPatient([i, j, k]);
      return p[0] ** 2 + p[1] ** 2 + p[2] ** 2 <= R * R;
    });
    const analytic = (4 / 3) * Math.PI * R ** 3;
    const target: ImageGeometry = { dimensions: [70, 70, 70], spacing: [0.8, 0.8, 0.8], origin: [-27.6, -27.6, -27.6], direction: IDENTITY };
    // The same grid rotated about the sphere's centre: origin = −D·diag(s)·(n−1)/2.
    const direction = rotation([1, 2, 3], 33);
    const half: Vec3 = [(70 - 1) / 2, (70 - 1) / 2, (70 - 1) / 2];
    const off = new GridTransform({ ...target, direction, origin: [0, 0, 0] }).toPatient(half);
    const centred: ImageGeometry = { ...target, direction, origin: [-off[0], -off[1], -off[2]] };
    for (const g of [target, centred]) {
      const r = resampleMask(m, src, g);
      const cc = r.count() * 0.8 ** 3;
      assert.ok(Math.abs(cc - analytic) / analytic < 0.03, `resampled sphere ${cc.toFixed(0)} mm³ vs ${analytic.toFixed(0)} mm³`);
    }
  });
});

describe('the value at a patient point', () => {
  // An oblique, offset grid whose direction is a reflection (k against the slice normal): the point is mapped
  // through the whole affine, not through origin and spacing alone.
  const R = mulMat3(rotation([1, 2, 3], 27), [1, 0, 0, 0, 1, 0, 0, 0, -1]);
  const g: ImageGeometry = { dimensions: [20, 16, 12], spacing: [2.5, 3, 4], origin: [-183.2, 41.7, -512.5], direction: R };
  const dose = linearVolume(g, f);
  const t = new GridTransform(g);

  it('interpolates a linear field exactly anywhere between the voxel centres of an oblique grid', () => {
    let worst = 0;
    for (let n = 0; n < 500; n++) {
      // Deterministic points spread through the grid, between centres on every axis.
      const index: Vec3 = [((n * 0.618) % 1) * 19, ((n * 0.414) % 1) * 15, ((n * 0.732) % 1) * 11];
      const p = t.toPatient(index);
      const got = valueAtPoint(dose, p);
      assert.notEqual(got, null, `no value at index ${index.join(', ')}`);
      worst = Math.max(worst, Math.abs(got! - f(p)));
    }
    assert.ok(worst < 1e-3, `worst error ${worst}`);
  });

  it('blends the eight surrounding voxels, not the nearest one', () => {
    const box: ImageGeometry = { dimensions: [2, 2, 2], spacing: [5, 5, 5], origin: [10, 20, 30], direction: IDENTITY };
    const v = new Volume({ ...box, data: Float32Array.from([0, 8, 0, 0, 0, 0, 0, 0]), modality: 'RTDOSE' });
    // A quarter of the way from voxel (0,0,0) to (1,0,0), centred in j and k: 8 × ¼ × ½ × ½.
    const blended = valueAtPoint(v, [11.25, 22.5, 32.5]);
    assert.ok(blended !== null && Math.abs(blended - 0.5) < 1e-9, `blended ${blended}`);
    assert.equal(valueAtPoint(v, [15, 20, 30]), 8);
  });

  it('is null off the grid, and holds the edge voxels within half a voxel of them', () => {
    // Up to half a voxel beyond the last centre along i is still the grid (the edge voxel's value); further is not.
    const edge = valueAtPoint(dose, t.toPatient([19.45, 7, 5]));
    assert.ok(edge !== null && Math.abs(edge - f(t.toPatient([19, 7, 5]))) < 1e-3, `edge value ${edge}`);
    assert.equal(valueAtPoint(dose, t.toPatient([19.51, 7, 5])), null);
    assert.equal(valueAtPoint(dose, t.toPatient([3, -0.6, 5])), null);
    assert.equal(valueAtPoint(dose, t.toPatient([3, 7, 11.6])), null);
    // The grid's own origin shifted along the patient axes is somewhere else entirely on an oblique grid.
    assert.equal(valueAtPoint(dose, [0, 0, 0]), null);
    assert.equal(insideGrid(g.dimensions, -0.5, -0.5, -0.5), true);
    assert.equal(insideGrid(g.dimensions, 19.5, 15.5, 11.5), true);
    assert.equal(insideGrid(g.dimensions, 19.5, 15.5, 11.51), false);
  });
});

describe('HU rescale', () => {
  it('keeps int16 for the usual integer CT rescale and converts exactly', () => {
    const hu = applyRescale(Uint16Array.from([0, 1024, 4095]), { slope: 1, intercept: -1024 });
    assert.ok(hu instanceof Int16Array);
    assert.deepEqual([...hu], [-1024, 0, 3071]);
  });

  it('uses float32 for fractional slopes', () => {
    const hu = applyRescale(Int16Array.from([0, 3, -5]), { slope: 0.5, intercept: -1000 });
    assert.ok(hu instanceof Float32Array);
    assert.deepEqual([...hu], [-1000, -998.5, -1002.5]);
  });

  it('rejects a zero or non-finite slope', () => {
    assert.throws(() => applyRescale([1], { slope: 0, intercept: 0 }), RangeError);
    assert.throws(() => applyRescale([1], { slope: NaN, intercept: 0 }), RangeError);
  });

  it('chooses stored values that rescale back to the modality values', () => {
    for (const values of [[-1024, 0, 40, 3071], [-2048, 5000], [-0.5, 1.25, 300.75]]) {
      const { stored, rescale } = toStoredValues(values);
      values.forEach((v, n) => assert.ok(Math.abs(stored[n] * rescale.slope + rescale.intercept - v) <= rescale.slope / 2 + 1e-9));
    }
  });
});
