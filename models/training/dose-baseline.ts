/**
 * The no-learning reference for dose prediction (issue #25): the dose looked up from the distance to each PTV.
 * From training patients, for each PTV level (70, 63, 56 Gy) the mean dose of the possible-dose voxels as a
 * function of their signed distance to that PTV (mm, exact anisotropic Euclidean distance, negative inside,
 * 2 mm bins; or only the voxels that PTV is the nearest to: {@link TableAttribution}); a new patient's dose at a voxel is the largest, over the PTV levels it has, of the table read
 * at the voxel's distance (linear between bin centres, the end bins beyond the range).
 *
 * Evaluation-only: the table is data this module builds (build-dose-baseline.ts) and the evaluation reads
 * (evaluate-dose.ts); nothing of it ships. Also here: reading an OpenKBP patient as the evaluation needs it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BinaryMask, createStructure, readVolumeNifti, signedDistanceMm, type ScoredStructure, type Structure, type Volume } from '../../src/node.ts';

export const BASELINE_FORMAT = 'delineo-dose-distance-baseline/1';

/** OpenKBP's PTV labels in ptv.nii.gz and their prescriptions. */
export const PTV_LEVELS = [
  { label: 3, name: 'PTV70', gy: 70 },
  { label: 2, name: 'PTV63', gy: 63 },
  { label: 1, name: 'PTV56', gy: 56 },
] as const;
/** OpenKBP's OAR labels in oar.nii.gz, named as OpenKBP names them. */
export const OAR_LABELS = [
  { label: 1, name: 'Brainstem' },
  { label: 2, name: 'SpinalCord' },
  { label: 3, name: 'RightParotid' },
  { label: 4, name: 'LeftParotid' },
  { label: 5, name: 'Esophagus' },
  { label: 6, name: 'Larynx' },
  { label: 7, name: 'Mandible' },
] as const;

/**
 * Which possible-dose voxels a level's table averages. 'all' (the definition, the default): every voxel
 * of a patient with that PTV. Then the far side of the 56 Gy table also holds the voxels next to the 70 Gy PTV,
 * every table runs high away from its own PTV, and the maximum over levels adds those excesses up: the
 * baseline overestimates the dose outside the PTVs. 'nearest': only the voxels whose nearest PTV (by signed
 * distance; ties to the higher level) is this level, so each table says what the dose is where that PTV governs.
 */
export type TableAttribution = 'nearest' | 'all';

export interface DistanceTable {
  readonly format: typeof BASELINE_FORMAT;
  readonly attribution: TableAttribution;
  /** Left edge (mm) of bin 0 and the bin width; bin b covers [minMm + b·binMm, minMm + (b+1)·binMm). */
  readonly minMm: number;
  readonly binMm: number;
  /** The patients it was built from. */
  readonly patients: readonly string[];
  /** Per prescription (Gy, as a string key): mean dose (Gy) per bin and the voxels behind each mean. */
  readonly levels: Readonly<Record<string, { readonly meanGy: readonly number[]; readonly voxels: readonly number[] }>>;
}

/** One OpenKBP patient on its own grid (128³, LPS as read by the repo's NIfTI reader). */
export interface OpenKbpPatient {
  readonly id: string;
  readonly ct: Volume;
  readonly oar: Volume;
  readonly ptv: Volume;
  readonly dose: Volume;
  readonly possibleDoseMask: Volume;
}

export async function loadOpenKbpPatient(dir: string, id: string): Promise<OpenKbpPatient> {
  const read = (file: string, modality: string) => readVolumeNifti(join(dir, id, file), modality);
  const [ct, oar, ptv, dose, possibleDoseMask] = await Promise.all([
    read('ct.nii.gz', 'CT'),
    read('oar.nii.gz', 'MASK'),
    read('ptv.nii.gz', 'MASK'),
    read('dose.nii.gz', 'RTDOSE'),
    read('possible_dose_mask.nii.gz', 'MASK'),
  ]);
  for (const v of [oar, ptv, dose, possibleDoseMask]) {
    if (v.data.length !== ct.data.length) throw new Error(`${join(dir, id)}: ${v.name} has ${v.data.length} voxels, the CT ${ct.data.length}`);
  }
  return { id, ct, oar, ptv, dose, possibleDoseMask };
}

