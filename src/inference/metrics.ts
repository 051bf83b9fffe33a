/**
 * Segmentation metrics for evaluating models against clinical contours: Dice and the 95th-percentile
 * Hausdorff distance (HD95) in millimetres on anisotropic grids, with medpy's definitions (surface = mask voxels
 * with a 6-neighbour outside the mask; HD95 = max of the two directed 95th percentiles of surface-to-surface
 * distances). Distances come from the domain's exact anisotropic Euclidean distance transform (`squaredEdt`).
 * Dense byte masks, x fastest. Browser-safe.
 */
import type { Vec3 } from '../domain/geometry.ts';
import { squaredEdt } from '../domain/ops/surface-distance.ts';
import { percentileOfSorted } from '../domain/percentile.ts';

/** Dice = 2|A∩B| / (|A|+|B|); 1 when both are empty. */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let o = 0; o < a.length; o++) {
    const x = a[o] ? 1 : 0;
    const y = b[o] ? 1 : 0;
    sa += x;
    sb += y;
    inter += x & y;
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
}

/** The surface voxels of a mask: inside voxels with a face neighbour outside the mask or the grid. */
export function surface(mask: ArrayLike<number>, dims: Vec3): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(nx * ny * nz);
  const plane = nx * ny;
  for (let k = 0, o = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, o++) {
        if (!mask[o]) continue;
        if (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === nz - 1 || !mask[o - 1] || !mask[o + 1] || !mask[o - nx] || !mask[o + nx] || !mask[o - plane] || !mask[o + plane]) out[o] = 1;
      }
    }
  }
  return out;
}

function percentile(values: number[], p: number): number {
  values.sort((a, b) => a - b);
  return percentileOfSorted(values, p);
}

/**
 * HD95 in mm between two masks on the same grid: max of the 95th percentiles of distances from A's surface to
 * B's surface and back. NaN when either mask is empty.
 */
export function hd95(a: ArrayLike<number>, b: ArrayLike<number>, dims: Vec3, spacing: Vec3): number {
  // Distances between points of the union's bounding box are exact on that box: crop to it (a lung on a
  // 512×512×134 CT is a fraction of the grid).
  const [nx, ny, nz] = dims;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  for (let k = 0, o = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, o++) {
        if (!a[o] && !b[o]) continue;
        if (i < lo[0]) lo[0] = i;
        if (i > hi[0]) hi[0] = i;
        if (j < lo[1]) lo[1] = j;
        if (j > hi[1]) hi[1] = j;
        if (k < lo[2]) lo[2] = k;
        if (k > hi[2]) hi[2] = k;
      }
    }
  }
  if (hi[0] < 0) return NaN;
  // One voxel of padding keeps the crop border from creating surface where the full grid has none.
  for (let d = 0; d < 3; d++) {
    lo[d] = Math.max(0, lo[d] - 1);
    hi[d] = Math.min(dims[d] - 1, hi[d] + 1);
  }
  const cd: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const ca = new Uint8Array(cd[0] * cd[1] * cd[2]);
  const cb = new Uint8Array(ca.length);
  for (let k = 0, c = 0; k < cd[2]; k++) {
    for (let j = 0; j < cd[1]; j++) {
      const row = ((k + lo[2]) * ny + j + lo[1]) * nx + lo[0];
      for (let i = 0; i < cd[0]; i++, c++) {
        ca[c] = a[row + i] ? 1 : 0;
        cb[c] = b[row + i] ? 1 : 0;
      }
    }
  }
  return hd95Dense(ca, cb, cd, spacing);
}

function hd95Dense(a: Uint8Array, b: Uint8Array, dims: Vec3, spacing: Vec3): number {
  const sa = surface(a, dims);
  const sb = surface(b, dims);
  if (!sa.includes(1) || !sb.includes(1)) return NaN;
  const da = squaredEdt(sa, dims, spacing);
  const db = squaredEdt(sb, dims, spacing);
  const ab: number[] = [];
  const ba: number[] = [];
  for (let o = 0; o < sa.length; o++) {
    if (sa[o]) ab.push(Math.sqrt(db[o]));
    if (sb[o]) ba.push(Math.sqrt(da[o]));
  }
  return Math.max(percentile(ab, 95), percentile(ba, 95));
}
