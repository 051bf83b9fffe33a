/** Detail of `delineo-structure-edit`: an edit of a structure's mask that was committed as one undo step. */
export interface DelineoStructureEditDetail {
  readonly structureId: string;
  /** The undo label ('Brush', 'Polygon', 'Region grow', 'Interpolate', …). */
  readonly label: string;
}

/** Fired by `<delineo-slice-view>` and `<delineo-toolbar>` after an edit made with a tool is committed. */
export type DelineoStructureEditEvent = CustomEvent<DelineoStructureEditDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-structure-edit': DelineoStructureEditEvent;
  }
}
