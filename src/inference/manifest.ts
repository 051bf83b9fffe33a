/**
 * The model manifest: everything the engine must know to run a segmentation model the way it was trained
 * (nnU-Net's `plans.json` + `dataset.json` in one small file). A manifest is data from outside the program
 * (a file next to the .onnx, possibly written by a user bringing their own model), so it is validated field
 * by field here and every problem is reported with its JSON path. Browser-safe, no dependencies.
 */
import type { Rgb, RoiInterpretedType } from '../domain/structure.ts';
import { ROI_INTERPRETED_TYPES } from '../domain/structure.ts';
import { JobError } from '../jobs/job.ts';

/** The manifest format this engine reads. */
export const MANIFEST_SCHEMA = 'delineo-model/1';

/** Per-label clean-up after argmax. */
export interface LabelPostprocess {
  /** Keep only the largest 3D connected component (6-connectivity). */
  readonly largestComponent?: boolean;
  /** Fill holes slice by slice ('2d') or enclosed cavities ('3d'). */
  readonly fillHoles?: '2d' | '3d';
  /** Drop connected pieces smaller than this (cc); applied before largestComponent. */
  readonly minComponentCc?: number;
}

/** One output class of a model and the structure it becomes. */
export interface ManifestLabel {
  /** Channel index in the network output (1..classes-1; 0 is background). */
  readonly value: number;
  readonly name: string;
  /** TG-263 standard name. */
  readonly standardName?: string;
  readonly interpretedType: RoiInterpretedType;
  readonly color: Rgb;
  readonly postprocess?: LabelPostprocess;
}

/** CT intensity normalisation: clip to a HU window, then (x − mean) / std. */
export interface IntensityNormalisation {
  readonly clip: readonly [number, number];
  readonly mean: number;
  readonly std: number;
}

/**
 * How the network sees the volume. '2.5d': a stack of `contextSlices` slices on each side of an axial slice
 * as channels ([N, 2c+1, Y, X]); the edge slice is repeated beyond the volume. '3d': [N, 1, Z, Y, X] patches.
 */
export type InputLayout = { readonly kind: '2.5d'; readonly contextSlices: number } | { readonly kind: '3d' };

/** A mirror applied for test-time augmentation; `swapLabels` exchanges channels a mirror turns into each other (left ↔ right organs). */
export interface MirrorAxis {
  readonly axis: 'x' | 'y' | 'z';
  readonly swapLabels?: readonly (readonly [number, number])[];
}

/** The ONNX network of a model. */
export interface OnnxModelSpec {
  readonly file: string;
  /** Lower-case hex SHA-256 of the file, checked at load. */
  readonly sha256: string;
  readonly bytes: number;
  readonly inputName: string;
  readonly outputName: string;
  /** Output channels (background + labels). */
  readonly classes: number;
  /** Spatial sizes must be multiples of this (the network's total down-sampling). */
  readonly divisibleBy: number;
}

/** A model manifest (see the module comment). */
export interface ModelManifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly kind: 'onnx' | 'rules';
  /** Input modality; only 'CT' is supported. */
  readonly modality: 'CT';
  readonly license: string;
  /** Relative path or URL of the model card. */
  readonly modelCard: string;
  readonly labels: readonly ManifestLabel[];
  /** Present when kind is 'onnx'. */
  readonly onnx?: OnnxNetworkSpec;
}

/** Everything about running an ONNX network (absent for rule-based models). */
export interface OnnxNetworkSpec {
  readonly model: OnnxModelSpec;
  /**
   * 'LPS': the network sees the volume with index axes along patient +x (right → left), +y (anterior →
   * posterior), +z (inferior → superior); the engine reorients any input to it.
   */
  readonly orientation: 'LPS';
  /** Voxel spacing (mm) the network was trained at: x, y, z. */
  readonly spacing: readonly [number, number, number];
  readonly intensity: IntensityNormalisation;
  readonly layout: InputLayout;
  /** Patch size: [x, y] for 2.5d, [x, y, z] for 3d. */
  readonly patch: readonly number[];
  /** Fractional overlap of neighbouring tiles (nnU-Net: 0.5). */
  readonly overlap: number;
  /** Gaussian blending σ as a fraction of the patch size (nnU-Net: 1/8). */
  readonly gaussianSigma: number;
  /** Tiles per `session.run` (the exported graph must have a dynamic batch axis when > 1). */
  readonly batch: number;
  /**
   * Crop to the body before tiling (nnU-Net crops to the non-zero region): voxels above `thresholdHu`
   * plus `marginMm`. Outside the crop the engine predicts background without running the network.
   */
  readonly crop?: { readonly thresholdHu: number; readonly marginMm: number };
  /** Value (HU) that pads tiles reaching outside the volume. */
  readonly padHu: number;
  readonly mirror?: readonly MirrorAxis[];
}

