import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GridTransform, IDENTITY, rotation, type ImageGeometry, type Vec3 } from './geometry.ts';
import { BinaryMask } from './mask.ts';
import { Volume } from './volume.ts';
import { computeDvh, cumulativeDvh, doseToVolumeCc, doseToVolumePercent, dvhMetrics, volumeAtLeastCc, volumeAtLeastPercent } from './dvh.ts';

const ct: ImageGeometry = { dimensions: [40, 40, 20], spacing: [2, 2, 3], origin: [-40, -40, -30], direction: IDENTITY };

/** A dose grid filled with f(patient position). */
function doseGrid(g: ImageGeometry, f: (p: Vec3) => number): Volume {
  const t = new GridTransform(g);
  const [nx, ny, nz] = g.dimensions;
  const data = new Float32Array(nx * ny * nz);
  for (let k = 0, o = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, o++) data[o] = f(t.toPatient([i, j, k]));
  return new Volume({ ...g, data, modality: 'RTDOSE' });
}

const box = (i0: number, i1: number, j0: number, j1: number, k0: number, k1: number) =>
  BinaryMask.fromPredicate(ct.dimensions, (i, j, k) => i >= i0 && i < i1 && j >= j0 && j < j1 && k >= k0 && k < k1);

/** Reference: the dose at every voxel centre of the mask by the analytic field, sorted high to low. */
function referenceDoses(mask: BinaryMask, f: (p: Vec3) => number): number[] {
  const t = new GridTransform(ct);
  const out: number[] = [];
  mask.forEach((i, j, k) => out.push(f(t.toPatient([i, j, k]))));
  return out.sort((a, b) => b - a);
}

