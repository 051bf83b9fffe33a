/**
 * Surface-distance measures for reviewing auto-contours: an exact anisotropic Euclidean distance transform,
 * voxel surfaces weighted by their exposed face area, the surface Dice similarity coefficient (Nikolov et al.
 * 2021) and the added path length (Vaassen et al. 2020).
 *
 * Everything works on dense byte crops of the masks (the bounding box of what is compared, padded), never on
 * the full grid: a lung on a 512×512×200 CT is a few per cent of it. Distances are in millimetres in index
 * space scaled by the voxel spacing, which is the patient-space distance for any orthogonal direction matrix
 * (a sheared, gantry-tilted grid is measured as if it were orthogonal; the error is second order in the tilt).
 *
 * The 95th-percentile Hausdorff distance and volumetric Dice on dense arrays live in src/inference/metrics.ts
 * (the model-evaluation code); this module is the domain's, so the review panel and QA can use it without
 * depending on the inference layer.
 */
import type { ImageGeometry, Vec3 } from '../geometry.ts';
import type { BinaryMask, IndexBox } from '../mask.ts';
import { cropMaskToBox } from './components.ts';

/** Surface Dice tolerance (mm) used when none is given: 2 mm, a common choice for organs at risk on CT. */
export const DEFAULT_SURFACE_DICE_TOLERANCE_MM = 2;

/**
 * Added-path-length tolerance (mm) used when none is given: 0 mm, i.e. a boundary pixel of the edited contour
 * counts unless the original contour has a boundary pixel at the very same place. This is Vaassen et al.'s
 * original definition (their script compares contour pixels exactly; a tolerance was added later in pyAPL).
 * Both masks live on the same grid, so unchanged parts of a contour coincide exactly and need no tolerance;
 * a contour moved by one pixel was redrawn, and counts.
 */
export const DEFAULT_APL_TOLERANCE_MM = 0;

// Relative slack on squared-distance comparisons, so that a distance equal to the tolerance (a one-voxel
// shift at τ = the spacing) is "within" despite rounding.
const EPS = 1e-9;

/** Lower envelope of parabolas (Felzenszwalb & Huttenlocher 2012) along one line; s2 = spacing². */
function edt1d(f: Float64Array, n: number, s2: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q];
    if (fq === Infinity) continue;
    const hq = fq + s2 * q * q;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let p = v[k];
    let s = (hq - (f[p] + s2 * p * p)) / (2 * s2 * (q - p));
    while (s <= z[k]) {
      k--;
      p = v[k];
      s = (hq - (f[p] + s2 * p * p)) / (2 * s2 * (q - p));
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    d.fill(Infinity, 0, n);
    return;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const p = v[k];
    d[q] = s2 * (q - p) * (q - p) + f[p];
  }
}

/**
 * Exact squared Euclidean distance transform with anisotropic spacing: for every voxel of a dense box of
 * `size` (i fastest), the squared distance in mm² from its centre to the nearest voxel centre where `seeds`
 * is non-zero (Infinity when there is none). Felzenszwalb–Huttenlocher's separable algorithm: one pass of the
 * 1D lower-envelope transform per axis, O(voxels). A 2D transform is the case size[2] = 1.
 */
export function squaredEdt(seeds: ArrayLike<number>, size: Vec3, spacing: Vec3): Float64Array {
  const [w, h, dd] = size;
  const plane = w * h;
  const n = plane * dd;
  if (seeds.length !== n) throw new RangeError(`distance transform: ${seeds.length} seeds for a ${w}×${h}×${dd} box`);
  const out = new Float64Array(n);
  for (let o = 0; o < n; o++) out[o] = seeds[o] ? 0 : Infinity;
  const m = Math.max(w, h, dd);
  const f = new Float64Array(m);
  const d = new Float64Array(m);
  const v = new Int32Array(m);
  const z = new Float64Array(m + 1);
  const line = (base: number, len: number, stride: number, s2: number) => {
    let any = false;
    for (let q = 0, o = base; q < len; q++, o += stride) {
      f[q] = out[o];
      if (f[q] !== Infinity) any = true;
    }
    if (!any) return;
    edt1d(f, len, s2, d, v, z);
    for (let q = 0, o = base; q < len; q++, o += stride) out[o] = d[q];
  };
  const [sx, sy, sz] = spacing;
  for (let r = 0; r < h * dd; r++) line(r * w, w, 1, sx * sx);
  if (h > 1) for (let k = 0; k < dd; k++) for (let i = 0; i < w; i++) line(k * plane + i, h, w, sy * sy);
  if (dd > 1) for (let o = 0; o < plane; o++) line(o, dd, plane, sz * sz);
  return out;
}

