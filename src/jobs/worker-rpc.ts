/**
 * The one worker RPC of Delineo (STYLE.md: "Avoid: four worker-RPC mechanisms side by side"). A
 * worker module exposes jobs with {@link exposeJobs}; the main thread gets a typed client with
 * {@link createWorkerClient} and calls them as ordinary {@link Job}s: progress comes back
 * throttled, an AbortSignal cancels cooperatively inside the worker or, for work that cannot be
 * interrupted (ONNX Runtime inside `session.run()`, a wasm call), terminates the worker and
 * respawns it lazily on the next call. Errors keep their name, message, stack and, for a
 * {@link JobError}, its `code` and `file`.
 *
 * Transport is any postMessage endpoint: a browser `Worker`, `MessagePort` or the worker's own
 * global scope fit directly; Node's `worker_threads` need the small adapters in node-worker.ts.
 *
 * Buffers: `transfer` moves ArrayBuffers instead of copying them, which detaches them on the
 * sending side. Copy a buffer (`buffer.slice(0)`) before transferring it if the caller still needs
 * it, e.g. the CT voxels the viewer keeps displaying.
 *
 * Usage:
 * ```ts
 * // segment.worker.ts
 * const jobs = { segment, meshStructure };
 * export type SegmentApi = typeof jobs;
 * exposeJobs(jobs);
 * // main thread
 * import type { SegmentApi } from './segment.worker.ts';
 * const client = createWorkerClient<SegmentApi>(() => new Worker(new URL('./segment.worker.ts', import.meta.url), { type: 'module' }));
 * const mask = await client.call('segment', input, { signal, progress, transfer: [input.voxels.buffer], hardCancel: true });
 * ```
 */
import {
  JobError,
  abortError,
  throttleProgress,
  type Job,
  type JobOptions,
  type Progress,
  type ProgressCallback,
} from './job.ts';

/** The `message` event as the RPC reads it: only `data` is used, so any MessageEvent fits. */
export interface EndpointMessageEvent {
  readonly data: unknown;
}

/** The `error` event as the RPC reads it: a browser ErrorEvent, or what the Node adapter dispatches. */
export interface EndpointErrorEvent {
  readonly message?: string;
  readonly error?: unknown;
  readonly filename?: string;
  readonly lineno?: number;
  preventDefault?(): void;
}

/** Anything that can post messages and listen to them: a Worker, a MessagePort, a worker's `self`. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: EndpointMessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: EndpointMessageEvent) => void): void;
}

/** The main thread's handle on a worker: a {@link MessageEndpoint} that can fail and be terminated. */
export interface WorkerLike extends MessageEndpoint {
  addEventListener(type: 'message' | 'messageerror', listener: (event: EndpointMessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: EndpointErrorEvent) => void): void;
  removeEventListener(
    type: 'message' | 'messageerror',
    listener: (event: EndpointMessageEvent) => void,
  ): void;
  removeEventListener(type: 'error', listener: (event: EndpointErrorEvent) => void): void;
  terminate(): void;
}

/** The jobs a worker exposes, by name. `never` input so that any concrete Job is assignable. */
export type JobMap = Record<string, Job<never, unknown>>;
/** The names of the jobs of an API. */
export type JobName<Api extends JobMap> = keyof Api & string;
/** The input type of a job. */
export type JobInput<J> = J extends (input: infer I, options: JobOptions) => Promise<unknown> ? I : never;
/** The output type of a job. */
export type JobOutput<J> = J extends (input: never, options: JobOptions) => Promise<infer O> ? O : never;

/** Codes of the failures the RPC itself produces (as opposed to those of the jobs it runs). */
export type WorkerErrorCode =
  'worker-crashed' | 'worker-terminated' | 'worker-disposed' | 'unknown-job' | 'not-cloneable';

/**
 * A failure of the worker machinery rather than of the job: the worker crashed or exited
 * (`worker-crashed`), it was terminated to hard-cancel another call (`worker-terminated`), the
 * client was disposed (`worker-disposed`), the job name is not exposed (`unknown-job`), or the
 * input/output could not be structured-cloned (`not-cloneable`).
 */
