/** Freehand: drag a closed contour on a slice; the release fills (or cuts) it into the selected structure. */
import type { SlicePlane } from '../../domain/tools/paint.ts';
import { editableStructure, fillContour } from './edit.ts';
import type { ToolContext, ToolDescriptor, ToolHandler } from './tool.ts';

const LABEL = 'Freehand';

export const freehand: ToolDescriptor = {
  id: 'freehand',
  label: 'Freehand',
  description: 'Drag a closed contour',
  help: 'Freehand contour',
  shortcut: 'f',
  cursor: 'crosshair',
  edits: true,
  undoLabel: LABEL,
  settings: ['contour-mode'],
  pointer: { kind: 'handler', create: freehandHandler },
};

function freehandHandler(context: ToolContext): ToolHandler {
  let drawing: { plane: SlicePlane; points: [number, number][]; id: string } | null = null;
  return {
    down(p) {
      const id = editableStructure(context);
      if (!id) return false;
      drawing = { plane: context.plane(), points: [[p.u, p.v]], id };
      context.requestDraw();
      return true;
    },
    move(p) {
      if (!drawing) return;
      const last = drawing.points[drawing.points.length - 1];
      // Points closer than a tenth of a voxel add nothing but work for the fill.
      if (Math.hypot(p.u - last[0], p.v - last[1]) >= 0.1) drawing.points.push([p.u, p.v]);
    },
    up(p) {
      if (p) this.move!(p);
      const f = drawing;
      drawing = null;
      if (f && f.points.length >= 3) fillContour(context, f.id, f.plane, f.points, LABEL);
    },
    cancel() {
      const had = drawing !== null;
      drawing = null;
      return had;
    },
    overlay: () => (drawing ? [{ kind: 'contour', points: drawing.points, open: false }] : []),
  };
}
