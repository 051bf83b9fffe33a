/** Detail of `delineo-auto-contour`: an auto-contouring run finished and its structures were added for review. */
export interface DelineoAutoContourDetail {
  /** The model's manifest id (e.g. 'hn-oar', 'ct-external-lungs-bones') and version. */
  readonly modelId: string;
  readonly modelVersion: string;
  /** Ids of the structures added (AUTOMATIC provenance, status "auto"), in label order. */
  readonly structureIds: readonly string[];
  /** Ids of the previous, unreviewed result of the same model that this run replaced. */
  readonly replacedIds: readonly string[];
  /** The execution provider used (e.g. 'onnxruntime-web wasm (2 threads: 2 tile workers)', 'onnxruntime-web webgpu', 'rules'; 'server' for the service). */
  readonly provider: string;
  /** Wall time of the run in seconds (for a server run: submit, wait, and retrieving the structure set). */
  readonly seconds: number;
  /** Where the model ran: 'local' (in this browser) or 'server' (the auto-contouring service, "Auto-contour on server"). */
  readonly source: 'local' | 'server';
  /** The service's job id (`<series UID>~<model id>~<model version>`), for a server run. */
  readonly jobId?: string;
}

/** Fired by `<delineo-app>` after an auto-contouring run has added its structures. */
export type DelineoAutoContourEvent = CustomEvent<DelineoAutoContourDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-auto-contour': DelineoAutoContourEvent;
  }
}
