/**
 * RT Dose: the dose grid of a plan, a beam or a fraction, as a Volume in Gy on its own patient-space grid.
 *
 * This module turns the attributes of an RT Dose object (read by the one DICOM dataset reader) into a dose
 * volume, deciding every defect clinics' files have (each decision in src/io/README.md):
 * - GridFrameOffsetVector in its relative form (first value 0, offsets from ImagePositionPatient along the
 *   slice normal) and its absolute form (first value = the first frame's z, allowed for axial grids);
 *   decreasing offsets are reordered; offsets that are not evenly spaced are resampled linearly to the
 *   smallest step, with a warning.
 * - DoseGridScaling multiplies the stored values; absent or zero it is refused (a zero would make every dose
 *   0 Gy and pass every constraint).
 * - DoseUnits GY is used as is; CGY (not a DICOM term, but written) is divided by 100 with a warning; RELATIVE
 *   is refused unless the caller knows the reference dose (the plan's prescription).
 * - Pixel data shorter than Rows × Columns × frames is refused (dcmjs would zero-fill it silently).
 * - Oblique dose grids keep their orientation (row/column cosines and the slice normal).
 */
import { cross, fromAxes, type Vec3 } from '../../domain/geometry.ts';
import { Volume } from '../../domain/volume.ts';
import { DicomLoadError, DoseLoadError, type LoadWarning } from '../errors.ts';
import { int, items, locatePixelData, num, nums, openDicom, str } from './dataset.ts';

/** The attributes of an RT Dose object that its dose grid needs, as the dataset reader found them. */
export interface RtDoseAttributes {
  readonly file: string;
  readonly sopInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly frameOfReferenceUid?: string;
  readonly rows?: number;
  readonly columns?: number;
  readonly numberOfFrames?: number;
  /** PixelSpacing: [between rows, between columns] in mm. */
  readonly pixelSpacing?: readonly number[];
  readonly imagePositionPatient?: readonly number[];
  readonly imageOrientationPatient?: readonly number[];
  readonly gridFrameOffsetVector?: readonly number[];
  readonly doseGridScaling?: number;
  readonly doseUnits?: string;
  /** PHYSICAL, EFFECTIVE or ERROR. */
  readonly doseType?: string;
  /** PLAN, MULTI_PLAN, FRACTION, BEAM, BRACHY, FRACTION_SESSION, BEAM_SESSION, CONTROL_POINT, RECORD. */
  readonly doseSummationType?: string;
  readonly doseComment?: string;
  readonly seriesDescription?: string;
  readonly referencedRtPlanUid?: string;
  /** The beam a BEAM dose is of (ReferencedBeamNumber in the referenced fraction group). */
  readonly referencedBeamNumber?: number;
  readonly bitsAllocated?: number;
  /** 0 unsigned, 1 signed. */
  readonly pixelRepresentation?: number;
  /** The PixelData value, little endian. */
  readonly pixelData?: Uint8Array;
}

/** A dose grid ready to show and to compute DVHs on. */
export interface RtDose {
  readonly file: string;
  /** Dose in Gy (Float32) on the dose grid; modality 'RTDOSE'. */
  readonly volume: Volume;
  readonly summationType: string;
  readonly doseType: string;
  readonly frameOfReferenceUid?: string;
  readonly sopInstanceUid?: string;
  readonly referencedRtPlanUid?: string;
  readonly referencedBeamNumber?: number;
  /** What the user sees in a list of doses: summation type, comment or description, maximum. */
  readonly label: string;
  readonly maxGy: number;
  readonly warnings: readonly LoadWarning[];
}

export interface RtDoseOptions {
  /** The dose in Gy that a RELATIVE dose of 1 stands for (the prescription), when known. */
  readonly relativeReferenceGy?: number;
  /**
   * The Frame of Reference UID of the CT the dose is for: a dose on another one is refused first, naming both
   * UIDs, before any other defect of the file is looked at (the clinician's first question is "is it this
   * patient's dose?"). Undefined: not checked (call {@link assertDoseOnCt} later).
   */
  readonly ctFrameOfReferenceUid?: string;
}

