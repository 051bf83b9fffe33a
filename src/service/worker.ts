/**
 * The auto-contouring worker: takes jobs from the queue and runs each in one of `concurrency` worker threads
 * (process-series.ts), reporting the job's progress to the queue. Failures that a retry can fix (the PACS
 * unreachable or answering 5xx, a thread that crashed) go back to BullMQ's retries with back-off; every other
 * failure (not a CT the model accepts, a missing series, a model version this worker lacks) fails the job at
 * once with its message. Node-only.
 */
import { Worker as Thread } from 'node:worker_threads';
import { createWorkerClient, type WorkerClient } from '../jobs/worker-rpc.ts';
import { nodeWorkerEndpoint } from '../jobs/node-worker.ts';
import { consumeQueue, UnrecoverableError, type QueueConsumer, type QueueJob, type QueueWorkerOptions } from './queue.ts';
import type { ProcessSeriesInput } from './process-series.ts';
import type { SegmentSeriesApi } from './segment-series.worker.ts';
import type { SegmentJobResult } from './job-id.ts';

/** Options of {@link startWorker}. */
export interface ServiceWorkerOptions extends QueueWorkerOptions {
  readonly redis: string;
  readonly queue: string;
  readonly dicomweb: string;
  readonly http?: ProcessSeriesInput['http'];
  /** ONNX Runtime threads per job (default 1). */
  readonly threads?: number;
  readonly modelsDir?: string;
  /** One line per event (job started, finished, failed, retried). */
  readonly log?: (line: string) => void;
}

/** Failures a later attempt may not meet: the network and the PACS's own troubles. */
function retryable(e: unknown): boolean {
  const { name, code, status } = (e ?? {}) as { name?: string; code?: string; status?: number };
  if (name === 'WorkerError') return true;
  if (name !== 'DicomWebError') return false;
  return code === 'network' || code === 'bad-response' || (code === 'http-error' && (status === undefined || status >= 500 || status === 429 || status === 408));
}

/** Starts the segmentation thread; in a checkout the .ts source runs through tsx, as bin/delineo.js does. */
function spawnThread() {
  const source = new URL('./segment-series.worker.ts', import.meta.url);
  if (import.meta.url.endsWith('.ts')) {
    // Node 20 ignores loaders for a worker's entry module (nodejs/node#47747): register tsx inside the thread.
    const tsx = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source.href)}); });`;
    return nodeWorkerEndpoint(new Thread(code, { eval: true }));
  }
  return nodeWorkerEndpoint(new Thread(new URL('./segment-series.worker.js', import.meta.url)));
}

/** A running worker; `close()` finishes the jobs in hand, then stops the threads and disconnects. */
export interface ServiceWorker {
  readonly consumer: QueueConsumer;
  close(): Promise<void>;
}

/** Starts a worker; see the module comment. */
export function startWorker(options: ServiceWorkerOptions): ServiceWorker {
  const log = options.log ?? (() => {});
  const idle: WorkerClient<SegmentSeriesApi>[] = [];
  const all: WorkerClient<SegmentSeriesApi>[] = [];
  const take = () => {
    const c = idle.pop() ?? createWorkerClient<SegmentSeriesApi>(spawnThread);
    if (!all.includes(c)) all.push(c);
    return c;
  };
  const processor = async (job: QueueJob, signal: AbortSignal | undefined): Promise<SegmentJobResult> => {
    const d = job.data;
    log(`job ${job.id}: started (attempt ${job.attemptsMade + 1}) — ${d.modelId} ${d.modelVersion} on series ${d.seriesInstanceUid}`);
    const client = take();
    try {
      const input: ProcessSeriesInput = {
        job: d,
        dicomweb: options.dicomweb,
        ...(options.http ? { http: options.http } : {}),
        threads: options.threads ?? 1,
        ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}),
      };
      const result = await client.call('processSeries', input, {
        ...(signal ? { signal } : {}),
        hardCancel: true,
        progress: (p) => void job.updateProgress({ ...p }).catch(() => {}),
      });
      log(`job ${job.id}: ${result.status}${result.status === 'skipped' ? ` — ${result.reason}` : ` — RTSTRUCT series ${result.rtstructSeriesUid}${result.structures.length ? ` (${result.structures.join(', ')})` : ''}`}`);
      return result;
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      if (retryable(e)) {
        log(`job ${job.id}: failed, may be retried — ${message}`);
        throw e;
      }
      log(`job ${job.id}: failed — ${message}`);
      throw new UnrecoverableError(message);
    } finally {
      idle.push(client);
    }
  };
  const consumer = consumeQueue(options.redis, options.queue, processor, options);
  consumer.worker.on('error', (e) => log(`queue: ${e.message}`));
  return {
    consumer,
    async close() {
      await consumer.close();
      for (const c of all) c.dispose();
    },
  };
}
