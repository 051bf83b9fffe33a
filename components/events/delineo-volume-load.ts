/**
 * Detail of `delineo-volume-load`: what a listener needs to know about the volume now on screen, small and
 * serialisable (it may be logged, posted to a worker or stored) — never the voxels or a vtk.js object.
 */
export interface DelineoVolumeLoadDetail {
  /** Voxels along i (columns), j (rows), k (slices). */
  readonly dimensions: readonly [number, number, number];
  /** Voxel spacing in mm along i, j, k. */
  readonly spacing: readonly [number, number, number];
  /** DICOM Series Instance UID, or null for a volume that has none (e.g. one read from NIfTI). */
  readonly seriesInstanceUid: string | null;
  /** The name shown to the user (series description or file name); may be empty. */
  readonly name: string;
}

/** Fired by `<delineo-app>` when a volume has been loaded and is shown. Bubbles and crosses shadow roots. */
export type DelineoVolumeLoadEvent = CustomEvent<DelineoVolumeLoadDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-volume-load': DelineoVolumeLoadEvent;
  }
}
