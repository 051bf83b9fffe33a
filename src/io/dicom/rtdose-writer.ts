/**
 * Writes a dose Volume (Gy) as a DICOM RT Dose for the CT it was computed on. Browser-safe; written as
 * rtstruct-writer.ts writes (one Implicit VR Part-10 writer), read back by the one RT Dose reader (rtdose.ts).
 *
 * What is written (PS3.3 A.18, C.8.8.3):
 * - Patient and General Study: the CT's own values, so the dose files under the same patient and study; the
 *   Frame of Reference is the CT's (a dose on another frame, or a CT without one, is refused).
 * - The dose grid as the dose Volume has it (its own spacing), on the CT's axes: a dose on an LPS-aligned grid
 *   (the dose model's grid) is re-indexed without interpolation onto the CT's row, column and slice directions
 *   when the CT's axes are a signed permutation of LPS ({@link doseOnCtAxes}), so a viewer that assumes the dose
 *   shares the CT's orientation places it right. An oblique CT keeps the dose's own orientation.
 * - Multi-frame: one frame per slice, Grid Frame Offset Vector relative (first value 0, along the slice normal).
 * - Pixels: 16-bit unsigned with Dose Grid Scaling = the largest dose / 65535, rounded to the 16 characters of a
 *   DS first and the pixels quantised with the scaling as written: a dose reads back within scaling / 2 (0.6 mGy
 *   for an 80 Gy maximum), far below any clinical difference. Not 32 bits: in Implicit VR Little Endian (the one
 *   Part-10 writer's transfer syntax) a reader must infer the pixel word size, and dicom3tools' dciodvfy aborts on
 *   32-bit pixel data there (an assertion in its OW decoding), so such a file could not be validated.
 * - RT Dose: Dose Units GY, Dose Type PHYSICAL, the summation type given (PLAN by default), Dose Comment saying
 *   what the dose is (a prediction names its model), and the Referenced RT Plan Sequence, which DICOM requires
 *   for a PLAN dose (type 1C). With no plan given (a prediction made before any plan exists) it names a UID minted
 *   for the plan the dose stands for: no such object exists, which readers treat like any unresolved reference
 *   (rtplan.ts `prescriptionForDose` finds no plan and states no prescription). The result returns that UID.
 */
import dcmjs from 'dcmjs';
import type { NaturalizedDataset } from 'dcmjs';
import { axis, cross, dot, fromAxes, type Mat3, type Vec3 } from '../../domain/geometry.ts';
import { type ImageGrid, Volume } from '../../domain/volume.ts';
import { JobError } from '../../jobs/job.ts';
import { dicomDate, dicomTime, formatDecimalString } from './ct-writer.ts';
import { writeImplicitPart10 } from './rtstruct-writer.ts';
import { isValidUid, newUid } from './uid.ts';

/** SOP Class UID of RT Dose Storage. */
export const RT_DOSE_STORAGE_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.481.2';
/** SOP Class UID of RT Plan Storage (what a Referenced RT Plan Sequence points at). */
const RT_PLAN_STORAGE_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.481.5';

/** An RT Dose that cannot be written: the CT lacks what the file must reference, or the dose is not a dose. */
export class DoseWriteError extends JobError {
  override name = 'DoseWriteError';
}

/** Options of {@link writeRtDose}; every field has a default. */
export interface RtDoseWriteOptions {
  /** Dose Comment (LO, at most 64 characters: a longer one is refused): what the dose is. Default 'Delineo dose'. */
  readonly comment?: string;
  /** Series Description (LO). Default the comment's first 64 characters. */
  readonly seriesDescription?: string;
  /** PLAN (default), FRACTION, BEAM, … */
  readonly summationType?: string;
  /** The SOP Instance UID of the RT Plan the dose belongs to; default a fresh UID (see the module comment). */
  readonly referencedRtPlanUid?: string;
  readonly seriesNumber?: number;
  readonly instanceNumber?: number;
  /** Creation date/time. Default: now. */
  readonly date?: Date;
  readonly seriesInstanceUid?: string;
  readonly sopInstanceUid?: string;
}

/** The written file and what it holds. */
export interface RtDoseWriteResult {
  readonly buffer: ArrayBuffer;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** The RT Plan UID the file references (given, or minted: see the module comment). */
  readonly referencedRtPlanUid: string;
  /** Dose Grid Scaling as written (Gy per stored unit). */
  readonly doseGridScaling: number;
  /** The grid written (the dose on the CT's axes). */
  readonly grid: Volume;
}

/**
 * The dose re-indexed onto the CT's axes (see the module comment): the same voxels, values and patient positions,
 * with the CT's direction; the dose as it is when the CT is oblique or its axes already match.
 */
