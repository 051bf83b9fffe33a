import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutlineScratch, loopArea, maskOutline } from './slice-outline.ts';

/** A slice from rows of '#' (inside) and '.' (outside). */
function slice(rows: string[]): { data: Uint8Array; nu: number; nv: number } {
  const nv = rows.length;
  const nu = rows[0].length;
  const data = new Uint8Array(nu * nv);
  rows.forEach((r, v) => [...r].forEach((c, u) => (data[u + nu * v] = c === '#' ? 1 : 0)));
  return { data, nu, nv };
}

/** Even–odd point-in-loops test. */
function insideLoops(loops: Float64Array[], x: number, y: number): boolean {
  let inside = false;
  for (const l of loops) {
    const n = l.length / 2;
    for (let p = 0, q = n - 1; p < n; q = p++) {
      const [xp, yp, xq, yq] = [l[2 * p], l[2 * p + 1], l[2 * q], l[2 * q + 1]];
      if (yp > y !== yq > y && x < ((xq - xp) * (y - yp)) / (yq - yp) + xp) inside = !inside;
    }
  }
  return inside;
}

test('an empty slice has no outline', () => {
  const { data, nu, nv } = slice(['....', '....']);
  assert.deepEqual(maskOutline(data, nu, nv), []);
});

test('a single voxel is a diamond through the four edge midpoints around its centre', () => {
  const { data, nu, nv } = slice(['...', '.#.', '...']);
  const loops = maskOutline(data, nu, nv);
  assert.equal(loops.length, 1);
  const pts = [...loops[0]];
  const set = new Set<string>();
  for (let p = 0; p < pts.length; p += 2) set.add(`${pts[p]},${pts[p + 1]}`);
  assert.deepEqual([...set].sort(), ['0.5,1', '1,0.5', '1,1.5', '1.5,1'].sort());
  assert.equal(Math.abs(loopArea(loops[0])), 0.5);
});

test('a voxel on the slice edge still gives a closed loop', () => {
  const { data, nu, nv } = slice(['#..', '...']);
  const loops = maskOutline(data, nu, nv);
  assert.equal(loops.length, 1);
  assert.equal(loops[0].length / 2, 4);
});

test('a ring gives two loops whose even–odd fill is exactly the ring voxels', () => {
  const rows = ['.......', '.#####.', '.#...#.', '.#...#.', '.#####.', '.......'];
  const { data, nu, nv } = slice(rows);
  const loops = maskOutline(data, nu, nv);
  assert.equal(loops.length, 2);
  for (let v = 0; v < nv; v++) for (let u = 0; u < nu; u++) assert.equal(insideLoops(loops, u, v), data[u + nu * v] === 1, `voxel ${u},${v}`);
  // Straight runs are merged: the outer loop is an octagon-like polygon, not one vertex per voxel edge.
  assert.ok(loops.every((l) => l.length / 2 <= 8), `vertex counts ${loops.map((l) => l.length / 2)}`);
});

test('diagonal neighbours stay separate loops (4-connectivity) and the fill matches every voxel', () => {
  const { data, nu, nv } = slice(['....', '.#..', '..#.', '....']);
  const loops = maskOutline(data, nu, nv);
  assert.equal(loops.length, 2);
  for (let v = 0; v < nv; v++) for (let u = 0; u < nu; u++) assert.equal(insideLoops(loops, u, v), data[u + nu * v] === 1);
});

test('the outline of a rasterised disc lies within half a voxel of its circle', () => {
  const nu = 80;
  const nv = 70;
  const [cu, cv, r] = [40.3, 33.6, 21.7];
  const data = new Uint8Array(nu * nv);
  for (let v = 0; v < nv; v++) for (let u = 0; u < nu; u++) data[u + nu * v] = Math.hypot(u - cu, v - cv) <= r ? 1 : 0;
  const loops = maskOutline(data, nu, nv);
  assert.equal(loops.length, 1);
  const l = loops[0];
  const n = l.length / 2;
  let worst = 0;
  for (let p = 0; p < n; p++) {
    const q = (p + 1) % n;
    // Every point of every segment, not just the vertices.
    for (let s = 0; s <= 8; s++) {
      const x = l[2 * p] + ((l[2 * q] - l[2 * p]) * s) / 8;
      const y = l[2 * p + 1] + ((l[2 * q + 1] - l[2 * p + 1]) * s) / 8;
      worst = Math.max(worst, Math.abs(Math.hypot(x - cu, y - cv) - r));
    }
  }
  assert.ok(worst <= 0.5, `worst distance to the circle ${worst.toFixed(3)} voxel`);
  assert.ok(Math.abs(Math.abs(loopArea(l)) - Math.PI * r * r) / (Math.PI * r * r) < 0.02);
});

test('refuses a slice whose size does not match', () => {
  assert.throws(() => maskOutline(new Uint8Array(5), 2, 3), RangeError);
});

test('a reused scratch grid gives the same loops as fresh memory, call after call', () => {
  const scratch = new OutlineScratch();
  const big = slice(['........', '.######.', '.#....#.', '.#.##.#.', '.#....#.', '.######.', '........']);
  const small = slice(['...', '.#.', '...']);
  for (const s of [big, small, big]) {
    const fresh = maskOutline(s.data, s.nu, s.nv).map((l) => [...l]);
    const reused = maskOutline(s.data, s.nu, s.nv, scratch).map((l) => [...l]);
    assert.deepEqual(reused, fresh);
  }
});
