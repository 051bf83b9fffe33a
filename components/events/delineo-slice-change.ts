/** Detail of `delineo-slice-change`: which slice a view now shows. Small and serialisable. */
export interface DelineoSliceChangeDetail {
  /** The view's standard orientation. */
  readonly orientation: 'axial' | 'coronal' | 'sagittal';
  /** The grid axis the view slices along (2 = k, the stored slices of an axial series). */
  readonly axis: 0 | 1 | 2;
  /** Index of the slice along that axis, 0-based. */
  readonly index: number;
  /** Number of slices along that axis. */
  readonly count: number;
}

/**
 * Fired by `<delineo-slice-view>` when the slice it shows changes because of the user — scrolling in this
 * view, or a click in a linked view that moved the shared crosshair — not when code sets the position.
 */
export type DelineoSliceChangeEvent = CustomEvent<DelineoSliceChangeDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-slice-change': DelineoSliceChangeEvent;
  }
}
