/**
 * The service's queue on Redis: the only module that imports bullmq and ioredis (STYLE.md, rooms). BullMQ brings
 * what a multi-machine service needs and Delineo should not re-invent: atomic job ids (idempotent submits),
 * retries with back-off, locks renewed while a job runs and stalled-job recovery when a worker dies, concurrency,
 * and any number of workers on any number of machines sharing one Redis. Node-only.
 */
import { Queue, UnrecoverableError, Worker, type Job, type JobType } from 'bullmq';
import { Redis } from 'ioredis';
import { segmentJobId, type SegmentJobData, type SegmentJobProgress, type SegmentJobResult } from './job-id.ts';

export { UnrecoverableError };
export type QueueJob = Job<SegmentJobData, SegmentJobResult>;

/** A Redis that fails a command after a few tries (producers, the jobs command). */
function redis(url: string, waitForever: boolean): Redis {
  return new Redis(url, {
    // BullMQ's workers block on Redis and must wait out a Redis restart instead of failing commands.
    maxRetriesPerRequest: waitForever ? null : 3,
    retryStrategy: (times) => Math.min(200 * 2 ** times, 5000),
    lazyConnect: false,
  });
}

/** Job options every submit uses: retries with exponential back-off, and how long finished jobs are kept. */
export interface SubmitOptions {
  /** Attempts in all (default 3). */
  readonly attempts?: number;
  /** First back-off between attempts in ms, doubled each time (default 30 000). */
  readonly backoffMs?: number;
  /** Lower runs first (BullMQ priority; default none). */
  readonly priority?: number;
}

/** What a submit found or did. */
export interface SubmitResult {
  readonly jobId: string;
  /** False when a job with this id already existed (nothing added). */
  readonly created: boolean;
  /** The job's state after the submit. */
  readonly state: string;
  /** True when a failed job was put back to run again. */
  readonly retried: boolean;
}

/** The state of a queue, for `delineo jobs`. */
export interface QueueSummary {
  readonly counts: Readonly<Record<string, number>>;
  readonly failures: readonly { id: string; reason: string; attempts: number; finishedOn?: number }[];
  readonly skipped: readonly { id: string; reason: string }[];
}

/** The job queue (the producer side). */
export class ServiceQueue {
  readonly name: string;
  readonly queue: Queue<SegmentJobData, SegmentJobResult>;
  readonly connection: Redis;

  constructor(redisUrl: string, name: string) {
    this.name = name;
    this.connection = redis(redisUrl, false);
    this.queue = new Queue<SegmentJobData, SegmentJobResult>(name, { connection: this.connection });
  }

