import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  contoursToMask,
  forEachSliceContours,
  maskSliceToContours,
  maskToPlanarContours,
  partialOverlapVoxels,
  placeContour,
  rasterizeContours,
  sameOutline,
  signedArea,
  sliceContourToPatient,
  slicePlaneDistance,
} from './contour.ts';
import {
  GridTransform,
  fromAxes,
  IDENTITY,
  type ImageGeometry,
  normalize,
  rotation,
  type Vec3,
} from './geometry.ts';
import { BinaryMask } from './mask.ts';

/** A slice from rows of '#' (inside) and '.' (outside). */
function sliceOf(rows: string[]): { data: Uint8Array; w: number; h: number } {
  const h = rows.length;
  const w = rows[0].length;
  const data = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (data[y * w + x] = ch === '#' ? 1 : 0)));
  return { data, w, h };
}

const pairs = (p: Float64Array): number[][] =>
  Array.from({ length: p.length / 2 }, (_, v) => [p[2 * v], p[2 * v + 1]]);

/** A seeded generator (mulberry32) so the random masks are the same on every run. */
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

/** Checks the convention on one slice: exact round trip, area = voxel count, no collinear or repeated vertices. */
function assertConvention(data: Uint8Array, w: number, h: number): void {
  const contours = maskSliceToContours(data, w, h);
  const back = rasterizeContours(
    contours.map((c) => c.points),
    w,
    h,
  ).slice;
  assert.deepEqual(back, data, 'even-odd rasterisation by voxel centres gives back the mask');
  let area = 0;
  for (const c of contours) {
    const a = signedArea(c.points);
    assert.equal(a > 0, !c.hole, 'outer boundaries are counter-clockwise, holes clockwise');
    area += a;
    const pts = pairs(c.points);
    assert.ok(
      pts.length >= 4 && pts.length % 2 === 0,
      'an axis-aligned closed outline has an even number ≥ 4 of corners',
    );
    const seen = new Set<string>();
    for (let v = 0; v < pts.length; v++) {
      const [x, y] = pts[v];
      assert.ok(Number.isInteger(x + 0.5) && Number.isInteger(y + 0.5), 'vertices sit on voxel corners');
      const key = `${x},${y}`;
      assert.ok(!seen.has(key), 'a contour never visits a point twice (simple polygon)');
      seen.add(key);
      const [px, py] = pts[(v + pts.length - 1) % pts.length];
      const [nx] = pts[(v + 1) % pts.length];
      // Axis-aligned edges that alternate direction: no collinear triples.
      assert.ok((px === x) !== (py === y), 'edges are axis-aligned');
      assert.ok((px === x) !== (nx === x), 'consecutive edges turn (no collinear vertex)');
    }
  }
  assert.equal(
    area,
    data.reduce((s, v) => s + v, 0),
    'enclosed area equals the voxel count',
  );
}

describe('maskSliceToContours (voxel-boundary polygons)', () => {
  it('traces a single voxel as its square, counter-clockwise', () => {
    const { data, w, h } = sliceOf(['...', '.#.', '...']);
    const c = maskSliceToContours(data, w, h);
    assert.equal(c.length, 1);
    assert.equal(c[0].hole, false);
    assert.deepEqual(pairs(c[0].points), [
      [0.5, 0.5],
      [1.5, 0.5],
      [1.5, 1.5],
      [0.5, 1.5],
    ]);
    assert.equal(signedArea(c[0].points), 1);
  });

  it('writes a ring as an outer contour and a clockwise hole', () => {
    const { data, w, h } = sliceOf(['#####', '#...#', '#...#', '#####']);
    const c = maskSliceToContours(data, w, h);
    assert.equal(c.length, 2);
    const outer = c.find((x) => !x.hole)!;
    const hole = c.find((x) => x.hole)!;
    assert.equal(signedArea(outer.points), 20);
    assert.equal(signedArea(hole.points), -6);
    assert.equal(outer.points.length / 2, 4, 'collinear points removed: a rectangle has 4 vertices');
    assertConvention(data, w, h);
  });

  it('keeps an island inside a hole inside an island', () => {
    const { data, w, h } = sliceOf([
      '#######',
      '#.....#',
      '#.###.#',
      '#.#.#.#',
      '#.###.#',
      '#.....#',
      '#######',
    ]);
    const c = maskSliceToContours(data, w, h);
    assert.deepEqual(
      c.map((x) => x.hole),
      [false, true, false, true],
    );
    assertConvention(data, w, h);
  });

  it('splits voxels touching only at a corner into two simple contours', () => {
    for (const rows of [
      ['#.', '.#'],
      ['.#', '#.'],
      ['##.', '#.#', '.##'],
    ]) {
      const { data, w, h } = sliceOf(rows);
      assertConvention(data, w, h);
    }
    const { data, w, h } = sliceOf(['#.', '.#']);
    assert.equal(maskSliceToContours(data, w, h).length, 2);
    // Two hole voxels touching at a corner: the hole outline would pass that corner twice; it is split in two.
    const pinched = sliceOf(['####', '#.##', '##.#', '####']);
    assert.deepEqual(
      maskSliceToContours(pinched.data, pinched.w, pinched.h).map((c) => c.hole),
      [false, true, true],
    );
    assertConvention(pinched.data, pinched.w, pinched.h);
    // A C-shape whose tips touch diagonally: the pocket it pinches off comes out as a clockwise hole.
    const c = sliceOf(['#####', '#...#', '#.#.#', '#..##', '####.']);
    assertConvention(c.data, c.w, c.h);
  });

  it('handles voxels on the slice edges and a full slice', () => {
    const full = sliceOf(['###', '###']);
    const c = maskSliceToContours(full.data, full.w, full.h);
    assert.deepEqual(pairs(c[0].points), [
      [-0.5, -0.5],
      [2.5, -0.5],
      [2.5, 1.5],
      [-0.5, 1.5],
    ]);
    assert.deepEqual(maskSliceToContours(new Uint8Array(6), 3, 2), []);
  });

  it('traces only inside a box, treating the rest as outside', () => {
    const { data, w, h } = sliceOf(['#####', '#####', '#####']);
    const c = maskSliceToContours(data, w, h, { x0: 1, y0: 1, x1: 3, y1: 2 });
    assert.equal(c.length, 1);
    assert.equal(signedArea(c[0].points), 6);
    assert.deepEqual(pairs(c[0].points)[0], [0.5, 0.5], 'coordinates stay those of the whole slice');
  });

  it('round-trips random masks with holes, islands and diagonal contacts exactly', () => {
    const rnd = random(7);
    for (let t = 0; t < 60; t++) {
      const w = 3 + Math.floor(rnd() * 30);
      const h = 3 + Math.floor(rnd() * 30);
      const density = 0.2 + rnd() * 0.6;
      const data = new Uint8Array(w * h).map(() => (rnd() < density ? 1 : 0));
      assertConvention(data, w, h);
    }
  });
});

