/**
 * Writes a Volume as a DICOM CT Image Storage series: one Part-10 file per axial slice k, as scanners and
 * every planning system expect. Browser-safe: dcmjs's `DicomDict.write()` returns an ArrayBuffer without
 * touching Node's Buffer (its `datasetToBuffer` helper does not, which is why it is not used).
 *
 * Geometry is written from the volume's grid, never recomputed from assumptions: ImagePositionPatient of
 * slice k is indexToPatient([0, 0, k]); ImageOrientationPatient is the i and j axes of the direction;
 * PixelSpacing is row spacing (between rows, i.e. along j) first, then column spacing (along i).
 */
import dcmjs from 'dcmjs';
import type { NaturalizedDataset } from 'dcmjs';
import { axis, cross, dot, normalize, type Vec3 } from '../../domain/geometry.ts';
import { type SeriesIdentity, toStoredValues, type Volume } from '../../domain/volume.ts';
import { isValidUid, newUid } from './uid.ts';

/** SOP Class UID of CT Image Storage (PS3.4 B.5). */
export const CT_IMAGE_STORAGE_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.2';
/** Explicit VR Little Endian, the transfer syntax every reader supports. */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Identifies Delineo as the writer in the file meta information (a fixed 2.25 UID minted once for Delineo). */
export const DELINEO_IMPLEMENTATION_CLASS_UID = '2.25.136771615383688198993803041979385702534';
/** ImplementationVersionName (SH, ≤ 16 characters). */
export const DELINEO_IMPLEMENTATION_VERSION_NAME = 'DELINEO_0_1';

/**
 * Patient, study and series attributes of a written CT series. Each falls back to the same attribute in
 * `volume.identity` (what a loaded DICOM series carried), then to a default.
 */
export interface CtSeriesWriteOptions {
  /** PN, e.g. 'Doe^Jane'. Default 'Anonymous'. */
  readonly patientName?: string;
  /** Default 'DELINEO'. */
  readonly patientId?: string;
  /** DA 'YYYYMMDD' or '' (unknown, the default). */
  readonly patientBirthDate?: string;
  /** 'M', 'F', 'O' or '' (unknown, the default). */
  readonly patientSex?: 'M' | 'F' | 'O' | '';
  /** Study ID (SH). Default '1'. */
  readonly studyId?: string;
  /** Default '' (type 2: present, empty). */
  readonly accessionNumber?: string;
  readonly referringPhysicianName?: string;
  readonly studyDescription?: string;
  readonly seriesDescription?: string;
  /** Default 1. */
  readonly seriesNumber?: number;
  /** Series, content and instance creation date/time, and the study's unless the identity carries one. Default: now. */
  readonly date?: Date;
  /** Patient Position (0018,5100), e.g. 'HFS' (the default), 'FFS', 'HFP'. */
  readonly patientPosition?: string;
  /** Image Type (0008,0008). Default ['DERIVED', 'SECONDARY', 'AXIAL']: Delineo writes CTs it made or resampled. */
  readonly imageType?: readonly string[];
  /** Peak kilovoltage (0018,0060); written empty (type 2) when unknown. */
  readonly kvp?: number;
  /**
   * Body Part Examined (0018,0015), e.g. 'CHEST'. Give it when known: Laterality is required only for paired
   * body parts, and without a body part a validator (dciodvfy) cannot tell and reports Laterality missing.
   */
  readonly bodyPartExamined?: string;
  readonly manufacturerModelName?: string;
  /** Default display window (VOI LUT). Default centre 40, width 400 (soft tissue). */
  readonly window?: { readonly center: number; readonly width: number };
  /** Free text for Derivation Description (0008,2111), e.g. 'Synthetic thorax phantom, seed 1'. */
  readonly derivationDescription?: string;
}

/** The identity a written series carries: every UID and the patient/study/series attributes as written. */
export type WrittenCtIdentity = SeriesIdentity &
  Required<
    Pick<
      SeriesIdentity,
      | 'studyInstanceUid'
      | 'seriesInstanceUid'
      | 'frameOfReferenceUid'
      | 'sopClassUid'
      | 'sopInstanceUids'
      | 'patientName'
      | 'patientId'
      | 'patientBirthDate'
      | 'patientSex'
      | 'studyDate'
      | 'studyTime'
      | 'studyId'
      | 'accessionNumber'
      | 'referringPhysicianName'
      | 'seriesNumber'
    >
  >;

/** The written series: one Part-10 file per slice (index k) and the identity it carries. */
export interface CtSeriesFiles {
  readonly files: ArrayBuffer[];
  readonly identity: WrittenCtIdentity;
}

/** Thrown when a volume cannot be written as a conformant CT series. */
export class CtWriteError extends Error {
  override readonly name = 'CtWriteError';
}

/**
 * A DICOM Decimal String (DS, at most 16 characters) for a number, keeping as many significant digits as fit.
 * Needed because dcmjs turns numbers into `String(x)` and then *truncates* anything longer than 16 characters,
 * which silently corrupts direction cosines (0.34202014332566877 loses digits; 6.123233995736766e-17 would
 * lose its exponent and become 6.1).
 */
