import type { ImageGeometry, Vec3 } from '../geometry.ts';
import { BinaryMask } from '../mask.ts';
import { cropMask, uncropMask } from './components.ts';
import { expandMask, shrinkMask, uniformMargins } from './margin.ts';

/**
 * How to smooth a structure:
 * - 'gaussian': blur the mask with a Gaussian of σ = `mm` and keep where the blurred value ≥ ½ — rounds off
 *   staircase edges and removes bumps thinner than ~σ; a convex surface moves inwards by about σ²/R
 *   (R its radius of curvature), so keep σ small against the structure;
 * - 'closing': expand then shrink by `mm` — fills notches and gaps narrower than 2·mm;
 * - 'opening': shrink then expand by `mm` — removes spikes and bridges thinner than 2·mm.
 */
export type SmoothingMethod = 'gaussian' | 'closing' | 'opening';

/** Smooths a structure (see SmoothingMethod). Returns a new mask. */
export function smoothMask(mask: BinaryMask, geometry: ImageGeometry, method: SmoothingMethod, mm: number): BinaryMask {
  if (!(mm > 0) || !Number.isFinite(mm)) throw new RangeError(`smoothing size must be a positive distance in mm, got ${mm}`);
  if (method === 'closing') return shrinkMask(expandMask(mask, geometry, uniformMargins(mm)), geometry, uniformMargins(mm));
  if (method === 'opening') return expandMask(shrinkMask(mask, geometry, uniformMargins(mm)), geometry, uniformMargins(mm));
  return gaussianSmooth(mask, geometry.spacing, mm);
}

function gaussianSmooth(mask: BinaryMask, spacing: Vec3, sigmaMm: number): BinaryMask {
  const radius = [0, 1, 2].map((a) => Math.ceil((3 * sigmaMm) / spacing[a]));
  const crop = cropMask(mask, Math.max(...radius));
  if (!crop) return new BinaryMask(mask.dimensions);
  const [w, h, d] = crop.size;
  let cur = Float32Array.from(crop.data);
  let next = new Float32Array(cur.length);
  const strides = [1, w, w * h];
  const lengths = [w, h, d];
  for (let a = 0; a < 3; a++) {
    const r = radius[a];
    if (r === 0) continue;
    const kernel = new Float32Array(2 * r + 1);
    let sum = 0;
    for (let x = -r; x <= r; x++) sum += kernel[x + r] = Math.exp(-0.5 * ((x * spacing[a]) / sigmaMm) ** 2);
    for (let x = 0; x < kernel.length; x++) kernel[x] /= sum;
    const stride = strides[a];
    const n = lengths[a];
    for (let o = 0; o < cur.length; o++) {
      const pos = Math.floor(o / stride) % n;
      let acc = 0;
      // Beyond the crop the mask is empty: zero padding is exact because the crop has 3σ of margin
      // (or reaches the grid edge, where the structure ends).
      for (let x = Math.max(-r, -pos); x <= Math.min(r, n - 1 - pos); x++) acc += kernel[x + r] * cur[o + x * stride];
      next[o] = acc;
    }
    [cur, next] = [next, cur];
  }
  const data = new Uint8Array(cur.length);
  for (let o = 0; o < data.length; o++) data[o] = cur[o] >= 0.5 ? 1 : 0;
  return uncropMask(mask.dimensions, { ...crop, data });
}
