import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GridTransform, IDENTITY, type ImageGeometry, type Vec3 } from '../geometry.ts';
import { BinaryMask } from '../mask.ts';
import { cropMaskToBox } from './components.ts';
import { addedPathLength, signedDistanceMm, squaredEdt, surfaceDice, surfaceVoxels } from './surface-distance.ts';

/** A seeded 32-bit generator (mulberry32), so random cases are reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const grid = (dimensions: Vec3, spacing: Vec3): ImageGeometry => ({ dimensions, spacing, origin: [0, 0, 0], direction: IDENTITY });

/** A ball of radius r (mm) about a patient point, voxel centres inside. */
function ball(g: ImageGeometry, c: Vec3, r: number): BinaryMask {
  const t = new GridTransform(g);
  return BinaryMask.fromPredicate(g.dimensions, (i, j, k) => {
    const p = t.toPatient([i, j, k]);
    return (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2 <= r * r;
  });
}

/** Surface Dice by definition, O(n²): every surface voxel against every surface voxel of the other mask. */
function bruteSurfaceDice(a: BinaryMask, b: BinaryMask, g: ImageGeometry, tol: number): number {
  const surf = (m: BinaryMask) => {
    const c = cropMaskToBox(m, { min: [0, 0, 0], max: [g.dimensions[0] - 1, g.dimensions[1] - 1, g.dimensions[2] - 1] });
    const s = surfaceVoxels(c.data, c.size, g.spacing);
    const [w, h] = c.size;
    const pts = [...s.offsets].map((o) => [(o % w) * g.spacing[0], (Math.floor(o / w) % h) * g.spacing[1], Math.floor(o / (w * h)) * g.spacing[2]]);
    return { pts, areas: s.areasMm2, total: s.totalMm2 };
  };
  const sa = surf(a);
  const sb = surf(b);
  const within = (x: typeof sa, y: typeof sa) =>
    x.pts.reduce((acc, p, n) => (y.pts.some((q) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) <= tol + 1e-9) ? acc + x.areas[n] : acc), 0);
  return (within(sa, sb) + within(sb, sa)) / (sa.total + sb.total);
}

/**
 * The surface Dice of two spheres of radius R whose centres are d apart, for continuous surfaces: a point of A's
 * sphere at polar angle θ from the shift is within τ of B's sphere when (R − τ)² ≤ R² − 2Rd·cosθ + d² ≤ (R + τ)²,
 * i.e. cosθ ∈ [(d² − 2Rτ − τ²)/(2Rd), (d² + 2Rτ − τ²)/(2Rd)], an interval of length 2τ/d. A sphere's area is
 * uniform in cosθ (Archimedes), so the fraction is τ/d for each sphere, whatever R (while the interval stays in
 * [−1, 1]), and so is the surface Dice.
 */
const sphereSurfaceDice = (R: number, d: number, tau: number): number => {
  const lo = Math.max(-1, (d * d - 2 * R * tau - tau * tau) / (2 * R * d));
  const hi = Math.min(1, (d * d + 2 * R * tau - tau * tau) / (2 * R * d));
  return (hi - lo) / 2;
};

describe('exact anisotropic distance transform', () => {
  it('equals the brute-force squared distance on random grids, 3D and 2D, with anisotropic spacing', () => {
    const rnd = random(7);
    for (let trial = 0; trial < 30; trial++) {
      const size: Vec3 = [1 + Math.floor(rnd() * 9), 1 + Math.floor(rnd() * 8), trial % 5 === 0 ? 1 : 1 + Math.floor(rnd() * 7)];
      const spacing: Vec3 = [0.4 + rnd() * 2, 0.4 + rnd() * 2, 0.5 + rnd() * 3];
      const n = size[0] * size[1] * size[2];
      const density = [0.02, 0.1, 0.4][trial % 3];
      const seeds = Uint8Array.from({ length: n }, () => (rnd() < density ? 1 : 0));
      const d2 = squaredEdt(seeds, size, spacing);
      const pts: Vec3[] = [];
      for (let o = 0; o < n; o++) if (seeds[o]) pts.push([o % size[0], Math.floor(o / size[0]) % size[1], Math.floor(o / (size[0] * size[1]))]);
      for (let o = 0; o < n; o++) {
        const p: Vec3 = [o % size[0], Math.floor(o / size[0]) % size[1], Math.floor(o / (size[0] * size[1]))];
        let best = Infinity;
        for (const q of pts) best = Math.min(best, ((p[0] - q[0]) * spacing[0]) ** 2 + ((p[1] - q[1]) * spacing[1]) ** 2 + ((p[2] - q[2]) * spacing[2]) ** 2);
        if (best === Infinity) assert.equal(d2[o], Infinity);
        else assert.ok(Math.abs(d2[o] - best) <= 1e-9 * Math.max(1, best), `trial ${trial} voxel ${o}: ${d2[o]} vs ${best}`);
      }
    }
  });

  it('gives Infinity everywhere without seeds and rejects a box of the wrong size', () => {
    assert.ok(squaredEdt(new Uint8Array(24), [2, 3, 4], [1, 1, 1]).every((x) => x === Infinity));
    assert.throws(() => squaredEdt(new Uint8Array(5), [2, 3, 4], [1, 1, 1]), RangeError);
  });
});

