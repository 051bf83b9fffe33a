/** HU brush: a brush that paints only the voxels whose CT value is inside the set HU range. */
import { strokeHandler } from './stroke.ts';
import type { ToolDescriptor } from './tool.ts';

export const huBrush: ToolDescriptor = {
  id: 'hu-brush',
  label: 'HU brush',
  description: 'Paint only voxels inside the HU range',
  help: 'HU-limited brush',
  shortcut: 'h',
  cursor: 'none',
  edits: true,
  undoLabel: 'HU brush',
  settings: ['radius', 'shape', 'hu-range'],
  pointer: { kind: 'handler', create: (context) => strokeHandler(context, { undoLabel: 'HU brush', value: () => true, huLimited: true }) },
};
