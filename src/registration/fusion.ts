/**
 * The reference (planning) CT seen on the new CT's grid through a registration, and how well the two agree:
 * what the app's review view draws (fusion) and its "registration quality" read-out. Pure math on Delineo's
 * volumes, no itk-wasm, so the same functions run in the registration worker, on the page and in Node.
 *
 * A new-CT point p shows the reference at T(p) = rigid(p) + d(p) (transform.ts: fixed → moving), read by
 * trilinear interpolation; outside the reference grid there is nothing to show (NaN on a slice, air in a
 * resampled volume).
 */
import { GridTransform, type ImageGeometry, type Mat3, type Vec3 } from '../domain/geometry.ts';
import { insideGrid, resampleVolume, trilinearAt, withSpacing } from '../domain/resample.ts';
import { planeAxes, planeToIndex, type SlicePlane } from '../domain/tools/paint.ts';
import { Volume } from '../domain/volume.ts';
import { JobError } from '../jobs/job.ts';
import { AIR_HU, bodyMask } from './prepare.ts';
import { applyMat4, type DisplacementField, type RegistrationTransform } from './transform.ts';

/** The displacement (mm) of a field at a patient point, trilinear between its voxels (clamped at its faces); zero off its grid. */
export function displacementAt(field: DisplacementField, grid: GridTransform, p: Vec3): Vec3 {
  const [x, y, z] = grid.toIndex(p);
  const [nx, ny, nz] = field.dimensions;
  if (!insideGrid(field.dimensions, x, y, z)) return [0, 0, 0];
  const xc = Math.min(nx - 1, Math.max(0, x));
  const yc = Math.min(ny - 1, Math.max(0, y));
  const zc = Math.min(nz - 1, Math.max(0, z));
  const i0 = Math.min(Math.max(0, nx - 2), Math.floor(xc));
  const j0 = Math.min(Math.max(0, ny - 2), Math.floor(yc));
  const k0 = Math.min(Math.max(0, nz - 2), Math.floor(zc));
  const i1 = Math.min(i0 + 1, nx - 1);
  const j1 = Math.min(j0 + 1, ny - 1);
  const k1 = Math.min(k0 + 1, nz - 1);
  const fx = xc - i0;
  const fy = yc - j0;
  const fz = zc - k0;
  const d = field.data;
  const out: [number, number, number] = [0, 0, 0];
  // Components are interleaved: voxel n holds (x, y, z) at 3n, 3n + 1, 3n + 2.
  for (const [i, wi] of [[i0, 1 - fx], [i1, fx]] as const)
    for (const [j, wj] of [[j0, 1 - fy], [j1, fy]] as const)
      for (const [k, wk] of [[k0, 1 - fz], [k1, fz]] as const) {
        const w = wi * wj * wk;
        if (w === 0) continue;
        const n = 3 * (i + nx * (j + ny * k));
        out[0] += w * d[n]!;
        out[1] += w * d[n + 1]!;
        out[2] += w * d[n + 2]!;
      }
  return out;
}

/** The grid a displacement field lives on. */
const fieldGrid = (field: DisplacementField): GridTransform => new GridTransform({ ...field, direction: field.direction as unknown as Mat3 });

/** A function taking a new-CT patient point to the reference point it shows (rigid part, then the deformation). */
export function referenceMapping(transform: RegistrationTransform): (p: Vec3) => Vec3 {
  const field = transform.deformation;
  if (!field) return (p) => applyMat4(transform.rigid, p);
  const grid = fieldGrid(field);
  return (p) => {
    const q = applyMat4(transform.rigid, p);
    const d = displacementAt(field, grid, p);
    return [q[0] + d[0], q[1] + d[1], q[2] + d[2]];
  };
}

/**
 * The reference CT on a slice plane of the new CT: the value (HU) at each pixel centre through the transform,
 * u fastest; NaN where the point falls outside the reference grid. Rigid transforms step linearly in index
 * space (one matrix product per row); a deformation adds its displacement point by point.
 */
