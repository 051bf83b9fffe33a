/**
 * A model's per-voxel uncertainty on the CT grid, and what review builds on it: a structure's attention score
 * (its mean uncertainty near its contour) and its axial slices ranked by uncertainty. Pure.
 *
 * The map is quantised to a byte per voxel (value / 255 is the uncertainty, 0 = certain, 1 = the most doubtful
 * the measure can express): it lives beside the CT for as long as the structures it describes, and a float per
 * voxel would be four times the CT's 16-bit size. The quantisation step (1/255) is far below any difference a
 * reviewer acts on.
 */
import type { Vec3 } from './geometry.ts';
import type { BinaryMask } from './mask.ts';

/**
 * How a voxel's class probabilities become one number, each scaled to 0–1 with 0 = certain:
 * - 'entropy': Shannon entropy of the (ensemble- and tile-averaged) probabilities over the classes, divided by
 *   ln(classes), so 1 is all classes equally likely;
 * - 'margin': 1 − (highest − second highest probability), so 1 is a tie between the two likeliest classes.
 */
export type UncertaintyMeasure = 'entropy' | 'margin';

/** A per-voxel uncertainty map on a CT grid (x fastest); `data[i] / 255` is the uncertainty of voxel i. */
export interface UncertaintyMap {
  readonly data: Uint8Array;
  readonly dimensions: Vec3;
  readonly measure: UncertaintyMeasure;
}

/** The largest quantised value: data / UNCERTAINTY_MAX is the uncertainty in 0–1. */
export const UNCERTAINTY_MAX = 255;

/** The uncertainty of one voxel from its class probabilities (summing to 1), 0–1 (see {@link UncertaintyMeasure}). */
export function voxelUncertainty(p: ArrayLike<number>, classes: number, measure: UncertaintyMeasure): number {
  if (measure === 'margin') {
    let a = 0;
    let b = 0;
    for (let c = 0; c < classes; c++) {
      const v = p[c];
      if (v > a) {
        b = a;
        a = v;
      } else if (v > b) b = v;
    }
    return Math.min(1, Math.max(0, 1 - (a - b)));
  }
  let h = 0;
  for (let c = 0; c < classes; c++) {
    const v = p[c];
    if (v > 1e-12) h -= v * Math.log(v);
  }
  return Math.min(1, Math.max(0, h / Math.log(classes)));
}

/** The map as float32 uncertainties in 0–1 (what `delineo segment --uncertainty` writes). */
export function uncertaintyToFloat(map: UncertaintyMap): Float32Array {
  const out = new Float32Array(map.data.length);
  for (let i = 0; i < out.length; i++) out[i] = map.data[i] / UNCERTAINTY_MAX;
  return out;
}

/** One axial slice of a structure and the uncertainty summed over the structure's region there. */
export interface UncertainSlice {
  /** Axial slice index (k). */
  readonly slice: number;
  /** Sum of the uncertainty (0–1 per voxel) over the region's voxels on this slice. */
  readonly sum: number;
}

/** What a structure's uncertainty says to its reviewer. */
export interface StructureUncertainty {
  /**
   * The attention score: mean uncertainty (0–1) over the structure dilated by one voxel (6-neighbourhood), so
   * the voxels just outside its edge, where a contour is too small, count as well as those inside. 0 for an
   * empty structure (nothing to weigh; the review lists an empty structure apart).
   */
  readonly attention: number;
  /** Voxels in the dilated region. */
  readonly voxels: number;
  /** The region's axial slices with any uncertainty, most uncertain first (ties: lower slice first). */
  readonly slices: readonly UncertainSlice[];
}

/**
 * A structure's attention score and ranked slices (see {@link StructureUncertainty}), read one axial slice at a
 * time: the dilated region of slice k is the mask on k, on k ± 1, and the in-plane 4-neighbours of the mask on k.
 */
export function structureUncertainty(map: UncertaintyMap, mask: BinaryMask): StructureUncertainty {
  const [nx, ny, nz] = map.dimensions;
  const md = mask.dimensions;
  if (md[0] !== nx || md[1] !== ny || md[2] !== nz) throw new RangeError(`the uncertainty map's grid (${nx}×${ny}×${nz}) is not the structure's (${md.join('×')})`);
  const b = mask.bounds();
  if (!b) return { attention: 0, voxels: 0, slices: [] };
  const plane = nx * ny;
  const k0 = Math.max(0, b.min[2] - 1);
  const k1 = Math.min(nz - 1, b.max[2] + 1);
  const i0 = Math.max(0, b.min[0] - 1);
  const i1 = Math.min(nx - 1, b.max[0] + 1);
  const j0 = Math.max(0, b.min[1] - 1);
  const j1 = Math.min(ny - 1, b.max[1] + 1);
  const read = (k: number) => (k >= b.min[2] && k <= b.max[2] ? mask.readAxial(k) : null);
  let below: Uint8Array | null = read(k0 - 1);
  let here: Uint8Array | null = read(k0);
  let total = 0;
  let voxels = 0;
  const slices: UncertainSlice[] = [];
  for (let k = k0; k <= k1; k++) {
    const above = read(k + 1);
    let sum = 0;
    const off = k * plane;
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const p = i + j * nx;
        const inside =
          (here && (here[p] || (i > 0 && here[p - 1]) || (i < nx - 1 && here[p + 1]) || (j > 0 && here[p - nx]) || (j < ny - 1 && here[p + nx]))) ||
          (below && below[p]) ||
          (above && above[p]);
        if (!inside) continue;
        voxels++;
        sum += map.data[off + p];
      }
    }
    total += sum;
    if (sum > 0) slices.push({ slice: k, sum: sum / UNCERTAINTY_MAX });
    below = here;
    here = above;
  }
  slices.sort((a, c) => c.sum - a.sum || a.slice - c.slice);
  return { attention: voxels ? total / UNCERTAINTY_MAX / voxels : 0, voxels, slices };
}
