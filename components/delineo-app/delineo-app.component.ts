import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { IndexedDbStorage, type ContourServiceClient, type DicomWebClient, type FileInput, type KeyValueStorage, type RtstructWriteResult, type Volume, ViewerSession } from '../../src/index.ts';
import '../delineo-3d-view/delineo-3d-view.ts';
import '../delineo-mpr/delineo-mpr.ts';
import '../delineo-review-panel/delineo-review-panel.ts';
import '../delineo-structure-list/delineo-structure-list.ts';
import '../delineo-toolbar/delineo-toolbar.ts';
import { emit } from '../internal/emit.ts';
import { JobController } from '../internal/job-controller.ts';
import { ConfirmDialog } from '../internal/confirm.ts';
import { NoticeList } from '../internal/notices.ts';
import { AppAdaptive } from './app-adaptive.ts';
import { AppDose } from './app-dose.ts';
import { DosePredict } from './app-dose-predict.ts';
import { defaultDoseModel, defaultModels, type AppDoseModel, type AppModel } from './app-models.ts';
import { AppKeys } from './app-keys.ts';
import { AutosaveRestore } from './autosave-restore.ts';
import { DEMO_MODEL_ID, DEMO_NOTICE, DemoLoader } from './demo.ts';
import styles from './delineo-app.styles.ts';
import { RtstructExport } from './export-rtstruct.ts';
import { RtImport } from './rt-import.ts';
import { FileOpener, leaveQuestion, volumeLoadDetail, type OpenedCt } from './file-open.ts';
import { renderHelpDialog, toggleDialog } from './help-dialog.ts';
import { ModelRunner } from './model-runner.ts';
import { Pacs, type SeriesRef } from './pacs.ts';
import { ServerContour } from './server-contour.ts';
import { StatusMessage, caseTitle, statusText } from './status-line.ts';
import { SessionWatch } from './session-watch.ts';
import { StructureActions } from './structure-actions.ts';

