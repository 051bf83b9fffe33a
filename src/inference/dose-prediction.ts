/**
 * Knowledge-based dose prediction, independent of where the network runs (the browser worker, dose.worker.ts,
 * and Node, dose-node.ts, both call {@link predictDoseWithNetwork}; only the runner differs). Browser-safe.
 *
 * What the network sees is what models/training/pack_data.py `pack_dose` gave it in training, on the MODEL GRID
 * (the CT resampled exactly as the segmentation engine resamples it: LPS-aligned, the manifest's spacing, trilinear,
 * −1024 HU outside the CT):
 * - channel 0: the CT, (clip(HU, lo, hi) − mean) / std;
 * - channel 1: the prescription (Gy) of the PTV covering the voxel / prescriptionScaleGy, the highest where PTVs
 *   overlap, 0 outside every PTV;
 * - channels 2…: one 0/1 mask per organ at risk, in the manifest's order (a missing organ is an all-zero channel).
 * Masks go to the model grid by nearest neighbour. The network runs on the body's bounding box (model-grid CT above
 * the crop threshold, plus a margin) padded on each side to a multiple of `divisibleBy` (CT at padHu, masks 0), in
 * one pass unless a side exceeds `maxPatch`, then in overlapping tiles blended with a Gaussian. The dose outside
 * the box is 0. The result is a dose Volume (Gy) on the model grid in the CT's patient space and Frame of Reference.
 */
import type { ImageGeometry, Vec3 } from '../domain/geometry.ts';
import { resampleMask } from '../domain/resample.ts';
import type { Structure } from '../domain/structure.ts';
import { suggestStandardName } from '../domain/tg263.ts';
import { Volume } from '../domain/volume.ts';
import { throwIfAborted, type JobOptions } from '../jobs/job.ts';
import type { DoseModelManifest } from './dose-manifest.ts';
import { assertCt } from './engine.ts';
import { InferenceError } from './errors.ts';
import { bodyBox, normaliseIntensity, resampleToModelGrid, type Box3 } from './preprocess.ts';
import { gaussianImportance, tileStarts, type TileRunner } from './sliding-window.ts';

/** A prescription a user entered for a target structure (it overrides the dose in the structure's name). */
export interface DoseTargetPrescription {
  readonly structureId: string;
  readonly prescriptionGy: number;
}

/** What to predict the dose of: a CT, its structures (masks on the CT grid) and entered prescriptions. */
export interface DosePredictionRequest {
  readonly ct: Volume;
  readonly structures: readonly Structure[];
  readonly prescriptions?: readonly DoseTargetPrescription[];
}

/** What the network will see: the targets with their prescriptions, the organs found and missing. */
export interface DoseInputsSummary {
  readonly targets: readonly { structureId: string; name: string; prescriptionGy: number }[];
  /** The organ-at-risk channel each found structure fills. */
  readonly organs: readonly { channel: string; structureId: string; name: string }[];
  /** Organ channels no (non-empty) structure fills: all-zero input. */
  readonly missingOrgans: readonly string[];
  /** PTVs with no dose in their name and no entered prescription: not used until one is entered. */
  readonly needsPrescription: readonly { structureId: string; name: string }[];
}

/** A prediction: the dose, what it is called, the model, what it used, and how long each stage took (ms). */
export interface DosePredictionResult {
  /** Gy on the model grid, modality 'RTDOSE', on the CT's Frame of Reference. */
  readonly dose: Volume;
  /** 'Predicted dose (hn-dose 0.1.0)'. */
  readonly label: string;
  readonly model: { readonly id: string; readonly version: string };
  readonly inputs: DoseInputsSummary;
  readonly timings: Record<string, number>;
}

/** hn-dose's organ-at-risk channels (TG-263 names), in the contract's order. */
export const HN_DOSE_ORGANS: readonly string[] = ['Brainstem', 'SpinalCord', 'Parotid_R', 'Parotid_L', 'Esophagus', 'Larynx', 'Bone_Mandible'];

