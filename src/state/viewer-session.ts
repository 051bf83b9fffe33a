import { BehaviorSubject, type Observable } from 'rxjs';
import type { Vec3 } from '../domain/geometry.ts';
import type { BinaryMask, SliceAxis } from '../domain/mask.ts';
import type { Rgb, Structure } from '../domain/structure.ts';
import { regionGrow } from '../domain/tools/region-grow.ts';
import type { SlicePlane } from '../domain/tools/paint.ts';
import { gridAxisForView } from '../domain/view-axes.ts';
import type { Volume } from '../domain/volume.ts';
import { SOFT_TISSUE_WINDOW, type WindowLevel } from '../domain/window.ts';
import { InterpolationError } from '../io/itk/contour-interpolation.ts';
import { interpolateBetweenSlicesBrowser, type BrowserInterpolationOptions } from '../io/itk/contour-interpolation-browser.ts';
import type { RegistrationTransform } from '../registration/transform.ts';
import { ReviewTracker } from './review.ts';
import { UncertaintyReview } from './uncertainty-review.ts';
import { EditRefusedError, StructureSetStore } from './structure-set.store.ts';

/** A tool's id in the registry (`'brush'`, `'polygon'`…). */
export type ToolName = string;

/** How the slice views show a dose: a colour wash over a dose range and isodose lines at chosen doses. */
export interface DoseDisplay {
  /** Dose in Gy on its own grid (an RT Dose, or a prediction). */
  readonly volume: Volume;
  /** A prediction, not a planned dose (marked as such). */
  readonly predicted: boolean;
  /** A prediction computed before the structures' last edit, shown until the new one replaces it (marked as such). */
  readonly stale?: boolean;
  /** The colour wash: doses from `minGy` (transparent below) to `maxGy` (red), at `opacity`; null hides it. */
  readonly wash: { readonly minGy: number; readonly maxGy: number; readonly opacity: number } | null;
  /** Isodose lines, in Gy. */
  readonly isodosesGy: readonly number[];
  /** The plan's prescription in Gy when it is known (the dose under the cursor is also given as % of it). */
  readonly prescriptionGy?: number;
}

/** How the reference CT of an adaptive review is shown over the CT: 'off', blended, as a checkerboard, or the difference. */
export type FusionMode = 'off' | 'blend' | 'checkerboard' | 'difference';

/**
 * The reference (planning) CT fused over the session's CT through a registration (the adaptive review view).
 * The slice views sample the reference slice by slice through `transform` (new-CT point → reference point).
 */
export interface FusionDisplay {
  readonly reference: Volume;
  readonly transform: RegistrationTransform;
  readonly mode: FusionMode;
  /** Blend: the reference's weight, 0 (the CT only) to 1 (the reference only). */
  readonly blend: number;
  /** Checkerboard: the side of a square in mm. */
  readonly checkerMm: number;
  /** Difference (CT − reference): the HU at which the diverging colour map saturates. */
  readonly differenceHu: number;
  /** The reference structures as drawn on the reference CT, mapped onto the CT's grid (drawn dashed); see docs/adaptive.md. */
  readonly referenceOutlines: readonly { readonly name: string; readonly color: Rgb; readonly mask: BinaryMask }[];
  /** Whether the dashed reference outlines are drawn. */
  readonly showReferenceOutlines: boolean;
}

/** The current tool and every tool's settings (settings persist while another tool is in use). */
export interface ToolSettings {
  readonly tool: ToolName;
  /** Brush/eraser/push radius in mm. */
  readonly radiusMm: number;
  /** 'disc' paints in the slice only, 'sphere' across slices. */
  readonly shape: 'disc' | 'sphere';
  /** HU range of the HU-limited brush. */
  readonly huMin: number;
  readonly huMax: number;
  /** Polygon and freehand add to, or subtract from, the structure. */
  readonly contourMode: 'add' | 'subtract';
  /** Region grow: ± HU around the seed, maximum distance from the seed in mm, and 2D or 3D. */
  readonly toleranceHu: number;
  readonly growRadiusMm: number;
  readonly growScope: 'slice' | 'volume';
}