/** The manifest is malformed or does not describe a model this engine can run. */
export class ManifestError extends JobError {
  override name = 'ManifestError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[], file?: string) {
    super('invalid-manifest', `invalid model manifest: ${problems.join('; ')}`, { file });
    this.problems = problems;
  }
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isInt = (x: unknown): x is number => Number.isInteger(x);
const isStr = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

/**
 * Checks the fields every manifest kind shares (schema, id, name, version, description, license, modelCard,
 * modality), reporting each problem through `need`; the dose manifest (dose-manifest.ts) uses it too.
 */
export function validateManifestHeader(json: Record<string, unknown>, need: (cond: boolean, msg: string) => boolean): void {
  need(json.schema === MANIFEST_SCHEMA, `schema must be "${MANIFEST_SCHEMA}"`);
  for (const k of ['id', 'name', 'version', 'description', 'license', 'modelCard'] as const) need(isStr(json[k]), `${k} must be a non-empty string`);
  if (isStr(json.id)) need(/^[a-z0-9][a-z0-9._-]*$/.test(json.id), 'id must be lower-case letters, digits, ".", "_" or "-"');
  need(json.modality === 'CT', 'modality must be "CT" (the only modality the engine normalises)');
}

/**
 * Validates parsed JSON as a {@link ModelManifest} and returns it typed. Collects every problem (not just
 * the first) so a person writing a manifest fixes them in one go; throws {@link ManifestError} listing them.
 */
export function validateManifest(json: unknown, file?: string): ModelManifest {
  const p: string[] = [];
  const need = (cond: boolean, msg: string) => {
    if (!cond) p.push(msg);
    return cond;
  };
  if (!isObj(json)) throw new ManifestError(['the manifest must be a JSON object'], file);
  if (json.kind === 'dose') throw new ManifestError([`model "${String(json.id)}" predicts dose (kind "dose"): run it with dose prediction, not segmentation`], file);
  validateManifestHeader(json, need);
  need(json.kind === 'onnx' || json.kind === 'rules', 'kind must be "onnx" or "rules"');
  const labels = json.labels;
  const values = new Set<number>();
  if (need(Array.isArray(labels) && labels.length > 0, 'labels must be a non-empty array')) {
    (labels as unknown[]).forEach((l, i) => {
      const at = `labels[${i}]`;
      if (!need(isObj(l), `${at} must be an object`)) return;
      const lab = l as Json;
      if (need(isInt(lab.value) && (lab.value as number) >= 1, `${at}.value must be an integer ≥ 1`)) {
        need(!values.has(lab.value as number), `${at}.value ${lab.value} is used twice`);
        values.add(lab.value as number);
      }
      need(isStr(lab.name) && (lab.name as string).length <= 64 && !(lab.name as string).includes('\\'), `${at}.name must be a DICOM ROI name (1–64 characters, no backslash)`);
      if (lab.standardName !== undefined) need(isStr(lab.standardName), `${at}.standardName must be a string`);
      need(ROI_INTERPRETED_TYPES.includes(lab.interpretedType as RoiInterpretedType), `${at}.interpretedType must be a DICOM RT ROI interpreted type`);
      need(Array.isArray(lab.color) && lab.color.length === 3 && lab.color.every((c) => isInt(c) && c >= 0 && c <= 255), `${at}.color must be three integers 0–255`);
      if (lab.postprocess !== undefined) {
        const pp = lab.postprocess;
        if (need(isObj(pp), `${at}.postprocess must be an object`)) {
          const q = pp as Json;
          if (q.largestComponent !== undefined) need(typeof q.largestComponent === 'boolean', `${at}.postprocess.largestComponent must be a boolean`);
          if (q.fillHoles !== undefined) need(q.fillHoles === '2d' || q.fillHoles === '3d', `${at}.postprocess.fillHoles must be "2d" or "3d"`);
          if (q.minComponentCc !== undefined) need(isNum(q.minComponentCc) && (q.minComponentCc as number) >= 0, `${at}.postprocess.minComponentCc must be ≥ 0`);
        }
      }
    });
  }
  if (json.kind === 'onnx') {
    if (need(isObj(json.onnx), 'onnx must be an object for kind "onnx"')) validateOnnx(json.onnx as Json, values, need);
  } else if (json.onnx !== undefined) p.push('onnx must be absent for kind "rules"');
  if (p.length) throw new ManifestError(p, file);
  return json as unknown as ModelManifest;
}

