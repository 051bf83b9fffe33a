import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { generatePhantom } from '../phantom/phantom.ts';
import { assertOverlap, jacobianStats, NoOverlapError, registrationQuality, resampleReference, sampleReferenceOnSlice } from './fusion.ts';
import { eulerMatrix, IDENTITY4, type RegistrationTransform } from './transform.ts';

const phantom = generatePhantom({ dimensions: [64, 64, 24], spacing: [6, 6, 10], seed: 3 });
const reference = phantom.volume;
const centre = reference.indexToPatient([31.5, 31.5, 11.5]);
// The new CT: the reference seen through a known rigid transform (new point p shows reference point T(p)).
const known: RegistrationTransform = { mode: 'rigid', rigid: eulerMatrix([0.02, -0.01, 0.05], [9, -6, 5], centre) };
const fresh = resampleReference(reference, reference.geometry, known);

test('the reference on a slice through a rigid transform equals the point-by-point mapping (a zero deformation)', () => {
  const zero: RegistrationTransform = {
    ...known,
    deformation: { dimensions: [8, 8, 4], spacing: [60, 60, 80], origin: reference.origin, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Float32Array(8 * 8 * 4 * 3) },
  };
  for (const plane of [{ axis: 2, index: 10 }, { axis: 0, index: 30 }, { axis: 1, index: 5 }] as const) {
    const fast = sampleReferenceOnSlice(reference, reference.geometry, known, plane);
    const slow = sampleReferenceOnSlice(reference, reference.geometry, zero, plane);
    assert.equal(fast.values.length, slow.values.length);
    let nan = 0;
    for (let n = 0; n < fast.values.length; n++) {
      if (Number.isNaN(slow.values[n])) {
        assert.ok(Number.isNaN(fast.values[n]), `pixel ${n} of ${JSON.stringify(plane)}: off the grid one way only`);
        nan++;
      } else assert.ok(Math.abs(fast.values[n] - slow.values[n]) < 1e-3, `pixel ${n}: ${fast.values[n]} vs ${slow.values[n]}`);
    }
    assert.ok(nan > 0 && nan < fast.values.length, 'part of the plane maps off the reference grid');
  }
});

test('registration quality: the true transform leaves a far smaller HU difference than the identity; overlap is complete', () => {
  const q = registrationQuality(fresh, reference, known, 6);
  assert.ok(q.bodySamples > 1000);
  assert.ok(q.meanAbsHuAfter < 0.3 * q.meanAbsHuBefore, `after ${q.meanAbsHuAfter.toFixed(1)} HU vs before ${q.meanAbsHuBefore.toFixed(1)} HU`);
  assert.ok(q.meanAbsHuAfter < 40, `after ${q.meanAbsHuAfter.toFixed(1)} HU`);
  assert.ok(q.overlapFraction > 0.95, `overlap ${q.overlapFraction}`);
  assert.equal(q.jacobian, null, 'a rigid transform has no Jacobian to report');
  assertOverlap(q);
});

test('a transform that carries the new CT off the reference is refused as no overlap, naming the fraction', () => {
  const away: RegistrationTransform = { mode: 'rigid', rigid: eulerMatrix([0, 0, 0], [0, 0, 900], [0, 0, 0]) };
  const q = registrationQuality(fresh, reference, away, 6);
  assert.equal(q.overlapFraction, 0);
  assert.ok(q.meanAbsHuAfter > q.meanAbsHuBefore);
  assert.throws(() => assertOverlap(q, 'planning CT'), (e: unknown) => e instanceof NoOverlapError && e.code === 'no-overlap' && /only 0 %/.test(e.message) && e.file === 'planning CT');
});

test('Jacobian: 1 everywhere for a zero field, and a folding region is counted', () => {
  const dims = [10, 10, 10] as const;
  const field = { dimensions: dims, spacing: [2, 2, 2] as const, origin: [0, 0, 0] as const, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Float32Array(1000 * 3) };
  const flat = jacobianStats({ mode: 'deformable', rigid: eulerMatrix([0, 0, 0.3], [1, 2, 3], [5, 5, 5]), deformation: field });
  assert.ok(flat && Math.abs(flat.min - 1) < 1e-9 && Math.abs(flat.max - 1) < 1e-9 && flat.foldingVoxels === 0, JSON.stringify(flat));
  // d_x = −3 x (mm) in the middle slab i = 3..6: ∂(x + d_x)/∂x = −2 there, the transform turns space inside out.
  const folded = new Float32Array(1000 * 3);
  for (let k = 0; k < 10; k++) for (let j = 0; j < 10; j++) for (let i = 3; i <= 6; i++) folded[3 * (i + 10 * (j + 10 * k))] = -3 * (2 * i - 9);
  const stats = jacobianStats({ mode: 'deformable', rigid: IDENTITY4, deformation: { ...field, data: folded } })!;
  assert.ok(stats.min < 0, `min ${stats.min}`);
  assert.ok(stats.foldingVoxels >= 2 * 100 && stats.foldingVoxels <= 4 * 100, `folding ${stats.foldingVoxels}`);
  assert.equal(stats.voxels, 1000);
});
