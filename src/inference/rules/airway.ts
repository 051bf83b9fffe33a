/**
 * The trachea and main bronchi of a chest CT, which clinical lung contours leave out: found in the top slices and
 * followed slice by slice. Browser-safe.
 */
import type { ImageGeometry } from '../../domain/geometry.ts';
import type { Volume } from '../../domain/volume.ts';

/** Trachea lumen cross-section (mm²) accepted as the seed: 1.5–2.5 cm across in adults, narrower in a child. */
const SEED_AREA_MM2: readonly [number, number] = [50, 600];

/**
 * Finds the trachea and main bronchi as a dense mask: in the top quarter of the slices, the air component
 * (< airwayHu, inside the body) with a trachea-sized cross-section nearest the body's left–right centre is the
 * trachea. It is then followed one slice at a time, up and down: on the next slice, an air component that
 * overlaps the airway of the slice before belongs to the airway when its cross-section stays airway-sized
 * (at most 3× the trachea's plus 200 mm², and inside 60 mm of the airway before). Lung parenchyma that the air
 * threshold joins to a bronchus (emphysema, a thin bronchial wall at partial volume) makes a component far
 * larger than that and is refused on that slice only, so the airway never takes lung, and the bronchi of the
 * other lung keep being followed. Null when no trachea is found (a scan below the carina).
 */
