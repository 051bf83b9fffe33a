/**
 * Pure geometry of the 3D view: where the MPR slice planes are drawn, how big the scene is, and where the
 * default camera looks from. Kept free of vtk.js and the DOM so the parts a clinician checks first (is the
 * patient's left on the right of the anterior view? is the axial plane where the axial view is?) are
 * unit-tested in Node; the vtk.js adapter (surface-renderer.ts) only copies the numbers.
 */
import { GridTransform, type ImageGeometry, type Vec3 } from '../domain/geometry.ts';
import { gridAxesForViews, type ViewOrientation } from '../domain/view-axes.ts';

/**
 * Where the three MPR planes are: for each standard view, the index of the slice it shows along the grid
 * axis it slices ({@link gridAxesForViews}: for an axial series axial → k, coronal → j, sagittal → i). These
 * are the `index` values of the slice views' `delineo-slice-change` events. Integer or fractional; a plane
 * outside the grid is not drawn.
 */
export type SlicePositions = Readonly<Record<ViewOrientation, number>>;

/** The three MPR views, in the order the 3D view draws their planes. */
export const SLICE_PLANES: readonly ViewOrientation[] = ['sagittal', 'coronal', 'axial'];

/** Axis-aligned bounds in patient space: [xMin, xMax, yMin, yMax, zMin, zMax] (vtk.js's layout), mm. */
export type Bounds = [number, number, number, number, number, number];

/**
 * The four patient-space corners (LPS, mm) of the MPR plane of `view` at slice `index` along that view's
 * grid axis, spanning the whole grid to the outer voxel edges (−0.5 … n − 0.5), in order around the
 * quadrilateral. Exact for oblique and sheared grids, because it maps index corners through the grid's
 * affine. Null when the index lies outside the grid.
 */
export function slicePlaneCorners(
  geometry: ImageGeometry,
  view: ViewOrientation,
  index: number,
): [Vec3, Vec3, Vec3, Vec3] | null {
  const axis = gridAxesForViews(geometry)[view];
  const n = geometry.dimensions;
  if (!Number.isFinite(index) || index < -0.5 || index > n[axis] - 0.5) return null;
  const t = new GridTransform(geometry);
  const u = (axis + 1) % 3;
  const v = (axis + 2) % 3;
  const corner = (a: number, b: number): Vec3 => {
    const at = [0, 0, 0];
    at[axis] = index;
    at[u] = a;
    at[v] = b;
    return t.toPatient(at as unknown as Vec3);
  };
  const [u0, u1, v0, v1] = [-0.5, n[u] - 0.5, -0.5, n[v] - 0.5];
  return [corner(u0, v0), corner(u1, v0), corner(u1, v1), corner(u0, v1)];
}

/**
 * The slice positions of MPR views whose planes pass through a patient point (the shared crosshair): the
 * nearest slice along each view's grid axis, clamped to the grid.
 */
export function slicePositionsAt(geometry: ImageGeometry, point: Vec3): SlicePositions {
  const index = new GridTransform(geometry).toIndex(point);
  const axes = gridAxesForViews(geometry);
  const at = (view: ViewOrientation) => {
    const a = axes[view];
    return Math.min(geometry.dimensions[a] - 1, Math.max(0, Math.round(index[a])));
  };
  return { axial: at('axial'), coronal: at('coronal'), sagittal: at('sagittal') };
}

/** Patient-space bounds of a grid to its outer voxel edges (the eight corners of the grid's box). */
export function geometryBounds(geometry: ImageGeometry): Bounds {
  const t = new GridTransform(geometry);
  const [nx, ny, nz] = geometry.dimensions;
  const bounds: Bounds = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  for (const i of [-0.5, nx - 0.5])
    for (const j of [-0.5, ny - 0.5])
      for (const k of [-0.5, nz - 0.5]) extendBounds(bounds, t.toPatient([i, j, k]));
  return bounds;
}

/** Patient-space bounds of a flat xyz point array; null when it has no points. */
export function pointBounds(points: ArrayLike<number>): Bounds | null {
  if (points.length < 3) return null;
  const bounds: Bounds = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  for (let q = 0; q < points.length; q += 3) {
    for (let a = 0; a < 3; a++) {
      const x = points[q + a];
      if (x < bounds[2 * a]) bounds[2 * a] = x;
      if (x > bounds[2 * a + 1]) bounds[2 * a + 1] = x;
    }
  }
  return bounds;
}

/** Grows `bounds` in place to include point `p`. */
export function extendBounds(bounds: Bounds, p: Vec3): Bounds {
  for (let a = 0; a < 3; a++) {
    if (p[a] < bounds[2 * a]) bounds[2 * a] = p[a];
    if (p[a] > bounds[2 * a + 1]) bounds[2 * a + 1] = p[a];
  }
  return bounds;
}

/** The smallest bounds containing all of `list` (nulls ignored); null when there is nothing. */
export function unionBounds(list: readonly (Bounds | null)[]): Bounds | null {
  let out: Bounds | null = null;
  for (const b of list) {
    if (!b) continue;
    if (!out) {
      out = [...b];
      continue;
    }
    for (let a = 0; a < 3; a++) {
      out[2 * a] = Math.min(out[2 * a], b[2 * a]);
      out[2 * a + 1] = Math.max(out[2 * a + 1], b[2 * a + 1]);
    }
  }
  return out;
}

/** A perspective camera of the 3D view in patient coordinates (LPS, mm). */
export interface SurfaceCamera {
  readonly focalPoint: Vec3;
  readonly position: Vec3;
  readonly viewUp: Vec3;
  /** Vertical view angle, degrees. */
  readonly viewAngle: number;
}

/**
 * The default 3D view: from the front (anterior), looking posteriorly (+y in LPS) with the head up (+z), so
 * the patient's left (+x) is on the screen's right — the anterior view of treatment-planning systems, where
 * the patient faces the viewer. The camera is centred on `bounds` and far enough for the bounding sphere of
 * `bounds` to fit the viewport in both directions (`aspect` = width / height).
 */
export function anteriorCamera(bounds: Bounds, aspect: number, viewAngle = 30): SurfaceCamera {
  const centre: Vec3 = [
    (bounds[0] + bounds[1]) / 2,
    (bounds[2] + bounds[3]) / 2,
    (bounds[4] + bounds[5]) / 2,
  ];
  const radius = Math.max(
    1e-3,
    Math.hypot(bounds[1] - bounds[0], bounds[3] - bounds[2], bounds[5] - bounds[4]) / 2,
  );
  const half = (viewAngle * Math.PI) / 360;
  // The sphere must fit the narrower of the two view angles: the horizontal one is narrower when aspect < 1.
  const horizontalHalf = Math.atan(Math.tan(half) * Math.max(1e-3, aspect));
  const distance = radius / Math.sin(Math.min(half, horizontalHalf));
  return {
    focalPoint: centre,
    position: [centre[0], centre[1] - distance, centre[2]],
    viewUp: [0, 0, 1],
    viewAngle,
  };
}