  /**
   * Queues a series once: the job id derives from series, model and model version, so a second submit finds the
   * job instead of adding one. `retryFailed` puts a failed job back (an operator's explicit re-submit after fixing
   * the cause); a watcher never does.
   */
  async submit(data: SegmentJobData, options: SubmitOptions & { retryFailed?: boolean } = {}): Promise<SubmitResult> {
    const jobId = segmentJobId(data);
    const existing = await this.queue.getJob(jobId);
    if (existing) {
      let state = await existing.getState();
      let retried = false;
      if (state === 'failed' && options.retryFailed) {
        await existing.retry('failed');
        state = await existing.getState();
        retried = true;
      }
      return { jobId, created: false, state, retried };
    }
    const job = await this.queue.add('autocontour', data, {
      jobId,
      attempts: options.attempts ?? 3,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 30_000 },
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
      // Completed jobs are kept a month: their ids are what makes a re-submit a no-op (after that, the RTSTRUCT's
      // deterministic UIDs still prevent a duplicate, at the cost of one query). Failures stay for inspection.
      removeOnComplete: { age: 30 * 24 * 3600 },
      removeOnFail: { age: 90 * 24 * 3600 },
    });
    return { jobId, created: true, state: await job.getState(), retried: false };
  }

  /** A job by id, with what it was asked (its data), its state, progress, result or failure. */
  async job(jobId: string): Promise<{ data: SegmentJobData; state: string; progress: SegmentJobProgress | undefined; result: SegmentJobResult | undefined; failedReason: string | undefined; attemptsMade: number } | undefined> {
    const job = await this.queue.getJob(jobId);
    if (!job) return undefined;
    const progress = typeof job.progress === 'object' && job.progress !== null ? (job.progress as unknown as SegmentJobProgress) : undefined;
    return { data: job.data, state: await job.getState(), progress, result: job.returnvalue ?? undefined, failedReason: job.failedReason || undefined, attemptsMade: job.attemptsMade };
  }

  /** Counts by state, the last `last` failures with their reasons, and the last series skipped. */
  async summary(last = 10): Promise<QueueSummary> {
    const states: JobType[] = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'];
    const counts = await this.queue.getJobCounts(...states);
    const failed = (await this.queue.getJobs(['failed'], 0, last - 1, false)) as QueueJob[];
    const completed = (await this.queue.getJobs(['completed'], 0, 199, false)) as QueueJob[];
    return {
      counts,
      failures: failed.map((j) => ({ id: j.id ?? '', reason: j.failedReason, attempts: j.attemptsMade, ...(j.finishedOn ? { finishedOn: j.finishedOn } : {}) })),
      skipped: completed
        .filter((j) => j.returnvalue?.status === 'skipped')
        .slice(0, last)
        .map((j) => ({ id: j.id ?? '', reason: j.returnvalue.status === 'skipped' ? j.returnvalue.reason : '' })),
    };
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}

/** BullMQ worker settings the service exposes (see docs/service.md for the production values and the bound). */
export interface QueueWorkerOptions {
  readonly concurrency: number;
  /** How long a job's lock lives without renewal (ms; BullMQ default 30 000). */
  readonly lockDurationMs?: number;
  /** How often each worker looks for stalled jobs (ms; BullMQ default 30 000). */
  readonly stalledIntervalMs?: number;
  /** How often one job may stall before it fails instead of being run again (default 2). */
  readonly maxStalledCount?: number;
}

/** A running consumer; `close()` lets the current jobs finish, then disconnects. */
export interface QueueConsumer {
  readonly worker: Worker<SegmentJobData, SegmentJobResult>;
  close(): Promise<void>;
}

/** Starts consuming the queue `name` with `processor`. */
export function consumeQueue(
  redisUrl: string,
  name: string,
  processor: (job: QueueJob, signal: AbortSignal | undefined) => Promise<SegmentJobResult>,
  options: QueueWorkerOptions,
): QueueConsumer {
  const connection = redis(redisUrl, true);
  const worker = new Worker<SegmentJobData, SegmentJobResult>(name, (job, _token, signal) => processor(job, signal), {
    connection,
    concurrency: options.concurrency,
    ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
    maxStalledCount: options.maxStalledCount ?? 2,
  });
  return {
    worker,
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}

/** What the watcher remembers of one series. */
export interface WatchedSeries {
  readonly studyInstanceUid: string;
  /** Instances seen at the last poll. */
  readonly instances: number;
  /** When the instance count last changed (ms since the epoch). */
  readonly changedAt: number;
  /** When it was submitted; absent while it is still settling. */
  readonly submittedAt?: number;
}

/**
 * The watcher's memory in Redis (one hash per queue and model): a restarted watcher, or a second one, knows what
 * was already submitted and how long each series has been stable.
 */
export class WatchState {
  private readonly key: string;
  readonly connection: Redis;

  constructor(redisUrl: string, queueName: string, modelId: string) {
    this.connection = redis(redisUrl, false);
    this.key = `delineo:watch:${queueName}:${modelId}`;
  }

  async all(): Promise<Map<string, WatchedSeries>> {
    const raw = await this.connection.hgetall(this.key);
    return new Map(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as WatchedSeries]));
  }

  async set(seriesInstanceUid: string, value: WatchedSeries): Promise<void> {
    await this.connection.hset(this.key, seriesInstanceUid, JSON.stringify(value));
  }

  async close(): Promise<void> {
    this.connection.disconnect();
  }
}