/** The largest prescription accepted (Gy): a larger entered number is almost surely cGy. */
const MAX_PRESCRIPTION_GY = 150;

/**
 * The prescription (Gy) a PTV's name states, or null. "PTV70", "PTV_70", "PTV 70 Gy", "PTV70Gy", "PTV_63.0" → Gy;
 * "PTV_7000", "PTV5600" → cGy (a number ≥ 100 without a unit is cGy, the way planning systems name dose levels);
 * "PTV_5600cGy" → cGy. A word after the number ("PTV70_eval") is allowed. A bare number below 10 ("PTV1",
 * "PTV_2") numbers the targets rather than dosing them, and a name with no number states nothing: both null.
 */
export function ptvPrescriptionFromName(name: string): number | null {
  const m = /^ptv[\s_-]*(\d+(?:[.,]\d+)?)[\s_-]*(c?gy)?(?:[\s_-]+[a-z]+)*$/i.exec(name.trim());
  if (!m) return null;
  const value = Number(m[1].replace(',', '.'));
  const unit = m[2]?.toLowerCase();
  const gy = unit === 'cgy' ? value / 100 : unit === 'gy' ? value : value >= 100 ? value / 100 : value < 10 ? NaN : value;
  return Number.isFinite(gy) && gy > 0 && gy <= MAX_PRESCRIPTION_GY ? gy : null;
}

/** True for a planning target volume: a name starting with PTV (any case) or the RT ROI interpreted type PTV. */
export function isPtv(s: Pick<Structure, 'name' | 'interpretedType'>): boolean {
  return /^ptv/i.test(s.name.trim()) || s.interpretedType === 'PTV';
}

const compact = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

/**
 * How well a structure names an organ channel: 3 its own name (case, spaces and underscores aside), 2 its
 * TG-263 standard name, 1 the standard name its name most likely means (OpenKBP's "RightParotid", "Mandible"),
 * 0 not at all.
 */
function organMatch(s: Structure, channel: string): number {
  const c = compact(channel);
  if (compact(s.name) === c) return 3;
  if (s.standardName && compact(s.standardName) === c) return 2;
  const suggested = suggestStandardName(s.name);
  return suggested && compact(suggested) === c ? 1 : 0;
}

/**
 * What a prediction would use (see the module comment): the targets (PTVs, and any structure given an entered
 * prescription) with their prescriptions — entered ones first, else the dose in the name — the PTVs that still
 * need one, and for each organ channel the structure that fills it (the best name match; empty structures are
 * skipped) or its absence. Throws InferenceError 'bad-prescription' for an entered prescription that names no
 * structure or is not a dose in Gy (0 < Gy ≤ 150).
 */
export function doseInputsFor(structures: readonly Structure[], prescriptions: readonly DoseTargetPrescription[] = [], organChannels: readonly string[] = HN_DOSE_ORGANS): DoseInputsSummary {
  const entered = new Map<string, number>();
  for (const p of prescriptions) {
    const s = structures.find((x) => x.id === p.structureId);
    if (!s) throw new InferenceError('bad-prescription', `a prescription was entered for structure ${p.structureId}, which is not in the structure set`);
    if (!(Number.isFinite(p.prescriptionGy) && p.prescriptionGy > 0 && p.prescriptionGy <= MAX_PRESCRIPTION_GY)) {
      throw new InferenceError('bad-prescription', `the prescription entered for ${s.name} is ${p.prescriptionGy} Gy: give the dose in Gy (more than 0, at most ${MAX_PRESCRIPTION_GY}; 70, not 7000 cGy)`);
    }
    entered.set(s.id, p.prescriptionGy);
  }
  const targets: { structureId: string; name: string; prescriptionGy: number }[] = [];
  const needsPrescription: { structureId: string; name: string }[] = [];
  for (const s of structures) {
    const rx = entered.get(s.id) ?? (isPtv(s) ? ptvPrescriptionFromName(s.name) : null);
    if (!entered.has(s.id) && !isPtv(s)) continue;
    if (s.mask.isEmpty()) continue;
    if (rx === null) needsPrescription.push({ structureId: s.id, name: s.name });
    else targets.push({ structureId: s.id, name: s.name, prescriptionGy: rx });
  }
  const organs: { channel: string; structureId: string; name: string }[] = [];
  const missingOrgans: string[] = [];
  const candidates = structures.filter((s) => !isPtv(s) && !entered.has(s.id) && !s.mask.isEmpty());
  for (const channel of organChannels) {
    let best: Structure | undefined;
    let score = 0;
    for (const s of candidates) {
      const m = organMatch(s, channel);
      if (m > score) [best, score] = [s, m];
    }
    if (best) organs.push({ channel, structureId: best.id, name: best.name });
    else missingOrgans.push(channel);
  }
  return { targets, organs, missingOrgans, needsPrescription };
}

