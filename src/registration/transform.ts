/**
 * The transform a registration produces and the app keeps: a rigid part as a 4×4 matrix on patient
 * coordinates (mm, LPS) and, for deformable registration, a displacement field on the fixed CT's grid.
 * Pure math, no itk-wasm: the same object drives propagation, the DICOM Spatial Registration object and the
 * review view.
 *
 * Direction convention (elastix's and ITK's): the transform maps a point of the FIXED image (the new CT) to
 * the corresponding point of the MOVING image (the reference, planning CT). That is the direction resampling
 * needs: for every voxel of the new CT, where to read the reference structure.
 */
import type { Vec3 } from '../domain/geometry.ts';

/** A 4×4 affine matrix in row-major order (as DICOM's Frame of Reference Transformation Matrix is written). */
export type Mat4 = readonly number[];

export const IDENTITY4: Mat4 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

/** A displacement field on a grid (mm, LPS): point p of the fixed CT goes to rigid(p) + d(p) in the moving CT. */
export interface DisplacementField {
  readonly dimensions: Vec3;
  readonly spacing: Vec3;
  readonly origin: Vec3;
  /** Column-major direction cosines, as Delineo's ImageGeometry. */
  readonly direction: readonly number[];
  /** Three components per voxel (x, y, z in mm), voxel i fastest. */
  readonly data: Float32Array;
}

/** The result of a registration: what the app keeps to propagate structures and to export a REG object. */
export interface RegistrationTransform {
  readonly mode: 'rigid' | 'deformable';
  /** Fixed (new CT) patient point → moving (reference CT) patient point; row-major 4×4. */
  readonly rigid: Mat4;
  /** The displacement added after the rigid part (deformable mode only). */
  readonly deformation?: DisplacementField;
  readonly fixedFrameOfReferenceUid?: string;
  readonly movingFrameOfReferenceUid?: string;
}

/** Row-major product a · b (apply b first). */
export function mulMat4(a: Mat4, b: Mat4): Mat4 {
  const c = new Array<number>(16).fill(0);
  for (let r = 0; r < 4; r++) for (let k = 0; k < 4; k++) for (let q = 0; q < 4; q++) c[4 * r + q] += a[4 * r + k] * b[4 * k + q];
  return c;
}

/** Inverse of a rigid or affine row-major 4×4 (last row 0 0 0 1). */
export function invertAffine(m: Mat4): Mat4 {
  const [a, b, c, d, e, f, g, h, i] = [m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('the matrix is singular: not a registration');
  const inv = [
    (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
    (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
    (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det,
  ];
  const t = [m[3], m[7], m[11]];
  const out = new Array<number>(16).fill(0);
  for (let r = 0; r < 3; r++) {
    for (let q = 0; q < 3; q++) out[4 * r + q] = inv[3 * r + q];
    out[4 * r + 3] = -(inv[3 * r] * t[0] + inv[3 * r + 1] * t[1] + inv[3 * r + 2] * t[2]);
  }
  out[15] = 1;
  return out;
}

/** Applies a row-major 4×4 to a point. */
export function applyMat4(m: Mat4, p: Vec3): Vec3 {
  return [
    m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3],
    m[4] * p[0] + m[5] * p[1] + m[6] * p[2] + m[7],
    m[8] * p[0] + m[9] * p[1] + m[10] * p[2] + m[11],
  ];
}

/**
 * A rigid transform as ITK's Euler3DTransform (what elastix's EulerTransform optimises) defines it: angles
 * (radians) about x, y and z, a translation (mm) and a centre of rotation c: T(p) = R (p − c) + c + t, with
 * R = Rz·Rx·Ry, or Rz·Ry·Rx when `computeZyx` (elastix's ComputeZYX parameter).
 */
export function eulerMatrix(angles: Vec3, translation: Vec3, center: Vec3, computeZyx = false): Mat4 {
  const [cx, sx] = [Math.cos(angles[0]), Math.sin(angles[0])];
  const [cy, sy] = [Math.cos(angles[1]), Math.sin(angles[1])];
  const [cz, sz] = [Math.cos(angles[2]), Math.sin(angles[2])];
  const rx = [1, 0, 0, 0, 0, cx, -sx, 0, 0, sx, cx, 0, 0, 0, 0, 1];
  const ry = [cy, 0, sy, 0, 0, 1, 0, 0, -sy, 0, cy, 0, 0, 0, 0, 1];
  const rz = [cz, -sz, 0, 0, sz, cz, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  const r = computeZyx ? mulMat4(rz, mulMat4(ry, rx)) : mulMat4(rz, mulMat4(rx, ry));
  const rc = applyMat4(r, center);
  const out = [...r];
  for (let a = 0; a < 3; a++) out[4 * a + 3] = center[a] + translation[a] - rc[a];
  return out;
}

/** The rotation angle (degrees) of the rotation part of a rigid matrix: how far it turns anything. */
export function rotationAngleDeg(m: Mat4): number {
  const trace = m[0] + m[5] + m[10];
  return (Math.acos(Math.min(1, Math.max(-1, (trace - 1) / 2))) * 180) / Math.PI;
}

/** The largest distance (mm) between where two transforms send the given points. */
export function maxDisplacementDifference(a: Mat4, b: Mat4, points: readonly Vec3[]): number {
  let worst = 0;
  for (const p of points) {
    const u = applyMat4(a, p);
    const v = applyMat4(b, p);
    worst = Math.max(worst, Math.hypot(u[0] - v[0], u[1] - v[1], u[2] - v[2]));
  }
  return worst;
}