/**
 * Signed Euclidean distance (mm) of every voxel of a dense box of `size` (i fastest) to a mask: for a voxel
 * outside the mask, the distance from its centre to the nearest voxel centre inside (positive); for a voxel
 * inside, minus the distance to the nearest voxel centre outside. Voxel centres on either side of the
 * boundary are therefore at +s and −s (never 0), with s the spacing across it. +Infinity everywhere for an
 * empty mask, −Infinity everywhere for a full one. Exact, anisotropic: two {@link squaredEdt} passes.
 */
export function signedDistanceMm(mask: ArrayLike<number>, size: Vec3, spacing: Vec3): Float32Array {
  const n = size[0] * size[1] * size[2];
  if (mask.length !== n) throw new RangeError(`signed distance: ${mask.length} voxels for a ${size.join('×')} box`);
  const outside = new Uint8Array(n);
  for (let o = 0; o < n; o++) outside[o] = mask[o] ? 0 : 1;
  const toInside = squaredEdt(mask, size, spacing);
  const toOutside = squaredEdt(outside, size, spacing);
  const out = new Float32Array(n);
  for (let o = 0; o < n; o++) out[o] = outside[o] ? Math.sqrt(toInside[o]) : -Math.sqrt(toOutside[o]);
  return out;
}

/** Neighbourhood offsets (voxels) within `toleranceMm` of the origin, nearest first; null when there are over `max`. */
function ballOffsets(spacing: Vec3, toleranceMm: number, limit: number, flat: boolean, max: number): Int32Array | null {
  const r = [0, 1, 2].map((a) => (flat && a === 2 ? 0 : Math.floor(toleranceMm / spacing[a] + 1e-9)));
  if ((2 * r[0] + 1) * (2 * r[1] + 1) * (2 * r[2] + 1) > 8 * max) return null;
  const found: [number, number, number, number][] = [];
  for (let c = -r[2]; c <= r[2]; c++) {
    for (let b = -r[1]; b <= r[1]; b++) {
      for (let a = -r[0]; a <= r[0]; a++) {
        const d2 = (a * spacing[0]) ** 2 + (b * spacing[1]) ** 2 + (c * spacing[2]) ** 2;
        if (d2 <= limit) found.push([d2, a, b, c]);
      }
    }
  }
  if (found.length > max) return null;
  found.sort((x, y) => x[0] - y[0]);
  return Int32Array.from(found.flatMap(([, a, b, c]) => [a, b, c]));
}

/**
 * For each voxel `from[n]` (offsets into a dense box of `size`), whether a voxel of `targets` (non-zero) lies
 * within `toleranceMm` of it, centre to centre. Exact either way: a small tolerance looks at the few lattice
 * offsets inside the tolerance ellipsoid (the usual case: a 2 mm tolerance on CT is 5 to 30 offsets, so the
 * cost is the surface's, not the box's); a large one reads the exact distance transform of the targets.
 */
function withinTolerance(from: Int32Array, targets: Uint8Array, size: Vec3, spacing: Vec3, toleranceMm: number): Uint8Array {
  const flags = new Uint8Array(from.length);
  const limit = toleranceMm * toleranceMm * (1 + EPS) + EPS;
  const [w, h, d] = size;
  const plane = w * h;
  const offsets = ballOffsets(spacing, toleranceMm, limit, d === 1, 512);
  // A lookup costs a few ns, a voxel of the transform a few tens: pick the cheaper exact method.
  if (!offsets || (from.length * offsets.length) / 3 > 16 * targets.length) {
    const d2 = squaredEdt(targets, size, spacing);
    for (let n = 0; n < from.length; n++) flags[n] = d2[from[n]] <= limit ? 1 : 0;
    return flags;
  }
  for (let n = 0; n < from.length; n++) {
    const o = from[n];
    const i = o % w;
    const j = Math.floor(o / w) % h;
    const k = Math.floor(o / plane);
    for (let m = 0; m < offsets.length; m += 3) {
      const ii = i + offsets[m];
      const jj = j + offsets[m + 1];
      const kk = k + offsets[m + 2];
      if (ii < 0 || jj < 0 || kk < 0 || ii >= w || jj >= h || kk >= d) continue;
      if (targets[ii + w * jj + plane * kk]) {
        flags[n] = 1;
        break;
      }
    }
  }
  return flags;
}

