/** Detail of `delineo-structure-delete`: the structure about to be deleted. */
export interface DelineoStructureDeleteDetail {
  readonly id: string;
  readonly name: string;
}

/**
 * Fired by `<delineo-structure-list>` after the user confirmed a deletion and before the structure is
 * removed. Cancelable: `preventDefault()` keeps the structure (a portal that must ask its own question).
 */
export type DelineoStructureDeleteEvent = CustomEvent<DelineoStructureDeleteDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-structure-delete': DelineoStructureDeleteEvent;
  }
}
