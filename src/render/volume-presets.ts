/**
 * CT volume-rendering presets for the 3D view: transfer functions from Hounsfield units to colour and
 * opacity. Plain data (no vtk.js), so they can be listed in a UI, tested and extended without a GL context.
 *
 * Delineo's own presets, tuned on the thorax phantom. Bone starts above 120 HU, so soft tissue (up to ~80 HU,
 * ~100 with contrast) stays fully transparent — the classic ParaView/Slicer "CT-Bone" ramps up from −16 HU,
 * which over a 30 cm thorax accumulates into an opaque red body hiding the skeleton. Soft tissue keeps the
 * body faint with bone brighter; lung shows the parenchyma and airway walls (−900 … −400 HU) and nothing
 * denser.
 */

/** The names of the built-in presets. */
export type VolumePresetName = 'ct-bone' | 'ct-soft-tissue' | 'ct-lung';

/** A transfer-function preset for CT volume rendering. */
export interface VolumePreset {
  readonly name: VolumePresetName;
  /** Label for a UI. */
  readonly label: string;
  /** Colour points: [HU, r, g, b], r/g/b in 0–1, HU increasing. */
  readonly colors: readonly (readonly [number, number, number, number])[];
  /** Opacity points: [HU, opacity per unit distance], opacity in 0–1, HU increasing. */
  readonly opacities: readonly (readonly [number, number])[];
  /** Distance (mm) over which the opacities above apply; larger is more transparent. */
  readonly unitDistanceMm: number;
  /** Lit with the scene's lights (gradient shading), with these material coefficients. */
  readonly shade: boolean;
  readonly ambient: number;
  readonly diffuse: number;
  readonly specular: number;
}

/** The built-in presets by name, in the order a UI lists them. */
export const VOLUME_PRESETS: Readonly<Record<VolumePresetName, VolumePreset>> = {
  'ct-bone': {
    name: 'ct-bone',
    label: 'CT bone',
    colors: [
      [-1024, 0, 0, 0],
      [100, 0.75, 0.35, 0.25],
      [250, 0.92, 0.78, 0.6],
      [700, 1, 0.96, 0.88],
      [3071, 1, 1, 1],
    ],
    opacities: [
      [-1024, 0],
      [120, 0],
      [250, 0.35],
      [500, 0.85],
      [3071, 0.9],
    ],
    unitDistanceMm: 1,
    shade: true,
    ambient: 0.2,
    diffuse: 0.8,
    specular: 0.25,
  },
  'ct-soft-tissue': {
    name: 'ct-soft-tissue',
    label: 'CT soft tissue',
    colors: [
      [-1024, 0, 0, 0],
      [-200, 0.55, 0.25, 0.15],
      [40, 0.88, 0.6, 0.45],
      [300, 1, 0.94, 0.85],
      [3071, 1, 1, 1],
    ],
    opacities: [
      [-1024, 0],
      [-250, 0],
      [-100, 0.02],
      [80, 0.04],
      [300, 0.5],
      [3071, 0.8],
    ],
    unitDistanceMm: 4,
    shade: true,
    ambient: 0.2,
    diffuse: 0.8,
    specular: 0.1,
  },
  'ct-lung': {
    name: 'ct-lung',
    label: 'CT lung',
    colors: [
      [-1024, 0.2, 0.2, 0.6],
      [-900, 0.35, 0.4, 0.9],
      [-650, 0.9, 0.55, 0.55],
      [-400, 1, 0.8, 0.7],
      [3071, 1, 1, 1],
    ],
    opacities: [
      [-1024, 0],
      [-920, 0],
      [-750, 0.08],
      [-450, 0.15],
      [-300, 0],
      [3071, 0],
    ],
    unitDistanceMm: 2,
    shade: true,
    ambient: 0.3,
    diffuse: 0.7,
    specular: 0.1,
  },
};

/** The preset names, in UI order. */
export const VOLUME_PRESET_NAMES = Object.keys(VOLUME_PRESETS) as VolumePresetName[];

/** True when `name` is a built-in preset (for values read from attributes or storage). */
export function isVolumePresetName(name: unknown): name is VolumePresetName {
  return typeof name === 'string' && Object.hasOwn(VOLUME_PRESETS, name);
}