/** The surface voxels of a dense box and the exposed face area of each; see {@link surfaceVoxels}. */
export interface SurfaceVoxels {
  /** Offsets into the box of the surface voxels, in scan order. */
  readonly offsets: Int32Array;
  /** Exposed face area (mm²) of each surface voxel, parallel to `offsets`. */
  readonly areasMm2: Float64Array;
  /** Sum of `areasMm2`. */
  readonly totalMm2: number;
}

/**
 * The surface of a dense mask box: inside voxels with a face (6-)neighbour outside the mask or outside the
 * box, each weighted by its exposed face area — the sum over its exposed faces of the product of the other
 * two spacings (a face normal to i has area sy·sz). This is the voxel-face approximation of the surfel
 * areas of Nikolov et al. (2021), who place surface elements on the marching-cubes mesh between voxel
 * centres; the face count overestimates the area of an oblique surface (by 1.5× on average over a sphere),
 * but the overestimate cancels in ratios of areas such as the surface Dice. Faces on the box's border count
 * as exposed, so pad the box by one voxel unless the border is the grid's.
 */
export function surfaceVoxels(data: ArrayLike<number>, size: Vec3, spacing: Vec3): SurfaceVoxels {
  const [w, h, d] = size;
  const plane = w * h;
  const ax = spacing[1] * spacing[2];
  const ay = spacing[0] * spacing[2];
  const az = spacing[0] * spacing[1];
  const offsets: number[] = [];
  const areas: number[] = [];
  let total = 0;
  for (let k = 0, o = 0; k < d; k++) {
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++, o++) {
        if (!data[o]) continue;
        let a = 0;
        if (i === 0 || !data[o - 1]) a += ax;
        if (i === w - 1 || !data[o + 1]) a += ax;
        if (j === 0 || !data[o - w]) a += ay;
        if (j === h - 1 || !data[o + w]) a += ay;
        if (k === 0 || !data[o - plane]) a += az;
        if (k === d - 1 || !data[o + plane]) a += az;
        if (a === 0) continue;
        offsets.push(o);
        areas.push(a);
        total += a;
      }
    }
  }
  return { offsets: Int32Array.from(offsets), areasMm2: Float64Array.from(areas), totalMm2: total };
}

/** The bounding box of two boxes (either may be null), grown by `pad` voxels per axis; null when both are. */
function unionBox(a: IndexBox | null, b: IndexBox | null, pad: Vec3): IndexBox | null {
  if (!a && !b) return null;
  const boxes = [a, b].filter((x): x is IndexBox => x !== null);
  const min = [0, 1, 2].map((ax) => Math.min(...boxes.map((x) => x.min[ax])) - pad[ax]) as unknown as Vec3;
  const max = [0, 1, 2].map((ax) => Math.max(...boxes.map((x) => x.max[ax])) + pad[ax]) as unknown as Vec3;
  return { min, max };
}

function assertSameGrid(a: BinaryMask, b: BinaryMask, geometry: ImageGeometry): void {
  for (let ax = 0; ax < 3; ax++) {
    if (a.dimensions[ax] !== geometry.dimensions[ax] || b.dimensions[ax] !== geometry.dimensions[ax]) {
      throw new RangeError(`masks [${a.dimensions.join('×')}] and [${b.dimensions.join('×')}] are not both on the grid [${geometry.dimensions.join('×')}]`);
    }
  }
}

function assertTolerance(toleranceMm: number): void {
  if (!(toleranceMm >= 0) || !Number.isFinite(toleranceMm)) throw new RangeError(`tolerance must be a finite number of mm ≥ 0, got ${toleranceMm}`);
}

