/** A display window in the volume's units (HU for CT): values below level − window/2 are black, above level + window/2 white. */
export interface WindowLevel {
  readonly window: number;
  readonly level: number;
}

/** The soft-tissue window (W 400 / L 40 HU), the usual starting point for contouring on CT. */
export const SOFT_TISSUE_WINDOW: WindowLevel = { window: 400, level: 40 };

/** A named display window a user can pick. */
export interface WindowPreset extends WindowLevel {
  /** Stable identifier (used in events and settings). */
  readonly id: string;
  /** The name shown to the user. */
  readonly label: string;
}

/**
 * The standard CT windows of radiotherapy contouring, in HU. The values are the ones treatment-planning
 * systems and contouring atlases use (RTOG/ESTRO guidance): soft tissue for most organs at risk, lung for
 * lung and airway, bone for the skeleton and bony landmarks, brain for the CNS, mediastinum for nodes and
 * vessels. A series' own DICOM window (the VOI LUT the scanner or the planner stored) is offered in
 * addition by {@link windowPresetsFor}.
 */
export const CT_WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'soft-tissue', label: 'Soft tissue', window: 400, level: 40 },
  { id: 'lung', label: 'Lung', window: 1500, level: -600 },
  { id: 'bone', label: 'Bone', window: 1800, level: 400 },
  { id: 'brain', label: 'Brain', window: 80, level: 40 },
  { id: 'mediastinum', label: 'Mediastinum', window: 350, level: 50 },
];

/**
 * The presets to offer for a volume: the series' own default window first when it has one ("DICOM"), then
 * the standard CT presets. The series window comes first because it is what the scanner or the planner
 * chose for this very image.
 */
export function windowPresetsFor(volume: { readonly defaultWindow?: WindowLevel } | null | undefined): WindowPreset[] {
  const own = volume?.defaultWindow;
  const series: WindowPreset[] = own && own.window > 0 ? [{ id: 'dicom', label: 'DICOM', window: own.window, level: own.level }] : [];
  return [...series, ...CT_WINDOW_PRESETS];
}

/** The preset whose window and level equal `wl` (within 0.5 HU), or null: used to show which preset is on. */
export function matchingPreset(presets: readonly WindowPreset[], wl: WindowLevel): WindowPreset | null {
  return presets.find((p) => Math.abs(p.window - wl.window) < 0.5 && Math.abs(p.level - wl.level) < 0.5) ?? null;
}
