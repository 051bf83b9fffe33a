/**
 * Preprocessing with nnU-Net's semantics, on Delineo's geometry: (1) reorient to the model's axes
 * (patient LPS), (2) resample to the model's spacing — trilinear for CT, the same sampling rule as
 * src/domain/resample.ts and models/training/pack_data.py, so the network sees what it was trained on — and
 * (3) normalise intensities (clip, then (x − mean) / std). Reorientation and resampling are one trilinear
 * pass: `resampleVolume` maps every model-grid voxel centre through patient space into the source grid, so an
 * axis permutation or flip costs nothing extra and an oblique series is handled the same way.
 * Browser-safe, no dependencies beyond the domain layer.
 */
import { GridTransform, IDENTITY, type ImageGeometry, type Mat3, type Vec3, axis, validateGeometry } from '../domain/geometry.ts';
import { resampleVolume, withSpacing } from '../domain/resample.ts';
import type { Volume } from '../domain/volume.ts';
import type { IntensityNormalisation } from './manifest.ts';

/**
 * The geometry of `g` with its index axes reordered and flipped so that they run along patient +x, +y, +z
 * (LPS), covering the same voxels. Exact for axis-aligned grids (a signed permutation of the direction, the
 * usual case: axial CT, also sagittal/coronal stacks and NIfTI's flipped axes). For an oblique grid the result
 * is the LPS-aligned grid with the smallest source spacing that covers the source's bounding box.
 */
export function lpsAlignedGeometry(g: ImageGeometry): ImageGeometry {
  validateGeometry(g);
  const t = new GridTransform(g);
  const perm: number[] = [];
  const sign: number[] = [];
  for (let a = 0; a < 3; a++) {
    const col = axis(g.direction, a as 0 | 1 | 2);
    const dom = [0, 1, 2].reduce((b, c) => (Math.abs(col[c]) > Math.abs(col[b]) ? c : b), 0);
    if (Math.abs(Math.abs(col[dom]) - 1) > 1e-4) return obliqueCover(g, t);
    perm[dom] = a;
    sign[dom] = Math.sign(col[dom]);
  }
  if (perm.length !== 3 || perm.some((x) => x === undefined)) return obliqueCover(g, t);
  const dimensions = perm.map((a) => g.dimensions[a]) as unknown as Vec3;
  const spacing = perm.map((a) => g.spacing[a]) as unknown as Vec3;
  // The new (0,0,0) is the source corner voxel that is lowest along each patient axis.
  const corner = [0, 0, 0];
  for (let d = 0; d < 3; d++) corner[perm[d]] = sign[d] > 0 ? 0 : g.dimensions[perm[d]] - 1;
  const origin = t.toPatient(corner as unknown as Vec3);
  return { dimensions, spacing, origin, direction: IDENTITY };
}

function obliqueCover(g: ImageGeometry, t: GridTransform): ImageGeometry {
  const s = Math.min(...g.spacing);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const [nx, ny, nz] = g.dimensions;
  for (const i of [0, nx - 1]) for (const j of [0, ny - 1]) for (const k of [0, nz - 1]) {
    const p = t.toPatient([i, j, k]);
    for (let d = 0; d < 3; d++) {
      lo[d] = Math.min(lo[d], p[d]);
      hi[d] = Math.max(hi[d], p[d]);
    }
  }
  const dimensions = lo.map((l, d) => Math.max(1, Math.round((hi[d] - l) / s) + 1)) as unknown as Vec3;
  return { dimensions, spacing: [s, s, s], origin: lo as unknown as Vec3, direction: IDENTITY };
}

/** The model grid of a CT: LPS-aligned, at the model's spacing, covering the same extent (see withSpacing). */
export function modelGrid(ct: ImageGeometry, spacing: Vec3): ImageGeometry {
  return withSpacing(lpsAlignedGeometry(ct), spacing);
}

/**
 * Resamples a CT onto the model grid (trilinear, −1024 HU outside the source) and returns it as a Float32
 * volume in HU. Normalisation is separate so crops and body masks can still use HU.
 */
export function resampleToModelGrid(ct: Volume, spacing: Vec3): Volume {
  return resampleVolume(ct, modelGrid(ct.geometry, spacing), { interpolation: 'linear', fill: -1024 });
}

/** Clip to the window and standardise: (clamp(x, lo, hi) − mean) / std, into a new Float32Array. */
export function normaliseIntensity(data: ArrayLike<number>, n: IntensityNormalisation): Float32Array {
  const [lo, hi] = n.clip;
  const inv = 1 / n.std;
  const out = new Float32Array(data.length);
  for (let o = 0; o < data.length; o++) {
    const v = data[o];
    out[o] = ((v < lo ? lo : v > hi ? hi : v) - n.mean) * inv;
  }
  return out;
}

/** An index box [lo, hi) per axis. */
export interface Box3 {
  readonly lo: Vec3;
  readonly hi: Vec3;
}

/**
 * The bounding box of voxels above `thresholdHu`, grown by `marginMm` (clamped to the grid), or the whole grid
 * when nothing exceeds the threshold. nnU-Net crops to the non-zero region for the same reason: the network
 * need not run on air.
 */
export function bodyBox(hu: ArrayLike<number>, g: Pick<ImageGeometry, 'dimensions' | 'spacing'>, thresholdHu: number, marginMm: number): Box3 {
  const [nx, ny, nz] = g.dimensions;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  let o = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, o++) {
        if (hu[o] > thresholdHu) {
          if (i < lo[0]) lo[0] = i;
          if (i > hi[0]) hi[0] = i;
          if (j < lo[1]) lo[1] = j;
          if (j > hi[1]) hi[1] = j;
          if (k < lo[2]) lo[2] = k;
          if (k > hi[2]) hi[2] = k;
        }
      }
    }
  }
  if (hi[0] < 0) return { lo: [0, 0, 0], hi: [nx, ny, nz] };
  const m = g.spacing.map((s) => Math.ceil(marginMm / s));
  return {
    lo: [0, 1, 2].map((a) => Math.max(0, lo[a] - m[a])) as unknown as Vec3,
    hi: [0, 1, 2].map((a) => Math.min(g.dimensions[a], hi[a] + 1 + m[a])) as unknown as Vec3,
  };
}

/** True when a direction matrix is the identity (within 1e-6): the model grid's orientation. */
export const isIdentityDirection = (d: Mat3): boolean => d.every((v, i) => Math.abs(v - IDENTITY[i]) < 1e-6);
