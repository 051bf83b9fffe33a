/**
 * Writes structures as a DICOM RT Structure Set (RTSTRUCT) for the CT they were drawn on. Browser-safe (dcmjs's
 * `DicomDict.write()` returns an ArrayBuffer; see ct-writer.ts for why `datasetToBuffer` is not used).
 *
 * What planning systems and validators need, and what is written:
 * - Contours: closed planar polygons following the voxel boundary on every CT slice plane a structure touches
 *   (src/domain/contour.ts explains the convention: rasterising them by voxel centres with even-odd gives back
 *   the mask exactly, and their area is the voxel area). Points are patient LPS mm through the grid transform,
 *   so on an oblique CT they lie in the oblique slice planes and on a gantry-tilted (sheared) CT in the tilted
 *   image planes: each contour is coplanar with the image it references, which is what PS3.3 C.8.8.6 asks. A
 *   planning system that assumes axial contours (constant z) cannot use either; that is a property of the CT.
 * - Holes and islands are separate contours on the same plane (outer counter-clockwise, holes clockwise):
 *   readers that combine a slice's contours by XOR / even-odd, as the standard intends, recover them.
 * - Every contour's Contour Image Sequence names the exact CT image of its slice (Referenced SOP Class and
 *   Instance UID); the Referenced Frame of Reference Sequence lists the study, the series and every slice.
 * - RT ROI Observations carry the RT ROI Interpreted Type and ROI Interpreter; Structure Set ROI carries the ROI
 *   Generation Algorithm from the structure's provenance (AUTOMATIC / SEMIAUTOMATIC / MANUAL) with a
 *   description naming the model or source.
 * - Patient and study attributes are copied from the CT, so the structure set joins the same patient and study;
 *   the series and instance get fresh UIDs.
 * - Attributes real files forget but the IOD requires (the three errors every real RTSTRUCT in ../shared/data
 *   shows under dciodvfy): Operators' Name (type 2), the top-level Frame of Reference UID and Position Reference
 *   Indicator (Frame of Reference module), besides Manufacturer, Series Number, Structure Set Label/Date/Time and
 *   Instance Number.
 */
import dcmjs from 'dcmjs';
import type { DenaturalizedDataset, NaturalizedDataset } from 'dcmjs';
import { forEachSliceContours } from '../../domain/contour.ts';
import { encodeContourSequence, type ContourItem } from './contour-sequence.ts';
import type { Structure } from '../../domain/structure.ts';
import type { ImageGrid } from '../../domain/volume.ts';
import {
  CT_IMAGE_STORAGE_SOP_CLASS_UID,
  DELINEO_IMPLEMENTATION_CLASS_UID,
  DELINEO_IMPLEMENTATION_VERSION_NAME,
  dicomDate,
  dicomTime,
} from './ct-writer.ts';
import {
  RT_STRUCTURE_SET_STORAGE_SOP_CLASS_UID,
  RtstructError,
  type RtstructWarning,
  STUDY_COMPONENT_REFERENCE_SOP_CLASS_UID,
} from './rtstruct.ts';
import { isValidUid, newUid } from './uid.ts';

/** Implicit VR Little Endian, the DICOM default transfer syntax (writeImplicitPart10 says why). */
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';

/**
 * A Part-10 file of a dataset in Implicit VR Little Endian, with Delineo's file meta. Implicit VR: every element has
 * a 32-bit length. In Explicit VR a DS value is limited to 65,534 bytes, which one staircase outline of a body on a
 * fine grid exceeds (≈ 2,000 points); dcmjs then silently re-types it as UN, which pydicom hands back as raw bytes
 * and planning systems may reject. Implicit VR Little Endian is the DICOM default transfer syntax, which every
 * reader supports and most planning systems write RT objects in.
 */
export function writeImplicitPart10(sopClassUid: string, sopInstanceUid: string, dataset: DenaturalizedDataset): ArrayBuffer {
  const meta: NaturalizedDataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUid,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: IMPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: DELINEO_IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: DELINEO_IMPLEMENTATION_VERSION_NAME,
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dataset;
  return dict.write();
}