const need = <T>(value: T | undefined, tag: string, file: string): T => {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    throw new DoseLoadError('missing-tag', `the RT Dose has no ${tag}: its grid cannot be placed`, { file });
  }
  return value;
};

const RT_DOSE_STORAGE = '1.2.840.10008.5.1.4.1.1.481.2';

/**
 * Reads an RT Dose file (through the one dataset reader) and builds its dose volume. Throws DicomLoadError for
 * a file that is not DICOM or not an RT Dose, DoseLoadError for a dose that cannot be used; both name the file.
 */
export function readRtDose(input: ArrayBuffer | Uint8Array, file: string, options: RtDoseOptions = {}): RtDose {
  return buildRtDose(readRtDoseAttributes(input, file), options);
}

/**
 * Reads the attributes of an RT Dose file that its dose grid needs, without building the grid: what a caller
 * looks at before choosing the options of {@link buildRtDose} (the plan a RELATIVE dose refers to). Throws
 * DicomLoadError, naming the file, for a file that is not DICOM or not an RT Dose.
 */
export function readRtDoseAttributes(input: ArrayBuffer | Uint8Array, file: string): RtDoseAttributes {
  const opened = openDicom(input, file);
  const { meta, dict: ds } = opened.read();
  const sopClass = str(ds, '00080016') || str(meta, '00020002');
  if (sopClass !== RT_DOSE_STORAGE && str(ds, '00080060').toUpperCase() !== 'RTDOSE') {
    throw new DicomLoadError('invalid-tag', `not an RT Dose (SOP Class ${sopClass || 'missing'})`, { file });
  }
  const pixel = ds['7FE00010']?.Value?.[0];
  let pixelData = pixel instanceof ArrayBuffer ? new Uint8Array(pixel) : ArrayBuffer.isView(pixel) ? new Uint8Array(pixel.buffer, pixel.byteOffset, pixel.byteLength) : undefined;
  // dcmjs zero-fills a value cut short by the end of the file: measure what the file really holds.
  const expected = (num(ds, '00280010') ?? 0) * (num(ds, '00280011') ?? 0) * (num(ds, '00280008') ?? 1) * ((num(ds, '00280100') ?? 16) / 8);
  const bytes = opened.bytes;
  const at = pixelData ? locatePixelData(bytes, str(meta, '00020010') === '1.2.840.10008.1.2', 0) : undefined;
  if (pixelData && at) pixelData = bytes.subarray(at.start, Math.min(bytes.length, at.start + expected));
  const plan = items(ds, '300C0002')[0];
  const beam = items(items(plan, '300C0020')[0], '300C0004')[0];
  const gfov = nums(ds, '3004000C');
  return {
    file,
    sopInstanceUid: str(ds, '00080018') || undefined,
    seriesInstanceUid: str(ds, '0020000E') || undefined,
    frameOfReferenceUid: str(ds, '00200052') || undefined,
    rows: num(ds, '00280010'),
    columns: num(ds, '00280011'),
    numberOfFrames: num(ds, '00280008'),
    pixelSpacing: nums(ds, '00280030'),
    imagePositionPatient: nums(ds, '00200032'),
    imageOrientationPatient: nums(ds, '00200037'),
    gridFrameOffsetVector: gfov.length ? gfov : undefined,
    doseGridScaling: num(ds, '3004000E'),
    doseUnits: str(ds, '30040002'),
    doseType: str(ds, '30040004') || undefined,
    doseSummationType: str(ds, '3004000A') || undefined,
    doseComment: str(ds, '30040006') || undefined,
    seriesDescription: str(ds, '0008103E') || undefined,
    referencedRtPlanUid: str(plan, '00081155') || undefined,
    referencedBeamNumber: int(beam, '300C0006'),
    bitsAllocated: num(ds, '00280100'),
    pixelRepresentation: num(ds, '00280103'),
    pixelData,
  };
}

