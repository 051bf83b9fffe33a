import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cross,
  dot,
  fromAxes,
  GridTransform,
  IDENTITY,
  normalize,
  rotation,
  sub,
  type ImageGeometry,
  type Vec3,
} from '../domain/geometry.ts';
import {
  anteriorCamera,
  geometryBounds,
  pointBounds,
  slicePlaneCorners,
  slicePositionsAt,
  unionBounds,
  type Bounds,
} from './surface-scene.ts';
import { VOLUME_PRESETS, VOLUME_PRESET_NAMES, isVolumePresetName } from './volume-presets.ts';

const axial: ImageGeometry = {
  dimensions: [100, 80, 40],
  spacing: [2, 2.5, 3],
  origin: [-99, -50, -300],
  direction: IDENTITY,
};
const close = (a: readonly number[], b: readonly number[], tol = 1e-9) =>
  a.every((x, i) => Math.abs(x - b[i]) <= tol);

describe('slicePlaneCorners', () => {
  it('frames the axial, coronal and sagittal planes of an axial grid at their slice, to the outer voxel edges', () => {
    const ax = slicePlaneCorners(axial, 'axial', 10)!;
    // Slice k = 10 is at z = −300 + 30; the frame spans x −100…100, y −51.25…148.75.
    for (const p of ax) assert.equal(p[2], -270);
    assert.deepEqual(
      ax.map((p) => [p[0], p[1]]),
      [
        [-100, -51.25],
        [100, -51.25],
        [100, 148.75],
        [-100, 148.75],
      ],
    );
    for (const p of slicePlaneCorners(axial, 'coronal', 4)!) assert.equal(p[1], -40);
    for (const p of slicePlaneCorners(axial, 'sagittal', 99)!) assert.equal(p[0], 99);
    assert.equal(slicePlaneCorners(axial, 'axial', 40), null, 'beyond the last slice');
    assert.equal(slicePlaneCorners(axial, 'sagittal', -1), null);
    assert.ok(
      slicePlaneCorners(axial, 'axial', 39.5),
      'the outer edge of the last slice is still on the grid',
    );
  });

  it('follows an oblique grid: the frame lies in the plane of the index slice', () => {
    const oblique: ImageGeometry = { ...axial, direction: rotation([1, 1, 0], 25) };
    const t = new GridTransform(oblique);
    const corners = slicePlaneCorners(oblique, 'axial', 7)!;
    const normal = normalize(cross(sub(corners[1], corners[0]), sub(corners[3], corners[0])));
    const kAxis = normalize(sub(t.toPatient([0, 0, 1]), t.toPatient([0, 0, 0])));
    assert.ok(
      Math.abs(Math.abs(dot(normal, kAxis)) - 1) < 1e-9,
      'the frame is perpendicular to the slice axis',
    );
    for (const c of corners) assert.ok(Math.abs(t.toIndex(c)[2] - 7) < 1e-9);
  });
});

describe('slice planes of a sagittally acquired series', () => {
  // Rows run along the body axis: i → posterior, j → inferior, k (the stored slices) → the patient's left.
  const sagittal: ImageGeometry = {
    dimensions: [60, 90, 30],
    spacing: [2, 2, 4],
    origin: [-60, -60, 80],
    direction: fromAxes([0, 1, 0], [0, 0, -1], [1, 0, 0]),
  };

  it('draws the sagittal plane at the stored slice and the axial plane across the rows', () => {
    for (const p of slicePlaneCorners(sagittal, 'sagittal', 5)!) assert.equal(p[0], -60 + 5 * 4);
    // The axial view slices this grid along j (rows), so axial index 10 is z = 80 − 10·2.
    for (const p of slicePlaneCorners(sagittal, 'axial', 10)!) assert.equal(p[2], 60);
    for (const p of slicePlaneCorners(sagittal, 'coronal', 3)!) assert.equal(p[1], -60 + 3 * 2);
    assert.equal(slicePlaneCorners(sagittal, 'sagittal', 30), null, 'k has 30 slices');
    assert.ok(slicePlaneCorners(sagittal, 'axial', 80), 'j has 90');
  });

  it('finds the slices through a crosshair point', () => {
    const t = new GridTransform(sagittal);
    const point = t.toPatient([12.3, 40.6, 7.2]);
    assert.deepEqual(slicePositionsAt(sagittal, point), { sagittal: 7, axial: 41, coronal: 12 });
    assert.deepEqual(slicePositionsAt(axial, [1e4, -1e4, 0]), { sagittal: 99, coronal: 0, axial: 39 });
  });
});

