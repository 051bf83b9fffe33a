/**
 * The auto-contouring service's commands: `delineo worker`, `submit`, `watch` and `jobs` — thin shells over
 * src/service (docs/service.md). Node-only.
 *
 * Exit codes: 0 done (a worker or watcher stopped by SIGTERM/SIGINT after finishing its current work), 1 the job
 * or the service failed (the message says which series and why), 2 a malformed command line.
 */
import { parseArgs } from 'node:util';
import { readManifest } from '../inference/segment-node.ts';
import { DEFAULT_QUEUE, segmentJobId } from '../service/job-id.ts';
import { AUTH_ENV, AUTH_FILE_ENV, authorizationFromEnvironment } from '../service/http.ts';
import { consoleIo, failure, UsageError } from './common.ts';
import type { CommandIo } from './phantom.ts';

const REDIS_ENV = 'DELINEO_REDIS_URL';

const CONNECTION_HELP = `  --redis <url>        Redis, e.g. redis://queue-host:6379 (or ${REDIS_ENV}; put a password there, not here)
  --queue <name>       queue name (default ${DEFAULT_QUEUE})`;

const AUTH_HELP = `The PACS's Authorization header comes from ${AUTH_ENV} (the header value) or ${AUTH_FILE_ENV} (a file holding
it, re-read before each request), never from the command line, which other users see in \`ps\`. For https with a
private CA, point NODE_EXTRA_CA_CERTS at the CA's PEM file.`;

export const WORKER_USAGE = `Usage: delineo worker --redis <url> --dicomweb <root> [options]

Takes auto-contouring jobs from the queue: retrieves each CT series by WADO-RS, runs the model, stores the RT
Structure Set into the same study by STOW-RS. SIGTERM finishes the jobs in hand, then exits.

${CONNECTION_HELP}
  --dicomweb <root>    the PACS's DICOMweb root, e.g. https://pacs/dicom-web
  --concurrency <n>    jobs at once, one worker thread each (default 1; about one per core)
  --threads <n>        ONNX Runtime threads per job (default 1)
  --lock-ms <ms>       job lock duration (default 30000); a dead worker's job is taken over within
                       lock + 2 × stalled interval (docs/service.md)
  --stalled-ms <ms>    how often to look for jobs of dead workers (default 30000)
  --http-retries <n>   retries of one DICOMweb request, exponential back-off from 0.5 s (default 4)
  --http-timeout <s>   time limit of one DICOMweb request, body included (default 300)
  -h, --help           show this help

${AUTH_HELP}`;

export const SUBMIT_USAGE = `Usage: delineo submit --redis <url> --study <StudyInstanceUID> --series <SeriesInstanceUID> --model <id> [--wait]

Queues one series for auto-contouring. Idempotent: the job id derives from the series, the model and the model's
version, so submitting again reports the existing job instead of adding one (a failed job is put back to run).

${CONNECTION_HELP}
  --study <uid>        the study the RT Structure Set is stored into
  --series <uid>       the CT series
  --model <id>         a model id (hn-oar, hn-target-proposal, ct-external-lungs-bones)
  --wait               wait until the job finishes, printing its progress; exit 1 if it failed
  --attempts <n>       attempts before the job fails (default 3)
  --backoff <s>        first wait before a retry, doubled each time (default 30)
  -h, --help           show this help`;

export const WATCH_USAGE = `Usage: delineo watch --redis <url> --dicomweb <root> --model <id> [options]

Polls the PACS by QIDO-RS for CT series and submits each once it is stable (no new instance for the settle time).
Remembers what it has seen in Redis: a restart does not resubmit.

${CONNECTION_HELP}
  --dicomweb <root>    the PACS's DICOMweb root
  --model <id>         the model to run on every new CT series
  --interval <s>       seconds between polls (default 30)
  --settle <s>         seconds without a new instance before a series counts as complete (default 60)
  --attempts <n>       attempts of each job (default 3)
  --backoff <s>        first wait before a retry (default 30)
  --http-retries <n>   retries of one DICOMweb request (default 4)
  --http-timeout <s>   time limit of one DICOMweb request (default 300)
  -h, --help           show this help

${AUTH_HELP}`;