/** The patient ids of an OpenKBP split in numeric order (pt_2 before pt_10), from its index.json. */
export async function openKbpPatientIds(dir: string): Promise<string[]> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { patients: Record<string, unknown> };
  return Object.keys(index.patients).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
}

/** A label's voxels as a 0/1 array. */
export const labelMask = (labels: Volume, label: number): Uint8Array => Uint8Array.from(labels.data, (v) => (v === label ? 1 : 0));

/** The structures OpenKBP scores on a patient: every OAR and PTV with at least one voxel. */
export function openKbpStructures(p: OpenKbpPatient): ScoredStructure[] {
  const out: ScoredStructure[] = [];
  const add = (name: string, role: ScoredStructure['role'], mask: Uint8Array) => mask.includes(1) && out.push({ name, role, mask });
  for (const o of OAR_LABELS) add(o.name, 'oar', labelMask(p.oar, o.label));
  for (const t of [...PTV_LEVELS].reverse()) add(t.name, 'target', labelMask(p.ptv, t.label));
  return out;
}

/** Signed distance (mm) to each PTV level present on the patient. */
function ptvDistances(ptv: Volume): { gy: number; distance: Float32Array }[] {
  const out: { gy: number; distance: Float32Array }[] = [];
  for (const level of PTV_LEVELS) {
    const mask = labelMask(ptv, level.label);
    if (!mask.includes(1)) continue;
    out.push({ gy: level.gy, distance: signedDistanceMm(mask, ptv.dimensions, ptv.spacing) });
  }
  return out;
}

/** Accumulates training patients into per-level sums; `table()` gives the lookup table. */
export class DistanceTableBuilder {
  private readonly sums = new Map<number, { sum: Float64Array; voxels: Float64Array }>();
  private readonly ids: string[] = [];
  private readonly bins: number;

  constructor(
    readonly attribution: TableAttribution = 'all',
    readonly minMm = -60,
    readonly maxMm = 300,
    readonly binMm = 2,
  ) {
    this.bins = Math.ceil((maxMm - minMm) / binMm);
  }

  private bin(d: number): number {
    return Math.min(this.bins - 1, Math.max(0, Math.floor((d - this.minMm) / this.binMm)));
  }

  /** How many patients were added. */
  get patients(): number {
    return this.ids.length;
  }

  add(p: Pick<OpenKbpPatient, 'id' | 'ptv' | 'dose' | 'possibleDoseMask'>): void {
    const dose = p.dose.data;
    const possible = p.possibleDoseMask.data;
    const levels = ptvDistances(p.ptv).map(({ gy, distance }) => {
      if (!this.sums.has(gy)) this.sums.set(gy, { sum: new Float64Array(this.bins), voxels: new Float64Array(this.bins) });
      return { distance, ...this.sums.get(gy)! };
    });
    for (let o = 0; o < dose.length; o++) {
      if (!possible[o]) continue;
      let nearest = 0;
      for (let l = 1; l < levels.length; l++) if (levels[l].distance[o] < levels[nearest].distance[o]) nearest = l;
      for (let l = 0; l < levels.length; l++) {
        if (this.attribution === 'nearest' && l !== nearest) continue;
        const b = this.bin(levels[l].distance[o]);
        levels[l].sum[b] += dose[o];
        levels[l].voxels[b]++;
      }
    }
    this.ids.push(p.id);
  }

