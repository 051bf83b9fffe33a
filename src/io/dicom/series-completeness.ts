/**
 * Whether a loaded series looks like a whole scan or a fragment of one (a single slice opened by itself, files
 * missing from a copied folder). Auto-contouring and export on a fragment would silently produce structures
 * that end where the files end, so the loader warns and the app refuses to auto-contour, with this reason.
 */

/** Shortest scan length along the slices (mm) taken for a whole scan: no clinical CT for planning is shorter. */
export const MIN_SCAN_LENGTH_MM = 20;

/** What the check reads: a Volume fits, and the loader adds what the files said. */
export interface SeriesCompletenessInput {
  /** [columns, rows, slices]. */
  readonly dimensions: readonly number[];
  /** [column, row, slice] spacing in mm. */
  readonly spacing: readonly number[];
  /** Planes the loader filled by interpolation because no file had them. */
  readonly interpolatedSlices?: readonly number[];
  /** InstanceNumber of each slice file, where the files carry one. */
  readonly instanceNumbers?: readonly number[];
  /** Position of each slice file along the stacking direction (mm), in any order. */
  readonly slicePositionsMm?: readonly number[];
}

export interface SeriesCompleteness {
  readonly complete: boolean;
  /** Why the series looks incomplete, in words for the clinician; absent when complete. */
  readonly reason?: string;
}

const fmt = (mm: number) => `${Math.round(mm * 10) / 10} mm`;

/** The most frequent spacing between consecutive positions (to 0.01 mm), or undefined for fewer than two. */
function modalSpacing(sorted: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (let i = 1; i < sorted.length; i++) {
    const d = Math.round((sorted[i] - sorted[i - 1]) * 100) / 100;
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best: number | undefined;
  let n = 0;
  for (const [d, c] of counts) if (c > n || (c === n && best !== undefined && d < best)) [best, n] = [d, c];
  return best;
}

/**
 * Judges a series: incomplete when it has one slice; when slices are missing (planes the loader interpolated,
 * InstanceNumbers with gaps, or a gap between slice positions over 1.5 times the usual spacing); or when it
 * covers less than {@link MIN_SCAN_LENGTH_MM} along the slices.
 */
export function seriesCompleteness(s: SeriesCompletenessInput): SeriesCompleteness {
  const slices = s.dimensions[2] ?? 1;
  const pitch = s.spacing[2] ?? 0;
  if (slices <= 1) return { complete: false, reason: 'the series has a single slice: it is one image, not a scan; open the whole series (every file of the folder)' };
  const reasons: string[] = [];
  const numbers = [...new Set(s.instanceNumbers?.filter(Number.isInteger) ?? [])].sort((a, b) => a - b);
  if (numbers.length >= 2) {
    const expected = numbers[numbers.length - 1] - numbers[0] + 1;
    if (expected > numbers.length) reasons.push(`its instance numbers run from ${numbers[0]} to ${numbers[numbers.length - 1]} but only ${numbers.length} images are present (${expected - numbers.length} missing)`);
  }
  const positions = [...(s.slicePositionsMm ?? [])].filter(Number.isFinite).sort((a, b) => a - b);
  const modal = modalSpacing(positions);
  if (modal !== undefined) {
    let widest = 0;
    for (let i = 1; i < positions.length; i++) widest = Math.max(widest, positions[i] - positions[i - 1]);
    if (widest > 1.5 * modal) reasons.push(`there is a ${fmt(widest)} gap between slices ${fmt(modal)} apart`);
  }
  if (s.interpolatedSlices?.length && !reasons.some((r) => r.includes('gap'))) reasons.push(`${s.interpolatedSlices.length} slice(s) had no image and were interpolated`);
  const length = slices * pitch;
  if (length < MIN_SCAN_LENGTH_MM) reasons.push(`it covers only ${fmt(length)} along the slices (${slices} slices), less than the ${MIN_SCAN_LENGTH_MM} mm of any planning scan`);
  if (reasons.length === 0) return { complete: true };
  return { complete: false, reason: `the series looks incomplete: ${reasons.join('; ')}. Open the whole series` };
}