/**
 * Surface Dice similarity coefficient at tolerance τ (Nikolov et al. 2021, "Clinically applicable segmentation
 * of head and neck anatomy for radiotherapy"): the fraction of the two surfaces that lies within τ of the
 * other surface,
 *
 *   (area of S_A within τ of S_B + area of S_B within τ of S_A) / (area of S_A + area of S_B),
 *
 * where S_X are the surface voxels of X (see {@link surfaceVoxels}, weighted by exposed face area) and the
 * distance of a surface voxel to the other surface is from its centre to the nearest surface-voxel centre of
 * the other mask (exact anisotropic EDT, a distance equal to τ counts as within). 1 when both masks are
 * empty, 0 when exactly one is. It reads as "the share of the contour a clinician would not have to touch"
 * when deviations up to τ are acceptable. Work is confined to the bounding box of a ∪ b padded by
 * ceil(τ / spacing) + 1 voxels per axis.
 */
export function surfaceDice(a: BinaryMask, b: BinaryMask, geometry: ImageGeometry, toleranceMm = DEFAULT_SURFACE_DICE_TOLERANCE_MM): number {
  assertSameGrid(a, b, geometry);
  assertTolerance(toleranceMm);
  const ba = a.bounds();
  const bb = b.bounds();
  if (!ba && !bb) return 1;
  if (!ba || !bb) return 0;
  const s = geometry.spacing;
  const pad: Vec3 = [Math.ceil(toleranceMm / s[0]) + 1, Math.ceil(toleranceMm / s[1]) + 1, Math.ceil(toleranceMm / s[2]) + 1];
  const box = unionBox(ba, bb, pad)!;
  const ca = cropMaskToBox(a, box);
  const cb = cropMaskToBox(b, box);
  const sa = surfaceVoxels(ca.data, ca.size, s);
  const sb = surfaceVoxels(cb.data, cb.size, s);
  const total = sa.totalMm2 + sb.totalMm2;
  const within = (from: SurfaceVoxels, to: SurfaceVoxels): number => {
    const targets = new Uint8Array(ca.data.length);
    for (let n = 0; n < to.offsets.length; n++) targets[to.offsets[n]] = 1;
    const flags = withinTolerance(from.offsets, targets, ca.size, s, toleranceMm);
    let sum = 0;
    for (let n = 0; n < from.offsets.length; n++) if (flags[n]) sum += from.areasMm2[n];
    return sum;
  };
  return (within(sa, sb) + within(sb, sa)) / total;
}

/** The in-plane boundary of a 2D slice box: per pixel, its exposed edge length in mm (0 = not boundary). */
function boundaryEdges(slice: Uint8Array, w: number, h: number, sx: number, sy: number, out: Float64Array): void {
  // An exposed edge between a pixel and its left/right neighbour runs along j: length sy; above/below: sx.
  for (let j = 0, o = 0; j < h; j++) {
    for (let i = 0; i < w; i++, o++) {
      if (!slice[o]) {
        out[o] = 0;
        continue;
      }
      let e = 0;
      if (i === 0 || !slice[o - 1]) e += sy;
      if (i === w - 1 || !slice[o + 1]) e += sy;
      if (j === 0 || !slice[o - w]) e += sx;
      if (j === h - 1 || !slice[o + w]) e += sx;
      out[o] = e;
    }
  }
}

/** Result of {@link addedPathLength}. */
export interface AddedPathLength {
  /** Total length (mm) of edited contour not within tolerance of the original contour, over all slices. */
  readonly lengthMm: number;
  /** Number of axial slices (grid k) on which some contour was added. */
  readonly slices: number;
}