export function sampleReferenceOnSlice(reference: Volume, fixed: ImageGeometry, transform: RegistrationTransform, plane: SlicePlane): { readonly values: Float32Array; readonly nu: number; readonly nv: number } {
  const [au, av] = planeAxes(plane.axis);
  const nu = fixed.dimensions[au];
  const nv = fixed.dimensions[av];
  const values = new Float32Array(nu * nv);
  const fixedGrid = new GridTransform(fixed);
  const refGrid = new GridTransform(reference);
  const [rx, ry, rz] = reference.dimensions;
  const data = reference.data;
  if (!transform.deformation) {
    // Fixed index → reference index is affine: its columns are where one step along each fixed axis lands.
    const b = refGrid.toIndex(applyMat4(transform.rigid, fixedGrid.origin));
    const col = (a: number): Vec3 => {
      const q = refGrid.toIndex(applyMat4(transform.rigid, fixedGrid.toPatient(a === 0 ? [1, 0, 0] : a === 1 ? [0, 1, 0] : [0, 0, 1])));
      return [q[0] - b[0], q[1] - b[1], q[2] - b[2]];
    };
    const A = [col(0), col(1), col(2)];
    const start = planeToIndex(plane, 0, 0);
    const s0: Vec3 = [b[0] + A[0][0] * start[0] + A[1][0] * start[1] + A[2][0] * start[2], b[1] + A[0][1] * start[0] + A[1][1] * start[1] + A[2][1] * start[2], b[2] + A[0][2] * start[0] + A[1][2] * start[1] + A[2][2] * start[2]];
    const du = A[au];
    const dv = A[av];
    for (let v = 0, o = 0; v < nv; v++) {
      let x = s0[0] + dv[0] * v;
      let y = s0[1] + dv[1] * v;
      let z = s0[2] + dv[2] * v;
      for (let u = 0; u < nu; u++, o++, x += du[0], y += du[1], z += du[2]) values[o] = insideGrid(reference.dimensions, x, y, z) ? trilinearAt(data, rx, ry, rz, x, y, z) : NaN;
    }
    return { values, nu, nv };
  }
  const map = referenceMapping(transform);
  for (let v = 0, o = 0; v < nv; v++) {
    for (let u = 0; u < nu; u++, o++) {
      const [x, y, z] = refGrid.toIndex(map(fixedGrid.toPatient(planeToIndex(plane, u, v))));
      values[o] = insideGrid(reference.dimensions, x, y, z) ? trilinearAt(data, rx, ry, rz, x, y, z) : NaN;
    }
  }
  return { values, nu, nv };
}

/**
 * The whole reference CT resampled onto `fixed` through the transform (trilinear; air outside the reference
 * grid), stored as Int16 HU like a CT. For export or analysis; the slice views sample slice by slice instead
 * ({@link sampleReferenceOnSlice}) and never hold a second full-resolution CT.
 */
export function resampleReference(reference: Volume, fixed: ImageGeometry, transform: RegistrationTransform): Volume {
  const [nx, ny, nz] = fixed.dimensions;
  const out = new Int16Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) {
    const slice = sampleReferenceOnSlice(reference, fixed, transform, { axis: 2, index: k });
    const base = k * nx * ny;
    for (let n = 0; n < nx * ny; n++) {
      const v = slice.values[n]!;
      out[base + n] = Number.isNaN(v) ? AIR_HU : Math.max(-32768, Math.min(32767, Math.round(v)));
    }
  }
  return new Volume({ ...fixed, data: out, modality: 'CT', name: reference.name, identity: {} });
}

/** The Jacobian determinant of a transform's deformation over its field grid. */
export interface JacobianStats {
  readonly min: number;
  readonly max: number;
  /** Voxels where the determinant is ≤ 0: the transform folds space there (not a physical deformation). */
  readonly foldingVoxels: number;
  readonly voxels: number;
}

/**
 * The Jacobian determinant of p ↦ rigid(p) + d(p) at every voxel of the displacement field: det(R + ∇d), with
 * ∇d by central differences (one-sided at the faces) converted from index to patient steps. The rigid part
 * contributes its rotation only (determinant 1); below 1 the new CT's voxel shows a smaller reference region
 * (shrinkage is seen as expansion of the reference), ≤ 0 is folding.
 */
export function jacobianStats(transform: RegistrationTransform): JacobianStats | null {
  const field = transform.deformation;
  if (!field) return null;
  const [nx, ny, nz] = field.dimensions;
  const inv = fieldGrid(field).inverse; // column-major: index step per patient mm
  const R = transform.rigid;
  const d = field.data;
  let min = Infinity;
  let max = -Infinity;
  let folding = 0;
  const at = (i: number, j: number, k: number, c: number) => d[3 * (i + nx * (j + ny * k)) + c]!;
  const g = new Float64Array(9); // ∂d_c/∂index_a, [c + 3a]
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const idx = [i, j, k];
        const dims = [nx, ny, nz];
        for (let a = 0; a < 3; a++) {
          const lo = idx.slice();
          const hi = idx.slice();
          lo[a] = Math.max(0, idx[a]! - 1);
          hi[a] = Math.min(dims[a]! - 1, idx[a]! + 1);
          const span = hi[a]! - lo[a]! || 1;
          for (let c = 0; c < 3; c++) g[c + 3 * a] = (at(hi[0]!, hi[1]!, hi[2]!, c) - at(lo[0]!, lo[1]!, lo[2]!, c)) / span;
        }
        // J[r][q] = R[r][q] + Σ_a ∂d_r/∂idx_a · ∂idx_a/∂x_q, where ∂idx_a/∂x_q = inv[a + 3q].
        const J = new Array<number>(9);
        for (let r = 0; r < 3; r++)
          for (let q = 0; q < 3; q++) J[3 * r + q] = R[4 * r + q]! + g[r]! * inv[3 * q]! + g[r + 3]! * inv[1 + 3 * q]! + g[r + 6]! * inv[2 + 3 * q]!;
        const det = J[0]! * (J[4]! * J[8]! - J[5]! * J[7]!) - J[1]! * (J[3]! * J[8]! - J[5]! * J[6]!) + J[2]! * (J[3]! * J[7]! - J[4]! * J[6]!);
        if (det < min) min = det;
        if (det > max) max = det;
        if (det <= 0) folding++;
      }
  return { min, max, foldingVoxels: folding, voxels: nx * ny * nz };
}

