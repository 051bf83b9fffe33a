/**
 * Reads a DICOM RT Structure Set and places its ROIs on a loaded CT: closed planar contours become structure
 * masks, POINT and open contours become markers. Browser-safe (dcmjs only).
 *
 * Real files are messier than the standard (see ../shared/data): contour image references that were never
 * remapped after de-identification, references to slices that are not there, no file meta header, empty ROIs,
 * frames of reference that do not match. The rules, in order of trust:
 * - The Frame of Reference decides whether coordinates mean anything on this CT: a different one is an error
 *   (RtstructError 'frame-of-reference-mismatch', naming the file), unless the caller explicitly accepts it.
 * - A contour's coordinates decide its slice: it goes to the nearest slice plane along the normal when it lies
 *   within `sliceToleranceMm` (default half the distance between planes), with a warning when it is measurably
 *   off the plane. Contour image references are a cross-check only: stale ones (all of them in the NSCLC file)
 *   and ones naming another slice than the coordinates are reported, never followed blindly.
 * - Within a slice an ROI's contours combine with the even-odd rule (holes, islands in holes, XOR of
 *   overlaps), rasterised by voxel centres: see src/domain/contour.ts.
 * - Whatever cannot be used (degenerate contours, contours off every slice plane, parts outside the field of
 *   view, unknown contour types) becomes a per-ROI warning while the rest imports.
 */
import {
  contoursToMask,
  partialOverlapVoxels,
  placeContour,
  sameOutline,
  signedArea,
  slicePlaneDistance,
} from '../../domain/contour.ts';
import type { Vec3 } from '../../domain/geometry.ts';
import {
  createStructure,
  DISTINCT_COLORS,
  type GenerationAlgorithm,
  ROI_INTERPRETED_TYPES,
  type Rgb,
  type RoiInterpretedType,
  type Structure,
} from '../../domain/structure.ts';
import { suggestStandardName, tg263Entry } from '../../domain/tg263.ts';
import type { ImageGrid } from '../../domain/volume.ts';
import { DicomLoadError } from '../errors.ts';
import { int, items, nums, openDicom, str, type DicomDataset } from './dataset.ts';
import { RT_STRUCTURE_SET_STORAGE_SOP_CLASS_UID, RtstructError, type RtstructWarning } from './rtstruct.ts';

/** One contour as the file holds it. */
export interface RtContour {
  /** Contour Geometric Type: CLOSED_PLANAR, POINT, OPEN_PLANAR, OPEN_NONPLANAR (or whatever the file says). */
  readonly geometricType: string;
  /** x, y, z triples in patient coordinates (LPS, mm), as many as the Contour Data holds. */
  readonly points: Float64Array;
  /** Number of Contour Points as declared (may disagree with the data in damaged files). */
  readonly declaredPoints?: number;
  /** Referenced SOP Instance UIDs of its Contour Image Sequence. */
  readonly imageUids: readonly string[];
}

/** One ROI as the file holds it: Structure Set ROI, ROI Contour and RT ROI Observations joined by ROI number. */
export interface RtRoi {
  readonly number: number;
  readonly name: string;
  readonly frameOfReferenceUid: string;
  /** ROI Generation Algorithm ('' when absent). */
  readonly generationAlgorithm: string;
  readonly generationDescription: string;
  /** RT ROI Interpreted Type ('' when absent). */
  readonly interpretedType: string;
  readonly interpreter: string;
  readonly color?: Rgb;
  readonly contours: readonly RtContour[];
}

