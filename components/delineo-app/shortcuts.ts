import { TOOLS, type ToolDescriptor } from '../../src/index.ts';

/** One line of the shortcut help: the keys as shown, what they do, and where they work. */
export interface Shortcut {
  readonly keys: string;
  readonly action: string;
  readonly scope: 'App' | 'Slice view' | 'Structure list';
}

/**
 * Every keyboard shortcut of an application offering `tools`, in the order of the help panel. The app's key
 * handler and the help panel both read the app-wide keys from here (the tools' keys and words from their
 * descriptors), so the help cannot drift from what the keys do; the slice-view and list keys are those the
 * elements implement (docs/viewer.md).
 */
export function shortcutsFor(tools: readonly ToolDescriptor[]): Shortcut[] {
  return [
    { keys: '?', action: 'Show or hide this help', scope: 'App' },
    { keys: 'Ctrl+O', action: 'Open CT files', scope: 'App' },
    { keys: 'Ctrl+S', action: 'Export the structures as an RTSTRUCT file', scope: 'App' },
    { keys: 'A', action: 'Approve the selected structure, or withdraw its approval', scope: 'App' },
    { keys: '.', action: 'Next structure to review (jumps to it)', scope: 'App' },
    { keys: ',', action: 'Previous structure to review', scope: 'App' },
    { keys: 'Ctrl+Z', action: 'Undo', scope: 'App' },
    { keys: 'Ctrl+Shift+Z, Ctrl+Y', action: 'Redo', scope: 'App' },
    ...tools.flatMap((t) => (t.shortcut ? [{ keys: t.shortcut.toUpperCase(), action: t.help, scope: 'App' as const }] : [])),
    { keys: 'I', action: 'Interpolate between the contoured slices', scope: 'App' },
    { keys: 'J', action: 'Next uncertain slice of the selected auto-contour (where the model doubts most first)', scope: 'App' },
    { keys: 'M', action: 'Show or hide the uncertainty overlay (the model’s doubt as a colour wash)', scope: 'App' },
    { keys: 'D', action: 'Predict dose from the CT and the structures (needs a PTV with a prescription)', scope: 'App' },
    { keys: 'Escape', action: 'Cancel the running job (load, auto-contour, dose prediction, export); close a dialog', scope: 'App' },
    { keys: 'ArrowUp / ArrowDown', action: 'Next / previous slice', scope: 'Slice view' },
    { keys: 'PageUp / PageDown', action: '10 slices', scope: 'Slice view' },
    { keys: 'Home / End', action: 'First / last slice', scope: 'Slice view' },
    { keys: '+ / - / 0', action: 'Zoom in / out / reset', scope: 'Slice view' },
    { keys: '1 – 6', action: 'Window presets (the series’ own window first)', scope: 'Slice view' },
    { keys: '[ / ]', action: 'Smaller / larger brush', scope: 'Slice view' },
    { keys: 'Enter', action: 'Close the polygon; add the region-grow preview', scope: 'Slice view' },
    { keys: 'Escape', action: 'Cancel the stroke, polygon or preview', scope: 'Slice view' },
    { keys: 'Backspace', action: 'Remove the last polygon vertex', scope: 'Slice view' },
    { keys: 'Wheel / Ctrl+wheel', action: 'Scroll slices / zoom at the pointer', scope: 'Slice view' },
    { keys: 'Right-drag / middle-drag', action: 'Window/level / pan', scope: 'Slice view' },
    { keys: 'ArrowUp / ArrowDown', action: 'Select the previous / next structure', scope: 'Structure list' },
    { keys: 'Enter, F2', action: 'Rename', scope: 'Structure list' },
    { keys: 'V / L', action: 'Show or hide / lock or unlock', scope: 'Structure list' },
    { keys: 'Delete', action: 'Delete (after confirmation)', scope: 'Structure list' },
  ];
}

/** The shortcuts of the application with the registry's tools. */
export const SHORTCUTS: readonly Shortcut[] = shortcutsFor(TOOLS);