/** Builds the dose volume of an RT Dose; throws a {@link DoseLoadError} naming the file and the problem. */
export function buildRtDose(a: RtDoseAttributes, options: RtDoseOptions = {}): RtDose {
  const file = a.file;
  if (options.ctFrameOfReferenceUid !== undefined) assertDoseOnCt(a, options.ctFrameOfReferenceUid);
  const warnings: LoadWarning[] = [];
  const rows = need(a.rows, 'Rows', file);
  const columns = need(a.columns, 'Columns', file);
  const frames = a.numberOfFrames ?? 1;
  const spacing = need(a.pixelSpacing, 'Pixel Spacing', file);
  const ipp = need(a.imagePositionPatient, 'Image Position (Patient)', file);
  const iop = need(a.imageOrientationPatient, 'Image Orientation (Patient)', file);
  if (spacing.length < 2 || !(spacing[0]! > 0 && spacing[1]! > 0)) throw new DoseLoadError('invalid-tag', `Pixel Spacing ${spacing.join('\\')} is not two positive numbers`, { file });
  if (iop.length < 6 || ipp.length < 3) throw new DoseLoadError('invalid-tag', 'Image Position/Orientation (Patient) are incomplete', { file });
  const scaling = a.doseGridScaling;
  if (scaling === undefined) throw new DoseLoadError('missing-tag', 'the RT Dose has no Dose Grid Scaling: its stored values cannot be turned into Gy', { file });
  if (!(Number.isFinite(scaling) && scaling > 0)) throw new DoseLoadError('invalid-tag', `Dose Grid Scaling is ${scaling}: every dose would be 0 Gy; the file is damaged or was written wrongly`, { file });

  const units = (a.doseUnits ?? '').trim().toUpperCase();
  let toGy = scaling;
  if (units === 'CGY') {
    toGy = scaling / 100;
    warnings.push({ code: 'unsupported-object', message: 'Dose Units CGY (not a DICOM term) read as centigray and converted to Gy', file });
  } else if (units === 'RELATIVE') {
    if (!(options.relativeReferenceGy && options.relativeReferenceGy > 0)) {
      throw new DoseLoadError('relative-dose', 'the dose is RELATIVE (no absolute unit): Delineo shows doses in Gy only, and needs the prescription to convert it', { file });
    }
    toGy = scaling * options.relativeReferenceGy;
    warnings.push({ code: 'unsupported-object', message: `RELATIVE dose scaled to the prescription, ${options.relativeReferenceGy} Gy`, file });
  } else if (units !== 'GY') {
    throw new DoseLoadError('invalid-tag', `Dose Units "${a.doseUnits ?? ''}" is neither GY nor RELATIVE`, { file });
  }

  const row: Vec3 = [iop[0]!, iop[1]!, iop[2]!];
  const col: Vec3 = [iop[3]!, iop[4]!, iop[5]!];
  const normal = cross(row, col);

  // Frame positions along the normal, relative to ImagePositionPatient.
  let offsets: number[];
  if (frames === 1 && (!a.gridFrameOffsetVector || a.gridFrameOffsetVector.length === 0)) offsets = [0];
  else {
    const gfov = a.gridFrameOffsetVector;
    if (!gfov || gfov.length === 0) throw new DoseLoadError('missing-tag', `the RT Dose has ${frames} frames but no Grid Frame Offset Vector: the frames cannot be placed`, { file });
    if (gfov.length !== frames) throw new DoseLoadError('invalid-tag', `Grid Frame Offset Vector has ${gfov.length} values for ${frames} frames`, { file });
    if (gfov[0] === 0) offsets = [...gfov];
    else {
      const axial = Math.abs(normal[2]) > 0.999;
      if (!axial) throw new DoseLoadError('invalid-tag', 'Grid Frame Offset Vector is in its absolute form (first value not 0), which DICOM allows only for axial grids', { file });
      offsets = gfov.map((z) => (z - ipp[2]!) * Math.sign(normal[2]));
      warnings.push({ code: 'unsupported-object', message: 'Grid Frame Offset Vector in its absolute (z) form, read as positions along the slice normal', file });
    }
  }

  // Stored values.
  const bits = a.bitsAllocated ?? 16;
  const signed = a.pixelRepresentation === 1;
  const bytes = need(a.pixelData, 'Pixel Data', file);
  const count = rows * columns * frames;
  const bytesPer = bits / 8;
  if (bits !== 16 && bits !== 32) throw new DoseLoadError('invalid-tag', `Bits Allocated ${bits}: RT Dose pixels are 16 or 32 bits`, { file });
  if (bytes.byteLength < count * bytesPer) {
    throw new DoseLoadError('pixel-data-length', `Pixel Data holds ${bytes.byteLength} bytes, ${rows} × ${columns} × ${frames} doses need ${count * bytesPer}: the file is truncated`, { file });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * bytesPer);
  const read = bits === 16 ? (n: number) => (signed ? view.getInt16(2 * n, true) : view.getUint16(2 * n, true)) : (n: number) => (signed ? view.getInt32(4 * n, true) : view.getUint32(4 * n, true));

  // Frames in increasing offset.
  const order = offsets.map((o, f) => ({ o, f })).sort((p, q) => p.o - q.o);
  const plane = rows * columns;
  const steps = order.slice(1).map((p, n) => p.o - order[n]!.o);
  if (steps.some((s) => s <= 1e-6)) throw new DoseLoadError('invalid-tag', 'Grid Frame Offset Vector repeats a position', { file });
  const step = steps.length ? Math.min(...steps) : 1;
  const uniform = steps.every((s) => Math.abs(s - step) <= 0.01 * step);
  const nz = uniform ? order.length : Math.round((order.at(-1)!.o - order[0]!.o) / step) + 1;
  const data = new Float32Array(plane * nz);
  const frameAt = (f: number, out: Float32Array, at: number, weight: number) => {
    for (let p = 0; p < plane; p++) out[at + p] += weight * read(f * plane + p) * toGy;
  };
  if (uniform) order.forEach(({ f }, k) => frameAt(f, data, k * plane, 1));
  else {
    warnings.push({ code: 'non-uniform-spacing', message: `dose frames are not evenly spaced (${[...new Set(steps.map((s) => s.toFixed(2)))].join(', ')} mm): resampled linearly to ${step.toFixed(2)} mm`, file });
    for (let k = 0; k < nz; k++) {
      const z = order[0]!.o + k * step;
      let n = 0;
      while (n < order.length - 2 && order[n + 1]!.o < z) n++;
      const t = Math.min(1, Math.max(0, (z - order[n]!.o) / (order[n + 1]!.o - order[n]!.o)));
      frameAt(order[n]!.f, data, k * plane, 1 - t);
      if (t > 0) frameAt(order[n + 1]!.f, data, k * plane, t);
    }
  }
  let maxGy = 0;
  for (let n = 0; n < data.length; n++) if (data[n]! > maxGy) maxGy = data[n]!;

  const first = order[0]!.o;
  const origin: Vec3 = [ipp[0]! + first * normal[0], ipp[1]! + first * normal[1], ipp[2]! + first * normal[2]];
  const volume = new Volume({
    dimensions: [columns, rows, nz],
    spacing: [spacing[1]!, spacing[0]!, step],
    origin,
    direction: fromAxes(row, col, normal),
    data,
    modality: 'RTDOSE',
    identity: { frameOfReferenceUid: a.frameOfReferenceUid, seriesInstanceUid: a.seriesInstanceUid },
    name: a.seriesDescription || a.doseComment || 'RT Dose',
  });
  const summationType = (a.doseSummationType ?? 'PLAN').trim().toUpperCase();
  const describe = a.doseComment || a.seriesDescription || '';
  return {
    file,
    volume,
    summationType,
    doseType: (a.doseType ?? 'PHYSICAL').trim().toUpperCase(),
    frameOfReferenceUid: a.frameOfReferenceUid,
    sopInstanceUid: a.sopInstanceUid,
    referencedRtPlanUid: a.referencedRtPlanUid,
    referencedBeamNumber: a.referencedBeamNumber,
    label: `${summationType}${a.referencedBeamNumber !== undefined ? ` (beam ${a.referencedBeamNumber})` : ''}${describe ? ` · ${describe}` : ''} · max ${maxGy.toFixed(1)} Gy`,
    maxGy,
    warnings,
  };
}

