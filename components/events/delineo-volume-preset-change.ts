/** Detail of `delineo-volume-preset-change`: the volume-rendering preset the user picked. */
export interface DelineoVolumePresetChangeDetail {
  /** The preset name ('ct-bone', 'ct-soft-tissue', 'ct-lung'), or 'none' for surfaces only. */
  readonly preset: string;
}

/**
 * Fired by `<delineo-3d-view>` when the user picks a volume-rendering preset in its menu — not when code sets
 * `volumePreset`.
 */
export type DelineoVolumePresetChangeEvent = CustomEvent<DelineoVolumePresetChangeDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-volume-preset-change': DelineoVolumePresetChangeEvent;
  }
}
