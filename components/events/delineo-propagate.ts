/** One structure's volume on the planning CT and after propagation onto the new CT. */
export interface DelineoPropagatedVolume {
  readonly name: string;
  readonly beforeCc: number;
  readonly afterCc: number;
  /** (after − before) / before × 100; null for a structure empty on the planning CT. */
  readonly changePercent: number | null;
}

/** Detail of `delineo-propagate`: the planning CT was registered to the CT shown and its structures carried over. */
export interface DelineoPropagateDetail {
  /** The planning CT: series UID, description and date as its files state them, and its PatientID. */
  readonly reference: { readonly seriesInstanceUid: string | null; readonly seriesDescription: string; readonly studyDate: string; readonly patientId: string };
  /** The two CTs name different patients, and the user chose to register them anyway. */
  readonly patientMismatch: boolean;
  /** Ids of the structures added (status AUTO, provenance "propagated from <series>, <date>"), in file order. */
  readonly structureIds: readonly string[];
  readonly volumes: readonly DelineoPropagatedVolume[];
  /** New-CT patient point → planning-CT patient point, row-major 4×4 (the registration's rigid part). */
  readonly rigid: readonly number[];
  readonly mode: 'rigid' | 'deformable';
  /** Mean |HU difference| in the new CT's body with the CTs as scanned, and through the registration. */
  readonly meanAbsHuBefore: number;
  readonly meanAbsHuAfter: number;
  /** Range of the deformation's Jacobian determinant and the folding voxels; null for a rigid registration. */
  readonly jacobian: { readonly min: number; readonly max: number; readonly foldingVoxels: number } | null;
  /** Wall time from loading the planning CT to adding the structures, in seconds. */
  readonly seconds: number;
}

/** Fired by `<delineo-app>` after "Adaptive → Load reference…" has added the propagated structures. */
export type DelineoPropagateEvent = CustomEvent<DelineoPropagateDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-propagate': DelineoPropagateEvent;
  }
}
