/**
 * Detail of `delineo-model-ready`: an ONNX auto-contouring model was started in the background (the app's
 * `model-preload`), so the next Auto-contour with it will not wait for its download and ONNX Runtime sessions.
 */
export interface DelineoModelReadyDetail {
  /** The model's manifest id and version. */
  readonly modelId: string;
  readonly modelVersion: string;
  /** Where it will run, as `delineo-auto-contour` reports it (e.g. 'onnxruntime-web wasm (2 threads: 2 tile workers)'). */
  readonly provider: string;
  /** Seconds from the start of the preload to its end (about 0 when the model was already started). */
  readonly seconds: number;
}

/** Fired by `<delineo-app>` when it has preloaded the selected ONNX model. */
export type DelineoModelReadyEvent = CustomEvent<DelineoModelReadyDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-model-ready': DelineoModelReadyEvent;
  }
}
