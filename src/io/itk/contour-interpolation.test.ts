import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IDENTITY, type ImageGeometry } from '../../domain/geometry.ts';
import { BinaryMask } from '../../domain/mask.ts';
import { interpolateBetweenSlicesNode } from './contour-interpolation-node.ts';
import { InterpolationError } from './contour-interpolation.ts';

const g: ImageGeometry = { dimensions: [96, 96, 24], spacing: [1, 1, 2.5], origin: [0, 0, 0], direction: IDENTITY };
const disc = (m: BinaryMask, k: number, r: number, ci = 48, cj = 48) => {
  for (let j = 0; j < 96; j++) for (let i = 0; i < 96; i++) if ((i - ci) ** 2 + (j - cj) ** 2 <= r * r) m.set(i, j, k, true);
};
const areaOf = (m: BinaryMask, k: number) => m.readAxial(k).reduce((a, b) => a + b, 0);

describe('interpolation between contoured slices', () => {
  it('fills the slices between two discs with areas between theirs, radius varying about linearly', async () => {
    const m = new BinaryMask(g.dimensions);
    disc(m, 4, 20);
    disc(m, 14, 8);
    const out = await interpolateBetweenSlicesNode(m, g, 2);
    // Drawn slices are kept exactly.
    assert.deepEqual(out.readAxial(4), m.readAxial(4));
    assert.deepEqual(out.readAxial(14), m.readAxial(14));
    let previous = areaOf(out, 4);
    for (let k = 5; k < 14; k++) {
      const a = areaOf(out, k);
      assert.ok(a > 0 && a <= previous, `slice ${k}: area ${a} should shrink monotonically from ${previous}`);
      const t = (k - 4) / 10;
      const r = 20 + (8 - 20) * t;
      const expected = Math.PI * r * r;
      assert.ok(Math.abs(a - expected) / expected < 0.2, `slice ${k}: area ${a} vs ${expected.toFixed(0)} for r = ${r}`);
      previous = a;
    }
    assert.equal(areaOf(out, 3), 0);
    assert.equal(areaOf(out, 15), 0);
  });

  it('follows a shifted contour (the intermediate centre moves between the drawn ones)', async () => {
    const m = new BinaryMask(g.dimensions);
    disc(m, 2, 10, 30, 48);
    disc(m, 12, 10, 60, 48);
    const out = await interpolateBetweenSlicesNode(m, g, 2);
    const mid = out.readAxial(7);
    let sx = 0;
    let n = 0;
    mid.forEach((v, o) => {
      if (v) {
        sx += o % 96;
        n++;
      }
    });
    assert.ok(n > 0);
    assert.ok(Math.abs(sx / n - 45) < 4, `centre of the middle slice at i = ${(sx / n).toFixed(1)}`);
  });

  it('explains when there is nothing to interpolate', async () => {
    const m = new BinaryMask(g.dimensions);
    await assert.rejects(interpolateBetweenSlicesNode(m, g, 2), InterpolationError);
    disc(m, 5, 6);
    disc(m, 6, 6);
    await assert.rejects(interpolateBetweenSlicesNode(m, g, 2), /no gap/);
  });
});
