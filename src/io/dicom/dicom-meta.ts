/**
 * Reads one DICOM file (Part 10, or a raw data set without the Part-10 header) into the facts the
 * series loader needs: identifiers, patient/study attributes, per-frame geometry, pixel format and
 * where the pixel data is. Parsing is dcmjs's; this module turns its element dictionary into typed,
 * validated values and turns its untyped exceptions into {@link DicomLoadError}s naming the file.
 *
 * Geometry is read per frame: a classic single-frame image has one frame whose position and
 * orientation are the top-level ImagePositionPatient/ImageOrientationPatient; an enhanced multi-frame
 * image (Enhanced CT and friends) has its per-frame functional groups resolved (per-frame values win
 * over shared ones, as PS3.3 C.7.6.16 says); a legacy multi-frame image with GridFrameOffsetVector
 * (NM, RTDOSE-style) gets one position per offset along the slice normal.
 */
import { cross, dot, norm, type Vec3 } from '../../domain/geometry.ts';
import { DicomLoadError } from '../errors.ts';
import type { DenaturalizedDataset as Dataset, DicomElement } from 'dcmjs';
import { type DicomDataset, items, locatePixelData, num, nums, openDicom, str, strs } from './dataset.ts';

/** Transfer syntaxes whose pixel data this module reads directly (uncompressed little endian, and deflate, which dcmjs inflates). */
export const NATIVE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99']);

/** Readable names of the transfer syntaxes users meet, for messages. */
export const TRANSFER_SYNTAX_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian (retired)',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

/** SOP classes (and modalities) of the RT objects a folder may hold next to the CT. */
export const RT_MODALITIES: ReadonlySet<string> = new Set(['RTSTRUCT', 'RTPLAN', 'RTDOSE', 'RTIMAGE', 'RTRECORD', 'RTTREAT', 'REG', 'SEG']);
const RT_SOP_CLASSES: Readonly<Record<string, string>> = {
  '1.2.840.10008.5.1.4.1.1.481.3': 'RTSTRUCT',
  '1.2.840.10008.5.1.4.1.1.481.5': 'RTPLAN',
  '1.2.840.10008.5.1.4.1.1.481.8': 'RTPLAN', // RT Ion Plan
  '1.2.840.10008.5.1.4.1.1.481.2': 'RTDOSE',
  '1.2.840.10008.5.1.4.1.1.481.1': 'RTIMAGE',
  '1.2.840.10008.5.1.4.1.1.481.4': 'RTRECORD',
  '1.2.840.10008.5.1.4.1.1.481.6': 'RTRECORD',
  '1.2.840.10008.5.1.4.1.1.481.7': 'RTRECORD',
  '1.2.840.10008.5.1.4.1.1.66.1': 'REG',
  '1.2.840.10008.5.1.4.1.1.66.3': 'REG',
  '1.2.840.10008.5.1.4.1.1.66.4': 'SEG',
};

/** Geometry and rescale of one frame. */
export interface FrameInfo {
  /** ImagePositionPatient: centre of the frame's first pixel (LPS, mm). */
  readonly position?: Vec3;
  /** ImageOrientationPatient: row cosines then column cosines. */
  readonly orientation?: readonly [number, number, number, number, number, number];
  /** PixelSpacing as [row spacing (between rows, along j), column spacing (between columns, along i)], mm. */
  readonly pixelSpacing?: readonly [number, number];
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
}

