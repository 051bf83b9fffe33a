import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { isAbortError, type ProgressCallback } from '../../src/index.ts';
import type { DelineoJobProgressDetail } from '../events/delineo-job-progress.ts';
import { emit } from './emit.ts';

/** The kinds of long operation an element reports with `delineo-job-progress`. */
export type JobOperation = DelineoJobProgressDetail['operation'];

/** The running operation as its progress row shows it. */
export interface JobView {
  readonly operation: JobOperation;
  readonly label: string;
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly unit: string;
}

/**
 * The work of a job. `finish` queues what announces its result (typically an event): the queue runs after the
 * job has ended and 'done' was reported, so a listener sees the element idle and may start the next job at once.
 * Nothing queued runs when the job fails or is cancelled.
 */
export type JobWork<T> = (signal: AbortSignal, progress: ProgressCallback, finish: (announce: () => void) => void) => Promise<T>;

/** How a {@link JobController} speaks to the user through its host. */
export interface JobControllerOptions {
  /** A short line in the host's status: a job refused because another one runs, or a cancel. */
  readonly say: (text: string, error: boolean) => void;
  /** A failure, shown until dismissed (a notice). */
  readonly fail: (text: string) => void;
}

const OPERATION_TEXT: Readonly<Record<JobOperation, string>> = { open: 'Opening', 'auto-contour': 'Auto-contouring', export: 'Export', 'dose-prediction': 'Dose prediction', propagate: 'Adaptive' };

/**
 * One cancellable long operation at a time for an element, the app's contract for long work made visible:
 * progress in real units, the whole seconds since it started (a model's inference advances in a few multi-second
 * patches, and the clock shows the element is working between them), `delineo-job-progress` events ('running'
 * with progress, then exactly one of 'done', 'cancelled', 'failed'), and result announcements deferred until
 * after 'done'. A cancel is reported as such, never as a failure; a failure becomes a notice and a
 * `delineo-error` from the host, so the element never shows a blank view for it. A second job asked for while
 * one runs is refused with a line saying which one to wait for. Leaving the page cancels the job.
 */
export class JobController implements ReactiveController {
  /** The running job, or null when idle. */
  job: JobView | null = null;
  /** Whole seconds since the running job started (0 when idle). */
  seconds = 0;

  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: JobControllerOptions;
  #controller: AbortController | null = null;

