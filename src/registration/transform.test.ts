import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { BinaryMask } from '../domain/mask.ts';
import { warpMaskRigid } from './propagate.ts';
import { applyMat4, eulerMatrix, invertAffine, mulMat4, rotationAngleDeg } from './transform.ts';

test('an Euler transform turns about its centre and moves by its translation; its inverse undoes it', () => {
  const c = [10, -20, 30] as const;
  const m = eulerMatrix([0, 0, Math.PI / 2], [1, 2, 3], c);
  // A point one mm along +x from the centre turns to +y (a right-handed quarter turn about z), then moves.
  const p = applyMat4(m, [11, -20, 30]);
  [10 + 1, -20 + 1 + 2, 30 + 3].forEach((v, a) => assert.ok(Math.abs(p[a] - v) < 1e-9, `axis ${a}: ${p[a]} vs ${v}`));
  assert.ok(Math.abs(rotationAngleDeg(m) - 90) < 1e-9);
  const back = applyMat4(mulMat4(invertAffine(m), m), [3, 4, 5]);
  [3, 4, 5].forEach((v, a) => assert.ok(Math.abs(back[a] - v) < 1e-9));
});

test('a mask carried through a translation of exactly two voxels lands two voxels over, same volume', () => {
  const grid = { dimensions: [20, 20, 10] as const, spacing: [2, 2, 3] as const, origin: [0, 0, 0] as const, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as const };
  const mask = BinaryMask.fromPredicate(grid.dimensions, (i, j, k) => i >= 5 && i <= 9 && j >= 6 && j <= 8 && k >= 3 && k <= 5);
  // New-CT point p shows the reference point p + (4, 0, 0) mm: the structure appears 2 voxels lower in i.
  const moved = warpMaskRigid(mask, grid, grid, eulerMatrix([0, 0, 0], [4, 0, 0], [0, 0, 0]));
  assert.equal(moved.count(), mask.count());
  assert.deepEqual(moved.bounds(), { min: [3, 6, 3], max: [7, 8, 5] });
});
