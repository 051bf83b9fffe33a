/**
 * How well an uncertainty map points a reviewer at the model's errors: the share of error voxels on the slices
 * it ranks first, against a naive ranking by contour length, and Spearman's rank correlation between a
 * structure's attention score and its error (1 − Dice). Used by models/training/evaluate-uncertainty.ts on the
 * validation patients; dense byte arrays, x fastest. Browser-safe.
 */
import type { Vec3 } from '../domain/geometry.ts';

/** Per axial slice: the sum of a per-voxel score (uncertainty, or error voxels 0/1). */
export function sumPerSlice(values: ArrayLike<number>, dims: Vec3): Float64Array {
  const plane = dims[0] * dims[1];
  const out = new Float64Array(dims[2]);
  for (let k = 0, o = 0; k < dims[2]; k++) {
    let s = 0;
    for (let p = 0; p < plane; p++, o++) s += values[o];
    out[k] = s;
  }
  return out;
}

/**
 * Per axial slice: the in-plane contour length (mm) of a mask — every face between an inside voxel and an outside
 * one (or the grid's edge) counts its side's length (an x-face is spacing y long, a y-face spacing x).
 */
export function contourLengthPerSlice(mask: ArrayLike<number>, dims: Vec3, spacing: Vec3): Float64Array {
  const [nx, ny, nz] = dims;
  const out = new Float64Array(nz);
  for (let k = 0; k < nz; k++) {
    let len = 0;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const o = i + nx * (j + ny * k);
        if (!mask[o]) continue;
        if (i === 0 || !mask[o - 1]) len += spacing[1];
        if (i === nx - 1 || !mask[o + 1]) len += spacing[1];
        if (j === 0 || !mask[o - nx]) len += spacing[0];
        if (j === ny - 1 || !mask[o + nx]) len += spacing[0];
      }
    }
    out[k] = len;
  }
  return out;
}

/**
 * The share (0–1) of all `errors` on `slices` that lie on the top `fraction` of them when ranked by `score`
 * (highest first; ties keep the slice order, so a ranking that says nothing is no better than chance order).
 * The top is ceil(fraction · slices) slices. NaN when the slices hold no error.
 */
export function topSliceCapture(slices: readonly number[], score: ArrayLike<number>, errors: ArrayLike<number>, fraction: number): number {
  const ranked = [...slices].sort((a, b) => score[b] - score[a] || a - b);
  const top = Math.ceil(fraction * ranked.length);
  let total = 0;
  let caught = 0;
  ranked.forEach((k, r) => {
    total += errors[k];
    if (r < top) caught += errors[k];
  });
  return total > 0 ? caught / total : NaN;
}

/** Ranks from 1, ties given their mean rank. */
function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(x.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && order[e + 1][0] === order[s][0]) e++;
    for (let t = s; t <= e; t++) r[order[t][1]] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return r;
}

/** Spearman's rank correlation (Pearson's on the ranks, ties averaged); NaN with fewer than 2 pairs or no spread. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`spearman needs pairs: ${a.length} against ${b.length} values`);
  const n = a.length;
  if (n < 2) return NaN;
  const ra = ranks(a);
  const rb = ranks(b);
  const ma = ra.reduce((s, v) => s + v, 0) / n;
  const mb = rb.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) ** 2;
    sbb += (rb[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}
