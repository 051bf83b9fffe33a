import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Observable, Subscription } from 'rxjs';
import {
  createSurfaceMesher,
  createSurfaceRenderer,
  isVolumePresetName,
  slicePositionsAt,
  SurfaceSync,
  triangleCount,
  VOLUME_PRESET_NAMES,
  VOLUME_PRESETS,
  type DoseDisplay,
  type SlicePositions,
  type StructureRecord,
  type StructureSetStore,
  type SurfaceAppearance,
  type SurfaceChange,
  type SurfaceMesher,
  type SurfaceRenderer,
  type SurfaceSyncStatus,
  type Vec3,
  type Volume,
  type VolumePresetName,
} from '../../src/index.ts';
import type { DelineoSurfaceUpdateDetail } from '../events/delineo-surface-update.ts';
import type { DelineoVolumePresetChangeDetail } from '../events/delineo-volume-preset-change.ts';
import { emit } from '../internal/emit.ts';
import styles from './delineo-3d-view.styles.ts';
import { IsodoseSurfaces } from './isodose-surfaces.ts';

/**
 * What the 3D view needs of a contouring session: the CT and its structure set, and optionally the shared
 * crosshair, whose position the MPR planes then follow, and the dose shown, whose isodose surfaces the view can
 * draw. The slice views' ViewerSession has this shape.
 */
export interface Delineo3dViewSession {
  readonly volume: Volume;
  readonly store: StructureSetStore;
  readonly crosshair$?: Observable<{ readonly position: Vec3 }>;
  readonly dose$?: Observable<DoseDisplay | null>;
}

/** Opacity of an EXTERNAL structure unless set: the body outline is context, and opaque it would hide every organ. */
export const EXTERNAL_OPACITY = 0.12;

/**
 * @summary The 3D view of a structure set: each structure as a smooth closed surface in its colour, the CT
 * optionally volume rendered with a preset, the MPR slice planes, and an L/R/A/P/S/I orientation cube.
 *
 * Surfaces are meshed from the structures' masks in a Web Worker (marching cubes, windowed-sinc smoothing,
 * in patient coordinates), one structure at a time, so the UI never waits for them. When a structure's
 * mask changes the view re-meshes it once the edits pause (`remesh-delay`, ms); a result for a mask that
 * has changed again meanwhile is discarded. Colour and visibility come from the structure set (toggling a
 * structure's visibility hides it here as in the slice views); opacity is this view's own setting
 * (`structureOpacity`, by structure id; EXTERNAL structures default to {@link EXTERNAL_OPACITY}).
 *
 * Mouse: left-drag rotates, right-drag or the wheel zooms, middle-drag or Shift+left-drag pans. The
 * "Reset" button, R with the view focused, or `resetCamera()` returns to the anterior view — the patient
 * facing the viewer, their left on screen right, head up — fitted to the visible surfaces.
 *
 * Volume rendering (`volume-preset`) draws the CT behind the opaque surfaces; translucent surfaces are held
 * back meanwhile (the status line says so), because vtk.js cannot blend translucent geometry into a volume.
 *
 * When the session shows a dose, the "Isodoses" toggle (or `isodose-surfaces`) draws its isodose levels — those
 * the slice views draw as lines, in the same colours — as translucent surfaces, built in the meshing worker.
 *
 * Configure with `session` ({ volume, store, crosshair$?, dose$? }) or with `volume` and `store`; `slicePositions`
 * places the MPR planes explicitly (slice indices along each view's grid axis, as in `delineo-slice-change`),
 * otherwise they follow the session's crosshair. The element owns its renderer (WebGL context) and meshing
 * worker: both are created when it connects and released when it disconnects.
 *
 * @event {DelineoSurfaceUpdateEvent} delineo-surface-update - A structure's surface was (re)built and is shown.
 * @event {DelineoVolumePresetChangeEvent} delineo-volume-preset-change - The user picked a volume-rendering preset.
 *
 * @csspart viewport - The box the 3D canvas fills (the whole element).
 * @csspart controls - The button row in the top-right corner.
 * @csspart reset-button - The button that resets the camera.
 * @csspart preset-select - The volume-rendering preset menu.
 * @csspart isodose-toggle - The toggle button of the isodose surfaces (shown while the session shows a dose with isodose levels).
 * @csspart status - The status line: meshing progress, or what went wrong.
 *
 * @cssproperty --delineo-3d-view-background - Background around the canvas (the canvas has its own).
 * @cssproperty --delineo-3d-view-foreground - Text colour of the controls.
 * @cssproperty --delineo-3d-view-muted - Colour of the status line.
 * @cssproperty --delineo-3d-view-error - Colour of the status line when something failed.
 * @cssproperty --delineo-3d-view-control-background - Background of the buttons and the menu.
 * @cssproperty --delineo-3d-view-focus - Focus ring colour.
 * @cssproperty --delineo-3d-view-font - Font family.
 */