describe('signed distance', () => {
  it('is the distance to the nearest inside voxel outside and minus the distance to the nearest outside voxel inside, in mm on anisotropic spacing', () => {
    // A slab i ∈ [2, 4] of a 9×2×3 box on 1.5 × 1 × 2 mm: the distance is along i only.
    const size: Vec3 = [9, 2, 3];
    const mask = Uint8Array.from({ length: 54 }, (_, o) => (o % 9 >= 2 && o % 9 <= 4 ? 1 : 0));
    const d = signedDistanceMm(mask, size, [1.5, 1, 2]);
    const expected = [3, 1.5, -1.5, -3, -1.5, 1.5, 3, 4.5, 6];
    for (let o = 0; o < 54; o++) assert.ok(Math.abs(d[o] - expected[o % 9]) < 1e-6, `voxel ${o}: ${d[o]}`);
  });

  it('uses the true Euclidean distance across axes and is infinite for an empty or full mask', () => {
    // One voxel at the centre of a 5×5×5 box on 1 × 2 × 3 mm: the corner (0, 0, 0) is √(2² + 4² + 6²) mm away.
    const mask = new Uint8Array(125);
    mask[2 + 5 * (2 + 5 * 2)] = 1;
    const d = signedDistanceMm(mask, [5, 5, 5], [1, 2, 3]);
    assert.ok(Math.abs(d[0] - Math.sqrt(4 + 16 + 36)) < 1e-5, `${d[0]}`);
    assert.ok(Math.abs(d[62] + Math.min(1, 2, 3)) < 1e-6, 'the voxel itself: minus the nearest step out, along i');
    assert.ok(signedDistanceMm(new Uint8Array(8), [2, 2, 2], [1, 1, 1]).every((x) => x === Infinity));
    assert.ok(signedDistanceMm(new Uint8Array(8).fill(1), [2, 2, 2], [1, 1, 1]).every((x) => x === -Infinity));
    assert.throws(() => signedDistanceMm(new Uint8Array(7), [2, 2, 2], [1, 1, 1]), RangeError);
  });
});

describe('surface voxels', () => {
  it('weights each surface voxel by its exposed face area: a box of 3×4×5 voxels on 0.5×1×2 mm has its exact surface area', () => {
    const size: Vec3 = [5, 6, 7];
    const data = new Uint8Array(5 * 6 * 7);
    for (let k = 1; k <= 5; k++) for (let j = 1; j <= 4; j++) for (let i = 1; i <= 3; i++) data[i + 5 * (j + 6 * k)] = 1;
    const s = surfaceVoxels(data, size, [0.5, 1, 2]);
    // Sides: x extent 1.5 mm, y 4 mm, z 10 mm → 2(1.5·4 + 1.5·10 + 4·10) = 122 mm².
    assert.ok(Math.abs(s.totalMm2 - 122) < 1e-9, `${s.totalMm2}`);
    assert.equal(s.offsets.length, 3 * 4 * 5 - 1 * 2 * 3, 'every voxel but the 1×2×3 core is on the surface');
  });
});

