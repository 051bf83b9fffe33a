/**
 * Dose over a slice view: a colour wash and isodose lines, drawn on the view's 2D overlay canvas with the same
 * plane affine as the structure outlines, so dose, contours and image line up at any zoom or obliquity.
 *
 * The dose is sampled at the centres of the CT pixels of the displayed slice (trilinear in the dose grid, through
 * both grids' full affine); pixels outside the dose grid are NaN and drawn transparent. Isodose lines are
 * marching squares through those pixel centres with linear interpolation along each cell edge, so a line lies
 * where the interpolated dose equals its level, not on a pixel staircase.
 */
import { GridTransform, mulMat3, type ImageGeometry } from '../domain/geometry.ts';
import { insideGrid, trilinearAt } from '../domain/resample.ts';
import type { Rgb } from '../domain/structure.ts';
import { planeAxes, planeToIndex, type SlicePlane } from '../domain/tools/paint.ts';
import type { Volume } from '../domain/volume.ts';
import type { DoseDisplay } from '../state/viewer-session.ts';
import { applyAffine, type PlaneAffine } from './slice-overlay.ts';

/** The dose (Gy) at each pixel centre of a CT slice plane, row-major (u fastest); NaN outside the dose grid. */
export function sampleDoseOnSlice(
  dose: Volume,
  ct: ImageGeometry,
  plane: SlicePlane,
): { readonly values: Float32Array; readonly nu: number; readonly nv: number } {
  const [au, av] = planeAxes(plane.axis);
  const nu = ct.dimensions[au];
  const nv = ct.dimensions[av];
  const values = new Float32Array(nu * nv);
  const A = mulMat3(new GridTransform(dose).inverse, new GridTransform(ct).linear);
  const b = new GridTransform(dose).toIndex(ct.origin);
  const [dx, dy, dz] = dose.dimensions;
  for (let v = 0, o = 0; v < nv; v++) {
    for (let u = 0; u < nu; u++, o++) {
      const [i, j, k] = planeToIndex(plane, u, v);
      const x = A[0] * i + A[3] * j + A[6] * k + b[0];
      const y = A[1] * i + A[4] * j + A[7] * k + b[1];
      const z = A[2] * i + A[5] * j + A[8] * k + b[2];
      values[o] = insideGrid(dose.dimensions, x, y, z) ? trilinearAt(dose.data, dx, dy, dz, x, y, z) : NaN;
    }
  }
  return { values, nu, nv };
}

/** Colour of a dose as a fraction of the wash's range: blue, cyan, green, yellow, red (the planning systems' "rainbow"). */
export function doseColor(t: number): Rgb {
  const stops: readonly Rgb[] = [
    [0, 0, 255],
    [0, 255, 255],
    [0, 255, 0],
    [255, 255, 0],
    [255, 0, 0],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const n = Math.min(stops.length - 2, Math.floor(x));
  const f = x - n;
  const a = stops[n]!;
  const c = stops[n + 1]!;
  return [
    Math.round(a[0] + (c[0] - a[0]) * f),
    Math.round(a[1] + (c[1] - a[1]) * f),
    Math.round(a[2] + (c[2] - a[2]) * f),
  ];
}

/** How the wash looks: doses under `minGy` are not coloured; `maxGy` and above are red. */
export interface DoseWashStyle {
  readonly minGy: number;
  readonly maxGy: number;
  /** 0–1. */
  readonly opacity: number;
}

/** The wash of a sampled slice as RGBA pixels (u fastest), transparent below the range and outside the dose. */
export function doseWashPixels(values: Float32Array, style: DoseWashStyle): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length * 4);
  const span = Math.max(1e-6, style.maxGy - style.minGy);
  const alpha = Math.round(255 * style.opacity);
  for (let n = 0; n < values.length; n++) {
    const d = values[n]!;
    if (!(d >= style.minGy)) continue;
    const [r, g, b] = doseColor((d - style.minGy) / span);
    out[4 * n] = r;
    out[4 * n + 1] = g;
    out[4 * n + 2] = b;
    out[4 * n + 3] = alpha;
  }
  return out;
}

