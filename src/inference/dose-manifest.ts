/**
 * The manifest of a dose-prediction model (`kind: "dose"` in the delineo-model/1 schema): what the dose engine
 * (dose-prediction.ts) must know to build the network's input the way it was trained (models/training/pack_data.py
 * `pack_dose`) and to read its output. Like the segmentation manifest (manifest.ts) it is data from outside the
 * program, validated field by field with every problem reported by its JSON path. Browser-safe.
 */
import { ManifestError, validateManifestHeader, type IntensityNormalisation } from './manifest.ts';

/** The first two input channels every dose network takes; the rest are organs at risk by TG-263 name. */
export const DOSE_BASE_CHANNELS = ['CT', 'PTV'] as const;

/** The ONNX file of a dose network. */
export interface DoseOnnxSpec {
  readonly file: string;
  /** Lower-case hex SHA-256 of the file, checked at load. */
  readonly sha256: string;
  readonly bytes: number;
  readonly inputName: string;
  readonly outputName: string;
  /** Each side of the input must be a multiple of this (the network's total down-sampling). */
  readonly divisibleBy: number;
}

/** Everything about running a dose network. */
export interface DoseNetworkSpec {
  readonly model: DoseOnnxSpec;
  /** 'LPS': index axes along patient +x, +y, +z (see OnnxNetworkSpec.orientation). */
  readonly orientation: 'LPS';
  /** Model-grid spacing (mm): x, y, z. */
  readonly spacing: readonly [number, number, number];
  /** Channel 0: (clip(HU, lo, hi) − mean) / std. */
  readonly intensity: IntensityNormalisation;
  /** HU of the padding around the crop (normalised like the CT). */
  readonly padHu: number;
  /** The crop: the model-grid voxels above `thresholdHu`, grown by `marginMm`. */
  readonly crop: { readonly thresholdHu: number; readonly marginMm: number };
  /**
   * Input channels in order: 'CT', 'PTV' (prescription / prescriptionScaleGy where a PTV covers the voxel, the
   * highest where PTVs overlap), then one 0/1 mask per organ at risk named by its TG-263 name.
   */
  readonly channels: readonly string[];
  /** Gy that a PTV channel value of 1 stands for. */
  readonly prescriptionScaleGy: number;
  /** The largest side (voxels) one pass takes; a larger crop is tiled (a multiple of divisibleBy). */
  readonly maxPatch: number;
}

/** A dose model's manifest. */
export interface DoseModelManifest {
  readonly schema: 'delineo-model/1';
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly kind: 'dose';
  readonly modality: 'CT';
  readonly license: string;
  readonly modelCard: string;
  readonly dose: DoseNetworkSpec;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isInt = (x: unknown): x is number => Number.isInteger(x);
const isStr = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

/**
 * Validates parsed JSON as a {@link DoseModelManifest} and returns it typed; throws {@link ManifestError} listing
 * every problem (with `file` when given). A segmentation manifest is refused with a sentence saying so.
 */
export function validateDoseManifest(json: unknown, file?: string): DoseModelManifest {
  const p: string[] = [];
  const need = (cond: boolean, msg: string) => {
    if (!cond) p.push(msg);
    return cond;
  };
  if (!isObj(json)) throw new ManifestError(['the manifest must be a JSON object'], file);
  if (json.kind === 'onnx' || json.kind === 'rules') throw new ManifestError([`model "${String(json.id)}" is a segmentation model (kind "${json.kind}"), not a dose-prediction model`], file);
  validateManifestHeader(json, need);
  need(json.kind === 'dose', 'kind must be "dose"');
  if (need(isObj(json.dose), 'dose must be an object')) validateDoseSpec(json.dose as Json, need);
  if (p.length) throw new ManifestError(p, file);
  return json as unknown as DoseModelManifest;
}

function validateDoseSpec(d: Json, need: (c: boolean, m: string) => boolean): void {
  let divisibleBy = 0;
  if (need(isObj(d.model), 'dose.model must be an object')) {
    const m = d.model as Json;
    need(isStr(m.file), 'dose.model.file must be a file name');
    need(typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/.test(m.sha256), 'dose.model.sha256 must be 64 lower-case hex digits');
    need(isInt(m.bytes) && (m.bytes as number) > 0, 'dose.model.bytes must be a positive integer');
    need(isStr(m.inputName), 'dose.model.inputName must be a string');
    need(isStr(m.outputName), 'dose.model.outputName must be a string');
    if (need(isInt(m.divisibleBy) && (m.divisibleBy as number) >= 1, 'dose.model.divisibleBy must be an integer ≥ 1')) divisibleBy = m.divisibleBy as number;
  }
  need(d.orientation === 'LPS', 'dose.orientation must be "LPS"');
  need(Array.isArray(d.spacing) && d.spacing.length === 3 && d.spacing.every((s) => isNum(s) && s > 0), 'dose.spacing must be three positive numbers (mm)');
  if (need(isObj(d.intensity), 'dose.intensity must be an object')) {
    const i = d.intensity as Json;
    need(Array.isArray(i.clip) && i.clip.length === 2 && isNum(i.clip[0]) && isNum(i.clip[1]) && i.clip[0] < i.clip[1], 'dose.intensity.clip must be [low, high] HU with low < high');
    need(isNum(i.mean), 'dose.intensity.mean must be a number');
    need(isNum(i.std) && (i.std as number) > 0, 'dose.intensity.std must be a positive number');
  }
  need(isNum(d.padHu), 'dose.padHu must be a number');
  const c = d.crop;
  need(isObj(c) && isNum(c.thresholdHu) && isNum(c.marginMm) && (c.marginMm as number) >= 0, 'dose.crop must be { thresholdHu, marginMm ≥ 0 }');
  if (need(Array.isArray(d.channels) && d.channels.every(isStr), 'dose.channels must be an array of channel names')) {
    const ch = d.channels as string[];
    need(ch[0] === DOSE_BASE_CHANNELS[0] && ch[1] === DOSE_BASE_CHANNELS[1], 'dose.channels must start with "CT", "PTV"');
    const seen = new Set<string>();
    ch.forEach((name, i) => {
      need(!seen.has(name.toLowerCase()), `dose.channels[${i}] "${name}" is listed twice`);
      seen.add(name.toLowerCase());
    });
  }
  need(isNum(d.prescriptionScaleGy) && (d.prescriptionScaleGy as number) > 0, 'dose.prescriptionScaleGy must be a positive number (Gy)');
  if (need(isInt(d.maxPatch) && (d.maxPatch as number) >= 1, 'dose.maxPatch must be a positive integer') && divisibleBy) {
    need((d.maxPatch as number) % divisibleBy === 0, `dose.maxPatch must be a multiple of dose.model.divisibleBy (${divisibleBy})`);
  }
}
