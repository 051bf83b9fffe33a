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

/** Lung parenchyma in HU: denser than the air around the patient, lighter than any soft tissue. */
const LUNG_HU: readonly [number, number] = [-950, -500];
/** Soft tissue and bone of the body. */
const BODY_HU = -300;
/** A slice crosses the lungs when lung-like voxels are at least this share of lung plus body voxels. */
const LUNG_SHARE = 0.2;
/** A CT is a chest CT when at least this share of its slices cross the lungs. */
const CHEST_SLICES = 0.4;
const SAMPLED_SLICES = 24;

/**
 * Whether a CT shows the chest: on at least 40 % of (up to 24 evenly spaced) slices, lung-like voxels are at
 * least 20 % of the lung plus body voxels. Mid-thorax slices are 30–60 % lung; a head-and-neck CT crosses only
 * the airway and, at its lowest slices, the apices; abdominal gas stays far below. The image decides, not
 * BodyPartExamined or a description, which many clinical series leave empty or wrong.
 */
export function looksLikeChest(volume: { readonly dimensions: readonly [number, number, number] | readonly number[]; readonly data: ArrayLike<number> }): boolean {
  const [nx, ny, nz] = volume.dimensions as readonly [number, number, number];
  const plane = nx * ny;
  const samples = Math.min(SAMPLED_SLICES, nz);
  if (samples === 0 || plane === 0) return false;
  let crossing = 0;
  for (let s = 0; s < samples; s++) {
    const k = Math.min(nz - 1, Math.floor(((s + 0.5) * nz) / samples));
    let lung = 0;
    let body = 0;
    // Every other voxel in each direction: a quarter of the slice is plenty for a share.
    for (let j = 0; j < ny; j += 2) {
      const row = k * plane + j * nx;
      for (let i = 0; i < nx; i += 2) {
        const v = volume.data[row + i]!;
        if (v >= BODY_HU) body++;
        else if (v >= LUNG_HU[0] && v <= LUNG_HU[1]) lung++;
      }
    }
    if (lung + body > 0 && lung / (lung + body) >= LUNG_SHARE) crossing++;
  }
  return crossing / samples >= CHEST_SLICES;
}

/** The lung preset of {@link CT_WINDOW_PRESETS}. */
export const LUNG_WINDOW: WindowPreset = CT_WINDOW_PRESETS.find((p) => p.id === 'lung')!;

/**
 * The window a CT opens with: the series' own (what the scanner or the planner chose for this image), else the
 * lung window for a chest CT ({@link looksLikeChest}), else soft tissue.
 */
export function initialWindow(volume: Parameters<typeof looksLikeChest>[0] & { readonly defaultWindow?: WindowLevel; readonly modality?: string }): WindowLevel {
  const own = volume.defaultWindow;
  if (own && own.window > 0) return { window: own.window, level: own.level };
  if ((volume.modality ?? 'CT') === 'CT' && looksLikeChest(volume)) return { window: LUNG_WINDOW.window, level: LUNG_WINDOW.level };
  return SOFT_TISSUE_WINDOW;
}
