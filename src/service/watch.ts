/**
 * The PACS watcher: polls QIDO-RS for CT series and submits each once it is stable — no new instance for the
 * settle time, because a scanner sends a series one instance at a time and a job started halfway would contour
 * half a CT. What it has seen and submitted lives in Redis (queue.ts, WatchState), so a restarted watcher neither
 * resubmits nor forgets how long a series has been settling; the job id's idempotency is the second guard.
 * Node-only.
 */
import { DicomWebClient } from '../io/dicomweb/client.ts';
import { readManifest } from '../inference/segment-node.ts';
import { authorizationFromEnvironment, retryingFetch, type RetryPolicy } from './http.ts';
import { ServiceQueue, WatchState, type SubmitOptions } from './queue.ts';

/** Options of {@link watchPacs}. */
export interface WatchOptions {
  readonly redis: string;
  readonly dicomweb: string;
  readonly queue: string;
  readonly modelId: string;
  readonly modelsDir?: string;
  /** Seconds between polls (default 30). */
  readonly intervalS?: number;
  /** Seconds a series must keep its instance count before it is submitted (default 60). */
  readonly settleS?: number;
  readonly http?: Omit<RetryPolicy, 'onRetry'>;
  readonly submit?: SubmitOptions;
  readonly log?: (line: string) => void;
  /** Stops the loop (after the current poll). */
  readonly signal?: AbortSignal;
}

/** What one poll did. */
export interface PollReport {
  readonly series: number;
  readonly submitted: readonly string[];
  readonly settling: number;
}

/** Polls until `signal` aborts; resolves then. A poll that fails (PACS or Redis down) is logged and retried at the next interval. */
export async function watchPacs(options: WatchOptions): Promise<void> {
  const log = options.log ?? (() => {});
  const { manifest } = await readManifest(options.modelId, options.modelsDir);
  const headers = authorizationFromEnvironment();
  const client = new DicomWebClient({ baseUrl: options.dicomweb, fetch: retryingFetch(options.http ?? {}), ...(headers ? { headers } : {}) });
  const queue = new ServiceQueue(options.redis, options.queue);
  const state = new WatchState(options.redis, options.queue, options.modelId);
  const intervalMs = (options.intervalS ?? 30) * 1000;
  const settleMs = (options.settleS ?? 60) * 1000;
  log(`watching ${options.dicomweb} for CT series: ${manifest.id} ${manifest.version}, queue ${options.queue}, settle ${settleMs / 1000} s`);
  let polls = 0;
  try {
    while (!options.signal?.aborted) {
      try {
        const r = await pollOnce(client, queue, state, manifest.id, manifest.version, settleMs, options.submit ?? {}, log);
        // The first poll after a start always reports, so an operator sees what a restarted watcher found.
        const first = polls++ === 0;
        if (r.submitted.length || first) log(`poll: ${r.series} CT series, ${r.submitted.length} submitted, ${r.settling} settling`);
      } catch (e) {
        log(`poll failed, trying again in ${intervalMs / 1000} s: ${(e as Error)?.message ?? e}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs);
        options.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  } finally {
    await queue.close();
    await state.close();
  }
}

/** One poll: list CT series, update what is remembered, submit what has settled. */
export async function pollOnce(client: DicomWebClient, queue: ServiceQueue, state: WatchState, modelId: string, modelVersion: string, settleMs: number, submit: SubmitOptions, log: (line: string) => void): Promise<PollReport> {
  const now = Date.now();
  const found = await client.searchSeries(undefined, { Modality: 'CT', includefield: ['0020000D', '00201209'] });
  const known = await state.all();
  const submitted: string[] = [];
  let settling = 0;
  for (const s of found) {
    if (!s.seriesInstanceUid || !s.studyInstanceUid) continue;
    const instances = s.numberOfInstances ?? 0;
    const seen = known.get(s.seriesInstanceUid);
    if (seen?.submittedAt) continue;
    if (!seen || seen.instances !== instances) {
      await state.set(s.seriesInstanceUid, { studyInstanceUid: s.studyInstanceUid, instances, changedAt: now });
      settling++;
      continue;
    }
    if (now - seen.changedAt < settleMs) {
      settling++;
      continue;
    }
    const r = await queue.submit({ studyInstanceUid: s.studyInstanceUid, seriesInstanceUid: s.seriesInstanceUid, modelId, modelVersion }, submit);
    await state.set(s.seriesInstanceUid, { ...seen, submittedAt: now });
    log(`series ${s.seriesInstanceUid} (${instances} instances, stable ${Math.round((now - seen.changedAt) / 1000)} s): ${r.created ? 'submitted' : `already queued (${r.state})`} as ${r.jobId}`);
    submitted.push(r.jobId);
  }
  return { series: found.length, submitted, settling };
}
