import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GridTransform, IDENTITY, rotation, type ImageGeometry, type Vec3 } from '../geometry.ts';
import { BinaryMask } from '../mask.ts';
import { expandMask, shrinkMask, structuringElement, uniformMargins, voxelMeasure, MarginError, type Margins } from './margin.ts';

/** A sphere of radius r mm around patient point c, voxelised by voxel centres. */
function sphereMask(g: ImageGeometry, c: Vec3, r: number): BinaryMask {
  const t = new GridTransform(g);
  return BinaryMask.fromPredicate(g.dimensions, (i, j, k) => {
    const p = t.toPatient([i, j, k]);
    return (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2 <= r * r;
  });
}

/**
 * Definition-level dilation for small grids: p is inside when some voxel q of the mask has
 * voxelMeasure(p − q) ≤ 1 (memoised per offset; checks the run-based machinery and the element's rows).
 */
function bruteExpand(mask: BinaryMask, g: ImageGeometry, m: Margins): BinaryMask {
  const lin = new GridTransform(g).linear;
  const memo = new Map<string, boolean>();
  const inElement = (v: Vec3) => {
    const key = v.join(',');
    let r = memo.get(key);
    if (r === undefined) memo.set(key, (r = voxelMeasure(v, lin, m) <= 1 + 1e-9));
    return r;
  };
  const pts: Vec3[] = [];
  mask.forEach((i, j, k) => pts.push([i, j, k]));
  return BinaryMask.fromPredicate(g.dimensions, (i, j, k) => pts.some((q) => inElement([i - q[0], j - q[1], k - q[2]])));
}

/**
 * The mask is the voxelisation of a sphere of radius `radius` around `centre` on `aniso` to within half a
 * voxel: wherever it differs from the exact voxelisation, the voxel centre lies within half the voxel's
 * extent along the radial direction of the sphere's surface.
 */
function assertSphereWithinHalfVoxel(mask: BinaryMask, radius: number): void {
  const t = new GridTransform(aniso);
  const h = aniso.spacing;
  let differing = 0;
  for (let k = 0; k < aniso.dimensions[2]; k++) for (let j = 0; j < aniso.dimensions[1]; j++) for (let i = 0; i < aniso.dimensions[0]; i++) {
    const p = t.toPatient([i, j, k]);
    const d: Vec3 = [p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]];
    const dist = Math.hypot(...d);
    if (mask.get(i, j, k) === dist <= radius) continue;
    differing++;
    const half = (Math.abs(d[0]) * h[0] + Math.abs(d[1]) * h[1] + Math.abs(d[2]) * h[2]) / (2 * dist);
    assert.ok(Math.abs(dist - radius) <= half + 1e-9, `voxel (${i},${j},${k}) at ${dist.toFixed(3)} mm differs from a ${radius} mm sphere by more than half a voxel (${half.toFixed(3)} mm)`);
  }
  // No systematic bias: the sphere of equal volume has the analytic radius to within a quarter voxel in-plane.
  const cc = mask.count() * h[0] * h[1] * h[2];
  const equivalentRadius = Math.cbrt((3 * cc) / (4 * Math.PI));
  assert.ok(Math.abs(equivalentRadius - radius) <= h[0] / 4, `equal-volume radius ${equivalentRadius.toFixed(3)} mm vs ${radius} mm (${differing} voxels differ)`);
}

const aniso: ImageGeometry = { dimensions: [96, 96, 40], spacing: [0.98, 0.98, 2.5], origin: [-47, -47, -50], direction: IDENTITY };
const centre: Vec3 = [0.3, -0.2, 0.4];