/** A structure set as read from a file, before it is placed on a CT. */
export interface ParsedRtstruct {
  readonly file: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly label: string;
  readonly name: string;
  /** StructureSetDate (YYYYMMDD) and StructureSetTime (HHMMSS.FFFFFF), '' when absent. */
  readonly date: string;
  readonly time: string;
  readonly manufacturer: string;
  /** The Approval module: APPROVED, UNAPPROVED or REJECTED ('' when absent), and who reviewed it when. */
  readonly approval: { readonly status: string; readonly reviewDate: string; readonly reviewTime: string; readonly reviewerName: string };
  /** Frame of Reference UIDs the file refers to (top level, Referenced Frame of Reference Sequence, ROIs). */
  readonly frameOfReferenceUids: readonly string[];
  /** Series Instance UIDs of its RT Referenced Series. */
  readonly referencedSeriesUids: readonly string[];
  /** SOP Instance UIDs listed in the RT Referenced Series' Contour Image Sequences. */
  readonly referencedImageUids: readonly string[];
  readonly rois: readonly RtRoi[];
  readonly warnings: readonly RtstructWarning[];
}

/** A POINT or open contour of an ROI, kept as a marker (isocentre, fiducial, reference line) rather than a mask. */
export interface RtMarker {
  readonly roiNumber: number;
  readonly name: string;
  /** The ROI's interpreted type as the file has it (MARKER, ISOCENTER, … or ''). */
  readonly interpretedType: string;
  readonly color?: Rgb;
  /** POINT, OPEN_PLANAR or OPEN_NONPLANAR. */
  readonly geometricType: string;
  /** The contour's points in patient coordinates (LPS, mm): one for a POINT. */
  readonly points: readonly Vec3[];
}

/** Options of {@link importRtstruct}. */
export interface RtstructImportOptions {
  /** The file name used in errors and warnings. Default 'RTSTRUCT'. */
  readonly file?: string;
  /** Largest distance (mm) from a slice plane along the normal at which a contour is still placed on it. Default: half the plane distance. */
  readonly sliceToleranceMm?: number;
  /** Distance (mm) off the plane below which placing a contour on it is not reported. Default 0.05 mm. */
  readonly snapWarningMm?: number;
  /**
   * Place the contours by their coordinates even when the structure set's Frame of Reference is not the CT's.
   * Only for files known to carry a wrong UID (rt-utils writes one); reported as a warning.
   */
  readonly acceptFrameOfReferenceMismatch?: boolean;
}

