/**
 * Pure view geometry for 2D slice views: which plane a view cuts, and where its orthographic camera sits.
 * Kept free of vtk.js and the DOM so the orientation rules (the part a clinician notices first when it is
 * wrong) are unit-tested in Node against analytic answers; the vtk.js adapter only copies the numbers.
 */
import { type ImageGeometry, type Vec3, GridTransform, add, axis, cross, dot, norm, normalize, orientationLabel, scale, sub } from '../domain/geometry.ts';
import type { SliceAxis } from '../domain/mask.ts';
import { planeAxes } from '../domain/tools/paint.ts';
import { VIEW_CONVENTIONS, type ViewOrientation } from '../domain/view-axes.ts';

/** A plane in patient space (LPS, mm). */
export interface PatientPlane {
  /** A point on the plane. */
  readonly origin: Vec3;
  /** Unit normal. Its sign carries no meaning for slicing; the camera picks its own. */
  readonly normal: Vec3;
}

/** An orthographic camera for a slice view, in patient coordinates (LPS, mm). */
export interface SliceCamera {
  readonly orientation: ViewOrientation;
  /** On the slice plane, at the projection of the volume's centre: the centre of the viewport. */
  readonly focalPoint: Vec3;
  readonly position: Vec3;
  /** Unit vector from the camera into the scene; ± the plane normal. */
  readonly directionOfProjection: Vec3;
  /** Unit vector pointing up on screen, in the plane. */
  readonly viewUp: Vec3;
  /** Unit vector pointing right on screen, in the plane (directionOfProjection × viewUp). */
  readonly viewRight: Vec3;
  /** Half the viewport height in mm (vtk.js's parallel scale). */
  readonly parallelScale: number;
}

/** Zoom and pan of a slice view, on top of the fitted camera. */
export interface SliceCameraOptions {
  /** The display convention; by default the standard view nearest the plane's normal. */
  readonly orientation?: ViewOrientation;
  /** Magnification relative to fitting the whole volume (1 = fit, 2 = twice as large). */
  readonly zoom?: number;
  /**
   * How far the image is moved on screen, in mm along the view's right and up directions: pan [10, 0]
   * moves the image 10 mm (of patient) to the right.
   */
  readonly pan?: readonly [number, number];
}

/**
 * The standard view whose direction of projection is closest to ±`normal`: an axial acquisition, even a
 * gantry-tilted one, is an axial view. Ties (exact 45° obliques) resolve axial, then coronal, then sagittal.
 */
export function orientationOfNormal(normal: Vec3): ViewOrientation {
  const [x, y, z] = normal.map(Math.abs);
  if (z >= y && z >= x) return 'axial';
  if (y >= x) return 'coronal';
  return 'sagittal';
}

/**
 * The plane of stored slice `k` (the acquisition plane): it contains the centres of every voxel with that
 * k, and its normal is perpendicular to the row and column directions. For a gantry-tilted series that
 * normal differs from the stacking direction (axis k), which is why it is not simply `axis(direction, 2)`.
 */
export function indexSlicePlane(geometry: ImageGeometry, k: number): PatientPlane {
  return gridSlicePlane(geometry, 2, k);
}


/**
 * The plane of the voxels whose index along grid axis `a` equals `index` (a sagittal, coronal or axial
 * index plane of the grid, whatever the patient orientation): it contains every such voxel centre, and its
 * normal is perpendicular to the two in-plane index axes (for a sheared grid this differs from axis `a`).
 */
export function gridSlicePlane(geometry: ImageGeometry, a: SliceAxis, index: number): PatientPlane {
  const t = new GridTransform(geometry);
  const centre = geometry.dimensions.map((n) => (n - 1) / 2);
  centre[a] = index;
  const [u, v] = planeAxes(a);
  return {
    origin: t.toPatient(centre as unknown as Vec3),
    normal: normalize(cross(axis(geometry.direction, u), axis(geometry.direction, v))),
  };
}

/** The eight outer corners of a grid (voxel edges, not centres), in patient coordinates. */
export function gridCorners(geometry: ImageGeometry): Vec3[] {
  const t = new GridTransform(geometry);
  const [nx, ny, nz] = geometry.dimensions;
  const corners: Vec3[] = [];
  for (const k of [-0.5, nz - 0.5]) for (const j of [-0.5, ny - 0.5]) for (const i of [-0.5, nx - 0.5]) corners.push(t.toPatient([i, j, k]));
  return corners;
}

/**
 * The camera that shows `plane` through `geometry` in a viewport of width/height `aspect`: looking along
 * the plane normal in the radiological convention of the nearest standard view, centred on the projection
 * of the volume's centre and zoomed so that the whole volume's outline fits. Fitting the whole volume,
 * not the current cut, keeps zoom and pan fixed while the user scrolls through slices.
 */
