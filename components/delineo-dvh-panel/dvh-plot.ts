import { cumulativeDvh, type StructureDvh } from '../../src/index.ts';

/** One curve of the plot: a structure's DVH in one dose, in its colour; a prediction's is dashed. */
export interface DvhCurve {
  readonly color: readonly number[];
  readonly dvh: StructureDvh;
  readonly dashed: boolean;
}

/** What the plot shows besides its curves. */
export interface DvhPlotOptions {
  readonly curves: readonly DvhCurve[];
  /** The dose axis's end (Gy). */
  readonly maxGy: number;
  readonly volumeUnit: '%' | 'cc';
  /** The volume axis's end in cc: the largest structure listed, shown or not, so that hiding one keeps the scale. */
  readonly maxCc: number;
  /** The prescription doses are shown as a percentage of, or null for Gy. */
  readonly percentOf: number | null;
  /** A dose as the axis labels show it. */
  readonly doseText: (gy: number) => string;
  /** The dose under the pointer (a vertical line), or null. */
  readonly hoverGy: number | null;
  /** Text and axes, and grid lines. */
  readonly foreground: string;
  readonly grid: string;
}

/** Dose step of the drawn curves (Gy). */
const CURVE_STEP_GY = 0.1;

/** Plot area within the canvas, in CSS pixels. */
export function plotFrame(canvas: HTMLCanvasElement) {
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  return { w, h, left: 40, right: w - 10, top: 8, bottom: h - 24 };
}

/** The dose axis's end: the highest dose of any curve, up to the next 10 Gy. */
export function plotMaxGy(dvhs: Iterable<StructureDvh>): number {
  let max = 0;
  for (const d of dvhs) max = Math.max(max, d.dvh.maxGy);
  return Math.max(1, Math.ceil(max / 10) * 10);
}

/** The dose (Gy) at a pointer's x within the plot, or null outside it. */
export function plotDoseAt(canvas: HTMLCanvasElement, clientX: number, maxGy: number): number | null {
  const f = plotFrame(canvas);
  const t = (clientX - canvas.getBoundingClientRect().left - f.left) / (f.right - f.left);
  return t < 0 || t > 1 ? null : t * maxGy;
}

/** Draws the cumulative DVHs with their axes, at the device's pixel ratio. */
export function drawDvhPlot(canvas: HTMLCanvasElement, o: DvhPlotOptions): void {
  if (!canvas.clientWidth) return;
  const dpr = window.devicePixelRatio || 1;
  const f = plotFrame(canvas);
  canvas.width = Math.round(f.w * dpr);
  canvas.height = Math.round(f.h * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const yMax = o.volumeUnit === '%' ? 100 : Math.max(1e-9, o.maxCc);
  const px = (gy: number) => f.left + ((f.right - f.left) * gy) / o.maxGy;
  const py = (v: number) => f.bottom - ((f.bottom - f.top) * v) / yMax;
  ctx.font = '10px sans-serif';
  ctx.lineWidth = 1;
  ctx.strokeStyle = o.grid;
  ctx.fillStyle = o.foreground;
  for (let n = 0; n <= 5; n++) {
    const gy = (o.maxGy * n) / 5;
    const v = (yMax * n) / 5;
    ctx.beginPath();
    ctx.moveTo(px(gy), f.top);
    ctx.lineTo(px(gy), f.bottom);
    ctx.moveTo(f.left, py(v));
    ctx.lineTo(f.right, py(v));
    ctx.stroke();
    ctx.textAlign = 'center';
    ctx.fillText(o.doseText(gy), px(gy), f.bottom + 12);
    ctx.textAlign = 'right';
    ctx.fillText(o.volumeUnit === '%' ? `${Math.round(v)}` : v.toFixed(v < 10 ? 1 : 0), f.left - 4, py(v) + 3);
  }
  ctx.textAlign = 'center';
  const rx = o.percentOf;
  ctx.fillText(rx ? `Dose (% of ${+rx.toFixed(2)} Gy)` : 'Dose (Gy)', (f.left + f.right) / 2, f.h - 2);
  ctx.save();
  ctx.translate(10, (f.top + f.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(o.volumeUnit === '%' ? 'Volume (%)' : 'Volume (cc)', 0, 0);
  ctx.restore();
  ctx.lineWidth = 2;
  for (const c of o.curves) {
    const { doseGy, volumePercent } = cumulativeDvh(c.dvh.dvh, CURVE_STEP_GY);
    const scale = o.volumeUnit === '%' ? 1 : c.dvh.metrics.volumeCc / 100;
    ctx.setLineDash(c.dashed ? [6, 3] : []);
    ctx.strokeStyle = `rgb(${c.color.join(',')})`;
    ctx.beginPath();
    for (let n = 0; n < doseGy.length; n++) {
      const x = px(doseGy[n]!);
      const y = py(volumePercent[n]! * scale);
      if (n === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.lineTo(px(c.dvh.dvh.maxGy), py(0));
    ctx.stroke();
  }
  ctx.setLineDash([]);
  if (o.hoverGy !== null) {
    ctx.strokeStyle = o.foreground;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px(o.hoverGy), f.top);
    ctx.lineTo(px(o.hoverGy), f.bottom);
    ctx.stroke();
  }
}
