/** Window/level: dragging changes the window (horizontal) and level (vertical); no editing. */
import type { ToolDescriptor } from './tool.ts';

export const windowLevel: ToolDescriptor = {
  id: 'window-level',
  label: 'W/L',
  description: 'Drag to change window (horizontal) and level (vertical)',
  help: 'Window/level by dragging',
  shortcut: 'w',
  cursor: 'ns-resize',
  edits: false,
  settings: [],
  pointer: { kind: 'window' },
};
