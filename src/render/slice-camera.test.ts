import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GridTransform, IDENTITY, type ImageGeometry, type Vec3, directionFromOrientation, dot, fromAxes, rotation, sub } from '../domain/geometry.ts';
import { gridAxesForViews, gridAxisForView } from '../domain/view-axes.ts';
import {
  gridSlicePlane,
  indexSlicePlane,
  mmPerPixel,
  orientationLabels,
  orientationOfNormal,
  patientToViewport,
  sliceCamera,
  viewportToPatient,
} from './slice-camera.ts';

const close = (actual: Vec3, expected: Vec3, tol = 1e-9) =>
  assert.ok(
    actual.every((v, i) => Math.abs(v - expected[i]) <= tol),
    `expected [${expected.join(', ')}], got [${actual.join(', ')}]`,
  );

const axial: ImageGeometry = { dimensions: [100, 50, 20], spacing: [1, 2, 3], origin: [-50, -40, 10], direction: IDENTITY };

test('an axial series is seen from the feet with anterior up: patient left (+x) is screen right', () => {
  const cam = sliceCamera(axial, indexSlicePlane(axial, 5), 1);
  assert.equal(cam.orientation, 'axial');
  close(cam.directionOfProjection, [0, 0, 1]);
  close(cam.viewUp, [0, -1, 0]);
  close(cam.viewRight, [1, 0, 0]);
});

test('the focal point lies on slice k, at the centre of the grid in-plane', () => {
  const cam = sliceCamera(axial, indexSlicePlane(axial, 5), 1);
  // x: −50 + 49.5·1, y: −40 + 24.5·2, z: 10 + 5·3.
  close(cam.focalPoint, [-0.5, 9, 25]);
  assert.ok(cam.position[2] < cam.focalPoint[2], 'the camera sits inferior to the slice, looking up the patient');
});

test('the zoom fits the whole slice: the larger of half-height and half-width / aspect', () => {
  // Slice extent: 100 mm wide (x), 100 mm tall (y = 50 rows × 2 mm).
  assert.equal(sliceCamera(axial, indexSlicePlane(axial, 0), 1).parallelScale, 50);
  assert.equal(sliceCamera(axial, indexSlicePlane(axial, 0), 0.5).parallelScale, 100);
  assert.equal(sliceCamera(axial, indexSlicePlane(axial, 0), 4).parallelScale, 50);
});

test('zoom and pan do not change while scrolling through slices', () => {
  const a = sliceCamera(axial, indexSlicePlane(axial, 0), 1.3);
  const b = sliceCamera(axial, indexSlicePlane(axial, 19), 1.3);
  assert.equal(a.parallelScale, b.parallelScale);
  close([a.focalPoint[0], a.focalPoint[1], 0], [b.focalPoint[0], b.focalPoint[1], 0]);
  assert.equal(b.focalPoint[2] - a.focalPoint[2], 19 * 3);
});

test('a prone series stored with flipped rows and columns is still shown in the radiological frame', () => {
  const prone: ImageGeometry = { ...axial, direction: directionFromOrientation([-1, 0, 0, 0, -1, 0]) };
  const cam = sliceCamera(prone, indexSlicePlane(prone, 3), 1);
  assert.equal(cam.orientation, 'axial');
  close(cam.directionOfProjection, [0, 0, 1]);
  close(cam.viewUp, [0, -1, 0]);
  close(cam.viewRight, [1, 0, 0]);
});

test('coronal and sagittal acquisitions get their own conventions', () => {
  const coronal: ImageGeometry = { ...axial, direction: directionFromOrientation([1, 0, 0, 0, 0, -1]) };
  const c = sliceCamera(coronal, indexSlicePlane(coronal, 0), 1);
  assert.equal(c.orientation, 'coronal');
  close(c.directionOfProjection, [0, 1, 0]);
  close(c.viewUp, [0, 0, 1]);
  close(c.viewRight, [1, 0, 0]);

  const sagittal: ImageGeometry = { ...axial, direction: directionFromOrientation([0, 1, 0, 0, 0, -1]) };
  const s = sliceCamera(sagittal, indexSlicePlane(sagittal, 0), 1);
  assert.equal(s.orientation, 'sagittal');
  close(s.directionOfProjection, [-1, 0, 0]);
  close(s.viewUp, [0, 0, 1]);
  close(s.viewRight, [0, 1, 0], 1e-9); // anterior (−y) on the screen's left
});

test('a gantry-tilted series slices perpendicular to rows and columns, not along the stacking axis', () => {
  const tilt = rotation([1, 0, 0], 20);
  // Rows along x, columns tilted by 20° about x; slices still stacked straight along z (a sheared grid).
  const col: Vec3 = [tilt[3], tilt[4], tilt[5]];
  const tilted: ImageGeometry = { ...axial, direction: fromAxes([1, 0, 0], col, [0, 0, 1]) };
  const plane = indexSlicePlane(tilted, 2);
  close(plane.normal, [tilt[6], tilt[7], tilt[8]], 1e-12);
  const cam = sliceCamera(tilted, plane, 1);
  assert.equal(cam.orientation, 'axial');
  close(cam.directionOfProjection, plane.normal, 1e-12);
  // The up vector stays in the plane and as close to anterior as the plane allows.
  assert.ok(Math.abs(cam.viewUp[0] * plane.normal[0] + cam.viewUp[1] * plane.normal[1] + cam.viewUp[2] * plane.normal[2]) < 1e-12);
  assert.ok(cam.viewUp[1] < -0.9);
});

