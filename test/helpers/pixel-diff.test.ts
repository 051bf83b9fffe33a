import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffImages, pixelDiff } from './pixel-diff.ts';

const image = (w: number, h: number, fill: (x: number, y: number) => [number, number, number, number]) => {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(fill(x, y), 4 * (y * w + x));
  return { width: w, height: h, data };
};

test('identical images match with no differing pixel', () => {
  const a = image(20, 10, (x, y) => [x * 10, y * 20, 0, 255]);
  const r = diffImages(a, image(20, 10, (x, y) => [x * 10, y * 20, 0, 255]));
  assert.equal(r.match, true);
  assert.equal(r.differingPixels, 0);
  assert.equal(r.maxDelta, 0);
});

test('small differences within the channel tolerance are ignored', () => {
  const a = image(10, 10, () => [100, 100, 100, 255]);
  const b = image(10, 10, () => [120, 90, 100, 255]);
  const r = diffImages(a, b, { channelTolerance: 24 });
  assert.equal(r.match, true);
  assert.equal(r.maxDelta, 20);
});

test('a few strongly differing pixels pass under the fraction, more fail with a reason', () => {
  const base = image(100, 100, () => [0, 0, 0, 255]);
  const few = image(100, 100, (x, y) => (x === 5 && y < 40 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
  assert.equal(diffImages(few, base, { maxFraction: 0.005 }).match, true); // 40 / 10 000 = 0.4 %
  const many = image(100, 100, (x, y) => (x < 2 && y < 40 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
  const r = diffImages(many, base, { maxFraction: 0.005 });
  assert.equal(r.match, false);
  assert.equal(r.differingPixels, 80);
  assert.match(r.reason, /80 of 10000 pixels/);
  // The visualisation marks exactly the differing pixels red.
  assert.deepEqual([...r.diff!.slice(0, 4)], [255, 0, 0, 255]);
});

test('a size change never matches', () => {
  const r = diffImages(image(10, 10, () => [0, 0, 0, 255]), image(10, 11, () => [0, 0, 0, 255]));
  assert.equal(r.match, false);
  assert.match(r.reason, /size 10×10 differs/);
  assert.equal(r.diff, null);
});

test('pixelDiff counts the pixels beyond a threshold', () => {
  const a = image(10, 10, (x) => [x < 3 ? 200 : 0, 0, 0, 255]);
  const b = image(10, 10, () => [0, 0, 0, 255]);
  assert.deepEqual(pixelDiff(a, b, 8), { differing: 30, fraction: 0.3, maxDelta: 200 });
  assert.equal(pixelDiff(a, b, 250).differing, 0);
  assert.throws(() => pixelDiff(a, image(5, 5, () => [0, 0, 0, 255])), RangeError);
});