/** Refuses a dose on another Frame of Reference than the CT's, naming both UIDs. */
export function assertDoseOnCt(dose: Pick<RtDose, 'file' | 'frameOfReferenceUid'>, ctFrameOfReferenceUid: string | undefined): void {
  if (!dose.frameOfReferenceUid || !ctFrameOfReferenceUid || dose.frameOfReferenceUid === ctFrameOfReferenceUid) return;
  throw new DoseLoadError('frame-of-reference', `the dose is on Frame of Reference ${dose.frameOfReferenceUid}, the CT on ${ctFrameOfReferenceUid}: it would be shown in the wrong place`, { file: dose.file });
}

/**
 * The sum of several doses of one plan on one grid (the BEAM doses of a plan, or fractions): refused when the
 * grids, frames of reference or plans differ.
 */
export function sumDoses(doses: readonly RtDose[]): RtDose {
  if (doses.length === 0) throw new DoseLoadError('incompatible-doses', 'there is no dose to sum');
  const [first] = doses as [RtDose, ...RtDose[]];
  const g = first.volume;
  for (const d of doses.slice(1)) {
    const v = d.volume;
    const same = v.dimensions.every((n, a) => n === g.dimensions[a]) && v.spacing.every((s, a) => Math.abs(s - g.spacing[a]!) < 1e-3) && v.origin.every((o, a) => Math.abs(o - g.origin[a]!) < 1e-3) && v.direction.every((c, a) => Math.abs(c - g.direction[a]!) < 1e-6);
    if (!same) throw new DoseLoadError('incompatible-doses', `${d.file} is on another dose grid than ${first.file}: beam doses are summed on one grid`, { file: d.file });
    if (d.frameOfReferenceUid !== first.frameOfReferenceUid) throw new DoseLoadError('incompatible-doses', `${d.file} is on another Frame of Reference than ${first.file}`, { file: d.file });
    if (d.referencedRtPlanUid !== first.referencedRtPlanUid) throw new DoseLoadError('incompatible-doses', `${d.file} belongs to another plan than ${first.file}`, { file: d.file });
  }
  const data = new Float32Array(g.data.length);
  for (const d of doses) for (let n = 0; n < data.length; n++) data[n] += d.volume.data[n]!;
  let maxGy = 0;
  for (let n = 0; n < data.length; n++) if (data[n]! > maxGy) maxGy = data[n]!;
  const beams = doses.map((d) => d.referencedBeamNumber).filter((b) => b !== undefined);
  return {
    ...first,
    volume: new Volume({ ...g.geometry, data, modality: 'RTDOSE', identity: g.identity, name: `Sum of ${doses.length} doses` }),
    summationType: 'PLAN',
    referencedBeamNumber: undefined,
    label: `Sum of ${doses.length} ${first.summationType === 'BEAM' ? `beam doses${beams.length ? ` (beams ${beams.join(', ')})` : ''}` : 'doses'} · max ${maxGy.toFixed(1)} Gy`,
    maxGy,
    warnings: doses.flatMap((d) => d.warnings),
  };
}