export class Delineo3dView extends LitElement {
  static override styles = styles;

  /** The session to show: its volume and store win over the `volume` and `store` properties. */
  @property({ attribute: false }) accessor session: Delineo3dViewSession | null = null;

  /** The CT (used without a session): the grid of the slice planes and the volume that presets render. */
  @property({ attribute: false }) accessor volume: Volume | null = null;

  /** The structure set (used without a session) whose structures are shown as surfaces. */
  @property({ attribute: false }) accessor store: StructureSetStore | null = null;

  /** MPR plane positions; null to follow the session's crosshair (or to show no planes without one). */
  @property({ attribute: false }) accessor slicePositions: SlicePositions | null = null;

  /** Whether the MPR planes are drawn at all. */
  @property({ type: Boolean, attribute: 'hide-slice-planes' }) accessor hideSlicePlanes = false;

  /** Volume rendering of the CT: a preset name, or 'none' for surfaces only. */
  @property({ attribute: 'volume-preset', reflect: true }) accessor volumePreset: VolumePresetName | 'none' =
    'none';

  /** Per-view opacity (0–1) by structure id; structures not listed are opaque, EXTERNAL ones faint. */
  @property({ attribute: false }) accessor structureOpacity: Readonly<Record<string, number>> = {};

  /** Hides the orientation cube. */
  @property({ type: Boolean, attribute: 'hide-orientation-marker' }) accessor hideOrientationMarker = false;

  /** Quiet time (ms) after a mask edit before the structure is re-meshed. */
  @property({ type: Number, attribute: 'remesh-delay' }) accessor remeshDelay = 250;

  /** Surface smoothing, 0 (voxel staircase) to 1; the default 0.5 removes the steps and keeps the volume. */
  @property({ type: Number }) accessor smoothing = 0.5;

  /** Draw the isodose surfaces of the session's dose (its isodose levels, translucent). */
  @property({ type: Boolean, attribute: 'isodose-surfaces', reflect: true }) accessor isodoseSurfaces = false;

  /** The meshing status, rendered in the status line. */
  @state() private accessor meshing: SurfaceSyncStatus = { pending: [], active: null, errors: {} };

  /** A configuration problem (grids that do not match), shown in the status line. */
  @state() private accessor problem: string | null = null;

