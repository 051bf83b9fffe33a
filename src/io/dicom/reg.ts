/**
 * DICOM Spatial Registration (REG, 1.2.840.10008.5.1.4.1.1.66.1): the rigid part of a registration between two
 * CTs of one patient, written and read back. Browser-safe; written as rtstruct-writer.ts writes, read through
 * the one dataset reader (dataset.ts).
 *
 * What is written (PS3.3 C.20.2): the object lives in the Frame of Reference of the new CT (the Registration
 * RCS). The Registration Sequence has two items, each with one RIGID matrix that maps coordinates of the item's
 * Frame of Reference into the object's: the new CT's own frame with the identity, and the reference CT's frame
 * with the matrix reference → new (the inverse of the transform the registration returns, which maps new →
 * reference). The Common Instance Reference module lists every image of both series, the reference CT's under
 * its own study when the two studies differ.
 */
import dcmjs from 'dcmjs';
import type { NaturalizedDataset } from 'dcmjs';
import type { ImageGrid } from '../../domain/volume.ts';
import { JobError } from '../../jobs/job.ts';
import { CT_IMAGE_STORAGE_SOP_CLASS_UID, dicomDate, dicomTime } from './ct-writer.ts';
import { items, nums, openDicom, str } from './dataset.ts';
import { writeImplicitPart10 } from './rtstruct-writer.ts';
import { isValidUid, newUid } from './uid.ts';

export const SPATIAL_REGISTRATION_STORAGE_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.1';

/** A REG that cannot be written or read. */
export class RegistrationObjectError extends JobError {
  override name = 'RegistrationObjectError';
}

/** One item of the Registration Sequence: a Frame of Reference and the matrix from it into the object's frame. */
export interface FrameRegistration {
  readonly frameOfReferenceUid: string;
  /** Row-major 4×4: coordinates in `frameOfReferenceUid` → coordinates in the REG's own Frame of Reference. */
  readonly matrix: readonly number[];
  readonly matrixType: string;
}

/** A Spatial Registration object as read. */
export interface SpatialRegistration {
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** The Registration RCS: the Frame of Reference every item's matrix maps into. */
  readonly frameOfReferenceUid: string;
  readonly patientId: string;
  readonly registrations: readonly FrameRegistration[];
}

export interface RegWriteOptions {
  readonly date?: Date;
  readonly seriesDescription?: string;
  /** Content Label (CS: upper case, digits, underscore, ≤ 16). Default 'RIGID_REG'. */
  readonly contentLabel?: string;
  readonly contentDescription?: string;
  /** Body Part Examined, e.g. 'CHEST'; without one, Laterality is written empty (type 2C: unknown). */
  readonly bodyPartExamined?: string;
}


/** Decimal strings of a matrix, at most 16 characters each (the DS limit). */
function ds(x: number): string {
  for (let p = 15; p > 1; p--) {
    const s = String(Number(x.toPrecision(p)));
    if (s.length <= 16) return s;
  }
  return x.toExponential(6);
}

function seriesReferences(ct: ImageGrid, what: string): { study: string; series: string; frame: string; sops: string[] } {
  const id = ct.identity;
  const check = (uid: string | undefined, name: string): string => {
    if (!uid || !isValidUid(uid)) throw new RegistrationObjectError('missing-reference', `the ${what} has no valid ${name}: a REG must reference DICOM images`);
    return uid;
  };
  const sops = (id.sopInstanceUids ?? []).filter((u) => u !== '');
  if (sops.length === 0) throw new RegistrationObjectError('missing-reference', `the ${what} has no SOP Instance UIDs`);
  return { study: check(id.studyInstanceUid, 'Study Instance UID'), series: check(id.seriesInstanceUid, 'Series Instance UID'), frame: check(id.frameOfReferenceUid, 'Frame of Reference UID'), sops };
}

/**
 * Writes a REG placing `reference` (the planning CT) in the frame of `fixed` (the new CT) by `referenceToFixed`,
 * a row-major rigid 4×4 on patient coordinates (mm). Patient and study attributes come from the new CT.
 */
