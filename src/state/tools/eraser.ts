/** Eraser: removes discs (or spheres) of the set radius from the selected structure. */
import { strokeHandler } from './stroke.ts';
import type { ToolDescriptor } from './tool.ts';

export const eraser: ToolDescriptor = {
  id: 'eraser',
  label: 'Eraser',
  description: 'Erase from the structure',
  help: 'Eraser',
  shortcut: 'e',
  cursor: 'none',
  edits: true,
  undoLabel: 'Erase',
  settings: ['radius', 'shape'],
  pointer: { kind: 'handler', create: (context) => strokeHandler(context, { undoLabel: 'Erase', value: () => false, erases: true }) },
};
