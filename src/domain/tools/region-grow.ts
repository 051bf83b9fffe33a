import type { Vec3 } from '../geometry.ts';
import { BinaryMask } from '../mask.ts';
import type { Volume } from '../volume.ts';
import type { SlicePlane } from './paint.ts';

export interface RegionGrowOptions {
  /** Voxels within ± this many HU of the seed's value join the region (default 60 HU). */
  readonly toleranceHu?: number;
  /** The region never reaches further than this from the seed, in mm (default 30 mm). */
  readonly radiusMm?: number;
  /** 'slice': grow on the seed's slice plane only; 'volume': across slices (default). */
  readonly scope?: 'slice' | 'volume';
  /** The plane for scope 'slice'. */
  readonly plane?: SlicePlane;
}

/** The result of a region grow: the region as a mask on the CT grid, and the HU window it used. */
export interface RegionGrowResult {
  readonly mask: BinaryMask;
  readonly seedHu: number;
  readonly range: readonly [number, number];
  readonly voxels: number;
}

/**
 * Seeded region growing — the quickest way to a GTV or a node that stands out on contrast CT: from the
 * clicked voxel, the face-connected voxels whose HU is within a tolerance of the seed's (the mean of its
 * 3×3×3 neighbourhood, so one noisy voxel does not decide), confined to a radius in mm around the seed so it
 * cannot leak along a vessel into the whole mediastinum, on the seed's slice or in 3D. The result is a new
 * mask for preview; the caller commits it (union into a structure) as one undoable edit.
 */
export function regionGrow(volume: Volume, seed: Vec3, options: RegionGrowOptions = {}): RegionGrowResult {
  const tol = options.toleranceHu ?? 60;
  const radius = options.radiusMm ?? 30;
  if (!(tol >= 0) || !(radius > 0)) throw new RangeError(`region grow needs tolerance ≥ 0 HU and radius > 0 mm, got ${tol} HU, ${radius} mm`);
  const [nx, ny, nz] = volume.dimensions;
  const [si, sj, sk] = seed.map(Math.round);
  if (si < 0 || sj < 0 || sk < 0 || si >= nx || sj >= ny || sk >= nz) throw new RangeError(`seed (${seed.join(', ')}) is outside the image`);
  if (options.scope === 'slice' && !options.plane) throw new RangeError('a slice-limited region grow needs the slice plane');
  const data = volume.data;
  const sp = volume.spacing;
  let sum = 0;
  let n = 0;
  for (let k = Math.max(0, sk - 1); k <= Math.min(nz - 1, sk + 1); k++)
    for (let j = Math.max(0, sj - 1); j <= Math.min(ny - 1, sj + 1); j++)
      for (let i = Math.max(0, si - 1); i <= Math.min(nx - 1, si + 1); i++) {
        sum += data[i + nx * (j + ny * k)];
        n++;
      }
  const seedHu = sum / n;
  const lo = seedHu - tol;
  const hi = seedHu + tol;
  const reach = [0, 1, 2].map((a) => Math.floor(radius / sp[a]));
  const slice = options.scope === 'slice' ? options.plane! : null;
  const box = {
    i0: slice?.axis === 0 ? si : Math.max(0, si - reach[0]),
    i1: slice?.axis === 0 ? si : Math.min(nx - 1, si + reach[0]),
    j0: slice?.axis === 1 ? sj : Math.max(0, sj - reach[1]),
    j1: slice?.axis === 1 ? sj : Math.min(ny - 1, sj + reach[1]),
    k0: slice?.axis === 2 ? sk : Math.max(0, sk - reach[2]),
    k1: slice?.axis === 2 ? sk : Math.min(nz - 1, sk + reach[2]),
  };
  const w = box.i1 - box.i0 + 1;
  const h = box.j1 - box.j0 + 1;
  const d = box.k1 - box.k0 + 1;
  const seen = new Uint8Array(w * h * d);
  const queue = new Int32Array(w * h * d);
  const r2 = radius * radius;
  const accept = (i: number, j: number, k: number): boolean => {
    const v = data[i + nx * (j + ny * k)];
    if (v < lo || v > hi) return false;
    const dx = (i - si) * sp[0];
    const dy = (j - sj) * sp[1];
    const dz = (k - sk) * sp[2];
    return dx * dx + dy * dy + dz * dz <= r2;
  };
  const mask = new BinaryMask(volume.dimensions);
  let head = 0;
  let tail = 0;
  const local = (i: number, j: number, k: number) => i - box.i0 + w * (j - box.j0 + h * (k - box.k0));
  if (accept(si, sj, sk)) {
    seen[local(si, sj, sk)] = 1;
    queue[tail++] = local(si, sj, sk);
  }
  while (head < tail) {
    const o = queue[head++];
    const x = o % w;
    const y = Math.floor(o / w) % h;
    const z = Math.floor(o / (w * h));
    const i = x + box.i0;
    const j = y + box.j0;
    const k = z + box.k0;
    mask.set(i, j, k, true);
    const visit = (xx: number, yy: number, zz: number) => {
      if (xx < 0 || yy < 0 || zz < 0 || xx >= w || yy >= h || zz >= d) return;
      const q = xx + w * (yy + h * zz);
      if (seen[q]) return;
      seen[q] = 1;
      if (accept(xx + box.i0, yy + box.j0, zz + box.k0)) queue[tail++] = q;
    };
    visit(x - 1, y, z);
    visit(x + 1, y, z);
    visit(x, y - 1, z);
    visit(x, y + 1, z);
    visit(x, y, z - 1);
    visit(x, y, z + 1);
  }
  mask.compact();
  return { mask, seedHu, range: [lo, hi], voxels: tail };
}