/**
 * Added path length (APL; Vaassen et al. 2020, "Evaluation of measures for assessing time-saving of automatic
 * organ-at-risk segmentation in radiotherapy"): the length of contour a clinician had to draw to turn
 * `original` (the auto-contour) into `edited`, a surrogate of editing time.
 *
 * Precisely, per axial slice of the grid (fixed k): the boundary pixels of a slice are its inside pixels with a
 * 4-neighbour outside the slice's mask (or outside the grid). A boundary pixel of `edited` counts as added
 * when no boundary pixel of `original` on the same slice lies within `toleranceMm` of it (centre to centre,
 * exact 2D EDT in mm); every added pixel contributes its exposed edges — each exposed edge to a left/right
 * neighbour adds the pixel side along j (spacing[1]), each one to an upper/lower neighbour the side along i
 * (spacing[0]). `lengthMm` is the sum over all slices; `slices` the number of slices where it is non-zero.
 * The default tolerance is {@link DEFAULT_APL_TOLERANCE_MM} (0 mm: pixel-exact, Vaassen's definition).
 *
 * Consequences: identical masks give 0; only what the edited contour has is counted — a slice the clinician
 * cleared, or contour they erased without drawing a new boundary, adds nothing, while an erasure that leaves
 * a new cut edge adds that edge; a slice drawn where the original was empty adds its whole perimeter. The
 * staircase boundary length overestimates an oblique smooth contour's length (by up to √2), as in the
 * pixel-based original. Work is per slice on the in-plane bounding box of both masks.
 */
export function addedPathLength(edited: BinaryMask, original: BinaryMask, geometry: ImageGeometry, options: { toleranceMm?: number } = {}): AddedPathLength {
  assertSameGrid(edited, original, geometry);
  const toleranceMm = options.toleranceMm ?? DEFAULT_APL_TOLERANCE_MM;
  assertTolerance(toleranceMm);
  const be = edited.bounds();
  if (!be) return { lengthMm: 0, slices: 0 };
  const [sx, sy] = geometry.spacing;
  const [nx, ny] = geometry.dimensions;
  const pad: Vec3 = [Math.ceil(toleranceMm / sx) + 1, Math.ceil(toleranceMm / sy) + 1, 0];
  const box = unionBox(be, original.bounds(), pad)!;
  const i0 = Math.max(0, box.min[0]);
  const j0 = Math.max(0, box.min[1]);
  const w = Math.min(nx - 1, box.max[0]) - i0 + 1;
  const h = Math.min(ny - 1, box.max[1]) - j0 + 1;
  // Below one pixel side, "within tolerance" can only mean "the same pixel": skip the transform.
  const exact = toleranceMm < Math.min(sx, sy);
  const full = new Uint8Array(nx * ny);
  const es = new Uint8Array(w * h);
  const os = new Uint8Array(w * h);
  const ee = new Float64Array(w * h);
  const oe = new Float64Array(w * h);
  const seeds = new Uint8Array(w * h);
  const from = new Int32Array(w * h);
  const copyBox = (mask: BinaryMask, k: number, out: Uint8Array): boolean => {
    mask.readAxial(k, full);
    let any = false;
    for (let y = 0; y < h; y++) {
      const src = (j0 + y) * nx + i0;
      const row = full.subarray(src, src + w);
      out.set(row, y * w);
      if (!any && row.includes(1)) any = true;
    }
    return any;
  };
  let lengthMm = 0;
  let slices = 0;
  for (let k = be.min[2]; k <= be.max[2]; k++) {
    if (!copyBox(edited, k, es)) continue;
    const hasOriginal = k >= box.min[2] && k <= box.max[2] && copyBox(original, k, os);
    boundaryEdges(es, w, h, sx, sy, ee);
    let added = 0;
    if (!hasOriginal) {
      for (let o = 0; o < ee.length; o++) added += ee[o];
    } else {
      boundaryEdges(os, w, h, sx, sy, oe);
      if (exact) {
        for (let o = 0; o < ee.length; o++) if (ee[o] > 0 && oe[o] === 0) added += ee[o];
      } else {
        let n = 0;
        for (let o = 0; o < ee.length; o++) {
          seeds[o] = oe[o] > 0 ? 1 : 0;
          if (ee[o] > 0) from[n++] = o;
        }
        const flags = withinTolerance(from.subarray(0, n), seeds, [w, h, 1], geometry.spacing, toleranceMm);
        for (let m = 0; m < n; m++) if (!flags[m]) added += ee[from[m]];
      }
    }
    if (added > 0) {
      lengthMm += added;
      slices++;
    }
  }
  return { lengthMm, slices };
}