/**
 * @summary The Delineo application, the whole clinical flow: open a CT (files, a folder, or a study on a DICOMweb
 * server), auto-contour it with a local model (progress, cancel), review structure by structure (jump to it,
 * edit it, approve it; QA checks and change measures), and export a DICOM RTSTRUCT (download or STOW-RS).
 *
 * The CT is shown in three linked slice views (axial, sagittal, coronal) and a 3D view, with the editing
 * toolbar, the structure list, the review panel, the dose section (RT Dose, RT Plan, DVHs) and a status line.
 * RT Structure Sets, Doses and Plans (or a dose image) opened while a CT is shown are added to it. Long operations run in workers and show a
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
 * I interpolate, D predict dose; Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo; Escape cancels the running job. The views add
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
 * @event {DelineoDosePredictedEvent} delineo-dose-predicted - A dose prediction landed (Predict dose, or its recomputation after an edit); it is offered in the Dose section, marked PREDICTED.
 * @event {DelineoModelReadyEvent} delineo-model-ready - The selected ONNX model was started in the background (`model-preload`): the next auto-contour will not wait for it.
 * @event {DelineoStructureApproveEvent} delineo-structure-approve - A structure was approved or its approval withdrawn (key A, or the review panel).
 * @event {DelineoExportEvent} delineo-export - An RTSTRUCT was downloaded or stored on the DICOMweb server; detail holds the file.
 * @event {DelineoJobProgressEvent} delineo-job-progress - A long operation (open, auto-contour, export, propagate) started, progressed or ended.
 * @event {DelineoPropagateEvent} delineo-propagate - "Adaptive → Load reference…": the planning CT was registered to the CT shown and its structures added as AUTO.
 * @event {DelineoFusionChangeEvent} delineo-fusion-change - The user changed how the planning CT is fused over the CT (adaptive review).
 * @event {DelineoErrorEvent} delineo-error - Opening (or a file added to the open CT), auto-contouring, exporting, restoring or propagating failed; detail says why.
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
 * @csspart server-run-button - "Auto-contour on server": runs the model on the auto-contouring service (with `contour-service`, for a CT opened from the PACS).
 * @csspart export-button - Downloads the RTSTRUCT.
 * @csspart send-button - Stores the RTSTRUCT with STOW-RS (only with a DICOMweb server).
 * @csspart adaptive-button - "Adaptive: load reference…": register to the planning CT and propagate its structures (with a CT open); opens `adaptive-dialog`.
 * @csspart adaptive - The adaptive review section: `fusion-controls` (`fusion-blend`, `fusion-square`), `registration-quality`, `propagated-volumes`, `adaptive-close`.
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
 * @csspart dose - The dose section (with an RT Dose, a Plan or a PTV): `dose-predict` (`predict-button`, `predict-status`, `prescription-input`), `dose-select`, `dose-display` (wash, isodoses, `isodose-levels`), `plan-summary` (`plan-beams`) and `dvh-panel`.
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

  /** Root of the auto-contouring service's `delineo api` (docs/service.md): a CT opened from the PACS gets "Auto-contour on server". */
  @property({ attribute: 'contour-service' }) accessor contourService: string | null = null;

  /** A configured service client (e.g. sending a bearer token); wins over `contour-service`. */
  @property({ attribute: false }) accessor contourServiceClient: ContourServiceClient | null = null;

  /** Base URL of the shipped models (manifest and network of each); default '/models/'. */
  @property({ attribute: 'models-base' }) accessor modelsBase = '/models/';

  /** The auto-contouring models offered; default: the rule-based body/lungs/bones and `hn-oar` under `models-base`. */
  @property({ attribute: false }) accessor models: readonly AppModel[] | null = null;

  /** URL of the dose-prediction model's manifest (its network beside it); default: `hn-dose` under `models-base`. */
  @property({ attribute: 'dose-model' }) accessor doseModelUrl: string | null = null;

  /** The dose-prediction model as a manifest URL, or a manifest with its network's URL; wins over `dose-model`. */
  @property({ attribute: false }) accessor doseModel: AppDoseModel | null = null;

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
   * sessions in the background, so that the first Auto-contour does not wait for them (what that saves, and the
   * memory a started model holds while it waits: models/hn-oar/MODEL_CARD.md, "Speed and memory"). 'none':
   * nothing is fetched or started before the user runs a model.
   * `delineo-model-ready` announces a started model.
   */
  @property({ attribute: 'model-preload' }) accessor modelPreload: 'auto' | 'none' = 'auto';

  /** Where @itk-wasm/elastix's pipelines are served (adaptive registration); default '/raw/itk/elastix'. */
  @property({ attribute: 'elastix-url' }) accessor elastixUrl = '/raw/itk/elastix';

  /** Where @itk-wasm/image-io's pipelines are served (NIfTI, NRRD, MHA and compressed DICOM); default '/raw/itk/image-io'. */
  @property({ attribute: 'image-io-url' }) accessor imageIoUrl = '/raw/itk/image-io';

  /**
   * Where edits are saved as they are made, so that a reload or crash loses nothing: IndexedDB by default;
   * null turns autosave off (a portal that saves elsewhere). Keyed by the CT's Frame of Reference and Series
   * Instance UID: opening the same CT again offers the saved structures back.
   */
  @property({ attribute: false }) accessor autosaveStorage: KeyValueStorage | null = new IndexedDbStorage();

  @state() private accessor loadError: string | null = null;
  @state() private accessor modelId: string | null = null;

  /** The volume last announced with `delineo-volume-load`, so moving the element does not announce it again. */
  #announced: Volume | null = null;

  // The parts, each in its own module; the element wires them to its properties and to one another.
  readonly #notices = new NoticeList(this);
  readonly #message = new StatusMessage(this, () => this.session);
  readonly #jobs = new JobController(this, { say: (text, error) => this.#message.say(text, error), fail: (text) => this.#notices.notify('error', text) });
  readonly #confirm = new ConfirmDialog(this);
  readonly #dose = new AppDose(this);
  // The parts end their own work (job cancelled, workers ended, autosave stopped) as the host disconnects.
  readonly #watch = new SessionWatch(this, () => this.#autosave.stop());
  readonly #rt = new RtImport(this, { notices: this.#notices, dose: this.#dose });
  readonly #files = new FileOpener(this, {
    jobs: this.#jobs,
    imageIoUrl: () => this.imageIoUrl,
    adopt: (opened) => this.#adopt(opened),
    current: () => this.session,
    add: (session, added, finish) => this.#rt.add(session, added, finish),
    nothingFound: () => this.#notices.notify('warning', 'Nothing was found in that folder. Browsers do not follow symbolic links: if the folder holds links to the files, use "Open files…" and select the files themselves.'),
  });
  readonly #pacs = new Pacs({ configured: () => ({ client: this.dicomWebClient, url: this.dicomwebUrl }), files: this.#files, renderRoot: () => this.renderRoot });
  readonly #export = new RtstructExport(this, { jobs: this.#jobs, notices: this.#notices, confirm: this.#confirm, say: (text) => this.#message.say(text, false), renderRoot: () => this.renderRoot });
  readonly #autosave = new AutosaveRestore(this, {
    storage: () => this.autosaveStorage,
    current: () => this.session,
    notices: this.#notices,
    modelId: () => this.modelId,
    restoreModel: (id) => void (this.availableModels.some((m) => m.id === id) && (this.modelId = id)),
    reopen: (source) => (source.kind === 'dicomweb' ? void this.openDicomWebSeries(source).catch(() => undefined) : this.#files.pick('files')),
    canReopen: (source) => source.kind === 'files' || this.dicomWeb !== null,
  });
  readonly #models = new ModelRunner(this, {
    settings: () => ({
      session: this.session,
      model: this.availableModels.find((m) => m.id === this.modelId),
      modelPreload: this.modelPreload,
      ortWasmPath: this.ortWasmPath,
      inferenceProvider: this.inferenceProvider,
      inferenceThreads: this.inferenceThreads,
    }),
    jobs: this.#jobs,
    say: (text) => this.#message.say(text, false),
    refuse: (text) => this.#notices.notify('error', text),
    show: (id) => this.#structures.show(id, true),
  });
  readonly #predict = new DosePredict(this, {
    session: () => this.session,
    model: () => this.doseModel ?? (this.doseModelUrl ? { manifestUrl: this.doseModelUrl } : defaultDoseModel(this.modelsBase)),
    ortWasmPath: () => this.ortWasmPath,
    jobs: this.#jobs,
    dose: this.#dose,
    say: (text) => this.#message.say(text, false),
    fail: (text) => this.#notices.notify('error', text),
  });
  readonly #server = new ServerContour(this, { configured: () => ({ client: this.contourServiceClient, url: this.contourService }), pacs: () => this.dicomWeb, current: () => this.session, jobs: this.#jobs, say: (text) => this.#message.say(text, false), show: (id) => this.#structures.show(id, true) });
  /** Adaptive RT (docs/adaptive.md): `loadReference(files)`, `loadReferenceFromPacs(ref)` register this CT to a planning CT and add its structures as AUTO; `setFusion`, `review`. */
  readonly adaptive = new AppAdaptive(this, { jobs: this.#jobs, confirm: this.#confirm, session: () => this.session, imageIoUrl: () => this.imageIoUrl, elastixUrl: () => this.elastixUrl, pacs: () => this.dicomWeb, say: (text) => this.#message.say(text, false), show: (id) => this.#structures.show(id, true) });
  readonly #structures = new StructureActions(this, { session: () => this.session, say: (text, error) => this.#message.say(text, error), list: () => this.renderRoot.querySelector('delineo-structure-list') });
  readonly #demo = new DemoLoader(this, {
    wanted: () => !this.volume && !this.session && this.isConnected,
    show: (session) => {
      this.session = session;
      this.modelId = DEMO_MODEL_ID;
      this.#notices.notify('info', DEMO_NOTICE);
      void this.#autosave.offerLastSession();
    },
    fail: (message) => (this.loadError = message),
  });

  constructor() {
    super();
    new AppKeys(this, {
      session: () => this.session,
      busy: () => this.#jobs.running,
      cancelJob: () => this.cancelJob(),
      toggleHelp: () => this.toggleHelp(),
      pickFiles: () => this.#files.pick('files'),
      exportRtstruct: () => void this.exportRtstruct('download'),
      toggleApproval: () => this.toggleApproval(),
      nextForReview: (direction) => this.nextForReview(direction),
      interpolate: () => void this.renderRoot.querySelector('delineo-toolbar')?.interpolate(),
      predictDose: () => void this.predictDose(),
      say: (text, error) => this.#message.say(text, error),
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Focusable (not in the tab order) so that a click anywhere in the app keeps keyboard focus inside it and the
    // app-wide keys keep working; a page that gives the element `autofocus` has them working from the start.
    if (!this.hasAttribute('tabindex')) this.tabIndex = -1;
    if (!this.session && !this.volume && this.demo === 'phantom') void this.#demo.load();
    else if (!this.session && !this.volume) void this.#autosave.offerLastSession();
    if (this.session) this.#watch.watch(this.session, true);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('session') && this.session && this.volume !== this.session.volume) this.volume = this.session.volume;
    else if (changed.has('volume') && this.volume && this.session?.volume !== this.volume) this.session = new ViewerSession(this.volume);
    else if (changed.has('volume') && !this.volume) this.session = null;
    if (changed.has('session')) {
      this.loadError = null;
      this.#giveSessionToSlotted();
      this.#watch.watch(this.session, this.isConnected);
    }
    const models = this.availableModels;
    if (!this.modelId || !models.some((m) => m.id === this.modelId)) this.modelId = models[0]?.id ?? null;
    if (changed.has('modelId' as keyof DelineoApp)) this.#autosave.modelChanged();
  }

  protected override firstUpdated(): void {
    // `autofocus` is honoured by the browser only if the element was focusable when parsed; an element
    // upgraded later focuses itself, unless the user already put focus somewhere.
    if (this.hasAttribute('autofocus') && (document.activeElement === document.body || document.activeElement === null)) this.focus({ preventScroll: true });
  }

  protected override updated(): void {
    // Announced once the opening job has ended, so that a listener may start the next operation at once.
    if (!this.volume || this.volume === this.#announced || this.#jobs.running) return;
    this.#announced = this.volume;
    emit(this, 'delineo-volume-load', volumeLoadDetail(this.volume));
  }

  /** The models offered: `models` when set, else the defaults under `models-base`. */
  get availableModels(): readonly AppModel[] {
    return this.models ?? defaultModels(this.modelsBase);
  }

  /** The DICOMweb client in use: `dicomWebClient`, else one on `dicomweb-url`, else null. */
  get dicomWeb(): DicomWebClient | null {
    return this.#pacs.client;
  }

  protected override render() {
    const volume = this.volume;
    const busy = this.#jobs.running;
    const models = this.availableModels;
    const client = this.dicomWeb;
    const model = models.find((m) => m.id === this.modelId);
    return html`
      <header part="header">
        <h1 part="title">Delineo</h1>
        <span part="subtitle">${volume ? caseTitle(volume) : this.#demo.loading ? 'Generating the demo phantom…' : ''}</span>
        <div class="actions" role="toolbar" aria-label="Case">
          <button part="open-button" ?disabled=${busy} title="Open CT files: DICOM, NIfTI, NRRD, MHA (Ctrl+O)" @click=${() => this.#files.pick('files')}>Open files…</button>
          <button part="open-folder-button" ?disabled=${busy} title="Open a folder of DICOM files" @click=${() => this.#files.pick('folder')}>Open folder…</button>
          ${client ? html`<button part="pacs-button" ?disabled=${busy} title="Search the DICOMweb server for a study" @click=${() => this.#pacs.openDialog()}>Open from PACS…</button>` : nothing}
        </div>
        <div class="actions" role="group" aria-label="Auto-contouring">
          <select part="model-select" aria-label="Auto-contouring model" title=${model?.description ?? ''} ?disabled=${busy} @change=${(e: Event) => (this.modelId = (e.target as HTMLSelectElement).value)}>
            ${models.map((m) => html`<option value=${m.id} ?selected=${m.id === this.modelId}>${m.name}</option>`)}
          </select>
          <button part="run-button" ?disabled=${busy || !this.session || !model} @click=${() => void this.autoContour()}>Auto-contour</button>
          ${this.#server.render(this.session, model, busy)}
          <button part="adaptive-button" ?disabled=${busy || !this.session} title="Register this CT to the planning CT and carry its structures over for review" @click=${() => this.adaptive.openDialog()}>Adaptive…</button>
        </div>
        <div class="actions" role="group" aria-label="Export">
          <button part="export-button" ?disabled=${busy || !this.session} title="Download the structures as a DICOM RTSTRUCT (Ctrl+S)" @click=${() => void this.exportRtstruct('download')}>Export RTSTRUCT</button>
          ${client ? html`<button part="send-button" ?disabled=${busy || !this.session} title="Store the RTSTRUCT in the CT's study on the DICOMweb server" @click=${() => void this.exportRtstruct('dicomweb')}>Send to PACS</button>` : nothing}
          <button part="help-button" class="help" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" @click=${() => this.toggleHelp()}>?</button>
        </div>
        ${this.#files.renderPickers()}
      </header>
      <div class="banner">${this.#jobs.render()}${this.#notices.render()}</div>
      <delineo-toolbar part="toolbar" .session=${this.session}></delineo-toolbar>
      <main class="main">
        <delineo-mpr part="viewport" .session=${this.session}><slot name="3d" slot="3d" @slotchange=${() => this.#giveSessionToSlotted()}><delineo-3d-view part="3d-view" .session=${this.session}></delineo-3d-view></slot></delineo-mpr>
        <aside part="sidebar" class="sidebar" aria-label="Structures">
          <div class="sidebar-head">
            <h2>Structures</h2>
            <button part="new-structure-button" ?disabled=${!this.session} title="Add an empty structure to draw" @click=${() => this.newStructure()}>+ New</button>
          </div>
          <delineo-structure-list part="structure-list" .session=${this.session}></delineo-structure-list>
          <delineo-review-panel part="review-panel" .session=${this.session} .doseReview=${this.#dose.review}></delineo-review-panel>
          ${this.adaptive.render()}${this.#dose.render(this.#predict.render(this.session, busy))}
        </aside>
      </main>
      <footer class="footer">
        <div part="status" class=${this.loadError ? 'error' : ''} role="status" aria-live="polite">${statusText(volume, this.#watch.state?.structures ?? [], { loadError: this.loadError, loading: this.#demo.loading })}</div>
        ${this.#message.render()}
      </footer>
      ${this.#files.renderSeriesDialog()}
      ${renderHelpDialog(() => this.focus({ preventScroll: true }))}
      ${this.#pacs.renderDialog()}
      ${this.adaptive.renderDialog()}${this.#confirm.render()}
    `;
  }

  // ——— Public actions (the buttons and keys call these; a portal may too) ———

  /** Opens CT files (DICOM, NIfTI, NRRD, MHA) in the io worker, with progress and cancel; RT objects and dose images alone are added to the CT shown. */
  async openFiles(files: readonly FileInput[]): Promise<void> {
    await this.#files.openFiles(files);
  }

  /** Retrieves a series from the DICOMweb server (WADO-RS) and opens it, with any RTSTRUCT found beside it in the files. */
  async openDicomWebSeries(ref: SeriesRef): Promise<void> {
    await this.#pacs.open(ref);
  }

  /**
   * Runs an auto-contouring model (default: the menu's) on the CT in a worker (progress, cancel) and adds its structures as one
   * undo step. A re-run replaces the model's earlier structures nobody edited, approved or locked; a taken name gets a number
   * (Lung_L_2); empty structures are not added; an incomplete series is refused.
   */
  async autoContour(modelId: string | null = this.modelId): Promise<void> {
    const model = this.availableModels.find((m) => m.id === modelId);
    if (this.session && model) await this.#models.run(this.session, model);
  }

  /**
   * Writes the structure set as a DICOM RT Structure Set referencing the CT and downloads it ('download') or
   * stores it in the CT's study with STOW-RS ('dicomweb'). Empty structures are skipped; those not approved are
   * named in a confirmation first. Resolves with what was written, or null when it failed or was cancelled.
   */
  async exportRtstruct(destination: 'download' | 'dicomweb' = 'download'): Promise<RtstructWriteResult | null> {
    const session = this.session;
    if (!session) return null;
    const client = destination === 'dicomweb' ? this.dicomWeb : null;
    if (destination === 'dicomweb' && !client) throw new Error('no DICOMweb server is configured (dicomweb-url)');
    const written = await this.#export.run(session, client);
    if (written && this.session === session) {
      this.#watch.unexported = false;
      await this.#autosave.exported(session);
    }
    return written;
  }

  /** Predicts the structures' dose with the dose model (progress, cancel; PTV prescriptions from their names or the Dose section): offered
   * there marked PREDICTED, kept current after edits. A failure (no PTV with a prescription …) is a notice and changes nothing. */
  async predictDose(): Promise<void> {
    if (this.#predict.available(this.session)) await this.#predict.predict(this.session);
    else this.#message.say('Predicting dose needs a CT with a PTV', true);
  }

  /** Cancels the running load, auto-contouring, dose prediction or export (the worker is stopped; nothing is half-applied). */
  cancelJob(): void {
    this.#jobs.cancel();
  }

  /** Adds an empty structure (MANUAL, a distinct colour), selects it and opens its name for editing. Returns its id. */
  newStructure(name?: string): string | null {
    return this.#structures.add(name);
  }

  /** Approves a structure (default: the selected one), or withdraws its approval when it is approved. */
  toggleApproval(id: string | null = this.session?.store.state.activeId ?? null): void {
    this.#structures.toggleApproval(id);
  }

  /**
   * Selects the next (or previous) structure that still needs review (not approved), in list order from the
   * selected one, and shows it. Returns its id, or null when every structure is approved.
   */
  nextForReview(direction: 1 | -1 = 1): string | null {
    return this.#structures.nextForReview(direction);
  }

  /** Shows or hides the keyboard shortcut panel. */
  toggleHelp(): void {
    toggleDialog(this.renderRoot.querySelector<HTMLDialogElement>('dialog[part="help"]'));
  }

  // ——— Internals ———

  /**
   * An opened CT becomes the session shown, once the user agreed to leave work that no export has written (the
   * question says what the autosave keeps); what was autosaved for the new CT is offered back. The demo's notices
   * and the last message belong to what was shown before, and go.
   */
  async #adopt({ session, warnings, source, doses, plans, refused }: OpenedCt): Promise<void> {
    const current = this.session;
    if (current && this.#watch.unexported && current.store.state.structures.length) {
      const q = leaveQuestion(current, session, this.autosaveStorage !== null);
      if (!(await this.#confirm.ask(q.text, q.details, 'Open the new CT', 'Keep working'))) return;
    }
    this.#notices.clear();
    this.#message.clear();
    this.session = session;
    this.#rt.opened(session, doses, plans, refused);
    this.#server.opened(session, source);
    if (warnings.length) this.#notices.notify('warning', `Opened with ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`, warnings);
    await this.#autosave.offer(session, source);
  }

  /** Elements slotted into `3d` get the session, so a 3D view shows the same structures. */
  #giveSessionToSlotted(): void {
    for (const el of this.querySelectorAll(':scope > [slot="3d"]')) {
      if ('session' in el) (el as { session: ViewerSession | null }).session = this.session;
    }
  }
}