export function doseOnCtAxes(dose: Volume, ct: Pick<ImageGrid, 'direction'>): Volume {
  const perm: number[] = [];
  const sign: number[] = [];
  for (let a = 0; a < 3; a++) {
    const col = axis(ct.direction, a as 0 | 1 | 2);
    const dom = [0, 1, 2].reduce((b, c) => (Math.abs(col[c]) > Math.abs(col[b]) ? c : b), 0);
    if (Math.abs(Math.abs(col[dom]) - 1) > 1e-4) return dose;
    perm[a] = dom;
    sign[a] = Math.sign(col[dom]);
  }
  if (new Set(perm).size !== 3) return dose;
  // Which dose axis runs along each patient axis (the dose grid must be a signed permutation of LPS too).
  const doseAxisOf: number[] = [];
  const doseSign: number[] = [];
  for (let a = 0; a < 3; a++) {
    const col = axis(dose.direction, a as 0 | 1 | 2);
    const dom = [0, 1, 2].reduce((b, c) => (Math.abs(col[c]) > Math.abs(col[b]) ? c : b), 0);
    if (Math.abs(Math.abs(col[dom]) - 1) > 1e-6) return dose;
    doseAxisOf[dom] = a;
    doseSign[dom] = Math.sign(col[dom]);
  }
  const src = perm.map((p) => doseAxisOf[p]);
  const flip = perm.map((p, a) => sign[a] !== doseSign[p]);
  if (src.every((s, a) => s === a) && flip.every((f) => !f)) return dose;
  const dims = src.map((s) => dose.dimensions[s]) as unknown as Vec3;
  const spacing = src.map((s) => dose.spacing[s]) as unknown as Vec3;
  const [nx, ny, nz] = dims;
  const [ox, oy] = dose.dimensions;
  const data = new Float32Array(nx * ny * nz);
  const old = [0, 0, 0];
  let o = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++) {
        const n = [i, j, k];
        for (let a = 0; a < 3; a++) old[src[a]] = flip[a] ? dims[a] - 1 - n[a] : n[a];
        data[o] = dose.data[old[0] + ox * (old[1] + oy * old[2])];
      }
  const corner = [0, 0, 0];
  for (let a = 0; a < 3; a++) corner[src[a]] = flip[a] ? dims[a] - 1 : 0;
  const unit = (a: number): Vec3 => [0, 1, 2].map((c) => (c === perm[a] ? sign[a] : 0)) as unknown as Vec3;
  const direction: Mat3 = fromAxes(unit(0), unit(1), unit(2));
  return new Volume({ dimensions: dims, spacing, origin: dose.indexToPatient(corner as unknown as Vec3), direction, data, modality: dose.modality, identity: dose.identity, name: dose.name });
}

/**
 * Writes `dose` (Gy, any grid in `ct`'s patient space) as an RT Dose for `ct`, which must carry its DICOM identity
 * (Study Instance UID, Frame of Reference UID). Throws {@link DoseWriteError} when it does not, when the dose is
 * on another Frame of Reference, or when a dose value is negative or not finite.
 */