test('orientationOfNormal picks the dominant patient axis, sign-blind', () => {
  assert.equal(orientationOfNormal([0.1, 0.2, -0.97]), 'axial');
  assert.equal(orientationOfNormal([0.1, -0.9, 0.3]), 'coronal');
  assert.equal(orientationOfNormal([-0.9, 0.1, 0.3]), 'sagittal');
});

test('a non-positive aspect ratio is refused', () => {
  assert.throws(() => sliceCamera(axial, indexSlicePlane(axial, 0), 0), RangeError);
});

test('gridAxisForView picks the index planes nearest each view, also for a sagittally acquired grid', () => {
  assert.equal(gridAxisForView(axial, 'axial'), 2);
  assert.equal(gridAxisForView(axial, 'coronal'), 1);
  assert.equal(gridAxisForView(axial, 'sagittal'), 0);
  // Rows along +y (anterior → posterior), columns along −z, slices along −x: a sagittal acquisition. Its
  // axial planes hold j fixed (they are spanned by i = y and k = x), its coronal planes i fixed.
  const sagittalGrid: ImageGeometry = { ...axial, direction: fromAxes([0, 1, 0], [0, 0, -1], [-1, 0, 0]) };
  assert.equal(gridAxisForView(sagittalGrid, 'sagittal'), 2);
  assert.equal(gridAxisForView(sagittalGrid, 'axial'), 1);
  assert.equal(gridAxisForView(sagittalGrid, 'coronal'), 0);
  // A grid turned 45° about z: coronal and sagittal fit axes 0 and 1 equally; they still get one each.
  const turned: ImageGeometry = { ...axial, direction: rotation([0, 0, 1], 45) };
  const axes = gridAxesForViews(turned);
  assert.equal(axes.axial, 2);
  assert.deepEqual([axes.coronal, axes.sagittal].sort(), [0, 1]);
});

test('gridSlicePlane passes through the voxel centres of the index plane', () => {
  const g: ImageGeometry = { ...axial, direction: rotation([1, 1, 0], 17) };
  const t = new GridTransform(g);
  for (const a of [0, 1, 2] as const) {
    const plane = gridSlicePlane(g, a, 7);
    for (const corner of [[0, 0, 0], [99, 49, 19], [30, 10, 5]] as Vec3[]) {
      const idx = [...corner] as [number, number, number];
      idx[a] = 7;
      const p = t.toPatient(idx);
      assert.ok(Math.abs(dot(sub(p, plane.origin), plane.normal)) < 1e-9, `axis ${a}: voxel ${idx} lies on the plane`);
    }
  }
});

test('coronal and sagittal index planes follow the radiological conventions', () => {
  const cor = sliceCamera(axial, gridSlicePlane(axial, 1, 3), 1, { orientation: 'coronal' });
  close(cor.viewUp, [0, 0, 1]);
  close(cor.viewRight, [1, 0, 0]); // patient left on screen right, as in axial
  const sag = sliceCamera(axial, gridSlicePlane(axial, 0, 3), 1, { orientation: 'sagittal' });
  close(sag.viewUp, [0, 0, 1]);
  close(sag.viewRight, [0, 1, 0]); // anterior on the left, posterior on the right
  assert.deepEqual(orientationLabels(cor), { left: 'R', right: 'L', top: 'S', bottom: 'I' });
  assert.deepEqual(orientationLabels(sag), { left: 'A', right: 'P', top: 'S', bottom: 'I' });
  assert.deepEqual(orientationLabels(sliceCamera(axial, indexSlicePlane(axial, 0), 1)), { left: 'R', right: 'L', top: 'A', bottom: 'P' });
});

test('orientation labels of an oblique grid name the mixed directions in order of weight', () => {
  // Axial rows turned 40° about z: screen right is mostly left, partly posterior (or anterior).
  const g: ImageGeometry = { ...axial, direction: rotation([0, 0, 1], 40) };
  const cam = sliceCamera(g, indexSlicePlane(g, 0), 1);
  const labels = orientationLabels(cam);
  // The camera keeps the conventional frame for a plane that is still axial: view up is −y exactly.
  assert.deepEqual(labels, { left: 'R', right: 'L', top: 'A', bottom: 'P' });
  // A plane tilted 40° about x: up mixes anterior with superior.
  const tilted: ImageGeometry = { ...axial, direction: rotation([1, 0, 0], 40) };
  const t = orientationLabels(sliceCamera(tilted, indexSlicePlane(tilted, 0), 1));
  assert.equal(t.right, 'L');
  assert.match(t.top, /^A[SI]$/);
  assert.match(t.bottom, /^P[SI]$/);
  assert.notEqual(t.top[1], t.bottom[1]);
});

test('zoom scales the field and pan moves it; viewport mapping round-trips', () => {
  const base = sliceCamera(axial, indexSlicePlane(axial, 5), 1);
  const cam = sliceCamera(axial, indexSlicePlane(axial, 5), 1, { zoom: 2, pan: [10, -4] });
  assert.equal(cam.parallelScale, base.parallelScale / 2);
  const vp = { width: 200, height: 200 };
  // 100 mm across at zoom 1 → 2 px/mm; zoom 2 → 4 px/mm.
  assert.equal(mmPerPixel(cam, vp), 0.25);
  // The fitted centre moved 10 mm right and 4 mm down on screen.
  const [x, y] = patientToViewport(cam, vp, base.focalPoint);
  assert.ok(Math.abs(x - (100 + 40)) < 1e-9 && Math.abs(y - (100 + 16)) < 1e-9, `${x}, ${y}`);
  const p: Vec3 = [3.25, -7.5, 25];
  close(viewportToPatient(cam, vp, patientToViewport(cam, vp, p)), p, 1e-9);
  assert.throws(() => sliceCamera(axial, indexSlicePlane(axial, 5), 1, { zoom: 0 }), RangeError);
});