/** Options of {@link writeRtstruct}; every field has a default. */
export interface RtstructWriteOptions {
  /** Structure Set Label (SH, ≤ 16 characters). Default 'Delineo'. */
  readonly label?: string;
  /** Structure Set Name (LO). Not written by default. */
  readonly name?: string;
  /** Structure Set Description (ST). Not written by default. */
  readonly description?: string;
  /** Series Description (LO). Default 'Delineo structures'. */
  readonly seriesDescription?: string;
  /** Series Number. Default 1. */
  readonly seriesNumber?: number;
  /** Instance Number. Default 1. */
  readonly instanceNumber?: number;
  /** Operators' Name (PN, e.g. 'Doe^Jane'): who made the structure set. Default '' (type 2: known to be unknown). */
  readonly operatorName?: string;
  /** ROI Interpreter (PN) of every ROI: who reviewed the structures' types. Default ''. */
  readonly interpreterName?: string;
  /**
   * Who approved the structures (PN), written as Reviewer Name when every structure written is approved (the
   * Approval module then says APPROVED with the review date and time; otherwise UNAPPROVED). Default ''.
   */
  readonly reviewerName?: string;
  /** When the structures were approved. Default: the creation date. */
  readonly reviewDate?: Date;
  /** Structure set, series and instance creation date/time. Default: now. */
  readonly date?: Date;
  /** The Series Instance UID and SOP Instance UID to use (e.g. to re-issue a file); default fresh ones. */
  readonly seriesInstanceUid?: string;
  readonly sopInstanceUid?: string;
}

/** The written file and what it holds. */
export interface RtstructWriteResult {
  /** The Part-10 file. */
  readonly buffer: ArrayBuffer;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** ROI Number of each structure, in the order given. */
  readonly roiNumbers: readonly number[];
  /** Closed planar contours written per structure, in the order given. */
  readonly contourCounts: readonly number[];
  readonly warnings: readonly RtstructWarning[];
}


const ROI_CONTOUR_SEQUENCE = '30060039';
const CONTOUR_SEQUENCE = '30060040';

/** The description of how a structure was made, for ROI Generation Description (LO, ≤ 64 characters). */
function generationDescription(s: Structure): string {
  const p = s.provenance;
  const source = [p.source, p.version && `v${p.version}`].filter(Boolean).join(' ');
  const text =
    p.algorithm === 'AUTOMATIC'
      ? `Delineo auto-contour${source ? `: ${source}` : ''}`
      : p.algorithm === 'SEMIAUTOMATIC'
        ? `Delineo: ${source || 'automatic'} edited by a user`
        : `Delineo manual contouring${source ? ` (${source})` : ''}`;
  // LO's limit is 64 bytes as validators count it, so the mark of a cut is ASCII (an ellipsis takes three).
  return text.length <= 64 ? text : `${text.slice(0, 61)}...`;
}

/** Checks that the CT carries every UID a structure set must reference; returns them. */
function references(volume: ImageGrid): {
  study: string;
  series: string;
  frame: string;
  sopClass: string;
  sops: readonly string[];
} {
  const id = volume.identity;
  const need = (uid: string | undefined, what: string): string => {
    if (!uid)
      throw new RtstructError(
        'missing-reference',
        `the CT has no ${what}: an RT Structure Set must reference the DICOM CT it was drawn on (load the CT from DICOM)`,
      );
    if (!isValidUid(uid))
      throw new RtstructError('missing-reference', `the CT's ${what} "${uid}" is not a valid DICOM UID`);
    return uid;
  };
  const frame = need(id.frameOfReferenceUid, 'Frame of Reference UID');
  const study = need(id.studyInstanceUid, 'Study Instance UID');
  const series = need(id.seriesInstanceUid, 'Series Instance UID');
  const sops = id.sopInstanceUids ?? [];
  const nz = volume.dimensions[2];
  if (sops.length !== nz)
    throw new RtstructError(
      'missing-reference',
      `the CT has ${nz} slices but ${sops.length} SOP Instance UIDs: contours cannot reference their images`,
    );
  sops.forEach((u, k) => {
    if (u !== '' && !isValidUid(u))
      throw new RtstructError(
        'missing-reference',
        `the SOP Instance UID "${u}" of slice ${k} is not a valid DICOM UID`,
      );
  });
  if (sops.every((u) => u === ''))
    throw new RtstructError('missing-reference', 'no slice of the CT has a SOP Instance UID');
  // A multi-frame CT (Enhanced CT) has one SOP instance for many slices: its contours would need a Referenced
  // Frame Number per slice, which needs the frame order the loader does not keep yet. Refuse rather than write
  // references that point every contour at the same image.
  const named = sops.filter((u) => u !== '');
  if (new Set(named).size !== named.length) {
    throw new RtstructError(
      'missing-reference',
      'several slices of the CT share one SOP Instance UID (a multi-frame image): per-frame contour references are not supported yet; convert the CT to single-frame images first',
    );
  }
  return { study, series, frame, sopClass: id.sopClassUid || CT_IMAGE_STORAGE_SOP_CLASS_UID, sops };
}

/**
 * Writes `structures` (masks on `volume`'s grid) as an RT Structure Set referencing `volume`, which must carry
 * its DICOM identity (a CT loaded from DICOM, or written by writeCtSeries). One ROI per structure, numbered from
 * 1 in the order given, with its name, colour, interpreted type and provenance; empty structures are written as
 * ROIs without contours (and reported). Throws RtstructError when the CT lacks the UIDs to reference, a mask is
 * not on the CT grid, or two structures share a name (compared case-insensitively, as planning systems do).
 * Warnings report empty structures and contours on interpolated slices, which have no CT image to reference.
 */
