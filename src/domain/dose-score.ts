/**
 * OpenKBP's scores for a predicted dose (Babier et al., Med Phys 2021; the organisers' DoseEvaluator), so that a
 * dose prediction is measured exactly as the challenge measured its entries and its figures compare with the
 * leaderboard's.
 *
 * - Dose score of a patient: the sum over the grid of |reference − prediction| divided by the number of voxels
 *   of the possible-dose mask. The prediction counts as 0 outside that mask (the organisers multiply every
 *   prediction by it before saving) and the reference is 0 there, so this is the mean absolute error over the
 *   mask. The dose score of a set is the mean over its patients.
 * - DVH metrics of a structure (its voxel mask on the reference grid), on the dose at its voxels, through
 *   numpy.percentile ({@link percentileOfSorted}): organs at risk D_0.1_cc, the percentile 100 − 100·v/N with
 *   v = max(1, round-half-even(100 mm³ / voxel volume)) voxels out of the structure's N, and the mean; targets
 *   D_99, D_95 and D_1, the 1st, 5th and 99th percentiles. A structure with no voxel is skipped (OpenKBP's NaN).
 *   The DVH score of a set is the mean absolute difference over every metric of every structure of every
 *   patient, pooled (not a mean of per-patient means).
 *
 * These voxel counts and percentiles are OpenKBP's, not the DVH panel's (src/domain/dvh.ts interpolates the dose
 * at each voxel centre of the CT grid and reads Dx from a 1 mGy histogram); the two agree closely but not to the
 * last voxel. Dense arrays on one grid, i fastest. Browser-safe.
 */
import { percentileOfSorted } from './percentile.ts';

export const OPENKBP_OAR_METRICS = ['D_0.1_cc', 'mean'] as const;
export const OPENKBP_TARGET_METRICS = ['D_99', 'D_95', 'D_1'] as const;
export type OpenKbpMetric = (typeof OPENKBP_OAR_METRICS)[number] | (typeof OPENKBP_TARGET_METRICS)[number];
/** Which metrics a structure is scored on: an organ at risk's or a target's. */
export type OpenKbpRole = 'oar' | 'target';

/** numpy.round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The number of voxels OpenKBP takes for 0.1 cc at this voxel volume (mm³). */
export function openKbpVoxelsIn0_1cc(voxelVolumeMm3: number): number {
  if (!(voxelVolumeMm3 > 0)) throw new RangeError(`OpenKBP D_0.1_cc: voxel volume must be positive, not ${voxelVolumeMm3} mm³`);
  return Math.max(1, roundHalfEven(100 / voxelVolumeMm3));
}

/**
 * A structure's OpenKBP DVH metrics (Gy) in `dose`, or null when `mask` has no voxel. A structure smaller than
 * the voxels of 0.1 cc has its minimum as D_0.1_cc (numpy would refuse the negative percentile).
 */
export function openKbpDvhMetrics(dose: ArrayLike<number>, mask: ArrayLike<number>, voxelVolumeMm3: number, role: OpenKbpRole): Partial<Record<OpenKbpMetric, number>> | null {
  if (dose.length !== mask.length) throw new RangeError(`OpenKBP DVH metrics: ${dose.length} dose voxels for a mask of ${mask.length}`);
  let n = 0;
  for (let o = 0; o < mask.length; o++) if (mask[o]) n++;
  if (n === 0) return null;
  const values = new Float64Array(n);
  let sum = 0;
  for (let o = 0, m = 0; o < mask.length; o++) {
    if (!mask[o]) continue;
    values[m++] = dose[o];
    sum += dose[o];
  }
  values.sort();
  if (role === 'oar') {
    const v = openKbpVoxelsIn0_1cc(voxelVolumeMm3);
    return { 'D_0.1_cc': percentileOfSorted(values, 100 - (v / n) * 100), mean: sum / n };
  }
  return { D_99: percentileOfSorted(values, 1), D_95: percentileOfSorted(values, 5), D_1: percentileOfSorted(values, 99) };
}

/** OpenKBP's dose score of one patient (Gy): see the module comment. */
export function openKbpDoseError(reference: ArrayLike<number>, predicted: ArrayLike<number>, possibleDoseMask: ArrayLike<number>): number {
  if (reference.length !== predicted.length || reference.length !== possibleDoseMask.length) {
    throw new RangeError(`OpenKBP dose score: grids differ (reference ${reference.length}, prediction ${predicted.length}, possible-dose mask ${possibleDoseMask.length} voxels)`);
  }
  let sum = 0;
  let count = 0;
  for (let o = 0; o < reference.length; o++) {
    const inside = possibleDoseMask[o] ? 1 : 0;
    count += inside;
    sum += Math.abs(reference[o] - (inside ? predicted[o] : 0));
  }
  if (count === 0) throw new RangeError('OpenKBP dose score: the possible-dose mask is empty');
  return sum / count;
}