describe('bounds', () => {
  it('computes grid, point and union bounds', () => {
    assert.deepEqual(geometryBounds(axial), [-100, 100, -51.25, 148.75, -301.5, -181.5]);
    assert.deepEqual(pointBounds(new Float32Array([1, 2, 3, -1, 5, 0])), [-1, 1, 2, 5, 0, 3]);
    assert.equal(pointBounds(new Float32Array(0)), null);
    const a: Bounds = [0, 1, 0, 1, 0, 1];
    assert.deepEqual(unionBounds([null, a, [-1, 0.5, 0, 3, 0.5, 0.6]]), [-1, 1, 0, 3, 0, 1]);
    assert.equal(unionBounds([null]), null);
  });
});

describe('anteriorCamera', () => {
  it('looks from the front with the head up, so the patient’s left is on the screen’s right', () => {
    const bounds: Bounds = [-150, 150, -100, 120, -300, 0];
    const camera = anteriorCamera(bounds, 4 / 3);
    assert.deepEqual(camera.focalPoint, [0, 10, -150]);
    const look = normalize(sub(camera.focalPoint, camera.position));
    assert.ok(close(look, [0, 1, 0]), 'looks posteriorly (+y)');
    assert.deepEqual(camera.viewUp, [0, 0, 1]);
    const right: Vec3 = cross(look, camera.viewUp);
    assert.ok(close(right, [1, 0, 0]), 'screen right is +x, the patient’s left (LPS)');
  });

  it('stands far enough for the bounding sphere to fit the narrower view angle', () => {
    const bounds: Bounds = [-100, 100, -100, 100, -100, 100];
    const radius = Math.sqrt(3) * 100;
    const wide = anteriorCamera(bounds, 2, 30);
    const distance = (c: ReturnType<typeof anteriorCamera>) => Math.hypot(...sub(c.position, c.focalPoint));
    assert.ok(Math.abs(distance(wide) - radius / Math.sin(Math.PI / 12)) < 1e-6);
    // Portrait: the horizontal half-angle atan(tan(15°)·0.5) is the limit, so the camera moves back.
    const tall = anteriorCamera(bounds, 0.5, 30);
    assert.ok(Math.abs(distance(tall) - radius / Math.sin(Math.atan(Math.tan(Math.PI / 12) * 0.5))) < 1e-6);
  });
});

describe('volume presets', () => {
  it('are well-formed transfer functions in HU', () => {
    assert.deepEqual(VOLUME_PRESET_NAMES, ['ct-bone', 'ct-soft-tissue', 'ct-lung']);
    for (const name of VOLUME_PRESET_NAMES) {
      const p = VOLUME_PRESETS[name];
      assert.equal(p.name, name);
      for (const list of [p.colors.map((c) => c[0]), p.opacities.map((o) => o[0])]) {
        for (let i = 1; i < list.length; i++) assert.ok(list[i] > list[i - 1], `${name}: HU points increase`);
      }
      for (const [, r, g, b] of p.colors) for (const x of [r, g, b]) assert.ok(x >= 0 && x <= 1);
      for (const [, a] of p.opacities) assert.ok(a >= 0 && a <= 1);
      assert.ok(p.unitDistanceMm > 0);
    }
    // Bone is opaque where lung is transparent, and the reverse.
    const opacityAt = (name: keyof typeof VOLUME_PRESETS, hu: number) => {
      const o = VOLUME_PRESETS[name].opacities;
      const i = o.findIndex(([x]) => x >= hu);
      if (i <= 0) return o[Math.max(0, i)][1];
      const [x0, a0] = o[i - 1];
      const [x1, a1] = o[i];
      return a0 + ((hu - x0) / (x1 - x0)) * (a1 - a0);
    };
    assert.ok(opacityAt('ct-bone', 700) > 0.5 && opacityAt('ct-lung', 700) === 0);
    assert.ok(opacityAt('ct-lung', -600) > 0.05 && opacityAt('ct-bone', -600) === 0);
    assert.ok(isVolumePresetName('ct-lung') && !isVolumePresetName('mip') && !isVolumePresetName('toString'));
  });
});