export function writeRtDose(dose: Volume, ct: ImageGrid, options: RtDoseWriteOptions = {}): RtDoseWriteResult {
  const id = ct.identity;
  const need = (uid: string | undefined, what: string): string => {
    if (!uid) throw new DoseWriteError('missing-reference', `the CT has no ${what}: an RT Dose is placed by the CT's DICOM identity (load the CT from DICOM)`);
    if (!isValidUid(uid)) throw new DoseWriteError('missing-reference', `the CT's ${what} "${uid}" is not a valid DICOM UID`);
    return uid;
  };
  const frame = need(id.frameOfReferenceUid, 'Frame of Reference UID');
  const study = need(id.studyInstanceUid, 'Study Instance UID');
  const doseFrame = dose.identity.frameOfReferenceUid;
  if (doseFrame && doseFrame !== frame) throw new DoseWriteError('frame-of-reference', `the dose is on Frame of Reference ${doseFrame}, the CT on ${frame}`);
  if (options.referencedRtPlanUid !== undefined && !isValidUid(options.referencedRtPlanUid)) throw new DoseWriteError('invalid-dose', `"${options.referencedRtPlanUid}" is not a valid RT Plan UID`);

  const grid = doseOnCtAxes(dose, ct);
  let max = 0;
  for (let n = 0; n < grid.data.length; n++) {
    const v = grid.data[n];
    if (!(Number.isFinite(v) && v >= 0)) throw new DoseWriteError('invalid-dose', `the dose has a value ${v} Gy at voxel ${n}: an RT Dose holds doses ≥ 0`);
    if (v > max) max = v;
  }
  // The scaling as written (a DS of 16 characters), rounded up so the largest dose still fits in 16 bits.
  let scalingText = formatDecimalString(max > 0 ? max / 0xffff : 1);
  if (Math.round(max / Number(scalingText)) > 0xffff) scalingText = formatDecimalString(Number(scalingText) * (1 + 1e-9));
  const scaling = Number(scalingText);
  const stored = new Uint16Array(grid.data.length);
  for (let n = 0; n < stored.length; n++) stored[n] = Math.min(0xffff, Math.round(grid.data[n] / scaling));

  const [nx, ny, nz] = grid.dimensions;
  const row = axis(grid.direction, 0);
  const col = axis(grid.direction, 1);
  const normal = cross(row, col);
  // Frame offsets along the slice normal; negative when the grid's slices run against it (the reader sorts them).
  const step = grid.spacing[2] * dot(axis(grid.direction, 2), normal);
  const offsets = Array.from({ length: nz }, (_, k) => formatDecimalString(k * step));
  const date = options.date ?? new Date();
  const seriesInstanceUid = options.seriesInstanceUid ?? newUid();
  const sopInstanceUid = options.sopInstanceUid ?? newUid();
  const comment = options.comment ?? 'Delineo dose';
  // Cutting it would silently drop what a reader needs most (e.g. "not a planned dose"); the caller words it.
  if (comment.length > 64) throw new DoseWriteError('bad-comment', `the Dose Comment is ${comment.length} characters; DICOM allows 64 (LO): "${comment}"`);
  const referencedRtPlanUid = options.referencedRtPlanUid ?? newUid();
  const dataset: NaturalizedDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    InstanceCreationDate: dicomDate(date),
    InstanceCreationTime: dicomTime(date),
    SOPClassUID: RT_DOSE_STORAGE_SOP_CLASS_UID,
    SOPInstanceUID: sopInstanceUid,
    StudyDate: id.studyDate ?? '',
    SeriesDate: dicomDate(date),
    ContentDate: dicomDate(date),
    StudyTime: id.studyTime ?? '',
    SeriesTime: dicomTime(date),
    ContentTime: dicomTime(date),
    AccessionNumber: id.accessionNumber ?? '',
    Modality: 'RTDOSE',
    Manufacturer: 'Delineo',
    ReferringPhysicianName: id.referringPhysicianName ?? '',
    ...(id.studyDescription ? { StudyDescription: id.studyDescription } : {}),
    SeriesDescription: options.seriesDescription ?? comment.slice(0, 64),
    OperatorsName: '',
    ManufacturerModelName: 'Delineo',
    PatientName: id.patientName ?? '',
    PatientID: id.patientId ?? '',
    PatientBirthDate: id.patientBirthDate ?? '',
    PatientSex: id.patientSex ?? '',
    SoftwareVersions: 'Delineo 0.1',
    StudyInstanceUID: study,
    SeriesInstanceUID: seriesInstanceUid,
    StudyID: id.studyId ?? '',
    SeriesNumber: String(options.seriesNumber ?? 1),
    InstanceNumber: String(options.instanceNumber ?? 1),
    ImagePositionPatient: grid.origin.map(formatDecimalString),
    ImageOrientationPatient: [...row, ...col].map(formatDecimalString),
    FrameOfReferenceUID: frame,
    PositionReferenceIndicator: '',
    SliceThickness: formatDecimalString(grid.spacing[2]),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    NumberOfFrames: String(nz),
    FrameIncrementPointer: [0x3004000c], // (3004,000C) Grid Frame Offset Vector
    Rows: ny,
    Columns: nx,
    PixelSpacing: [formatDecimalString(grid.spacing[1]), formatDecimalString(grid.spacing[0])],
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 0,
    DoseUnits: 'GY',
    DoseType: 'PHYSICAL',
    DoseComment: comment,
    DoseSummationType: options.summationType ?? 'PLAN',
    GridFrameOffsetVector: offsets,
    DoseGridScaling: scalingText,
    ReferencedRTPlanSequence: [{ ReferencedSOPClassUID: RT_PLAN_STORAGE_SOP_CLASS_UID, ReferencedSOPInstanceUID: referencedRtPlanUid }],
    PixelData: [stored.buffer],
    _vrMap: { PixelData: 'OW' },
  };
  const buffer = writeImplicitPart10(RT_DOSE_STORAGE_SOP_CLASS_UID, sopInstanceUid, dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset));
  return { buffer, sopInstanceUid, seriesInstanceUid, referencedRtPlanUid, doseGridScaling: scaling, grid };
}