export function writeSpatialRegistration(fixed: ImageGrid, reference: ImageGrid, referenceToFixed: readonly number[], options: RegWriteOptions = {}): { buffer: ArrayBuffer; sopInstanceUid: string } {
  if (referenceToFixed.length !== 16 || referenceToFixed.some((x) => !Number.isFinite(x)))
    throw new RegistrationObjectError('invalid-matrix', 'the registration matrix must be 16 finite numbers');
  const f = seriesReferences(fixed, 'new CT');
  const r = seriesReferences(reference, 'reference CT');
  const date = options.date ?? new Date();
  const sopInstanceUid = newUid();
  const id = fixed.identity;
  const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  const imageRefs = (sops: string[], cls: string): NaturalizedDataset[] => sops.map((u) => ({ ReferencedSOPClassUID: cls, ReferencedSOPInstanceUID: u }));
  const fixedClass = id.sopClassUid || CT_IMAGE_STORAGE_SOP_CLASS_UID;
  const refClass = reference.identity.sopClassUid || CT_IMAGE_STORAGE_SOP_CLASS_UID;
  const item = (frame: string, matrix: readonly number[], sops: string[], cls: string): NaturalizedDataset => ({
    ReferencedImageSequence: imageRefs(sops, cls),
    FrameOfReferenceUID: frame,
    MatrixRegistrationSequence: [
      {
        RegistrationTypeCodeSequence: [{ CodeValue: '125024', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Image Content-based Alignment' }],
        MatrixSequence: [{ FrameOfReferenceTransformationMatrix: matrix.map(ds), FrameOfReferenceTransformationMatrixType: 'RIGID' }],
      },
    ],
  });
  const referenceSeries = { SeriesInstanceUID: r.series, ReferencedInstanceSequence: imageRefs(r.sops, refClass) };
  const fixedSeries = { SeriesInstanceUID: f.series, ReferencedInstanceSequence: imageRefs(f.sops, fixedClass) };
  const sameStudy = r.study === f.study;
  const dataset: NaturalizedDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    InstanceCreationDate: dicomDate(date),
    InstanceCreationTime: dicomTime(date),
    SOPClassUID: SPATIAL_REGISTRATION_STORAGE_SOP_CLASS_UID,
    SOPInstanceUID: sopInstanceUid,
    StudyDate: id.studyDate ?? '',
    SeriesDate: dicomDate(date),
    ContentDate: dicomDate(date),
    StudyTime: id.studyTime ?? '',
    SeriesTime: dicomTime(date),
    ContentTime: dicomTime(date),
    AccessionNumber: id.accessionNumber ?? '',
    Modality: 'REG',
    Manufacturer: 'Delineo',
    ReferringPhysicianName: id.referringPhysicianName ?? '',
    ...(id.studyDescription ? { StudyDescription: id.studyDescription } : {}),
    SeriesDescription: options.seriesDescription ?? 'Delineo rigid registration',
    // A validator cannot tell whether Laterality applies without the body part; empty says it is not known.
    ...(options.bodyPartExamined ? { BodyPartExamined: options.bodyPartExamined } : { Laterality: '' }),
    ManufacturerModelName: 'Delineo',
    PatientName: id.patientName ?? '',
    PatientID: id.patientId ?? '',
    PatientBirthDate: id.patientBirthDate ?? '',
    PatientSex: id.patientSex ?? '',
    DeviceSerialNumber: '1',
    SoftwareVersions: 'Delineo 0.1',
    StudyInstanceUID: f.study,
    SeriesInstanceUID: newUid(),
    StudyID: id.studyId ?? '',
    SeriesNumber: '1',
    InstanceNumber: '1',
    FrameOfReferenceUID: f.frame,
    PositionReferenceIndicator: '',
    ContentLabel: options.contentLabel ?? 'RIGID_REG',
    ContentDescription: options.contentDescription ?? 'Reference CT registered to this CT',
    ContentCreatorName: '',
    RegistrationSequence: [item(f.frame, identity, f.sops, fixedClass), item(r.frame, referenceToFixed, r.sops, refClass)],
    ReferencedSeriesSequence: sameStudy ? [fixedSeries, referenceSeries] : [fixedSeries],
    ...(sameStudy ? {} : { StudiesContainingOtherReferencedInstancesSequence: [{ StudyInstanceUID: r.study, ReferencedSeriesSequence: [referenceSeries] }] }),
  };
  const buffer = writeImplicitPart10(SPATIAL_REGISTRATION_STORAGE_SOP_CLASS_UID, sopInstanceUid, dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset));
  return { buffer, sopInstanceUid };
}

/** Reads a Spatial Registration object's frames and matrices; throws RegistrationObjectError naming the file. */
export function readSpatialRegistration(input: ArrayBuffer | Uint8Array, file = 'REG'): SpatialRegistration {
  let ds;
  try {
    ds = openDicom(input, file).read().dict;
  } catch (e) {
    throw new RegistrationObjectError('not-dicom', (e as Error).message, { file, cause: e });
  }
  const sopClass = str(ds, '00080016');
  if (sopClass !== SPATIAL_REGISTRATION_STORAGE_SOP_CLASS_UID)
    throw new RegistrationObjectError('not-reg', `SOP Class ${sopClass || '(none)'} is not Spatial Registration Storage`, { file });
  const registrations: FrameRegistration[] = [];
  for (const reg of items(ds, '00700308')) {
    const frame = str(reg, '00200052');
    for (const mr of items(reg, '00700309'))
      for (const m of items(mr, '0070030A')) {
        const matrix = nums(m, '300600C6');
        if (matrix.length !== 16 || matrix.some((x) => !Number.isFinite(x)))
          throw new RegistrationObjectError('invalid-reg', `the matrix for Frame of Reference ${frame} has ${matrix.length} values, not 16 numbers`, { file });
        registrations.push({ frameOfReferenceUid: frame, matrix, matrixType: str(m, '0070030C') });
      }
  }
  if (registrations.length === 0) throw new RegistrationObjectError('invalid-reg', 'the Registration Sequence holds no matrix', { file });
  return {
    sopInstanceUid: str(ds, '00080018'),
    seriesInstanceUid: str(ds, '0020000E'),
    frameOfReferenceUid: str(ds, '00200052'),
    patientId: str(ds, '00100020'),
    registrations,
  };
}
