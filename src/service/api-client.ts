/**
 * The browser's side of `delineo api` (api.ts): submit a series to the auto-contouring service and wait for its
 * job through the Job contract (`signal`, `progress`). Browser-safe (fetch only), like job-id.ts, so the app can
 * use it; the answer types live here, their one home, and the Node server imports them.
 */
import { abortError, JobError, type JobOptions } from '../jobs/job.ts';
import type { SegmentJobProgress } from './job-id.ts';

/** A job as GET /jobs/:id answers it. */
export interface ServiceJob {
  readonly id: string;
  /** BullMQ's state: waiting, prioritized, delayed, active, completed, failed. */
  readonly state: string;
  /** The model and version the job runs. */
  readonly model: { readonly id: string; readonly version: string };
  readonly progress: SegmentJobProgress | null;
  readonly failedReason?: string;
  /** The stored structure set (a completed job that stored one, or found it stored by an earlier run). */
  readonly rtstruct?: { readonly studyInstanceUid: string; readonly seriesInstanceUid: string; readonly sopInstanceUid: string };
  /** Why a completed job did nothing (the series is not a CT). */
  readonly skipped?: string;
}

/** A model the service accepts jobs for (GET /models). */
export interface ServiceModel {
  readonly id: string;
  readonly version: string;
  readonly name: string;
}

/** Options of {@link ContourServiceClient}. */
export interface ContourServiceClientOptions {
  /** The API's root, e.g. 'https://contour.example.org/' (a relative root resolves against the page). */
  readonly baseUrl: string;
  /** Headers for every request, e.g. `() => ({ Authorization: 'Bearer …' })`; called per request, so a token can rotate. */
  readonly headers?: () => Record<string, string>;
}

/** The service refused a request, could not be reached, or its job failed; `code` says which. */
export class ContourServiceError extends JobError {
  override name = 'ContourServiceError';
}

/** A client of the service's HTTP front. */
export class ContourServiceClient {
  readonly baseUrl: string;
  readonly #headers: () => Record<string, string>;

  constructor(options: ContourServiceClientOptions) {
    this.baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.#headers = options.headers ?? (() => ({}));
  }

  /** Submits a series (idempotent: the same series and model give the same job). */
  async submit(series: { readonly studyInstanceUid: string; readonly seriesInstanceUid: string }, model: string, options: JobOptions = {}): Promise<{ id: string; state: string; created: boolean }> {
    const body = JSON.stringify({ studyInstanceUid: series.studyInstanceUid, seriesInstanceUid: series.seriesInstanceUid, model });
    return this.#request('jobs', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } }, options.signal);
  }

  /** The job's state, progress and result. */
  async job(id: string, options: JobOptions = {}): Promise<ServiceJob> {
    return this.#request(`jobs/${encodeURIComponent(id)}`, {}, options.signal);
  }

  /** The models the service runs. */
  async models(options: JobOptions = {}): Promise<readonly ServiceModel[]> {
    return (await this.#request<{ models: ServiceModel[] }>('models', {}, options.signal)).models;
  }

  async #request<T>(path: string, init: RequestInit, signal: AbortSignal | undefined): Promise<T> {
    const url = new URL(path, new URL(this.baseUrl, globalThis.location?.href)).href;
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers: { Accept: 'application/json', ...this.#headers(), ...(init.headers as Record<string, string>) }, ...(signal ? { signal } : {}) });
    } catch (e) {
      if (signal?.aborted) throw abortError(signal.reason);
      throw new ContourServiceError('network', `the contouring service at ${this.baseUrl} cannot be reached (${(e as Error)?.message ?? e})`, { cause: e });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (e) {
      if (signal?.aborted) throw abortError(signal.reason);
      throw new ContourServiceError('bad-response', `the contouring service answered ${response.status} without JSON (${url})`, { cause: e });
    }
    if (!response.ok) {
      const message = typeof (body as { error?: unknown })?.error === 'string' ? (body as { error: string }).error : `HTTP ${response.status}`;
      throw new ContourServiceError(response.status === 401 || response.status === 403 ? 'unauthorized' : 'http-error', `the contouring service refused: ${message}`);
    }
    return body as T;
  }
}

/** Options of {@link awaitServiceJob}. */
export interface AwaitServiceJobOptions extends JobOptions {
  /** First wait between polls in ms (default 1000). */
  readonly intervalMs?: number;
  /** The longest wait between polls (default 5000): the wait grows by half while nothing changes. */
  readonly maxIntervalMs?: number;
}

const STAGE_TEXT: Readonly<Record<string, string>> = { active: 'starting', waiting: 'waiting in the server queue', prioritized: 'waiting in the server queue', delayed: 'waiting to retry on the server' };

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal.reason));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal!.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Polls a job until it ends and resolves with it once completed with a structure set. Progress is the worker's
 * (stage in real units) while it runs, 'waiting in the server queue' before. A failed job rejects with its reason
 * (code 'job-failed'), a skipped one with why (code 'skipped'). Cancelling stops the waiting only: the server's
 * job goes on, and submitting the series again later finds it (or its result) at once.
 */
export async function awaitServiceJob(client: ContourServiceClient, id: string, options: AwaitServiceJobOptions = {}): Promise<ServiceJob & { rtstruct: NonNullable<ServiceJob['rtstruct']> }> {
  const { signal, progress } = options;
  const first = options.intervalMs ?? 1000;
  const max = options.maxIntervalMs ?? 5000;
  let wait = first;
  let last = '';
  for (;;) {
    const job = await client.job(id, signal ? { signal } : {});
    if (job.state === 'completed') {
      if (job.rtstruct) return job as ServiceJob & { rtstruct: NonNullable<ServiceJob['rtstruct']> };
      throw new ContourServiceError('skipped', `the service did not contour the series: ${job.skipped ?? 'it stored no structure set'}`);
    }
    if (job.state === 'failed') throw new ContourServiceError('job-failed', `the service's job failed: ${job.failedReason ?? 'no reason given'}`);
    const p = job.state === 'active' && job.progress ? job.progress : { stage: STAGE_TEXT[job.state] ?? job.state, done: 0, total: 0 };
    const seen = JSON.stringify([job.state, p]);
    if (seen !== last) {
      progress?.({ stage: `server: ${p.stage}`, done: p.done, total: p.total, ...(p.unit ? { unit: p.unit } : {}) });
      wait = first;
    } else wait = Math.min(max, Math.round(wait * 1.5));
    last = seen;
    await sleep(wait, signal);
  }
}
