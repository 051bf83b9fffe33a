/**
 * The one contract for long-running work in Delineo (STYLE.md, "Long-running work: one contract"):
 * `(input, { signal, progress }) => Promise<output>`. Parsing a series, inferring tiles, meshing
 * structures and writing an RTSTRUCT all take this shape, so the UI drives every one of them with
 * the same progress bar, the same cancel button and the same error display, and a job runs the same
 * way on the main thread, in a Web Worker (see worker-rpc.ts) or in Node (the CLI).
 *
 * This module is framework-free and runs unchanged in browsers, workers and Node.
 */

/**
 * A progress report in real units: `done` of `total` things (files parsed, tiles inferred, slices
 * meshed) in the named `stage`. `overall`, when present, is the fraction of the whole job (0..1) for
 * jobs made of several stages (see {@link stagedProgress}); a UI can draw one bar from it while
 * labelling the bar with the stage's own units.
 */
export interface Progress {
  stage: string;
  done: number;
  total: number;
  unit?: string;
  overall?: number;
}

/** Receives progress reports; see {@link Progress}. */
export type ProgressCallback = (progress: Progress) => void;

/** What every job accepts besides its input: a cancel signal and a progress sink, both optional. */
export interface JobOptions {
  signal?: AbortSignal;
  progress?: ProgressCallback;
}

/** A unit of long-running work; see the module comment. */
export type Job<I, O> = (input: I, options: JobOptions) => Promise<O>;

/** Options of {@link JobError}. */
export interface JobErrorOptions {
  /** The file the problem is about (a path, a name or a URL), shown to the user next to the message. */
  file?: string;
  /** The underlying error, kept for debugging. */
  cause?: unknown;
}

/**
 * Base class of the typed failures of jobs: a stable machine-readable `code` the UI can switch on
 * (`'missing-tag'`, `'unsupported-transfer-syntax'`, …), an optional `file`, and a message that
 * names the file first so that even a bare `String(error)` says which file and what went wrong.
 * Later modules subclass it (e.g. `DicomLoadError`) and must set `name` as a class field, because
 * a minifier may rename classes and `name` is what survives the trip across a worker boundary.
 */
export class JobError extends Error {
  override name = 'JobError';
  readonly code: string;
  readonly file?: string;

