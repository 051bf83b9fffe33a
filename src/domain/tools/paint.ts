import type { Vec3 } from '../geometry.ts';
import type { BinaryMask, SliceAxis } from '../mask.ts';
import type { Volume } from '../volume.ts';

/**
 * A slice plane of the image grid: the slice through `index` along `axis` (2 = axial, k fixed; 1 = coronal,
 * j fixed; 0 = sagittal, i fixed). In-plane coordinates (u, v) are the remaining index axes in order:
 * axial (i, j), coronal (i, k), sagittal (j, k).
 */
export interface SlicePlane {
  readonly axis: SliceAxis;
  readonly index: number;
}

/** The index axes that span a slice plane, as [u axis, v axis]. */
export const planeAxes = (axis: SliceAxis): [0 | 1 | 2, 0 | 1 | 2] => (axis === 2 ? [0, 1] : axis === 1 ? [0, 2] : [1, 2]);

/** The 3D index of in-plane coordinates (u, v) on a plane. */
export function planeToIndex(plane: SlicePlane, u: number, v: number): Vec3 {
  const [a, b] = planeAxes(plane.axis);
  const p = [0, 0, 0];
  p[plane.axis] = plane.index;
  p[a] = u;
  p[b] = v;
  return p as unknown as Vec3;
}

/** A Hounsfield window a brush is limited to: only voxels whose CT value is inside it are painted. */
export interface HuRange {
  readonly min: number;
  readonly max: number;
}

export interface PaintOptions {
  /** true paints (brush), false erases (eraser). */
  readonly value: boolean;
  /** 'disc' paints in the slice plane only; 'sphere' paints a ball across slices. */
  readonly shape?: 'disc' | 'sphere';
  /** Limits painting to voxels whose CT value lies in the range (needs `volume`). */
  readonly huRange?: HuRange;
  readonly volume?: Volume;
}

/** The index box a paint operation touched (inclusive), for redraw and undo bookkeeping. */
export interface TouchedBox {
  readonly min: Vec3;
  readonly max: Vec3;
}

/**
 * Paints (or erases) every voxel whose centre lies within `radiusMm` of `centre` — a continuous index
 * position, so a dab follows the pointer to sub-voxel precision — measured in millimetres with the grid
 * spacing, so a 5 mm brush is round on 0.98 × 0.98 × 3 mm voxels. 'disc' stays in the plane of `plane`;
 * 'sphere' reaches across slices. With `huRange`, voxels outside the HU window are left alone (a brush that
 * paints only soft tissue, or only bone). Returns the box it touched, or null when nothing was in reach.
 */
export function paintDab(mask: BinaryMask, spacing: Vec3, plane: SlicePlane, centre: Vec3, radiusMm: number, options: PaintOptions): TouchedBox | null {
  if (!(radiusMm > 0) || !Number.isFinite(radiusMm)) throw new RangeError(`brush radius must be a positive distance in mm, got ${radiusMm}`);
  if (options.huRange && !options.volume) throw new RangeError('an HU-limited brush needs the CT volume');
  if (options.huRange && !(options.huRange.min <= options.huRange.max)) throw new RangeError(`HU range [${options.huRange.min}, ${options.huRange.max}] is empty`);
  const dims = mask.dimensions;
  const lo = [0, 0, 0];
  const hi = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    if (options.shape !== 'sphere' && a === plane.axis) {
      lo[a] = hi[a] = plane.index;
      continue;
    }
    const reach = radiusMm / spacing[a];
    lo[a] = Math.max(0, Math.ceil(centre[a] - reach));
    hi[a] = Math.min(dims[a] - 1, Math.floor(centre[a] + reach));
  }
  if (lo.some((x, a) => x > hi[a] || x < 0 || x >= dims[a])) return null;
  const r2 = radiusMm * radiusMm;
  const data = options.volume?.data;
  const nx = dims[0];
  const nxy = dims[0] * dims[1];
  const range = options.huRange;
  let touched = false;
  for (let k = lo[2]; k <= hi[2]; k++) {
    const dz = options.shape === 'sphere' || plane.axis !== 2 ? (k - centre[2]) * spacing[2] : 0;
    for (let j = lo[1]; j <= hi[1]; j++) {
      const dy = options.shape === 'sphere' || plane.axis !== 1 ? (j - centre[1]) * spacing[1] : 0;
      const rest = r2 - dz * dz - dy * dy;
      if (rest < 0) continue;
      for (let i = lo[0]; i <= hi[0]; i++) {
        const dx = options.shape === 'sphere' || plane.axis !== 0 ? (i - centre[0]) * spacing[0] : 0;
        if (dx * dx > rest) continue;
        if (range && data) {
          const hu = data[i + nx * j + nxy * k];
          if (hu < range.min || hu > range.max) continue;
        }
        mask.set(i, j, k, options.value);
        touched = true;
      }
    }
  }
  return touched ? { min: lo as unknown as Vec3, max: hi as unknown as Vec3 } : null;
}

