/** Detail of `delineo-structure-select`: the structure the tools now act on. */
export interface DelineoStructureSelectDetail {
  /** The structure's id in the structure set, or null when none is selected. */
  readonly id: string | null;
  /** Its name, for logs and portals that do not keep the set. */
  readonly name: string | null;
}

/** Fired by `<delineo-structure-list>` when the user selects a structure (click, arrow keys). */
export type DelineoStructureSelectEvent = CustomEvent<DelineoStructureSelectDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-structure-select': DelineoStructureSelectEvent;
  }
}