/** Defaults: a 5 mm disc brush, the soft-tissue HU range, a 60 HU / 30 mm 3D region grow. */
export const DEFAULT_TOOL_SETTINGS: ToolSettings = {
  tool: 'navigate',
  radiusMm: 5,
  shape: 'disc',
  huMin: -150,
  huMax: 250,
  contourMode: 'add',
  toleranceHu: 60,
  growRadiusMm: 30,
  growScope: 'volume',
};

/** Where the crosshair is and what moved it ('user' for input, 'program' for code). */
export interface CrosshairState {
  /** Patient position, LPS mm. */
  readonly position: Vec3;
  readonly source: 'user' | 'program';
}

/** A region grow shown before it is committed. */
export interface RegionPreview {
  /** The structure it would be added to. */
  readonly structureId: string;
  readonly mask: BinaryMask;
  /** Seed voxel index. */
  readonly seed: Vec3;
  readonly plane: SlicePlane;
  readonly voxels: number;
  readonly seedHu: number;
  /** Changes with every recomputation, so views know to redraw. */
  readonly version: number;
}

/** Radius limits of the brush tools, in mm. */
export const RADIUS_RANGE = { min: 0.5, max: 50 } as const;

/**
 * What the components of one contouring session share: the CT, its structure set (an undoable store), the
 * crosshair that links the slice views, the display window, the current tool with its settings, and a
 * region-grow preview. Passed to each element as its `session` property, never held in a global, so two
 * applications on one page stay independent.
 *
 * Plain rxjs state, not a Lit controller: a portal can drive it from outside (set the tool, move the
 * crosshair) and any framework can observe it. Voxel buffers stay in the store's registry and in the
 * preview object; the observables carry ids, numbers and references only.
 */
export class ViewerSession {
  readonly volume: Volume;
  readonly store: StructureSetStore;
  /**
   * Keeps the model's original mask of every auto-contour from the moment it enters the store, for the
   * review status (auto / edited / approved) and the change measures (added path length, surface Dice).
   */
  readonly review: ReviewTracker;
  /** The model runs' uncertainty maps and the review aids built on them. */
  readonly uncertainty: UncertaintyReview;
  readonly #crosshair: BehaviorSubject<CrosshairState>;
  readonly #windowLevel: BehaviorSubject<WindowLevel>;
  readonly #tool = new BehaviorSubject<ToolSettings>(DEFAULT_TOOL_SETTINGS);
  readonly #preview = new BehaviorSubject<RegionPreview | null>(null);
  readonly #dose = new BehaviorSubject<DoseDisplay | null>(null);
  readonly #fusion = new BehaviorSubject<FusionDisplay | null>(null);
  #previewVersion = 0;
  /** The grid axis of the view the user last edited in: the axis interpolation fills along. */
  lastEditAxis: SliceAxis;
  readonly #interpolation: BrowserInterpolationOptions;

  /** The shared crosshair (the point all linked views pass through). */
  readonly crosshair$: Observable<CrosshairState>;
  /** The display window of every view of this session. */
  readonly windowLevel$: Observable<WindowLevel>;
  readonly tool$: Observable<ToolSettings>;
  readonly preview$: Observable<RegionPreview | null>;
  /** The dose the slice views show over the CT (wash and isodose lines), or null. */
  readonly dose$: Observable<DoseDisplay | null>;
  /** The reference CT fused over the CT (adaptive review), or null. */
  readonly fusion$: Observable<FusionDisplay | null>;

