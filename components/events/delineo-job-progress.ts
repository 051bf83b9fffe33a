/** Detail of `delineo-job-progress`: the state of the app's long operation (at most about 10 per second). */
export interface DelineoJobProgressDetail {
  readonly operation: 'open' | 'auto-contour' | 'export' | 'dose-prediction' | 'propagate';
  /** 'running' while it works (with progress), then exactly one of 'done', 'cancelled', 'failed'. */
  readonly state: 'running' | 'done' | 'cancelled' | 'failed';
  /** The current stage as reported by the job (e.g. 'decode', 'inference', 'rules'). */
  readonly stage: string;
  /** Progress in real units: `done` of `total` `unit` (total 0 when unknown). */
  readonly done: number;
  readonly total: number;
  readonly unit: string;
}

/** Fired by `<delineo-app>` as a long operation starts, progresses and ends. */
export type DelineoJobProgressEvent = CustomEvent<DelineoJobProgressDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-job-progress': DelineoJobProgressEvent;
  }
}
