import type { Volume } from '../../src/index.ts';

/** Detail of `delineo-dose-predicted`: a dose prediction landed and is offered in the Dose section, marked PREDICTED. */
export interface DelineoDosePredictedDetail {
  /** The dose model's manifest id (e.g. 'hn-dose') and version. */
  readonly modelId: string;
  readonly modelVersion: string;
  /** The prediction's label as the app shows it (e.g. 'Predicted dose (hn-dose 0.1.0)'). */
  readonly label: string;
  /** 'user': the Predict dose button or key D; 'edit': recomputed after a PTV, an organ or a prescription changed. */
  readonly trigger: 'user' | 'edit';
  /** Wall time of the run in seconds (fetching the model the first time included). */
  readonly seconds: number;
  /** The prediction's maximum (Gy). */
  readonly maxGy: number;
  /** The PTVs it was predicted for, each with the prescription used (from its name or entered). */
  readonly targets: readonly { readonly structureId: string; readonly name: string; readonly prescriptionGy: number }[];
  /** Organs the model takes that the structure set lacks (predicted without them), by TG-263 name. */
  readonly missingOrgans: readonly string[];
  /** The predicted dose (Gy) on the model's grid in the CT's patient space, like an RT Dose grid. */
  readonly dose: Volume;
}

/** Fired by `<delineo-app>` when a dose prediction has landed (after the Predict dose job reported `done`). */
export type DelineoDosePredictedEvent = CustomEvent<DelineoDosePredictedDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-dose-predicted': DelineoDosePredictedEvent;
  }
}
