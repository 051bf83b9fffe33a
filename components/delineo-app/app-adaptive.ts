import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import {
  abortError,
  createIoWorker,
  createRegistrationClient,
  importStructures,
  JobError,
  loadDicomWebSeries,
  propagateStructures,
  readRtObjectsOntoCt,
  warpMaskRigid,
  type DicomLoadResult,
  type DicomWebClient,
  type FileInput,
  type FusionDisplay,
  type FusionMode,
  type IoWorker,
  type ProgressCallback,
  type RegistrationClient,
  type RegistrationQuality,
  type VolumeChange,
  type ViewerSession,
} from '../../src/index.ts';
import '../delineo-dicomweb-browser/delineo-dicomweb-browser.ts';
import type { DelineoPropagateDetail } from '../events/delineo-propagate.ts';
import type { DelineoSeriesOpenEvent } from '../events/delineo-series-open.ts';
import type { ConfirmDialog } from '../internal/confirm.ts';
import { emit } from '../internal/emit.ts';
import type { JobController } from '../internal/job-controller.ts';
import { renderAdaptiveSection } from './adaptive-view.ts';

/** What the adaptive part asks its host. */
export interface AdaptiveOptions {
  readonly jobs: JobController;
  readonly confirm: ConfirmDialog;
  /** The session shown (the new CT). */
  readonly session: () => ViewerSession | null;
  /** The host's `image-io-url` (compressed planning CTs) and `elastix-url`. */
  readonly imageIoUrl: () => string;
  readonly elastixUrl: () => string;
  /** The DICOMweb client, when the app has one: the planning CT may come from the PACS. */
  readonly pacs: () => DicomWebClient | null;
  readonly say: (text: string) => void;
  /** Shows a structure (jumps to it). */
  readonly show: (id: string) => void;
}

/** The adaptive review shown: what was registered and propagated, and how the planning CT is fused. */
export interface AdaptiveReview {
  readonly session: ViewerSession;
  /** "<series description>, <date>" of the planning CT. */
  readonly reference: string;
  readonly volumes: readonly VolumeChange[];
  readonly quality: RegistrationQuality;
  readonly patientMismatch: boolean;
}

type Loader = (io: IoWorker, signal: AbortSignal, progress: ProgressCallback) => Promise<DicomLoadResult>;
type AdaptiveHost = ReactiveControllerHost & HTMLElement & { readonly renderRoot: ParentNode };

/** The fusion a new review starts with: a 50 % blend, 20 mm squares, ±300 HU, the planning contours drawn. */
const INITIAL_FUSION = { mode: 'blend' as FusionMode, blend: 0.5, checkerMm: 20, differenceHu: 300, showReferenceOutlines: true };

/**
 * Adaptive radiotherapy in the app (docs/adaptive.md): with the new CT open, "Adaptive → Load reference…" takes
 * the planning CT series and its RT Structure Set (files, a folder, a drop on the dialog, or the PACS), registers
 * the new CT (fixed) to the planning CT (moving) in the registration worker, and adds every planning structure
 * as AUTO with the provenance "propagated from <series>, <date>" — one undo step, so approve, edit, QA and
 * export apply unchanged. All of it is one job: progress per stage and resolution level, Cancel (button or
 * Escape) and failures leave the case as it was. Then the review: the planning CT fused over the new CT (blend,
 * checkerboard, difference), the planning contours dashed, the registration quality and each structure's volume
 * before → after, in a sidebar section.
 */
export class AppAdaptive implements ReactiveController {
  readonly #host: AdaptiveHost;
  readonly #options: AdaptiveOptions;
  #io: IoWorker | null = null;
  #registration: RegistrationClient | null = null;
  #registrationUrl = '';
  #review: AdaptiveReview | null = null;

