/** Detail of `delineo-structure-approve`: a structure was approved, or its approval withdrawn. */
export interface DelineoStructureApproveDetail {
  readonly structureId: string;
  readonly name: string;
  /** True when now approved (frozen against edits), false when the approval was withdrawn. */
  readonly approved: boolean;
}

/** Fired by `<delineo-app>` and `<delineo-review-panel>` when the user approves a structure or withdraws it. */
export type DelineoStructureApproveEvent = CustomEvent<DelineoStructureApproveDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-structure-approve': DelineoStructureApproveEvent;
  }
}