/** What the loaders need to know about one DICOM file. */
export interface DicomInstance {
  /** The name shown to the user (path within a dropped folder, or the file name). */
  readonly file: string;
  /** File-system path (Node) so decoders can read the file in place. */
  readonly path?: string;
  readonly transferSyntaxUid: string;
  readonly sopClassUid: string;
  /** SOPInstanceUID, or the file meta's MediaStorageSOPInstanceUID when the data set's is empty. */
  readonly sopInstanceUid: string;
  /** True when the data set's own SOPInstanceUID was empty (see sopInstanceUid). */
  readonly sopInstanceUidMissing: boolean;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly frameOfReferenceUid: string;
  readonly modality: string;
  readonly imageType: readonly string[];
  readonly patientName: string;
  readonly patientId: string;
  readonly patientBirthDate: string;
  readonly patientSex: string;
  readonly studyDescription: string;
  readonly studyDate: string;
  readonly studyTime: string;
  readonly studyId: string;
  readonly accessionNumber: string;
  readonly referringPhysicianName: string;
  readonly seriesDescription: string;
  readonly seriesNumber?: number;
  readonly instanceNumber?: number;
  readonly manufacturer: string;
  /** StructureSetLabel / RTPlanLabel / ContentLabel for RT objects. */
  readonly label: string;
  /** True for an object with pixel data and an image pixel module. */
  readonly isImage: boolean;
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: number;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  readonly numberOfFrames: number;
  readonly sliceThickness?: number;
  readonly gantryTilt?: number;
  /**
   * The display window the file carries: WindowCenter/WindowWidth (0028,1050/1051), the first pair when
   * several are given, in modality units (HU for CT). Absent when missing or unusable (width ≤ 0).
   */
  readonly window?: { readonly window: number; readonly level: number };
  /** One entry per frame (length numberOfFrames for images, 0 otherwise). */
  readonly frames: readonly FrameInfo[];
  /** Uncompressed pixel data (native transfer syntaxes) — a view, not a copy where possible. */
  readonly pixelData?: Uint8Array;
  /** True when the pixel data is encapsulated (compressed) and needs a decoder. */
  readonly encapsulated: boolean;
  /** The whole file, for decoders and for keeping RT objects for later import. */
  readonly bytes: Uint8Array;
}

const META_TS = '00020010';

const isFiniteArray = (a: number[], n: number) => a.length >= n && a.slice(0, n).every(Number.isFinite);

/** Modalities whose objects are images and must carry pixel data. */
const IMAGE_MODALITIES: ReadonlySet<string> = new Set(['CT', 'MR', 'PT', 'NM', 'CR', 'DX', 'MG', 'US', 'XA', 'RF', 'OT', 'SC']);
/** Image storage SOP classes (CT, Enhanced/Legacy CT, MR, Enhanced MR, PET, Enhanced PET, NM, SC, CR, DX). */
const IMAGE_SOP_CLASSES: ReadonlySet<string> = new Set(['2', '2.1', '2.2', '4', '4.1', '128', '130', '20', '7', '1', '1.1'].map((s) => `1.2.840.10008.5.1.4.1.1.${s}`));