  constructor(host: AdaptiveHost, options: AdaptiveOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** The review shown, or null (none yet, or another CT was opened since). */
  get review(): AdaptiveReview | null {
    const r = this.#review;
    return r && r.session === this.#options.session() ? r : null;
  }

  /** Loads a planning CT and its structure set from files, registers, propagates (see the class comment). */
  async loadReference(files: readonly FileInput[]): Promise<boolean> {
    this.#dialog()?.close();
    if (!files.length) return false;
    return this.#run((io, signal, progress) => io.loadDicom(files, { signal, progress }));
  }

  /** The same from a series on the DICOMweb server, with the RT Structure Sets of its study. */
  async loadReferenceFromPacs(ref: { readonly studyInstanceUid: string; readonly seriesInstanceUid: string }): Promise<boolean> {
    this.#dialog()?.close();
    const client = this.#options.pacs();
    if (!client) throw new Error('no DICOMweb server is configured (dicomweb-url)');
    return this.#run(async (io, signal, progress) => {
      const rtSeries = await client.searchSeries(ref.studyInstanceUid, { Modality: 'RTSTRUCT' }, { signal });
      const structureSets = (await Promise.all(rtSeries.map((s) => client.retrieveSeries(ref.studyInstanceUid, s.seriesInstanceUid, { signal })))).flat();
      return loadDicomWebSeries(client, ref, { signal, progress, loader: (files, o) => io.loadDicom([...files, ...structureSets], o) });
    });
  }

  /** Shows the "Load reference" dialog. */
  openDialog(): void {
    this.#dialog()?.showModal();
  }

  /** Changes how the planning CT is shown (the section's controls call this; a portal may too). */
  setFusion(change: Partial<Pick<FusionDisplay, 'mode' | 'blend' | 'checkerMm' | 'showReferenceOutlines'>>): void {
    const session = this.review?.session;
    const fusion = session?.fusion;
    if (!session || !fusion) return;
    const next = { ...fusion, ...change };
    session.setFusion({ ...next, blend: Math.min(1, Math.max(0, next.blend)), checkerMm: Math.min(200, Math.max(2, next.checkerMm || 20)) });
    const f = session.fusion!;
    emit(this.#host, 'delineo-fusion-change', { mode: f.mode, blendPercent: Math.round(f.blend * 100), checkerMm: f.checkerMm, referenceContours: f.showReferenceOutlines });
    this.#host.requestUpdate();
  }

  /** Ends the review view: the fusion goes; the propagated structures stay. */
  close(): void {
    this.review?.session.setFusion(null);
    this.#review = null;
    this.#host.requestUpdate();
  }

  hostDisconnected(): void {
    this.#io?.dispose();
    this.#io = null;
    this.#registration?.dispose();
    this.#registration = null;
  }

  /** The sidebar section of the review; nothing without one. */
  render() {
    const review = this.review;
    const fusion = review?.session.fusion;
    if (!review || !fusion) return nothing;
    return renderAdaptiveSection(review, fusion, { set: (c) => this.setFusion(c), close: () => this.close() });
  }

  /** The "Load reference" dialog: files, folder, drop, PACS. */
  renderDialog() {
    const client = this.#options.pacs();
    const pick = (e: Event) => {
      const input = e.target as HTMLInputElement;
      const files = [...(input.files ?? [])];
      input.value = '';
      void this.loadReference(files);
    };
    return html`<dialog part="adaptive-dialog" class="adaptive-dialog" aria-label="Load the planning CT">
      <h2>Adaptive: load the planning CT</h2>
      <p>The planning CT series with its RT Structure Set. The CT shown is registered to it, and every planning structure is added here as AUTO for review.</p>
      <div class="adaptive-drop" @dragover=${(e: DragEvent) => e.preventDefault()} @drop=${(e: DragEvent) => void this.#onDrop(e)}>
        <button part="adaptive-files" @click=${() => this.#pick('files')}>Files…</button>
        <button part="adaptive-folder" @click=${() => this.#pick('folder')}>Folder…</button>
        <input type="file" multiple hidden data-reference="files" @change=${pick} />
        <input type="file" multiple webkitdirectory hidden data-reference="folder" @change=${pick} />
        <span>or drop them here</span>
      </div>
      ${client ? html`<details><summary>From PACS…</summary><delineo-dicomweb-browser .client=${client} @delineo-series-open=${(e: DelineoSeriesOpenEvent) => (e.stopPropagation(), void this.loadReferenceFromPacs(e.detail))}></delineo-dicomweb-browser></details>` : nothing}
      <form method="dialog"><button>Cancel</button></form>
    </dialog>`;
  }

  #pick(kind: 'files' | 'folder'): void {
    this.#host.renderRoot.querySelector<HTMLInputElement>(`input[data-reference="${kind}"]`)?.click();
  }

  async #onDrop(e: DragEvent): Promise<void> {
    e.preventDefault();
    e.stopPropagation(); // not the app's drop, which would open the files as a new CT
    await this.loadReference([...(e.dataTransfer?.files ?? [])]);
  }

  /**
   * The job: load, check, register, propagate, then (only then) change the case. `load` reads the planning CT with
   * the files beside it. Resolves true when the structures were added.
   */
  async #run(load: Loader): Promise<boolean> {
    const session = this.#options.session();
    if (!session) return false;
    const done = await this.#options.jobs.run('propagate', 'Adaptive: registering to the planning CT', async (signal, progress, finish) => {
      const started = performance.now();
      const loaded = await load(this.#ioWorker(), signal, progress);
      if (loaded.kind !== 'volume')
        throw new JobError('several-series', `the files hold ${loaded.allSeries.length} image series (${loaded.allSeries.map((s) => `${s.modality} ${s.seriesDescription || s.seriesInstanceUid}`).join('; ')}): load the planning CT's series alone, with its RT Structure Set`);
      const reference = loaded.volume;
      const read = readRtObjectsOntoCt(loaded.rtObjects, reference, { structureSets: 'choose' });
      const set = read.structureSets[0];
      if (!set?.structures.length)
        throw new JobError('no-structure-set', `no RT Structure Set drawn on the planning CT ${reference.name || ''} was found among the files${read.refused.length ? ` (${read.refused.map((e) => e.message).join('; ')})` : ''}: load the planning CT with its RTSTRUCT`.replace('  ', ' '));
      const refId = reference.identity;
      const newId = session.volume.identity;
      const patientMismatch = (refId.patientId ?? '') !== (newId.patientId ?? '');
      if (patientMismatch) {
        const ok = await this.#options.confirm.ask(
          `The planning CT and the CT shown name different patients: PatientID “${refId.patientId ?? ''}” and “${newId.patientId ?? ''}”.`,
          ['Register them only if they are the same person (a new patient ID, a merged record).', 'Structures of another patient must never be used.'],
          'Register anyway',
          'Cancel',
        );
        if (!ok) throw abortError();
      }
      const client = this.#registrationClient();
      const registered = await client.register(session.volume, reference, 'rigid', { signal, progress });
      const series = refId.seriesDescription || `CT series ${refId.seriesNumber ?? refId.seriesInstanceUid ?? ''}`.trim();
      const date = refId.studyDate ?? '';
      const { structures, volumes } = await propagateStructures(
        { structures: set.structures, reference: reference.geometry, target: session.volume.geometry, transform: registered.transform, source: { series, date } },
        { signal, progress },
      );
      if (this.#options.session() !== session) return false; // another CT was opened meanwhile
      // The planning contours for comparison: mapped by the rigid part (the same masks as propagated while the
      // registration is rigid; with a deformation, the difference shows what the deformation moved).
      const outlines = registered.transform.deformation
        ? set.structures.map((s) => ({ name: s.name, color: s.color, mask: warpMaskRigid(s.mask, reference.geometry, session.volume.geometry, registered.transform.rigid) }))
        : structures.map((s) => ({ name: s.name, color: s.color, mask: s.mask.clone() }));
      const merge = importStructures(session.store.state.structures, structures, series);
      const ids = session.store.addMany(merge.add, `Propagate ${structures.length} structure${structures.length === 1 ? '' : 's'} from ${series}${date ? `, ${date}` : ''}`);
      session.setFusion({ ...INITIAL_FUSION, reference, transform: registered.transform, referenceOutlines: outlines });
      const label = `${series}${date ? `, ${date}` : ''}`;
      this.#review = { session, reference: label, volumes, quality: registered.quality, patientMismatch };
      const q = registered.quality;
      this.#options.say(`${ids.length} structures propagated from ${label}: mean |ΔHU| in the body ${q.meanAbsHuBefore.toFixed(0)} → ${q.meanAbsHuAfter.toFixed(0)} HU; review each, then approve`);
      if (ids[0]) this.#options.show(ids[0]);
      const detail: DelineoPropagateDetail = {
        reference: { seriesInstanceUid: refId.seriesInstanceUid ?? null, seriesDescription: refId.seriesDescription ?? '', studyDate: date, patientId: refId.patientId ?? '' },
        patientMismatch,
        structureIds: ids,
        volumes: volumes.map((v) => ({ ...v })),
        rigid: [...registered.transform.rigid],
        mode: registered.transform.mode,
        meanAbsHuBefore: q.meanAbsHuBefore,
        meanAbsHuAfter: q.meanAbsHuAfter,
        jacobian: q.jacobian ? { min: q.jacobian.min, max: q.jacobian.max, foldingVoxels: q.jacobian.foldingVoxels } : null,
        seconds: (performance.now() - started) / 1000,
      };
      finish(() => emit(this.#host, 'delineo-propagate', detail));
      return true;
    });
    this.#host.requestUpdate();
    return done === true;
  }

  #ioWorker(): IoWorker {
    this.#io ??= createIoWorker({ pipelinesBaseUrl: this.#options.imageIoUrl() });
    return this.#io;
  }

  /** The registration worker for the current `elastix-url` (a changed URL gets a fresh worker). */
  #registrationClient(): RegistrationClient {
    const url = this.#options.elastixUrl();
    if (this.#registration && this.#registrationUrl !== url) {
      this.#registration.dispose();
      this.#registration = null;
    }
    this.#registration ??= createRegistrationClient({ pipelinesBaseUrl: url });
    this.#registrationUrl = url;
    return this.#registration;
  }

  #dialog(): HTMLDialogElement | null {
    return this.#host.renderRoot.querySelector<HTMLDialogElement>('dialog[part="adaptive-dialog"]');
  }
}
