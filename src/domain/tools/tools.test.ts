import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IDENTITY, type Vec3 } from '../geometry.ts';
import { BinaryMask } from '../mask.ts';
import { Volume } from '../volume.ts';
import { fillHoleAt, fillPolygon, paintDab, paintStroke } from './paint.ts';
import { regionGrow } from './region-grow.ts';

const dims: Vec3 = [80, 70, 30];
const spacing: Vec3 = [0.8, 0.8, 2.5];
const axial = { axis: 2 as const, index: 12 };

describe('brush and eraser', () => {
  it('paints exactly the voxels within the radius in mm on the slice (a round disc on anisotropic voxels)', () => {
    const m = new BinaryMask(dims);
    const c: Vec3 = [40.3, 35.6, 12];
    paintDab(m, spacing, axial, c, 6, { value: true });
    m.forEach((i, j, k) => {
      assert.equal(k, 12);
      assert.ok(Math.hypot((i - c[0]) * 0.8, (j - c[1]) * 0.8) <= 6 + 1e-9);
    });
    let expected = 0;
    for (let j = 0; j < 70; j++) for (let i = 0; i < 80; i++) if (Math.hypot((i - c[0]) * 0.8, (j - c[1]) * 0.8) <= 6) expected++;
    assert.equal(m.count(), expected);
    assert.ok(Math.abs(expected * 0.64 - Math.PI * 36) / (Math.PI * 36) < 0.05);
  });

  it('a 3D sphere brush reaches neighbouring slices by the slice spacing; the eraser removes', () => {
    const m = new BinaryMask(dims);
    paintDab(m, spacing, axial, [40, 35, 12], 6, { value: true, shape: 'sphere' });
    const slices = new Set<number>();
    m.forEach((_i, _j, k) => slices.add(k));
    assert.deepEqual([...slices].sort((a, b) => a - b), [10, 11, 12, 13, 14]); // |dk|·2.5 ≤ 6
    paintDab(m, spacing, axial, [40, 35, 12], 3, { value: false, shape: 'sphere' });
    assert.ok(!m.get(40, 35, 12) && !m.get(40, 35, 13) && m.get(40, 35, 14));
  });

  it('an HU-limited brush paints only voxels inside the HU window', () => {
    const data = new Int16Array(80 * 70 * 30);
    for (let o = 0; o < data.length; o++) data[o] = o % 80 < 40 ? -800 : 50; // lung | soft tissue
    const volume = new Volume({ dimensions: dims, spacing, origin: [0, 0, 0], direction: IDENTITY, data });
    const m = new BinaryMask(dims);
    paintDab(m, spacing, axial, [40, 35, 12], 8, { value: true, huRange: { min: -200, max: 300 }, volume });
    assert.ok(m.count() > 0);
    m.forEach((i) => assert.ok(i >= 40));
    assert.throws(() => paintDab(m, spacing, axial, [1, 1, 1], 2, { value: true, huRange: { min: 0, max: 1 } }), /needs the CT volume/);
    assert.throws(() => paintDab(m, spacing, axial, [1, 1, 1], -2, { value: true }), /positive distance/);
  });

  it('a fast stroke leaves a continuous band: every voxel within 0.99·r of the segment is painted', () => {
    const m = new BinaryMask(dims);
    const a: Vec3 = [10, 10, 12];
    const b: Vec3 = [70, 55, 12];
    paintStroke(m, spacing, axial, a, b, 4, { value: true });
    const seg = [(b[0] - a[0]) * 0.8, (b[1] - a[1]) * 0.8];
    const len2 = seg[0] ** 2 + seg[1] ** 2;
    for (let j = 0; j < 70; j++) for (let i = 0; i < 80; i++) {
      const p = [(i - a[0]) * 0.8, (j - a[1]) * 0.8];
      const t = Math.max(0, Math.min(1, (p[0] * seg[0] + p[1] * seg[1]) / len2));
      const d = Math.hypot(p[0] - t * seg[0], p[1] - t * seg[1]);
      if (d <= 0.99 * 4) assert.ok(m.get(i, j, 12), `(${i}, ${j}) at ${d.toFixed(2)} mm from the stroke`);
      if (d > 4 + 1e-9) assert.ok(!m.get(i, j, 12));
    }
  });
});