export function formatDecimalString(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} as a DICOM decimal string`);
  if (x === 0) return '0'; // also turns −0 into 0
  const plain = String(x);
  if (plain.length <= 16) return plain;
  for (let digits = 16; digits >= 1; digits--) {
    const s = x
      .toPrecision(digits)
      .replace(/(\.\d*?)0+(?=e|$)/, '$1') // trailing zeros of the mantissa
      .replace(/\.(?=e|$)/, '') // a bare decimal point
      .replace('e+', 'e');
    if (s.length <= 16) return s;
  }
  throw new RangeError(`cannot write ${x} in 16 characters`);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
/** DICOM DA (YYYYMMDD) and TM (HHMMSS) in local time, the convention of DICOM dates without a time zone. */
export const dicomDate = (d: Date): string => `${d.getFullYear()}${pad2(d.getMonth() + 1)}${pad2(d.getDate())}`;
export const dicomTime = (d: Date): string => `${pad2(d.getHours())}${pad2(d.getMinutes())}${pad2(d.getSeconds())}`;

/**
 * The identity to write: the volume's UIDs, minting the missing ones (a present but malformed UID is an error,
 * not silently replaced), and the patient/study/series attributes from the options, then the volume, then defaults.
 */
function resolveIdentity(volume: Volume, o: CtSeriesWriteOptions, date: Date): WrittenCtIdentity {
  const id = volume.identity;
  const nz = volume.dimensions[2];
  const pick = (uid: string | undefined, what: string): string => {
    if (uid === undefined || uid === '') return newUid();
    if (!isValidUid(uid)) throw new CtWriteError(`${what} "${uid}" is not a valid DICOM UID`);
    return uid;
  };
  let sops = id.sopInstanceUids;
  if (sops && sops.length > 0 && sops.length !== nz) {
    throw new CtWriteError(`volume has ${nz} slices but ${sops.length} SOP Instance UIDs`);
  }
  sops = sops && sops.length === nz ? sops.map((u, k) => pick(u, `SOP Instance UID of slice ${k}`)) : Array.from({ length: nz }, () => newUid());
  if (new Set(sops).size !== sops.length) throw new CtWriteError('SOP Instance UIDs of the slices are not unique');
  const patientSex = o.patientSex ?? id.patientSex ?? '';
  if (!['M', 'F', 'O', ''].includes(patientSex)) throw new CtWriteError(`Patient's Sex must be M, F, O or empty, got "${patientSex}"`);
  const seriesNumber = o.seriesNumber ?? id.seriesNumber ?? 1;
  if (!Number.isInteger(seriesNumber)) throw new CtWriteError(`Series Number must be an integer, got ${seriesNumber}`);
  const optional = <K extends 'studyDescription' | 'seriesDescription'>(key: K): Partial<Record<K, string>> => {
    const v = o[key] ?? id[key];
    return v === undefined ? {} : ({ [key]: v } as Record<K, string>);
  };
  return {
    ...optional('studyDescription'),
    ...optional('seriesDescription'),
    studyInstanceUid: pick(id.studyInstanceUid, 'Study Instance UID'),
    seriesInstanceUid: pick(id.seriesInstanceUid, 'Series Instance UID'),
    frameOfReferenceUid: pick(id.frameOfReferenceUid, 'Frame of Reference UID'),
    sopClassUid: CT_IMAGE_STORAGE_SOP_CLASS_UID,
    sopInstanceUids: sops,
    patientName: o.patientName ?? id.patientName ?? 'Anonymous',
    patientId: o.patientId ?? id.patientId ?? 'DELINEO',
    patientBirthDate: o.patientBirthDate ?? id.patientBirthDate ?? '',
    patientSex,
    // A study keeps its own date: a new series of a loaded study must not move the study in time.
    studyDate: id.studyDate ?? dicomDate(date),
    studyTime: id.studyTime ?? dicomTime(date),
    studyId: o.studyId ?? id.studyId ?? '1',
    accessionNumber: o.accessionNumber ?? id.accessionNumber ?? '',
    referringPhysicianName: o.referringPhysicianName ?? id.referringPhysicianName ?? '',
    seriesNumber,
  };
}

const ds = formatDecimalString;

/**
 * Writes a CT volume (HU) as a DICOM CT Image Storage series in Explicit VR Little Endian, one Part-10 file per
 * slice k, with the Patient, General Study, General Series, Frame of Reference, General Equipment, General
 * Image, Image Plane, Image Pixel, CT Image, VOI LUT and SOP Common modules. The voxels are stored as 16-bit
 * integers with a rescale chosen by `toStoredValues` for the whole series (unsigned with intercept −1024 for
 * ordinary CT). Study, series and frame-of-reference UIDs and per-slice SOP Instance UIDs come from
 * `volume.identity` and are minted where missing; patient and study attributes come from the options, then
 * `volume.identity`, then defaults. The returned identity records everything written, so an RTSTRUCT can
 * reference the series and join the same patient and study. Throws CtWriteError for a non-CT volume,
 * malformed UIDs or attribute values DICOM cannot carry.
 */