describe('DVH', () => {
  it('gives the prescription everywhere for a uniform dose, and the structure volume in cc', () => {
    const mask = box(5, 25, 5, 25, 2, 12); // 20 × 20 × 10 voxels of 12 mm³ = 48 cc
    const dvh = computeDvh(mask, ct, doseGrid(ct, () => 60));
    const m = dvhMetrics(dvh);
    assert.equal(m.volumeCc, 48);
    for (const v of [m.minGy, m.meanGy, m.maxGy, m.d98Gy, m.d2Gy, m.d0_1ccGy]) assert.ok(Math.abs(v - 60) < 1e-3, String(v));
    assert.equal(volumeAtLeastPercent(dvh, 59.9), 100);
    assert.equal(volumeAtLeastCc(dvh, 60.01), 0);
    assert.equal(dvh.uncoveredCc, 0);
  });

  it('matches voxel-centre sampling on a linear field, through a coarser, shifted and rotated dose grid (trilinear is exact for it)', () => {
    const f = (p: Vec3) => 30 + 0.4 * p[0] - 0.2 * p[1] + 0.3 * p[2];
    const doseGeometry: ImageGeometry = { dimensions: [30, 30, 20], spacing: [3.3, 3.1, 4.2], origin: [-52, -49, -43], direction: rotation([0.2, 0.3, 1], 12) };
    const mask = box(4, 30, 6, 28, 3, 15);
    const dvh = computeDvh(mask, ct, doseGrid(doseGeometry, f));
    const ref = referenceDoses(mask, f);
    const m = dvhMetrics(dvh);
    const mean = ref.reduce((a, b) => a + b, 0) / ref.length;
    assert.ok(Math.abs(m.meanGy - mean) < 1e-3, `mean ${m.meanGy} vs ${mean}`);
    assert.ok(Math.abs(m.maxGy - ref[0]!) < 1e-3 && Math.abs(m.minGy - ref.at(-1)!) < 1e-3);
    // Dx: the dose received by at least x % of the volume = the sample at rank ceil(x % · n) from the top.
    for (const x of [98, 95, 50, 2]) {
      const expected = ref[Math.ceil((x / 100) * ref.length) - 1]!;
      assert.ok(Math.abs(doseToVolumePercent(dvh, x) - expected) <= 0.0011, `D${x}: ${doseToVolumePercent(dvh, x)} vs ${expected}`);
    }
    const perVoxel = 0.012;
    assert.ok(Math.abs(doseToVolumeCc(dvh, 2) - ref[Math.ceil(2 / perVoxel) - 1]!) <= 0.0011, 'D2cc');
    // A threshold between sample values (many voxels sit exactly on 30 Gy, which float32 dose may put either side).
    const v30 = ref.filter((d) => d >= 30.0005).length * perVoxel;
    assert.ok(Math.abs(volumeAtLeastCc(dvh, 30.0005) - v30) < perVoxel + 1e-9, `V30 ${volumeAtLeastCc(dvh, 30.0005)} vs ${v30}`);
  });

  it('reports the part of a structure the dose grid does not cover, at 0 Gy', () => {
    const half: ImageGeometry = { dimensions: [20, 40, 20], spacing: [2, 2, 3], origin: [0, -40, -30], direction: IDENTITY }; // x ≥ −1 mm only
    const mask = box(10, 30, 10, 30, 5, 15); // x from −20 to 18 mm
    const dvh = computeDvh(mask, ct, doseGrid(half, () => 50));
    assert.ok(Math.abs(dvh.uncoveredCc - 0.012 * 10 * 20 * 10) < 1e-9, String(dvh.uncoveredCc));
    assert.equal(dvh.minGy, 0);
    assert.ok(Math.abs(volumeAtLeastPercent(dvh, 49) - 50) < 1e-9);
  });

  it('samples a small structure at sub-voxel points: a steep gradient is resolved inside its voxels', () => {
    const f = (p: Vec3) => 10 * p[0];
    const tiny = box(20, 22, 20, 22, 10, 12); // 8 voxels, 0.1 cc; centres at x = 0 and 2 mm
    const dvh = computeDvh(tiny, ct, doseGrid(ct, f));
    assert.equal(dvh.subvoxels, 3);
    // Centre sampling would give a maximum of 20 Gy; the sub-voxel points reach x = 2 + 2/3 mm.
    assert.ok(Math.abs(dvh.maxGy - (20 + 20 / 3)) < 1e-3, String(dvh.maxGy));
    assert.ok(Math.abs(dvh.meanGy - 10) < 1e-3, 'the mean of a linear field is unchanged');
    assert.equal(computeDvh(tiny, ct, doseGrid(ct, f), { smallStructureCc: 0 }).subvoxels, 1);
  });

  it('draws a cumulative curve from 100 % at 0 Gy down to the maximum', () => {
    const f = (p: Vec3) => 30 + 0.5 * p[0];
    const dvh = computeDvh(box(0, 40, 0, 40, 0, 20), ct, doseGrid(ct, f));
    const { doseGy, volumePercent } = cumulativeDvh(dvh, 0.5);
    assert.equal(volumePercent[0], 100);
    for (let p = 1; p < volumePercent.length; p++) assert.ok(volumePercent[p]! <= volumePercent[p - 1]!);
    assert.ok(doseGy.at(-1)! >= dvh.maxGy - 0.5);
    assert.ok(Math.abs(volumePercent[Math.round(30 / 0.5)]! - volumeAtLeastPercent(dvh, 30)) < 1e-3);
  });

  it('gives the same DVH on the fast path for parallel grids as through the general affine', () => {
    const f = (p: Vec3) => 40 + 20 * Math.sin(p[0] / 9) * Math.cos(p[1] / 7) + p[2] / 5;
    const parallel: ImageGeometry = { dimensions: [25, 25, 12], spacing: [3.5, 3.2, 4], origin: [-45, -41, -33], direction: IDENTITY };
    const tilted: ImageGeometry = { ...parallel, direction: rotation([0, 0, 1], 1e-6) };
    const mask = box(2, 38, 3, 37, 1, 19);
    const fast = dvhMetrics(computeDvh(mask, ct, doseGrid(parallel, f)));
    const general = dvhMetrics(computeDvh(mask, ct, doseGrid(tilted, f)));
    for (const k of Object.keys(fast) as (keyof typeof fast)[]) assert.ok(Math.abs(fast[k] - general[k]) < 2e-3, `${k}: ${fast[k]} vs ${general[k]}`);
  });
});