function validateOnnx(o: Json, labelValues: Set<number>, need: (c: boolean, m: string) => boolean): void {
  const m = o.model;
  let classes = 0;
  if (need(isObj(m), 'onnx.model must be an object')) {
    const mm = m as Json;
    need(isStr(mm.file), 'onnx.model.file must be a file name');
    need(typeof mm.sha256 === 'string' && /^[0-9a-f]{64}$/.test(mm.sha256), 'onnx.model.sha256 must be 64 lower-case hex digits');
    need(isInt(mm.bytes) && (mm.bytes as number) > 0, 'onnx.model.bytes must be a positive integer');
    need(isStr(mm.inputName), 'onnx.model.inputName must be a string');
    need(isStr(mm.outputName), 'onnx.model.outputName must be a string');
    if (need(isInt(mm.classes) && (mm.classes as number) >= 2, 'onnx.model.classes must be an integer ≥ 2')) classes = mm.classes as number;
    need(isInt(mm.divisibleBy) && (mm.divisibleBy as number) >= 1, 'onnx.model.divisibleBy must be an integer ≥ 1');
  }
  if (classes) for (const v of labelValues) need(v < classes, `label value ${v} is not an output channel (classes = ${classes})`);
  need(o.orientation === 'LPS', 'onnx.orientation must be "LPS"');
  need(Array.isArray(o.spacing) && o.spacing.length === 3 && o.spacing.every((s) => isNum(s) && s > 0), 'onnx.spacing must be three positive numbers (mm)');
  const it = o.intensity;
  if (need(isObj(it), 'onnx.intensity must be an object')) {
    const i = it as Json;
    need(Array.isArray(i.clip) && i.clip.length === 2 && isNum(i.clip[0]) && isNum(i.clip[1]) && i.clip[0] < i.clip[1], 'onnx.intensity.clip must be [low, high] HU with low < high');
    need(isNum(i.mean), 'onnx.intensity.mean must be a number');
    need(isNum(i.std) && (i.std as number) > 0, 'onnx.intensity.std must be a positive number');
  }
  const lay = o.layout;
  let dims = 0;
  if (need(isObj(lay), 'onnx.layout must be an object')) {
    const l = lay as Json;
    if (l.kind === '2.5d') {
      dims = 2;
      need(isInt(l.contextSlices) && (l.contextSlices as number) >= 0, 'onnx.layout.contextSlices must be an integer ≥ 0');
    } else if (l.kind === '3d') dims = 3;
    else need(false, 'onnx.layout.kind must be "2.5d" or "3d"');
  }
  if (dims) need(Array.isArray(o.patch) && o.patch.length === dims && o.patch.every((s) => isInt(s) && s >= 1), `onnx.patch must be ${dims} positive integers`);
  if (dims && Array.isArray(o.patch) && isObj(m) && isInt((m as Json).divisibleBy)) {
    const d = (m as Json).divisibleBy as number;
    need((o.patch as number[]).every((s) => s % d === 0), `onnx.patch sizes must be multiples of onnx.model.divisibleBy (${d})`);
  }
  need(isNum(o.overlap) && (o.overlap as number) >= 0 && (o.overlap as number) < 1, 'onnx.overlap must be in [0, 1)');
  need(isNum(o.gaussianSigma) && (o.gaussianSigma as number) > 0, 'onnx.gaussianSigma must be positive');
  need(isInt(o.batch) && (o.batch as number) >= 1, 'onnx.batch must be an integer ≥ 1');
  need(isNum(o.padHu), 'onnx.padHu must be a number');
  if (o.crop !== undefined) {
    const c = o.crop;
    need(isObj(c) && isNum((c as Json).thresholdHu) && isNum((c as Json).marginMm) && ((c as Json).marginMm as number) >= 0, 'onnx.crop must be { thresholdHu, marginMm ≥ 0 }');
  }
  if (o.mirror !== undefined) {
    if (need(Array.isArray(o.mirror), 'onnx.mirror must be an array')) {
      (o.mirror as unknown[]).forEach((mi, i) => {
        const at = `onnx.mirror[${i}]`;
        if (!need(isObj(mi), `${at} must be an object`)) return;
        const a = (mi as Json).axis;
        need(a === 'x' || a === 'y' || (a === 'z' && dims === 3) || (a === 'z' && dims === 0), `${at}.axis must be "x" or "y" (or "z" for 3d)`);
        const sw = (mi as Json).swapLabels;
        if (sw !== undefined) {
          need(Array.isArray(sw) && sw.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((v) => isInt(v) && (!classes || (v >= 0 && v < classes)))), `${at}.swapLabels must be pairs of output channels`);
        }
      });
    }
  }
}
