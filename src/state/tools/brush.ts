/** Brush: paints discs (or spheres) of the set radius into the selected structure. */
import { strokeHandler } from './stroke.ts';
import type { ToolDescriptor } from './tool.ts';

export const brush: ToolDescriptor = {
  id: 'brush',
  label: 'Brush',
  description: 'Paint into the structure',
  help: 'Brush',
  shortcut: 'b',
  cursor: 'none',
  edits: true,
  undoLabel: 'Brush',
  settings: ['radius', 'shape'],
  pointer: { kind: 'handler', create: (context) => strokeHandler(context, { undoLabel: 'Brush', value: () => true }) },
};
