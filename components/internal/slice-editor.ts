import {
  EditRefusedError,
  applyAffine,
  fillHoleAt,
  fillPolygon,
  paintDab,
  paintStroke,
  rgba,
  type MaskEditSession,
  type PaintOptions,
  type PlaneAffine,
  type Rgb,
  type SlicePlane,
  type Vec3,
} from '../../src/index.ts';
import type { ToolName, ToolSettings, ViewerSession } from './viewer-session.ts';

/** A pointer position on a slice view, in every coordinate system the tools need. */
export interface SlicePoint {
  /** Device pixels from the view's top-left corner. */
  readonly display: readonly [number, number];
  /** Continuous in-plane index coordinates (see `planeAxes`). */
  readonly u: number;
  readonly v: number;
  /** Continuous voxel index; the plane's own axis holds the slice index exactly. */
  readonly index: Vec3;
  /** Patient position, LPS mm. */
  readonly patient: Vec3;
}

/** What the editor needs from the view it works in. */
export interface SliceEditorHost {
  session(): ViewerSession;
  /** The plane shown now. */
  plane(): SlicePlane;
  /** The current map from plane (u, v) to device pixels, for hit-testing vertices on screen; null without a volume. */
  planeAffine(): PlaneAffine | null;
  /** Asks for the overlay to be redrawn (cursor, polygon in progress). */
  requestDraw(): void;
  /** Shows why an edit was refused (an EditRefusedError's message, or a sentence of the editor's own). */
  refused(structureId: string | null, reason: string, message: string): void;
  /** An edit was committed as one undo step. */
  committed(structureId: string, label: string): void;
}

/** Undo labels, in the user's words. */
const LABELS: Partial<Record<ToolName, string>> = {
  brush: 'Brush',
  eraser: 'Erase',
  'hu-brush': 'HU brush',
  nudge: 'Push',
  polygon: 'Polygon',
  freehand: 'Freehand',
  'fill-hole': 'Fill hole',
};

/** Device pixels within which a click on the first polygon vertex closes the polygon. */
const CLOSE_DISTANCE_CSS_PX = 8;

interface Stroke {
  readonly edit: MaskEditSession;
  readonly id: string;
  readonly label: string;
  readonly plane: SlicePlane;
  readonly options: PaintOptions;
  readonly radiusMm: number;
  last: Vec3;
}

/**
 * The editing tools of one slice view, driven by its pointer and key events: brush, eraser, HU-limited
 * brush and push as strokes (pointer-down to pointer-up = one undo step through `store.beginEdit`),
 * polygon and freehand contours filled or cut on release, fill-hole and region-grow on click. The voxel
 * work is the domain's (`paintStroke`, `fillPolygon`, `fillHoleAt`, `regionGrow`); this class only turns
 * gestures into those calls and draws the gesture in progress (brush circle, polygon so far).
 *
 * Every edit is checked up front by `session.editableActiveId()`, so a locked or approved structure
 * refuses the gesture at pointer-down with the store's own sentence instead of half-drawing it.
 */
export class SliceEditor {
  readonly #host: SliceEditorHost;
  #stroke: Stroke | null = null;
  /** Polygon vertices (u, v) placed so far, and the plane they were placed on. */
  #polygon: { plane: SlicePlane; points: [number, number][] } | null = null;
  #freehand: { plane: SlicePlane; points: [number, number][]; id: string } | null = null;
  /** The last pointer position over the view, for the cursor; null when the pointer left. */
  hover: SlicePoint | null = null;

  constructor(host: SliceEditorHost) {
    this.#host = host;
  }

  /** True while a gesture is in progress (a stroke, a polygon being placed, a freehand drag). */
  get busy(): boolean {
    return this.#stroke !== null || this.#polygon !== null || this.#freehand !== null;
  }

  /** The polygon vertices placed so far, in (u, v); empty when none (for tests and assistive text). */
  get polygonPoints(): readonly (readonly [number, number])[] {
    return this.#polygon?.points ?? [];
  }

  /**
   * A primary-button press. Returns true when the editor took the gesture (the view then captures the
   * pointer and sends the moves and the release here).
   */
  pointerDown(p: SlicePoint, settings: ToolSettings, cssToDevice: number): boolean {
    const tool = settings.tool;
    const plane = this.#host.plane();
    switch (tool) {
      case 'brush':
      case 'eraser':
      case 'hu-brush':
      case 'nudge':
        return this.#beginStroke(p, settings, plane);
      case 'freehand': {
        const id = this.#editable();
        if (!id) return false;
        this.#freehand = { plane, points: [[p.u, p.v]], id };
        this.#host.requestDraw();
        return true;
      }
      case 'polygon':
        this.#polygonClick(p, plane, cssToDevice);
        return false;
      case 'fill-hole':
        this.#fillHole(p, plane);
        return false;
      case 'region-grow':
        this.#regionGrow(p, plane);
        return false;
      default:
        return false;
    }
  }