/** Concatenates a native PixelData value (dcmjs may return it as one or several buffers). */
function nativePixelBytes(el: DicomElement | undefined): Uint8Array | undefined {
  const parts = (el?.Value ?? []).map((v) => (v instanceof ArrayBuffer ? new Uint8Array(v) : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : undefined)).filter((v): v is Uint8Array => v !== undefined);
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Reads ImagePositionPatient-style triples; throws invalid-tag when present but malformed. */
function vec3(ds: Dataset | undefined, tag: string, what: string, file: string): Vec3 | undefined {
  if (!ds || !(tag in ds) || !ds[tag]?.Value?.length) return undefined;
  const v = nums(ds, tag);
  if (!isFiniteArray(v, 3)) throw new DicomLoadError('invalid-tag', `${what} must be three numbers, got "${strs(ds, tag).join('\\')}"`, { file });
  return [v[0], v[1], v[2]];
}

function orientation6(ds: Dataset | undefined, file: string): FrameInfo['orientation'] {
  const tag = '00200037';
  if (!ds || !ds[tag]?.Value?.length) return undefined;
  const v = nums(ds, tag);
  if (!isFiniteArray(v, 6)) throw new DicomLoadError('invalid-tag', `ImageOrientationPatient (0020,0037) must be six numbers, got "${strs(ds, tag).join('\\')}"`, { file });
  const row: Vec3 = [v[0], v[1], v[2]];
  const col: Vec3 = [v[3], v[4], v[5]];
  // Scanners write cosines to ~6 digits; 1e-2 catches damage without rejecting rounding.
  if (Math.abs(norm(row) - 1) > 1e-2 || Math.abs(norm(col) - 1) > 1e-2 || Math.abs(dot(row, col)) > 1e-2 || norm(cross(row, col)) < 0.5) {
    throw new DicomLoadError('invalid-tag', `ImageOrientationPatient (0020,0037) "${strs(ds, tag).join('\\')}" is not two orthogonal unit vectors`, { file });
  }
  return [v[0], v[1], v[2], v[3], v[4], v[5]];
}

function spacing2(ds: Dataset | undefined, file: string): FrameInfo['pixelSpacing'] {
  const tag = '00280030';
  if (!ds || !ds[tag]?.Value?.length) return undefined;
  const v = nums(ds, tag);
  if (!isFiniteArray(v, 2) || !(v[0] > 0) || !(v[1] > 0)) throw new DicomLoadError('invalid-tag', `PixelSpacing (0028,0030) must be two positive numbers (mm), got "${strs(ds, tag).join('\\')}"`, { file });
  return [v[0], v[1]];
}

/** The first WindowCenter/WindowWidth pair as a display window; nothing when either is missing or the width is not positive. */
function windowOf(ds: Dataset): { window?: { window: number; level: number } } {
  const level = num(ds, '00281050');
  const width = num(ds, '00281051');
  if (level === undefined || width === undefined || !Number.isFinite(level) || !(width > 0) || !Number.isFinite(width)) return {};
  return { window: { window: width, level } };
}

function rescaleOf(ds: Dataset | undefined, file: string): { slope?: number; intercept?: number } {
  if (!ds) return {};
  const slope = num(ds, '00281053');
  const intercept = num(ds, '00281052');
  if (slope !== undefined && (!Number.isFinite(slope) || slope === 0)) throw new DicomLoadError('invalid-tag', `RescaleSlope (0028,1053) "${strs(ds, '00281053')[0]}" is not a non-zero number`, { file });
  if (intercept !== undefined && !Number.isFinite(intercept)) throw new DicomLoadError('invalid-tag', `RescaleIntercept (0028,1052) "${strs(ds, '00281052')[0]}" is not a number`, { file });
  return { ...(slope === undefined ? {} : { slope }), ...(intercept === undefined ? {} : { intercept }) };
}

/** Resolves per-frame functional groups (Enhanced multi-frame, PS3.3 C.7.6.16) into one FrameInfo per frame. */
function enhancedFrames(ds: Dataset, count: number, file: string): FrameInfo[] | undefined {
  const shared = items(ds, '52009229')[0];
  const perFrame = items(ds, '52009230');
  if (!shared && perFrame.length === 0) return undefined;
  if (perFrame.length && perFrame.length !== count) {
    throw new DicomLoadError('inconsistent-geometry', `PerFrameFunctionalGroupsSequence has ${perFrame.length} items but NumberOfFrames is ${count}`, { file });
  }
  const group = (frame: Dataset | undefined, tag: string) => items(frame, tag)[0] ?? items(shared, tag)[0];
  const out: FrameInfo[] = [];
  for (let f = 0; f < count; f++) {
    const fr = perFrame[f];
    const pos = group(fr, '00209113'); // PlanePositionSequence
    const ori = group(fr, '00209116'); // PlaneOrientationSequence
    const meas = group(fr, '00289110'); // PixelMeasuresSequence
    const pvt = group(fr, '00289145'); // PixelValueTransformationSequence
    const r = rescaleOf(pvt, file);
    const ds0 = rescaleOf(ds, file);
    const position = vec3(pos, '00200032', 'ImagePositionPatient (0020,0032)', file) ?? vec3(ds, '00200032', 'ImagePositionPatient (0020,0032)', file);
    const orient = orientation6(ori, file) ?? orientation6(ds, file);
    const spacing = spacing2(meas, file) ?? spacing2(ds, file);
    out.push({
      ...(position ? { position } : {}),
      ...(orient ? { orientation: orient } : {}),
      ...(spacing ? { pixelSpacing: spacing } : {}),
      rescaleSlope: r.slope ?? ds0.slope ?? 1,
      rescaleIntercept: r.intercept ?? ds0.intercept ?? 0,
    });
  }
  return out;
}

/**
 * Parses one DICOM file. Accepts Part-10 files and raw data sets (no preamble/meta); rejects
 * everything else with a `not-dicom` DicomLoadError, and damaged files with `truncated` / `corrupt` /
 * `invalid-tag` errors that name the file and the problem. Values are validated where a wrong one
 * would silently misplace voxels (orientation, spacing, positions, rescale); missing geometry is left
 * for the series loader to judge, because a lone RT object or a secondary capture may legitimately
 * lack it.
 */
export function parseDicomFile(input: { readonly name: string; readonly bytes: Uint8Array; readonly path?: string }): DicomInstance {
  const file = input.name;
  const dicom = openDicom(input.bytes, file);
  const bytes = dicom.bytes;
  const read = dicom.read;
  let parsed!: DicomDataset;
  let headerOnly = false;
  // Parse only what is needed. The identification group first, to recognise a structure set: it is
  // mostly contour coordinates as text and the loader
  // needs only its identifiers and label, which precede group 3006's sequences. Images are parsed up
  // to their pixel data, which is then viewed in place (locatePixelData) instead of copied by dcmjs;
  // deflated files, and files with an icon image (whose nested PixelData would stop dcmjs early), are
  // read in full.
  const id = read({ untilTag: '00080061', stopOnGreaterTag: true });
  const idSop = str(id.dict, '00080016') || str(id.meta, '00020002');
  const idModality = str(id.dict, '00080060').toUpperCase();
  if (idSop === '1.2.840.10008.5.1.4.1.1.481.3' || (!idSop && idModality === 'RTSTRUCT')) {
    // Up to the ROIs: the Referenced Frame of Reference Sequence (3006,0010) says which CT it belongs to.
    parsed = read({ untilTag: '30060020', stopOnGreaterTag: true });
  } else if (str(id.meta, META_TS) === '1.2.840.10008.1.2.1.99') {
    parsed = read();
  } else {
    try {
      parsed = read({ untilTag: '7FE00010' });
      headerOnly = !('00880200' in parsed.dict);
    } catch {
      headerOnly = false;
    }
    if (!headerOnly) parsed = read();
  }
  const { meta, dict: ds } = parsed;
  if (!str(ds, '00080016') && !str(meta, '00020002') && !str(ds, '00080060') && !ds['7FE00010']) {
    throw new DicomLoadError('not-dicom', 'no SOP Class UID, Modality or pixel data: not a DICOM object (or its header is destroyed)', { file });
  }
  const transferSyntaxUid = str(meta, META_TS);
  if (!transferSyntaxUid) throw new DicomLoadError('missing-tag', 'the file meta header has no TransferSyntaxUID (0002,0010)', { file });

  const sopInstanceUidOwn = str(ds, '00080018');
  const sopInstanceUid = sopInstanceUidOwn || str(meta, '00020003');
  const sopClassUid = str(ds, '00080016') || str(meta, '00020002');
  let modality = str(ds, '00080060').toUpperCase();
  if (!modality && RT_SOP_CLASSES[sopClassUid]) modality = RT_SOP_CLASSES[sopClassUid];

  const rows = num(ds, '00280010') ?? 0;
  const columns = num(ds, '00280011') ?? 0;
  const pixelEl = ds['7FE00010'] ?? ds['7FE00008'] ?? ds['7FE00009'];
  // After a header-only parse the PixelData element is present with no value: dcmjs stopped at it.
  const hasPixels = pixelEl !== undefined && (headerOnly || (pixelEl.Value?.length ?? 0) > 0);
  const isImage = hasPixels && rows > 0 && columns > 0;
  const encapsulated = hasPixels && !NATIVE_TRANSFER_SYNTAXES.has(transferSyntaxUid);

  const nFramesRaw = num(ds, '00280008');
  const numberOfFrames = nFramesRaw === undefined ? 1 : nFramesRaw;
  if (isImage && (!Number.isInteger(numberOfFrames) || numberOfFrames < 1)) {
    throw new DicomLoadError('invalid-tag', `NumberOfFrames (0028,0008) "${strs(ds, '00280008')[0]}" is not a positive integer`, { file });
  }

  let frames: FrameInfo[] = [];
  if (isImage) {
    const top = rescaleOf(ds, file);
    frames = enhancedFrames(ds, numberOfFrames, file) ?? [];
    if (frames.length === 0) {
      const position = vec3(ds, '00200032', 'ImagePositionPatient (0020,0032)', file);
      const orient = orientation6(ds, file);
      const spacing = spacing2(ds, file);
      const base: FrameInfo = {
        ...(position ? { position } : {}),
        ...(orient ? { orientation: orient } : {}),
        ...(spacing ? { pixelSpacing: spacing } : {}),
        rescaleSlope: top.slope ?? 1,
        rescaleIntercept: top.intercept ?? 0,
      };
      if (numberOfFrames === 1) frames = [base];
      else {
        // Legacy multi-frame: GridFrameOffsetVector (3004,000C) gives each frame's offset along the normal.
        const offsets = nums(ds, '3004000C');
        if (position && orient && offsets.length === numberOfFrames && offsets.every(Number.isFinite)) {
          const n = cross([orient[0], orient[1], orient[2]], [orient[3], orient[4], orient[5]]);
          frames = offsets.map((o) => ({ ...base, position: [position[0] + o * n[0], position[1] + o * n[1], position[2] + o * n[2]] as Vec3 }));
        } else {
          // No per-frame positions: the frames cannot be placed; the series loader reports it.
          frames = Array.from({ length: numberOfFrames }, () => ({ rescaleSlope: base.rescaleSlope, rescaleIntercept: base.rescaleIntercept, ...(orient ? { orientation: orient } : {}), ...(spacing ? { pixelSpacing: spacing } : {}) }));
        }
      }
    }
  }

  const thickness = num(ds, '00180050');
  const tilt = num(ds, '00181120');
  const seriesNumber = num(ds, '00200011');
  const instanceNumber = num(ds, '00200013');
  const bitsAllocated = num(ds, '00280100') ?? 0;
  let pixelData: Uint8Array | undefined;
  if (isImage && !encapsulated) {
    const expected = Math.ceil((rows * columns * numberOfFrames * bitsAllocated) / 8);
    const truncated = (missing: number) => new DicomLoadError('truncated', `the file ends ${missing} bytes before the end of its pixel data: it is truncated (an interrupted copy or download); copy or export it again`, { file });
    if (headerOnly) {
      const at = locatePixelData(bytes, transferSyntaxUid === '1.2.840.10008.1.2', expected);
      if (!at) throw new DicomLoadError('truncated', `PixelData is missing, damaged or shorter than the ${expected} bytes that ${rows}×${columns}×${numberOfFrames} ${bitsAllocated}-bit pixels need: the file is truncated or corrupt; copy or export it again`, { file });
      // A view of the caller's bytes, not a copy (offsets shift by the header a raw data set was given).
      const start = at.start - dicom.headerLength;
      pixelData = input.bytes.subarray(start, start + expected);
      if (pixelData.byteLength < expected) throw truncated(expected - pixelData.byteLength);
    } else {
      pixelData = nativePixelBytes(pixelEl);
      if (!pixelData || pixelData.byteLength < expected) {
        throw new DicomLoadError('truncated', `PixelData has ${pixelData?.byteLength ?? 0} bytes but ${rows}×${columns}×${numberOfFrames} ${bitsAllocated}-bit pixels need ${expected}: the file is truncated; copy or export it again`, { file });
      }
      // dcmjs zero-fills a value that runs past the end of the file instead of failing, so a truncated
      // file would load with black slices: check the element against the file's real length.
      if (transferSyntaxUid !== '1.2.840.10008.1.2.1.99') {
        const at = locatePixelData(bytes, transferSyntaxUid === '1.2.840.10008.1.2', expected);
        if (at && at.start + expected > bytes.length) throw truncated(at.start + expected - bytes.length);
      }
    }
  } else if (!hasPixels && !rtKind({ modality, sopClassUid }) && (IMAGE_MODALITIES.has(modality) || IMAGE_SOP_CLASSES.has(sopClassUid) || rows > 0)) {
    throw new DicomLoadError('truncated', `this ${modality || 'image'} object has no pixel data (7FE0,0010): the file ends early (truncated) or its structure is damaged`, { file });
  }
  return {
    file,
    ...(input.path === undefined ? {} : { path: input.path }),
    transferSyntaxUid,
    sopClassUid,
    sopInstanceUid,
    sopInstanceUidMissing: !sopInstanceUidOwn,
    studyInstanceUid: str(ds, '0020000D'),
    seriesInstanceUid: str(ds, '0020000E'),
    // A structure set states its frame in the Referenced Frame of Reference Sequence, rarely at the top level.
    frameOfReferenceUid: str(ds, '00200052') || str(items(ds, '30060010')[0], '00200052'),
    modality,
    imageType: strs(ds, '00080008').map((s) => s.toUpperCase()),
    patientName: str(ds, '00100010'),
    patientId: str(ds, '00100020'),
    patientBirthDate: str(ds, '00100030'),
    patientSex: str(ds, '00100040'),
    studyDescription: str(ds, '00081030'),
    studyDate: str(ds, '00080020'),
    studyTime: str(ds, '00080030'),
    studyId: str(ds, '00200010'),
    accessionNumber: str(ds, '00080050'),
    referringPhysicianName: str(ds, '00080090'),
    seriesDescription: str(ds, '0008103E'),
    ...(seriesNumber !== undefined && Number.isFinite(seriesNumber) ? { seriesNumber } : {}),
    ...(instanceNumber !== undefined && Number.isFinite(instanceNumber) ? { instanceNumber } : {}),
    manufacturer: str(ds, '00080070'),
    label: str(ds, '30060002') || str(ds, '300A0002') || str(ds, '00700080'),
    isImage,
    rows,
    columns,
    bitsAllocated,
    bitsStored: num(ds, '00280101') ?? num(ds, '00280100') ?? 0,
    pixelRepresentation: num(ds, '00280103') ?? 0,
    samplesPerPixel: num(ds, '00280002') ?? 1,
    photometricInterpretation: str(ds, '00280004').toUpperCase(),
    numberOfFrames: isImage ? numberOfFrames : 0,
    ...(thickness !== undefined && Number.isFinite(thickness) ? { sliceThickness: thickness } : {}),
    ...(tilt !== undefined && Number.isFinite(tilt) ? { gantryTilt: tilt } : {}),
    ...windowOf(ds),
    frames,
    ...(pixelData ? { pixelData } : {}),
    encapsulated,
    bytes: input.bytes,
  };
}

/** The RT-object kind of an instance (RTSTRUCT, RTPLAN, RTDOSE, …), or undefined for other objects. */
export function rtKind(instance: Pick<DicomInstance, 'modality' | 'sopClassUid'>): string | undefined {
  if (RT_SOP_CLASSES[instance.sopClassUid]) return RT_SOP_CLASSES[instance.sopClassUid];
  return RT_MODALITIES.has(instance.modality) ? instance.modality : undefined;
}

/** Human-readable transfer syntax for messages: its name and UID. */
export function describeTransferSyntax(uid: string): string {
  const name = TRANSFER_SYNTAX_NAMES[uid];
  return name ? `${name} (${uid})` : uid;
}