describe('rasterizeContours (even-odd, voxel centres)', () => {
  it('fills centres inside a polygon and XORs overlapping contours', () => {
    const square = [0, 0, 4, 0, 4, 4, 0, 4]; // centres 0..3 in x and y lie on or inside
    const r = rasterizeContours([square], 6, 6);
    // Half-open: the centre row/column on the lower edges is in, on the upper edges out.
    let n = 0;
    for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) if (r.slice[y * 6 + x]) n++;
    assert.equal(n, 16);
    assert.equal(r.slice[0], 1);
    assert.equal(r.slice[4 * 6 + 4], 0);
    const other = [1.5, 1.5, 5.5, 1.5, 5.5, 5.5, 1.5, 5.5];
    const xor = rasterizeContours([square, other], 6, 6).slice;
    assert.equal(xor[2 * 6 + 2], 0, 'the overlap cancels out');
    assert.equal(xor[0], 1);
    assert.equal(xor[5 * 6 + 5], 1);
  });

  it('counts voxels shared by partly overlapping contours, not by nested ones', () => {
    const square = (x: number, y: number, size: number) => [
      x,
      y,
      x + size,
      y,
      x + size,
      y + size,
      x,
      y + size,
    ];
    // 4×4 and 4×4 squares shifted by 2 in x and y: they share 2×2 voxels.
    assert.equal(partialOverlapVoxels([square(-0.5, -0.5, 4), square(1.5, 1.5, 4)], 10, 10), 4);
    // A hole inside an outline, and two disjoint squares: no partial overlap.
    assert.equal(partialOverlapVoxels([square(-0.5, -0.5, 8), square(1.5, 1.5, 2)], 10, 10), 0);
    assert.equal(partialOverlapVoxels([square(-0.5, -0.5, 2), square(4.5, 4.5, 2)], 10, 10), 0);
    assert.equal(partialOverlapVoxels([square(-0.5, -0.5, 2)], 10, 10), 0);
  });

  it('reports clipping and the box of the pixels set', () => {
    const r = rasterizeContours([[-3, -3, 2.2, -3, 2.2, 1.2, -3, 1.2]], 5, 5);
    assert.equal(r.clipped, true);
    assert.deepEqual(r.box, { x0: 0, y0: 0, x1: 2, y1: 1 });
    const none = rasterizeContours([[10, 10, 12, 10, 12, 12]], 5, 5);
    assert.equal(none.box, null);
  });

  it('rasterises a disc to within one voxel ring of its analytic area', () => {
    const pts: number[] = [];
    for (let a = 0; a < 256; a++)
      pts.push(50 + 30 * Math.cos((a / 256) * 2 * Math.PI), 50 + 30 * Math.sin((a / 256) * 2 * Math.PI));
    const s = rasterizeContours([pts], 100, 100).slice;
    const n = s.reduce((a, v) => a + v, 0);
    assert.ok(Math.abs(n - Math.PI * 900) < 2 * Math.PI * 30 * 0.5, `disc of ${n} voxels`);
  });
});

