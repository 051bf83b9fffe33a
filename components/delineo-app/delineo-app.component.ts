import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { generatePhantom, type Volume } from '../../src/index.ts';
import '../delineo-3d-view/delineo-3d-view.ts';
import '../delineo-mpr/delineo-mpr.ts';
import '../delineo-structure-list/delineo-structure-list.ts';
import '../delineo-toolbar/delineo-toolbar.ts';
import type { DelineoToolbar } from '../delineo-toolbar/delineo-toolbar.component.ts';
import type { DelineoVolumeLoadDetail } from '../events/delineo-volume-load.ts';
import { emit } from '../internal/emit.ts';
import { personName } from '../internal/person-name.ts';
import { EDITING_TOOLS, TOOL_SHORTCUTS, ViewerSession, type ToolName } from '../internal/viewer-session.ts';
import styles from './delineo-app.styles.ts';

/**
 * @summary The Delineo application: the CT in three linked slice views (axial, sagittal, coronal) and a
 * 3D view of the structures, with the structure list, the editing toolbar and a status line. Until images can be opened it shows the
 * built-in demo case, the synthetic thorax phantom with its structures, generated in the browser.
 *
 * Everything the parts share — the CT, the structure set with its undo history, crosshair, window, tool —
 * is one {@link ViewerSession}, created here and handed to each part as a property (no globals: two apps
 * on one page are independent). Set `session` to show a prepared session, or `volume` to show a CT with
 * an empty structure set; with neither, the element generates the phantom once it is on the page.
 *
 * Keys anywhere in the app (focus inside it; unless a text field has focus): N navigate, W window/level, B brush, E eraser,
 * H HU brush, U push, P polygon, F freehand, O fill hole, G region grow, I interpolate; Ctrl+Z undo,
 * Ctrl+Shift+Z or Ctrl+Y redo. The views add their own keys (slices, zoom, presets).
 *
 * @slot 3d - Replaces the built-in `<delineo-3d-view>` in the fourth cell of the MPR layout; the app gives
 *   the slotted element the session (its `session` property).
 *
 * @event {DelineoVolumeLoadEvent} delineo-volume-load - A volume has been loaded and is shown.
 * @event {DelineoToolChangeEvent} delineo-tool-change - The user picked a tool with a tool key (here) or in the toolbar.
 * @event {DelineoSliceChangeEvent} delineo-slice-change - From a slice view: the user changed its slice.
 * @event {DelineoCrosshairChangeEvent} delineo-crosshair-change - From a slice view: the user moved the crosshair.
 * @event {DelineoWindowChangeEvent} delineo-window-change - From a slice view or the toolbar: the user changed the window.
 * @event {DelineoStructureSelectEvent} delineo-structure-select - From the structure list: the user selected a structure.
 * @event {DelineoStructureDeleteEvent} delineo-structure-delete - From the structure list: the user confirmed a deletion; cancelable.
 * @event {DelineoStructureEditEvent} delineo-structure-edit - From a slice view or the toolbar: an edit was committed (one undo step).
 * @event {DelineoEditRefuseEvent} delineo-edit-refuse - From a slice view or the toolbar: an edit was refused; detail says why.
 * @event {DelineoSurfaceUpdateEvent} delineo-surface-update - From the 3D view: a structure's surface was (re)built.
 * @event {DelineoVolumePresetChangeEvent} delineo-volume-preset-change - From the 3D view: the user picked a volume-rendering preset.
 *
 * @csspart header - The title bar.
 * @csspart title - The application name.
 * @csspart subtitle - The case shown, next to the title.
 * @csspart toolbar - The `<delineo-toolbar>`.
 * @csspart viewport - The `<delineo-mpr>` with the three views.
 * @csspart 3d-view - The built-in `<delineo-3d-view>` (surfaces of the structures, slice planes).
 * @csspart sidebar - The column holding the structure list.
 * @csspart structure-list - The `<delineo-structure-list>`.
 * @csspart status - The status line: patient, case name, grid size and voxel spacing, or what went wrong.
 * @csspart message - The last edit, undo or refusal, next to the status.
 *
 * @cssproperty --delineo-app-background - Background of the shell.
 * @cssproperty --delineo-app-foreground - Text colour.
 * @cssproperty --delineo-app-muted - Colour of secondary text.
 * @cssproperty --delineo-app-accent - Accent colour.
 * @cssproperty --delineo-app-font - Font family.
 * @cssproperty --delineo-app-sidebar-width - Width of the structure list column.
 */