/** The InferenceError 'no-target' for a structure set none of whose targets has a prescription. */
function noTarget(inputs: DoseInputsSummary, structures: readonly Structure[]): InferenceError {
  const ptvs = structures.filter((s) => isPtv(s)).map((s) => `"${s.name}"${s.mask.isEmpty() ? ' (empty)' : ''}`);
  if (ptvs.length === 0) return new InferenceError('no-target', 'no PTV was found (a structure named PTV… or of type PTV): the dose is predicted from the targets and their prescriptions');
  const need = inputs.needsPrescription.length ? `; enter a prescription for ${inputs.needsPrescription.map((t) => `"${t.name}"`).join(', ')}` : '';
  return new InferenceError('no-target', `no PTV has a prescription (PTVs found: ${ptvs.join(', ')})${need}`);
}

/** The network's input on a padded region of the model grid: [1, C, Z, Y, X] and where the region lies. */
export interface DoseInputTensor {
  /** The model grid (LPS-aligned, the manifest's spacing) the region is on. */
  readonly grid: ImageGeometry;
  /** The body box the dose is kept in (model-grid indices). */
  readonly box: Box3;
  /** First model-grid index of the region (may be negative: padding) and its size, each a multiple of divisibleBy. */
  readonly start: Vec3;
  readonly size: Vec3;
  /** Channel-major, x fastest: data[c · Z·Y·X + (z · Y + y) · X + x]. */
  readonly data: Float32Array;
}

/**
 * Builds the network's input (see the module comment) from a CT, the structures on its grid and the summary of
 * what to use. Exported for tests and tools that inspect what the network sees.
 */