export function writeCtSeries(volume: Volume, options: CtSeriesWriteOptions = {}): CtSeriesFiles {
  if (volume.modality !== 'CT') throw new CtWriteError(`cannot write a ${volume.modality} volume as CT Image Storage`);
  const date = options.date ?? new Date();
  const identity = resolveIdentity(volume, options, date);
  const [nx, ny, nz] = volume.dimensions;
  if (nx > 65535 || ny > 65535) throw new CtWriteError(`slices of ${nx}×${ny} exceed the 16-bit Rows/Columns`);
  const { stored, rescale, signed } = toStoredValues(volume.data);
  const row = axis(volume.direction, 0);
  const col = axis(volume.direction, 1);
  const normal = normalize(cross(row, col));
  // Distance between slice planes: the k step projected on the normal (equal to spacing[2] unless sheared).
  const sliceThickness = Math.abs(dot(axis(volume.direction, 2), normal)) * volume.spacing[2];
  const window = options.window ?? { center: 40, width: 400 };

  const common: NaturalizedDataset = {
    // dcmjs encodes every string as UTF-8; declare it so non-ASCII names are read back correctly.
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: [...(options.imageType ?? ['DERIVED', 'SECONDARY', 'AXIAL'])],
    InstanceCreationDate: dicomDate(date),
    InstanceCreationTime: dicomTime(date),
    SOPClassUID: CT_IMAGE_STORAGE_SOP_CLASS_UID,
    StudyDate: identity.studyDate,
    SeriesDate: dicomDate(date),
    ContentDate: dicomDate(date),
    StudyTime: identity.studyTime,
    SeriesTime: dicomTime(date),
    ContentTime: dicomTime(date),
    AccessionNumber: identity.accessionNumber,
    Modality: 'CT',
    Manufacturer: 'Delineo',
    ReferringPhysicianName: identity.referringPhysicianName,
    ...(identity.studyDescription !== undefined && { StudyDescription: identity.studyDescription }),
    ...(identity.seriesDescription !== undefined && { SeriesDescription: identity.seriesDescription }),
    ...(options.manufacturerModelName !== undefined && { ManufacturerModelName: options.manufacturerModelName }),
    ...(options.derivationDescription !== undefined && { DerivationDescription: options.derivationDescription }),
    PatientName: identity.patientName,
    PatientID: identity.patientId,
    PatientBirthDate: identity.patientBirthDate,
    PatientSex: identity.patientSex,
    ...(options.bodyPartExamined !== undefined && { BodyPartExamined: options.bodyPartExamined }),
    SliceThickness: ds(sliceThickness),
    KVP: options.kvp === undefined ? '' : ds(options.kvp),
    SoftwareVersions: 'Delineo 0.1',
    PatientPosition: options.patientPosition ?? 'HFS',
    StudyInstanceUID: identity.studyInstanceUid,
    SeriesInstanceUID: identity.seriesInstanceUid,
    StudyID: identity.studyId,
    SeriesNumber: String(identity.seriesNumber),
    AcquisitionNumber: '1',
    ImageOrientationPatient: [...row, ...col].map(ds),
    FrameOfReferenceUID: identity.frameOfReferenceUid,
    // Type 2: present and empty. An anatomical landmark would be a claim about the patient we cannot make.
    PositionReferenceIndicator: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: ny,
    Columns: nx,
    // Row spacing (adjacent rows, along j) first, then column spacing (adjacent columns, along i): PS3.3 10.7.1.3.
    PixelSpacing: [ds(volume.spacing[1]), ds(volume.spacing[0])],
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: signed ? 1 : 0,
    WindowCenter: ds(window.center),
    WindowWidth: ds(window.width),
    RescaleIntercept: ds(rescale.intercept),
    RescaleSlope: ds(rescale.slope),
    RescaleType: 'HU',
  };

  const plane = nx * ny;
  const files: ArrayBuffer[] = [];
  for (let k = 0; k < nz; k++) {
    const position = volume.indexToPatient([0, 0, k]);
    const sop = identity.sopInstanceUids[k];
    const dataset: NaturalizedDataset = {
      ...common,
      SOPInstanceUID: sop,
      InstanceNumber: String(k + 1),
      ImagePositionPatient: position.map(ds),
      SliceLocation: ds(dot(position as Vec3, normal)),
      // A copy of exactly this slice's bytes (dcmjs writes the whole ArrayBuffer it is given), in the platform's
      // byte order, which is little-endian on every engine Delineo runs on, as the transfer syntax requires.
      PixelData: [stored.slice(k * plane, (k + 1) * plane).buffer],
      _vrMap: { PixelData: 'OW' },
    };
    const meta: NaturalizedDataset = {
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: CT_IMAGE_STORAGE_SOP_CLASS_UID,
      MediaStorageSOPInstanceUID: sop,
      TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
      ImplementationClassUID: DELINEO_IMPLEMENTATION_CLASS_UID,
      ImplementationVersionName: DELINEO_IMPLEMENTATION_VERSION_NAME,
    };
    const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
    files.push(dict.write());
  }
  return { files, identity };
}