describe('surface Dice', () => {
  it('is 1 for identical masks and for both empty, 0 when one is empty', () => {
    const g = grid([30, 30, 20], [1, 1, 2]);
    const a = ball(g, [15, 15, 20], 8);
    assert.equal(surfaceDice(a, a.clone(), g), 1);
    const empty = new BinaryMask(g.dimensions);
    assert.equal(surfaceDice(empty, empty.clone(), g), 1);
    assert.equal(surfaceDice(a, empty, g), 0);
    assert.equal(surfaceDice(empty, a, g), 0);
    assert.throws(() => surfaceDice(a, a, g, -1), RangeError);
  });

  it('a sphere shifted by 1 mm is 1 at τ = 2 mm; shifted by 5 mm at τ = 1 mm it approaches the analytic τ/d = 0.2', () => {
    const g1 = grid([48, 48, 48], [1, 1, 1]);
    const a1 = ball(g1, [23, 23.3, 22.8], 15);
    assert.equal(surfaceDice(a1, ball(g1, [24, 23.3, 22.8], 15), g1, 2), 1);
    assert.ok(Math.abs(sphereSurfaceDice(15, 5, 1) - 0.2) < 1e-12);
    // On voxels each surface is a shell of voxel centres up to one voxel deep, which brings the surfaces slightly
    // closer than the continuous ones: the value exceeds τ/d by a discretisation error that shrinks with the
    // voxel size (measured: 0.252 at 1 mm, 0.208 at 0.5 mm). The bounds below hold that to within 0.06 / 0.02.
    const sd = (s: number) => {
      const n = Math.ceil(46 / s);
      const g = grid([n, n, n], [s, s, s]);
      return surfaceDice(ball(g, [20.5, 23.3, 22.8], 15), ball(g, [25.5, 23.3, 22.8], 15), g, 1);
    };
    const coarse = sd(1);
    const fine = sd(0.5);
    assert.ok(fine >= 0.2 && fine <= 0.22, `0.5 mm voxels: ${fine}`);
    assert.ok(coarse >= 0.2 && coarse <= 0.26, `1 mm voxels: ${coarse}`);
    assert.ok(fine - 0.2 < coarse - 0.2, 'the error shrinks as the voxels do');
  });

  it('honours anisotropic spacing: one 3 mm slice of shift is 1 at τ = 3 mm but not at 2.9 mm, unlike the same shift in-plane', () => {
    const g = grid([30, 30, 16], [1, 1, 3]);
    const a = ball(g, [14.5, 14.2, 22.4], 9);
    const shiftedZ = ball(g, [14.5, 14.2, 25.4], 9);
    assert.equal(surfaceDice(a, shiftedZ, g, 3), 1);
    const z29 = surfaceDice(a, shiftedZ, g, 2.9);
    assert.ok(z29 < 0.9, `${z29}`);
    assert.ok(Math.abs(z29 - bruteSurfaceDice(a, shiftedZ, g, 2.9)) < 1e-12);
    // A 1 mm in-plane shift is one voxel: within 1 mm everywhere, whereas 1 mm is under a third of a slice.
    assert.equal(surfaceDice(a, ball(g, [15.5, 14.2, 22.4], 9), g, 1), 1);
    assert.ok(surfaceDice(a, ball(g, [14.5, 14.2, 23.4], 9), g, 1) < 1);
  });

  it('equals the brute-force definition on random masks, for small (neighbourhood) and large (distance transform) tolerances', () => {
    const rnd = random(11);
    for (let trial = 0; trial < 12; trial++) {
      const g = grid([24, 20, 10], [0.7 + rnd(), 0.7 + rnd(), 1 + 2 * rnd()]);
      const blob = () => {
        const c: Vec3 = [6 + rnd() * 12, 6 + rnd() * 8, 3 + rnd() * 4];
        const r = 2 + rnd() * 3;
        return BinaryMask.fromPredicate(g.dimensions, (i, j, k) => (i - c[0]) ** 2 + (j - c[1]) ** 2 + (k - c[2]) ** 2 <= r * r || rnd() < 0.03);
      };
      const a = blob();
      const b = blob();
      for (const tol of [0, 1, 2.5, 12]) {
        const fast = surfaceDice(a, b, g, tol);
        const slow = bruteSurfaceDice(a, b, g, tol);
        assert.ok(Math.abs(fast - slow) < 1e-12, `trial ${trial} τ ${tol}: ${fast} vs ${slow}`);
      }
    }
  });
});