export function writeRtstruct(
  volume: ImageGrid,
  structures: readonly Structure[],
  options: RtstructWriteOptions = {},
): RtstructWriteResult {
  const ref = references(volume);
  const warnings: RtstructWarning[] = [];
  const seen = new Map<string, string>();
  for (const s of structures) {
    if (s.mask.dimensions.some((n, a) => n !== volume.dimensions[a])) {
      throw new RtstructError(
        'invalid-structure',
        `${s.name}: its mask [${s.mask.dimensions.join('×')}] is not on the CT grid [${volume.dimensions.join('×')}]`,
      );
    }
    const key = s.name.trim().toLowerCase();
    if (seen.has(key))
      throw new RtstructError(
        'invalid-structure',
        `two structures are named "${seen.get(key)}" and "${s.name}": planning systems need unique ROI names`,
      );
    seen.set(key, s.name);
  }
  const label = options.label ?? 'Delineo';
  if (label.length === 0 || label.length > 16 || label.includes('\\'))
    throw new RtstructError(
      'invalid-structure',
      `Structure Set Label "${label}" must be 1–16 characters without a backslash`,
    );
  const seriesNumber = options.seriesNumber ?? 1;
  const instanceNumber = options.instanceNumber ?? 1;
  if (!Number.isInteger(seriesNumber) || !Number.isInteger(instanceNumber))
    throw new RtstructError('invalid-structure', 'Series Number and Instance Number must be integers');
  const seriesInstanceUid = options.seriesInstanceUid ?? newUid();
  const sopInstanceUid = options.sopInstanceUid ?? newUid();
  for (const u of [seriesInstanceUid, sopInstanceUid])
    if (!isValidUid(u)) throw new RtstructError('invalid-structure', `"${u}" is not a valid DICOM UID`);
  const date = options.date ?? new Date();
  const id = volume.identity;

  const roiNumbers: number[] = [];
  const contourCounts: number[] = [];
  const structureSetRois: NaturalizedDataset[] = [];
  const roiContours: NaturalizedDataset[] = [];
  const contourSequences: (ArrayBuffer | undefined)[] = [];
  const observations: NaturalizedDataset[] = [];
  structures.forEach((s, index) => {
    const roiNumber = index + 1;
    roiNumbers.push(roiNumber);
    const contours: ContourItem[] = [];
    const unreferenced = new Set<number>();
    forEachSliceContours(s.mask, volume, (k, sliceContours) => {
      const sop = ref.sops[k];
      if (!sop) unreferenced.add(k);
      for (const c of sliceContours)
        contours.push({
          number: contours.length + 1,
          points: c.points,
          ...(sop ? { image: { sopClassUid: ref.sopClass, sopInstanceUid: sop } } : {}),
        });
    });
    contourCounts.push(contours.length);
    if (contours.length === 0)
      warnings.push({
        code: 'empty-roi',
        message: `${s.name} is empty: written as an ROI without contours`,
        roiNumber,
        roiName: s.name,
      });
    if (unreferenced.size) {
      warnings.push({
        code: 'unreferenced-slice',
        message: `${s.name} has contours on ${unreferenced.size} slice plane(s) that were interpolated when the CT was loaded (no CT image there): those contours reference no image and a planning system may not show them`,
        roiNumber,
        roiName: s.name,
      });
    }
    structureSetRois.push({
      ROINumber: roiNumber,
      ReferencedFrameOfReferenceUID: ref.frame,
      ROIName: s.name,
      ROIGenerationAlgorithm: s.provenance.algorithm,
      ROIGenerationDescription: generationDescription(s),
    });
    roiContours.push({
      ReferencedROINumber: roiNumber,
      ROIDisplayColor: [s.color[0], s.color[1], s.color[2]],
    });
    contourSequences.push(contours.length ? encodeContourSequence(contours) : undefined);
    observations.push({
      ObservationNumber: roiNumber,
      ReferencedROINumber: roiNumber,
      RTROIInterpretedType: s.interpretedType,
      ROIInterpreter: options.interpreterName ?? '',
    });
  });

  const dataset: NaturalizedDataset = {
    // dcmjs encodes strings as UTF-8; declare it so non-ASCII patient and ROI names read back correctly.
    SpecificCharacterSet: 'ISO_IR 192',
    InstanceCreationDate: dicomDate(date),
    InstanceCreationTime: dicomTime(date),
    SOPClassUID: RT_STRUCTURE_SET_STORAGE_SOP_CLASS_UID,
    SOPInstanceUID: sopInstanceUid,
    // Patient and General Study: the CT's own values, so the structure set files under the same patient and study.
    StudyDate: id.studyDate ?? '',
    SeriesDate: dicomDate(date),
    StudyTime: id.studyTime ?? '',
    SeriesTime: dicomTime(date),
    AccessionNumber: id.accessionNumber ?? '',
    Modality: 'RTSTRUCT',
    Manufacturer: 'Delineo',
    ReferringPhysicianName: id.referringPhysicianName ?? '',
    ...(id.studyDescription ? { StudyDescription: id.studyDescription } : {}),
    SeriesDescription: options.seriesDescription ?? 'Delineo structures',
    OperatorsName: options.operatorName ?? '',
    ManufacturerModelName: 'Delineo',
    PatientName: id.patientName ?? '',
    PatientID: id.patientId ?? '',
    PatientBirthDate: id.patientBirthDate ?? '',
    PatientSex: id.patientSex ?? '',
    SoftwareVersions: 'Delineo 0.1',
    StudyInstanceUID: ref.study,
    SeriesInstanceUID: seriesInstanceUid,
    StudyID: id.studyId ?? '',
    SeriesNumber: String(seriesNumber),
    InstanceNumber: String(instanceNumber),
    // Frame of Reference module: the CT's frame; the indicator is type 2 and a landmark would be a claim we cannot make.
    FrameOfReferenceUID: ref.frame,
    PositionReferenceIndicator: '',
    StructureSetLabel: label,
    ...(options.name ? { StructureSetName: options.name } : {}),
    ...(options.description ? { StructureSetDescription: options.description } : {}),
    StructureSetDate: dicomDate(date),
    StructureSetTime: dicomTime(date),
    ReferencedFrameOfReferenceSequence: [
      {
        FrameOfReferenceUID: ref.frame,
        RTReferencedStudySequence: [
          {
            ReferencedSOPClassUID: STUDY_COMPONENT_REFERENCE_SOP_CLASS_UID,
            ReferencedSOPInstanceUID: ref.study,
            RTReferencedSeriesSequence: [
              {
                SeriesInstanceUID: ref.series,
                ContourImageSequence: ref.sops
                  .filter((sop) => sop !== '')
                  .map((sop) => ({ ReferencedSOPClassUID: ref.sopClass, ReferencedSOPInstanceUID: sop })),
              },
            ],
          },
        ],
      },
    ],
    StructureSetROISequence: structureSetRois,
    ROIContourSequence: roiContours,
    RTROIObservationsSequence: observations,
    ...approvalModule(structures, options, date),
  };
  const dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  // Each ROI's Contour Sequence goes in already encoded (see contour-sequence.ts), as a value dcmjs copies: in
  // Implicit VR no VR is written, so the file is the same as if dcmjs had encoded the items. Added after
  // denaturalising because dcmjs would take any value of an SQ keyword for items to denaturalise.
  const roiContourItems = dict[ROI_CONTOUR_SEQUENCE].Value as DenaturalizedDataset[];
  contourSequences.forEach((bytes, i) => {
    if (bytes) roiContourItems[i][CONTOUR_SEQUENCE] = { vr: 'OB', Value: [bytes] };
  });
  const buffer = writeImplicitPart10(RT_STRUCTURE_SET_STORAGE_SOP_CLASS_UID, sopInstanceUid, dict);
  return { buffer, sopInstanceUid, seriesInstanceUid, roiNumbers, contourCounts, warnings };
}

/**
 * The Approval module (PS3.3 C.8.8.16): APPROVED with reviewer and time when every structure written (the
 * non-empty ones) is approved, UNAPPROVED otherwise, so a planning system sees what the clinician signed off.
 */
function approvalModule(structures: readonly Structure[], options: RtstructWriteOptions, date: Date): NaturalizedDataset {
  const written = structures.filter((s) => !s.mask.isEmpty());
  if (written.length === 0 || !written.every((s) => s.approved)) return { ApprovalStatus: 'UNAPPROVED' };
  const when = options.reviewDate ?? date;
  return { ApprovalStatus: 'APPROVED', ReviewDate: dicomDate(when), ReviewTime: dicomTime(when), ReviewerName: options.reviewerName ?? '' };
}

/**
 * The app's export: `structures` on `volume` as an RT Structure Set file (ArrayBuffer), ready to download or
 * send with STOW-RS. The same as {@link writeRtstruct}, which also returns the UIDs and warnings (empty
 * structures, contours on interpolated slices) that the UI should show.
 */
export function exportRtstruct(
  volume: ImageGrid,
  structures: readonly Structure[],
  options: RtstructWriteOptions = {},
): ArrayBuffer {
  return writeRtstruct(volume, structures, options).buffer;
}
