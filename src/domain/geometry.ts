/**
 * Image geometry in DICOM patient coordinates (LPS, millimetres).
 *
 * Conventions used everywhere in Delineo:
 * - `dimensions` = [columns (i), rows (j), slices (k)]; voxel (i, j, k) is stored at `i + j*nx + k*nx*ny`.
 * - `direction` holds three unit vectors, one per index axis, in that order: elements 0–2 are the patient
 *   direction of increasing i (DICOM ImageOrientationPatient row cosines), 3–5 of increasing j (column
 *   cosines), 6–8 of increasing k (the slice normal, or the stacking direction for a tilted series).
 *   Read as a 3×3 matrix D it is column-major (D[:,a] = axis a), the memory layout of vtk.js's
 *   `vtkImageData.setDirection`. itk-wasm's `Image.direction` is row-major — the transpose; convert with
 *   src/io/itk/itk-image.ts (only oblique data shows a mix-up: axis-aligned directions are symmetric).
 * - `origin` is the patient position (mm) of the centre of voxel (0, 0, 0): DICOM ImagePositionPatient of
 *   the first slice.
 * - patient = origin + D · diag(spacing) · index. Nothing assumes D is orthogonal: the inverse is a full 3×3
 *   inverse, so a gantry-tilted (sheared) geometry maps exactly.
 */

/** A point or vector in 3D. */
export type Vec3 = readonly [number, number, number];

/** A 3×3 matrix stored column-major (see the module comment). */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

/** The sampling grid of an image in patient space. */
export interface ImageGeometry {
  readonly dimensions: Vec3;
  readonly spacing: Vec3;
  readonly origin: Vec3;
  readonly direction: Mat3;
}

export const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** Thrown when a geometry cannot describe a real image grid (zero spacing, degenerate directions). */
export class GeometryError extends Error {
  override readonly name = 'GeometryError';
}

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
export const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);
export const normalize = (a: Vec3): Vec3 => {
  const n = norm(a);
  if (!(n > 0)) throw new GeometryError('cannot normalise a zero vector');
  return [a[0] / n, a[1] / n, a[2] / n];
};
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];

/** Column a (the patient direction of index axis a) of a direction matrix. */
export const axis = (d: Mat3, a: 0 | 1 | 2): Vec3 => [d[3 * a], d[3 * a + 1], d[3 * a + 2]];

/** Builds a direction matrix from its three axis vectors. */
export const fromAxes = (i: Vec3, j: Vec3, k: Vec3): Mat3 => [i[0], i[1], i[2], j[0], j[1], j[2], k[0], k[1], k[2]];

/** m · v for a column-major 3×3 matrix. */
export const mulMat3Vec3 = (m: Mat3, v: Vec3): Vec3 => [
  m[0] * v[0] + m[3] * v[1] + m[6] * v[2],
  m[1] * v[0] + m[4] * v[1] + m[7] * v[2],
  m[2] * v[0] + m[5] * v[1] + m[8] * v[2],
];

/** Inverse of a column-major 3×3 matrix; throws on a singular one. */
export function invertMat3(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m; // columns: (a,b,c), (d,e,f), (g,h,i)
  const A = e * i - f * h;
  const B = -(b * i - c * h);
  const C = b * f - c * e;
  const det = a * A + d * B + g * C;
  if (!(Math.abs(det) > 1e-12)) throw new GeometryError('direction matrix is singular');
  const inv = 1 / det;
  return [
    A * inv,
    B * inv,
    C * inv,
    -(d * i - f * g) * inv,
    (a * i - c * g) * inv,
    -(a * f - c * d) * inv,
    (d * h - e * g) * inv,
    -(a * h - b * g) * inv,
    (a * e - b * d) * inv,
  ];
}

/**
 * Precomputed index ↔ patient affine of a geometry. `toPatient` and `toIndex` are exact inverses up to
 * floating-point rounding (≈1e-12 mm on clinical grids).
 */
export class GridTransform {
  /** Column-major 3×3: D · diag(spacing). Column a = patient step (mm) of one voxel along index axis a. */
  readonly linear: Mat3;
  readonly inverse: Mat3;
  readonly origin: Vec3;

  constructor(geometry: ImageGeometry) {
    validateGeometry(geometry);
    const { direction: d, spacing: s } = geometry;
    this.linear = [d[0] * s[0], d[1] * s[0], d[2] * s[0], d[3] * s[1], d[4] * s[1], d[5] * s[1], d[6] * s[2], d[7] * s[2], d[8] * s[2]];
    this.inverse = invertMat3(this.linear);
    this.origin = geometry.origin;
  }

  /** Patient position (mm, LPS) of a continuous index. */
  toPatient(index: Vec3): Vec3 {
    return add(this.origin, mulMat3Vec3(this.linear, index));
  }

  /** Continuous index of a patient position (mm, LPS). */
  toIndex(point: Vec3): Vec3 {
    return mulMat3Vec3(this.inverse, sub(point, this.origin));
  }
}

