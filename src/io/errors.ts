/**
 * Typed failures and warnings of the imaging loaders (local DICOM, NIfTI/NRRD/MHA, DICOMweb).
 *
 * Every failure is a {@link JobError} subclass with a stable `code` the UI switches on and, when one
 * file is to blame, the `file` it names; the message says what is wrong and what the user can do about
 * it, because the person reading it is a dosimetrist with a folder of files, not a developer. Problems
 * the loader can work around become {@link LoadWarning}s on the result instead: the volume is usable,
 * the user is told what was decided.
 *
 * Browser-safe, no dependencies beyond the job contract.
 */
import { JobError, type JobErrorOptions } from '../jobs/job.ts';

/** Why a DICOM file or series could not be loaded. */
export type DicomErrorCode =
  /** No input files at all, or none left after the unreadable ones were set aside. */
  | 'empty-input'
  /** The file could not be read from its source (permissions, a vanished file). */
  | 'read-failed'
  /** Not a DICOM file (no `DICM` marker and not a raw DICOM data set). */
  | 'not-dicom'
  /** The file ends in the middle of an element: an interrupted copy or download. */
  | 'truncated'
  /** Element structure that cannot be parsed (a damaged length, an impossible value representation). */
  | 'corrupt'
  /** A tag the image cannot be placed or decoded without (ImagePositionPatient, Rows, …). */
  | 'missing-tag'
  /** A tag present with a value that cannot be right (zero pixel spacing, non-orthogonal cosines). */
  | 'invalid-tag'
  /** Pixel data in an encoding this build cannot decode. */
  | 'unsupported-transfer-syntax'
  /** A compressed image that the decoder rejected. */
  | 'decode-failed'
  /** Pixel data shorter than Rows × Columns × frames need. */
  | 'pixel-data-length'
  /** A pixel layout that is not a greyscale image (RGB, palette colour) or not 8/16/32-bit. */
  | 'unsupported-pixel-format'
  /** The files hold no image series (only RT objects, reports or nothing usable). */
  | 'no-image-series'
  /** The requested Series Instance UID is not among the files. */
  | 'series-not-found'
  /** Two different images claim the same slice position. */
  | 'duplicate-slice-position'
  /** Slices of equal size but different orientation, and no majority to choose. */
  | 'mixed-orientation'
  /** Slices that cannot form one grid (positions off the stacking line, one slice only, …). */
  | 'inconsistent-geometry'
  /** Gaps between slices too large to bridge safely, or gaps when the caller asked to reject them. */
  | 'missing-slices'
  /** Irregular slice spacing when the caller asked to reject it. */
  | 'non-uniform-spacing'
  /** One Series Instance UID carrying two different patients. */
  | 'inconsistent-patient';

/** A DICOM loading failure; see {@link DicomErrorCode}. */
export class DicomLoadError extends JobError {
  override name = 'DicomLoadError';
  declare readonly code: DicomErrorCode;

  constructor(code: DicomErrorCode, message: string, options: JobErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Why a NIfTI / NRRD / MetaImage file could not be loaded. */
export type ImageErrorCode = 'empty-input' | 'read-failed' | 'unsupported-format' | 'truncated' | 'decode-failed' | 'unsupported-pixel-format' | 'unsupported-dimension' | 'invalid-geometry';

/** A non-DICOM image loading failure; see {@link ImageErrorCode}. */
export class ImageLoadError extends JobError {
  override name = 'ImageLoadError';
  declare readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, message: string, options: JobErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Why a DICOMweb request failed. */
export type DicomWebErrorCode = 'network' | 'unauthorized' | 'forbidden' | 'not-found' | 'http-error' | 'bad-response' | 'store-failed';

/** A DICOMweb failure: the URL is the `file`, `status` the HTTP status when there was one. */
export class DicomWebError extends JobError {
  override name = 'DicomWebError';
  declare readonly code: DicomWebErrorCode;
  readonly status?: number;

  constructor(code: DicomWebErrorCode, message: string, options: JobErrorOptions & { status?: number } = {}) {
    super(code, message, options);
    if (options.status !== undefined) this.status = options.status;
  }
}

/** What a warning is about; the UI may group or filter by it. */
export type LoadWarningCode =
  | 'unreadable-file'
  | 'not-dicom'
  | 'empty-uid'
  | 'duplicate-instance'
  | 'localizer-dropped'
  | 'mixed-orientation'
  | 'mixed-size'
  | 'mixed-modality'
  | 'missing-slices'
  | 'non-uniform-spacing'
  | 'gantry-tilt'
  | 'thickness-differs-from-spacing'
  | 'other-series-ignored'
  | 'multiple-patients'
  | 'not-ct'
  | 'unsupported-object'
  | 'float-values'
  | 'no-frame-of-reference'
  /** Part of a dose image's dose region lies outside the CT it was added to. */
  | 'dose-outside-ct'
  /** One slice, slices missing, or a few centimetres of scan: see seriesCompleteness. */
  | 'incomplete-series';

/** A problem the loader worked around; the result is usable, and the message says what was decided. */
export interface LoadWarning {
  readonly code: LoadWarningCode;
  readonly message: string;
  /** The file concerned, when there is one. */
  readonly file?: string;
}

/** Why an RT Dose (or a dose image, or the RT Plan a dose needs) could not be used. */
export type DoseErrorCode =
  /** A tag the dose grid cannot be placed or scaled without (GridFrameOffsetVector, DoseGridScaling, …). */
  | 'missing-tag'
  /** A tag with a value that cannot be right (zero DoseGridScaling, offsets that do not match the frames). */
  | 'invalid-tag'
  /** Pixel data shorter than Rows × Columns × frames need. */
  | 'pixel-data-length'
  /** DoseUnits RELATIVE without a known reference dose. */
  | 'relative-dose'
  /** The dose (or plan) is on another Frame of Reference than the CT it is shown on. */
  | 'frame-of-reference'
  /** A dose image whose values are not a dose in Gy (negative, all zero, not finite, or in another unit). */
  | 'not-a-dose'
  /** A dose image that lies wholly outside the CT. */
  | 'outside-ct'
  /** Doses that cannot be summed (other grids, other units, other plans). */
  | 'incompatible-doses';

/** An RT Dose, dose image or RT Plan failure; see {@link DoseErrorCode}. */
export class DoseLoadError extends JobError {
  override name = 'DoseLoadError';
  declare readonly code: DoseErrorCode;

  constructor(code: DoseErrorCode, message: string, options: JobErrorOptions = {}) {
    super(code, message, options);
  }
}
