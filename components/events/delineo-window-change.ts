/** Detail of `delineo-window-change`: the display window now in use, in HU for CT. */
export interface DelineoWindowChangeDetail {
  readonly window: number;
  readonly level: number;
  /** Id of the preset it equals ('soft-tissue', 'lung', 'bone', 'brain', 'mediastinum', 'dicom'), or null. */
  readonly preset: string | null;
}

/** Fired by `<delineo-slice-view>` (drag) and `<delineo-toolbar>` (preset) when the user changes the window. */
export type DelineoWindowChangeEvent = CustomEvent<DelineoWindowChangeDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-window-change': DelineoWindowChangeEvent;
  }
}