export function buildDoseInput(ct: Volume, structures: readonly Structure[], inputs: DoseInputsSummary, manifest: DoseModelManifest, options: JobOptions = {}): DoseInputTensor {
  const spec = manifest.dose;
  const modelGrid = resampleToModelGrid(ct, spec.spacing as unknown as Vec3);
  const grid = modelGrid.geometry;
  const box = bodyBox(modelGrid.data, grid, spec.crop.thresholdHu, spec.crop.marginMm);
  const d = spec.model.divisibleBy;
  const size = [0, 1, 2].map((a) => Math.max(d, Math.ceil((box.hi[a] - box.lo[a]) / d) * d)) as unknown as Vec3;
  const start = [0, 1, 2].map((a) => box.lo[a] - Math.floor((size[a] - (box.hi[a] - box.lo[a])) / 2)) as unknown as Vec3;
  const [px, py, pz] = size;
  const [gx, gy, gz] = grid.dimensions;
  const voxels = px * py * pz;
  const channels = spec.channels.length;
  const data = new Float32Array(channels * voxels);
  const byId = new Map(structures.map((s) => [s.id, s]));
  const steps = 1 + inputs.targets.length + inputs.organs.length;
  let done = 0;
  const report = () => options.progress?.({ stage: 'preprocess', done: ++done, total: steps });

  // Channel 0: normalised CT, padHu (normalised) outside the model grid.
  const norm = normaliseIntensity(modelGrid.data, spec.intensity);
  const [lo, hi] = spec.intensity.clip;
  const pad = (Math.min(Math.max(spec.padHu, lo), hi) - spec.intensity.mean) / spec.intensity.std;
  data.fill(pad, 0, voxels);
  const eachInside = (visit: (o: number, g: number, gk: number, gj: number, gi: number) => void) => {
    for (let z = 0; z < pz; z++) {
      const gk = start[2] + z;
      if (gk < 0 || gk >= gz) continue;
      for (let y = 0; y < py; y++) {
        const gj = start[1] + y;
        if (gj < 0 || gj >= gy) continue;
        for (let x = 0; x < px; x++) {
          const gi = start[0] + x;
          if (gi < 0 || gi >= gx) continue;
          visit((z * py + y) * px + x, gi + gx * (gj + gy * gk), gk, gj, gi);
        }
      }
    }
  };
  eachInside((o, g) => (data[o] = norm[g]));
  report();
  throwIfAborted(options.signal);

  // Masks on the model grid (nearest), written into their channel; the PTV channel keeps the highest value.
  const writeMask = (s: Structure, channel: number, value: number) => {
    const mask = resampleMask(s.mask, ct.geometry, grid);
    const base = channel * voxels;
    let slice: Uint8Array | null = null;
    let sliceK = -1;
    eachInside((o, _g, gk, gj, gi) => {
      if (gk !== sliceK) {
        slice = mask.readAxial(gk, slice ?? undefined);
        sliceK = gk;
      }
      if (slice![gi + gx * gj] && data[base + o] < value) data[base + o] = value;
    });
    report();
    throwIfAborted(options.signal);
  };
  for (const t of inputs.targets) writeMask(byId.get(t.structureId)!, 1, t.prescriptionGy / spec.prescriptionScaleGy);
  for (const o of inputs.organs) {
    const c = spec.channels.indexOf(o.channel);
    if (c >= 2) writeMask(byId.get(o.structureId)!, c, 1);
  }
  return { grid, box, start, size, data };
}

/** Tiles of at most maxPatch per side over the region, overlapping by half (one tile when the region fits). */
function doseTiles(size: Vec3, maxPatch: number): { starts: Vec3[]; patch: Vec3 } {
  const patch = size.map((n) => Math.min(n, maxPatch)) as unknown as Vec3;
  const along = [0, 1, 2].map((a) => tileStarts(size[a], patch[a], 0.5));
  const starts: Vec3[] = [];
  for (const z of along[2]) for (const y of along[1]) for (const x of along[0]) starts.push([x, y, z]);
  return { starts, patch };
}

/**
 * Runs the network over the input region (one pass, or Gaussian-blended tiles when a side exceeds maxPatch) and
 * returns the dose on the region (Z·Y·X, x fastest).
 */