describe('contour drawing', () => {
  it('fills a polygon by voxel centres and subtracts with value false', () => {
    const m = new BinaryMask(dims);
    const square: [number, number][] = [[10.5, 10.5], [30.5, 10.5], [30.5, 20.5], [10.5, 20.5]];
    assert.equal(fillPolygon(m, axial, square, true), 20 * 10);
    assert.ok(m.get(11, 11, 12) && m.get(30, 20, 12) && !m.get(10, 11, 12) && !m.get(31, 11, 12));
    const notch: [number, number][] = [[20.5, 5], [40, 5], [40, 15.5], [20.5, 15.5]];
    fillPolygon(m, axial, notch, false);
    assert.equal(m.count(), 200 - 10 * 5);
    assert.throws(() => fillPolygon(m, axial, [[0, 0], [1, 1]], true), /at least 3 points/);
  });

  it('fills a freehand triangle on a sagittal plane with the expected area', () => {
    const m = new BinaryMask(dims);
    const plane = { axis: 0 as const, index: 40 };
    // (u, v) = (j, k) on a sagittal plane.
    const n = fillPolygon(m, plane, [[5, 2], [60, 2], [5, 25]], true);
    assert.ok(Math.abs(n - (55 * 23) / 2) / ((55 * 23) / 2) < 0.08, `${n} voxels`);
    m.forEach((i) => assert.equal(i, 40));
  });

  it('fills the hole under the pointer, but not the outside of a contour', () => {
    const m = new BinaryMask(dims);
    for (let j = 0; j < 70; j++) for (let i = 0; i < 80; i++) {
      const r = Math.hypot(i - 40, j - 35);
      if (r <= 15 && r > 8) m.set(i, j, 12, true);
    }
    const ring = m.count();
    assert.equal(fillHoleAt(m, axial, [5, 5]), 0, 'the outside is not a hole');
    const filled = fillHoleAt(m, axial, [40, 35]);
    assert.ok(filled > 150);
    assert.equal(m.count(), ring + filled);
    assert.equal(fillHoleAt(m, axial, [40, 35]), 0, 'inside already');
  });
});

describe('region grow', () => {
  // A 12 mm "node" of 60 HU in fat (−100 HU) with ±15 HU noise, and a 60 HU vessel running off it.
  const data = new Int16Array(80 * 70 * 30);
  let s = 5;
  const noise = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 30;
  const centre: Vec3 = [40, 35, 15];
  const inNode = (i: number, j: number, k: number) => Math.hypot((i - 40) * 0.8, (j - 35) * 0.8, (k - 15) * 2.5) <= 12;
  const inVessel = (i: number, j: number) => Math.abs(j - 35) <= 2 && i > 40;
  for (let k = 0, o = 0; k < 30; k++) for (let j = 0; j < 70; j++) for (let i = 0; i < 80; i++, o++) data[o] = (inNode(i, j, k) || inVessel(i, j) ? 60 : -100) + noise();
  const volume = new Volume({ dimensions: dims, spacing, origin: [0, 0, 0], direction: IDENTITY, data });

  it('grows over the node from a click and stops at the radius along a connected vessel', () => {
    const r = regionGrow(volume, centre, { toleranceHu: 60, radiusMm: 20 });
    assert.ok(Math.abs(r.seedHu - 60) < 15);
    let nodeMissed = 0;
    volume.data.forEach((_v, o) => {
      const i = o % 80;
      const j = Math.floor(o / 80) % 70;
      const k = Math.floor(o / 5600);
      if (inNode(i, j, k) && !r.mask.get(i, j, k)) nodeMissed++;
    });
    assert.equal(nodeMissed, 0);
    r.mask.forEach((i, j, k) => {
      assert.ok(inNode(i, j, k) || inVessel(i, j), 'no fat joins');
      assert.ok(Math.hypot((i - 40) * 0.8, (j - 35) * 0.8, (k - 15) * 2.5) <= 20 + 1e-9, 'within the radius');
    });
  });

  it('limits growth to the slice when asked', () => {
    const r = regionGrow(volume, centre, { toleranceHu: 60, radiusMm: 20, scope: 'slice', plane: { axis: 2, index: 15 } });
    r.mask.forEach((_i, _j, k) => assert.equal(k, 15));
    assert.ok(r.voxels > 500);
    assert.throws(() => regionGrow(volume, [200, 0, 0]), /outside the image/);
  });
});