export function findAirway(hu: Volume['data'], g: ImageGeometry, external: Uint8Array, airwayHu: number): Uint8Array | null {
  const [nx, ny, nz] = g.dimensions;
  const plane = nx * ny;
  const pixelArea = g.spacing[0] * g.spacing[1];
  const sup = g.direction[8] >= 0; // k runs superior when the slice axis points to +z
  const air = new Uint8Array(plane);
  const labels = new Int32Array(plane);
  const stack = new Int32Array(plane);
  const out = new Uint8Array(nx * ny * nz);

  /** A rectangle of a slice, inclusive. */
  type Window = { x0: number; x1: number; y0: number; y1: number };
  const whole: Window = { x0: 0, x1: nx - 1, y0: 0, y1: ny - 1 };
  /**
   * Labels the 4-connected air components of slice k inside a window into `labels` (1…n); returns their sizes
   * (index 0 unused) and whether each touches the window's edge where that edge is not the image's.
   */
  const labelSlice = (k: number, w: Window): { sizes: number[]; cut: boolean[] } => {
    const base = k * plane;
    // `air` is all 0 outside the window (cleared after each call), so the flood never leaves it; labels are
    // written and read inside the window only.
    for (let y = w.y0; y <= w.y1; y++) {
      for (let p = y * nx + w.x0; p <= y * nx + w.x1; p++) {
        air[p] = external[base + p] && hu[base + p] < airwayHu ? 1 : 0;
        labels[p] = 0;
      }
    }
    const sizes = [0];
    const cut = [false];
    for (let y0 = w.y0; y0 <= w.y1; y0++) {
      for (let p0 = y0 * nx + w.x0; p0 <= y0 * nx + w.x1; p0++) {
        if (!air[p0] || labels[p0]) continue;
        const id = sizes.length;
        let size = 0;
        let edge = false;
        let top = 0;
        labels[p0] = id;
        stack[top++] = p0;
        while (top > 0) {
          const p = stack[--top];
          size++;
          const x = p % nx;
          const y = (p - x) / nx;
          if ((x === w.x0 && x > 0) || (x === w.x1 && x < nx - 1) || (y === w.y0 && y > 0) || (y === w.y1 && y < ny - 1)) edge = true;
          if (x > 0 && air[p - 1] && !labels[p - 1]) {
            labels[p - 1] = id;
            stack[top++] = p - 1;
          }
          if (x < nx - 1 && air[p + 1] && !labels[p + 1]) {
            labels[p + 1] = id;
            stack[top++] = p + 1;
          }
          if (p >= nx && air[p - nx] && !labels[p - nx]) {
            labels[p - nx] = id;
            stack[top++] = p - nx;
          }
          if (p < plane - nx && air[p + nx] && !labels[p + nx]) {
            labels[p + nx] = id;
            stack[top++] = p + nx;
          }
        }
        sizes.push(size);
        cut.push(edge);
      }
    }
    for (let y = w.y0; y <= w.y1; y++) air.fill(0, y * nx + w.x0, y * nx + w.x1 + 1);
    return { sizes, cut };
  };

  // The seed: from the top, the first slice with a trachea-sized air component near the body's centre line.
  const order = Array.from({ length: nz }, (_, i) => (sup ? nz - 1 - i : i));
  let seedK = -1;
  let seedArea = 0;
  for (const k of order.slice(0, Math.max(1, Math.ceil(nz / 4)))) {
    const base = k * plane;
    let sx = 0;
    let cnt = 0;
    for (let p = 0; p < plane; p++) {
      if (external[base + p]) {
        sx += p % nx;
        cnt++;
      }
    }
    if (!cnt) continue;
    const { sizes } = labelSlice(k, whole);
    if (sizes.length < 2) continue;
    const cx = sx / cnt;
    const sumX = new Float64Array(sizes.length);
    for (let p = 0; p < plane; p++) if (labels[p]) sumX[labels[p]] += p % nx;
    let best = 0;
    let bestDist = Infinity;
    for (let l = 1; l < sizes.length; l++) {
      const area = sizes[l] * pixelArea;
      if (area < SEED_AREA_MM2[0] || area > SEED_AREA_MM2[1]) continue;
      const d = Math.abs(sumX[l] / sizes[l] - cx) * g.spacing[0];
      if (d < 30 && d < bestDist) {
        best = l;
        bestDist = d;
      }
    }
    if (best) {
      for (let p = 0; p < plane; p++) if (labels[p] === best) out[base + p] = 1;
      seedK = k;
      seedArea = sizes[best];
      break;
    }
  }
  if (seedK < 0) return null;

  const maxArea = 3 * seedArea + 200 / pixelArea;
  const grow = (b: Window, p: number): void => {
    const x = p % nx;
    const y = (p - x) / nx;
    if (x < b.x0) b.x0 = x;
    if (x > b.x1) b.x1 = x;
    if (y < b.y0) b.y0 = y;
    if (y > b.y1) b.y1 = y;
  };
  // The next slice is labelled only around the airway of the slice before (± 60 mm): a bronchus moves a few
  // millimetres per slice, and a component that reaches the window's edge is refused as parenchyma.
  const reach = [Math.round(60 / g.spacing[0]), Math.round(60 / g.spacing[1])];
  const follow = (dir: 1 | -1): void => {
    // The box of the airway on the slice before, from which the next slice's window is grown.
    const from: Window = { x0: nx, x1: -1, y0: ny, y1: -1 };
    const seedBase = seedK * plane;
    for (let p = 0; p < plane; p++) if (out[seedBase + p]) grow(from, p);
    for (let k = seedK + dir, prev = seedK; k >= 0 && k < nz; prev = k, k += dir) {
      const prevBase = prev * plane;
      const w: Window = {
        x0: Math.max(0, from.x0 - reach[0]),
        x1: Math.min(nx - 1, from.x1 + reach[0]),
        y0: Math.max(0, from.y0 - reach[1]),
        y1: Math.min(ny - 1, from.y1 + reach[1]),
      };
      const { sizes, cut } = labelSlice(k, w);
      const accept = new Uint8Array(sizes.length);
      for (let y = w.y0; y <= w.y1; y++) {
        for (let p = y * nx + w.x0; p <= y * nx + w.x1; p++) {
          const l = labels[p];
          if (l && out[prevBase + p] && sizes[l] <= maxArea && !cut[l]) accept[l] = 1;
        }
      }
      const base = k * plane;
      Object.assign(from, { x0: nx, x1: -1, y0: ny, y1: -1 });
      for (let y = w.y0; y <= w.y1; y++) {
        for (let p = y * nx + w.x0; p <= y * nx + w.x1; p++) {
          if (labels[p] && accept[labels[p]]) {
            out[base + p] = 1;
            grow(from, p);
          }
        }
      }
      if (from.x1 < 0) return;
    }
  };
  follow(1);
  follow(-1);
  return out;
}