async function runDoseNetwork(input: DoseInputTensor, channels: number, maxPatch: number, runner: TileRunner, options: JobOptions): Promise<Float32Array> {
  const [px, py, pz] = input.size;
  const voxels = px * py * pz;
  const { starts, patch } = doseTiles(input.size, maxPatch);
  const dims = [1, channels, patch[2], patch[1], patch[0]];
  options.progress?.({ stage: 'inference', done: 0, total: starts.length });
  if (starts.length === 1) {
    const out = await runner.run(input.data, dims);
    if (out.length !== voxels) throw new InferenceError('model-mismatch', `the network returned ${out.length} doses for ${voxels} voxels: its output is not [1, 1, Z, Y, X]`);
    options.progress?.({ stage: 'inference', done: 1, total: 1 });
    return out;
  }
  const [tx, ty, tz] = patch;
  const tileVoxels = tx * ty * tz;
  const weight = gaussianImportance([tx, ty, tz], 0.125);
  const sum = new Float32Array(voxels);
  const wsum = new Float32Array(voxels);
  const tile = new Float32Array(channels * tileVoxels);
  for (let n = 0; n < starts.length; n++) {
    throwIfAborted(options.signal);
    const [sx, sy, sz] = starts[n];
    for (let c = 0; c < channels; c++)
      for (let z = 0; z < tz; z++)
        for (let y = 0; y < ty; y++) {
          const from = c * voxels + ((sz + z) * py + sy + y) * px + sx;
          tile.set(input.data.subarray(from, from + tx), c * tileVoxels + (z * ty + y) * tx);
        }
    const out = await runner.run(tile, dims);
    if (out.length !== tileVoxels) throw new InferenceError('model-mismatch', `the network returned ${out.length} doses for ${tileVoxels} voxels: its output is not [1, 1, Z, Y, X]`);
    for (let z = 0; z < tz; z++)
      for (let y = 0; y < ty; y++)
        for (let x = 0; x < tx; x++) {
          const t = (z * ty + y) * tx + x;
          const r = ((sz + z) * py + sy + y) * px + sx + x;
          sum[r] += weight[t] * out[t];
          wsum[r] += weight[t];
        }
    options.progress?.({ stage: 'inference', done: n + 1, total: starts.length });
  }
  for (let r = 0; r < voxels; r++) sum[r] = wsum[r] > 0 ? sum[r] / wsum[r] : 0;
  return sum;
}

/**
 * Predicts the dose of a request with a dose model's network behind `runner` (see the module comment). Throws
 * InferenceError 'not-ct' for input that is not a CT, 'no-target' when no PTV has a prescription (naming the
 * PTVs found), 'bad-prescription' for an entered prescription that is not a dose, 'model-mismatch' for a network
 * whose output is not one dose per voxel. Progress: 'preprocess' (channels), 'inference' (passes),
 * 'postprocess'; the signal is honoured between them. Nothing of the request is modified.
 */
export async function predictDoseWithNetwork(req: DosePredictionRequest, manifest: DoseModelManifest, runner: TileRunner, options: JobOptions = {}): Promise<DosePredictionResult> {
  assertCt(req.ct);
  const spec = manifest.dose;
  const inputs = doseInputsFor(req.structures, req.prescriptions, spec.channels.slice(2));
  if (inputs.targets.length === 0) throw noTarget(inputs, req.structures);
  throwIfAborted(options.signal);
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = now - t;
    t = now;
  };
  const input = buildDoseInput(req.ct, req.structures, inputs, manifest, options);
  lap('preprocess');
  throwIfAborted(options.signal);
  const region = await runDoseNetwork(input, spec.channels.length, spec.maxPatch, runner, options);
  lap('inference');
  throwIfAborted(options.signal);
  options.progress?.({ stage: 'postprocess', done: 0, total: 1 });
  const [gx, gy, gz] = input.grid.dimensions;
  const [px, py] = input.size;
  const dose = new Float32Array(gx * gy * gz);
  const { lo, hi } = input.box;
  for (let k = lo[2]; k < hi[2]; k++)
    for (let j = lo[1]; j < hi[1]; j++)
      for (let i = lo[0]; i < hi[0]; i++) {
        const v = region[((k - input.start[2]) * py + (j - input.start[1])) * px + (i - input.start[0])];
        if (!Number.isFinite(v)) throw new InferenceError('model-mismatch', 'the network returned a dose that is not a finite number');
        dose[i + gx * (j + gy * k)] = v > 0 ? v : 0;
      }
  const label = `Predicted dose (${manifest.id} ${manifest.version})`;
  const id = req.ct.identity;
  const volume = new Volume({
    ...input.grid,
    data: dose,
    modality: 'RTDOSE',
    identity: { frameOfReferenceUid: id.frameOfReferenceUid, studyInstanceUid: id.studyInstanceUid },
    name: label,
  });
  lap('postprocess');
  options.progress?.({ stage: 'postprocess', done: 1, total: 1 });
  return { dose: volume, label, model: { id: manifest.id, version: manifest.version }, inputs, timings };
}