/** Isodose line segments at `level` as (u0, v0, u1, v1) quadruples in the slice's index coordinates. */
export function isodoseSegments(values: Float32Array, nu: number, nv: number, level: number): Float64Array {
  const out: number[] = [];
  const at = (u: number, v: number) => values[u + nu * v]!;
  // Crossing point along an edge between two pixel centres.
  const cross = (u0: number, v0: number, a: number, u1: number, v1: number, b: number): [number, number] => {
    const t = (level - a) / (b - a);
    return [u0 + (u1 - u0) * t, v0 + (v1 - v0) * t];
  };
  for (let v = 0; v < nv - 1; v++) {
    for (let u = 0; u < nu - 1; u++) {
      const a = at(u, v);
      const b = at(u + 1, v);
      const c = at(u + 1, v + 1);
      const d = at(u, v + 1);
      if (Number.isNaN(a + b + c + d)) continue;
      const code = (a >= level ? 1 : 0) | (b >= level ? 2 : 0) | (c >= level ? 4 : 0) | (d >= level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      const top = () => cross(u, v, a, u + 1, v, b);
      const right = () => cross(u + 1, v, b, u + 1, v + 1, c);
      const bottom = () => cross(u, v + 1, d, u + 1, v + 1, c);
      const left = () => cross(u, v, a, u, v + 1, d);
      const seg = (p: [number, number], q: [number, number]) => out.push(p[0], p[1], q[0], q[1]);
      switch (code) {
        case 1:
        case 14:
          seg(left(), top());
          break;
        case 2:
        case 13:
          seg(top(), right());
          break;
        case 3:
        case 12:
          seg(left(), right());
          break;
        case 4:
        case 11:
          seg(right(), bottom());
          break;
        case 6:
        case 9:
          seg(top(), bottom());
          break;
        case 7:
        case 8:
          seg(left(), bottom());
          break;
        case 5: {
          // Saddle: decided by the cell's mean, so the two lines never cross.
          const high = (a + b + c + d) / 4 >= level;
          if (high) {
            seg(left(), bottom());
            seg(top(), right());
          } else {
            seg(left(), top());
            seg(right(), bottom());
          }
          break;
        }
        case 10: {
          const high = (a + b + c + d) / 4 >= level;
          if (high) {
            seg(left(), top());
            seg(right(), bottom());
          } else {
            seg(top(), right());
            seg(left(), bottom());
          }
          break;
        }
      }
    }
  }
  return Float64Array.from(out);
}

/** An isodose level and its line colour. */
export interface IsodoseLevel {
  readonly gy: number;
  readonly color: Rgb;
}

/** Isodose levels as % of a prescription (the usual 107/100/95/90/80/50/30 %), coloured by the wash's map. */
export function isodoseLevels(
  prescriptionGy: number,
  percents: readonly number[] = [107, 100, 95, 90, 80, 50, 30],
): IsodoseLevel[] {
  return percents.map((p) => ({ gy: (prescriptionGy * p) / 100, color: doseColor(Math.min(1, p / 107)) }));
}

/**
 * The isodose levels a dose display shows, each coloured where its dose falls on the wash's colour scale (on the
 * scale up to the highest level without a wash): the slice views' lines and the 3D view's surfaces share them.
 */
export function displayedIsodoses(dose: Pick<DoseDisplay, 'wash' | 'isodosesGy'>): IsodoseLevel[] {
  const top = dose.wash?.maxGy ?? Math.max(...dose.isodosesGy, 1);
  return dose.isodosesGy.map((gy) => ({ gy, color: doseColor(gy / top) }));
}

/** What a slice view draws of the dose. */
export interface DoseOverlayStyle {
  readonly wash: DoseWashStyle | null;
  readonly isodoses: readonly IsodoseLevel[];
  /** Line width of the isodose lines in device pixels. */
  readonly lineWidth: number;
}

/** Draws the wash and the isodose lines of a sampled slice through the plane's affine. */
export function drawDoseOverlay(
  ctx: CanvasRenderingContext2D,
  slice: { readonly values: Float32Array; readonly nu: number; readonly nv: number },
  affine: PlaneAffine,
  style: DoseOverlayStyle,
): void {
  const { values, nu, nv } = slice;
  if (style.wash) {
    const pixels = doseWashPixels(values, style.wash);
    const canvas = new OffscreenCanvas(nu, nv);
    canvas
      .getContext('2d')!
      .putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, nu, nv), 0, 0);
    ctx.save();
    // Pixel (u, v) covers [u − ½, u + ½] × [v − ½, v + ½] in index coordinates.
    ctx.setTransform(
      affine.du[0],
      affine.du[1],
      affine.dv[0],
      affine.dv[1],
      affine.origin[0] - 0.5 * (affine.du[0] + affine.dv[0]),
      affine.origin[1] - 0.5 * (affine.du[1] + affine.dv[1]),
    );
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(canvas, 0, 0);
    ctx.restore();
  }
  for (const level of style.isodoses) {
    const segments = isodoseSegments(values, nu, nv, level.gy);
    if (!segments.length) continue;
    ctx.beginPath();
    for (let s = 0; s < segments.length; s += 4) {
      const [x0, y0] = applyAffine(affine, segments[s]!, segments[s + 1]!);
      const [x1, y1] = applyAffine(affine, segments[s + 2]!, segments[s + 3]!);
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
    }
    ctx.lineWidth = style.lineWidth;
    ctx.strokeStyle = `rgb(${level.color.join(',')})`;
    ctx.stroke();
  }
}
