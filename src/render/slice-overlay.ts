/**
 * Drawing structures over a slice view on a 2D canvas stacked on the WebGL canvas. The outlines come from
 * `maskOutline` in index coordinates of the slice plane; an affine map takes them to device pixels with
 * the same camera math the vtk.js view uses, so an outline sits on the image to floating-point precision
 * at any zoom, pan or grid obliquity. Kept out of vtk.js on purpose: a 2D canvas redraw costs a fraction
 * of a millisecond per structure, needs no GPU resources per structure, and its pixels are easy to test.
 */
import type { ImageGeometry, Vec3 } from '../domain/geometry.ts';
import { GridTransform } from '../domain/geometry.ts';
import type { Rgb } from '../domain/structure.ts';
import { planeToIndex, type SlicePlane } from '../domain/tools/paint.ts';
import { patientToViewport, type SliceCamera, type ViewportSize } from './slice-camera.ts';
import type { OutlineLoop } from './slice-outline.ts';

/**
 * An affine map from in-plane index coordinates (u, v) of a slice plane to device pixels:
 * display = origin + u·du + v·dv. See `planeAxes` (domain/tools) for which index axes u and v are.
 */
export interface PlaneAffine {
  readonly origin: readonly [number, number];
  readonly du: readonly [number, number];
  readonly dv: readonly [number, number];
}

/** The affine map of a slice plane to the viewport of a camera. */
export function planeAffine(geometry: ImageGeometry, plane: SlicePlane, camera: SliceCamera, viewport: ViewportSize): PlaneAffine {
  const t = new GridTransform(geometry);
  const at = (u: number, v: number) => patientToViewport(camera, viewport, t.toPatient(planeToIndex(plane, u, v)));
  const o = at(0, 0);
  const a = at(1, 0);
  const b = at(0, 1);
  return { origin: o, du: [a[0] - o[0], a[1] - o[1]], dv: [b[0] - o[0], b[1] - o[1]] };
}

/** Maps (u, v) through an affine. */
export const applyAffine = (m: PlaneAffine, u: number, v: number): [number, number] => [
  m.origin[0] + u * m.du[0] + v * m.dv[0],
  m.origin[1] + u * m.du[1] + v * m.dv[1],
];

/** The inverse map: device pixels to continuous (u, v). Throws for a degenerate map. */
export function invertAffine(m: PlaneAffine, x: number, y: number): [number, number] {
  const det = m.du[0] * m.dv[1] - m.du[1] * m.dv[0];
  if (Math.abs(det) < 1e-12) throw new RangeError('the plane is seen edge-on');
  const dx = x - m.origin[0];
  const dy = y - m.origin[1];
  return [(dx * m.dv[1] - dy * m.dv[0]) / det, (m.du[0] * dy - m.du[1] * dx) / det];
}

/** How a structure is drawn. */
export interface OutlineStyle {
  readonly color: Rgb;
  /** Opacity of the fill, 0 (outline only) to 1. */
  readonly fillOpacity: number;
  /** Outline width in device pixels; 0 draws no outline. */
  readonly lineWidth: number;
  /** Dash pattern in device pixels (e.g. a preview), solid when absent. */
  readonly dash?: readonly number[];
}

/** CSS colour of an RGB triple with an alpha. */
export const rgba = (c: Rgb, alpha = 1): string => `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha})`;

/** The dark border drawn under every outline, in device pixels on each side, and its colour. */
export const OUTLINE_HALO = { width: 1, color: 'rgba(0, 0, 0, 0.6)' } as const;

/**
 * Draws loops (index coordinates) filled with the even–odd rule (so holes stay open) and outlined. The
 * points are transformed here rather than through the context's transform so that the line width stays
 * in device pixels whatever the zoom. The outline sits on a dark halo: a light colour stays visible on bone
 * at a soft-tissue window, as planning systems draw contours.
 */
export function drawOutlines(ctx: CanvasRenderingContext2D, loops: readonly OutlineLoop[], affine: PlaneAffine, style: OutlineStyle): void {
  if (loops.length === 0) return;
  const path = new Path2D();
  for (const loop of loops) {
    const n = loop.length / 2;
    for (let p = 0; p < n; p++) {
      const [x, y] = applyAffine(affine, loop[2 * p], loop[2 * p + 1]);
      if (p === 0) path.moveTo(x, y);
      else path.lineTo(x, y);
    }
    path.closePath();
  }
  if (style.fillOpacity > 0) {
    ctx.fillStyle = rgba(style.color, style.fillOpacity);
    ctx.fill(path, 'evenodd');
  }
  if (style.lineWidth > 0) {
    ctx.setLineDash(style.dash ? [...style.dash] : []);
    ctx.lineJoin = 'miter';
    ctx.lineWidth = style.lineWidth + 2 * OUTLINE_HALO.width;
    ctx.strokeStyle = OUTLINE_HALO.color;
    ctx.stroke(path);
    ctx.lineWidth = style.lineWidth;
    ctx.strokeStyle = rgba(style.color, 1);
    ctx.stroke(path);
    ctx.setLineDash([]);
  }
}

/**
 * Caches outlines by key (structure, plane, mask version), so panning, zooming and cursor moves redraw
 * without re-reading masks; a changed mask version is a different key. Bounded: the oldest entries go first.
 */
export class OutlineCache {
  readonly #entries = new Map<string, OutlineLoop[]>();
  constructor(readonly capacity = 256) {}

  /** The cached loops for `key`, computing and storing them on a miss. */
  get(key: string, compute: () => OutlineLoop[]): OutlineLoop[] {
    const hit = this.#entries.get(key);
    if (hit) {
      // Re-insert: Map iteration order is insertion order, which makes this least-recently-used.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const loops = compute();
    this.#entries.set(key, loops);
    while (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return loops;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The (u, v) of a patient point projected onto a slice plane's index coordinates (continuous). */
export function patientToPlane(geometry: ImageGeometry, plane: SlicePlane, point: Vec3): [number, number] {
  const index = new GridTransform(geometry).toIndex(point);
  const [u, v] = plane.axis === 2 ? [0, 1] : plane.axis === 1 ? [0, 2] : [1, 2];
  return [index[u], index[v]];
}
