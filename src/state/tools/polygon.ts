/**
 * Polygon: click vertices on a slice; a click on the first vertex, a double click or Enter closes it and
 * fills (or cuts) it into the selected structure. Backspace removes the last vertex, Escape drops it.
 */
import type { SlicePlane } from '../../domain/tools/paint.ts';
import { editableStructure, fillContour } from './edit.ts';
import type { SlicePoint, ToolContext, ToolDescriptor, ToolHandler } from './tool.ts';

/** CSS pixels within which a click on the first vertex closes the polygon. */
const CLOSE_DISTANCE_CSS_PX = 8;
const LABEL = 'Polygon';

export const polygon: ToolDescriptor = {
  id: 'polygon',
  label: 'Polygon',
  description: 'Click vertices; close on the first vertex, double-click or Enter',
  help: 'Polygon',
  shortcut: 'p',
  cursor: 'crosshair',
  edits: true,
  undoLabel: LABEL,
  settings: ['contour-mode'],
  pointer: { kind: 'handler', create: polygonHandler },
};

function polygonHandler(context: ToolContext): ToolHandler {
  let poly: { plane: SlicePlane; points: [number, number][] } | null = null;
  const close = (): void => {
    const p = poly;
    poly = null;
    context.requestDraw();
    if (!p || p.points.length < 3) return;
    const id = editableStructure(context);
    if (id) fillContour(context, id, p.plane, p.points, LABEL);
  };
  const nearFirst = (p: SlicePoint, first: readonly [number, number]): boolean => {
    const at = context.toDisplay(first[0], first[1]);
    return !!at && Math.hypot(p.display[0] - at[0], p.display[1] - at[1]) <= CLOSE_DISTANCE_CSS_PX * context.cssToDevice();
  };
  return {
    get vertices() {
      return poly?.points ?? [];
    },
    down(p) {
      const plane = context.plane();
      if (!poly || poly.plane.axis !== plane.axis || poly.plane.index !== plane.index) {
        if (!editableStructure(context)) return false;
        poly = { plane, points: [[p.u, p.v]] };
      } else if (poly.points.length >= 3 && nearFirst(p, poly.points[0])) {
        close();
        return false;
      } else {
        poly.points.push([p.u, p.v]);
      }
      context.requestDraw();
      return false;
    },
    cancel() {
      const had = poly !== null;
      poly = null;
      return had;
    },
    key(key) {
      if (!poly) return false;
      if (key === 'Enter') close();
      else if (key === 'Backspace') {
        poly.points.pop();
        if (poly.points.length === 0) poly = null;
        context.requestDraw();
      } else return false;
      return true;
    },
    doubleClick: close,
    overlay: () => (poly ? [{ kind: 'contour', points: poly.points, open: true }] : []),
  };
}