  /** The box the renderer draws in; created with the element so the renderer can exist before the first render. */
  readonly #viewport: HTMLDivElement = viewportElement();
  #renderer: SurfaceRenderer | null = null;
  #mesher: SurfaceMesher | null = null;
  #sync: SurfaceSync | null = null;
  #subscriptions: Subscription[] = [];
  /** The store and volume the renderer and sync are bound to, to rebind only when they change. */
  #bound: { store: StructureSetStore | null; volume: Volume | null } = { store: null, volume: null };
  #crosshair: Vec3 | null = null;
  /** Fit the camera once the first full set of surfaces is in (the renderer fitted the first one alone). */
  #fitWhenReady = false;
  #idleWaiters: (() => void)[] = [];
  readonly #isodoses = new IsodoseSurfaces({
    renderer: () => this.#renderer,
    mesher: () => this.#mesher,
    changed: () => this.requestUpdate(),
  });

  /** The volume in effect (the session's, else `volume`). */
  get effectiveVolume(): Volume | null {
    return this.session?.volume ?? this.volume;
  }

  /** The structure set in effect (the session's, else `store`). */
  get effectiveStore(): StructureSetStore | null {
    return this.session?.store ?? this.store;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#renderer = createSurfaceRenderer(this.#viewport, {
      orientationMarker: !this.hideOrientationMarker,
    });
    this.#bound = { store: null, volume: null };
    this.#bind();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unbind();
    this.#renderer?.dispose();
    this.#renderer = null;
  }

  /** Returns the camera to the anterior view fitted to the visible surfaces. */
  resetCamera(): void {
    this.#renderer?.resetCamera();
  }

  /** Resolves when every structure's surface and the isodose surfaces are current (or failed): nothing is being built. */
  async whenSurfacesReady(): Promise<void> {
    if (this.#sync && this.meshing.pending.length > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    await this.#isodoses.settled();
  }

  /** The doses (Gy) whose isodose surfaces are drawn; empty while they are off or no dose is shown. */
  get isodoseLevelsShown(): readonly number[] {
    return this.#isodoses.levelsShown;
  }

  /** Renders now and reads the view back (RGBA, top row first, device pixels); for tests and screenshots. */
  readPixels(): ImageData {
    if (!this.#renderer) throw new Error('<delineo-3d-view> is not connected');
    return this.#renderer.readPixels();
  }

  /** The current view as a PNG image. */
  captureImage(): Promise<Blob> {
    if (!this.#renderer) throw new Error('<delineo-3d-view> is not connected');
    return this.#renderer.captureImage();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.#renderer) return;
    if (
      changed.has('session') ||
      changed.has('volume') ||
      changed.has('store') ||
      changed.has('smoothing') ||
      changed.has('remeshDelay')
    )
      this.#bind(changed.has('smoothing') || changed.has('remeshDelay'));
    if (changed.has('structureOpacity')) this.#applyAppearances();
    if (changed.has('slicePositions') || changed.has('hideSlicePlanes')) this.#applySlicePlanes();
    if (changed.has('volumePreset'))
      this.#renderer.setVolumePreset(isVolumePresetName(this.volumePreset) ? this.volumePreset : null);
    if (changed.has('hideOrientationMarker')) this.#renderer.orientationMarker = !this.hideOrientationMarker;
    if (changed.has('isodoseSurfaces')) this.#isodoses.setEnabled(this.isodoseSurfaces);
  }

  protected override render() {
    const preset = isVolumePresetName(this.volumePreset) ? this.volumePreset : 'none';
    const status = this.#statusText();
    return html`
      ${this.#viewport}
      <div part="controls">
        <select
          part="preset-select"
          aria-label="Volume rendering"
          .value=${preset}
          ?disabled=${!this.effectiveVolume}
          @change=${this.#onPresetChange}
        >
          <option value="none" ?selected=${preset === 'none'}>Surfaces only</option>
          ${VOLUME_PRESET_NAMES.map((name) => html`<option value=${name} ?selected=${preset === name}>${VOLUME_PRESETS[name].label}</option>`)}
        </select>
        ${this.#isodoses.available
          ? html`<button part="isodose-toggle" type="button" aria-pressed=${this.isodoseSurfaces ? 'true' : 'false'} title="Show the isodose levels as surfaces" @click=${this.#onIsodoseToggle}>Isodoses</button>`
          : nothing}
        <button
          part="reset-button"
          type="button"
          title="Reset the camera to the anterior view"
          @click=${this.resetCamera}
        >
          Reset
        </button>
      </div>
      <div
        part="status"
        class=${this.problem || Object.keys(this.meshing.errors).length ? 'error' : ''}
        role="status"
        aria-live="polite"
      >
        ${status}
      </div>
    `;
  }

  #statusText(): string {
    if (this.problem) return this.problem;
    const isodoses = this.#isodoses.status;
    if (isodoses.kind === 'failed') return `Could not build the isodose surfaces: ${isodoses.message}`;
    const store = this.effectiveStore;
    const name = (id: string) => store?.state.structures.find((s) => s.id === id)?.name ?? id;
    const errors = Object.entries(this.meshing.errors);
    if (errors.length)
      return errors
        .map(([id, message]) => `Could not build the surface of ${name(id)}: ${message}`)
        .join(' · ');
    const { pending, active } = this.meshing;
    if (!pending.length && isodoses.kind === 'building') return 'Building isodose surfaces…';
    if (!pending.length)
      return this.#renderer?.translucentSurfacesHidden
        ? 'Translucent surfaces are hidden while the CT is volume rendered'
        : '';
    const current = active ? ` ${name(active.id)}` : '';
    return `Building surfaces…${current} (${pending.length} left)`;
  }

  #onIsodoseToggle(): void {
    this.isodoseSurfaces = !this.isodoseSurfaces;
  }

  #onPresetChange(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    this.volumePreset = isVolumePresetName(value) ? value : 'none';
    const detail: DelineoVolumePresetChangeDetail = { preset: this.volumePreset };
    emit(this, 'delineo-volume-preset-change', detail);
  }

  /** (Re)binds the renderer and the meshing to the effective store and volume when they changed (or `force`). */
  #bind(force = false): void {
    const renderer = this.#renderer;
    if (!renderer) return;
    const store = this.effectiveStore;
    const volume = this.effectiveVolume;
    if (!force && store === this.#bound.store && volume === this.#bound.volume) return;
    this.#unbind();
    this.#bound = { store, volume };
    this.problem = null;
    if (store && volume && store.geometry.dimensions.some((n, a) => n !== volume.dimensions[a])) {
      this.problem = `The structure set's grid (${store.geometry.dimensions.join(' × ')}) does not match the CT (${volume.dimensions.join(' × ')})`;
      return;
    }
    renderer.setVolume(volume);
    const crosshair$ = this.session?.crosshair$;
    if (crosshair$) {
      this.#subscriptions.push(
        crosshair$.subscribe(({ position }) => {
          this.#crosshair = position;
          this.#applySlicePlanes();
        }),
      );
    }
    this.#applySlicePlanes();
    if (!store) return;
    this.#mesher = createSurfaceMesher();
    this.#fitWhenReady = true;
    const sync = new SurfaceSync(store, {
      mesh: this.#mesher.mesh,
      debounceMs: this.remeshDelay,
      surfaceOptions: { smoothing: this.smoothing },
    });
    this.#sync = sync;
    this.#subscriptions.push(
      sync.changes$.subscribe((change) => this.#onSurfaceChange(store, change)),
      sync.status$.subscribe((status) => {
        this.meshing = status;
        if (status.pending.length > 0) return;
        // Frame the whole structure set once it is all there — unless the user has taken the camera meanwhile.
        if (this.#fitWhenReady && !this.#renderer?.cameraMovedByUser) this.#renderer?.resetCamera();
        this.#fitWhenReady = false;
        for (const resolve of this.#idleWaiters.splice(0)) resolve();
      }),
      // Colour and visibility live in the store: follow them without re-meshing.
      store.state$.subscribe(() => this.#applyAppearances()),
    );
    const dose$ = this.session?.dose$;
    if (dose$) this.#subscriptions.push(dose$.subscribe((dose) => this.#isodoses.setDose(dose)));
  }

  #unbind(): void {
    for (const s of this.#subscriptions.splice(0)) s.unsubscribe();
    this.#sync?.dispose();
    this.#sync = null;
    this.#isodoses.reset();
    this.#mesher?.dispose();
    this.#mesher = null;
    this.#crosshair = null;
    const renderer = this.#renderer;
    if (renderer) for (const id of renderer.surfaceIds) renderer.removeSurface(id);
    this.meshing = { pending: [], active: null, errors: {} };
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #onSurfaceChange(store: StructureSetStore, change: SurfaceChange): void {
    const renderer = this.#renderer;
    if (!renderer) return;
    if (change.kind === 'remove') {
      renderer.removeSurface(change.id);
      return;
    }
    const { surface } = change;
    const record = store.state.structures.find((s) => s.id === surface.id);
    if (!record) return;
    renderer.setSurface(surface.id, surface.mesh, this.#appearanceOf(record));
    const detail: DelineoSurfaceUpdateDetail = {
      structureId: surface.id,
      maskVersion: surface.maskVersion,
      triangles: triangleCount(surface.mesh),
      elapsedMs: Math.round(surface.elapsedMs),
      pending: Math.max(0, (this.#sync?.status.pending.length ?? 1) - 1),
    };
    emit(this, 'delineo-surface-update', detail);
  }

  #appearanceOf(record: StructureRecord): SurfaceAppearance {
    const set = this.structureOpacity[record.id];
    const opacity =
      typeof set === 'number' && Number.isFinite(set)
        ? Math.min(1, Math.max(0, set))
        : record.interpretedType === 'EXTERNAL'
          ? EXTERNAL_OPACITY
          : 1;
    return { color: record.color, opacity, visible: record.visible };
  }

  #applyAppearances(): void {
    const renderer = this.#renderer;
    const store = this.#bound.store;
    if (!renderer || !store) return;
    for (const record of store.state.structures)
      renderer.setAppearance(record.id, this.#appearanceOf(record));
  }

  #applySlicePlanes(): void {
    const renderer = this.#renderer;
    const volume = this.#bound.volume;
    if (!renderer) return;
    let positions = this.slicePositions;
    if (!positions && this.#crosshair && volume) positions = slicePositionsAt(volume, this.#crosshair);
    renderer.setSlicePositions(this.hideSlicePlanes ? null : positions);
  }
}

function viewportElement(): HTMLDivElement {
  const div = document.createElement('div');
  div.setAttribute('part', 'viewport');
  return div;
}
