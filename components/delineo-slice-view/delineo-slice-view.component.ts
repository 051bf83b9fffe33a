import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  createSliceRenderer,
  gridAxesForViews,
  invertAffine,
  matchingPreset,
  planeToIndex,
  toolById,
  windowPresetsFor,
  type CrosshairState,
  type OrientationLabels,
  type PlaneAffine,
  type SliceAxis,
  type SlicePlane,
  type SliceRenderer,
  type SlicePoint,
  type Vec3,
  type ViewOrientation,
  type ViewerSession,
  type WindowLevel,
} from '../../src/index.ts';
import type { DelineoSliceChangeDetail } from '../events/delineo-slice-change.ts';
import type { DelineoEditRefuseDetail } from '../events/delineo-edit-refuse.ts';
import { emit } from '../internal/emit.ts';
import { SessionController } from '../internal/session-controller.ts';
import { SliceEditor } from '../internal/slice-editor.ts';
import { scaleBarFor } from './scale-bar.ts';
import { SliceGestures, clampZoom } from './slice-gestures.ts';
import { SlicePainter } from './slice-painter.ts';
import styles from './delineo-slice-view.styles.ts';


const ORIENTATION_NAMES: Readonly<Record<ViewOrientation, string>> = { axial: 'Axial', coronal: 'Coronal', sagittal: 'Sagittal' };

/**
 * @summary One axial, coronal or sagittal view of the session's CT, rendered with vtk.js, with the
 * structures drawn over it as outlines and translucent fills, and the editing tools.
 *
 * The view shows the grid's index planes nearest its orientation, in the radiological convention (axial
 * from the feet, coronal from the front, sagittal from the patient's left). Orientation labels come from
 * the view's screen axes in patient space, so an oblique series shows mixed labels such as "LA". The slice
 * follows the session's crosshair: scrolling here moves the crosshair, and linked views follow it.
 *
 * Mouse: left button uses the current tool (navigate: click or drag moves the crosshair; window-level:
 * drag; brush, eraser, HU brush, push: paint; polygon: click vertices, close on the first vertex, a
 * double click or Enter; freehand: drag; fill hole and region grow: click). Right-drag changes the window
 * (horizontal) and level (vertical) with any tool; middle-drag or Shift+left-drag pans; the wheel scrolls
 * slices, Ctrl+wheel zooms about the pointer.
 *
 * Keys (the view is focusable): ArrowUp/ArrowRight next slice, ArrowDown/ArrowLeft previous, PageUp/PageDown
 * ten slices, Home/End first/last; + and − zoom, 0 resets zoom and pan; 1–6 window presets (the series'
 * own window first when it has one); [ and ] brush radius; Enter closes a polygon or commits a region-grow
 * preview, Escape cancels the gesture or the preview, Backspace removes the last polygon vertex;
 * Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo.
 *
 * Refused edits (a locked or approved structure, none selected) are shown in the view with the store's
 * reason and announced with `delineo-edit-refuse`.
 *
 * @event {DelineoSliceChangeEvent} delineo-slice-change - The slice shown changed because of the user.
 * @event {DelineoCrosshairChangeEvent} delineo-crosshair-change - The user moved the crosshair here.
 * @event {DelineoWindowChangeEvent} delineo-window-change - The user changed the window (drag, preset key).
 * @event {DelineoStructureEditEvent} delineo-structure-edit - A tool's edit was committed (one undo step).
 * @event {DelineoEditRefuseEvent} delineo-edit-refuse - An edit was refused; detail says why.
 *
 * @csspart stage - The box holding the image, the overlay and the annotations.
 * @csspart viewport - The element the WebGL canvas and the overlay canvas fill.
 * @csspart overlay - The 2D canvas with structures, crosshair and tool cursor.
 * @csspart orientation-label - Each of the four anatomical direction labels at the edges.
 * @csspart info - The view name and slice number (top left).
 * @csspart window - The window and level in use (top right).
 * @csspart readout - HU and patient position under the pointer (bottom left), and above them the dose there when the session shows one (Gy, and % of the prescription when known).
 * @csspart predicted - "PREDICTED DOSE" (and "(stale)" while it is being recomputed) after the slice number, while the dose shown is a prediction.
 * @csspart scale-bar - The scale bar (bottom right).
 * @csspart notice - Why an edit was refused (shown for a few seconds).
 * @csspart controls - The row with the slice slider.
 * @csspart slice-slider - The range input that selects the slice.
 *
 * @cssproperty --delineo-slice-view-background - Background around the image.
 * @cssproperty --delineo-slice-view-text - Colour of the annotations.
 * @cssproperty --delineo-slice-view-label - Colour of the orientation labels.
 * @cssproperty --delineo-slice-view-font - Font of the annotations.
 * @cssproperty --delineo-slice-view-focus - Outline colour when the view has keyboard focus.
 */