  /** The table; a bin no training voxel fell in takes the mean of its nearest filled bins (linear between them). */
  table(): DistanceTable {
    const levels: Record<string, { meanGy: number[]; voxels: number[] }> = {};
    for (const [gy, acc] of [...this.sums].sort((a, b) => b[0] - a[0])) {
      const mean = Array.from(acc.sum, (s, b) => (acc.voxels[b] ? s / acc.voxels[b] : NaN));
      const filled = mean.flatMap((m, b) => (Number.isNaN(m) ? [] : [b]));
      if (!filled.length) continue;
      for (let b = 0; b < mean.length; b++) {
        if (!Number.isNaN(mean[b])) continue;
        const after = filled.find((f) => f > b);
        const before = [...filled].reverse().find((f) => f < b);
        if (before === undefined) mean[b] = mean[after!];
        else if (after === undefined) mean[b] = mean[before];
        else mean[b] = mean[before] + ((mean[after] - mean[before]) * (b - before)) / (after - before);
      }
      levels[String(gy)] = { meanGy: mean.map((m) => Math.round(m * 1000) / 1000), voxels: Array.from(acc.voxels) };
    }
    return { format: BASELINE_FORMAT, attribution: this.attribution, minMm: this.minMm, binMm: this.binMm, patients: [...this.ids], levels };
  }
}

/** Reads a table written by build-dose-baseline.ts, refusing anything else. */
export async function readDistanceTable(path: string): Promise<DistanceTable> {
  const t = JSON.parse(await readFile(path, 'utf8')) as DistanceTable;
  if (t.format !== BASELINE_FORMAT) throw new Error(`${path}: not a ${BASELINE_FORMAT} table (format ${String(t.format)})`);
  for (const [gy, l] of Object.entries(t.levels)) {
    if (!Array.isArray(l.meanGy) || !l.meanGy.length || l.meanGy.some((m) => !Number.isFinite(m))) throw new Error(`${path}: level ${gy} Gy has no usable means`);
  }
  return t;
}

/** The table of one level read at distance d (mm): linear between bin centres, constant beyond the end centres. */
export function lookup(t: DistanceTable, meanGy: readonly number[], d: number): number {
  const x = (d - t.minMm) / t.binMm - 0.5;
  if (!(x > 0)) return meanGy[0];
  const b = Math.floor(x);
  if (b >= meanGy.length - 1) return meanGy[meanGy.length - 1];
  const f = x - b;
  return meanGy[b] * (1 - f) + meanGy[b + 1] * f;
}

/**
 * The baseline's dose (Gy) on the patient's grid: per voxel the maximum over the PTV levels it has of the
 * table at its distance to that PTV; 0 everywhere when it has none. A level the table lacks is an error.
 */
export function predictDistanceBaseline(t: DistanceTable, ptv: Volume): Float32Array {
  const out = new Float32Array(ptv.data.length);
  for (const { gy, distance } of ptvDistances(ptv)) {
    const level = t.levels[String(gy)];
    if (!level) throw new Error(`the distance table has no ${gy} Gy level (it has ${Object.keys(t.levels).join(', ')} Gy)`);
    for (let o = 0; o < out.length; o++) {
      const v = lookup(t, level.meanGy, distance[o]);
      if (v > out[o]) out[o] = v;
    }
  }
  return out;
}

/** A patient's masks as the Structures a user would have, named as OpenKBP names them (the model's request). */
export function openKbpRequestStructures(p: OpenKbpPatient): Structure[] {
  const of = (labels: OpenKbpPatient['oar'], label: number, name: string, interpretedType: 'ORGAN' | 'PTV') => {
    const dense = labelMask(labels, label);
    return dense.includes(1) ? [createStructure({ name, interpretedType, mask: BinaryMask.fromDense(labels.dimensions, dense) })] : [];
  };
  return [...OAR_LABELS.flatMap((o) => of(p.oar, o.label, o.name, 'ORGAN')), ...PTV_LEVELS.flatMap((t) => of(p.ptv, t.label, t.name, 'PTV'))];
}

