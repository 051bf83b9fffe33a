import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryMask, patchBytes } from './mask.ts';

/** Reference dense implementation to compare the bricked storage against. */
function randomDense(dims: [number, number, number], seed: number, density: number): Uint8Array {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let n = 0; n < out.length; n++) out[n] = rnd() < density ? 1 : 0;
  return out;
}

const sphere = (dims: [number, number, number], c: [number, number, number], r: number) =>
  BinaryMask.fromPredicate(dims, (i, j, k) => (i - c[0]) ** 2 + (j - c[1]) ** 2 + (k - c[2]) ** 2 <= r * r);

describe('BinaryMask', () => {
  it('round-trips dense data on grids that are not multiples of the brick size', () => {
    for (const dims of [[1, 1, 1], [17, 5, 33], [40, 31, 19]] as [number, number, number][]) {
      for (const density of [0, 0.02, 0.5, 1]) {
        const dense = randomDense(dims, 7, density);
        const m = BinaryMask.fromDense(dims, dense);
        assert.deepEqual(m.toDense(), dense, `dims ${dims} density ${density}`);
        assert.equal(m.count(), dense.reduce((a, b) => a + b, 0));
      }
    }
  });

  it('get/set agree with a dense reference and keep count/bounds exact', () => {
    const dims: [number, number, number] = [37, 29, 21];
    const m = new BinaryMask(dims);
    const ref = new Uint8Array(dims[0] * dims[1] * dims[2]);
    let s = 1;
    for (let n = 0; n < 5000; n++) {
      s = (Math.imul(s, 48271) % 2147483647) >>> 0;
      const i = s % dims[0];
      const j = (s >> 5) % dims[1];
      const k = (s >> 10) % dims[2];
      const v = (s & 3) !== 0;
      m.set(i, j, k, v);
      ref[i + dims[0] * (j + dims[1] * k)] = v ? 1 : 0;
    }
    assert.deepEqual(m.toDense(), ref);
    assert.equal(m.count(), ref.reduce((a, b) => a + b, 0));
    m.compact();
    assert.deepEqual(m.toDense(), ref);
    const b = m.bounds();
    assert.ok(b);
    let lo = [Infinity, Infinity, Infinity];
    let hi = [-1, -1, -1];
    for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
      if (!ref[i + dims[0] * (j + dims[1] * k)]) continue;
      lo = [Math.min(lo[0], i), Math.min(lo[1], j), Math.min(lo[2], k)];
      hi = [Math.max(hi[0], i), Math.max(hi[1], j), Math.max(hi[2], k)];
    }
    assert.deepEqual([...b.min], lo);
    assert.deepEqual([...b.max], hi);
  });

  it('reads sagittal, coronal and axial slices consistently with get()', () => {
    const dims: [number, number, number] = [20, 18, 22];
    const m = BinaryMask.fromDense(dims, randomDense(dims, 3, 0.3));
    const ax = m.readSlice(2, 9);
    const co = m.readSlice(1, 4);
    const sa = m.readSlice(0, 13);
    for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) assert.equal(ax[i + dims[0] * j] === 1, m.get(i, j, 9));
    for (let k = 0; k < dims[2]; k++) for (let i = 0; i < dims[0]; i++) assert.equal(co[i + dims[0] * k] === 1, m.get(i, 4, k));
    for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) assert.equal(sa[j + dims[1] * k] === 1, m.get(13, j, k));
  });

  it('stores a large solid structure by its surface, not its volume', () => {
    // A body-sized elliptic cylinder filling most of a 512×512×200 CT.
    const dims: [number, number, number] = [512, 512, 200];
    const m = BinaryMask.fromPredicate(dims, (i, j) => ((i - 256) / 230) ** 2 + ((j - 256) / 170) ** 2 <= 1);
    const denseBits = (512 * 512 * 200) / 8;
    assert.ok(m.memoryBytes() < denseBits / 5, `body mask uses ${m.memoryBytes()} bytes; a bitmap would use ${denseBits}`);
    assert.ok(Math.abs(m.count() - Math.PI * 230 * 170 * 200) / (Math.PI * 230 * 170 * 200) < 0.01);
  });

  it('Boolean operations satisfy set identities voxel for voxel', () => {
    const dims: [number, number, number] = [48, 40, 36];
    const a = sphere(dims, [20, 20, 18], 14);
    const b = sphere(dims, [30, 22, 17], 12);
    const da = a.toDense();
    const db = b.toDense();
    const expect = (f: (x: number, y: number) => number) => da.map((x, n) => f(x, db[n]));
    assert.deepEqual(a.clone().combine(b, 'union').toDense(), expect((x, y) => x | y));
    assert.deepEqual(a.clone().combine(b, 'intersect').toDense(), expect((x, y) => x & y));
    assert.deepEqual(a.clone().combine(b, 'subtract').toDense(), expect((x, y) => x & ~y & 1));
    assert.deepEqual(a.clone().combine(b, 'xor').toDense(), expect((x, y) => x ^ y));
    // A ∪ B = (A xor B) ∪ (A ∩ B), and A − A = ∅.
    const lhs = a.clone().combine(b, 'union');
    const rhs = a.clone().combine(b, 'xor').combine(a.clone().combine(b, 'intersect'), 'union');
    assert.ok(lhs.equals(rhs));
    assert.equal(a.clone().combine(a, 'subtract').count(), 0);
  });

  it('fill(true) covers exactly the grid, including partial edge bricks', () => {
    const m = new BinaryMask([19, 33, 17]);
    m.fill(true);
    assert.equal(m.count(), 19 * 33 * 17);
    assert.ok(m.toDense().every((v) => v === 1));
    m.fill(false);
    assert.equal(m.count(), 0);
    assert.equal(m.bounds(), null);
  });

  it('clone is deep and equals compares content, not storage', () => {
    const dims: [number, number, number] = [33, 33, 33];
    const a = sphere(dims, [16, 16, 16], 10);
    const c = a.clone();
    assert.ok(c.equals(a));
    c.set(16, 16, 16, false);
    assert.ok(!c.equals(a));
    assert.ok(a.get(16, 16, 16));
    // Same content reached through different histories compares equal.
    const d = new BinaryMask(dims);
    a.forEach((i, j, k) => d.set(i, j, k, true));
    assert.ok(d.equals(a));
  });

  it('bumps its version on change only', () => {
    const m = new BinaryMask([8, 8, 8]);
    const v0 = m.version;
    m.set(1, 1, 1, false);
    assert.equal(m.version, v0);
    m.set(1, 1, 1, true);
    assert.ok(m.version > v0);
  });
});

