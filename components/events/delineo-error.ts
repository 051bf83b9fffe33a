/** Detail of `delineo-error`: an operation failed; the app shows `message` and keeps what was loaded and drawn. */
export interface DelineoErrorDetail {
  /** What the user was doing. */
  readonly operation: 'open' | 'auto-contour' | 'export' | 'restore' | 'dose-prediction' | 'propagate';
  /** The typed error's code when it has one (e.g. 'gap-too-large', 'corrupt-model', 'store-failed', 'no-target'), else 'error'. */
  readonly code: string;
  /** One sentence for the user, naming the file where there is one. */
  readonly message: string;
  /** The file concerned, when known. */
  readonly file: string | null;
}

/**
 * Fired by `<delineo-app>` when opening, auto-contouring, exporting, restoring, predicting dose or propagating (adaptive: loading
 * the planning CT, registering, propagating) fails (not when cancelled), and
 * for each file refused when added to the CT shown (operation 'open': a structure set or dose on another Frame of
 * Reference, a RELATIVE dose without its plan's prescription, an image that is not a dose in Gy).
 */
export type DelineoErrorEvent = CustomEvent<DelineoErrorDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-error': DelineoErrorEvent;
  }
}