/** How well the registered reference CT agrees with the new CT. */
export interface RegistrationQuality {
  /** Mean |new − reference| (HU) over the new CT's body with the identity transform (the CTs as they were scanned). */
  readonly meanAbsHuBefore: number;
  /** The same through the registration. */
  readonly meanAbsHuAfter: number;
  /** Body points the means were taken over (a grid of `spacingMm`). */
  readonly bodySamples: number;
  /** Fraction of those points that the registration maps into the reference CT's body. */
  readonly overlapFraction: number;
  /** The deformation's Jacobian determinant, when the transform has a displacement field. */
  readonly jacobian: JacobianStats | null;
  /** Grid spacing (mm) the body was sampled on. */
  readonly spacingMm: number;
}

/**
 * {@link RegistrationQuality} of a registration. The new CT's body (prepare.ts's body mask: the patient without
 * couch and air, cavities filled) is sampled on a `spacingMm` grid; at each point the new CT's value is compared
 * with the reference CT's at the same patient point (before) and at the transformed point (after). A point
 * falling outside the reference grid compares with air, so a registration that pushes the patient out of the
 * reference CT shows as a large difference, not as a small mean over the few points left.
 */
export function registrationQuality(fixed: Volume, reference: Volume, transform: RegistrationTransform, spacingMm = 4): RegistrationQuality {
  const coarseSpacing = fixed.spacing.map((s) => Math.max(s, spacingMm)) as unknown as Vec3;
  const coarse = resampleVolume(fixed, withSpacing(fixed.geometry, coarseSpacing), { interpolation: 'linear', fill: AIR_HU });
  const body = bodyMask(coarse);
  const refCoarse = resampleVolume(reference, withSpacing(reference.geometry, reference.spacing.map((s) => Math.max(s, spacingMm)) as unknown as Vec3), { interpolation: 'linear', fill: AIR_HU });
  const refBody = bodyMask(refCoarse);
  const refBodyGrid = new GridTransform(refCoarse);
  const [bx, by, bz] = refCoarse.dimensions;
  const coarseGrid = new GridTransform(coarse);
  const refGrid = new GridTransform(reference);
  const [rx, ry, rz] = reference.dimensions;
  const map = referenceMapping(transform);
  const valueAt = (p: Vec3): number => {
    const [x, y, z] = refGrid.toIndex(p);
    return insideGrid(reference.dimensions, x, y, z) ? trilinearAt(reference.data, rx, ry, rz, x, y, z) : AIR_HU;
  };
  const [nx, ny, nz] = coarse.dimensions;
  let before = 0;
  let after = 0;
  let samples = 0;
  let overlap = 0;
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        if (!body[v]) continue;
        const p = coarseGrid.toPatient([i, j, k]);
        const hu = coarse.data[v]!;
        const q = map(p);
        before += Math.abs(hu - valueAt(p));
        after += Math.abs(hu - valueAt(q));
        samples++;
        const [x, y, z] = refBodyGrid.toIndex(q).map(Math.round);
        if (x! >= 0 && y! >= 0 && z! >= 0 && x! < bx && y! < by && z! < bz && refBody[x! + bx * (y! + by * z!)]) overlap++;
      }
  return {
    meanAbsHuBefore: samples ? before / samples : NaN,
    meanAbsHuAfter: samples ? after / samples : NaN,
    bodySamples: samples,
    overlapFraction: samples ? overlap / samples : 0,
    jacobian: jacobianStats(transform),
    spacingMm,
  };
}

/** Thrown when two CTs do not image the same anatomy after registration (no usable overlap). */
export class NoOverlapError extends JobError {
  override name = 'NoOverlapError';
}

/** The least fraction of the new CT's body that must land in the reference CT's body for a result to be used. */
export const MIN_OVERLAP_FRACTION = 0.5;

/**
 * Refuses a registration whose result is not a usable alignment: less than {@link MIN_OVERLAP_FRACTION} of the
 * new CT's body maps into the reference CT's body. A planning CT of another body region (or scanned so far
 * off that elastix found nothing to align) ends here, with the fraction named, instead of propagating
 * structures onto anatomy they do not belong to.
 */
export function assertOverlap(quality: RegistrationQuality, file?: string): void {
  if (quality.bodySamples === 0) throw new NoOverlapError('no-body', 'the new CT holds no body to register', file ? { file } : {});
  if (quality.overlapFraction < MIN_OVERLAP_FRACTION)
    throw new NoOverlapError(
      'no-overlap',
      `the planning CT and the new CT do not overlap: after registration only ${(quality.overlapFraction * 100).toFixed(0)} % of the new CT's body lies in the planning CT's body (at least ${MIN_OVERLAP_FRACTION * 100} % is needed). Check that both CTs image the same region of the same patient.`,
      file ? { file } : {},
    );
}