export class DelineoApp extends LitElement {
  static override styles = styles;

  /** The CT shown. Setting it starts a new session with an empty structure set. */
  @property({ attribute: false }) accessor volume: Volume | null = null;

  /** The contouring session shown (CT, structures, tools). Setting it also sets `volume`. */
  @property({ attribute: false }) accessor session: ViewerSession | null = null;

  @state() private accessor loadError: string | null = null;
  @state() private accessor loading = false;
  /** The last edit, undo or refusal, shown next to the status. */
  @state() private accessor message: { text: string; error: boolean } | null = null;

  /** The volume last announced with `delineo-volume-load`, so moving the element does not announce it again. */
  #announced: Volume | null = null;

  constructor() {
    super();
    this.addEventListener('keydown', (e) => this.#onKeyDown(e));
    this.addEventListener('delineo-edit-refuse', (e) => (this.message = { text: e.detail.message, error: true }));
    this.addEventListener('delineo-structure-edit', (e) => {
      const name = this.session?.store.state.structures.find((s) => s.id === e.detail.structureId)?.name ?? '';
      this.message = { text: `${e.detail.label}${name ? ` · ${name}` : ''}`, error: false };
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Focusable (not in the tab order) so that a click anywhere in the app — header, gaps, status line —
    // keeps keyboard focus inside it and the app-wide keys keep working. A page that gives the element the
    // `autofocus` attribute has them working from the start.
    if (!this.hasAttribute('tabindex')) this.tabIndex = -1;
    if (!this.session && !this.volume) void this.#loadDemo();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('session') && this.session && this.volume !== this.session.volume) this.volume = this.session.volume;
    else if (changed.has('volume') && this.volume && this.session?.volume !== this.volume) this.session = new ViewerSession(this.volume);
    else if (changed.has('volume') && !this.volume) this.session = null;
    if (changed.has('session')) {
      this.loadError = null;
      this.#giveSessionToSlotted();
    }
  }

  protected override firstUpdated(): void {
    // `autofocus` is honoured by the browser only if the element was focusable when parsed; an element
    // upgraded later focuses itself, unless the user already put focus somewhere.
    if (this.hasAttribute('autofocus') && (document.activeElement === document.body || document.activeElement === null)) this.focus({ preventScroll: true });
  }

  protected override updated(): void {
    const volume = this.volume;
    if (!volume || volume === this.#announced) return;
    this.#announced = volume;
    const detail: DelineoVolumeLoadDetail = {
      dimensions: [...volume.dimensions],
      spacing: [...volume.spacing],
      seriesInstanceUid: volume.identity.seriesInstanceUid ?? null,
      name: volume.name,
    };
    emit(this, 'delineo-volume-load', detail);
  }

  protected override render() {
    const volume = this.volume;
    return html`
      <header part="header">
        <h1 part="title">Delineo</h1>
        <span part="subtitle">${volume?.name || (this.loading ? 'Generating the demo phantom…' : '')}</span>
      </header>
      <delineo-toolbar part="toolbar" .session=${this.session}></delineo-toolbar>
      <main class="main">
        <delineo-mpr part="viewport" .session=${this.session}><slot name="3d" slot="3d" @slotchange=${() => this.#giveSessionToSlotted()}><delineo-3d-view part="3d-view" .session=${this.session}></delineo-3d-view></slot></delineo-mpr>
        <aside part="sidebar" class="sidebar" aria-label="Structures">
          <h2>Structures</h2>
          <delineo-structure-list part="structure-list" .session=${this.session}></delineo-structure-list>
        </aside>
      </main>
      <footer class="footer">
        <div part="status" class=${this.loadError ? 'error' : ''} role="status" aria-live="polite">${this.#statusText()}</div>
        ${this.message ? html`<div part="message" class=${this.message.error ? 'error' : ''} role="status" aria-live="polite">${this.message.text}</div>` : nothing}
      </footer>
    `;
  }

  #statusText(): string {
    if (this.loadError) return `Could not load the image: ${this.loadError}`;
    const volume = this.volume;
    if (!volume) return this.loading ? 'Generating the demo phantom…' : 'No image loaded';
    const [nx, ny, nz] = volume.dimensions;
    const spacing = volume.spacing.map((s) => s.toFixed(2)).join(' × ');
    const patient = volume.identity.patientName ? `${personName(volume.identity.patientName)} · ` : '';
    return `${patient}${volume.name || 'Unnamed volume'} · ${nx} × ${ny} × ${nz} voxels · ${spacing} mm`;
  }

  /** Elements slotted into `3d` get the session, so a 3D view shows the same structures. */
  #giveSessionToSlotted(): void {
    for (const el of this.querySelectorAll(':scope > [slot="3d"]')) {
      if ('session' in el) (el as { session: ViewerSession | null }).session = this.session;
    }
  }

  #onKeyDown(e: KeyboardEvent): void {
    const session = this.session;
    if (!session || e.defaultPrevented || e.altKey) return;
    // Keys typed into a field (rename, HU range) are text, not shortcuts.
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLInputElement || origin instanceof HTMLSelectElement || origin instanceof HTMLTextAreaElement) return;
    const mod = e.ctrlKey || e.metaKey;
    let handled = true;
    if (mod && (e.key === 'z' || e.key === 'Z')) this.#report(e.shiftKey ? session.redo() : session.undo(), e.shiftKey ? 'Redo' : 'Undo');
    else if (mod && (e.key === 'y' || e.key === 'Y')) this.#report(session.redo(), 'Redo');
    else if (mod || e.shiftKey) handled = false;
    else if (e.key.toLowerCase() === 'i') void this.#toolbar()?.interpolate();
    else {
      const tool = (Object.keys(TOOL_SHORTCUTS) as ToolName[]).find((t) => TOOL_SHORTCUTS[t] === e.key.toLowerCase());
      if (tool) {
        session.setTool({ tool });
        emit(this, 'delineo-tool-change', { tool, radiusMm: session.tool.radiusMm, shape: session.tool.shape, contourMode: session.tool.contourMode });
        if (EDITING_TOOLS.has(tool) && !session.store.state.activeId) this.message = { text: 'Select a structure to edit first', error: true };
      } else handled = false;
    }
    if (handled) e.preventDefault();
  }

  #report(label: string | null, verb: string): void {
    this.message = label ? { text: `${verb}: ${label}`, error: false } : { text: `Nothing to ${verb.toLowerCase()}`, error: false };
  }

  #toolbar(): DelineoToolbar | null {
    return this.renderRoot.querySelector('delineo-toolbar');
  }

  /**
   * Generates the phantom with its structures. It takes a few hundred milliseconds on the main thread, so
   * the "generating" status is painted first; a session or volume set meanwhile wins over the phantom.
   */
  async #loadDemo(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      await this.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
      if (this.volume || this.session || !this.isConnected) return;
      const phantom = generatePhantom();
      const session = ViewerSession.withStructures(phantom.volume, phantom.structures);
      // Start on the tumour: the structure a user of the demo is most likely to edit, on its central slice.
      const gtv = session.store.state.structures.find((s) => s.name === 'GTV');
      if (gtv) {
        session.store.setActive(gtv.id);
        session.setCrosshair(phantom.anatomy.gtvCenter);
      }
      this.session = session;
    } catch (error) {
      this.loadError = error instanceof Error ? error.message : String(error);
    } finally {
      this.loading = false;
    }
  }
}