describe('margins', () => {
  it('matches the definition voxel for voxel on random shapes, anisotropic and oblique grids', () => {
    const grids: ImageGeometry[] = [
      { dimensions: [14, 12, 9], spacing: [1, 1.5, 3], origin: [0, 0, 0], direction: IDENTITY },
      { dimensions: [12, 12, 10], spacing: [1.2, 0.8, 2], origin: [0, 0, 0], direction: rotation([1, 2, 0.5], 27) },
    ];
    const margins: Margins[] = [uniformMargins(3), { right: 2, left: 4, anterior: 0, posterior: 3, superior: 6, inferior: 1 }];
    let s = 99;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const g of grids) {
      const m = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => i > 3 && i < 9 && j > 2 && j < 9 && k > 2 && k < 7 && rnd() < 0.35);
      for (const mg of margins) {
        assert.ok(expandMask(m, g, mg).equals(bruteExpand(m, g, mg)), `expand ${JSON.stringify(mg)}`);
        // Shrinking is the dual: the complement of expanding the complement by the mirrored margin.
        const comp = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => !m.get(i, j, k));
        const mirrored: Margins = { right: mg.left, left: mg.right, anterior: mg.posterior, posterior: mg.anterior, superior: mg.inferior, inferior: mg.superior };
        const viaDual = bruteExpand(comp, g, mirrored);
        const expected = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => !viaDual.get(i, j, k));
        // Beyond the grid counts as outside: the brute-force dual only sees the grid, so compare away from edges.
        const got = shrinkMask(m, g, mg);
        got.forEach((i, j, k) => assert.ok(expected.get(i, j, k), `shrink kept (${i},${j},${k})`));
        assert.ok(got.count() <= expected.count());
      }
    }
  });

  it('PTV = CTV + r: a sphere of radius R becomes R + r within half a voxel (anisotropic voxels)', () => {
    const R = 15;
    const ctv = sphereMask(aniso, centre, R);
    for (const r of [5, 10]) {
      const ptv = expandMask(ctv, aniso, uniformMargins(r));
      assertSphereWithinHalfVoxel(ptv, R + r);
    }
  });

  it('a shrunk sphere of radius R is R − r within half a voxel', () => {
    const m = sphereMask(aniso, centre, 18);
    assertSphereWithinHalfVoxel(shrinkMask(m, aniso, uniformMargins(6)), 12);
  });

  it('per-direction margins add the voxel layers whose centres lie within the margin, to a quarter voxel, (5 mm, 7 mm sup/inf, 0 mm anterior)', () => {
    // A cuboid CTV aligned with voxel boundaries is represented exactly. The n-th voxel layer beyond a face
    // has its centre n·h from the outermost centres; it belongs to the PTV when n·h − h/4 ≤ margin (the
    // widened voxel), so no centre lies more than a quarter voxel from the analytic face on the wrong side.
    const box = { i: [40, 55], j: [38, 60], k: [15, 24] };
    const ctv = BinaryMask.fromPredicate(aniso.dimensions, (i, j, k) => i >= box.i[0] && i <= box.i[1] && j >= box.j[0] && j <= box.j[1] && k >= box.k[0] && k <= box.k[1]);
    const m: Margins = { right: 5, left: 3.3, anterior: 0, posterior: 4.9, superior: 7, inferior: 2.4 };
    const ptv = expandMask(ctv, aniso, m);
    const layers = (mm: number, h: number) => Math.floor(mm / h + 0.25);
    const b = ptv.bounds();
    assert.ok(b);
    // LPS: right = −i, anterior = −j, inferior = −k on this identity-direction grid.
    assert.equal(box.i[0] - b.min[0], layers(m.right, 0.98));
    assert.equal(b.max[0] - box.i[1], layers(m.left, 0.98));
    assert.equal(box.j[0] - b.min[1], layers(m.anterior, 0.98));
    assert.equal(b.max[1] - box.j[1], layers(m.posterior, 0.98));
    assert.equal(box.k[0] - b.min[2], layers(m.inferior, 2.5));
    assert.equal(b.max[2] - box.k[1], layers(m.superior, 2.5));
    // Face centres are covered; the rounded corners follow the ellipsoid, so corners are not.
    assert.ok(ptv.get(b.min[0], 49, 20) && ptv.get(b.max[0], 49, 20) && ptv.get(47, b.max[1], 20) && ptv.get(47, 49, b.max[2]));
    assert.ok(!ptv.get(b.min[0], b.max[1], b.max[2]));
  });

  it('applies patient-direction margins on a flipped (feet-first, NIfTI-like) grid', () => {
    // Same cuboid, but i runs right←left… flipped: direction diag(−1, −1, −1). Superior is now −k.
    const g: ImageGeometry = { ...aniso, direction: [-1, 0, 0, 0, -1, 0, 0, 0, -1] };
    const ctv = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => i >= 40 && i <= 55 && j >= 38 && j <= 60 && k >= 15 && k <= 24);
    const ptv = expandMask(ctv, g, { right: 0, left: 5, anterior: 0, posterior: 0, superior: 7.5, inferior: 0 });
    const b = ptv.bounds();
    assert.ok(b);
    assert.deepEqual([b.min[0], b.max[0], b.min[1], b.max[1], b.min[2], b.max[2]], [40 - 5, 55, 38, 60, 15 - 3, 24]);
    // left = +x = −i here: 5 mm = 5.1 voxels → 5 layers towards low i; superior = −k: 7.5 mm = 3 slices.
  });

  it('treats beyond the image as outside when shrinking, and clips expansion to the grid', () => {
    const g: ImageGeometry = { dimensions: [20, 20, 10], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY };
    const full = new BinaryMask(g.dimensions);
    full.fill(true);
    const s = shrinkMask(full, g, uniformMargins(2));
    assert.equal(s.count(), 16 * 16 * 6);
    assert.equal(expandMask(full, g, uniformMargins(3)).count(), 20 * 20 * 10);
  });

  it('zero margin is the identity, and an empty structure stays empty', () => {
    const m = sphereMask(aniso, centre, 10);
    assert.ok(expandMask(m, aniso, uniformMargins(0)).equals(m));
    assert.ok(shrinkMask(m, aniso, uniformMargins(0)).equals(m));
    assert.equal(expandMask(new BinaryMask(aniso.dimensions), aniso, uniformMargins(5)).count(), 0);
  });

  it('rejects negative, non-finite and larger-than-image margins with a clear error', () => {
    const m = sphereMask(aniso, centre, 10);
    assert.throws(() => expandMask(m, aniso, uniformMargins(-1)), MarginError);
    assert.throws(() => expandMask(m, aniso, uniformMargins(NaN)), MarginError);
    assert.throws(() => expandMask(m, aniso, uniformMargins(1000)), /larger than the image/);
    assert.throws(() => structuringElement(aniso, { ...uniformMargins(1), left: -2 }), MarginError);
  });
});
