/** Detail of `delineo-fusion-change`: how the planning CT is shown over the new CT in the review view. */
export interface DelineoFusionChangeDetail {
  readonly mode: 'off' | 'blend' | 'checkerboard' | 'difference';
  /** Blend: the planning CT's weight in percent (0–100). */
  readonly blendPercent: number;
  /** Checkerboard: the side of a square in mm. */
  readonly checkerMm: number;
  /** Whether the planning contours (dashed) are drawn. */
  readonly referenceContours: boolean;
}

/** Fired by `<delineo-app>` when the user changes the fusion of the adaptive review. */
export type DelineoFusionChangeEvent = CustomEvent<DelineoFusionChangeDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-fusion-change': DelineoFusionChangeEvent;
  }
}
