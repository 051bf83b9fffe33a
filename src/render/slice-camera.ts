/**
 * Pure view geometry for 2D slice views: which plane a view cuts, and where its orthographic camera sits.
 * Kept free of vtk.js and the DOM so the orientation rules (the part a clinician notices first when it is
 * wrong) are unit-tested in Node against analytic answers; the vtk.js adapter only copies the numbers.
 */
import { type ImageGeometry, type Vec3, GridTransform, add, axis, cross, dot, norm, normalize, scale, sub } from '../domain/geometry.ts';

/** The three standard patient-space views. */
export type ViewOrientation = 'axial' | 'coronal' | 'sagittal';

/** How a view looks at the patient: the direction the camera looks along and the patient direction shown up. */
export interface ViewConvention {
  /** Unit vector (LPS) from the camera into the patient. */
  readonly directionOfProjection: Vec3;
  /** Unit vector (LPS) that points up on screen. */
  readonly viewUp: Vec3;
}

/**
 * Radiological display conventions in LPS. Axial is seen from the feet with anterior up, coronal from the
 * front with superior up, so in both the patient's right is on the screen's left; sagittal is seen from the
 * patient's left with superior up, so anterior is on the screen's left. These are the conventions of
 * clinical treatment-planning systems; they do not depend on how the scanner stored rows and columns, so a
 * prone or feet-first series is still shown in the same frame.
 */
export const VIEW_CONVENTIONS: Readonly<Record<ViewOrientation, ViewConvention>> = {
  axial: { directionOfProjection: [0, 0, 1], viewUp: [0, -1, 0] },
  coronal: { directionOfProjection: [0, 1, 0], viewUp: [0, 0, 1] },
  sagittal: { directionOfProjection: [-1, 0, 0], viewUp: [0, 0, 1] },
};

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
  const t = new GridTransform(geometry);
  const [nx, ny] = geometry.dimensions;
  return {
    origin: t.toPatient([(nx - 1) / 2, (ny - 1) / 2, k]),
    normal: normalize(cross(axis(geometry.direction, 0), axis(geometry.direction, 1))),
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
export function sliceCamera(geometry: ImageGeometry, plane: PatientPlane, aspect: number): SliceCamera {
  if (!(aspect > 0) || !Number.isFinite(aspect)) throw new RangeError(`viewport aspect must be a positive number, got ${aspect}`);
  const n = normalize(plane.normal);
  const orientation = orientationOfNormal(n);
  const convention = VIEW_CONVENTIONS[orientation];
  const dop = dot(n, convention.directionOfProjection) >= 0 ? n : scale(n, -1);
  // The convention's up is exact for an orthogonal acquisition; for an oblique plane use its projection
  // onto the plane, which is the in-plane direction closest to the conventional one.
  const upInPlane = sub(convention.viewUp, scale(dop, dot(convention.viewUp, dop)));
  const viewUp = normalize(upInPlane);
  const viewRight = cross(dop, viewUp);

  const corners = gridCorners(geometry);
  const centre = scale(corners.reduce(add), 1 / corners.length);
  const focalPoint = sub(centre, scale(dop, dot(sub(centre, plane.origin), dop)));
  let halfWidth = 0;
  let halfHeight = 0;
  let radius = 0;
  for (const c of corners) {
    const d = sub(c, focalPoint);
    halfWidth = Math.max(halfWidth, Math.abs(dot(d, viewRight)));
    halfHeight = Math.max(halfHeight, Math.abs(dot(d, viewUp)));
    radius = Math.max(radius, norm(d));
  }
  const parallelScale = Math.max(halfHeight, halfWidth / aspect);
  // Any distance beyond the volume works for a parallel projection; one volume diameter keeps the whole
  // volume in front of the camera whatever the slice.
  const position = sub(focalPoint, scale(dop, 2 * radius));
  return { orientation, focalPoint, position, directionOfProjection: dop, viewUp, viewRight, parallelScale };
}
