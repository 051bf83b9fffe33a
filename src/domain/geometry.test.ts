import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GridTransform, rotation, fromAxes, directionFromOrientation, invertMat3, mulMat3, IDENTITY, type Vec3, type ImageGeometry, GeometryError, voxelVolumeMm3, orientationLabel, axis } from './geometry.ts';

const close = (a: Vec3, b: Vec3, tol: number) => {
  for (let x = 0; x < 3; x++) assert.ok(Math.abs(a[x] - b[x]) <= tol, `component ${x}: ${a[x]} vs ${b[x]} (tol ${tol})`);
};

describe('index ↔ patient transforms', () => {
  it('maps an axis-aligned grid exactly (origin + spacing·index)', () => {
    const g: ImageGeometry = { dimensions: [512, 512, 134], spacing: [0.977, 0.977, 3], origin: [-250, -250, -400], direction: IDENTITY };
    const t = new GridTransform(g);
    close(t.toPatient([0, 0, 0]), [-250, -250, -400], 1e-12);
    close(t.toPatient([511, 10, 133]), [-250 + 511 * 0.977, -250 + 10 * 0.977, -400 + 133 * 3], 1e-9);
    close(t.toIndex([-250 + 0.977 * 2.5, -250, -394]), [2.5, 0, 2], 1e-9);
  });

  it('honours flipped axes (a NIfTI-like RAS grid in LPS has direction diag(-1,-1,1))', () => {
    const g: ImageGeometry = { dimensions: [10, 10, 10], spacing: [2, 3, 4], origin: [100, 50, 0], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] };
    const t = new GridTransform(g);
    close(t.toPatient([1, 1, 1]), [98, 47, 4], 1e-12);
  });

  it('round-trips oblique grids to 1e-6 mm', () => {
    const dir = mulMat3(rotation([1, 0, 0], 23), rotation([0, 0, 1], -37));
    const g: ImageGeometry = { dimensions: [512, 512, 200], spacing: [0.98, 0.98, 2.5], origin: [-231.4, 17.2, 880.5], direction: dir };
    const t = new GridTransform(g);
    let worst = 0;
    for (let n = 0; n < 1000; n++) {
      const idx: Vec3 = [(n * 7919) % 512, (n * 104729) % 512, (n * 31) % 200];
      const p = t.toPatient(idx);
      const back = t.toIndex(p);
      const again = t.toPatient(back);
      worst = Math.max(worst, Math.hypot(again[0] - p[0], again[1] - p[1], again[2] - p[2]));
      close(back, idx, 1e-9);
    }
    assert.ok(worst < 1e-6, `worst round-trip error ${worst} mm`);
  });

  it('steps along the DICOM row/column cosines for an oblique ImageOrientationPatient', () => {
    const c = Math.SQRT1_2;
    const d = directionFromOrientation([c, c, 0, 0, 0, -1]);
    // row = (c, c, 0), column = (0, 0, -1), normal = row × column = (-c, c, 0)
    close(axis(d, 2), [-c, c, 0], 1e-12);
    const t = new GridTransform({ dimensions: [4, 4, 4], spacing: [1, 2, 3], origin: [0, 0, 0], direction: d });
    close(t.toPatient([1, 0, 0]), [c, c, 0], 1e-12);
    close(t.toPatient([0, 1, 0]), [0, 0, -2], 1e-12);
    close(t.toPatient([0, 0, 1]), [-3 * c, 3 * c, 0], 1e-12);
  });

  it('maps a sheared (gantry-tilted) grid exactly with a full inverse', () => {
    const tilt = (15 * Math.PI) / 180;
    const k: Vec3 = [0, Math.sin(tilt), Math.cos(tilt)];
    const g: ImageGeometry = { dimensions: [8, 8, 8], spacing: [1, 1, 2], origin: [0, 0, 0], direction: fromAxes([1, 0, 0], [0, 1, 0], k) };
    const t = new GridTransform(g);
    close(t.toIndex(t.toPatient([3, 4, 5])), [3, 4, 5], 1e-12);
    // The voxel volume of a sheared grid is the determinant, smaller than the spacing product.
    assert.ok(Math.abs(voxelVolumeMm3(g) - 2 * Math.cos(tilt)) < 1e-12);
  });

  it('rejects unusable geometry with a named problem', () => {
    assert.throws(() => new GridTransform({ dimensions: [4, 4, 4], spacing: [1, 0, 1], origin: [0, 0, 0], direction: IDENTITY }), GeometryError);
    assert.throws(() => new GridTransform({ dimensions: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 1, 0, 0, 0, 0, 1] }), /singular/);
    assert.throws(() => invertMat3([0, 0, 0, 0, 0, 0, 0, 0, 0]), /singular/);
  });

  it('labels directions with patient orientation letters', () => {
    assert.equal(orientationLabel([1, 0, 0]), 'L');
    assert.equal(orientationLabel([0, -1, 0]), 'A');
    assert.equal(orientationLabel([0, 0, -1]), 'I');
    const c = Math.SQRT1_2;
    assert.equal(orientationLabel([-c, 0, c]), 'RS');
  });
});