/** What {@link importRtstruct} returns. */
export interface RtstructImport {
  /** One structure per ROI with closed planar contours, or with no contours at all (empty), in file order. */
  readonly structures: Structure[];
  /** ROI Number of each structure, in the same order. */
  readonly roiNumbers: number[];
  /** POINT and open contours, one marker each. */
  readonly markers: RtMarker[];
  readonly warnings: RtstructWarning[];
  /** The parsed file (identifiers, ROIs as written). */
  readonly parsed: ParsedRtstruct;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

/** Reads the file's data set; every failure is an RtstructError naming the file. */
function readDataset(input: ArrayBuffer | Uint8Array, file: string): DicomDataset {
  try {
    return openDicom(input, file).read();
  } catch (e) {
    // The reader's message already starts with the file's name, which RtstructError adds again.
    if (e instanceof DicomLoadError) throw new RtstructError('not-dicom', e.file && e.message.startsWith(`${e.file}: `) ? e.message.slice(e.file.length + 2) : e.message, { file, cause: e });
    throw e;
  }
}

const SPACES = /^\s+|\s+$/g;

/**
 * Parses an RT Structure Set file (Part 10, or a raw data set without file meta) into its identifiers and ROIs,
 * joining Structure Set ROI, ROI Contour and RT ROI Observations by ROI number. No CT is needed. Throws
 * RtstructError ('not-dicom', 'not-rtstruct', 'invalid-rtstruct') naming the file; inconsistencies that leave
 * the rest usable (an ROI Contour for an unknown ROI, a point count that disagrees with the data) are warnings.
 */
export function parseRtstruct(input: ArrayBuffer | Uint8Array, file = 'RTSTRUCT'): ParsedRtstruct {
  const { meta, dict: ds } = readDataset(input, file);
  const sopClass = str(ds, '00080016') || str(meta, '00020002');
  const modality = str(ds, '00080060').toUpperCase();
  if (sopClass !== RT_STRUCTURE_SET_STORAGE_SOP_CLASS_UID && !(sopClass === '' && modality === 'RTSTRUCT')) {
    throw new RtstructError(
      'not-rtstruct',
      `not an RT Structure Set (SOP Class ${sopClass || 'missing'}, modality ${modality || 'missing'})`,
      { file },
    );
  }
  const ssRois = items(ds, '30060020');
  if (!ds['30060020'])
    throw new RtstructError(
      'invalid-rtstruct',
      'the Structure Set ROI Sequence (3006,0020) is missing: the file lists no ROIs',
      { file },
    );
  const warnings: RtstructWarning[] = [];
  const frames = new Set<string>();
  const top = str(ds, '00200052');
  if (top) frames.add(top);
  const referencedSeries: string[] = [];
  const referencedImages: string[] = [];
  for (const f of items(ds, '30060010')) {
    const uid = str(f, '00200052');
    if (uid) frames.add(uid);
    for (const study of items(f, '30060012')) {
      for (const series of items(study, '30060014')) {
        const s = str(series, '0020000E');
        if (s) referencedSeries.push(s);
        for (const img of items(series, '30060016')) {
          const u = str(img, '00081155');
          if (u) referencedImages.push(u);
        }
      }
    }
  }

  interface Draft {
    number: number;
    name: string;
    frameOfReferenceUid: string;
    generationAlgorithm: string;
    generationDescription: string;
    interpretedType: string;
    interpreter: string;
    color?: Rgb;
    contours: RtContour[];
  }
  const drafts = new Map<number, Draft>();
  for (const r of ssRois) {
    const number = int(r, '30060022');
    if (number === undefined) {
      warnings.push({
        code: 'inconsistent-roi',
        message: `a Structure Set ROI item without a valid ROI Number ("${str(r, '30060022')}") was ignored`,
        file,
      });
      continue;
    }
    if (drafts.has(number)) {
      warnings.push({
        code: 'inconsistent-roi',
        message: `ROI Number ${number} is used twice; the second ROI ("${str(r, '30060026')}") was ignored`,
        roiNumber: number,
        file,
      });
      continue;
    }
    const uid = str(r, '30060024');
    if (uid) frames.add(uid);
    drafts.set(number, {
      number,
      name: str(r, '30060026'),
      frameOfReferenceUid: uid,
      generationAlgorithm: str(r, '30060036').toUpperCase(),
      generationDescription: str(r, '30060038'),
      interpretedType: '',
      interpreter: '',
      contours: [],
    });
  }
  for (const o of items(ds, '30060080')) {
    const d = drafts.get(int(o, '30060084') ?? Number.NaN);
    if (!d) continue;
    d.interpretedType = str(o, '300600A4').replace(SPACES, '').toUpperCase();
    d.interpreter = str(o, '300600A6');
  }
  for (const rc of items(ds, '30060039')) {
    const number = int(rc, '30060084');
    const d = drafts.get(number ?? Number.NaN);
    if (!d) {
      warnings.push({
        code: 'inconsistent-roi',
        message: `ROI Contour item for ROI Number ${number ?? '(missing)'} has no Structure Set ROI: its contours were ignored`,
        ...(number === undefined ? {} : { roiNumber: number }),
        file,
      });
      continue;
    }
    const color = nums(rc, '3006002A');
    if (color.length === 3 && color.every((c) => Number.isInteger(c) && c >= 0 && c <= 255))
      d.color = [color[0], color[1], color[2]];
    let mismatched = 0;
    for (const c of items(rc, '30060040')) {
      const raw = rc && c['30060050']?.Value ? c['30060050'].Value : [];
      const n3 = raw.length - (raw.length % 3);
      const points = new Float64Array(n3);
      for (let v = 0; v < n3; v++) {
        const x = raw[v];
        points[v] =
          typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : Number.NaN;
      }
      const declared = int(c, '30060046');
      if (declared !== undefined && declared * 3 !== raw.length) mismatched++;
      d.contours.push({
        geometricType: str(c, '30060042').toUpperCase(),
        points,
        ...(declared === undefined ? {} : { declaredPoints: declared }),
        imageUids: items(c, '30060016')
          .map((img) => str(img, '00081155'))
          .filter(Boolean),
      });
    }
    if (mismatched) {
      warnings.push({
        code: 'point-count-mismatch',
        message: `${d.name}: ${mismatched} contour(s) declare a Number of Contour Points that disagrees with their Contour Data; the data was used`,
        roiNumber: d.number,
        roiName: d.name,
        file,
      });
    }
  }
  return {
    file,
    sopInstanceUid: str(ds, '00080018') || str(meta, '00020003'),
    studyInstanceUid: str(ds, '0020000D'),
    seriesInstanceUid: str(ds, '0020000E'),
    patientId: str(ds, '00100020'),
    patientName: str(ds, '00100010'),
    label: str(ds, '30060002'),
    name: str(ds, '30060004'),
    date: str(ds, '30060008'),
    time: str(ds, '30060009'),
    manufacturer: str(ds, '00080070'),
    approval: { status: str(ds, '300E0002').toUpperCase(), reviewDate: str(ds, '300E0004'), reviewTime: str(ds, '300E0005'), reviewerName: str(ds, '300E0008') },
    frameOfReferenceUids: [...frames],
    referencedSeriesUids: [...new Set(referencedSeries)],
    referencedImageUids: referencedImages,
    rois: [...drafts.values()],
    warnings,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Placing on a CT

const GENERATION_ALGORITHMS: readonly GenerationAlgorithm[] = ['AUTOMATIC', 'SEMIAUTOMATIC', 'MANUAL'];

/** A 32-bit hash of a contour's coordinates (FNV-1a over their float bits), to find exact duplicates quickly. */
function contourHash(points: Float64Array): number {
  const words = new Uint32Array(points.buffer, points.byteOffset, points.length * 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return h >>> 0;
}

/** True when two coordinate arrays hold the same values. */
function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks the structure set's frame of reference against the CT's; throws or warns. Returns the FoR to accept ROIs in. */
function checkFrameOfReference(
  parsed: ParsedRtstruct,
  volume: ImageGrid,
  options: RtstructImportOptions,
  warnings: RtstructWarning[],
): string | undefined {
  const file = parsed.file;
  const ct = volume.identity.frameOfReferenceUid ?? '';
  const theirs = parsed.frameOfReferenceUids;
  if (ct && theirs.includes(ct)) return ct;
  if (options.acceptFrameOfReferenceMismatch) {
    warnings.push({
      code: 'frame-of-reference-accepted',
      message: `the structure set's Frame of Reference (${theirs.join(', ') || 'none'}) is not the CT's (${ct || 'none'}); its contours were placed by their coordinates because the mismatch was accepted`,
      file,
    });
    return undefined;
  }
  const ctImages = new Set(volume.identity.sopInstanceUids?.filter(Boolean));
  const referencesThisCt =
    (volume.identity.seriesInstanceUid !== undefined &&
      parsed.referencedSeriesUids.includes(volume.identity.seriesInstanceUid)) ||
    parsed.referencedImageUids.some((u) => ctImages.has(u)) ||
    parsed.rois.some((r) => r.contours.some((c) => c.imageUids.some((u) => ctImages.has(u))));
  const hint = referencesThisCt
    ? " It does reference this CT's images, so its Frame of Reference UID is probably a writer bug (rt-utils writes a fresh one): if you are sure the contours belong to this CT, import again accepting the mismatch."
    : ' Load the CT the structures were drawn on.';
  if (!ct)
    throw new RtstructError(
      'frame-of-reference-mismatch',
      `the CT has no Frame of Reference UID, so the structure set's coordinates cannot be checked against it.${hint}`,
      { file },
    );
  throw new RtstructError(
    'frame-of-reference-mismatch',
    `the structure set is in Frame of Reference ${theirs.join(', ') || '(none given)'} but the CT is in ${ct}: its coordinates cannot be placed on this CT.${hint}`,
    { file },
  );
}

/**
 * Imports an RT Structure Set onto a loaded CT: each ROI with closed planar contours becomes a structure whose
 * mask is the even-odd rasterisation (by voxel centres) of its contours on the slices they lie on; POINT and
 * open contours become markers; ROIs without contours become empty structures. Names get a TG-263 standard name
 * where one applies (suggestStandardName); colours, interpreted types and the ROI Generation Algorithm (as the
 * structure's provenance) are kept. Slices are matched by position along the slice normal (contour image
 * references are checked, not trusted: real files carry stale ones). Throws RtstructError when the file is not
 * a readable RT Structure Set or its Frame of Reference is not the CT's; everything an ROI can lose on the way
 * is reported as a warning naming the ROI.
 */
export function importRtstruct(
  input: ArrayBuffer | Uint8Array,
  volume: ImageGrid,
  options: RtstructImportOptions = {},
): RtstructImport {
  const parsed = parseRtstruct(input, options.file);
  const file = parsed.file;
  const warnings: RtstructWarning[] = [...parsed.warnings];
  const frame = checkFrameOfReference(parsed, volume, options, warnings);
  const id = volume.identity;
  if (id.patientId && parsed.patientId && id.patientId !== parsed.patientId) {
    warnings.push({
      code: 'identity-mismatch',
      message: `the structure set's Patient ID "${parsed.patientId}" is not the CT's "${id.patientId}" (same Frame of Reference: imported; check it is the right patient)`,
      file,
    });
  }
  if (
    id.seriesInstanceUid &&
    parsed.referencedSeriesUids.length &&
    !parsed.referencedSeriesUids.includes(id.seriesInstanceUid)
  ) {
    warnings.push({
      code: 'identity-mismatch',
      message:
        'the structure set was drawn on another image series of the same Frame of Reference: contours are placed by their coordinates',
      file,
    });
  }

  const transform = volume.transform;
  const gap = slicePlaneDistance(transform);
  // The in-plane mm of one index step, for comparing contours on a slice (u = i, v = j).
  const inPlaneSpacing: [number, number] = [volume.spacing[0], volume.spacing[1]];
  const tolerance = options.sliceToleranceMm ?? gap / 2;
  const snapWarning = options.snapWarningMm ?? 0.05;
  const [nx, ny, nz] = volume.dimensions;
  const sliceOfSop = new Map<string, number>();
  (id.sopInstanceUids ?? []).forEach((u, k) => {
    if (u) sliceOfSop.set(u, k);
  });
  let staleRefs = 0;
  let allRefs = 0;

  const structures: Structure[] = [];
  const roiNumbers: number[] = [];
  const markers: RtMarker[] = [];
  parsed.rois.forEach((roi, index) => {
    const roiName = roi.name || `ROI ${roi.number}`;
    const tag = { roiNumber: roi.number, roiName, file };
    const warn = (code: RtstructWarning['code'], message: string): void => {
      warnings.push({ code, message: `${roiName}: ${message}`, ...tag });
    };
    if (frame !== undefined && roi.frameOfReferenceUid && roi.frameOfReferenceUid !== frame) {
      warn(
        'inconsistent-roi',
        `it is in another Frame of Reference (${roi.frameOfReferenceUid}) than the CT: not imported`,
      );
      return;
    }
    const bySlice = new Map<number, Float64Array[]>();
    let closed = 0;
    const dropped = {
      degenerate: 0,
      outside: 0,
      nonPlanar: 0,
      unknown: new Set<string>(),
      mismatch: 0,
      duplicate: 0,
      nearDuplicate: 0,
    };
    // Exact copies of a contour (the NSCLC file's SUV ROI holds every contour twice) would cancel out under
    // even-odd: a writer never means a hole by repeating a contour point for point, so copies are dropped.
    const seenContours = new Map<number, Float64Array[]>();
    let maxSnap = 0;
    for (const c of roi.contours) {
      const n = c.points.length / 3;
      const type = c.geometricType;
      if (type === 'POINT' || type === 'OPEN_PLANAR' || type === 'OPEN_NONPLANAR') {
        const pts: Vec3[] = [];
        for (let v = 0; v < n; v++) pts.push([c.points[3 * v], c.points[3 * v + 1], c.points[3 * v + 2]]);
        if (n === 0 || !c.points.every(Number.isFinite)) {
          dropped.degenerate++;
          continue;
        }
        markers.push({
          roiNumber: roi.number,
          name: roiName,
          interpretedType: roi.interpretedType,
          ...(roi.color ? { color: roi.color } : {}),
          geometricType: type,
          points: pts,
        });
        continue;
      }
      if (type !== 'CLOSED_PLANAR') {
        dropped.unknown.add(type || '(none)');
        continue;
      }
      closed++;
      if (n < 3 || !c.points.every(Number.isFinite)) {
        dropped.degenerate++;
        continue;
      }
      const key = contourHash(c.points);
      const sameHash = seenContours.get(key);
      if (sameHash?.some((other) => sameValues(other, c.points))) {
        dropped.duplicate++;
        continue;
      }
      if (sameHash) sameHash.push(c.points);
      else seenContours.set(key, [c.points]);
      const placed = placeContour(c.points, transform);
      if (Math.abs(signedArea(placed.points)) < 1e-9) {
        dropped.degenerate++;
        continue;
      }
      if (placed.spreadMm > tolerance) {
        dropped.nonPlanar++;
        continue;
      }
      if (placed.k < 0 || placed.k >= nz || Math.abs(placed.offsetMm) > tolerance) {
        dropped.outside++;
        continue;
      }
      const off = Math.max(Math.abs(placed.offsetMm) + placed.spreadMm / 2, 0);
      if (off > maxSnap) maxSnap = off;
      for (const u of c.imageUids) {
        allRefs++;
        const k = sliceOfSop.get(u);
        if (k === undefined) staleRefs++;
        else if (k !== placed.k) dropped.mismatch++;
      }
      let list = bySlice.get(placed.k);
      if (!list) bySlice.set(placed.k, (list = []));
      if (list.some((other) => sameOutline(other, placed.points, inPlaneSpacing))) {
        dropped.nearDuplicate++;
        continue;
      }
      list.push(placed.points);
    }
    if (dropped.nearDuplicate)
      warn(
        'duplicate-contour',
        `${dropped.nearDuplicate} contour(s) repeat another contour on the same slice (the same outline within 2 % of its area and 1 mm, give or take a point) and were dropped: filled even-odd, the copies would have emptied the slice`,
      );
    if (dropped.degenerate)
      warn(
        'degenerate-contour',
        `${dropped.degenerate} contour(s) with fewer than 3 points, zero area or non-numeric coordinates were dropped`,
      );
    if (dropped.nonPlanar)
      warn(
        'off-slice-contour',
        `${dropped.nonPlanar} contour(s) do not lie in one slice plane (points spread more than ${tolerance.toFixed(2)} mm along the slice normal) and were dropped`,
      );
    if (dropped.outside)
      warn(
        'off-slice-contour',
        `${dropped.outside} contour(s) lie on no slice plane of this CT (beyond its first or last slice, or more than ${tolerance.toFixed(2)} mm from every plane) and were dropped`,
      );
    if (dropped.unknown.size)
      warn(
        'unsupported-contour-type',
        `contours of type ${[...dropped.unknown].join(', ')} are not supported and were ignored`,
      );
    if (dropped.duplicate)
      warn(
        'duplicate-contour',
        `${dropped.duplicate} contour(s) repeat another contour of this ROI point for point and were dropped (kept, they would cancel it out)`,
      );
    if (dropped.mismatch)
      warn(
        'reference-position-mismatch',
        `${dropped.mismatch} contour(s) reference the image of another slice than the one their coordinates lie on; placed by coordinates`,
      );
    if (maxSnap > snapWarning)
      warn(
        'snapped-to-slice',
        `contours lie up to ${maxSnap.toFixed(2)} mm off the CT slice planes and were placed on the nearest slice`,
      );

    if (closed === 0 && roi.contours.length > 0) return; // only markers (or unusable types): no structure
    let overlapSlices = 0;
    let overlapVoxels = 0;
    for (const contours of bySlice.values()) {
      const v = partialOverlapVoxels(contours, nx, ny);
      if (v) {
        overlapSlices++;
        overlapVoxels += v;
      }
    }
    if (overlapVoxels) {
      warn(
        'overlapping-contours',
        `contours partly overlap on ${overlapSlices} slice(s): combined by the even-odd rule (XOR), their ${overlapVoxels} shared voxel(s) are outside the structure, where a system that ORs contours would include them`,
      );
    }
    const { mask, clipped } = contoursToMask([nx, ny, nz], bySlice);
    if (clipped)
      warn('outside-field-of-view', 'part of its contours lies outside the CT field of view and was cut off');
    if (roi.contours.length === 0)
      warn('empty-roi', 'the ROI has no contours: imported as an empty structure');
    else if (mask.isEmpty())
      warn('empty-roi', 'none of its contours could be placed on this CT: imported as an empty structure');

    const standardName = suggestStandardName(roiName);
    const entry = standardName ? tg263Entry(standardName) : undefined;
    let interpretedType: RoiInterpretedType;
    if ((ROI_INTERPRETED_TYPES as readonly string[]).includes(roi.interpretedType))
      interpretedType = roi.interpretedType as RoiInterpretedType;
    else {
      interpretedType = entry?.interpretedType ?? 'ORGAN';
      if (roi.interpretedType)
        warn(
          'interpreted-type',
          `RT ROI Interpreted Type "${roi.interpretedType}" is not a defined term; ${interpretedType} was used`,
        );
    }
    const algorithm = (GENERATION_ALGORITHMS as readonly string[]).includes(roi.generationAlgorithm)
      ? (roi.generationAlgorithm as GenerationAlgorithm)
      : 'MANUAL';
    let name = roiName;
    if (!roi.name) warn('roi-name', `the ROI has no name; it was called "${roiName}"`);
    if (name.length > 64) {
      name = name.slice(0, 64).trim();
      warn('roi-name', `the name is longer than the 64 characters DICOM allows; shortened to "${name}"`);
    }
    structures.push(
      createStructure({
        name,
        ...(standardName ? { standardName } : {}),
        color: roi.color ?? entry?.color ?? DISTINCT_COLORS[index % DISTINCT_COLORS.length],
        interpretedType,
        provenance: {
          algorithm,
          source: roi.generationDescription || `RTSTRUCT ${parsed.label || parsed.sopInstanceUid}`,
        },
        mask,
        // The file's Approval module covers the whole structure set: an APPROVED file's structures come back approved.
        approved: parsed.approval.status === 'APPROVED',
      }),
    );
    roiNumbers.push(roi.number);
  });
  if (staleRefs) {
    warnings.unshift({
      code: 'unmatched-image-reference',
      message: `${staleRefs} of ${allRefs} contour image references name no image of this CT (stale or remapped UIDs): contours were matched to slices by position`,
      file,
    });
  }
  return { structures, roiNumbers, markers, warnings, parsed };
}
