import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Subscription } from 'rxjs';
import {
  Autosave,
  DicomWebClient,
  DISTINCT_COLORS,
  EXTERNAL_LUNGS_BONES,
  IndexedDbStorage,
  autosaveKey,
  createIoWorker,
  createSegmentClient,
  defaultSegmentWorker,
  generatePhantom,
  importRtstruct,
  isAbortError,
  loadDicomWebSeries,
  personName,
  storeRtstruct,
  writeRtstruct,
  type DicomSeriesSummary,
  type DicomVolumeResult,
  type FileInput,
  type IoWorker,
  type KeyValueStorage,
  type ProgressCallback,
  type ProviderOverride,
  type RtstructWriteResult,
  type SavedSession,
  type SegmentClient,
  type Structure,
  type StructureSetState,
  type Volume,
} from '../../src/index.ts';
import '../delineo-3d-view/delineo-3d-view.ts';
import '../delineo-dicomweb-browser/delineo-dicomweb-browser.ts';
import '../delineo-mpr/delineo-mpr.ts';
import '../delineo-review-panel/delineo-review-panel.ts';
import '../delineo-structure-list/delineo-structure-list.ts';
import '../delineo-toolbar/delineo-toolbar.ts';
import type { DelineoStructureList } from '../delineo-structure-list/delineo-structure-list.component.ts';
import type { DelineoToolbar } from '../delineo-toolbar/delineo-toolbar.component.ts';
import type { DelineoJobProgressDetail } from '../events/delineo-job-progress.ts';
import type { DelineoModelReadyDetail } from '../events/delineo-model-ready.ts';
import type { DelineoSeriesOpenEvent } from '../events/delineo-series-open.ts';
import type { DelineoVolumeLoadDetail } from '../events/delineo-volume-load.ts';
import { emit } from '../internal/emit.ts';
import { ViewerSession, nextForReview, showStructure, toolById, toolForShortcut } from '../../src/index.ts';
import { defaultModels, inferenceOverride, modelSource, type AppModel } from './app-models.ts';
import styles from './delineo-app.styles.ts';
import { SHORTCUTS } from './shortcuts.ts';

