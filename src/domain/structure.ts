import { type ImageGeometry, voxelVolumeMm3 } from './geometry.ts';
import { BinaryMask } from './mask.ts';

/** DICOM RT ROI Interpreted Type (3006,00A4) — the defined terms of PS3.3 C.8.8.8. */
export const ROI_INTERPRETED_TYPES = [
  'EXTERNAL',
  'PTV',
  'CTV',
  'GTV',
  'TREATED_VOLUME',
  'IRRAD_VOLUME',
  'OAR',
  'BOLUS',
  'AVOIDANCE',
  'ORGAN',
  'MARKER',
  'REGISTRATION',
  'ISOCENTER',
  'CONTRAST_AGENT',
  'CAVITY',
  'BRACHY_CHANNEL',
  'BRACHY_ACCESSORY',
  'BRACHY_SRC_APP',
  'BRACHY_CHNL_SHLD',
  'SUPPORT',
  'FIXATION',
  'DOSE_REGION',
  'CONTROL',
  'DOSE_MEASUREMENT',
] as const;
export type RoiInterpretedType = (typeof ROI_INTERPRETED_TYPES)[number];

/** ROI Generation Algorithm (3006,0036). */
export type GenerationAlgorithm = 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';

/** Where a structure came from: the algorithm class, and for AUTOMATIC the model or rule that made it. */
export interface Provenance {
  readonly algorithm: GenerationAlgorithm;
  /** Model or rule id (e.g. 'hn-oar', 'ct-external-lungs-bones', 'phantom'), or the tool for manual work. */
  readonly source?: string;
  readonly version?: string;
}

/** An sRGB colour, 0–255 per channel. */
export type Rgb = readonly [number, number, number];

/**
 * Distinct, saturated colours, in a fixed order, for structures that arrive without a colour and have no
 * TG-263 colour (a label map, an RTSTRUCT ROI without ROI Display Color): structure n gets entry n mod 10.
 */
export const DISTINCT_COLORS: readonly Rgb[] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [255, 120, 180],
];

/**
 * A contoured structure (DICOM: an ROI) on the CT grid: identity, clinical description and its voxel mask.
 * Per-view display settings (outline width, fill opacity) are not here: they belong to the views.
 */
export interface Structure {
  readonly id: string;
  readonly name: string;
  /** TG-263 standard name when one applies. */
  readonly standardName?: string;
  readonly color: Rgb;
  readonly interpretedType: RoiInterpretedType;
  readonly provenance: Provenance;
  readonly visible: boolean;
  readonly locked: boolean;
  readonly approved: boolean;
  readonly mask: BinaryMask;
}

export interface StructureInit extends Partial<Omit<Structure, 'name' | 'mask'>> {
  readonly name: string;
  readonly mask: BinaryMask;
}

/** Thrown for a structure that cannot be valid in an RT structure set. */
export class StructureError extends Error {
  override readonly name = 'StructureError';
}

let counter = 0;
/** A structure id unique within this JavaScript realm (not a DICOM UID; ROI numbers are assigned at export). */
export function newStructureId(): string {
  counter += 1;
  const rand = globalThis.crypto?.randomUUID?.().slice(0, 8) ?? Math.random().toString(16).slice(2, 10);
  return `s${counter.toString(36)}-${rand}`;
}

/** Builds a structure with defaults (MANUAL, visible, unlocked, unapproved) and validated fields. */
export function createStructure(init: StructureInit): Structure {
  const name = init.name.trim();
  // ROI Name is an LO: at most 64 characters, no backslash (the DICOM value separator).
  if (name.length === 0) throw new StructureError('a structure needs a non-empty name');
  if (name.length > 64) throw new StructureError(`structure name "${name.slice(0, 20)}…" is longer than 64 characters`);
  if (name.includes('\\')) throw new StructureError(`structure name "${name}" contains a backslash`);
  const color = init.color ?? [255, 0, 0];
  if (color.length !== 3 || color.some((c) => !Number.isInteger(c) || c < 0 || c > 255)) {
    throw new StructureError(`colour of "${name}" must be three integers 0–255`);
  }
  const interpretedType = init.interpretedType ?? 'ORGAN';
  if (!ROI_INTERPRETED_TYPES.includes(interpretedType)) throw new StructureError(`unknown RT ROI interpreted type ${interpretedType}`);
  return {
    id: init.id ?? newStructureId(),
    name,
    standardName: init.standardName,
    color: [color[0], color[1], color[2]],
    interpretedType,
    provenance: init.provenance ?? { algorithm: 'MANUAL' },
    visible: init.visible ?? true,
    locked: init.locked ?? false,
    approved: init.approved ?? false,
    mask: init.mask,
  };
}

/** An empty structure on a grid. */
export function emptyStructure(geometry: Pick<ImageGeometry, 'dimensions'>, init: Omit<StructureInit, 'mask'>): Structure {
  return createStructure({ ...init, mask: new BinaryMask(geometry.dimensions) });
}

/** Volume of a mask in cubic centimetres (voxel count × voxel volume). */
export function maskVolumeCc(mask: BinaryMask, geometry: ImageGeometry): number {
  return (mask.count() * voxelVolumeMm3(geometry)) / 1000;
}
