import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { isAbortError } from '../../src/index.ts';

/** Where a {@link QueryTask} stands. */
export type QueryStatus = 'idle' | 'pending' | 'complete' | 'error';

/**
 * One cancellable query owned by an element, in the spirit of `@lit/task` (which this project does not ship):
 * `run(...args)` aborts the run in flight and starts a new one with a fresh AbortSignal; `status`, `value` and
 * `error` are read in render(), and the host re-renders on every change. A superseded or aborted run never
 * writes its result, so a slow answer to an old search cannot overwrite the answer to a new one. When the host
 * disconnects the run in flight is aborted and `status` goes back to what it was before that run, and
 * `interrupted` says so, so that the host can run again when it is reconnected.
 */
export class QueryTask<A extends readonly unknown[], R> implements ReactiveController {
  status: QueryStatus = 'idle';
  value: R | undefined = undefined;
  error: unknown = undefined;
  /** True when the last run was aborted by a disconnection (not superseded), until the next run. */
  interrupted = false;

  readonly #host: ReactiveControllerHost;
  readonly #work: (signal: AbortSignal, ...args: A) => Promise<R>;
  #controller: AbortController | null = null;
  #before: QueryStatus = 'idle';

  constructor(host: ReactiveControllerHost, work: (signal: AbortSignal, ...args: A) => Promise<R>) {
    this.#host = host;
    this.#work = work;
    host.addController(this);
  }

  /** Starts a run (aborting the one in flight); resolves when it has settled, whatever the outcome. */
  async run(...args: A): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    if (this.status !== 'pending') this.#before = this.status;
    this.status = 'pending';
    this.error = undefined;
    this.interrupted = false;
    this.#host.requestUpdate();
    try {
      const value = await this.#work(controller.signal, ...args);
      if (controller !== this.#controller) return;
      this.value = value;
      this.status = 'complete';
    } catch (e) {
      if (controller !== this.#controller) return;
      if (controller.signal.aborted || isAbortError(e)) this.status = this.#before;
      else {
        this.error = e;
        this.status = 'error';
      }
    } finally {
      if (controller === this.#controller) {
        this.#controller = null;
        this.#host.requestUpdate();
      }
    }
  }

  /** Aborts the run in flight, if any; the task keeps its last settled state. */
  abort(): void {
    const controller = this.#controller;
    if (!controller) return;
    this.#controller = null;
    controller.abort();
    this.status = this.#before;
    this.#host.requestUpdate();
  }

  /** Aborts and forgets: back to 'idle' with no value. */
  clear(): void {
    this.abort();
    this.status = 'idle';
    this.value = undefined;
    this.error = undefined;
    this.interrupted = false;
    this.#host.requestUpdate();
  }

  hostDisconnected(): void {
    if (!this.#controller) return;
    this.abort();
    this.interrupted = true;
  }
}