export class WorkerError extends JobError {
  override name = 'WorkerError';
  declare readonly code: WorkerErrorCode;

  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Wire protocol. Every message carries a `delineo:` type so that other traffic on the same port
// (an itk-wasm or onnxruntime helper posting its own messages) is ignored rather than misread.

interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  file?: string;
  /** True when the worker threw a JobError (or subclass), to re-create a JobError. */
  jobError: boolean;
}

type ToWorker =
  { type: 'delineo:call'; id: number; name: string; input: unknown } | { type: 'delineo:cancel'; id: number };
type FromWorker =
  | { type: 'delineo:progress'; id: number; progress: Progress }
  | { type: 'delineo:result'; id: number; output: unknown }
  | { type: 'delineo:error'; id: number; error: SerializedError };

function isMessage<T extends { type: string }>(data: unknown): data is T {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { type?: unknown }).type === 'string' &&
    (data as { type: string }).type.startsWith('delineo:')
  );
}

function serializeError(e: unknown): SerializedError {
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    const err = e as { name?: unknown; message: string; stack?: unknown; code?: unknown; file?: unknown };
    const out: SerializedError = {
      name: typeof err.name === 'string' ? err.name : 'Error',
      message: err.message,
      jobError: e instanceof JobError,
    };
    if (typeof err.stack === 'string') out.stack = err.stack;
    if (typeof err.code === 'string') out.code = err.code;
    if (typeof err.file === 'string') out.file = err.file;
    return out;
  }
  return { name: 'Error', message: String(e), jobError: false };
}

