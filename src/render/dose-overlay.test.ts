import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IDENTITY, type ImageGeometry } from '../domain/geometry.ts';
import { Volume } from '../domain/volume.ts';
import { doseColor, doseWashPixels, isodoseLevels, isodoseSegments, sampleDoseOnSlice } from './dose-overlay.ts';

const ct: ImageGeometry = { dimensions: [64, 64, 8], spacing: [1, 1, 2], origin: [-32, -32, 0], direction: IDENTITY };

describe('dose overlay', () => {
  it('samples the dose at the CT pixel centres of a slice, NaN outside the dose grid', () => {
    // A coarser dose grid covering x ≥ 0 only, dose = 10 + x (linear: trilinear reproduces it exactly).
    const g: ImageGeometry = { dimensions: [12, 24, 6], spacing: [3, 3, 3], origin: [0, -34, -2], direction: IDENTITY };
    const data = new Float32Array(12 * 24 * 6).map((_, n) => 10 + 3 * (n % 12));
    const slice = sampleDoseOnSlice(new Volume({ ...g, data, modality: 'RTDOSE' }), ct, { axis: 2, index: 3 });
    assert.equal(slice.nu, 64);
    assert.equal(slice.nv, 64);
    // u = 40 is x = 8 mm; u = 10 is x = −22 mm, outside.
    assert.ok(Math.abs(slice.values[40 + 64 * 30]! - 18) < 1e-4);
    assert.ok(Number.isNaN(slice.values[10 + 64 * 30]!));
  });

  it('draws an isodose of a radial dose on its circle, within a tenth of a pixel', () => {
    const n = 64;
    const values = new Float32Array(n * n);
    for (let v = 0; v < n; v++) for (let u = 0; u < n; u++) values[u + n * v] = 60 - Math.hypot(u - 32, v - 32);
    const segments = isodoseSegments(values, n, n, 40); // the circle of radius 20
    assert.ok(segments.length > 4 * 60);
    for (let s = 0; s < segments.length; s += 2) {
      const r = Math.hypot(segments[s]! - 32, segments[s + 1]! - 32);
      assert.ok(Math.abs(r - 20) < 0.1, String(r));
    }
    assert.equal(isodoseSegments(values, n, n, 100).length, 0);
  });

  it('washes doses from blue to red, leaving doses under the range and outside the grid transparent', () => {
    assert.deepEqual(doseColor(0), [0, 0, 255]);
    assert.deepEqual(doseColor(1), [255, 0, 0]);
    const px = doseWashPixels(Float32Array.from([5, 10, 70, NaN]), { minGy: 10, maxGy: 70, opacity: 0.5 });
    assert.equal(px[3], 0);
    assert.deepEqual([...px.slice(4, 8)], [0, 0, 255, 128]);
    assert.deepEqual([...px.slice(8, 12)], [255, 0, 0, 128]);
    assert.equal(px[15], 0);
    assert.deepEqual(isodoseLevels(70).map((l) => Math.round(l.gy * 10) / 10), [74.9, 70, 66.5, 63, 56, 35, 21]);
  });
});