  /** A pointer move: extends a stroke or a freehand contour, and moves the cursor. */
  pointerMove(p: SlicePoint): void {
    this.hover = p;
    const s = this.#stroke;
    if (s) {
      const to = onPlane(p.index, s.plane);
      s.edit.apply((m) => void paintStroke(m, this.#host.session().volume.spacing, s.plane, s.last, to, s.radiusMm, s.options));
      s.last = to;
    } else if (this.#freehand) {
      const last = this.#freehand.points[this.#freehand.points.length - 1];
      // Points closer than a tenth of a voxel add nothing but work for the fill.
      if (Math.hypot(p.u - last[0], p.v - last[1]) >= 0.1) this.#freehand.points.push([p.u, p.v]);
    }
    this.#host.requestDraw();
  }

  /** The release that ends a stroke or a freehand contour. */
  pointerUp(p: SlicePoint | null): void {
    if (p) this.pointerMove(p);
    const s = this.#stroke;
    if (s) {
      this.#stroke = null;
      if (s.edit.commit()) this.#committed(s.id, s.label, s.plane);
    }
    const f = this.#freehand;
    if (f) {
      this.#freehand = null;
      if (f.points.length >= 3) this.#fillContour(f.id, f.plane, f.points, this.#host.session().tool.contourMode, 'Freehand');
    }
    this.#host.requestDraw();
  }

  /**
   * Abandons the gesture in progress: a stroke is rolled back to the mask before it (Escape mid-stroke, or
   * the pointer lost), a polygon or freehand contour is dropped. Returns true when there was one.
   */
  cancel(): boolean {
    const had = this.busy;
    this.#stroke?.edit.cancel();
    this.#stroke = null;
    this.#polygon = null;
    this.#freehand = null;
    if (had) this.#host.requestDraw();
    return had;
  }

  /** Keys of the tools: Enter closes a polygon or commits a region-grow preview, Escape cancels, Backspace removes the last vertex. */
  key(key: string): boolean {
    const session = this.#host.session();
    if (key === 'Escape') {
      if (this.cancel()) return true;
      if (session.preview) {
        session.cancelPreview();
        return true;
      }
      return false;
    }
    if (key === 'Enter') {
      if (this.#polygon) {
        this.#closePolygon();
        return true;
      }
      if (session.preview) {
        const id = session.preview.structureId;
        try {
          if (session.commitPreview()) this.#host.committed(id, 'Region grow');
        } catch (e) {
          this.#refuse(e);
        }
        return true;
      }
      return false;
    }
    if (key === 'Backspace' && this.#polygon) {
      this.#polygon.points.pop();
      if (this.#polygon.points.length === 0) this.#polygon = null;
      this.#host.requestDraw();
      return true;
    }
    return false;
  }

  /** Draws the gesture in progress and the tool's cursor on the overlay. */
  draw(ctx: CanvasRenderingContext2D, affine: PlaneAffine, mmPerPixel: number, dpr: number, settings: ToolSettings, color: Rgb): void {
    const tool = settings.tool;
    const hover = this.hover;
    ctx.save();
    ctx.lineWidth = 1.5 * dpr;
    const contour = this.#polygon?.points ?? this.#freehand?.points;
    if (contour && contour.length) {
      ctx.strokeStyle = rgba(color, 1);
      ctx.fillStyle = rgba(color, 0.15);
      ctx.beginPath();
      contour.forEach(([u, v], n) => {
        const [x, y] = applyAffine(affine, u, v);
        if (n === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      if (this.#polygon && hover) ctx.lineTo(hover.display[0], hover.display[1]);
      if (this.#freehand) ctx.closePath();
      ctx.stroke();
      if (this.#polygon) {
        for (const [n, [u, v]] of contour.entries()) {
          const [x, y] = applyAffine(affine, u, v);
          ctx.beginPath();
          ctx.arc(x, y, (n === 0 ? 4 : 2.5) * dpr, 0, 2 * Math.PI);
          ctx.fillStyle = n === 0 ? '#fff' : rgba(color, 1);
          ctx.fill();
        }
      }
    }
    if (hover && (tool === 'brush' || tool === 'eraser' || tool === 'hu-brush' || tool === 'nudge') && mmPerPixel > 0) {
      // The brush's true reach: a circle of the radius in mm, however the view is zoomed.
      const r = settings.radiusMm / mmPerPixel;
      ctx.beginPath();
      ctx.arc(hover.display[0], hover.display[1], r, 0, 2 * Math.PI);
      ctx.strokeStyle = tool === 'eraser' ? 'rgba(255, 255, 255, 0.9)' : rgba(color, 0.95);
      ctx.setLineDash(tool === 'eraser' ? [4 * dpr, 3 * dpr] : settings.shape === 'sphere' ? [10 * dpr, 3 * dpr] : []);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.restore();
  }

  #editable(): string | null {
    try {
      return this.#host.session().editableActiveId();
    } catch (e) {
      this.#refuse(e);
      return null;
    }
  }

  #refuse(e: unknown): void {
    if (e instanceof EditRefusedError) this.#host.refused(e.structureId || null, e.structureId ? e.reason : 'no-structure', e.message);
    else this.#host.refused(this.#host.session().store.state.activeId, 'invalid', e instanceof Error ? e.message : String(e));
  }

  #committed(id: string, label: string, plane: SlicePlane): void {
    this.#host.session().lastEditAxis = plane.axis;
    this.#host.committed(id, label);
  }

  #beginStroke(p: SlicePoint, settings: ToolSettings, plane: SlicePlane): boolean {
    const id = this.#editable();
    if (!id) return false;
    const session = this.#host.session();
    const start = onPlane(p.index, plane);
    let value = settings.tool !== 'eraser';
    if (settings.tool === 'nudge') {
      // Push decides from where the stroke starts: inside grows the structure, outside pushes it back.
      const mask = session.store.mask(id);
      const [i, j, k] = start.map(Math.round);
      value = mask.inBounds(i, j, k) && mask.get(i, j, k);
    }
    const options: PaintOptions = {
      value,
      shape: settings.shape,
      ...(settings.tool === 'hu-brush' ? { huRange: { min: settings.huMin, max: settings.huMax }, volume: session.volume } : {}),
    };
    let edit: MaskEditSession;
    try {
      edit = session.store.beginEdit(id, LABELS[settings.tool] ?? 'Edit');
    } catch (e) {
      this.#refuse(e);
      return false;
    }
    const stroke: Stroke = { edit, id, label: LABELS[settings.tool] ?? 'Edit', plane, options, radiusMm: settings.radiusMm, last: start };
    this.#stroke = stroke;
    this.hover = p;
    edit.apply((m) => void paintDab(m, session.volume.spacing, plane, start, settings.radiusMm, options));
    return true;
  }

  #polygonClick(p: SlicePoint, plane: SlicePlane, cssToDevice: number): void {
    const poly = this.#polygon;
    if (!poly || poly.plane.axis !== plane.axis || poly.plane.index !== plane.index) {
      if (!this.#editable()) return;
      this.#polygon = { plane, points: [[p.u, p.v]] };
      this.hover = p;
      this.#host.requestDraw();
      return;
    }
    if (poly.points.length >= 3 && this.#nearFirst(p, poly.points[0], cssToDevice)) {
      this.#closePolygon();
      return;
    }
    poly.points.push([p.u, p.v]);
    this.hover = p;
    this.#host.requestDraw();
  }

  /** True when `p` is within a few CSS pixels of the first vertex on screen. */
  #nearFirst(p: SlicePoint, first: readonly [number, number], cssToDevice: number): boolean {
    const affine = this.#host.planeAffine();
    if (!affine) return false;
    const [x, y] = applyAffine(affine, first[0], first[1]);
    return Math.hypot(p.display[0] - x, p.display[1] - y) <= CLOSE_DISTANCE_CSS_PX * cssToDevice;
  }

  /** Closes the polygon being placed and fills (or cuts) it; the view calls this on a double click. */
  closePolygon(): void {
    this.#closePolygon();
  }

  #closePolygon(): void {
    const poly = this.#polygon;
    this.#polygon = null;
    this.#host.requestDraw();
    if (!poly || poly.points.length < 3) return;
    const id = this.#editable();
    if (!id) return;
    this.#fillContour(id, poly.plane, poly.points, this.#host.session().tool.contourMode, 'Polygon');
  }

  #fillContour(id: string, plane: SlicePlane, points: readonly (readonly [number, number])[], mode: 'add' | 'subtract', label: string): void {
    const text = mode === 'add' ? label : `${label} (subtract)`;
    try {
      if (this.#host.session().store.editMask(id, text, (m) => void fillPolygon(m, plane, points, mode === 'add'))) this.#committed(id, text, plane);
    } catch (e) {
      this.#refuse(e);
    }
  }

  #fillHole(p: SlicePoint, plane: SlicePlane): void {
    const id = this.#editable();
    if (!id) return;
    const seed: [number, number] = [Math.round(p.u), Math.round(p.v)];
    let filled = 0;
    try {
      this.#host.session().store.editMask(id, 'Fill hole', (m) => void (filled = fillHoleAt(m, plane, seed)));
    } catch (e) {
      this.#refuse(e);
      return;
    }
    if (filled > 0) this.#committed(id, 'Fill hole', plane);
    else this.#host.refused(id, 'nothing', 'No enclosed hole under the pointer on this slice');
  }

  #regionGrow(p: SlicePoint, plane: SlicePlane): void {
    const seed = p.index.map(Math.round) as unknown as Vec3;
    const [nx, ny, nz] = this.#host.session().volume.dimensions;
    if (seed[0] < 0 || seed[1] < 0 || seed[2] < 0 || seed[0] >= nx || seed[1] >= ny || seed[2] >= nz) return;
    try {
      this.#host.session().startRegionGrow(seed, plane);
    } catch (e) {
      this.#refuse(e);
    }
  }
}

/** A continuous index with the plane's own coordinate set exactly to the slice (no drift off the plane). */
function onPlane(index: Vec3, plane: SlicePlane): Vec3 {
  const p = [index[0], index[1], index[2]];
  p[plane.axis] = plane.index;
  return p as unknown as Vec3;
}