/**
 * @summary The Delineo application, the whole clinical flow: open a CT (files, a folder, or a study on a DICOMweb
 * server), auto-contour it with a local model (progress, cancel), review structure by structure (jump to it,
 * edit it, approve it; QA checks and change measures), and export a DICOM RTSTRUCT (download or STOW-RS).
 *
 * The CT is shown in three linked slice views (axial, sagittal, coronal) and a 3D view, with the editing
 * toolbar, the structure list, the review panel and a status line. Long operations run in workers and show a
 * progress row with Cancel; failures appear as notices under the header that say what went wrong and keep
 * everything already loaded and drawn. Edits on a CT opened in the app (files, folder, PACS) are autosaved
 * (IndexedDB) and offered back when the same CT is opened again; the demo and injected sessions are not. Before anything is opened it shows the built-in demo (`demo="phantom"`).
 *
 * Everything the parts share — the CT, the structure set with its undo history, crosshair, window, tool —
 * is one {@link ViewerSession}, created here and handed to each part as a property (no globals: two apps
 * on one page are independent). Set `session` to show a prepared session, or `volume` to show a CT with
 * an empty structure set; with neither, the element generates the phantom once it is on the page.
 *
 * Keys anywhere in the app (focus inside it; unless a text field has focus), listed in its help panel (`?`):
 * Ctrl+O open, Ctrl+S export, A approve/withdraw, `.`/`,` next/previous structure to review, N navigate,
 * W window/level, B brush, E eraser, H HU brush, U push, P polygon, F freehand, O fill hole, G region grow,
 * I interpolate; Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo; Escape cancels the running job. The views add
 * their own keys (slices, zoom, presets).
 *
 * One long operation runs at a time. Its result events (`delineo-volume-load` after opening,
 * `delineo-auto-contour`, `delineo-export`) fire after it has ended and `delineo-job-progress` reported `done`,
 * so a portal's listener may start the next operation (auto-contour the CT just opened, export) at once.
 *
 * @slot 3d - Replaces the built-in `<delineo-3d-view>` in the fourth cell of the MPR layout; the app gives
 *   the slotted element the session (its `session` property).
 *
 * @event {DelineoVolumeLoadEvent} delineo-volume-load - A volume has been loaded and is shown.
 * @event {DelineoAutoContourEvent} delineo-auto-contour - An auto-contouring run finished; its structures were added for review.
 * @event {DelineoModelReadyEvent} delineo-model-ready - The selected ONNX model was started in the background (`model-preload`): the next auto-contour will not wait for it.
 * @event {DelineoStructureApproveEvent} delineo-structure-approve - A structure was approved or its approval withdrawn (key A, or the review panel).
 * @event {DelineoExportEvent} delineo-export - An RTSTRUCT was downloaded or stored on the DICOMweb server; detail holds the file.
 * @event {DelineoJobProgressEvent} delineo-job-progress - A long operation (open, auto-contour, export) started, progressed or ended.
 * @event {DelineoErrorEvent} delineo-error - Opening, auto-contouring, exporting or restoring failed; detail says why.
 * @event {DelineoSeriesOpenEvent} delineo-series-open - From the PACS dialog: the user chose a series to open.
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
 * @csspart header - The title bar with the case, auto-contouring and export actions.
 * @csspart open-button - Open files.
 * @csspart open-folder-button - Open a folder.
 * @csspart pacs-button - Open a study from the DICOMweb server (only with `dicomweb-url` or `dicomWebClient`).
 * @csspart model-select - The auto-contouring model menu.
 * @csspart run-button - Runs the model.
 * @csspart export-button - Downloads the RTSTRUCT.
 * @csspart send-button - Stores the RTSTRUCT with STOW-RS (only with a DICOMweb server).
 * @csspart help-button - Opens the keyboard shortcut panel.
 * @csspart progress - The running operation: label, stage, bar and Cancel.
 * @csspart progress-time - The seconds since the running operation started.
 * @csspart progress-bar - The `<progress>` bar.
 * @csspart cancel-button - Cancels the running operation.
 * @csspart notice - A notice under the header (also `notice-error`, `notice-warning`, `notice-info`).
 * @csspart new-structure-button - Adds an empty structure.
 * @csspart review-panel - The `<delineo-review-panel>`.
 * @csspart help - The keyboard shortcut dialog.
 * @csspart help-close - Its close button.
 * @csspart series-dialog - The dialog to choose among several opened series.
 * @csspart pacs-dialog - The dialog with the `<delineo-dicomweb-browser>`.
 * @csspart title - The application name.
 * @csspart subtitle - The case shown, next to the title.
 * @csspart toolbar - The `<delineo-toolbar>`.
 * @csspart viewport - The `<delineo-mpr>` with the three views.
 * @csspart 3d-view - The built-in `<delineo-3d-view>` (surfaces of the structures, slice planes).
 * @csspart sidebar - The column holding the structure list.
 * @csspart structure-list - The `<delineo-structure-list>`.
 * @csspart status - The status line: patient, case name, grid size, voxel spacing and review progress, or what went wrong.
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

  /**
   * What to show before anything is opened: 'phantom' (default) generates the synthetic thorax phantom with
   * the structures a clinician would have drawn (GTV, heart, spinal cord, oesophagus), leaving body, lungs and
   * bones to auto-contouring; 'none' shows the open buttons only (a portal that injects its own session).
   */
  @property({ reflect: true }) accessor demo: 'phantom' | 'none' = 'phantom';

  /**
   * DICOMweb root, e.g. '/dicomweb' (same origin, see docs/embedding.md for a proxy) or a URL your
   * Content-Security-Policy allows. Enables "Open from PACS" and "Send to PACS". The app talks to no other
   * server: without it, nothing but the page's own files (models, WASM) is fetched.
   */
  @property({ attribute: 'dicomweb-url' }) accessor dicomwebUrl: string | null = null;

  /** A configured DICOMweb client (e.g. with an authentication hook); wins over `dicomweb-url`. */
  @property({ attribute: false }) accessor dicomWebClient: DicomWebClient | null = null;

  /** Base URL of the shipped models (manifest and network of each); default '/models/'. */
  @property({ attribute: 'models-base' }) accessor modelsBase = '/models/';

  /** The auto-contouring models offered; default: the rule-based body/lungs/bones and `hn-oar` under `models-base`. */
  @property({ attribute: false }) accessor models: readonly AppModel[] | null = null;

  /** Where onnxruntime-web's WASM files are served; default '/raw/ort/' (the dev server and the built app). */
  @property({ attribute: 'ort-wasm-path' }) accessor ortWasmPath = '/raw/ort/';

  /**
   * Where ONNX models run: 'auto' (default: WebGPU with a hardware adapter, else WASM with threads when the page
   * is cross-origin isolated, else one WASM thread), 'wasm' or 'webgpu'. The provider used is shown with each
   * result and reported in `delineo-auto-contour`. Any other value means 'auto'.
   */
  @property({ attribute: 'inference-provider' }) accessor inferenceProvider: 'auto' | 'wasm' | 'webgpu' = 'auto';

  /** WASM threads for ONNX models; 0 (default) chooses them (the cores available, at most 4). */
  @property({ type: Number, attribute: 'inference-threads' }) accessor inferenceThreads = 0;

  /**
   * 'auto' (default): once a CT is open and an ONNX model is selected, download it and start its ONNX Runtime
   * sessions in the background, so that the first Auto-contour does not wait for them (hn-oar on the 2-core
   * reference machine: 4–6 s off the first run's 15–17 s; the started sessions hold about 0.3 GB while idle;
   * see models/hn-oar/MODEL_CARD.md). 'none': nothing is fetched or started before the user runs a model.
   * `delineo-model-ready` announces a started model.
   */
  @property({ attribute: 'model-preload' }) accessor modelPreload: 'auto' | 'none' = 'auto';

  /** Where @itk-wasm/image-io's pipelines are served (NIfTI, NRRD, MHA and compressed DICOM); default '/raw/itk/image-io'. */
  @property({ attribute: 'image-io-url' }) accessor imageIoUrl = '/raw/itk/image-io';

  /**
   * Where edits are saved as they are made, so that a reload or crash loses nothing: IndexedDB by default;
   * null turns autosave off (a portal that saves elsewhere). Keyed by the CT's Frame of Reference and Series
   * Instance UID: opening the same CT again offers the saved structures back.
   */
  @property({ attribute: false }) accessor autosaveStorage: KeyValueStorage | null = new IndexedDbStorage();

  @state() private accessor loadError: string | null = null;
  @state() private accessor loading = false;
  /** The last edit, undo or refusal, shown next to the status. */
  @state() private accessor message: { text: string; error: boolean } | null = null;
  /** The long operation running, with its progress. */
  @state() private accessor job: JobView | null = null;
  /**
   * Whole seconds since the running operation started, shown beside its progress: a model's inference
   * advances in a few multi-second patches, and the clock shows the app is working between them.
   */
  @state() private accessor jobSeconds = 0;
  /** Errors, warnings and offers shown under the header until dismissed. */
  @state() private accessor notices: readonly Notice[] = [];
  /** Several image series were opened at once: the user picks one. */
  @state() private accessor seriesChoice: { files: readonly FileInput[]; series: readonly DicomSeriesSummary[] } | null = null;
  @state() private accessor modelId: string | null = null;
  @state() private accessor setState: StructureSetState | null = null;

  /** The volume last announced with `delineo-volume-load`, so moving the element does not announce it again. */
  #announced: Volume | null = null;
  #jobController: AbortController | null = null;
  #io: IoWorker | null = null;
  #segment: SegmentClient | null = null;
  /** The settings the segmentation client was started with (wasm path and provider override). */
  #segmentConfig = '';
  /** The model and settings last given to the segmentation worker to preload (see `model-preload`). */
  #preloaded = '';
  #autosave: Autosave | null = null;
  #storeSubscription: Subscription | null = null;
  #noticeId = 0;

  constructor() {
    super();
    this.addEventListener('keydown', (e) => this.#onKeyDown(e));
    this.addEventListener('delineo-edit-refuse', (e) => (this.message = { text: e.detail.message, error: true }));
    this.addEventListener('delineo-structure-edit', (e) => {
      const name = this.session?.store.state.structures.find((s) => s.id === e.detail.structureId)?.name ?? '';
      this.message = { text: `${e.detail.label}${name ? ` · ${name}` : ''}`, error: false };
    });
    // Selecting a structure in the list shows it: when it has nothing on the current axial slice, jump to it.
    // (Only from the list: the review panel places the crosshair itself, e.g. on an empty slice it reports.)
    this.addEventListener('delineo-structure-select', (e) => {
      const origin = e.composedPath()[0];
      if (e.detail.id && origin instanceof Element && origin.localName === 'delineo-structure-list') this.#showStructure(e.detail.id, false);
    });
    this.addEventListener('delineo-structure-approve', (e) => {
      if (e.composedPath()[0] !== this) this.message = { text: `${e.detail.approved ? 'Approved' : 'Approval withdrawn'} · ${e.detail.name}`, error: false };
    });
    this.addEventListener('dragover', (e) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    });
    this.addEventListener('drop', (e) => void this.#onDrop(e));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Focusable (not in the tab order) so that a click anywhere in the app — header, gaps, status line —
    // keeps keyboard focus inside it and the app-wide keys keep working. A page that gives the element the
    // `autofocus` attribute has them working from the start.
    if (!this.hasAttribute('tabindex')) this.tabIndex = -1;
    if (!this.session && !this.volume && this.demo === 'phantom') void this.#loadDemo();
    if (this.session) this.#watchSession(this.session);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#jobController?.abort();
    this.#storeSubscription?.unsubscribe();
    this.#storeSubscription = null;
    this.#autosave?.stop();
    this.#autosave = null;
    this.#io?.dispose();
    this.#io = null;
    this.#segment?.dispose();
    this.#segment = null;
    this.#preloaded = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('session') && this.session && this.volume !== this.session.volume) this.volume = this.session.volume;
    else if (changed.has('volume') && this.volume && this.session?.volume !== this.volume) this.session = new ViewerSession(this.volume);
    else if (changed.has('volume') && !this.volume) this.session = null;
    if (changed.has('session')) {
      this.loadError = null;
      this.#giveSessionToSlotted();
      this.#watchSession(this.session);
    }
    const models = this.availableModels;
    if (!this.modelId || !models.some((m) => m.id === this.modelId)) this.modelId = models[0]?.id ?? null;
  }

  protected override firstUpdated(): void {
    // `autofocus` is honoured by the browser only if the element was focusable when parsed; an element
    // upgraded later focuses itself, unless the user already put focus somewhere.
    if (this.hasAttribute('autofocus') && (document.activeElement === document.body || document.activeElement === null)) this.focus({ preventScroll: true });
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (PRELOAD_INPUTS.some((name) => changed.has(name as keyof DelineoApp))) this.#preloadSelectedModel();
    const volume = this.volume;
    // Announced once the opening job has ended, so that a listener may start the next operation at once.
    if (!volume || volume === this.#announced || this.job) return;
    this.#announced = volume;
    const detail: DelineoVolumeLoadDetail = {
      dimensions: [...volume.dimensions],
      spacing: [...volume.spacing],
      seriesInstanceUid: volume.identity.seriesInstanceUid ?? null,
      name: volume.name,
    };
    emit(this, 'delineo-volume-load', detail);
  }

  /** The models offered: `models` when set, else the defaults under `models-base`. */
  get availableModels(): readonly AppModel[] {
    return this.models ?? defaultModels(this.modelsBase);
  }

  /** The DICOMweb client in use: `dicomWebClient`, else one on `dicomweb-url`, else null. */
  get dicomWeb(): DicomWebClient | null {
    if (this.dicomWebClient) return this.dicomWebClient;
    if (!this.dicomwebUrl) return null;
    // One client per configured URL (render asks on every update).
    if (this.#ownClientUrl !== this.dicomwebUrl) {
      this.#ownClient = new DicomWebClient({ baseUrl: this.dicomwebUrl });
      this.#ownClientUrl = this.dicomwebUrl;
    }
    return this.#ownClient;
  }

  #ownClient: DicomWebClient | null = null;
  #ownClientUrl: string | null = null;

  protected override render() {
    const volume = this.volume;
    const busy = this.job !== null;
    const models = this.availableModels;
    const client = this.dicomWeb;
    const model = models.find((m) => m.id === this.modelId);
    return html`
      <header part="header">
        <h1 part="title">Delineo</h1>
        <span part="subtitle">${volume?.name || (this.loading ? 'Generating the demo phantom…' : '')}</span>
        <div class="actions" role="toolbar" aria-label="Case">
          <button part="open-button" ?disabled=${busy} title="Open CT files: DICOM, NIfTI, NRRD, MHA (Ctrl+O)" @click=${() => this.#pick('files')}>Open files…</button>
          <button part="open-folder-button" ?disabled=${busy} title="Open a folder of DICOM files" @click=${() => this.#pick('folder')}>Open folder…</button>
          ${client ? html`<button part="pacs-button" ?disabled=${busy} title="Search the DICOMweb server for a study" @click=${() => this.#openPacsDialog()}>Open from PACS…</button>` : nothing}
        </div>
        <div class="actions" role="group" aria-label="Auto-contouring">
          <select part="model-select" aria-label="Auto-contouring model" title=${model?.description ?? ''} ?disabled=${busy} @change=${(e: Event) => (this.modelId = (e.target as HTMLSelectElement).value)}>
            ${models.map((m) => html`<option value=${m.id} ?selected=${m.id === this.modelId}>${m.name}</option>`)}
          </select>
          <button part="run-button" ?disabled=${busy || !this.session || !model} @click=${() => void this.autoContour()}>Auto-contour</button>
        </div>
        <div class="actions" role="group" aria-label="Export">
          <button part="export-button" ?disabled=${busy || !this.session} title="Download the structures as a DICOM RTSTRUCT (Ctrl+S)" @click=${() => void this.exportRtstruct('download')}>Export RTSTRUCT</button>
          ${client ? html`<button part="send-button" ?disabled=${busy || !this.session} title="Store the RTSTRUCT in the CT's study on the DICOMweb server" @click=${() => void this.exportRtstruct('dicomweb')}>Send to PACS</button>` : nothing}
          <button part="help-button" class="help" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" @click=${() => this.toggleHelp()}>?</button>
        </div>
        <input class="picker" type="file" multiple tabindex="-1" aria-hidden="true" data-pick="files" @change=${this.#onPicked} />
        <input class="picker" type="file" multiple webkitdirectory tabindex="-1" aria-hidden="true" data-pick="folder" @change=${this.#onPicked} />
      </header>
      <div class="banner">${this.#renderJob()}${this.notices.map((n) => this.#renderNotice(n))}</div>
      <delineo-toolbar part="toolbar" .session=${this.session}></delineo-toolbar>
      <main class="main">
        <delineo-mpr part="viewport" .session=${this.session}><slot name="3d" slot="3d" @slotchange=${() => this.#giveSessionToSlotted()}><delineo-3d-view part="3d-view" .session=${this.session}></delineo-3d-view></slot></delineo-mpr>
        <aside part="sidebar" class="sidebar" aria-label="Structures">
          <div class="sidebar-head">
            <h2>Structures</h2>
            <button part="new-structure-button" ?disabled=${!this.session} title="Add an empty structure to draw" @click=${() => this.newStructure()}>+ New</button>
          </div>
          <delineo-structure-list part="structure-list" .session=${this.session}></delineo-structure-list>
          <delineo-review-panel part="review-panel" .session=${this.session}></delineo-review-panel>
        </aside>
      </main>
      <footer class="footer">
        <div part="status" class=${this.loadError ? 'error' : ''} role="status" aria-live="polite">${this.#statusText()}</div>
        ${this.message ? html`<div part="message" class=${this.message.error ? 'error' : ''} role="status" aria-live="polite">${this.message.text}</div>` : nothing}
      </footer>
      ${this.#renderSeriesDialog()}
      <dialog part="help" class="help-dialog" aria-label="Keyboard shortcuts" @close=${() => this.focus({ preventScroll: true })}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <thead><tr><th scope="col">Keys</th><th scope="col">Action</th><th scope="col">Where</th></tr></thead>
          <tbody>${SHORTCUTS.map((s) => html`<tr><td><kbd>${s.keys}</kbd></td><td>${s.action}</td><td>${s.scope}</td></tr>`)}</tbody>
        </table>
        <form method="dialog"><button part="help-close">Close</button></form>
      </dialog>
      ${client ? html`<dialog part="pacs-dialog" class="pacs-dialog" aria-label="Open from PACS">
        <delineo-dicomweb-browser .client=${client} @delineo-series-open=${(e: DelineoSeriesOpenEvent) => void this.#onSeriesOpen(e)}></delineo-dicomweb-browser>
        <form method="dialog"><button>Close</button></form>
      </dialog>` : nothing}
    `;
  }

  #renderJob() {
    const job = this.job;
    if (!job) return nothing;
    const pct = job.total > 0 ? Math.round((100 * job.done) / job.total) : null;
    return html`<div part="progress" class="progress" role="group" aria-label=${job.label}>
      <span class="job-label">${job.label}</span>
      <span class="job-stage">${job.stage}${job.total > 0 ? ` ${job.done} / ${job.total}${job.unit ? ` ${job.unit}` : ''}` : ''}</span>
      ${this.jobSeconds > 0 ? html`<span part="progress-time" class="job-time" title="Time since the operation started">${this.jobSeconds} s</span>` : nothing}
      <progress part="progress-bar" max="100" value=${pct ?? nothing} aria-label=${job.label}></progress>
      <button part="cancel-button" @click=${() => this.cancelJob()}>Cancel</button>
    </div>`;
  }

  #renderNotice(n: Notice) {
    return html`<div part=${`notice notice-${n.kind}`} class=${`notice ${n.kind}`} role=${n.kind === 'error' ? 'alert' : 'status'}>
      <span class="notice-text">${n.text}</span>
      ${n.details?.length ? html`<ul>${n.details.map((d) => html`<li>${d}</li>`)}</ul>` : nothing}
      ${(n.actions ?? []).map((a) => html`<button @click=${() => { this.#dismiss(n.id); a.run(); }}>${a.label}</button>`)}
      <button class="dismiss" aria-label="Dismiss" title="Dismiss" @click=${() => this.#dismiss(n.id)}>×</button>
    </div>`;
  }

  #renderSeriesDialog() {
    const choice = this.seriesChoice;
    if (!choice) return nothing;
    return html`<dialog part="series-dialog" class="series-dialog" aria-label="Choose a series" @close=${() => (this.seriesChoice = null)}>
      <h2>Several image series: choose one</h2>
      <ul>
        ${choice.series.map(
          (s) => html`<li><button data-series=${s.seriesInstanceUid} @click=${() => void this.#openChosenSeries(s.seriesInstanceUid)}>
            ${s.modality} · ${s.seriesDescription || 'no description'} · ${s.sliceCount} slices${s.seriesNumber !== undefined ? ` · series ${s.seriesNumber}` : ''}
          </button></li>`,
        )}
      </ul>
      <form method="dialog"><button>Cancel</button></form>
    </dialog>`;
  }

  // ——— Public actions (the buttons and keys call these; a portal may too) ———

  /** Opens CT files (DICOM of one or several series, NIfTI, NRRD, MHA) in the io worker, with progress and cancel. */
  async openFiles(files: readonly FileInput[]): Promise<void> {
    if (!files.length) return;
    await this.#runJob('open', `Opening ${files.length} file${files.length === 1 ? '' : 's'}`, async (signal, progress) => {
      const result = await this.#ioWorker().loadFiles(files, { signal, progress });
      if (result.kind === 'choose-series') {
        this.seriesChoice = { files, series: result.allSeries.filter((s) => s.modality === 'CT' || s.sliceCount > 1) };
        return;
      }
      await this.#showLoaded(result);
    });
  }

  /** Retrieves a series from the DICOMweb server (WADO-RS) and opens it, with any RTSTRUCT found beside it in the files. */
  async openDicomWebSeries(ref: { studyInstanceUid: string; seriesInstanceUid: string }): Promise<void> {
    const client = this.dicomWeb;
    if (!client) throw new Error('no DICOMweb server is configured (dicomweb-url)');
    await this.#runJob('open', 'Retrieving the series from PACS', async (signal, progress) => {
      const io = this.#ioWorker();
      const result = await loadDicomWebSeries(client, ref, { signal, progress, loader: (files, options) => io.loadDicom(files, options) });
      if (result.kind !== 'volume') throw new Error('the server returned several image series for one series UID');
      await this.#showLoaded(result);
    });
  }

  /**
   * Runs an auto-contouring model (default: the one picked in the menu) on the CT in a worker, with progress
   * and cancel, and adds its structures for review as one undo step. A re-run replaces the same model's
   * previous structures that nobody has edited, approved or locked; reviewed ones stay, and a new structure
   * whose name is taken gets a numbered name (Lung_L_2). Structures the model found empty are not added.
   */
  async autoContour(modelId: string | null = this.modelId): Promise<void> {
    const session = this.session;
    const model = this.availableModels.find((m) => m.id === modelId);
    if (!session || !model) return;
    await this.#runJob('auto-contour', `Auto-contouring: ${model.name}`, async (signal, progress, finish) => {
      const started = performance.now();
      const source = await modelSource(model, signal);
      const { client, override } = this.#segmentWorker();
      const result = await client.segment(session.volume, source, { signal, progress, override }).catch((e: unknown) => {
        // A cancel (or a crash) ends the worker and the model in it: preload it again for the next run.
        this.#preloaded = '';
        throw e;
      });
      if (this.session !== session) return; // another CT was opened meanwhile: the result belongs to the old one
      const store = session.store;
      const manifest = source.manifest;
      const replace = store.state.structures
        .filter((r) => r.provenance?.algorithm === 'AUTOMATIC' && r.provenance.source === manifest.id && !r.approved && !r.locked)
        .map((r) => r.id);
      const taken = new Set(store.state.structures.filter((r) => !replace.includes(r.id)).map((r) => r.name));
      const found = result.structures.filter((s) => !s.mask.isEmpty());
      const missing = result.structures.filter((s) => s.mask.isEmpty()).map((s) => s.name);
      const inits = found.map((s) => ({ ...s, name: uniqueName(s.name, taken) }));
      const ids = store.addMany(inits, `Auto-contour (${manifest.name})`, replace);
      const seconds = (performance.now() - started) / 1000;
      this.message = {
        text: `${ids.length} structure${ids.length === 1 ? '' : 's'} from ${manifest.name} in ${seconds.toFixed(1)} s (${result.provider}${result.fallback ? `: ${result.fallback}` : ''})${missing.length ? ` · nothing found for ${missing.join(', ')}` : ''}: review each, then approve`,
        error: false,
      };
      if (ids[0]) this.#showStructure(ids[0], true);
      finish(() => emit(this, 'delineo-auto-contour', { modelId: manifest.id, modelVersion: manifest.version, structureIds: ids, replacedIds: replace, provider: result.provider, seconds }));
    });
  }

  /** The segmentation worker for the current settings: a runtime keeps the threads it started with, so a changed setting gets a fresh worker. */
  #segmentWorker(): { client: SegmentClient; override: ProviderOverride } {
    const override = inferenceOverride(this.inferenceProvider, this.inferenceThreads);
    const config = JSON.stringify([this.ortWasmPath, override]);
    if (this.#segment && this.#segmentConfig !== config) {
      this.#segment.dispose();
      this.#segment = null;
    }
    this.#segment ??= createSegmentClient(defaultSegmentWorker, this.ortWasmPath);
    this.#segmentConfig = config;
    return { client: this.#segment, override };
  }

  /**
   * With `model-preload` 'auto', a CT open and no job running: starts the selected ONNX model in the segmentation
   * worker in the background (once per model and settings), and announces it with `delineo-model-ready`. A failure
   * here stays silent: the user's own run reports it.
   */
  #preloadSelectedModel(): void {
    if (this.modelPreload !== 'auto' || !this.session || this.job) return;
    const model = this.availableModels.find((m) => m.id === this.modelId);
    if (!model || model.manifest?.kind === 'rules') return;
    const key = JSON.stringify([model.id, model.manifestUrl, model.modelUrl, this.ortWasmPath, this.inferenceProvider, this.inferenceThreads]);
    if (this.#preloaded === key) return;
    this.#preloaded = key;
    const { client, override } = this.#segmentWorker();
    const started = performance.now();
    void (async () => {
      const source = await modelSource(model);
      const ready = await client.prepare(source, { override });
      if (this.#segment !== client || !this.isConnected) return;
      const detail: DelineoModelReadyDetail = { modelId: source.manifest.id, modelVersion: source.manifest.version, provider: ready.provider, seconds: (performance.now() - started) / 1000 };
      emit(this, 'delineo-model-ready', detail);
    })().catch(() => undefined);
  }

  /**
   * Writes the structure set as a DICOM RT Structure Set referencing the CT and downloads it ('download') or
   * stores it in the CT's study with STOW-RS ('dicomweb'). Empty structures are skipped with a warning.
   * Resolves with what was written, or null when it failed or was cancelled (the notice says why).
   */
  async exportRtstruct(destination: 'download' | 'dicomweb' = 'download'): Promise<RtstructWriteResult | null> {
    const session = this.session;
    if (!session) return null;
    const client = destination === 'dicomweb' ? this.dicomWeb : null;
    if (destination === 'dicomweb' && !client) throw new Error('no DICOMweb server is configured (dicomweb-url)');
    return (
      (await this.#runJob('export', destination === 'download' ? 'Exporting the RTSTRUCT' : 'Sending the RTSTRUCT to PACS', async (signal, progress, finish) => {
        const structures = session.store.structures();
        if (!structures.length) throw new Error('there are no structures to export');
        const written = client ? (await storeRtstruct(client, session.volume, structures, { signal, progress })).written : writeRtstruct(session.volume, structures);
        const volume = session.volume;
        const fileName = `RS_${fileSafe(volume.identity.patientId || volume.name || 'delineo')}_${stamp(new Date())}.dcm`;
        const file = new Blob([written.buffer], { type: 'application/dicom' });
        if (!client) download(file, fileName, this.renderRoot);
        const states = session.store.state.structures;
        const writtenNames = structures.filter((s) => !s.mask.isEmpty()).map((s) => s.name);
        const unapproved = states.filter((r) => !r.approved && writtenNames.includes(r.name)).map((r) => r.name);
        const warnings = written.warnings.map((w) => w.message);
        this.#notify(
          warnings.length || unapproved.length ? 'warning' : 'info',
          `${client ? 'Stored' : 'Exported'} ${writtenNames.length} structure${writtenNames.length === 1 ? '' : 's'} as ${client ? 'a new RTSTRUCT in the study on the server' : fileName}${unapproved.length ? ` — not approved: ${unapproved.join(', ')}` : ''}`,
          warnings,
        );
        const detail = {
          destination,
          fileName,
          sopInstanceUid: written.sopInstanceUid,
          seriesInstanceUid: written.seriesInstanceUid,
          structureNames: writtenNames,
          unapprovedNames: unapproved,
          warnings,
          file,
        };
        finish(() => emit(this, 'delineo-export', detail));
        return written;
      })) ?? null
    );
  }

  /** Cancels the running load, auto-contouring or export (the worker is stopped; nothing is half-applied). */
  cancelJob(): void {
    this.#jobController?.abort();
  }

  /** Adds an empty structure (MANUAL, a distinct colour), selects it and opens its name for editing. Returns its id. */
  newStructure(name?: string): string | null {
    const session = this.session;
    if (!session) return null;
    const store = session.store;
    const taken = new Set(store.state.structures.map((s) => s.name));
    const finalName = uniqueName(name ?? 'Structure', taken, name ? 2 : 1);
    const color = DISTINCT_COLORS[store.state.structures.length % DISTINCT_COLORS.length];
    const id = store.add({ name: finalName, color, interpretedType: 'ORGAN', provenance: { algorithm: 'MANUAL', source: 'delineo', version: '' } });
    store.setActive(id);
    if (!toolById(session.tool.tool)?.edits) session.setTool({ tool: 'brush' });
    void this.updateComplete.then(() => this.#list()?.startRename(id));
    return id;
  }

  /** Approves a structure (default: the selected one), or withdraws its approval when it is approved. */
  toggleApproval(id: string | null = this.session?.store.state.activeId ?? null): void {
    const store = this.session?.store;
    if (!store || !id) {
      this.message = { text: 'Select a structure to approve first', error: true };
      return;
    }
    const record = store.record(id);
    store.approve(id, !record.approved);
    this.message = { text: `${record.approved ? 'Approval withdrawn' : 'Approved'} · ${record.name}`, error: false };
    emit(this, 'delineo-structure-approve', { structureId: id, name: record.name, approved: !record.approved });
  }

  /**
   * Selects the next (or previous) structure that still needs review (not approved), in list order from the
   * selected one, and shows it. Returns its id, or null when every structure is approved.
   */
  nextForReview(direction: 1 | -1 = 1): string | null {
    const session = this.session;
    if (!session) return null;
    const id = nextForReview(session, direction);
    const name = id ? session.store.record(id).name : null;
    this.message = { text: name ? `Review ${name}` : session.store.state.structures.length ? 'Every structure is approved' : 'There are no structures yet', error: false };
    return id;
  }

  /** Shows or hides the keyboard shortcut panel. */
  toggleHelp(): void {
    const dialog = this.renderRoot.querySelector<HTMLDialogElement>('dialog[part="help"]');
    if (!dialog) return;
    if (dialog.open) dialog.close();
    else dialog.showModal();
  }

  // ——— Internals ———

  #statusText(): string {
    if (this.loadError) return `Could not load the image: ${this.loadError}`;
    const volume = this.volume;
    if (!volume) return this.loading ? 'Generating the demo phantom…' : 'No image loaded: open CT files or a folder, or drop them here';
    const [nx, ny, nz] = volume.dimensions;
    const spacing = volume.spacing.map((s) => s.toFixed(2)).join(' × ');
    const patient = volume.identity.patientName ? `${personName(volume.identity.patientName)} · ` : '';
    const structures = this.setState?.structures ?? [];
    const approved = structures.filter((s) => s.approved).length;
    const review = structures.length ? ` · ${approved} of ${structures.length} structures approved` : '';
    return `${patient}${volume.name || 'Unnamed volume'} · ${nx} × ${ny} × ${nz} voxels · ${spacing} mm${review}`;
  }

  /**
   * Runs one long operation at a time, reporting progress, and turns failures into notices (never a blank view).
   * `finish` queues what announces the result (its event): it runs after the job has ended and 'done' was
   * reported, so a listener sees the app idle and may start the next operation at once.
   */
  async #runJob<T>(
    operation: JobOperation,
    label: string,
    work: (signal: AbortSignal, progress: ProgressCallback, finish: (announce: () => void) => void) => Promise<T>,
  ): Promise<T | undefined> {
    if (this.job) {
      this.message = { text: `Wait for “${this.job.label}” to finish, or cancel it`, error: true };
      return undefined;
    }
    const controller = new AbortController();
    this.#jobController = controller;
    let job: JobView = { operation, label, stage: 'starting', done: 0, total: 0, unit: '' };
    this.job = job;
    const started = performance.now();
    this.jobSeconds = 0;
    const clock = setInterval(() => {
      if (this.#jobController === controller) this.jobSeconds = Math.floor((performance.now() - started) / 1000);
    }, 1000);
    const report = (state: DelineoJobProgressDetail['state']) =>
      emit(this, 'delineo-job-progress', { operation, state, stage: job.stage, done: job.done, total: job.total, unit: job.unit });
    report('running');
    const progress: ProgressCallback = (p) => {
      if (controller.signal.aborted || this.#jobController !== controller) return;
      job = { operation, label, stage: p.stage, done: p.done, total: p.total, unit: p.unit ?? '' };
      this.job = job;
      report('running');
    };
    const announcements: (() => void)[] = [];
    const end = () => {
      clearInterval(clock);
      if (this.#jobController !== controller) return;
      this.jobSeconds = 0;
      this.#jobController = null;
      this.job = null;
    };
    try {
      const result = await work(controller.signal, progress, (announce) => announcements.push(announce));
      end();
      report('done');
      for (const announce of announcements) announce();
      return result;
    } catch (error) {
      end();
      if (isAbortError(error) || controller.signal.aborted) {
        this.message = { text: `Cancelled: ${label}`, error: false };
        report('cancelled');
      } else {
        const e = error as { code?: unknown; file?: unknown; message?: unknown };
        const message = typeof e?.message === 'string' && e.message ? e.message : String(error);
        this.#notify('error', `${OPERATION_TEXT[operation]} failed: ${message}`);
        report('failed');
        emit(this, 'delineo-error', { operation, code: typeof e?.code === 'string' ? e.code : 'error', message, file: typeof e?.file === 'string' ? e.file : null });
      }
      return undefined;
    }
  }

  #ioWorker(): IoWorker {
    this.#io ??= createIoWorker({ pipelinesBaseUrl: this.imageIoUrl });
    return this.#io;
  }

  /** A loaded CT becomes the new session, with the structures of an RTSTRUCT found among the files on its frame of reference. */
  async #showLoaded(result: DicomVolumeResult | { kind: 'volume-file'; volume: Volume; file: string; warnings: readonly { message: string }[] }): Promise<void> {
    const volume = result.volume;
    const warnings = result.warnings.map((w) => w.message);
    let structures: Structure[] = [];
    if (result.kind === 'volume') {
      const forUid = volume.identity.frameOfReferenceUid;
      const rtstructs = result.rtObjects.filter((o) => o.kind === 'RTSTRUCT' && (!forUid || !o.frameOfReferenceUid || o.frameOfReferenceUid === forUid));
      const chosen = rtstructs[0];
      if (chosen) {
        try {
          const imported = importRtstruct(chosen.bytes, volume, { file: chosen.file });
          structures = imported.structures;
          warnings.push(...imported.warnings.map((w) => w.message));
          if (rtstructs.length > 1) warnings.push(`${rtstructs.length} structure sets were found; ${chosen.file} (${chosen.label || 'no label'}) was loaded`);
        } catch (error) {
          warnings.push(`the structure set ${chosen.file} could not be read: ${(error as Error).message}`);
        }
      }
    }
    const session = ViewerSession.withStructures(volume, structures);
    this.session = session;
    if (warnings.length) this.#notify('warning', `Opened with ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`, warnings);
    await this.#offerRestore(session);
  }

  async #openChosenSeries(seriesInstanceUid: string): Promise<void> {
    const choice = this.seriesChoice;
    this.seriesChoice = null;
    if (!choice) return;
    await this.#runJob('open', 'Opening the series', async (signal, progress) => {
      const result = await this.#ioWorker().loadDicom(choice.files, { signal, progress, seriesInstanceUid });
      if (result.kind === 'volume') await this.#showLoaded(result);
    });
  }

  #openPacsDialog(): void {
    this.renderRoot.querySelector<HTMLDialogElement>('dialog[part="pacs-dialog"]')?.showModal();
  }

  async #onSeriesOpen(e: DelineoSeriesOpenEvent): Promise<void> {
    this.renderRoot.querySelector<HTMLDialogElement>('dialog[part="pacs-dialog"]')?.close();
    await this.openDicomWebSeries(e.detail);
  }

  #pick(kind: 'files' | 'folder'): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>(`input[data-pick="${kind}"]`);
    if (!input) return;
    input.value = '';
    input.click();
  }

  #onPicked = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    if (files.length) void this.openFiles(files);
  };

  async #onDrop(e: DragEvent): Promise<void> {
    if (!e.dataTransfer) return;
    e.preventDefault();
    const files = await droppedFiles(e.dataTransfer);
    if (files.length) await this.openFiles(files);
  }

  /** Keeps the status line's review count current, and autosaves the session's edits. */
  #watchSession(session: ViewerSession | null): void {
    this.#storeSubscription?.unsubscribe();
    this.#storeSubscription = null;
    this.#autosave?.stop();
    this.#autosave = null;
    this.setState = null;
    if (!session || !this.isConnected) return;
    this.#storeSubscription = session.store.state$.subscribe((s) => (this.setState = s));
  }

  /** Offers the structures autosaved for this CT back (same Frame of Reference and series), then autosaves from here on. */
  async #offerRestore(session: ViewerSession): Promise<void> {
    const storage = this.autosaveStorage;
    if (!storage) return;
    let key: string;
    try {
      key = autosaveKey(session.volume.identity);
    } catch {
      this.#notify('warning', 'This CT has no DICOM identifiers: edits are not autosaved; export before you close the page');
      return;
    }
    const start = () => {
      if (this.session !== session) return;
      this.#autosave?.stop();
      this.#autosave = new Autosave(session.store, storage, key);
      this.#autosave.start();
    };
    let saved: SavedSession | null = null;
    try {
      saved = await Autosave.find(storage, key);
    } catch (error) {
      this.#notify('warning', `Autosave is not available (${(error as Error).message}): export before you close the page`);
      return;
    }
    if (!saved || !saved.structureNames.length || this.session !== session) {
      start();
      return;
    }
    const when = new Date(saved.savedAt).toLocaleString();
    this.#notify('info', `${saved.structureNames.length} structure${saved.structureNames.length === 1 ? '' : 's'} autosaved for this CT on ${when}: ${saved.structureNames.join(', ')}`, [], [
      {
        label: 'Restore',
        run: () =>
          void (async () => {
            try {
              const restored = await Autosave.restore(storage, key, session.volume.geometry);
              if (this.session !== session) return;
              session.store.load(restored.structures, restored.activeId);
              if (restored.problems.length) this.#notify('warning', 'Some autosaved structures could not be restored', restored.problems);
            } catch (error) {
              this.#notify('error', `Restore failed: ${(error as Error).message}`);
              emit(this, 'delineo-error', { operation: 'restore', code: 'error', message: (error as Error).message, file: null });
            }
            start();
          })(),
      },
      { label: 'Start afresh', run: start },
    ]);
  }

  #notify(kind: Notice['kind'], text: string, details: readonly string[] = [], actions: Notice['actions'] = []): void {
    this.notices = [...this.notices.slice(-3), { id: ++this.#noticeId, kind, text, details, actions }];
  }

  #dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  #showStructure(id: string, always: boolean): void {
    if (this.session) showStructure(this.session, id, always);
  }

  /** Elements slotted into `3d` get the session, so a 3D view shows the same structures. */
  #giveSessionToSlotted(): void {
    for (const el of this.querySelectorAll(':scope > [slot="3d"]')) {
      if ('session' in el) (el as { session: ViewerSession | null }).session = this.session;
    }
  }

  #onKeyDown(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.altKey) return;
    // Keys typed into a field (rename, HU range, search) are text, not shortcuts.
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLInputElement || origin instanceof HTMLSelectElement || origin instanceof HTMLTextAreaElement) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key;
    let handled = true;
    if (key === 'Escape' && this.job) this.cancelJob();
    else if (key === '?' && !mod) this.toggleHelp();
    else if (mod && !e.shiftKey && (key === 'o' || key === 'O')) this.#pick('files');
    else if (mod && !e.shiftKey && (key === 's' || key === 'S')) void this.exportRtstruct('download');
    else if (!this.session) handled = false;
    else handled = this.#onSessionKey(e, this.session, mod);
    if (handled) e.preventDefault();
  }

  /** The keys that need a session; returns false when the key is not ours. */
  #onSessionKey(e: KeyboardEvent, session: ViewerSession, mod: boolean): boolean {
    const key = e.key;
    if (mod && (key === 'z' || key === 'Z')) this.#report(e.shiftKey ? session.redo() : session.undo(), e.shiftKey ? 'Redo' : 'Undo');
    else if (mod && (key === 'y' || key === 'Y')) this.#report(session.redo(), 'Redo');
    else if (mod || e.shiftKey) return false;
    else if (key === 'a' || key === 'A') this.toggleApproval();
    else if (key === '.') this.nextForReview(1);
    else if (key === ',') this.nextForReview(-1);
    else if (key.toLowerCase() === 'i') void this.#toolbar()?.interpolate();
    else {
      const tool = toolForShortcut(key);
      if (!tool) return false;
      session.setTool({ tool: tool.id });
      emit(this, 'delineo-tool-change', { tool: tool.id, radiusMm: session.tool.radiusMm, shape: session.tool.shape, contourMode: session.tool.contourMode });
      if (tool.edits && !session.store.state.activeId) this.message = { text: 'Select a structure to edit first', error: true };
    }
    return true;
  }

  #report(label: string | null, verb: string): void {
    this.message = label ? { text: `${verb}: ${label}`, error: false } : { text: `Nothing to ${verb.toLowerCase()}`, error: false };
  }

  #toolbar(): DelineoToolbar | null {
    return this.renderRoot.querySelector('delineo-toolbar');
  }

  #list(): DelineoStructureList | null {
    return this.renderRoot.querySelector('delineo-structure-list');
  }

  /**
   * Generates the phantom. It takes a few hundred milliseconds on the main thread, so the "generating" status
   * is painted first; a session or volume set meanwhile wins over the phantom. The demo starts with what a
   * clinician would have drawn (GTV, heart, cord, oesophagus) and leaves External, lungs and bones to the
   * rule-based auto-contouring, so that a newcomer runs the whole flow: auto-contour, review, edit, approve, export.
   */
  async #loadDemo(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      await this.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
      if (this.volume || this.session || !this.isConnected) return;
      const phantom = generatePhantom();
      const drawn = phantom.structures.filter((s) => DEMO_DRAWN.includes(s.name));
      const session = ViewerSession.withStructures(phantom.volume, drawn);
      // Start on the tumour: the structure a user of the demo is most likely to edit, on its central slice.
      const gtv = session.store.state.structures.find((s) => s.name === 'GTV');
      if (gtv) {
        session.store.setActive(gtv.id);
        session.setCrosshair(phantom.anatomy.gtvCenter);
      }
      this.session = session;
      this.modelId = EXTERNAL_LUNGS_BONES.id;
      this.#notify('info', 'Demo: a synthetic thorax phantom with the GTV, heart, spinal cord and oesophagus drawn. Auto-contour the body, lungs and bones, review and approve each structure, then export the RTSTRUCT.');
    } catch (error) {
      this.loadError = error instanceof Error ? error.message : String(error);
    } finally {
      this.loading = false;
    }
  }
}

/** The phantom structures the demo shows as already drawn. */
const DEMO_DRAWN: readonly string[] = ['GTV', 'Heart', 'SpinalCord', 'Esophagus'];

/** What decides whether and what to preload (`model-preload`): an update that changes none of them skips the check. */
const PRELOAD_INPUTS: readonly string[] = ['session', 'job', 'modelId', 'models', 'modelsBase', 'modelPreload', 'ortWasmPath', 'inferenceProvider', 'inferenceThreads'];

type JobOperation = DelineoJobProgressDetail['operation'];

const OPERATION_TEXT: Readonly<Record<JobOperation, string>> = { open: 'Opening', 'auto-contour': 'Auto-contouring', export: 'Export' };

/** The running operation as the progress row shows it. */
interface JobView {
  readonly operation: JobOperation;
  readonly label: string;
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly unit: string;
}

/** A message under the header: an error, a warning with details, or an offer with actions. */
interface Notice {
  readonly id: number;
  readonly kind: 'error' | 'warning' | 'info';
  readonly text: string;
  readonly details?: readonly string[];
  readonly actions?: readonly { readonly label: string; readonly run: () => void }[];
}

/** `base`, or `base_2`, `base_3`, … — the first not in `taken`, which it joins. */
function uniqueName(base: string, taken: Set<string>, first = 1): string {
  let name = first === 1 && !taken.has(base) ? base : '';
  for (let n = Math.max(2, first); !name; n++) if (!taken.has(`${base}_${n}`)) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 48) || 'delineo';
const pad = (n: number): string => String(n).padStart(2, '0');
const stamp = (d: Date): string => `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;

/** Saves a Blob through a temporary link (inside our shadow root, so the page's DOM is not touched). */
function download(file: Blob, name: string, root: ParentNode): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  root.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** The files of a drop, folders walked recursively (DataTransferItem.webkitGetAsEntry). */
async function droppedFiles(transfer: DataTransfer): Promise<File[]> {
  const entries = [...transfer.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return [...transfer.files];
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}
