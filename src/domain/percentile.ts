/**
 * The p-th percentile (0–100) of values sorted ascending, by numpy's default method ('linear': the virtual
 * rank p/100 · (n − 1), interpolated between the two closest ranks). Published metrics that we reproduce
 * (medpy's HD95, OpenKBP's DVH metrics) are defined through numpy.percentile, so this is the one definition.
 * NaN for no values; p outside [0, 100] is clamped.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const r = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(r);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (r - lo);
}