describe('contours in patient space', () => {
  const oblique: ImageGeometry = {
    dimensions: [40, 30, 12],
    spacing: [0.8, 1.1, 2.5],
    origin: [-12.3, 40.1, -200.25],
    direction: (() => {
      const r = rotation(normalize([1, 2, 3]), 27);
      return r;
    })(),
  };

  it('places a slice contour back on its plane with zero offset on an oblique grid', () => {
    const t = new GridTransform(oblique);
    const pts = new Float64Array([2.5, 3.5, 9.5, 3.5, 9.5, 7.5, 2.5, 7.5]);
    const patient = sliceContourToPatient(pts, 5, t);
    const p = placeContour(patient, t);
    assert.equal(p.k, 5);
    assert.ok(Math.abs(p.offsetMm) < 1e-9 && p.spreadMm < 1e-9);
    for (let v = 0; v < pts.length; v++) assert.ok(Math.abs(p.points[v] - pts[v]) < 1e-9);
    // Moved 0.7 mm along the slice normal: the same slice, offset 0.7 mm.
    const n = normalize([oblique.direction[6], oblique.direction[7], oblique.direction[8]]);
    const moved = patient.map((x, v) => x + 0.7 * n[v % 3]);
    const q = placeContour(moved, t);
    assert.equal(q.k, 5);
    assert.ok(Math.abs(q.offsetMm - 0.7) < 1e-9);
  });

  it('measures plane distance along the normal on a sheared (gantry-tilted) grid', () => {
    const tilt = (15 * Math.PI) / 180;
    const col: Vec3 = [0, Math.cos(tilt), Math.sin(tilt)];
    const sheared: ImageGeometry = {
      dimensions: [10, 10, 10],
      spacing: [1, 1, 3],
      origin: [0, 0, 0],
      direction: fromAxes([1, 0, 0], col, [0, 0, 1]),
    };
    assert.ok(Math.abs(slicePlaneDistance(new GridTransform(sheared)) - 3 * Math.cos(tilt)) < 1e-12);
    assert.equal(slicePlaneDistance(new GridTransform({ ...sheared, direction: IDENTITY })), 3);
  });

  it('round-trips a 3D mask through patient-space contours on an oblique grid', () => {
    const [nx, ny, nz] = oblique.dimensions;
    const mask = BinaryMask.fromPredicate(
      oblique.dimensions,
      (i, j, k) =>
        (i - 20) ** 2 + ((j - 15) * 1.3) ** 2 < 64 + 6 * k &&
        !((i - 20) ** 2 + (j - 15) ** 2 < 6) &&
        k > 1 &&
        k < nz - 2,
    );
    const t = new GridTransform(oblique);
    const contours = maskToPlanarContours(mask, oblique);
    const bySlice = new Map<number, Float64Array[]>();
    for (const c of contours) {
      const p = placeContour(c.points, t);
      assert.equal(p.k, c.k);
      assert.ok(Math.abs(p.offsetMm) < 1e-9);
      if (!bySlice.has(p.k)) bySlice.set(p.k, []);
      bySlice.get(p.k)!.push(p.points);
    }
    const { mask: back, clipped } = contoursToMask([nx, ny, nz], bySlice);
    assert.equal(clipped, false);
    assert.ok(back.equals(mask));
    assert.ok(
      contours.some((c) => c.hole),
      'the mask has a hole on every slice',
    );
    let slices = 0;
    forEachSliceContours(mask, oblique, () => slices++);
    assert.equal(slices, nz - 4);
  });

  it('refuses a mask from another grid', () => {
    assert.throws(() => maskToPlanarContours(new BinaryMask([3, 3, 3]), oblique), /not on the grid/);
  });
});

describe('sameOutline (duplicate contours of real files)', () => {
  const circle = (r: number, n: number, cx = 50, cy = 50, phase = 0) => Float64Array.from({ length: 2 * n }, (_, m) => (m % 2 === 0 ? cx + r * Math.cos(phase + (Math.PI * 2 * (m >> 1)) / n) : cy + r * Math.sin(phase + (Math.PI * 2 * (m >> 1)) / n)));
  it('takes a repeat with a point fewer and a small shift for the same outline', () => {
    const a = circle(20, 60);
    const b = circle(20, 59, 50.3, 50, 0.01);
    assert.equal(sameOutline(a, b, [1, 1]), true);
  });
  it('keeps a nested hole, a shifted copy and a rotated square of equal area apart', () => {
    assert.equal(sameOutline(circle(20, 60), circle(18, 60), [1, 1]), false, 'hole');
    assert.equal(sameOutline(circle(20, 60), circle(20, 60, 52), [1, 1]), false, '2 mm away');
    const square = Float64Array.from([40, 40, 60, 40, 60, 60, 40, 60]);
    const diamond = Float64Array.from([50, 50 - 10 * Math.SQRT2, 50 + 10 * Math.SQRT2, 50, 50, 50 + 10 * Math.SQRT2, 50 - 10 * Math.SQRT2, 50]);
    assert.equal(sameOutline(square, diamond, [1, 1]), false, 'rotated by 45°');
  });
});
