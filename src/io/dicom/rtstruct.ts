/**
 * What the RT Structure Set writer (rtstruct-writer.ts) and reader (rtstruct-reader.ts) share: the SOP class,
 * the typed errors and the per-ROI warnings. Browser-safe, no dependencies beyond the job contract.
 */
import { JobError, type JobErrorOptions } from '../../jobs/job.ts';

/** SOP Class UID of RT Structure Set Storage (PS3.4 B.5). */
export const RT_STRUCTURE_SET_STORAGE_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.481.3';

/**
 * Referenced SOP Class UID of the RT Referenced Study Sequence: PS3.3 C.8.8.5.3 asks for the (retired) Detached
 * Study Management SOP Class, which is what XiO, Eclipse-derived, MIM and pydicom-written files carry.
 */
export const STUDY_COMPONENT_REFERENCE_SOP_CLASS_UID = '1.2.840.10008.3.1.2.3.1';

/** Why an RT Structure Set could not be written or read. */
export type RtstructErrorCode =
  /** The CT lacks a UID an RT Structure Set must reference (frame of reference, study, series, slice SOP instances). */
  | 'missing-reference'
  /** A structure cannot be written (mask on another grid, duplicate or invalid name). */
  | 'invalid-structure'
  /** The file is not DICOM, or is damaged. */
  | 'not-dicom'
  /** A DICOM file that is not an RT Structure Set. */
  | 'not-rtstruct'
  /** The structure set's Frame of Reference is not the CT's: its coordinates cannot be placed on this CT. */
  | 'frame-of-reference-mismatch'
  /** An element the structure set cannot be read without (Structure Set ROI Sequence …) is missing or malformed. */
  | 'invalid-rtstruct';

/** A typed RT Structure Set failure naming the file, when one is to blame. */
export class RtstructError extends JobError {
  override name = 'RtstructError';
  declare readonly code: RtstructErrorCode;

  constructor(code: RtstructErrorCode, message: string, options: JobErrorOptions = {}) {
    super(code, message, options);
  }
}

/** What an import or export warning is about. */
export type RtstructWarningCode =
  /** An ROI with no contours at all (written or read as an empty structure). */
  | 'empty-roi'
  /** A contour with fewer than 3 points, zero area, or coordinates that are not numbers: dropped. */
  | 'degenerate-contour'
  /** A contour that repeats another contour of the same ROI point for point: dropped, as XOR would cancel both. */
  | 'duplicate-contour'
  /** Contours of one ROI on one slice that partly overlap (neither contains the other): XOR and OR readers disagree. */
  | 'overlapping-contours'
  /** A contour not on any CT slice plane (between planes beyond the tolerance, outside the CT's slices, or not planar): dropped. */
  | 'off-slice-contour'
  /** A contour placed on the nearest slice plane although it lies measurably off it. */
  | 'snapped-to-slice'
  /** Contour image references that name no image of this CT (stale UIDs): slices matched by position instead. */
  | 'unmatched-image-reference'
  /** A contour whose referenced image is a different slice than the one its coordinates lie on: position wins. */
  | 'reference-position-mismatch'
  /** Part of a contour lies outside the CT's field of view and was cut off. */
  | 'outside-field-of-view'
  /** A contour type Delineo keeps as a marker, not a mask (POINT, OPEN_PLANAR, OPEN_NONPLANAR), or an unknown one. */
  | 'unsupported-contour-type'
  /** Number of Contour Points disagrees with the Contour Data; the data was used. */
  | 'point-count-mismatch'
  /** An ROI Contour item with no Structure Set ROI, or an ROI whose frame of reference is another one. */
  | 'inconsistent-roi'
  /** RT ROI Interpreted Type missing or not a defined term; a default was used. */
  | 'interpreted-type'
  /** An ROI name that is empty; a stand-in name was used. */
  | 'roi-name'
  /** The structure set's patient or series is not the CT's (same frame of reference, so it still imports). */
  | 'identity-mismatch'
  /** The frame of reference was not checked because the caller asked to accept a mismatch. */
  | 'frame-of-reference-accepted'
  /** A structure on a plane of the CT that has no image of its own (interpolated slice). */
  | 'unreferenced-slice';

/** A problem worked around while writing or reading a structure set; `roiName`/`roiNumber` say which ROI. */
export interface RtstructWarning {
  readonly code: RtstructWarningCode;
  readonly message: string;
  readonly roiNumber?: number;
  readonly roiName?: string;
  readonly file?: string;
}