  constructor(code: string, message: string, options: JobErrorOptions = {}) {
    super(
      options.file ? `${options.file}: ${message}` : message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    if (options.file !== undefined) this.file = options.file;
  }
}

/**
 * Returns the error a cancelled job should reject with, given the signal's `reason`. Like the
 * platform (`fetch`, `signal.throwIfAborted()`), an Error-like reason is passed through unchanged,
 * so `AbortSignal.timeout()` still surfaces as a `TimeoutError` the UI reports, while the default
 * reason of `controller.abort()` is already a DOMException named `AbortError`. A missing or
 * primitive reason (`controller.abort('user pressed stop')`) becomes a DOMException `AbortError`
 * carrying it as the message, because only an Error can carry a stack and a name.
 */
export function abortError(reason?: unknown): Error {
  if (
    reason instanceof Error ||
    (typeof reason === 'object' &&
      reason !== null &&
      typeof (reason as { name?: unknown }).name === 'string' &&
      typeof (reason as { message?: unknown }).message === 'string')
  ) {
    return reason as Error;
  }
  const message = typeof reason === 'string' && reason ? reason : 'The job was cancelled.';
  return new DOMException(message, 'AbortError');
}

/**
 * Throws when `signal` is aborted (see {@link abortError} for what is thrown), does nothing
 * otherwise or when there is no signal. Call it at every cheap cancel point of a job: before each
 * file, each tile, each slice.
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal.reason);
}

/**
 * True for a cancellation (any error named `AbortError`: a DOMException from the platform, from
 * {@link throwIfAborted} or re-created by the worker RPC), so the UI can drop it silently instead
 * of reporting a failure. Duck-typed on `name` because errors cross realms (workers, iframes)
 * where `instanceof` fails.
 */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/**
 * Wraps a progress callback so it runs at most `hz` times per second. The first report, the first
 * report of each new stage and each stage's final report (`done === total`) are always delivered,
 * so a bar never starts late nor stops short of 100 %; intermediate reports arriving faster are
 * dropped, not delayed, so nothing fires after the job has settled. Works with an absent callback
 * (returns a no-op) so jobs can wrap `options.progress` unconditionally. `now` is injectable for tests.
 */
export function throttleProgress(
  callback: ProgressCallback | undefined,
  hz = 10,
  now: () => number = () => performance.now(),
): ProgressCallback {
  if (!callback) return () => {};
  const interval = hz > 0 ? 1000 / hz : 0;
  let last = -Infinity;
  let stage: string | undefined;
  return (p) => {
    const t = now();
    const force = p.stage !== stage || p.done >= p.total;
    if (!force && t - last < interval) return;
    stage = p.stage;
    last = t;
    callback(p);
  };
}

/** One stage of a multi-stage job for {@link stagedProgress}: a key and its share of the work. */
export interface StageWeight {
  stage: string;
  /** Relative share of the whole job's time; 1 when omitted. */
  weight?: number;
}

/**
 * Splits one progress callback across the ordered stages of a composite job. Returns a function
 * that gives, for a stage key, the progress callback to hand to that stage's sub-job; each report
 * passes through with its own stage name and real units, plus `overall`: the finished stages'
 * weights plus this stage's fraction, over the total weight. A sub-job that itself reports
 * `overall` (nested stages) contributes that fraction instead of `done / total`. Asking for a key
 * that was not declared throws, because a silently wrong overall bar is worse than a crash in tests.
 */
export function stagedProgress(
  callback: ProgressCallback | undefined,
  stages: readonly (string | StageWeight)[],
): (stage: string) => ProgressCallback {
  const specs = stages.map((s) =>
    typeof s === 'string' ? { stage: s, weight: 1 } : { stage: s.stage, weight: s.weight ?? 1 },
  );
  const totalWeight = specs.reduce((sum, s) => sum + s.weight, 0);
  const offsets = new Map<string, { before: number; weight: number }>();
  let before = 0;
  for (const s of specs) {
    if (!(s.weight >= 0))
      throw new RangeError(`stagedProgress: stage "${s.stage}" has an invalid weight ${s.weight}`);
    offsets.set(s.stage, { before, weight: s.weight });
    before += s.weight;
  }
  return (key) => {
    const at = offsets.get(key);
    if (!at)
      throw new RangeError(
        `stagedProgress: unknown stage "${key}" (declared: ${specs.map((s) => s.stage).join(', ')})`,
      );
    if (!callback) return () => {};
    return (p) => {
      const within = p.overall ?? (p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 1);
      const overall = totalWeight > 0 ? (at.before + at.weight * within) / totalWeight : 1;
      callback({ ...p, overall });
    };
  };
}

// One shared channel for browser-side yields: a MessageChannel message is a real task (unlike a
// resolved promise, which runs before any pending message) and is not clamped to 4 ms when nested,
// as setTimeout(0) is. Resolvers are FIFO because messages on one port are delivered in order.
let yieldChannel: MessageChannel | undefined;
const yieldQueue: (() => void)[] = [];

function nextTask(): Promise<void> {
  // Node: setImmediate runs after pending I/O and worker messages and needs no cleanup (an open
  // MessageChannel port would keep a Node process alive).
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    if (!yieldChannel) {
      yieldChannel = new MessageChannel();
      yieldChannel.port1.onmessage = () => yieldQueue.shift()?.();
    }
    return new Promise((resolve) => {
      yieldQueue.push(resolve);
      yieldChannel!.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Gives the event loop one task's turn, then throws if `signal` was aborted meanwhile. A long
 * synchronous loop in a worker never sees the cancel message (it is a task queued behind the loop)
 * unless it awaits this; awaiting a resolved promise is not enough because microtasks run before
 * tasks. Costs one task hop (~µs in Node, tens of µs in browsers): call it per slice or per tile,
 * or use {@link createYielder} in tight loops.
 */
export async function yieldToEventLoop(signal?: AbortSignal): Promise<void> {
  await nextTask();
  throwIfAborted(signal);
}

/**
 * Returns a cancel point for tight loops: each call checks `signal` synchronously but only yields
 * to the event loop once at least `sliceMs` have passed since the last yield, so a loop over
 * thousands of slices stays fast yet answers a cancel (or lets a UI thread paint) within about
 * `sliceMs`. Call it as `await tick()` once per iteration.
 */
export function createYielder(
  signal?: AbortSignal,
  sliceMs = 8,
  now: () => number = () => performance.now(),
): () => Promise<void> {
  let last = now();
  return async () => {
    throwIfAborted(signal);
    if (now() - last < sliceMs) return;
    await yieldToEventLoop(signal);
    last = now();
  };
}
