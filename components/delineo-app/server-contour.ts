import { html, nothing } from 'lit';
import { awaitServiceJob, ContourServiceClient, mergeAutoContours, readRtObjectsOntoCt, type CtSource, type DicomWebClient, type ViewerSession } from '../../src/index.ts';
import type { DelineoAutoContourDetail } from '../events/delineo-auto-contour.ts';
import { emit } from '../internal/emit.ts';
import type { JobController } from '../internal/job-controller.ts';
import type { AppModel } from './app-models.ts';

/** What the server part asks its host. */
export interface ServerContourOptions {
  /** The host's `contourServiceClient` and `contour-service`. */
  readonly configured: () => { readonly client: ContourServiceClient | null; readonly url: string | null };
  /** The DICOMweb client the CT came from, which the service stores the structure set into. */
  readonly pacs: () => DicomWebClient | null;
  /** The session shown now: a result for a CT no longer shown is dropped. */
  readonly current: () => ViewerSession | null;
  readonly jobs: JobController;
  readonly say: (text: string) => void;
  readonly show: (id: string) => void;
}

/**
 * "Auto-contour on server": the CT opened from the PACS is contoured by the auto-contouring service
 * (docs/service.md) instead of in the browser. The series is submitted to the service's HTTP front (`delineo api`),
 * the job is followed by polling as the host's job (the same progress row, Cancel and Escape as a local run), and
 * the structure set the service stored is retrieved from the PACS by WADO-RS and added for review exactly as a
 * local model's result (mergeAutoContours: AUTO structures, a re-run replaces the same model's unreviewed ones).
 * Cancel stops waiting; the server's job goes on, and a later run of the same series and model finds its result.
 */
export class ServerContour {
  readonly #host: HTMLElement;
  readonly #options: ServerContourOptions;
  #ownClient: ContourServiceClient | null = null;
  /** Sessions opened from the PACS, with the series they came from (the only ones the service can reach). */
  readonly #fromPacs = new WeakMap<ViewerSession, { studyInstanceUid: string; seriesInstanceUid: string }>();

  constructor(host: HTMLElement, options: ServerContourOptions) {
    this.#host = host;
    this.#options = options;
  }

  /** The service client in use: the configured one, else one on `contour-service`, else null. */
  get client(): ContourServiceClient | null {
    const { client, url } = this.#options.configured();
    if (client) return client;
    if (!url) return null;
    if (this.#ownClient?.baseUrl !== (url.endsWith('/') ? url : `${url}/`)) this.#ownClient = new ContourServiceClient({ baseUrl: url });
    return this.#ownClient;
  }

  /** A CT was opened: remembered when it came from the PACS. */
  opened(session: ViewerSession, source: CtSource | undefined): void {
    if (source?.kind === 'dicomweb') this.#fromPacs.set(session, { studyInstanceUid: source.studyInstanceUid, seriesInstanceUid: source.seriesInstanceUid });
  }

  /** Whether the session's CT can be contoured on the server. */
  available(session: ViewerSession | null): session is ViewerSession {
    return !!session && this.#fromPacs.has(session) && !!this.client && !!this.#options.pacs();
  }

  /** The button, when the service is configured and the CT came from the PACS. */
  render(session: ViewerSession | null, model: AppModel | undefined, busy: boolean) {
    if (!this.available(session)) return nothing;
    return html`<button part="server-run-button" ?disabled=${busy || !model} title="Contour this CT on the auto-contouring service; the structure set comes back from the PACS" @click=${() => void this.run(session, model!)}>Auto-contour on server</button>`;
  }

  /** Runs `model` on the service for the session's series and adds the structures it stored for review. */
  async run(session: ViewerSession, model: AppModel): Promise<void> {
    const client = this.client;
    const pacs = this.#options.pacs();
    const series = this.#fromPacs.get(session);
    if (!client || !pacs || !series) return;
    await this.#options.jobs.run('auto-contour', `Auto-contouring on server: ${model.name}`, async (signal, progress, finish) => {
      const started = performance.now();
      progress({ stage: 'server: submitting', done: 0, total: 0 });
      const submitted = await client.submit(series, model.id, { signal });
      const job = await awaitServiceJob(client, submitted.id, { signal, progress });
      progress({ stage: 'retrieving the structure set from PACS', done: 0, total: 1 });
      const { rtstruct } = job;
      const file = await pacs.retrieveInstance(rtstruct.studyInstanceUid, rtstruct.seriesInstanceUid, rtstruct.sopInstanceUid, { signal });
      if (this.#options.current() !== session) return; // another CT was opened meanwhile
      const read = readRtObjectsOntoCt([{ file: `RTSTRUCT ${rtstruct.seriesInstanceUid}`, kind: 'RTSTRUCT', bytes: new Uint8Array(file.data) }], session.volume, { structureSets: 'all' });
      if (read.refused.length) throw read.refused[0];
      // The file names its model only in words; the job knows it exactly, and the merge policy keys on it.
      const structures = read.structureSets.flatMap((s) => s.structures).map((s) => ({ ...s, provenance: { algorithm: 'AUTOMATIC' as const, source: job.model.id, version: job.model.version }, approved: false }));
      const merge = mergeAutoContours(session.store.state.structures, { id: job.model.id, name: model.name }, structures);
      const ids = session.store.addMany(merge.add, merge.label, merge.replace);
      const seconds = (performance.now() - started) / 1000;
      this.#options.say(`${ids.length} structure${ids.length === 1 ? '' : 's'} from ${model.name} on the server in ${seconds.toFixed(1)} s${merge.missing.length ? ` · nothing found for ${merge.missing.join(', ')}` : ''}: review each, then approve`);
      if (ids[0]) this.#options.show(ids[0]);
      const detail: DelineoAutoContourDetail = { modelId: job.model.id, modelVersion: job.model.version, structureIds: ids, replacedIds: [...merge.replace], provider: 'server', seconds, source: 'server', jobId: job.id };
      finish(() => emit(this.#host, 'delineo-auto-contour', detail));
    });
  }
}