export const API_USAGE = `Usage: delineo api --redis <url> --port <n> --model <id> [--model <id> …] [options]

The service's HTTP front for browsers (the app's "Auto-contour on server"): POST /jobs submits a series (the same
idempotent job as \`delineo submit\`), GET /jobs/:id reports its state, progress and the stored RTSTRUCT,
GET /models lists the models accepted. Listens on loopback unless --host says otherwise; put a TLS reverse proxy
in front of it (docs/service.md).

${CONNECTION_HELP}
  --port <n>           TCP port (0: any free port, printed)
  --host <address>     address to listen on (default 127.0.0.1)
  --model <id>         a model clients may ask for (repeat for several); the workers must run the same versions
  --allow-origin <o>   the one origin (e.g. https://portal.example.org) whose pages may call the API (CORS)
  -h, --help           show this help

Clients must send "Authorization: Bearer <token>" when DELINEO_API_TOKEN holds the token or
DELINEO_API_TOKEN_FILE names a file holding it (re-read on every request); never on the command line.`;

export const JOBS_USAGE = `Usage: delineo jobs --redis <url> [--queue <name>] [--last <n>]

Counts of the queue's jobs by state, the last failures with their reasons, and the last series skipped.

${CONNECTION_HELP}
  --last <n>           how many failures and skips to list (default 10)
  -h, --help           show this help`;

const common = { redis: { type: 'string' }, queue: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

function positive(name: string, v: string | undefined, integer = true): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n)))) throw new UsageError(`--${name} needs a positive ${integer ? 'integer' : 'number'}, got "${v}"`);
  return n;
}

function redisUrl(v: string | undefined): string {
  const url = v ?? process.env[REDIS_ENV];
  if (!url) throw new UsageError(`--redis (or ${REDIS_ENV}) is required`);
  if (!/^rediss?:\/\//.test(url)) throw new UsageError(`--redis must be a redis:// or rediss:// URL, got "${url.replace(/\/\/[^@/]*@/, '//…@')}"`);
  return url;
}

function http(values: { 'http-retries'?: string; 'http-timeout'?: string }) {
  const retries = values['http-retries'] === '0' ? 0 : positive('http-retries', values['http-retries']);
  const timeout = positive('http-timeout', values['http-timeout'], false);
  return { ...(retries !== undefined ? { retries } : {}), ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}) };
}

