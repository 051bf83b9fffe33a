/** Detail of `delineo-edit-refuse`: an edit the structure set refused, and why. */
export interface DelineoEditRefuseDetail {
  /** The structure the edit was aimed at, or null when none was selected. */
  readonly structureId: string | null;
  /** 'locked', 'approved', 'not-found', 'invalid', 'no-structure' (none selected) or 'nothing' (nothing to do). */
  readonly reason: string;
  /** The sentence shown to the user. */
  readonly message: string;
}

/**
 * Fired by `<delineo-slice-view>` and `<delineo-toolbar>` when an edit is refused (a locked or approved
 * structure, no structure selected, nothing to interpolate). The element also shows the message.
 */
export type DelineoEditRefuseEvent = CustomEvent<DelineoEditRefuseDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-edit-refuse': DelineoEditRefuseEvent;
  }
}
