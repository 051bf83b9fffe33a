/**
 * Segmentation metrics for evaluating models against clinical contours: Dice and the 95th-percentile
 * Hausdorff distance (HD95) in millimetres on anisotropic grids, with medpy's definitions (surface = mask voxels
 * with a 6-neighbour outside the mask; HD95 = max of the two directed 95th percentiles of surface-to-surface
 * distances). Distances come from an exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012),
 * separable over the three axes with the voxel spacing. Dense byte masks, x fastest. Browser-safe.
 */
import type { Vec3 } from '../domain/geometry.ts';

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

/** 1D squared-distance transform of f (lower envelope of parabolas) with sample spacing s. */
function edt1d(f: Float64Array, n: number, s: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  const s2 = s * s;
  for (let q = 1; q < n; q++) {
    if (f[q] === Infinity) continue;
    if (f[v[k]] === Infinity) {
      v[k] = q;
      continue;
    }
    let sp = (f[q] + s2 * q * q - (f[v[k]] + s2 * v[k] * v[k])) / (2 * s2 * (q - v[k]));
    while (sp <= z[k]) {
      k--;
      sp = (f[q] + s2 * q * q - (f[v[k]] + s2 * v[k] * v[k])) / (2 * s2 * (q - v[k]));
    }
    k++;
    v[k] = q;
    z[k] = sp;
    z[k + 1] = Infinity;
  }
  if (f[v[0]] === Infinity) {
    d.fill(Infinity, 0, n);
    return;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    d[q] = s2 * (q - v[k]) ** 2 + f[v[k]];
  }
}

/** Squared Euclidean distance (mm²) from every voxel to the nearest non-zero voxel of `mask`. */
export function squaredDistanceTransform(mask: ArrayLike<number>, dims: Vec3, spacing: Vec3): Float64Array {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const out = new Float64Array(n);
  for (let o = 0; o < n; o++) out[o] = mask[o] ? 0 : Infinity;
  const m = Math.max(nx, ny, nz);
  const f = new Float64Array(m);
  const d = new Float64Array(m);
  const v = new Int32Array(m);
  const z = new Float64Array(m + 1);
  const pass = (len: number, stride: number, starts: Iterable<number>, s: number) => {
    for (const base of starts) {
      for (let q = 0; q < len; q++) f[q] = out[base + q * stride];
      edt1d(f, len, s, d, v, z);
      for (let q = 0; q < len; q++) out[base + q * stride] = d[q];
    }
  };
  function* rows(): Iterable<number> {
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) yield (k * ny + j) * nx;
  }
  function* cols(): Iterable<number> {
    for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) yield k * nx * ny + i;
  }
  function* pillars(): Iterable<number> {
    for (let o = 0; o < nx * ny; o++) yield o;
  }
  pass(nx, 1, rows(), spacing[0]);
  pass(ny, nx, cols(), spacing[1]);
  pass(nz, nx * ny, pillars(), spacing[2]);
  return out;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  // numpy's default (linear interpolation between closest ranks), as medpy uses.
  const r = (p / 100) * (values.length - 1);
  const lo = Math.floor(r);
  const hi = Math.min(values.length - 1, lo + 1);
  return values[lo] + (values[hi] - values[lo]) * (r - lo);
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
  const da = squaredDistanceTransform(sa, dims, spacing);
  const db = squaredDistanceTransform(sb, dims, spacing);
  const ab: number[] = [];
  const ba: number[] = [];
  for (let o = 0; o < sa.length; o++) {
    if (sa[o]) ab.push(Math.sqrt(db[o]));
    if (sb[o]) ba.push(Math.sqrt(da[o]));
  }
  return Math.max(percentile(ab, 95), percentile(ba, 95));
}