describe('added path length', () => {
  const g = grid([40, 40, 8], [0.8, 1.2, 2.5]);
  const square = (extra?: (i: number, j: number, k: number) => boolean) =>
    BinaryMask.fromPredicate(g.dimensions, (i, j, k) => (k >= 2 && k <= 5 && i >= 10 && i < 30 && j >= 10 && j < 30) || (extra?.(i, j, k) ?? false));
  // A bump of w = 6 columns × h = 3 rows on the +j side of the square, on slices 3 and 4.
  const bump = (i: number, j: number, k: number) => (k === 3 || k === 4) && i >= 14 && i < 20 && j >= 30 && j < 33;

  it('is 0 for identical masks and when the edit only erased whole slices', () => {
    const a = square(bump);
    assert.deepEqual(addedPathLength(a, a.clone(), g), { lengthMm: 0, slices: 0 });
    assert.deepEqual(addedPathLength(a, a.clone(), g, { toleranceMm: 3 }), { lengthMm: 0, slices: 0 });
    const fewer = a.clone();
    for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++) fewer.set(i, j, 5, false);
    assert.deepEqual(addedPathLength(fewer, a, g), { lengthMm: 0, slices: 0 });
    assert.deepEqual(addedPathLength(new BinaryMask(g.dimensions), a, g), { lengthMm: 0, slices: 0 });
  });

  it('for a bump added to a square is the bump’s new perimeter: w·Δi + 2h·Δj per slice', () => {
    // The new outline replaces w pixel edges of the square's side by the bump's top (w edges of Δi = 0.8 mm) and
    // its two sides (h edges of Δj = 1.2 mm each): 6·0.8 + 2·3·1.2 = 12 mm on each of the two slices.
    const apl = addedPathLength(square(bump), square(), g);
    assert.equal(apl.slices, 2);
    assert.ok(Math.abs(apl.lengthMm - 24) < 1e-9, `${apl.lengthMm}`);
    // With a tolerance of one row (1.2 mm) the bump's first row is "within" the old outline: 6·0.8 + 2·2·1.2.
    const tolerant = addedPathLength(square(bump), square(), g, { toleranceMm: 1.2 });
    assert.ok(Math.abs(tolerant.lengthMm - 2 * 9.6) < 1e-9, `${tolerant.lengthMm}`);
  });

  it('counts a slice drawn where the original was empty with its whole perimeter', () => {
    const more = square((i, j, k) => k === 6 && i >= 10 && i < 30 && j >= 10 && j < 30);
    const apl = addedPathLength(more, square(), g);
    assert.equal(apl.slices, 1);
    assert.ok(Math.abs(apl.lengthMm - (2 * 20 * 0.8 + 2 * 20 * 1.2)) < 1e-9);
  });

  it('equals a brute-force count on random edits, with and without tolerance', () => {
    const rnd = random(3);
    for (let trial = 0; trial < 10; trial++) {
      const gg = grid([16, 13, 4], [0.6 + rnd(), 0.6 + rnd(), 2]);
      const rand = (p: number) => BinaryMask.fromPredicate(gg.dimensions, (i, j) => (i - 8) ** 2 + (j - 6) ** 2 < 20 || rnd() < p);
      const a = rand(0.15);
      const b = rand(0.15);
      for (const tol of [0, 1, 2.2]) {
        let expected = 0;
        const slicesWith = new Set<number>();
        const [nx, ny, nz] = gg.dimensions;
        const [sx, sy] = gg.spacing;
        const inside = (m: BinaryMask, i: number, j: number, k: number) => i >= 0 && j >= 0 && i < nx && j < ny && m.get(i, j, k);
        const edges = (m: BinaryMask, i: number, j: number, k: number) =>
          !inside(m, i, j, k) ? 0 : (inside(m, i - 1, j, k) ? 0 : sy) + (inside(m, i + 1, j, k) ? 0 : sy) + (inside(m, i, j - 1, k) ? 0 : sx) + (inside(m, i, j + 1, k) ? 0 : sx);
        for (let k = 0; k < nz; k++) {
          for (let j = 0; j < ny; j++) {
            for (let i = 0; i < nx; i++) {
              const e = edges(a, i, j, k);
              if (!e) continue;
              let near = false;
              for (let jj = 0; jj < ny && !near; jj++) for (let ii = 0; ii < nx && !near; ii++) near = edges(b, ii, jj, k) > 0 && Math.hypot((ii - i) * sx, (jj - j) * sy) <= tol + 1e-9;
              if (!near) {
                expected += e;
                slicesWith.add(k);
              }
            }
          }
        }
        const apl = addedPathLength(a, b, gg, { toleranceMm: tol });
        assert.ok(Math.abs(apl.lengthMm - expected) < 1e-9, `trial ${trial} τ ${tol}: ${apl.lengthMm} vs ${expected}`);
        assert.equal(apl.slices, slicesWith.size);
      }
    }
  });
});
