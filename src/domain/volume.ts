import { GridTransform, type ImageGeometry, type Mat3, type Vec3, validateGeometry, voxelCount, GeometryError } from './geometry.ts';

/** Voxel storage types a Volume may hold. */
export type VoxelArray = Int16Array | Uint16Array | Int32Array | Uint8Array | Int8Array | Float32Array | Float64Array;

/** DICOM identifiers a loaded CT carries; RTSTRUCT export references them. */
export interface SeriesIdentity {
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly frameOfReferenceUid?: string;
  /** SOP Instance UID of each slice, indexed by k. */
  readonly sopInstanceUids?: readonly string[];
  readonly sopClassUid?: string;
  // Patient and study attributes as the source files carried them (DICOM PN values keep their `^`
  // component separators). An RT object written for this CT must repeat them to join the same
  // patient and study, so loaders keep them verbatim; all are absent for non-DICOM sources.
  readonly patientName?: string;
  readonly patientId?: string;
  readonly patientBirthDate?: string;
  readonly patientSex?: string;
  readonly studyDescription?: string;
  readonly studyDate?: string;
  readonly studyTime?: string;
  readonly studyId?: string;
  readonly accessionNumber?: string;
  readonly referringPhysicianName?: string;
  readonly seriesDescription?: string;
  readonly seriesNumber?: number;
}

/** A grid and its series' identity, without voxels: what placing structures, doses and DVHs on a CT needs. */
export interface ImageGridInit extends ImageGeometry {
  /** 'CT' for CT in Hounsfield units; other modalities keep their own units. */
  readonly modality?: string;
  readonly identity?: SeriesIdentity;
  /** Free-text name shown to the user (series description, file name). */
  readonly name?: string;
}

export interface VolumeInit extends ImageGridInit {
  readonly data: VoxelArray;
  /**
   * The display window the series carries (DICOM Window Center/Width, the first value when several), in
   * the volume's units; viewers offer it as the "DICOM" preset. Absent when the source has none.
   */
  readonly defaultWindow?: { readonly window: number; readonly level: number };
}

/**
 * An image series' grid on patient space and its DICOM identity, without the voxels. Writing a structure set,
 * importing one or computing DVHs needs only this, so the CLI can read the CT's headers and skip its pixels.
 */
export class ImageGrid implements ImageGeometry {
  readonly dimensions: Vec3;
  readonly spacing: Vec3;
  readonly origin: Vec3;
  readonly direction: Mat3;
  readonly modality: string;
  readonly identity: SeriesIdentity;
  readonly name: string;
  readonly transform: GridTransform;

  constructor(init: ImageGridInit) {
    validateGeometry(init);
    this.dimensions = [...init.dimensions] as unknown as Vec3;
    this.spacing = [...init.spacing] as unknown as Vec3;
    this.origin = [...init.origin] as unknown as Vec3;
    this.direction = [...init.direction] as unknown as Mat3;
    this.modality = init.modality ?? 'CT';
    this.identity = init.identity ?? {};
    this.name = init.name ?? '';
    this.transform = new GridTransform(this);
  }

  /** The grid without the voxels. */
  get geometry(): ImageGeometry {
    return { dimensions: this.dimensions, spacing: this.spacing, origin: this.origin, direction: this.direction };
  }

  /** Linear offset of voxel (i, j, k). */
  offset(i: number, j: number, k: number): number {
    return i + this.dimensions[0] * (j + this.dimensions[1] * k);
  }

  /** Patient position (mm, LPS) of a (continuous) index. */
  indexToPatient(index: Vec3): Vec3 {
    return this.transform.toPatient(index);
  }

  /** Continuous index of a patient position (mm, LPS). */
  patientToIndex(point: Vec3): Vec3 {
    return this.transform.toIndex(point);
  }
}

/**
 * A scalar image on a patient-space grid. For CT the voxel values are Hounsfield units: loaders apply the
 * DICOM rescale (see `applyRescale`) once, so nothing downstream has to remember it.
 */
export class Volume extends ImageGrid {
  readonly data: VoxelArray;
  readonly defaultWindow?: { readonly window: number; readonly level: number };

  constructor(init: VolumeInit) {
    super(init);
    if (init.data.length !== voxelCount(init)) {
      throw new GeometryError(`voxel data has ${init.data.length} values but the grid [${init.dimensions.join('×')}] needs ${voxelCount(init)}`);
    }
    this.data = init.data;
    if (init.defaultWindow && init.defaultWindow.window > 0 && Number.isFinite(init.defaultWindow.level)) {
      this.defaultWindow = { window: init.defaultWindow.window, level: init.defaultWindow.level };
    }
  }

  /** Value at an integer index (no bounds check beyond the typed array's). */
  at(i: number, j: number, k: number): number {
    return this.data[this.offset(i, j, k)];
  }

  /** Minimum and maximum voxel value. */
  range(): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    const d = this.data;
    for (let n = 0; n < d.length; n++) {
      const v = d[n];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi];
  }
}

/** Rescale parameters of DICOM (0028,1052/1053): modality value = stored × slope + intercept. */
export interface Rescale {
  readonly slope: number;
  readonly intercept: number;
}

/**
 * Converts stored pixel values to modality values (HU for CT). Keeps 16-bit integer storage when every
 * result is an exact integer in the int16 range (the usual CT case, slope 1), else uses Float32.
 */
export function applyRescale(stored: ArrayLike<number>, { slope, intercept }: Rescale): Int16Array | Float32Array {
  if (!Number.isFinite(slope) || slope === 0 || !Number.isFinite(intercept)) {
    throw new RangeError(`invalid rescale slope ${slope} / intercept ${intercept}`);
  }
  const n = stored.length;
  if (Number.isInteger(slope) && Number.isInteger(intercept)) {
    const out = new Int16Array(n);
    let exact = true;
    for (let x = 0; x < n; x++) {
      const v = stored[x] * slope + intercept;
      if (v < -32768 || v > 32767) {
        exact = false;
        break;
      }
      out[x] = v;
    }
    if (exact) return out;
  }
  const out = new Float32Array(n);
  for (let x = 0; x < n; x++) out[x] = stored[x] * slope + intercept;
  return out;
}

/**
 * Chooses stored values for writing modality values as 16-bit DICOM pixels: unsigned with intercept
 * −1024 for CT that fits (the common scanner convention), else signed with intercept 0 and the smallest
 * slope that fits the range. Returns the stored pixels and the rescale to write.
 */
export function toStoredValues(values: ArrayLike<number>): { stored: Uint16Array | Int16Array; rescale: Rescale; signed: boolean } {
  let lo = Infinity;
  let hi = -Infinity;
  let integral = true;
  for (let x = 0; x < values.length; x++) {
    const v = values[x];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  if (integral && lo >= -1024 && hi <= 65535 - 1024) {
    const stored = new Uint16Array(values.length);
    for (let x = 0; x < values.length; x++) stored[x] = values[x] + 1024;
    return { stored, rescale: { slope: 1, intercept: -1024 }, signed: false };
  }
  const peak = Math.max(Math.abs(lo), Math.abs(hi), 1);
  const slope = integral && peak <= 32767 ? 1 : peak / 32767;
  const stored = new Int16Array(values.length);
  for (let x = 0; x < values.length; x++) stored[x] = Math.round(values[x] / slope);
  return { stored, rescale: { slope, intercept: 0 }, signed: true };
}