const STANDARD_ERRORS: Record<string, new (message: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

function setStack(error: Error, stack: string | undefined): void {
  if (stack === undefined) return;
  // The worker's stack is the useful one (it points at the failing line); some engines make a
  // DOMException's stack read-only, in which case the main-thread stack stays.
  try {
    Object.defineProperty(error, 'stack', {
      value: stack,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  } catch {
    /* keep the local stack */
  }
}

function deserializeError(s: SerializedError): Error {
  let error: Error;
  if (s.name === 'AbortError') {
    error = new DOMException(s.message, 'AbortError');
  } else if (s.jobError && s.name === 'WorkerError') {
    // The RPC's own errors: this module is loaded on both sides, so the class itself comes back.
    error = new WorkerError(s.code as WorkerErrorCode, s.message);
  } else if (s.jobError) {
    // The subclass itself cannot be re-created (its module may not be loaded on this side), but
    // its name, code and file can: the UI switches on `code`, and `instanceof JobError` holds.
    const jobError = new JobError(s.code ?? 'job-failed', '', s.file === undefined ? {} : { file: s.file });
    jobError.message = s.message;
    jobError.name = s.name;
    error = jobError;
  } else {
    const Ctor = Object.hasOwn(STANDARD_ERRORS, s.name) ? STANDARD_ERRORS[s.name] : Error;
    error = new Ctor(s.message);
    if (error.name !== s.name) error.name = s.name;
    // Keep codes like Node's 'ENOENT' for callers that inspect them.
    if (s.code !== undefined) Object.assign(error, { code: s.code });
  }
  setStack(error, s.stack);
  return error;
}

// Outputs to transfer rather than copy, registered by withTransfer(). A WeakMap keeps the job's
// return type unchanged and forgets values nobody returns.
const outputTransfers = new WeakMap<object, Transferable[]>();

/**
 * Marks a job's output so that {@link exposeJobs} transfers the listed buffers to the main thread
 * instead of copying them, and returns the output unchanged: `return withTransfer(mask, [mask.buffer])`.
 * The buffers are detached in the worker afterwards, so never mark a buffer the worker keeps
 * (a cache, a reused scratch array).
 */
export function withTransfer<T extends object>(output: T, transfer: Transferable[]): T {
  outputTransfers.set(output, transfer);
  return output;
}

/** Options of {@link exposeJobs}. */
export interface ExposeOptions {
  /** Maximum progress messages per second per call (default 10); first and final reports always go. */
  progressHz?: number;
}

function workerSelf(): MessageEndpoint {
  const scope = (globalThis as { DedicatedWorkerGlobalScope?: abstract new () => unknown })
    .DedicatedWorkerGlobalScope;
  if (typeof scope !== 'function' || !(globalThis instanceof scope)) {
    throw new Error(
      'exposeJobs(): no endpoint given and this is not a dedicated Web Worker (in Node, pass nodeParentEndpoint())',
    );
  }
  return globalThis as unknown as MessageEndpoint;
}

/**
 * Serves `jobs` to the main thread over `endpoint` (by default the Web Worker's own global scope;
 * in Node pass `nodeParentEndpoint()`). Each call gets its own AbortSignal, aborted when the caller
 * cancels, and a progress callback throttled to `progressHz`. Several calls run concurrently,
 * interleaved at their `await`s. Results are sent when the job resolves, transferring buffers
 * marked with {@link withTransfer}; a rejection is sent with its name, message, stack, code and
 * file. Returns a function that stops serving (calls already running still answer).
 */
export function exposeJobs<Api extends JobMap>(
  jobs: Api,
  endpoint: MessageEndpoint = workerSelf(),
  options: ExposeOptions = {},
): () => void {
  const running = new Map<number, AbortController>();
  const hz = options.progressHz ?? 10;

  const post = (message: FromWorker, transfer: Transferable[] = []) =>
    endpoint.postMessage(message, transfer);

  const run = async (id: number, name: string, input: unknown) => {
    const controller = new AbortController();
    running.set(id, controller);
    const progress = throttleProgress((p) => {
      // A cancelled call's caller has already been answered; more progress would only be noise.
      if (!controller.signal.aborted) post({ type: 'delineo:progress', id, progress: p });
    }, hz);
    try {
      const job = Object.hasOwn(jobs, name) ? jobs[name] : undefined;
      if (typeof job !== 'function')
        throw new WorkerError(
          'unknown-job',
          `no job named "${name}" is exposed by this worker (exposed: ${Object.keys(jobs).join(', ')})`,
        );
      const output = await job(input as never, { signal: controller.signal, progress });
      const transfer =
        typeof output === 'object' && output !== null ? (outputTransfers.get(output) ?? []) : [];
      try {
        post({ type: 'delineo:result', id, output }, transfer);
      } catch (e) {
        throw new WorkerError(
          'not-cloneable',
          `the result of job "${name}" cannot be sent to the main thread: ${(e as Error).message}`,
          { cause: e },
        );
      }
    } catch (e) {
      post({ type: 'delineo:error', id, error: serializeError(e) });
    } finally {
      running.delete(id);
    }
  };

  const onMessage = (event: EndpointMessageEvent) => {
    if (!isMessage<ToWorker>(event.data)) return;
    const msg = event.data;
    if (msg.type === 'delineo:cancel') running.get(msg.id)?.abort();
    else if (msg.type === 'delineo:call') void run(msg.id, msg.name, msg.input);
  };
  endpoint.addEventListener('message', onMessage);
  return () => endpoint.removeEventListener('message', onMessage);
}

/** Options of one {@link WorkerClient.call}: the Job options plus transport and hard-cancel choices. */
export interface CallOptions extends JobOptions {
  /** ArrayBuffers (or other transferables) in `input` to move rather than copy; they are detached here afterwards. */
  transfer?: Transferable[];
  /**
   * What an abort does besides rejecting the call at once with an AbortError and asking the job
   * to stop. `false` (default): nothing more — cooperative cancel, the worker finishes its current
   * synchronous step. `true`: terminate the worker immediately (the only way to stop ONNX Runtime
   * inside `session.run()`); it is respawned on the next call, and every other call in flight on
   * it rejects with `WorkerError('worker-terminated')`. `{ afterMs }`: terminate only if the job
   * has not acknowledged the cancel (by settling) within `afterMs`; calls made meanwhile are held
   * back and sent once the job acknowledges or the worker has been replaced, so they never die
   * from a termination they could not know about.
   */
  hardCancel?: boolean | { afterMs: number };
}

/** Options of {@link createWorkerClient}. */
export interface WorkerClientOptions {
  /** Default {@link CallOptions.hardCancel} for calls that do not set it. */
  hardCancel?: boolean | { afterMs: number };
}

/** A typed handle on the jobs of one worker; see {@link createWorkerClient}. */
export interface WorkerClient<Api extends JobMap> {
  /** Runs job `name` in the worker; see {@link createWorkerClient} for the semantics. */
  call<K extends JobName<Api>>(
    name: K,
    input: JobInput<Api[K]>,
    options?: CallOptions,
  ): Promise<JobOutput<Api[K]>>;
  /** The job `name` as an ordinary {@link Job}, for code that takes a Job (task controllers, pipelines). */
  job<K extends JobName<Api>>(
    name: K,
    defaults?: Omit<CallOptions, keyof JobOptions>,
  ): Job<JobInput<Api[K]>, JobOutput<Api[K]>>;
  /** Calls waiting for an answer. */
  readonly pending: number;
  /** Terminates the worker; calls in flight reject with an AbortError, later calls with `worker-disposed`. */
  dispose(): void;
}

interface PendingCall {
  resolve(output: unknown): void;
  reject(error: unknown): void;
  progress?: ProgressCallback;
  detach(): void;
  /** Whether the call has been posted to a worker (false while it is held back). */
  sent: boolean;
  /** Posts the call to the current worker, spawning one if needed. */
  send(): void;
}

function describeCrash(event: EndpointErrorEvent | undefined, kind: string): string {
  if (kind === 'messageerror') return 'the worker sent a message that could not be deserialized';
  const detail = event?.message || (event?.error instanceof Error ? event.error.message : '');
  const where = event?.filename ? ` (${event.filename}${event.lineno ? `:${event.lineno}` : ''})` : '';
  // A module worker that fails to load (404, syntax error, failed import) fires a bare Event.
  return detail ? `the worker crashed: ${detail}${where}` : `the worker failed to load or crashed${where}`;
}

/**
 * Creates a typed client for the jobs a worker exposes with {@link exposeJobs}. `spawn` is called
 * lazily on the first call and again after the worker crashed or was hard-cancelled, so a client
 * can be created eagerly at no cost. Calls are multiplexed by id over one worker and run
 * concurrently there. Progress reports reach `options.progress` (throttled in the worker). An
 * abort rejects the call at once with an AbortError (see `hardCancel` for what happens to the
 * worker). A crash — an `error` event, an unexpected exit, an undeserializable message — rejects
 * every call in flight with `WorkerError('worker-crashed')`, and the next call spawns a fresh worker.
 */
export function createWorkerClient<Api extends JobMap>(
  spawn: () => WorkerLike,
  clientOptions: WorkerClientOptions = {},
): WorkerClient<Api> {
  let worker: WorkerLike | null = null;
  let nextId = 1;
  let disposed = false;
  const calls = new Map<number, PendingCall>();
  // Calls cancelled with a grace period: id → timer that terminates the worker if the job does not
  // settle in time. While any is running, new calls are held back rather than posted, because the
  // worker they would land on may be about to be terminated, and a transferred input cannot be
  // sent twice; they go out once the job acknowledges or the worker is replaced.
  const graceTimers = new Map<number, ReturnType<typeof setTimeout>>();

  const onMessage = (event: EndpointMessageEvent) => {
    if (!isMessage<FromWorker>(event.data)) return;
    const msg = event.data;
    if (msg.type !== 'delineo:progress' && graceTimers.has(msg.id)) {
      clearTimeout(graceTimers.get(msg.id));
      graceTimers.delete(msg.id);
      flush();
    }
    const call = calls.get(msg.id);
    if (!call) return; // Cancelled already; a late answer is expected and dropped.
    if (msg.type === 'delineo:progress') {
      try {
        call.progress?.(msg.progress);
      } catch (e) {
        // A throwing progress callback is the caller's bug; surface it without breaking the RPC.
        setTimeout(() => {
          throw e;
        }, 0);
      }
      return;
    }
    calls.delete(msg.id);
    call.detach();
    if (msg.type === 'delineo:result') call.resolve(msg.output);
    else call.reject(deserializeError(msg.error));
  };
  const onError = (event: EndpointErrorEvent) => {
    // Handled here: keep the browser from also reporting it as an uncaught error of the page.
    event.preventDefault?.();
    retire(
      new WorkerError(
        'worker-crashed',
        describeCrash(event, 'error'),
        event.error === undefined ? undefined : { cause: event.error },
      ),
    );
  };
  const onMessageError = () =>
    retire(new WorkerError('worker-crashed', describeCrash(undefined, 'messageerror')));

  /**
   * Terminates the current worker (if any) and rejects every call that was posted to it with
   * `error`; calls held back were never on it and go to the next worker.
   */
  function retire(error: unknown): void {
    const w = worker;
    worker = null;
    for (const timer of graceTimers.values()) clearTimeout(timer);
    graceTimers.clear();
    if (w) {
      w.removeEventListener('message', onMessage);
      w.removeEventListener('messageerror', onMessageError);
      w.removeEventListener('error', onError);
      w.terminate();
    }
    for (const [id, call] of [...calls]) {
      if (!call.sent) continue;
      calls.delete(id);
      call.detach();
      call.reject(error);
    }
    flush();
  }

  /** Posts the calls held back, in order, unless a graceful hard cancel is still pending. */
  function flush(): void {
    if (graceTimers.size > 0 || disposed) return;
    for (const call of [...calls.values()]) if (!call.sent) call.send();
  }

  function ensureWorker(): WorkerLike {
    if (worker) return worker;
    const w = spawn();
    w.addEventListener('message', onMessage);
    w.addEventListener('messageerror', onMessageError);
    w.addEventListener('error', onError);
    worker = w;
    return w;
  }

  function call<K extends JobName<Api>>(
    name: K,
    input: JobInput<Api[K]>,
    options: CallOptions = {},
  ): Promise<JobOutput<Api[K]>> {
    const { signal, progress, transfer = [] } = options;
    const hardCancel = options.hardCancel ?? clientOptions.hardCancel ?? false;
    if (disposed)
      return Promise.reject(
        new WorkerError('worker-disposed', `cannot call "${name}": the worker client was disposed`),
      );
    if (signal?.aborted) return Promise.reject(abortError(signal.reason));
    return new Promise<JobOutput<Api[K]>>((resolve, reject) => {
      const id = nextId++;
      let sentTo: WorkerLike | null = null;
      const fail = (error: unknown) => {
        calls.delete(id);
        pending.detach();
        reject(error);
      };
      const onAbort = () => {
        if (!calls.has(id)) return;
        fail(abortError(signal?.reason));
        // Held back (never sent) or sent to a worker that is already gone: nothing to stop.
        if (!sentTo || worker !== sentTo) return;
        const w = sentTo;
        if (hardCancel === true) {
          retire(
            new WorkerError(
              'worker-terminated',
              `the worker was terminated to hard-cancel job "${name}"; this call was running on it`,
            ),
          );
          return;
        }
        w.postMessage({ type: 'delineo:cancel', id } satisfies ToWorker, []);
        if (hardCancel) {
          graceTimers.set(
            id,
            setTimeout(() => {
              graceTimers.delete(id);
              if (worker === w)
                retire(
                  new WorkerError(
                    'worker-terminated',
                    `the worker was terminated because job "${name}" ignored its cancel for ${hardCancel.afterMs} ms; this call was running on it`,
                  ),
                );
            }, hardCancel.afterMs),
          );
        }
      };
      const pending: PendingCall = {
        resolve: resolve as (output: unknown) => void,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
        sent: false,
        send() {
          pending.sent = true;
          try {
            sentTo = ensureWorker();
          } catch (e) {
            fail(e);
            return;
          }
          try {
            sentTo.postMessage({ type: 'delineo:call', id, name, input } satisfies ToWorker, transfer);
          } catch (e) {
            // DataCloneError (a function or DOM node in the input) is thrown synchronously by postMessage.
            fail(
              new WorkerError(
                'not-cloneable',
                `the input of job "${name}" cannot be sent to the worker: ${(e as Error).message}`,
                { cause: e },
              ),
            );
          }
        },
      };
      if (progress) pending.progress = progress;
      calls.set(id, pending);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (graceTimers.size === 0) pending.send();
    });
  }

  return {
    call,
    job:
      (name, defaults = {}) =>
      (input, options) =>
        call(name, input, { ...defaults, ...options }),
    get pending() {
      return calls.size;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      const cancelled = new DOMException('The worker client was disposed.', 'AbortError');
      retire(cancelled);
      // Calls held back were never sent; they end the same way.
      for (const call of [...calls.values()]) {
        call.detach();
        call.reject(cancelled);
      }
      calls.clear();
    },
  };
}