export function sliceCamera(geometry: ImageGeometry, plane: PatientPlane, aspect: number, view: SliceCameraOptions = {}): SliceCamera {
  if (!(aspect > 0) || !Number.isFinite(aspect)) throw new RangeError(`viewport aspect must be a positive number, got ${aspect}`);
  const zoom = view.zoom ?? 1;
  if (!(zoom > 0) || !Number.isFinite(zoom)) throw new RangeError(`zoom must be a positive number, got ${zoom}`);
  const pan = view.pan ?? [0, 0];
  const n = normalize(plane.normal);
  const orientation = view.orientation ?? orientationOfNormal(n);
  const convention = VIEW_CONVENTIONS[orientation];
  const dop = dot(n, convention.directionOfProjection) >= 0 ? n : scale(n, -1);
  // The convention's up is exact for an orthogonal acquisition; for an oblique plane use its projection
  // onto the plane, which is the in-plane direction closest to the conventional one.
  const upInPlane = sub(convention.viewUp, scale(dop, dot(convention.viewUp, dop)));
  const viewUp = normalize(upInPlane);
  const viewRight = cross(dop, viewUp);

  const corners = gridCorners(geometry);
  const centre = scale(corners.reduce(add), 1 / corners.length);
  const fitted = sub(centre, scale(dop, dot(sub(centre, plane.origin), dop)));
  let halfWidth = 0;
  let halfHeight = 0;
  let radius = 0;
  for (const c of corners) {
    const d = sub(c, fitted);
    halfWidth = Math.max(halfWidth, Math.abs(dot(d, viewRight)));
    halfHeight = Math.max(halfHeight, Math.abs(dot(d, viewUp)));
    radius = Math.max(radius, norm(d));
  }
  const parallelScale = Math.max(halfHeight, halfWidth / aspect) / zoom;
  // Pan moves the camera, not the plane: the focal point stays on the slice.
  const focalPoint = add(fitted, add(scale(viewRight, -pan[0]), scale(viewUp, -pan[1])));
  // Any distance beyond the volume works for a parallel projection; one volume diameter keeps the whole
  // volume in front of the camera whatever the slice.
  const position = sub(focalPoint, scale(dop, 2 * radius));
  return { orientation, focalPoint, position, directionOfProjection: dop, viewUp, viewRight, parallelScale };
}

/** A viewport size in device pixels. */
export interface ViewportSize {
  readonly width: number;
  readonly height: number;
}

/** Millimetres of patient per device pixel of a camera in a viewport. */
export const mmPerPixel = (camera: SliceCamera, viewport: ViewportSize): number => (2 * camera.parallelScale) / viewport.height;

/**
 * Where a patient point is drawn, in device pixels from the viewport's top-left corner (x right, y down;
 * pixel (0, 0) covers [0, 1) × [0, 1)) — the projection along the view direction, so a point off the slice
 * lands where it would be seen through it. The same affine map vtk.js's orthographic camera applies; the
 * overlay uses it so outlines sit on the image to floating-point precision.
 */
export function patientToViewport(camera: SliceCamera, viewport: ViewportSize, p: Vec3): readonly [number, number] {
  const s = mmPerPixel(camera, viewport);
  const d = sub(p, camera.focalPoint);
  return [viewport.width / 2 + dot(d, camera.viewRight) / s, viewport.height / 2 - dot(d, camera.viewUp) / s];
}

/** The patient point on the slice plane (the plane through the focal point) drawn at a viewport position. */
export function viewportToPatient(camera: SliceCamera, viewport: ViewportSize, point: readonly [number, number]): Vec3 {
  const s = mmPerPixel(camera, viewport);
  const right = (point[0] - viewport.width / 2) * s;
  const up = (viewport.height / 2 - point[1]) * s;
  return add(camera.focalPoint, add(scale(camera.viewRight, right), scale(camera.viewUp, up)));
}

/** The anatomical direction at each edge of a view, e.g. axial radiological: left 'R', right 'L', top 'A', bottom 'P'. */
export interface OrientationLabels {
  readonly left: string;
  readonly right: string;
  readonly top: string;
  readonly bottom: string;
}

/**
 * The orientation markers of a view, from its screen axes in patient space: the patient direction that
 * screen-right points to, and so on. For an oblique plane the label names the two or three directions it
 * mixes, largest first (e.g. 'LA'), so a tilted series is never labelled as if it were straight.
 */
export function orientationLabels(camera: SliceCamera): OrientationLabels {
  const right = camera.viewRight;
  const up = camera.viewUp;
  return {
    right: orientationLabel(right),
    left: orientationLabel(scale(right, -1)),
    top: orientationLabel(up),
    bottom: orientationLabel(scale(up, -1)),
  };
}
