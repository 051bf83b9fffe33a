/** Fill hole: a click fills the enclosed hole of the selected structure under the pointer, on this slice. */
import { fillHoleAt } from '../../domain/tools/paint.ts';
import { editableStructure } from './edit.ts';
import type { ToolDescriptor } from './tool.ts';

const LABEL = 'Fill hole';

export const fillHole: ToolDescriptor = {
  id: 'fill-hole',
  label: 'Fill hole',
  description: 'Click inside a hole to fill it',
  help: 'Fill a hole',
  shortcut: 'o',
  cursor: 'crosshair',
  edits: true,
  undoLabel: LABEL,
  settings: [],
  pointer: {
    kind: 'handler',
    create: (context) => ({
      down(p) {
        const id = editableStructure(context);
        if (!id) return false;
        const plane = context.plane();
        const seed: [number, number] = [Math.round(p.u), Math.round(p.v)];
        let filled = 0;
        try {
          context.session().store.editMask(id, LABEL, (m) => void (filled = fillHoleAt(m, plane, seed)));
        } catch (e) {
          context.refuse(e);
          return false;
        }
        if (filled > 0) context.committed(id, LABEL, plane);
        else context.nothing(id, 'No enclosed hole under the pointer on this slice');
        return false;
      },
      cancel: () => false,
    }),
  },
};
