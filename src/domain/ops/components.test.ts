import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IDENTITY, type ImageGeometry, type Vec3 } from '../geometry.ts';
import { BinaryMask } from '../mask.ts';
import { fillHoles, islands, labelComponents, removeIslands } from './components.ts';
import { smoothMask } from './smooth.ts';
import { shrinkMask, uniformMargins } from './margin.ts';

const g: ImageGeometry = { dimensions: [40, 40, 20], spacing: [1, 1, 2], origin: [0, 0, 0], direction: IDENTITY };
const ball = (c: Vec3, r: number) => (i: number, j: number, k: number) => (i - c[0]) ** 2 + (j - c[1]) ** 2 + ((k - c[2]) * 2) ** 2 <= r * r;

describe('islands', () => {
  it('labels face-connected components; corner contact joins only with 26-connectivity', () => {
    const size: Vec3 = [3, 3, 2];
    const data = new Uint8Array(18);
    data[0] = 1; // (0,0,0)
    data[4] = 1; // (1,1,0): diagonal in-plane to (0,0,0)
    data[9 + 8] = 1; // (2,2,1): corner-touching (1,1,0)
    assert.equal(labelComponents(data, size, 6).sizes.length - 1, 3);
    assert.equal(labelComponents(data, size, 26).sizes.length - 1, 1);
  });

  it('keeps the largest island, or drops islands below a volume', () => {
    const big = ball([12, 12, 10], 8);
    const mid = ball([30, 30, 10], 4);
    const tiny = (i: number, j: number, k: number) => i === 35 && j === 5 && k === 3;
    const m = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => big(i, j, k) || mid(i, j, k) || tiny(i, j, k));
    const parts = islands(m, g);
    assert.equal(parts.length, 3);
    assert.equal(parts[2].voxels, 1);
    assert.ok(Math.abs(parts[2].volumeCc - 0.002) < 1e-12);
    const largest = removeIslands(m, g);
    assert.ok(largest.equals(BinaryMask.fromPredicate(g.dimensions, big)));
    const dropped = removeIslands(m, g, { minVolumeCc: 0.01 });
    assert.equal(dropped.count(), m.count() - 1);
    assert.throws(() => removeIslands(m, g, { minVolumeCc: -1 }), RangeError);
  });
});

describe('fill holes', () => {
  it('fills an enclosed cavity in 3D and leaves the outside alone', () => {
    const shell = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => ball([20, 20, 10], 9)(i, j, k) && !ball([20, 20, 10], 5)(i, j, k));
    const solid = BinaryMask.fromPredicate(g.dimensions, ball([20, 20, 10], 9));
    assert.ok(fillHoles(shell, '3d').equals(solid));
  });

  it('fills per slice in 2D: a tube closes slice by slice, but 3D filling leaves its open bore', () => {
    const tube = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => {
      const r2 = (i - 20) ** 2 + (j - 20) ** 2;
      return k >= 3 && k <= 15 && r2 <= 64 && r2 > 9;
    });
    const filled2d = fillHoles(tube, '2d');
    assert.equal(filled2d.count(), BinaryMask.fromPredicate(g.dimensions, (i, j, k) => k >= 3 && k <= 15 && (i - 20) ** 2 + (j - 20) ** 2 <= 64).count());
    assert.ok(fillHoles(tube, '3d').equals(tube));
  });
});

describe('smoothing', () => {
  it('gaussian smoothing removes a one-voxel spike and moves a smooth surface by less than σ', () => {
    const base = BinaryMask.fromPredicate(g.dimensions, ball([20, 20, 10], 8));
    const m = base.clone();
    for (let i = 28; i <= 34; i++) m.set(i, 20, 10, true);
    const s = smoothMask(m, g, 'gaussian', 1.5);
    assert.ok(!s.get(31, 20, 10) && !s.get(33, 20, 10), 'spike removed');
    // σ²/R = 2.25/8 ≈ 0.3 mm inwards: the result lies between the ball shrunk by 1.5 mm and the ball.
    assert.ok(s.clone().combine(base, 'subtract').isEmpty(), 'nothing added outside the ball');
    assert.ok(shrinkMask(base, g, uniformMargins(1.5)).combine(s, 'subtract').isEmpty(), 'ball shrunk by σ is kept');
  });

  it('closing bridges a narrow gap, opening cuts a thin bridge', () => {
    const left = ball([12, 20, 10], 6);
    const right = ball([26, 20, 10], 6);
    const twoBalls = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => left(i, j, k) || right(i, j, k));
    const withBridge = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => left(i, j, k) || right(i, j, k) || (j === 20 && k === 10 && i > 12 && i < 26));
    assert.equal(islands(withBridge, g).length, 1);
    assert.equal(islands(smoothMask(withBridge, g, 'opening', 1.5), g).length, 2);
    assert.equal(islands(twoBalls, g).length, 2);
    assert.equal(islands(smoothMask(twoBalls, g, 'closing', 2), g).length, 1);
    assert.throws(() => smoothMask(twoBalls, g, 'closing', 0), RangeError);
  });
});