  constructor(host: ReactiveControllerHost & EventTarget, options: JobControllerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** Whether a job is running. */
  get running(): boolean {
    return this.job !== null;
  }

  /**
   * Runs `work` as the element's job labelled `label`. Resolves with its result, or undefined when it was
   * refused (another job runs), cancelled or failed — each already reported to the user.
   */
  async run<T>(operation: JobOperation, label: string, work: JobWork<T>): Promise<T | undefined> {
    if (this.job) {
      this.#options.say(`Wait for “${this.job.label}” to finish, or cancel it`, true);
      return undefined;
    }
    const controller = new AbortController();
    this.#controller = controller;
    let job: JobView = { operation, label, stage: 'starting', done: 0, total: 0, unit: '' };
    const returnTo = this.#element ? focusedWithin(this.#element) : null;
    this.#show(job, 0);
    void this.#keepFocus(controller);
    const started = performance.now();
    const clock = setInterval(() => {
      const seconds = Math.floor((performance.now() - started) / 1000);
      if (this.#controller === controller && seconds !== this.seconds) this.#show(this.job, seconds);
    }, 1000);
    const report = (state: DelineoJobProgressDetail['state']) =>
      emit(this.#host, 'delineo-job-progress', { operation, state, stage: job.stage, done: job.done, total: job.total, unit: job.unit });
    report('running');
    const progress: ProgressCallback = (p) => {
      if (controller.signal.aborted || this.#controller !== controller) return;
      job = { operation, label, stage: p.stage, done: p.done, total: p.total, unit: p.unit ?? '' };
      this.#show(job, this.seconds);
      report('running');
    };
    const announcements: (() => void)[] = [];
    const end = () => {
      clearInterval(clock);
      if (this.#controller !== controller) return;
      this.#controller = null;
      this.#show(null, 0);
      void this.#restoreFocus(returnTo);
    };
    let result: T;
    try {
      result = await work(controller.signal, progress, (announce) => announcements.push(announce));
    } catch (error) {
      end();
      if (isAbortError(error) || controller.signal.aborted) {
        this.#options.say(`Cancelled: ${label}`, false);
        report('cancelled');
      } else {
        const e = error as { code?: unknown; file?: unknown; message?: unknown };
        const message = typeof e?.message === 'string' && e.message ? e.message : String(error);
        this.#options.fail(`${OPERATION_TEXT[operation]} failed: ${message}`);
        report('failed');
        emit(this.#host, 'delineo-error', { operation, code: typeof e?.code === 'string' ? e.code : 'error', message, file: typeof e?.file === 'string' ? e.file : null });
      }
      return undefined;
    }
    end();
    report('done');
    // After 'done': a listener's failure is its own, not the job's.
    for (const announce of announcements) {
      try {
        announce();
      } catch (error) {
        console.error(error);
      }
    }
    return result;
  }

  /** Cancels the running job (its work sees the signal abort; nothing it would have applied is applied). */
  cancel(): void {
    this.#controller?.abort();
  }

  hostDisconnected(): void {
    this.cancel();
  }

  /** The progress row of the running job: label, stage, elapsed seconds, bar and Cancel; nothing when idle. */
  render() {
    const job = this.job;
    if (!job) return nothing;
    const pct = job.total > 0 ? Math.round((100 * job.done) / job.total) : null;
    return html`<div part="progress" class="progress" role="group" aria-label=${job.label}>
      <span class="job-label">${job.label}</span>
      <span class="job-stage">${job.stage}${job.total > 0 ? ` ${job.done} / ${job.total}${job.unit ? ` ${job.unit}` : ''}` : ''}</span>
      ${this.seconds > 0 ? html`<span part="progress-time" class="job-time" title="Time since the operation started">${this.seconds} s</span>` : nothing}
      <progress part="progress-bar" max="100" value=${pct ?? nothing} aria-label=${job.label}></progress>
      <button part="cancel-button" @click=${() => this.cancel()}>Cancel</button>
    </div>`;
  }

  /**
   * The button that started a job is disabled while it runs, which drops keyboard focus to the page's body, where
   * the element's keys (Escape cancels) are not heard. So while a job runs, focus that has left the element, or
   * sits on a disabled control, moves to Cancel.
   */
  async #keepFocus(controller: AbortController): Promise<void> {
    const host = this.#element;
    if (!host) return;
    await this.#host.updateComplete;
    if (this.#controller !== controller) return;
    const focused = focusedWithin(host);
    if (focused && !(focused as HTMLButtonElement).disabled) return;
    const active = document.activeElement;
    if (active && active !== document.body && !host.contains(active) && active !== host) return;
    host.renderRoot.querySelector<HTMLElement>('[part="cancel-button"]')?.focus({ preventScroll: true });
  }

  /** The host as an element (in a browser), for focus handling; null for a plain host (unit tests). */
  get #element(): (HTMLElement & { readonly renderRoot: ParentNode }) | null {
    return typeof HTMLElement !== 'undefined' && this.#host instanceof HTMLElement ? (this.#host as unknown as HTMLElement & { readonly renderRoot: ParentNode }) : null;
  }

  /** After a job, focus goes back to where it was (when that control is usable again), else to the element itself. */
  async #restoreFocus(returnTo: HTMLElement | null): Promise<void> {
    const host = this.#element;
    if (!host) return;
    await this.#host.updateComplete;
    const focused = focusedWithin(host);
    if (focused && focused.isConnected && !(focused as HTMLButtonElement).disabled && focused.getAttribute('part') !== 'cancel-button') return;
    if (returnTo?.isConnected && !(returnTo as HTMLButtonElement).disabled) returnTo.focus({ preventScroll: true });
    else if (document.activeElement === document.body || focusedWithin(host) || !document.activeElement) host.focus({ preventScroll: true });
  }

  #show(job: JobView | null, seconds: number): void {
    this.job = job;
    this.seconds = seconds;
    this.#host.requestUpdate();
  }
}

/** The element focused inside `host` (through its shadow root), or null when focus is elsewhere. */
function focusedWithin(host: HTMLElement & { readonly renderRoot: ParentNode }): HTMLElement | null {
  const root = host.renderRoot as ShadowRoot | HTMLElement;
  const inner = 'activeElement' in root ? (root as ShadowRoot).activeElement : null;
  if (inner instanceof HTMLElement) return inner;
  return document.activeElement === host ? host : null;
}
