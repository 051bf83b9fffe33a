/** Small helpers the editing tools share: asking for the structure to edit, and filling a drawn contour. */
import { fillPolygon, type SlicePlane } from '../../domain/tools/paint.ts';
import type { ToolContext } from './tool.ts';

/** The active structure's id when it may be edited; otherwise the refusal is reported and null returned. */
export function editableStructure(context: ToolContext): string | null {
  try {
    return context.session().editableActiveId();
  } catch (e) {
    context.refuse(e);
    return null;
  }
}

/** Fills (or cuts, by the session's contour mode) a closed contour into a structure as one undo step. */
export function fillContour(context: ToolContext, id: string, plane: SlicePlane, points: readonly (readonly [number, number])[], label: string): void {
  const session = context.session();
  const add = session.tool.contourMode === 'add';
  const text = add ? label : `${label} (subtract)`;
  try {
    if (session.store.editMask(id, text, (m) => void fillPolygon(m, plane, points, add))) context.committed(id, text, plane);
  } catch (e) {
    context.refuse(e);
  }
}
