/**
 * The phantom's noise: a seeded 32-bit generator and a table of normal deviates, so that the same seed gives
 * identical voxels everywhere and a clinical-size grid gets its noise in well under a second. Pure.
 */

/** mulberry32: a small, fast, well-mixed 32-bit generator; the same seed gives the same sequence everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * 65 536 equiprobable normal deviates (the quantiles at (m + ½)/65 536), scaled by σ and rounded to whole HU.
 * Indexing this table with 16 random bits draws from a distribution indistinguishable from N(0, σ²) at CT's
 * integer resolution (it reaches ±4.2σ), at the cost of one table read instead of a log, a sqrt and a cosine
 * per voxel (Box–Muller), which is what makes a 35-million-voxel CT take well under a second of noise.
 * Rounding the deviate first is exact: round(base + n) = base + round(n) for an integer base.
 */
export function noiseTable(sigma: number): Int16Array {
  const n = 65536;
  const t = new Int16Array(n);
  for (let m = 0; m < n; m++) t[m] = Math.round(sigma * normalQuantile((m + 0.5) / n));
  return t;
}
