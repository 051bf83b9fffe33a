/**
 * Draws what a slice-view tool shows of its gesture in progress (`ToolOverlay`, described by the tool in
 * src/state/tools): the polygon or freehand contour so far, and the brush's true reach around the pointer.
 */
import type { Rgb } from '../domain/structure.ts';
import type { ToolOverlay } from '../state/tools/tool.ts';
import { applyAffine, rgba, type PlaneAffine } from './slice-overlay.ts';

/** Where and how to draw: the plane's affine, the pointer (device pixels, null when it left), scale and colour. */
export interface ToolOverlayView {
  readonly affine: PlaneAffine;
  readonly pointer: readonly [number, number] | null;
  readonly mmPerPixel: number;
  /** Device pixels per CSS pixel. */
  readonly dpr: number;
  /** The selected structure's colour. */
  readonly color: Rgb;
}

/** Draws the current tool's overlays on a slice view's 2D canvas. */
export function drawToolOverlays(ctx: CanvasRenderingContext2D, overlays: readonly ToolOverlay[], view: ToolOverlayView): void {
  const { affine, pointer, mmPerPixel, dpr, color } = view;
  ctx.save();
  ctx.lineWidth = 1.5 * dpr;
  for (const o of overlays) {
    if (o.kind === 'contour' && o.points.length) {
      ctx.strokeStyle = rgba(color, 1);
      ctx.fillStyle = rgba(color, 0.15);
      ctx.beginPath();
      o.points.forEach(([u, v], n) => {
        const [x, y] = applyAffine(affine, u, v);
        if (n === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      if (o.open && pointer) ctx.lineTo(pointer[0], pointer[1]);
      if (!o.open) ctx.closePath();
      ctx.stroke();
      if (o.open) {
        for (const [n, [u, v]] of o.points.entries()) {
          const [x, y] = applyAffine(affine, u, v);
          ctx.beginPath();
          ctx.arc(x, y, (n === 0 ? 4 : 2.5) * dpr, 0, 2 * Math.PI);
          ctx.fillStyle = n === 0 ? '#fff' : rgba(color, 1);
          ctx.fill();
        }
      }
    } else if (o.kind === 'brush' && pointer && mmPerPixel > 0) {
      // The brush's true reach: a circle of the radius in mm, however the view is zoomed.
      ctx.beginPath();
      ctx.arc(pointer[0], pointer[1], o.radiusMm / mmPerPixel, 0, 2 * Math.PI);
      ctx.strokeStyle = o.style === 'erase' ? 'rgba(255, 255, 255, 0.9)' : rgba(color, 0.95);
      ctx.setLineDash(o.style === 'erase' ? [4 * dpr, 3 * dpr] : o.style === 'sphere' ? [10 * dpr, 3 * dpr] : []);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }
  ctx.restore();
}
