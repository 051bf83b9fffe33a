/** Navigate: click or drag moves the shared crosshair (the linked views follow); no editing. */
import type { ToolDescriptor } from './tool.ts';

export const navigate: ToolDescriptor = {
  id: 'navigate',
  label: 'Navigate',
  description: 'Click or drag to move the crosshair',
  help: 'Navigate (move the crosshair)',
  shortcut: 'n',
  cursor: 'default',
  edits: false,
  settings: [],
  pointer: { kind: 'crosshair' },
};
