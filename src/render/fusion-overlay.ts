/**
 * The reference CT of an adaptive review over a slice view, drawn on the view's 2D overlay with the same plane
 * affine as the structures (so image, fusion and contours line up at any zoom): blended at a weight, as a
 * checkerboard of squares of a size in mm (reference in the dark-numbered squares, the CT itself in the others),
 * or the difference CT − reference in a diverging colour map. The reference is sampled per slice through the
 * registration (src/registration/fusion.ts), never held as a second full-resolution CT.
 */
import type { Rgb } from '../domain/structure.ts';
import { planeAxes, planeToIndex, type SlicePlane } from '../domain/tools/paint.ts';
import type { Volume } from '../domain/volume.ts';
import type { WindowLevel } from '../domain/window.ts';
import type { FusionDisplay } from '../state/viewer-session.ts';
import type { PlaneAffine } from './slice-overlay.ts';

/** A slice of values (u fastest), NaN where there is none. */
export interface SliceValues {
  readonly values: Float32Array;
  readonly nu: number;
  readonly nv: number;
}

/** The CT's own values on a plane of its grid (u fastest). */
export function ctOnSlice(ct: Volume, plane: SlicePlane): SliceValues {
  const [au, av] = planeAxes(plane.axis);
  const [nx, ny] = ct.dimensions;
  const nu = ct.dimensions[au];
  const nv = ct.dimensions[av];
  const values = new Float32Array(nu * nv);
  for (let v = 0, o = 0; v < nv; v++)
    for (let u = 0; u < nu; u++, o++) {
      const [i, j, k] = planeToIndex(plane, u, v);
      values[o] = ct.data[i + nx * (j + ny * k)]!;
    }
  return { values, nu, nv };
}

/**
 * The diverging colour of a difference as a fraction of its saturation, −1…1: black at 0 (no difference, so the
 * display stays dark where the CTs agree), rising to cyan-blue where the CT is less dense than the reference
 * (−1) and to orange-red where it is denser (+1).
 */
export function differenceColor(t: number): Rgb {
  const x = Math.max(-1, Math.min(1, t));
  return x >= 0 ? [Math.round(255 * x), Math.round(110 * x), Math.round(20 * x)] : [Math.round(30 * -x), Math.round(150 * -x), Math.round(255 * -x)];
}

/** Whether pixel (u, v) is a reference square of the checkerboard (squares of `mm` on the plane's pixel spacing). */
export function checkerIsReference(u: number, v: number, su: number, sv: number, mm: number): boolean {
  return (Math.floor((u * su) / mm) + Math.floor((v * sv) / mm)) % 2 === 1;
}

/**
 * The fusion's RGBA pixels for one slice: `reference` is the reference CT on the plane, `ct` the CT's own
 * values (needed by the difference), `su`/`sv` the pixel spacing (mm) along u and v. Grey levels go through
 * the session's window, as the CT's do. Off the reference grid every mode is transparent.
 */
export function fusionPixels(reference: SliceValues, ct: SliceValues | null, fusion: Pick<FusionDisplay, 'mode' | 'blend' | 'checkerMm' | 'differenceHu'>, window: WindowLevel, su: number, sv: number): Uint8ClampedArray {
  const { values, nu, nv } = reference;
  const out = new Uint8ClampedArray(nu * nv * 4);
  if (fusion.mode === 'off') return out;
  const low = window.level - window.window / 2;
  const grey = (hu: number) => Math.round((255 * Math.min(1, Math.max(0, (hu - low) / window.window))));
  const alpha = Math.round(255 * fusion.blend);
  for (let v = 0, n = 0; v < nv; v++)
    for (let u = 0; u < nu; u++, n++) {
      const r = values[n]!;
      if (Number.isNaN(r)) continue;
      const o = 4 * n;
      if (fusion.mode === 'difference') {
        const c = differenceColor(((ct?.values[n] ?? r) - r) / fusion.differenceHu);
        out[o] = c[0];
        out[o + 1] = c[1];
        out[o + 2] = c[2];
        out[o + 3] = 255;
        continue;
      }
      if (fusion.mode === 'checkerboard' && !checkerIsReference(u, v, su, sv, fusion.checkerMm)) continue;
      const g = grey(r);
      out[o] = g;
      out[o + 1] = g;
      out[o + 2] = g;
      out[o + 3] = fusion.mode === 'blend' ? alpha : 255;
    }
  return out;
}

/** Draws RGBA slice pixels through the plane's affine (pixel (u, v) covers [u ± ½] × [v ± ½] in index coordinates). */
export function drawSlicePixels(ctx: CanvasRenderingContext2D, pixels: Uint8ClampedArray, nu: number, nv: number, affine: PlaneAffine, smooth: boolean): void {
  const canvas = new OffscreenCanvas(nu, nv);
  canvas.getContext('2d')!.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, nu, nv), 0, 0);
  ctx.save();
  ctx.setTransform(affine.du[0], affine.du[1], affine.dv[0], affine.dv[1], affine.origin[0] - 0.5 * (affine.du[0] + affine.dv[0]), affine.origin[1] - 0.5 * (affine.du[1] + affine.dv[1]));
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(canvas, 0, 0);
  ctx.restore();
}