  constructor(volume: Volume, store: StructureSetStore = new StructureSetStore(volume.geometry), options: { interpolation?: BrowserInterpolationOptions } = {}) {
    if (store.geometry.dimensions.some((n, a) => n !== volume.dimensions[a])) {
      throw new RangeError(`the structure set is on a ${store.geometry.dimensions.join('×')} grid, the CT is ${volume.dimensions.join('×')}`);
    }
    this.volume = volume;
    this.store = store;
    this.review = new ReviewTracker(store);
    this.uncertainty = new UncertaintyReview(store);
    this.#interpolation = options.interpolation ?? {};
    const centre = volume.indexToPatient(volume.dimensions.map((n) => Math.floor((n - 1) / 2)) as unknown as Vec3);
    this.#crosshair = new BehaviorSubject<CrosshairState>({ position: centre, source: 'program' });
    this.#windowLevel = new BehaviorSubject<WindowLevel>(volume.defaultWindow ?? SOFT_TISSUE_WINDOW);
    this.lastEditAxis = gridAxisForView(volume, 'axial');
    this.crosshair$ = this.#crosshair.asObservable();
    this.windowLevel$ = this.#windowLevel.asObservable();
    this.tool$ = this.#tool.asObservable();
    this.preview$ = this.#preview.asObservable();
    this.dose$ = this.#dose.asObservable();
    this.fusion$ = this.#fusion.asObservable();
  }

  /** A session on a volume with its structures loaded into a new store (the first one active). */
  static withStructures(volume: Volume, structures: readonly Structure[], options: { interpolation?: BrowserInterpolationOptions } = {}): ViewerSession {
    const store = new StructureSetStore(volume.geometry);
    store.load(structures);
    return new ViewerSession(volume, store, options);
  }

  get crosshair(): CrosshairState {
    return this.#crosshair.value;
  }

  get windowLevel(): WindowLevel {
    return this.#windowLevel.value;
  }

  get tool(): ToolSettings {
    return this.#tool.value;
  }

  get dose(): DoseDisplay | null {
    return this.#dose.value;
  }

  /** Shows a dose over the CT in every slice view of the session (null: none). */
  setDose(dose: DoseDisplay | null): void {
    this.#dose.next(dose);
  }

  get fusion(): FusionDisplay | null {
    return this.#fusion.value;
  }

  /** Shows a reference CT fused over the CT in every slice view of the session (null: none). */
  setFusion(fusion: FusionDisplay | null): void {
    if (fusion && !(fusion.blend >= 0 && fusion.blend <= 1 && fusion.checkerMm > 0 && fusion.differenceHu > 0))
      throw new RangeError(`fusion settings out of range: blend ${fusion.blend} (0–1), square ${fusion.checkerMm} mm (> 0), difference ${fusion.differenceHu} HU (> 0)`);
    this.#fusion.next(fusion);
  }

  get preview(): RegionPreview | null {
    return this.#preview.value;
  }

  /** Moves the crosshair (patient mm). Views show the slices through it. */
  setCrosshair(position: Vec3, source: CrosshairState['source'] = 'program'): void {
    if (!position.every(Number.isFinite)) throw new RangeError('crosshair position must be three finite numbers (mm)');
    this.#crosshair.next({ position: [position[0], position[1], position[2]], source });
  }

  /** Sets the display window (window > 0). */
  setWindowLevel(wl: WindowLevel): void {
    if (!(wl.window > 0) || !Number.isFinite(wl.window) || !Number.isFinite(wl.level)) throw new RangeError(`window must be positive and level finite, got W ${wl.window} / L ${wl.level}`);
    const current = this.#windowLevel.value;
    if (current.window === wl.window && current.level === wl.level) return;
    this.#windowLevel.next({ window: wl.window, level: wl.level });
  }

