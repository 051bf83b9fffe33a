import type { ImageGeometry, Vec3 } from '../geometry.ts';
import { voxelVolumeMm3 } from '../geometry.ts';
import { BinaryMask, type IndexBox } from '../mask.ts';

/**
 * Voxel connectivity: 6 = face neighbours (the default, as in scipy.ndimage.label and most clinical
 * "islands" tools: two voxels touching only at an edge or corner are separate islands), 26 = faces, edges
 * and corners.
 */
export type Connectivity = 6 | 26;

/** A dense crop of a mask: the bytes inside `box`, i fastest. */
export interface DenseCrop {
  readonly box: IndexBox;
  readonly size: Vec3;
  readonly data: Uint8Array;
}

/** Copies the voxels of `mask` inside its bounds (grown by `pad`, clipped to the grid) into bytes. */
export function cropMask(mask: BinaryMask, pad = 0): DenseCrop | null {
  const b = mask.bounds();
  if (!b) return null;
  return cropMaskToBox(mask, { min: [b.min[0] - pad, b.min[1] - pad, b.min[2] - pad], max: [b.max[0] + pad, b.max[1] + pad, b.max[2] + pad] });
}

/**
 * The voxels of `mask` inside an index box (clipped to the grid) as bytes, i fastest — what `cropMask` uses,
 * for a box chosen by the caller (the union of two masks, a structure's box on another mask).
 */
export function cropMaskToBox(mask: BinaryMask, box: IndexBox): DenseCrop {
  const [nx, ny, nz] = mask.dimensions;
  const min: Vec3 = [Math.max(0, box.min[0]), Math.max(0, box.min[1]), Math.max(0, box.min[2])];
  const max: Vec3 = [Math.min(nx - 1, box.max[0]), Math.min(ny - 1, box.max[1]), Math.min(nz - 1, box.max[2])];
  const size: Vec3 = [Math.max(0, max[0] - min[0] + 1), Math.max(0, max[1] - min[1] + 1), Math.max(0, max[2] - min[2] + 1)];
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  const slice = new Uint8Array(nx * ny);
  for (let z = 0; z < size[2]; z++) {
    mask.readAxial(min[2] + z, slice);
    for (let y = 0; y < size[1]; y++) {
      const src = (min[1] + y) * nx + min[0];
      data.set(slice.subarray(src, src + size[0]), (z * size[1] + y) * size[0]);
    }
  }
  return { box: { min, max }, size, data };
}

/** Writes a crop back into a new mask on `dimensions`. */
export function uncropMask(dimensions: Vec3, crop: DenseCrop): BinaryMask {
  const out = new BinaryMask(dimensions);
  const [w, h, d] = crop.size;
  const plane = w * h;
  for (let z = 0; z < d; z++) {
    const slab = crop.data.subarray(z * plane, (z + 1) * plane);
    if (slab.includes(1)) out.writeAxialRegion(crop.box.min[2] + z, slab, crop.box.min[0], crop.box.min[1], w, h, false);
  }
  out.compact();
  return out;
}

/** Neighbour offsets (dx, dy, dz) that come before a voxel in scan order, for the connectivity. */
function backwardNeighbours(connectivity: Connectivity): Vec3[] {
  const out: Vec3[] = [];
  for (let dz = -1; dz <= 0; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if (dz === 0 && (dy > 0 || (dy === 0 && dx >= 0))) continue;
        const manhattan = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (connectivity === 6 && manhattan !== 1) continue;
        out.push([dx, dy, dz]);
      }
    }
  }
  return out;
}

/**
 * Labels the connected components of the non-zero voxels of a dense box (two-pass union–find). Returns
 * labels 1…n per voxel (0 = background) and each component's voxel count (index 0 unused).
 */
export function labelComponents(data: Uint8Array, size: Vec3, connectivity: Connectivity = 6): { labels: Int32Array; sizes: number[] } {
  const [w, h, d] = size;
  const labels = new Int32Array(data.length);
  const parent: number[] = [0];
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const offsets = backwardNeighbours(connectivity);
  for (let z = 0, o = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++, o++) {
        if (!data[o]) continue;
        let label = 0;
        for (const [dx, dy, dz] of offsets) {
          const xx = x + dx;
          const yy = y + dy;
          const zz = z + dz;
          if (xx < 0 || yy < 0 || zz < 0 || xx >= w || yy >= h) continue;
          const n = labels[(zz * h + yy) * w + xx];
          if (!n) continue;
          if (!label) label = find(n);
          else {
            const a = find(n);
            if (a !== label) {
              const lo = Math.min(a, label);
              parent[Math.max(a, label)] = lo;
              label = lo;
            }
          }
        }
        if (!label) {
          label = parent.length;
          parent.push(label);
        }
        labels[o] = label;
      }
    }
  }
  // Second pass: compact roots to 1…n and count.
  const compact = new Int32Array(parent.length);
  const sizes = [0];
  for (let o = 0; o < labels.length; o++) {
    if (!labels[o]) continue;
    const root = find(labels[o]);
    if (!compact[root]) {
      compact[root] = sizes.length;
      sizes.push(0);
    }
    labels[o] = compact[root];
    sizes[compact[root]]++;
  }
  return { labels, sizes };
}