export class DelineoSliceView extends LitElement {
  static override styles = styles;

  /** The contouring session (CT, structure set, crosshair, tools) this view shows. A property: it is data. */
  @property({ attribute: false }) accessor session: ViewerSession | null = null;

  /** Which standard view to show. */
  @property({ reflect: true }) accessor orientation: ViewOrientation = 'axial';

  /** Draw the crosshair lines of the other two views (on in an MPR layout). */
  @property({ type: Boolean, reflect: true }) accessor crosshair = false;

  /** Opacity of the structures' fill, 0–1 (0 = outlines only). The External (body) is always outline only. */
  @property({ type: Number, attribute: 'fill-opacity' }) accessor fillOpacity = 0.2;

  /** Width of the structure outlines in CSS pixels (the active structure's is half as wide again). */
  @property({ type: Number, attribute: 'line-width' }) accessor lineWidth = 1.5;

  @state() private accessor slice = 0;
  @state() private accessor sliceCount = 0;
  @state() private accessor labels: OrientationLabels | null = null;
  @state() private accessor scaleBar: { px: number; mm: number } | null = null;
  @state() private accessor readout = '';
  @state() private accessor notice: string | null = null;
  @state() private accessor windowLevel: WindowLevel | null = null;
  /** The mark of a predicted dose shown over the CT ('' for a planned dose or none). */
  @state() private accessor predictedMark = '';