/** Throws a GeometryError naming the problem when a geometry is unusable. */
export function validateGeometry(g: ImageGeometry): void {
  const { dimensions: n, spacing: s, origin: o, direction: d } = g;
  if (n.length !== 3 || n.some((x) => !Number.isInteger(x) || x < 1)) {
    throw new GeometryError(`dimensions must be three positive integers, got [${n.join(', ')}]`);
  }
  if (s.length !== 3 || s.some((x) => !(x > 0) || !Number.isFinite(x))) {
    throw new GeometryError(`spacing must be three positive numbers (mm), got [${s.join(', ')}]`);
  }
  if (o.length !== 3 || o.some((x) => !Number.isFinite(x))) {
    throw new GeometryError(`origin must be three finite numbers (mm), got [${o.join(', ')}]`);
  }
  if (d.length !== 9 || d.some((x) => !Number.isFinite(x))) {
    throw new GeometryError('direction must be nine finite numbers');
  }
  for (const a of [0, 1, 2] as const) {
    const len = norm(axis(d, a));
    if (Math.abs(len - 1) > 1e-3) throw new GeometryError(`direction axis ${'ijk'[a]} is not a unit vector (length ${len})`);
  }
}

/** Number of voxels in a grid. */
export const voxelCount = (g: Pick<ImageGeometry, 'dimensions'>): number => g.dimensions[0] * g.dimensions[1] * g.dimensions[2];

/** Volume of one voxel in mm³ (accounts for a sheared grid through the determinant). */
export function voxelVolumeMm3(g: ImageGeometry): number {
  const [a, b, c, d, e, f, gg, h, i] = new GridTransform(g).linear;
  return Math.abs(a * (e * i - f * h) - d * (b * i - c * h) + gg * (b * f - c * e));
}

/**
 * A direction matrix from DICOM ImageOrientationPatient (row then column cosines) with the slice axis the
 * right-handed normal. Real series whose slices stack against the normal keep it: the loader orders slices
 * along the normal, so k increases along it.
 */
export function directionFromOrientation(iop: readonly number[]): Mat3 {
  if (iop.length !== 6) throw new GeometryError(`ImageOrientationPatient needs six values, got ${iop.length}`);
  const row = normalize([iop[0], iop[1], iop[2]]);
  const col = normalize([iop[3], iop[4], iop[5]]);
  if (Math.abs(dot(row, col)) > 1e-3) throw new GeometryError('ImageOrientationPatient row and column cosines are not orthogonal');
  return fromAxes(row, col, normalize(cross(row, col)));
}

/** A rotation matrix (column-major) about a unit axis by `degrees`; used to build oblique test grids. */
export function rotation(axisVec: Vec3, degrees: number): Mat3 {
  const [x, y, z] = normalize(axisVec);
  const t = (degrees * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const C = 1 - c;
  // Row-major Rodrigues matrix, transposed into column-major storage.
  const r = [
    [c + x * x * C, x * y * C - z * s, x * z * C + y * s],
    [y * x * C + z * s, c + y * y * C, y * z * C - x * s],
    [z * x * C - y * s, z * y * C + x * s, c + z * z * C],
  ];
  return [r[0][0], r[1][0], r[2][0], r[0][1], r[1][1], r[2][1], r[0][2], r[1][2], r[2][2]];
}

/** Column-major product a · b. */
export function mulMat3(a: Mat3, b: Mat3): Mat3 {
  const c0 = mulMat3Vec3(a, axis(b, 0));
  const c1 = mulMat3Vec3(a, axis(b, 1));
  const c2 = mulMat3Vec3(a, axis(b, 2));
  return fromAxes(c0, c1, c2);
}

/** True when two geometries describe the same grid within `tolMm` at every corner. */
export function sameGrid(a: ImageGeometry, b: ImageGeometry, tolMm = 1e-3): boolean {
  if (a.dimensions.some((n, i) => n !== b.dimensions[i])) return false;
  const ta = new GridTransform(a);
  const tb = new GridTransform(b);
  const [nx, ny, nz] = a.dimensions;
  for (const c of [[0, 0, 0], [nx - 1, 0, 0], [0, ny - 1, 0], [0, 0, nz - 1], [nx - 1, ny - 1, nz - 1]] as Vec3[]) {
    if (norm(sub(ta.toPatient(c), tb.toPatient(c))) > tolMm) return false;
  }
  return true;
}

/**
 * The patient-space anatomical label ('L','R','A','P','S','I') a direction points to most, or a
 * two/three-letter oblique label ordered by weight (e.g. 'LA') when no component dominates. Used for
 * orientation markers; radiological labels follow from it.
 */
export function orientationLabel(v: Vec3, obliqueThreshold = 0.8): string {
  const parts: [number, string][] = [
    [Math.abs(v[0]), v[0] > 0 ? 'L' : 'R'],
    [Math.abs(v[1]), v[1] > 0 ? 'P' : 'A'],
    [Math.abs(v[2]), v[2] > 0 ? 'S' : 'I'],
  ];
  parts.sort((p, q) => q[0] - p[0]);
  if (parts[0][0] >= obliqueThreshold) return parts[0][1];
  return parts
    .filter((p) => p[0] > 1e-3)
    .map((p) => p[1])
    .join('');
}
