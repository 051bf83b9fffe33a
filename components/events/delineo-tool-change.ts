import type { ToolName } from '../../src/index.ts';

/** Detail of `delineo-tool-change`: the editing tool and its settings. */
export interface DelineoToolChangeDetail {
  readonly tool: ToolName;
  /** Brush, eraser and push radius in mm. */
  readonly radiusMm: number;
  /** 'disc' paints in the slice, 'sphere' across slices. */
  readonly shape: 'disc' | 'sphere';
  /** Polygon and freehand: add to or subtract from the structure. */
  readonly contourMode: 'add' | 'subtract';
}

/** Fired by `<delineo-toolbar>` (and by `<delineo-app>` for its tool keys) when the user picks a tool or changes its settings. */
export type DelineoToolChangeEvent = CustomEvent<DelineoToolChangeDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-tool-change': DelineoToolChangeEvent;
  }
}