  /**
   * Changes the tool or its settings. Values are validated and clamped to usable ranges; switching away
   * from region grow discards its preview (it was never committed).
   */
  setTool(change: Partial<ToolSettings>): void {
    const next: ToolSettings = { ...this.#tool.value, ...change };
    const radiusMm = clamp(next.radiusMm, RADIUS_RANGE.min, RADIUS_RANGE.max);
    const settings: ToolSettings = {
      ...next,
      radiusMm,
      toleranceHu: clamp(next.toleranceHu, 0, 2000),
      growRadiusMm: clamp(next.growRadiusMm, 1, 200),
      huMin: Math.min(next.huMin, next.huMax),
      huMax: Math.max(next.huMin, next.huMax),
    };
    const before = this.#tool.value;
    this.#tool.next(settings);
    if (settings.tool !== 'region-grow') this.cancelPreview();
    else if (this.preview && (before.toleranceHu !== settings.toleranceHu || before.growRadiusMm !== settings.growRadiusMm || before.growScope !== settings.growScope)) {
      this.#growPreview(this.preview.structureId, this.preview.seed, this.preview.plane);
    }
  }

  /**
   * Starts (or moves) a region-grow preview from a seed voxel for the active structure; the tolerance,
   * radius and scope come from the tool settings and re-grow the preview when they change. Throws an
   * EditRefusedError when no editable structure is active, before any work is done.
   */
  startRegionGrow(seed: Vec3, plane: SlicePlane): RegionPreview {
    const id = this.editableActiveId();
    return this.#growPreview(id, seed, plane);
  }

  #growPreview(structureId: string, seed: Vec3, plane: SlicePlane): RegionPreview {
    const t = this.tool;
    const result = regionGrow(this.volume, seed, { toleranceHu: t.toleranceHu, radiusMm: t.growRadiusMm, scope: t.growScope, plane });
    const preview: RegionPreview = { structureId, mask: result.mask, seed, plane, voxels: result.voxels, seedHu: result.seedHu, version: ++this.#previewVersion };
    this.#preview.next(preview);
    return preview;
  }

  /**
   * Adds the preview to its structure as one undo step named `label` (the region-grow tool's undo label).
   * Returns false when there was no preview or it added nothing.
   */
  commitPreview(label: string): boolean {
    const preview = this.preview;
    if (!preview) return false;
    this.#preview.next(null);
    this.lastEditAxis = preview.plane.axis;
    return this.store.editMask(preview.structureId, label, (m) => void m.combine(preview.mask, 'union'));
  }

  /** Discards the preview. */
  cancelPreview(): void {
    if (this.#preview.value) this.#preview.next(null);
  }

  /**
   * The active structure's id when it may be edited; otherwise an EditRefusedError whose message says why
   * (none selected, locked, approved), for the UI to show as is.
   */
  editableActiveId(): string {
    const id = this.store.state.activeId;
    if (!id) throw new EditRefusedError('', 'not-found', 'Select a structure to edit first');
    const r = this.store.record(id);
    if (r.approved) throw new EditRefusedError(id, 'approved', `${r.name} is approved: withdraw approval before you edit it`);
    if (r.locked) throw new EditRefusedError(id, 'locked', `${r.name} is locked: unlock it before you edit it`);
    return id;
  }

  /**
   * Fills the slices between the contoured slices of the active structure with itk-wasm's morphological
   * contour interpolation, along the axis the user last drew on, as one undo step. Rejects with an
   * EditRefusedError or InterpolationError carrying the sentence to show.
   */
  async interpolateActive(axis: SliceAxis = this.lastEditAxis): Promise<{ structureId: string; changed: boolean }> {
    const id = this.editableActiveId();
    const mask = this.store.mask(id);
    const version = mask.version;
    const result = await interpolateBetweenSlicesBrowser(mask, this.volume.geometry, axis, this.#interpolation);
    // The structure may have been edited while the pipeline ran (a stroke in another view): the result
    // would undo that edit. Locking or deletion meanwhile is caught by replaceMask's own checks.
    if (mask.version !== version) throw new InterpolationError('the structure changed while interpolating; try again');
    const changed = this.store.replaceMask(id, 'Interpolate', result);
    return { structureId: id, changed };
  }

  /** Reverts the last change of the structure set; returns its label or null. */
  undo(): string | null {
    this.cancelPreview();
    return this.store.undo();
  }

  /** Re-applies the last undone change; returns its label or null. */
  redo(): string | null {
    this.cancelPreview();
    return this.store.redo();
  }
}

const clamp = (x: number, lo: number, hi: number): number => (Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : lo);