/** A structure to score: its name (as reported), which metrics apply, and its voxel mask on the reference grid. */
export interface ScoredStructure {
  readonly name: string;
  readonly role: OpenKbpRole;
  readonly mask: ArrayLike<number>;
}

/** One DVH metric of one structure, reference against prediction. */
export interface DvhMetricError {
  readonly structure: string;
  readonly metric: OpenKbpMetric;
  readonly referenceGy: number;
  readonly predictedGy: number;
  /** |reference − prediction|. */
  readonly errorGy: number;
}

/** One patient's OpenKBP evaluation. */
export interface PatientDoseScore {
  readonly doseErrorGy: number;
  readonly metrics: readonly DvhMetricError[];
}

export interface PatientDoseInput {
  /** The reference dose (Gy) on its grid. */
  readonly reference: ArrayLike<number>;
  /** The predicted dose (Gy) on the same grid. */
  readonly predicted: ArrayLike<number>;
  readonly possibleDoseMask: ArrayLike<number>;
  readonly voxelVolumeMm3: number;
  readonly structures: readonly ScoredStructure[];
}

/** Dose score and every DVH metric of one patient; the prediction counts as 0 outside the possible-dose mask. */
export function scoreOpenKbpPatient(input: PatientDoseInput): PatientDoseScore {
  const { reference, predicted, possibleDoseMask, voxelVolumeMm3 } = input;
  const doseErrorGy = openKbpDoseError(reference, predicted, possibleDoseMask);
  const masked = new Float32Array(predicted.length);
  for (let o = 0; o < masked.length; o++) masked[o] = possibleDoseMask[o] ? predicted[o] : 0;
  const metrics: DvhMetricError[] = [];
  for (const s of input.structures) {
    const ref = openKbpDvhMetrics(reference, s.mask, voxelVolumeMm3, s.role);
    if (!ref) continue;
    const pred = openKbpDvhMetrics(masked, s.mask, voxelVolumeMm3, s.role)!;
    for (const metric of s.role === 'oar' ? OPENKBP_OAR_METRICS : OPENKBP_TARGET_METRICS) {
      const referenceGy = ref[metric]!;
      const predictedGy = pred[metric]!;
      metrics.push({ structure: s.name, metric, referenceGy, predictedGy, errorGy: Math.abs(referenceGy - predictedGy) });
    }
  }
  return { doseErrorGy, metrics };
}

/** A set's OpenKBP scores, with the DVH error broken down by structure and by metric. */
export interface OpenKbpScores {
  readonly patients: number;
  /** Mean over patients of the dose score (Gy). */
  readonly doseScoreGy: number;
  /** Mean absolute error over all DVH metrics of all patients (Gy). */
  readonly dvhScoreGy: number;
  /** Per structure and metric, in the order first met: how many patients had it and the mean absolute error. */
  readonly perMetric: readonly { readonly structure: string; readonly metric: OpenKbpMetric; readonly patients: number; readonly meanAbsErrorGy: number }[];
  /** Per structure, over all its metrics and patients. */
  readonly perStructure: readonly { readonly structure: string; readonly values: number; readonly meanAbsErrorGy: number }[];
}

/** OpenKBP's set scores from per-patient scores (NaN for an empty set). */
export function openKbpScores(patients: readonly PatientDoseScore[]): OpenKbpScores {
  const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const byMetric = new Map<string, { structure: string; metric: OpenKbpMetric; errors: number[] }>();
  const byStructure = new Map<string, number[]>();
  const all: number[] = [];
  for (const p of patients) {
    for (const m of p.metrics) {
      const key = `${m.structure}\u0000${m.metric}`;
      if (!byMetric.has(key)) byMetric.set(key, { structure: m.structure, metric: m.metric, errors: [] });
      byMetric.get(key)!.errors.push(m.errorGy);
      if (!byStructure.has(m.structure)) byStructure.set(m.structure, []);
      byStructure.get(m.structure)!.push(m.errorGy);
      all.push(m.errorGy);
    }
  }
  return {
    patients: patients.length,
    doseScoreGy: mean(patients.map((p) => p.doseErrorGy)),
    dvhScoreGy: mean(all),
    perMetric: [...byMetric.values()].map((m) => ({ structure: m.structure, metric: m.metric, patients: m.errors.length, meanAbsErrorGy: mean(m.errors) })),
    perStructure: [...byStructure].map(([structure, errors]) => ({ structure, values: errors.length, meanAbsErrorGy: mean(errors) })),
  };
}