  readonly #viewport: HTMLDivElement = viewportElement();
  #renderer: SliceRenderer | null = null;
  /** Follows the session once the renderer exists; the renderer shows its volume. */
  readonly #session = new SessionController<ViewerSession>(this, {
    session: () => this.session,
    ready: () => this.#renderer !== null,
    changed: (session) => this.#show(session),
    attach: (session) => [
      session.crosshair$.subscribe((c) => this.#onCrosshair(c)),
      session.windowLevel$.subscribe((wl) => {
        this.windowLevel = wl;
        this.#renderer?.setWindowLevel(wl.window, wl.level);
      }),
      session.store.state$.subscribe(() => this.#requestDraw()),
      session.dose$.subscribe((d) => {
        this.predictedMark = d?.predicted ? `PREDICTED DOSE${d.stale ? ' (stale)' : ''}` : '';
        this.#requestDraw();
      }),
      session.fusion$.subscribe(() => this.#requestDraw()),
      session.uncertainty.overlay$.subscribe(() => this.#requestDraw()),
      session.uncertainty.version$.subscribe(() => this.#requestDraw()),
      session.tool$.subscribe((t) => {
        if (this.dataset.tool !== undefined && this.dataset.tool !== t.tool) this.#editor.cancel();
        this.dataset.tool = t.tool;
        this.#viewport.style.cursor = toolById(t.tool)?.cursor ?? '';
        this.#requestDraw();
      }),
      session.preview$.subscribe(() => this.#requestDraw()),
    ],
  });
  #frame = 0;
  #frameWaiters: (() => void)[] = [];
  #noticeTimer = 0;
  readonly #painter = new SlicePainter();
  readonly #editor: SliceEditor;
  readonly #resizeObserver = new ResizeObserver(() => this.#requestDraw());

  constructor() {
    super();
    this.#viewport.append(this.#painter.canvas);
    // The editor reads the session and the plane at each gesture: live lookups, not copies.
    this.#editor = new SliceEditor({
      session: () => {
        if (!this.session) throw new Error('the slice view has no session');
        return this.session;
      },
      plane: () => {
        const plane = this.#renderer?.plane;
        if (!plane) throw new Error('the slice view shows no image');
        return plane;
      },
      planeAffine: () => (this.#renderer?.volume ? this.#renderer.planeAffine() : null),
      cssToDevice: () => this.#cssToDevice(),
      requestDraw: () => this.#requestDraw(),
      refused: (structureId, reason, message) => this.#refused({ structureId, reason, message }),
      committed: (structureId, label) => emit(this, 'delineo-structure-edit', { structureId, label }),
    });
    // The gestures listen on the viewport and on this element for as long as the element lives.
    new SliceGestures({
      element: this,
      viewport: this.#viewport,
      editor: this.#editor,
      session: () => this.session,
      renderer: () => this.#renderer,
      pointAt: (x, y) => this.#pointAtClient(x, y),
      cssToDevice: () => this.#cssToDevice(),
      moveToSlice: (index, source) => this.#moveToSlice(index, source),
      setCrosshairAt: (p) => this.#setCrosshairAt(p),
      readout: (text) => (this.readout = text),
      requestDraw: () => this.#requestDraw(),
      windowChanged: (wl) => this.#emitWindow(wl),
    });
  }

  /** Index of the slice shown along the view's grid axis. */
  get sliceIndex(): number {
    return this.slice;
  }

  /** Number of slices along the view's grid axis (0 without a session). */
  get slices(): number {
    return this.sliceCount;
  }

  /** The grid axis the view slices along, or null without a session. */
  get axis(): SliceAxis | null {
    return this.#renderer?.volume ? this.#renderer.axis : null;
  }

  /** The plane shown, in the editing tools' terms (axis and index), or null without a session. */
  get plane(): SlicePlane | null {
    return this.#renderer?.plane ?? null;
  }

  /** The anatomical labels at the four edges, or null without a session. */
  get orientationLabels(): OrientationLabels | null {
    return this.labels;
  }

  /** Zoom (1 = the volume fits) and pan (mm along screen right and up). */
  get viewTransform(): { zoom: number; pan: readonly [number, number] } {
    return this.#renderer?.viewTransform ?? { zoom: 1, pan: [0, 0] };
  }

  /** Sets zoom and pan (programmatic: no event). */
  setViewTransform(view: { zoom: number; pan: readonly [number, number] }): void {
    this.#renderer?.setViewTransform({ zoom: clampZoom(view.zoom), pan: view.pan });
  }

  /** Shows slice `index` along the view's axis by moving the session's crosshair (programmatic: no event). */
  setSlice(index: number): void {
    this.#moveToSlice(index, 'program');
  }

  /** Where a patient point (LPS mm) is drawn, in CSS pixels from the view's top-left corner; null without a session. */
  patientToClient(point: Vec3): [number, number] | null {
    const r = this.#renderer;
    if (!r?.volume) return null;
    const [x, y] = r.patientToDisplay(point);
    const scale = this.#cssToDevice();
    const rect = this.#viewport.getBoundingClientRect();
    return [rect.left + x / scale, rect.top + y / scale];
  }

  /** The patient point (LPS mm) on the slice under a client (CSS) position; null without a session. */
  clientToPatient(clientX: number, clientY: number): Vec3 | null {
    return this.#pointAtClient(clientX, clientY)?.patient ?? null;
  }

  /** The device-pixel map from the slice's in-plane index coordinates to the canvas (for tests and tools). */
  planeAffine(): PlaneAffine | null {
    return this.#renderer?.volume ? this.#renderer.planeAffine() : null;
  }

  /** The overlay canvas (structures, crosshair, tool cursor), e.g. for pixel tests. */
  get overlayCanvas(): HTMLCanvasElement {
    return this.#painter.canvas;
  }

  /** The polygon vertices placed so far (u, v), while the polygon tool is in use. */
  get polygonPoints(): readonly (readonly [number, number])[] {
    return this.#editor.vertices;
  }

  /** Resolves after the next frame has been drawn (image and overlay). */
  frame(): Promise<void> {
    return new Promise((resolve) => {
      this.#frameWaiters.push(resolve);
      this.#requestDraw();
    });
  }

  /** Draws image and overlay now, synchronously. */
  drawNow(): void {
    if (this.#frame) {
      cancelAnimationFrame(this.#frame);
      this.#frame = 0;
    }
    this.#draw();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    // The view handles its own keys (arrows scroll slices, digits pick windows): screen readers must pass
    // them through rather than use them to browse, which is what the application role asks for.
    if (!this.hasAttribute('role')) this.setAttribute('role', 'application');
    this.#createRenderer();
    this.#resizeObserver.observe(this.#viewport);
    this.#session.sync();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver.disconnect();
    this.#editor.cancel();
    this.#renderer?.dispose();
    this.#renderer = null;
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    clearTimeout(this.#noticeTimer);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.isConnected) return;
    if (changed.has('orientation') && changed.get('orientation') !== undefined && this.#renderer) {
      this.#renderer.dispose();
      this.#renderer = null;
      this.#createRenderer();
      this.#session.reattach();
    }
    if (changed.has('fillOpacity') || changed.has('lineWidth') || changed.has('crosshair')) this.#requestDraw();
  }

  protected override render() {
    const labels = this.labels;
    const count = this.sliceCount;
    const wl = this.windowLevel;
    const preset = wl && this.session ? matchingPreset(windowPresetsFor(this.session.volume), wl) : null;
    return html`
      <div part="stage" class="stage">
        ${this.#viewport}
        ${labels
          ? html`
              <span part="orientation-label" class="label top" data-edge="top">${labels.top}</span>
              <span part="orientation-label" class="label bottom" data-edge="bottom">${labels.bottom}</span>
              <span part="orientation-label" class="label left" data-edge="left">${labels.left}</span>
              <span part="orientation-label" class="label right" data-edge="right">${labels.right}</span>
            `
          : nothing}
        <span part="info" class="info top-left">${ORIENTATION_NAMES[this.orientation]}${count ? html` · ${this.slice + 1} / ${count}` : nothing}${this.predictedMark ? html` · <span part="predicted">${this.predictedMark}</span>` : nothing}</span>
        ${wl ? html`<span part="window" class="info top-right">${preset ? `${preset.label} · ` : ''}W ${Math.round(wl.window)} · L ${Math.round(wl.level)}</span>` : nothing}
        <span part="readout" class="info bottom-left readout">${this.readout}</span>
        ${this.scaleBar
          ? html`<span part="scale-bar" class="scale-bar"><span class="bar" .style=${`width: ${this.scaleBar.px.toFixed(1)}px`}></span><span class="scale-text">${this.scaleBar.mm} mm</span></span>`
          : nothing}
        <div part="notice" class="notice" role="alert" ?hidden=${!this.notice}>${this.notice ?? ''}</div>
      </div>
      <div part="controls" class="controls">
        <input
          part="slice-slider"
          type="range"
          aria-label="${ORIENTATION_NAMES[this.orientation]} slice"
          min="0"
          max=${Math.max(0, count - 1)}
          step="1"
          tabindex="-1"
          .value=${String(this.slice)}
          ?disabled=${count === 0}
          aria-valuetext=${count ? `slice ${this.slice + 1} of ${count}` : 'no image'}
          @input=${(e: Event) => this.#moveToSlice(Number((e.target as HTMLInputElement).value), 'user')}
        />
      </div>
    `;
  }

  protected override updated(): void {
    const count = this.sliceCount;
    this.setAttribute('aria-label', count ? `${ORIENTATION_NAMES[this.orientation]} view, slice ${this.slice + 1} of ${count}` : `${ORIENTATION_NAMES[this.orientation]} view`);
  }

  #createRenderer(): void {
    if (this.#renderer) return;
    this.#renderer = createSliceRenderer(this.#viewport, { orientation: this.orientation, onInvalidate: () => this.#requestDraw() });
    // vtk.js appended its canvas after ours: keep the overlay on top.
    this.#viewport.append(this.#painter.canvas);
  }

  /** Shows a session's volume (or none) in the renderer; the session controller subscribes after this. */
  #show(session: ViewerSession | null): void {
    const r = this.#renderer!;
    this.#editor.cancel();
    this.#painter.clear();
    if (!session) {
      r.setVolume(null);
      this.sliceCount = 0;
      this.labels = null;
      this.scaleBar = null;
      this.windowLevel = null;
      return;
    }
    r.setWindowLevel(session.windowLevel.window, session.windowLevel.level);
    r.setVolume(session.volume, this.#sliceOf(session.crosshair.position, session));
    this.slice = r.slice;
    this.sliceCount = r.sliceCount;
    this.windowLevel = session.windowLevel;
  }

  #sliceOf(position: Vec3, session: ViewerSession): number {
    const axis = gridAxesForViews(session.volume)[this.orientation];
    const n = session.volume.dimensions[axis];
    const k = Math.round(session.volume.patientToIndex(position)[axis]);
    return Math.min(n - 1, Math.max(0, k));
  }

  #onCrosshair(c: CrosshairState): void {
    const r = this.#renderer;
    const session = this.session;
    if (!r?.volume || !session) return;
    const k = this.#sliceOf(c.position, session);
    if (k !== r.slice) {
      r.setSlice(k);
      this.slice = k;
      if (c.source === 'user') {
        const detail: DelineoSliceChangeDetail = { orientation: this.orientation, axis: r.axis, index: k, count: r.sliceCount };
        emit(this, 'delineo-slice-change', detail);
      }
    }
    this.#requestDraw();
  }

  /** Moves the crosshair so this view shows slice `index` (clamped); the other coordinates stay. */
  #moveToSlice(index: number, source: 'user' | 'program'): void {
    const session = this.session;
    const r = this.#renderer;
    if (!session || !r?.volume || !Number.isFinite(index)) return;
    const k = Math.min(r.sliceCount - 1, Math.max(0, Math.round(index)));
    const c = [...session.volume.patientToIndex(session.crosshair.position)] as [number, number, number];
    c[r.axis] = k;
    const position = session.volume.indexToPatient(c);
    session.setCrosshair(position, source);
    if (source === 'user') emit(this, 'delineo-crosshair-change', { position: [...position], index: c });
  }

  #requestDraw(): void {
    if (this.#frame || !this.isConnected) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #draw(): void {
    const r = this.#renderer;
    if (!r) return;
    r.render();
    const { width, height } = r.viewportSize;
    const ctx = this.#painter.begin(width, height);
    const session = this.session;
    if (ctx && session && r.volume) {
      const dpr = this.#cssToDevice();
      const affine = r.planeAffine();
      const activeColor = this.#painter.draw(ctx, session, r.plane!, affine, { fillOpacity: this.fillOpacity, lineWidth: this.lineWidth, crosshair: this.crosshair, dpr });
      this.#editor.draw(ctx, affine, r.mmPerPixel, dpr, activeColor);
    }
    if (r.volume) {
      const labels = r.orientationLabels;
      if (!sameLabels(labels, this.labels)) this.labels = labels;
      const scale = scaleBarFor(r.mmPerPixel * this.#cssToDevice(), this.scaleBar?.mm);
      if (scale?.mm !== this.scaleBar?.mm || Math.abs((scale?.px ?? 0) - (this.scaleBar?.px ?? 0)) > 0.05) this.scaleBar = scale;
    }
    const waiters = this.#frameWaiters;
    this.#frameWaiters = [];
    for (const w of waiters) w();
  }

  #cssToDevice(): number {
    const rect = this.#viewport.getBoundingClientRect();
    const r = this.#renderer;
    if (!r || rect.width <= 0) return globalThis.devicePixelRatio || 1;
    return r.viewportSize.width / rect.width;
  }

  #pointAtClient(clientX: number, clientY: number): SlicePoint | null {
    const r = this.#renderer;
    const session = this.session;
    if (!r?.volume || !session) return null;
    const rect = this.#viewport.getBoundingClientRect();
    const scale = this.#cssToDevice();
    const display: [number, number] = [(clientX - rect.left) * scale, (clientY - rect.top) * scale];
    const plane = r.plane!;
    const [u, v] = invertAffine(r.planeAffine(), display[0], display[1]);
    const index = planeToIndex(plane, u, v);
    return { display, u, v, index, patient: session.volume.indexToPatient(index) };
  }

  #setCrosshairAt(p: SlicePoint): void {
    const session = this.session;
    if (!session) return;
    session.setCrosshair(p.patient, 'user');
    emit(this, 'delineo-crosshair-change', { position: [...p.patient], index: [...p.index] });
  }

  #emitWindow(wl: WindowLevel): void {
    const preset = this.session ? matchingPreset(windowPresetsFor(this.session.volume), wl) : null;
    emit(this, 'delineo-window-change', { window: wl.window, level: wl.level, preset: preset?.id ?? null });
  }

  #refused(detail: DelineoEditRefuseDetail): void {
    this.notice = detail.message;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = window.setTimeout(() => (this.notice = null), 5000);
    emit(this, 'delineo-edit-refuse', detail);
  }
}

function viewportElement(): HTMLDivElement {
  const div = document.createElement('div');
  div.setAttribute('part', 'viewport');
  div.className = 'viewport';
  return div;
}

const sameLabels = (a: OrientationLabels | null, b: OrientationLabels | null): boolean =>
  a === b || (!!a && !!b && a.left === b.left && a.right === b.right && a.top === b.top && a.bottom === b.bottom);
