/** The slice view's scale bar: a round length that fits, kept while the view changes size a little. */

/** Lengths a scale bar may show, mm. */
const SCALE_BAR_MM = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/**
 * The longest round length (mm) whose bar is at most ~110 CSS pixels at `mmPerCssPx`. With `keepMm`, the length
 * shown now, the choice has 15 % of hysteresis either way: a view that shrinks or grows a little (a notice above
 * it appears or goes) keeps its scale bar instead of flipping between 100 and 200 mm at the threshold.
 */
export function scaleBarFor(mmPerCssPx: number, keepMm?: number): { px: number; mm: number } | null {
  if (!(mmPerCssPx > 0) || !Number.isFinite(mmPerCssPx)) return null;
  let best: number | null = null;
  for (const mm of SCALE_BAR_MM) if (mm / mmPerCssPx <= 110) best = mm;
  if (keepMm !== undefined && best !== keepMm) {
    const kept = keepMm / mmPerCssPx;
    const longer = SCALE_BAR_MM.find((mm) => mm > keepMm);
    if (kept <= 110 * 1.15 && (longer === undefined || longer / mmPerCssPx > 110 / 1.15)) return { mm: keepMm, px: kept };
  }
  if (best === null) return null;
  return { mm: best, px: best / mmPerCssPx };
}
