/** Detail of `delineo-crosshair-change`: the shared crosshair's position. */
export interface DelineoCrosshairChangeDetail {
  /** Patient position (DICOM LPS, mm). */
  readonly position: readonly [number, number, number];
  /** Continuous voxel index (i, j, k) of that position on the CT grid. */
  readonly index: readonly [number, number, number];
}

/** Fired by `<delineo-slice-view>` when the user moves the crosshair (a click or scroll in that view). */
export type DelineoCrosshairChangeEvent = CustomEvent<DelineoCrosshairChangeDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-crosshair-change': DelineoCrosshairChangeEvent;
  }
}