/** One connected piece of a structure. */
export interface Island {
  readonly voxels: number;
  readonly volumeCc: number;
}

/** The islands of a structure, largest first. */
export function islands(mask: BinaryMask, geometry: ImageGeometry, connectivity: Connectivity = 6): Island[] {
  const crop = cropMask(mask);
  if (!crop) return [];
  const { sizes } = labelComponents(crop.data, crop.size, connectivity);
  const v = voxelVolumeMm3(geometry) / 1000;
  return sizes
    .slice(1)
    .sort((a, b) => b - a)
    .map((n) => ({ voxels: n, volumeCc: n * v }));
}

export interface RemoveIslandsOptions {
  /** Keep only the largest island (default), or … */
  readonly keepLargest?: boolean;
  /** … drop every island smaller than this volume (cc). */
  readonly minVolumeCc?: number;
  readonly connectivity?: Connectivity;
}

/**
 * Removes islands from a structure: keeps the largest connected piece, or drops the pieces below a volume.
 * Returns a new mask.
 */
export function removeIslands(mask: BinaryMask, geometry: ImageGeometry, options: RemoveIslandsOptions = {}): BinaryMask {
  const crop = cropMask(mask);
  if (!crop) return new BinaryMask(mask.dimensions);
  const { labels, sizes } = labelComponents(crop.data, crop.size, options.connectivity ?? 6);
  const keep = new Uint8Array(sizes.length);
  if (options.minVolumeCc !== undefined) {
    if (!(options.minVolumeCc >= 0)) throw new RangeError(`minimum island volume must be ≥ 0 cc, got ${options.minVolumeCc}`);
    const minVoxels = (options.minVolumeCc * 1000) / voxelVolumeMm3(geometry);
    for (let l = 1; l < sizes.length; l++) keep[l] = sizes[l] >= minVoxels ? 1 : 0;
  } else {
    let best = 1;
    for (let l = 2; l < sizes.length; l++) if (sizes[l] > sizes[best]) best = l;
    keep[best] = 1;
  }
  const data = new Uint8Array(crop.data.length);
  for (let o = 0; o < data.length; o++) data[o] = keep[labels[o]];
  return uncropMask(mask.dimensions, { ...crop, data });
}

/**
 * Fills holes: background regions enclosed by the structure. '2d' fills each axial slice independently
 * (what a clinician means by "fill the hole in this contour"; a tube stays open along its axis); '3d'
 * fills only cavities closed in every direction. Background touching the edge of the structure's bounding
 * box is never a hole. Returns a new mask.
 */
export function fillHoles(mask: BinaryMask, mode: '2d' | '3d' = '2d'): BinaryMask {
  const crop = cropMask(mask);
  if (!crop) return new BinaryMask(mask.dimensions);
  const [w, h, d] = crop.size;
  const data = crop.data.slice();
  const fillBox = (offset: number, size: Vec3, zBorder: boolean): void => {
    const [bw, bh, bd] = size;
    const n = bw * bh * bd;
    // Background reachable from the box border (face connectivity) is outside; the rest is a hole.
    const outside = new Uint8Array(n);
    const stack: number[] = [];
    const push = (o: number) => {
      if (!data[offset + o] && !outside[o]) {
        outside[o] = 1;
        stack.push(o);
      }
    };
    for (let z = 0; z < bd; z++) {
      for (let y = 0; y < bh; y++) {
        for (let x = 0; x < bw; x++) {
          if (x === 0 || y === 0 || x === bw - 1 || y === bh - 1 || (zBorder && (z === 0 || z === bd - 1))) push((z * bh + y) * bw + x);
        }
      }
    }
    while (stack.length) {
      const o = stack.pop()!;
      const x = o % bw;
      const y = Math.floor(o / bw) % bh;
      const z = Math.floor(o / (bw * bh));
      if (x > 0) push(o - 1);
      if (x < bw - 1) push(o + 1);
      if (y > 0) push(o - bw);
      if (y < bh - 1) push(o + bw);
      if (z > 0) push(o - bw * bh);
      if (z < bd - 1) push(o + bw * bh);
    }
    for (let o = 0; o < n; o++) if (!outside[o]) data[offset + o] = 1;
  };
  if (mode === '3d') fillBox(0, [w, h, d], true);
  else for (let z = 0; z < d; z++) fillBox(z * w * h, [w, h, 1], false);
  return uncropMask(mask.dimensions, { ...crop, data });
}
