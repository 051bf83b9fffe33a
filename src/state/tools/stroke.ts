/**
 * The brush family's gesture: pointer-down to pointer-up paints (or erases) one stroke of discs or spheres
 * of the session's radius, committed as one undo step through `store.beginEdit`; Escape rolls it back.
 * Each brush tool (brush, eraser, HU brush, push) is this handler with its own paint value.
 */
import type { Vec3 } from '../../domain/geometry.ts';
import { paintDab, paintStroke, type PaintOptions, type SlicePlane } from '../../domain/tools/paint.ts';
import type { MaskEditSession } from '../structure-set.store.ts';
import type { ToolSettings } from '../viewer-session.ts';
import { editableStructure } from './edit.ts';
import type { SlicePoint, ToolContext, ToolHandler, ToolOverlay } from './tool.ts';

/** How a brush decides what it paints. */
export interface StrokeKind {
  readonly undoLabel: string;
  /** Paint (true) or erase (false) for a stroke starting at voxel `start` of structure `id`. */
  value(context: ToolContext, id: string, start: Vec3): boolean;
  /** Limits the paint to an HU range of the CT. */
  readonly huLimited?: boolean;
  readonly erases?: boolean;
}

interface Stroke {
  readonly edit: MaskEditSession;
  readonly id: string;
  readonly plane: SlicePlane;
  readonly options: PaintOptions;
  readonly radiusMm: number;
  last: Vec3;
}

/** A brush tool's handler. */
export function strokeHandler(context: ToolContext, kind: StrokeKind): ToolHandler {
  let stroke: Stroke | null = null;
  return {
    down(p: SlicePoint): boolean {
      const id = editableStructure(context);
      if (!id) return false;
      const session = context.session();
      const settings: ToolSettings = session.tool;
      const plane = context.plane();
      const start = onPlane(p.index, plane);
      const options: PaintOptions = {
        value: kind.value(context, id, start),
        shape: settings.shape,
        ...(kind.huLimited ? { huRange: { min: settings.huMin, max: settings.huMax }, volume: session.volume } : {}),
      };
      let edit: MaskEditSession;
      try {
        edit = session.store.beginEdit(id, kind.undoLabel);
      } catch (e) {
        context.refuse(e);
        return false;
      }
      stroke = { edit, id, plane, options, radiusMm: settings.radiusMm, last: start };
      edit.apply((m) => void paintDab(m, session.volume.spacing, plane, start, settings.radiusMm, options));
      return true;
    },
    move(p: SlicePoint): void {
      const s = stroke;
      if (!s) return;
      const to = onPlane(p.index, s.plane);
      s.edit.apply((m) => void paintStroke(m, context.session().volume.spacing, s.plane, s.last, to, s.radiusMm, s.options));
      s.last = to;
    },
    up(p: SlicePoint | null): void {
      if (p) this.move!(p);
      const s = stroke;
      stroke = null;
      if (s?.edit.commit()) context.committed(s.id, kind.undoLabel, s.plane);
    },
    cancel(): boolean {
      if (!stroke) return false;
      stroke.edit.cancel();
      stroke = null;
      return true;
    },
    overlay(hover: SlicePoint | null): readonly ToolOverlay[] {
      if (!hover) return [];
      const t = context.session().tool;
      return [{ kind: 'brush', radiusMm: t.radiusMm, style: kind.erases ? 'erase' : t.shape === 'sphere' ? 'sphere' : 'paint' }];
    },
  };
}

/** A continuous index with the plane's own coordinate set exactly to the slice (no drift off the plane). */
function onPlane(index: Vec3, plane: SlicePlane): Vec3 {
  const p = [index[0], index[1], index[2]];
  p[plane.axis] = plane.index;
  return p as unknown as Vec3;
}