/**
 * Paints a stroke from `from` to `to` (continuous indices) as dabs spaced at most a quarter of the
 * radius apart, so a fast pointer drag leaves a continuous band with round ends, not a dotted line.
 */
export function paintStroke(mask: BinaryMask, spacing: Vec3, plane: SlicePlane, from: Vec3, to: Vec3, radiusMm: number, options: PaintOptions): TouchedBox | null {
  const lengthMm = Math.hypot((to[0] - from[0]) * spacing[0], (to[1] - from[1]) * spacing[1], (to[2] - from[2]) * spacing[2]);
  const steps = Math.max(1, Math.ceil(lengthMm / (radiusMm / 4)));
  let box: TouchedBox | null = null;
  for (let s = 0; s <= steps; s++) {
    const f = s / steps;
    const c: Vec3 = [from[0] + (to[0] - from[0]) * f, from[1] + (to[1] - from[1]) * f, from[2] + (to[2] - from[2]) * f];
    const b = paintDab(mask, spacing, plane, c, radiusMm, options);
    if (b) box = box ? { min: b.min.map((x, a) => Math.min(x, box!.min[a])) as unknown as Vec3, max: b.max.map((x, a) => Math.max(x, box!.max[a])) as unknown as Vec3 } : b;
  }
  return box;
}

/**
 * Fills (or, with value false, cuts out) the region enclosed by a polygon on a slice plane: every voxel
 * whose centre is inside by the even–odd rule. Polygon points are in-plane continuous coordinates (u, v);
 * a freehand contour is the same polygon with many points. Returns the number of voxels inside.
 */
export function fillPolygon(mask: BinaryMask, plane: SlicePlane, polygon: readonly (readonly [number, number])[], value: boolean): number {
  if (polygon.length < 3) throw new RangeError(`a contour needs at least 3 points, got ${polygon.length}`);
  if (polygon.some(([u, v]) => !Number.isFinite(u) || !Number.isFinite(v))) throw new RangeError('a contour point is not a finite position');
  const [ua, va] = planeAxes(plane.axis);
  const nu = mask.dimensions[ua];
  const nv = mask.dimensions[va];
  const vMin = Math.max(0, Math.ceil(Math.min(...polygon.map((p) => p[1]))));
  const vMax = Math.min(nv - 1, Math.floor(Math.max(...polygon.map((p) => p[1]))));
  let count = 0;
  const xs: number[] = [];
  for (let v = vMin; v <= vMax; v++) {
    // Scanline: crossings of the row v with each edge (half-open in v so shared vertices count once).
    xs.length = 0;
    for (let e = 0; e < polygon.length; e++) {
      const [u0, v0] = polygon[e];
      const [u1, v1] = polygon[(e + 1) % polygon.length];
      if (v0 <= v === v1 <= v) continue;
      xs.push(u0 + ((v - v0) * (u1 - u0)) / (v1 - v0));
    }
    xs.sort((a, b) => a - b);
    for (let n = 0; n + 1 < xs.length; n += 2) {
      const uStart = Math.max(0, Math.ceil(xs[n]));
      const uEnd = Math.min(nu - 1, Math.floor(xs[n + 1]));
      for (let u = uStart; u <= uEnd; u++) {
        // A centre exactly on the right edge is outside (half-open), matching the left-inclusive rule.
        if (u === xs[n + 1]) continue;
        const [i, j, k] = planeToIndex(plane, u, v);
        mask.set(i, j, k, value);
        count++;
      }
    }
  }
  return count;
}

/**
 * Fills the hole under the pointer on a slice: the background region containing `seed` (in-plane integer
 * coordinates), if the structure encloses it on this slice. Returns the number of voxels filled; 0 when
 * the seed is inside the structure already or the region reaches the edge of the slice (not a hole).
 */
export function fillHoleAt(mask: BinaryMask, plane: SlicePlane, seed: readonly [number, number]): number {
  const [ua, va] = planeAxes(plane.axis);
  const nu = mask.dimensions[ua];
  const nv = mask.dimensions[va];
  const [su, sv] = seed;
  if (su < 0 || sv < 0 || su >= nu || sv >= nv) return 0;
  const slice = mask.readSlice(plane.axis, plane.index);
  if (slice[su + nu * sv]) return 0;
  const region = new Uint8Array(nu * nv);
  const stack = [su + nu * sv];
  region[stack[0]] = 1;
  const members: number[] = [];
  while (stack.length) {
    const o = stack.pop()!;
    members.push(o);
    const u = o % nu;
    const v = (o - u) / nu;
    if (u === 0 || v === 0 || u === nu - 1 || v === nv - 1) return 0; // leaks to the edge: not a hole
    for (const n of [o - 1, o + 1, o - nu, o + nu]) {
      if (!slice[n] && !region[n]) {
        region[n] = 1;
        stack.push(n);
      }
    }
  }
  for (const o of members) {
    const [i, j, k] = planeToIndex(plane, o % nu, Math.floor(o / nu));
    mask.set(i, j, k, true);
  }
  return members.length;
}