describe('BinaryMask patches and persistence', () => {
  it('a patch undoes and redoes an edit exactly and holds only the changed bricks', () => {
    const dims: [number, number, number] = [64, 64, 32];
    const m = sphere(dims, [32, 32, 16], 20);
    const before = m.clone();
    const original = m.toDense();
    // A brush dab: a small disc on one slice.
    for (let j = 28; j <= 36; j++) for (let i = 50; i <= 58; i++) if ((i - 54) ** 2 + (j - 32) ** 2 <= 16) m.set(i, j, 16, true);
    m.set(32, 32, 16, false);
    const edited = m.toDense();
    const patch = BinaryMask.diff(before, m);
    assert.ok(patch.bricks.length <= 4, `${patch.bricks.length} bricks changed`);
    assert.ok(patchBytes(patch) < 4 * 1100);
    m.applyPatch(patch, 'before');
    assert.deepEqual(m.toDense(), original);
    m.applyPatch(patch, 'after');
    assert.deepEqual(m.toDense(), edited);
  });

  it('a patch captures uniform-brick transitions (fill and clear)', () => {
    const m = new BinaryMask([40, 40, 40]);
    const before = m.clone();
    m.fill(true);
    const p = BinaryMask.diff(before, m);
    m.applyPatch(p, 'before');
    assert.equal(m.count(), 0);
    m.applyPatch(p, 'after');
    assert.equal(m.count(), 40 ** 3);
  });

  it('serializes and deserializes to an equal mask and rejects corrupt records', () => {
    const m = sphere([50, 40, 30], [25, 20, 15], 12);
    const s = m.serialize();
    assert.ok(BinaryMask.deserialize(s).equals(m));
    assert.throws(() => BinaryMask.deserialize({ ...s, index: new Int32Array(3) }), RangeError);
    const bad = s.index.slice();
    bad[0] = 1e6;
    assert.throws(() => BinaryMask.deserialize({ ...s, index: bad }), /slot/);
  });
});