/** Runs until SIGTERM or SIGINT, then calls `stop` and resolves. */
function untilSignal(stop: () => Promise<void>, io: CommandIo): Promise<void> {
  return new Promise((resolve, reject) => {
    const on = (sig: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      io.log(`${sig}: finishing the work in hand, then exiting`);
      stop().then(resolve, reject);
    };
    const onTerm = () => on('SIGTERM');
    const onInt = () => on('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}

function parse(command: string, usage: string, argv: readonly string[], options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>, io: CommandIo) {
  try {
    const { values } = parseArgs({ args: [...argv], options: { ...common, ...options }, strict: true });
    return values as Record<string, string | boolean | string[] | undefined>;
  } catch (e) {
    io.error(`delineo ${command}: ${(e as Error).message}\n\n${usage}`);
    return undefined;
  }
}

/** `delineo worker`. */
export async function workerCommand(argv: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  const v = parse('worker', WORKER_USAGE, argv, { dicomweb: { type: 'string' }, concurrency: { type: 'string' }, threads: { type: 'string' }, 'lock-ms': { type: 'string' }, 'stalled-ms': { type: 'string' }, 'http-retries': { type: 'string' }, 'http-timeout': { type: 'string' } }, io);
  if (!v) return 2;
  if (v.help) return io.log(WORKER_USAGE), 0;
  let options;
  try {
    if (!v.dicomweb) throw new UsageError('--dicomweb is required');
    const lock = positive('lock-ms', v['lock-ms'] as string | undefined);
    const stalled = positive('stalled-ms', v['stalled-ms'] as string | undefined);
    options = {
      redis: redisUrl(v.redis as string | undefined),
      queue: (v.queue as string | undefined) ?? DEFAULT_QUEUE,
      dicomweb: v.dicomweb as string,
      concurrency: positive('concurrency', v.concurrency as string | undefined) ?? 1,
      threads: positive('threads', v.threads as string | undefined) ?? 1,
      http: http(v as never),
      ...(lock ? { lockDurationMs: lock } : {}),
      ...(stalled ? { stalledIntervalMs: stalled } : {}),
    };
    authorizationFromEnvironment();
  } catch (e) {
    if (e instanceof UsageError) return io.error(`delineo worker: ${e.message}\n\n${WORKER_USAGE}`), 2;
    return failure('worker', e, io);
  }
  const { startWorker } = await import('../service/worker.ts');
  const worker = startWorker({ ...options, log: (l) => io.log(l) });
  await worker.consumer.worker.waitUntilReady();
  io.log(`worker ready: queue ${options.queue}, ${options.concurrency} at once, PACS ${options.dicomweb}`);
  await untilSignal(() => worker.close(), io);
  return 0;
}

/** `delineo submit`. */
export async function submitCommand(argv: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  const v = parse('submit', SUBMIT_USAGE, argv, { study: { type: 'string' }, series: { type: 'string' }, model: { type: 'string' }, wait: { type: 'boolean' }, attempts: { type: 'string' }, backoff: { type: 'string' } }, io);
  if (!v) return 2;
  if (v.help) return io.log(SUBMIT_USAGE), 0;
  let redis: string, attempts: number | undefined, backoff: number | undefined;
  try {
    if (!v.study || !v.series || !v.model) throw new UsageError('--study, --series and --model are required');
    redis = redisUrl(v.redis as string | undefined);
    attempts = positive('attempts', v.attempts as string | undefined);
    backoff = positive('backoff', v.backoff as string | undefined, false);
  } catch (e) {
    return io.error(`delineo submit: ${(e as Error).message}\n\n${SUBMIT_USAGE}`), 2;
  }
  const { ServiceQueue } = await import('../service/queue.ts');
  const queue = new ServiceQueue(redis, (v.queue as string | undefined) ?? DEFAULT_QUEUE);
  try {
    const { manifest } = await readManifest(v.model as string);
    const data = { studyInstanceUid: v.study as string, seriesInstanceUid: v.series as string, modelId: manifest.id, modelVersion: manifest.version };
    const r = await queue.submit(data, { ...(attempts ? { attempts } : {}), ...(backoff ? { backoffMs: backoff * 1000 } : {}), retryFailed: true });
    io.log(`${r.jobId}: ${r.created ? 'queued' : r.retried ? 'had failed, queued again' : `already submitted (${r.state})`}`);
    if (!v.wait) return 0;
    let last = '';
    for (;;) {
      const j = await queue.job(segmentJobId(data));
      if (!j) throw new Error(`job ${r.jobId} disappeared from the queue`);
      const p = j.progress ? `${j.progress.stage} ${Math.round((j.progress.overall ?? 0) * 100)} %` : '';
      const line = `${j.state}${p && j.state === 'active' ? ` ${p}` : ''}`;
      if (line !== last) io.log((last = line));
      if (j.state === 'completed') {
        const res = j.result;
        if (res?.status === 'skipped') io.log(`skipped: ${res.reason}`);
        else if (res) io.log(`${res.status}: RTSTRUCT series ${res.rtstructSeriesUid}${res.structures.length ? ` (${res.structures.join(', ')})` : ''}`);
        return 0;
      }
      if (j.state === 'failed') {
        io.error(`delineo submit: ${r.jobId} failed after ${j.attemptsMade} attempt(s): ${j.failedReason}`);
        return 1;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
  } catch (e) {
    return failure('submit', e, io);
  } finally {
    await queue.close();
  }
}

/** `delineo watch`. */
export async function watchCommand(argv: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  const v = parse('watch', WATCH_USAGE, argv, { dicomweb: { type: 'string' }, model: { type: 'string' }, interval: { type: 'string' }, settle: { type: 'string' }, attempts: { type: 'string' }, backoff: { type: 'string' }, 'http-retries': { type: 'string' }, 'http-timeout': { type: 'string' } }, io);
  if (!v) return 2;
  if (v.help) return io.log(WATCH_USAGE), 0;
  let options;
  try {
    if (!v.dicomweb || !v.model) throw new UsageError('--dicomweb and --model are required');
    const attempts = positive('attempts', v.attempts as string | undefined);
    const backoff = positive('backoff', v.backoff as string | undefined, false);
    const interval = positive('interval', v.interval as string | undefined, false);
    const settle = v.settle === '0' ? 0 : positive('settle', v.settle as string | undefined, false);
    options = {
      redis: redisUrl(v.redis as string | undefined),
      queue: (v.queue as string | undefined) ?? DEFAULT_QUEUE,
      dicomweb: v.dicomweb as string,
      modelId: v.model as string,
      ...(interval ? { intervalS: interval } : {}),
      ...(settle !== undefined ? { settleS: settle } : {}),
      http: http(v as never),
      submit: { ...(attempts ? { attempts } : {}), ...(backoff ? { backoffMs: backoff * 1000 } : {}) },
    };
    authorizationFromEnvironment();
  } catch (e) {
    if (e instanceof UsageError) return io.error(`delineo watch: ${e.message}\n\n${WATCH_USAGE}`), 2;
    return failure('watch', e, io);
  }
  const { watchPacs } = await import('../service/watch.ts');
  const controller = new AbortController();
  const stopped = untilSignal(async () => controller.abort(), io);
  try {
    await watchPacs({ ...options, signal: controller.signal, log: (l) => io.log(l) });
  } catch (e) {
    return failure('watch', e, io);
  }
  await stopped;
  return 0;
}

/** `delineo jobs`. */
export async function jobsCommand(argv: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  const v = parse('jobs', JOBS_USAGE, argv, { last: { type: 'string' } }, io);
  if (!v) return 2;
  if (v.help) return io.log(JOBS_USAGE), 0;
  let redis: string, last: number;
  try {
    redis = redisUrl(v.redis as string | undefined);
    last = positive('last', v.last as string | undefined) ?? 10;
  } catch (e) {
    return io.error(`delineo jobs: ${(e as Error).message}\n\n${JOBS_USAGE}`), 2;
  }
  const { ServiceQueue } = await import('../service/queue.ts');
  const queue = new ServiceQueue(redis, (v.queue as string | undefined) ?? DEFAULT_QUEUE);
  try {
    const s = await queue.summary(last);
    io.log(`queue ${queue.name}: ${Object.entries(s.counts).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    if (s.failures.length) io.log(`last failures:\n${s.failures.map((f) => `  ${f.id}${f.finishedOn ? ` at ${new Date(f.finishedOn).toISOString()}` : ''} after ${f.attempts} attempt(s): ${f.reason}`).join('\n')}`);
    if (s.skipped.length) io.log(`last skipped:\n${s.skipped.map((f) => `  ${f.id}: ${f.reason}`).join('\n')}`);
    return 0;
  } catch (e) {
    io.error(`delineo jobs: the queue cannot be read (${(e as Error).message})`);
    return 1;
  } finally {
    await queue.close();
  }
}

/** `delineo api`. */
export async function apiCommand(argv: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  const v = parse('api', API_USAGE, argv, { port: { type: 'string' }, host: { type: 'string' }, model: { type: 'string', multiple: true }, 'allow-origin': { type: 'string' } }, io);
  if (!v) return 2;
  if (v.help) return io.log(API_USAGE), 0;
  let redis: string, port: number, token: (() => string) | undefined, allowOrigin: string | undefined;
  const modelIds = (v.model as string[] | undefined) ?? [];
  try {
    redis = redisUrl(v.redis as string | undefined);
    port = v.port === '0' ? 0 : (positive('port', v.port as string | undefined) ?? NaN);
    if (Number.isNaN(port) || port > 65535) throw new UsageError('--port <n> is required (0 to 65535)');
    if (!modelIds.length) throw new UsageError('--model is required: the models clients may ask for');
    allowOrigin = v['allow-origin'] as string | undefined;
    if (allowOrigin !== undefined && !/^https?:\/\/[^/\s]+$/.test(allowOrigin)) throw new UsageError(`--allow-origin must be an origin such as https://portal.example.org (no path), got "${allowOrigin}"`);
  } catch (e) {
    return io.error(`delineo api: ${(e as Error).message}\n\n${API_USAGE}`), 2;
  }
  const { apiTokenFromEnvironment, startApi } = await import('../service/api.ts');
  try {
    token = apiTokenFromEnvironment();
  } catch (e) {
    return failure('api', e, io);
  }
  const { ServiceQueue } = await import('../service/queue.ts');
  let models;
  try {
    models = await Promise.all(modelIds.map(async (id) => {
      const { manifest } = await readManifest(id);
      return { id: manifest.id, version: manifest.version, name: manifest.name };
    }));
  } catch (e) {
    return failure('api', e, io);
  }
  const queue = new ServiceQueue(redis, (v.queue as string | undefined) ?? DEFAULT_QUEUE);
  let api;
  try {
    api = await startApi({ queue, models, port, host: (v.host as string | undefined) ?? '127.0.0.1', ...(allowOrigin ? { allowOrigin } : {}), ...(token ? { token } : {}), log: (l) => io.error(l) });
  } catch (e) {
    await queue.close();
    io.error(`delineo api: cannot listen: ${(e as Error).message}`);
    return 1;
  }
  io.log(`api ready: ${api.url} (queue ${queue.name}; models ${models.map((m) => `${m.id} ${m.version}`).join(', ')}; ${token ? 'bearer token required' : 'no token'}; CORS ${allowOrigin ?? 'off'})`);
  await untilSignal(async () => {
    await api.close();
    await queue.close();
  }, io);
  return 0;
}
