/**
 * Rule-based auto-contours of a chest/abdomen/head-and-neck CT: External (body outline), Lung_L, Lung_R and
 * Bones, from Hounsfield-unit thresholds and connected components. Offered like a model under the id
 * `ct-external-lungs-bones` (same result type, same provenance), because the clinic uses them the same way.
 * Works on the CT grid directly (no resampling: the outline must follow the CT voxels) with dense byte arrays
 * and linear-time passes, so a 512×512×134 chest CT takes a few seconds. Browser-safe.
 *
 * The rules and why:
 * - External: HU > −300 (skin and fat, not air nor the couch's foam core); a per-slice opening removes thin
 *   structures (couch shells, sheets, cables, immobilisation mesh) that touch the body; the largest 3D component
 *   is the patient (the couch, once detached, is a separate component); holes filled per slice (lungs, airways,
 *   bowel gas are inside the body).
 * - Lungs: HU < −400 inside the External. The trachea and main bronchi (air, < −900 HU) are grown from the
 *   trachea found in the top slices and removed; bowel gas and other pockets are dropped by keeping the two
 *   largest components; if the lungs touch (anterior junction), they are split per slice at the mediastinal
 *   midline (the column with least lung between them). Left = patient left = +x (LPS). Vessels inside the lung
 *   are filled per slice, as clinical lung contours include them.
 * - Bones: HU > 250 inside the External, components under 0.5 cc dropped (calcifications, contrast specks).
 */
import { type ImageGeometry, voxelVolumeMm3 } from '../../domain/geometry.ts';
import { BinaryMask } from '../../domain/mask.ts';
import { labelComponents } from '../../domain/ops/components.ts';
import { createStructure, type Structure } from '../../domain/structure.ts';
import { tg263Entry } from '../../domain/tg263.ts';
import type { Volume } from '../../domain/volume.ts';
import { throwIfAborted, type JobOptions } from '../../jobs/job.ts';
import type { ModelManifest } from '../manifest.ts';

/** Tunable thresholds of the rules (defaults are the values above). */
export interface BodyRuleOptions {
  readonly externalHu?: number;
  readonly lungHu?: number;
  readonly airwayHu?: number;
  readonly boneHu?: number;
  /** Radius (mm) of the per-slice opening that detaches thin objects from the body. */
  readonly openingMm?: number;
  /** How far (mm, in-plane, geodesic) the opened body grows back into tissue the opening cut away (default 20). */
  readonly regrowMm?: number;
}

/** The manifest of the rule-based model (kind 'rules': no network). */
export const EXTERNAL_LUNGS_BONES: ModelManifest = {
  schema: 'delineo-model/1',
  id: 'ct-external-lungs-bones',
  name: 'External, lungs and bones (rules)',
  version: '1.0.0',
  description: 'Body outline, left and right lungs and bones from Hounsfield-unit thresholds and connected components; no trained network.',
  kind: 'rules',
  modality: 'CT',
  license: 'Apache-2.0',
  modelCard: 'https://github.com/delineo/delineo/blob/main/src/inference/rules/external-lungs-bones.ts',
  labels: (['External', 'Lung_L', 'Lung_R', 'Bone'] as const).map((name, i) => {
    const e = tg263Entry(name)!;
    return { value: i + 1, name: e.name, standardName: e.name, interpretedType: e.interpretedType, color: e.color };
  }),
};

/** Dense masks (x fastest, one byte per voxel) of the four structures on the CT grid. */
export interface BodyMasks {
  readonly external: Uint8Array;
  readonly lungL: Uint8Array;
  readonly lungR: Uint8Array;
  readonly bones: Uint8Array;
}

/** Runs the rules on a CT (HU) and returns dense masks; see the module comment. */
export function computeBodyMasks(ct: Volume, options: BodyRuleOptions & JobOptions = {}): BodyMasks {
  const [nx, ny, nz] = ct.dimensions;
  const n = nx * ny * nz;
  const hu = ct.data;
  const progress = options.progress;
  const step = (done: number) => {
    throwIfAborted(options.signal);
    progress?.({ stage: 'rules', done, total: 4, unit: 'steps' });
  };
  step(0);
  // External.
  const thr = new Uint8Array(n);
  const extHu = options.externalHu ?? -300;
  for (let o = 0; o < n; o++) thr[o] = hu[o] > extHu ? 1 : 0;
  const r = [0, 1].map((a) => Math.max(1, Math.round((options.openingMm ?? 4) / ct.spacing[a])));
  const opened = new Uint8Array(n);
  const tmp = new Uint8Array(nx * ny);
  for (let k = 0; k < nz; k++) {
    const sl = thr.subarray(k * nx * ny, (k + 1) * nx * ny);
    const out = opened.subarray(k * nx * ny, (k + 1) * nx * ny);
    erode2d(sl, out, nx, ny, r[0], r[1], tmp);
    dilate2d(out, out, nx, ny, r[0], r[1], tmp);
    for (let p = 0; p < out.length; p++) out[p] &= sl[p];
  }
  const body = largestComponent(opened, [nx, ny, nz]);
  // The opening also cuts a chest wall thinner than its box (9 mm) where a lung lies close to the skin, and a
  // ring with a gap encloses nothing: the lung would fall outside the body. Grow the body back into the
  // thresholded tissue it was cut from, per slice, for a limited geodesic distance: a cut wall is regained
  // from both of its ends, while a couch is regained only for that distance from where it touched.
  const regrowMm = options.regrowMm ?? 20;
  const external = fillHoles2d(regrow2d(body, thr, nx, ny, nz, Math.max(1, Math.round(regrowMm / Math.min(ct.spacing[0], ct.spacing[1])))), nx, ny, nz);
  step(1);
  // Lungs.
  const lungHu = options.lungHu ?? -400;
  const low = new Uint8Array(n);
  for (let o = 0; o < n; o++) low[o] = external[o] && hu[o] < lungHu ? 1 : 0;
  const airway = findAirway(hu, ct, external, options.airwayHu ?? -900);
  if (airway) {
    // Dilate the airway by one voxel in-plane: its partial-volume wall (−900…−400 HU) is not lung either.
    for (let k = 0; k < nz; k++) {
      const a = airway.subarray(k * nx * ny, (k + 1) * nx * ny);
      dilate2d(a, tmp, nx, ny, 1, 1, new Uint8Array(nx * ny));
      const l = low.subarray(k * nx * ny, (k + 1) * nx * ny);
      for (let p = 0; p < tmp.length; p++) if (tmp[p]) l[p] = 0;
    }
  }
  const { labels, sizes } = labelComponents(low, [nx, ny, nz], 6);
  const order = sizes.map((s, i) => [s, i]).slice(1).sort((a, b) => b[0] - a[0]);
  const minLungVoxels = (50 * 1000) / voxelVolumeMm3(ct); // a lung is > 50 cc even collapsed
  const big = order.filter(([s]) => s >= minLungVoxels).slice(0, 2);
  const lungL = new Uint8Array(n);
  const lungR = new Uint8Array(n);
  step(2);
  if (big.length === 2 && big[1][0] > 0.15 * big[0][0]) {
    // Two lungs: the one whose centroid lies further to patient left (+x) is Lung_L.
    const cx = centroidX(labels, [big[0][1], big[1][1]], nx);
    const leftLabel = cx[0] > cx[1] ? big[0][1] : big[1][1];
    for (let o = 0; o < n; o++) {
      if (labels[o] === big[0][1] || labels[o] === big[1][1]) (labels[o] === leftLabel ? lungL : lungR)[o] = 1;
    }
  } else if (big.length >= 1) {
    // One component: lungs joined (or one lung only): split each slice at the mediastinal midline.
    const lungs = new Uint8Array(n);
    for (let o = 0; o < n; o++) lungs[o] = labels[o] === big[0][1] ? 1 : 0;
    splitAtMidline(lungs, lungL, lungR, nx, ny, nz, ct);
  }
  const fl = fillHoles2d(lungL, nx, ny, nz);
  const fr = fillHoles2d(lungR, nx, ny, nz);
  // Filling may not cross into the other lung or outside the body.
  for (let o = 0; o < n; o++) {
    fl[o] &= external[o];
    fr[o] &= external[o] & (fl[o] ^ 1);
  }
  step(3);
  // Bones.
  const boneHu = options.boneHu ?? 250;
  const bone = new Uint8Array(n);
  for (let o = 0; o < n; o++) bone[o] = external[o] && hu[o] > boneHu ? 1 : 0;
  const bl = labelComponents(bone, [nx, ny, nz], 6);
  const minBone = (0.5 * 1000) / voxelVolumeMm3(ct);
  for (let o = 0; o < n; o++) if (bone[o] && bl.sizes[bl.labels[o]] < minBone) bone[o] = 0;
  step(4);
  return { external, lungL: fl, lungR: fr, bones: bone };
}

/** The structures of {@link computeBodyMasks} with AUTOMATIC provenance. */
export function bodyStructures(ct: Volume, masks: BodyMasks, manifest: ModelManifest = EXTERNAL_LUNGS_BONES): Structure[] {
  const dense = [masks.external, masks.lungL, masks.lungR, masks.bones];
  return manifest.labels.map((l, i) =>
    createStructure({
      name: l.name,
      standardName: l.standardName,
      color: l.color,
      interpretedType: l.interpretedType,
      provenance: { algorithm: 'AUTOMATIC', source: manifest.id, version: manifest.version },
      mask: BinaryMask.fromDense(ct.dimensions, dense[i]),
    }),
  );
}

/** Separable box erosion of a 2D byte image (half-sizes rx, ry); `out` may alias nothing but `tmp`-free input. */
export function erode2d(src: Uint8Array, out: Uint8Array, nx: number, ny: number, rx: number, ry: number, tmp: Uint8Array): void {
  runFilter(src, tmp, nx, ny, rx, 1, nx, 0);
  runFilter(tmp, out, ny, nx, ry, nx, 1, 0);
}

/** Separable box dilation of a 2D byte image (half-sizes rx, ry). `out` may be `src`. */
export function dilate2d(src: Uint8Array, out: Uint8Array, nx: number, ny: number, rx: number, ry: number, tmp: Uint8Array): void {
  runFilter(src, tmp, nx, ny, rx, 1, nx, 1);
  runFilter(tmp, out, ny, nx, ry, nx, 1, 1);
}

/**
 * One pass of a running min (want 0: erosion) or max (want 1: dilation) along lines: `len` samples with stride
 * `step`, `lines` lines with stride `lineStep`. Counts the "wanted" values in the window, so it is O(n) in r.
 */
function runFilter(src: Uint8Array, dst: Uint8Array, len: number, lines: number, r: number, step: number, lineStep: number, want: 0 | 1): void {
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep;
    // count of voxels equal to the dominant value in [i - r, i + r]; outside the image counts as background,
    // so erosion at the border erodes (a body cut by the field of view keeps its cut edge after the dilation).
    let count = 0;
    const val = (i: number) => (i >= 0 && i < len ? src[base + i * step] : 0);
    const hit = (v: number) => (want === 1 ? v === 1 : v === 0);
    for (let i = -r; i <= r; i++) if (hit(val(i))) count++;
    for (let i = 0; i < len; i++) {
      dst[base + i * step] = want === 1 ? (count > 0 ? 1 : 0) : count > 0 ? 0 : 1;
      if (hit(val(i - r))) count--;
      if (hit(val(i + r + 1))) count++;
    }
  }
}

/** The largest 6-connected component of a dense mask, as a new mask (all zero when empty). */
function largestComponent(mask: Uint8Array, size: [number, number, number]): Uint8Array {
  const { labels, sizes } = labelComponents(mask, size, 6);
  let best = 0;
  for (let l = 1; l < sizes.length; l++) if (!best || sizes[l] > sizes[best]) best = l;
  const out = new Uint8Array(mask.length);
  if (best) for (let o = 0; o < out.length; o++) out[o] = labels[o] === best ? 1 : 0;
  return out;
}

/**
 * Per slice, adds to `seed` the voxels of `allowed` reachable from it through `allowed` in at most `steps`
 * 4-neighbour steps (a geodesic dilation limited in distance).
 */
function regrow2d(seed: Uint8Array, allowed: Uint8Array, nx: number, ny: number, nz: number, steps: number): Uint8Array {
  const out = seed.slice();
  const plane = nx * ny;
  let front = new Int32Array(plane);
  let next = new Int32Array(plane);
  for (let k = 0; k < nz; k++) {
    const s = out.subarray(k * plane, (k + 1) * plane);
    const a = allowed.subarray(k * plane, (k + 1) * plane);
    let nf = 0;
    for (let p = 0; p < plane; p++) if (s[p]) front[nf++] = p;
    for (let step = 0; step < steps && nf > 0; step++) {
      let nn = 0;
      const visit = (q: number) => {
        if (a[q] && !s[q]) {
          s[q] = 1;
          next[nn++] = q;
        }
      };
      for (let f = 0; f < nf; f++) {
        const p = front[f];
        const x = p % nx;
        if (x > 0) visit(p - 1);
        if (x < nx - 1) visit(p + 1);
        if (p >= nx) visit(p - nx);
        if (p < plane - nx) visit(p + nx);
      }
      [front, next] = [next, front];
      nf = nn;
    }
  }
  return out;
}

/** Fills each axial slice's background not connected (4-neighbours) to the slice border. */
export function fillHoles2d(mask: Uint8Array, nx: number, ny: number, nz: number): Uint8Array {
  const out = mask.slice();
  const outside = new Uint8Array(nx * ny);
  const stack = new Int32Array(nx * ny);
  for (let k = 0; k < nz; k++) {
    const s = out.subarray(k * nx * ny, (k + 1) * nx * ny);
    outside.fill(0);
    let top = 0;
    const push = (p: number) => {
      if (!s[p] && !outside[p]) {
        outside[p] = 1;
        stack[top++] = p;
      }
    };
    for (let x = 0; x < nx; x++) {
      push(x);
      push((ny - 1) * nx + x);
    }
    for (let y = 0; y < ny; y++) {
      push(y * nx);
      push(y * nx + nx - 1);
    }
    while (top > 0) {
      const p = stack[--top];
      const x = p % nx;
      if (x > 0) push(p - 1);
      if (x < nx - 1) push(p + 1);
      if (p >= nx) push(p - nx);
      if (p < (ny - 1) * nx) push(p + nx);
    }
    for (let p = 0; p < s.length; p++) if (!outside[p]) s[p] = 1;
  }
  return out;
}

function centroidX(labels: Int32Array, which: number[], nx: number): number[] {
  const sum = which.map(() => 0);
  const cnt = which.map(() => 0);
  for (let o = 0; o < labels.length; o++) {
    const w = which.indexOf(labels[o]);
    if (w >= 0) {
      sum[w] += o % nx;
      cnt[w]++;
    }
  }
  return sum.map((s, i) => s / Math.max(1, cnt[i]));
}

/**
 * Finds the trachea and main bronchi: in the top quarter of the slices that contain lung-density air inside
 * the body, the air component (< airwayHu) with a small cross-section nearest the body's left–right centre is
 * the trachea; it is grown in 3D (26-connected, < airwayHu) and stopped where it would spread into the lungs
 * (a slice whose airway area exceeds 4× the trachea's is parenchyma, not bronchus). Null when no trachea is
 * found (a scan below the carina).
 */
function findAirway(hu: Volume['data'], g: ImageGeometry, external: Uint8Array, airwayHu: number): Uint8Array | null {
  const [nx, ny, nz] = g.dimensions;
  const plane = nx * ny;
  const pixelArea = g.spacing[0] * g.spacing[1];
  // Slices with body; the trachea is searched from the top (superior = high k in LPS-aligned axial series).
  const sup = g.direction[8] >= 0; // k runs superior when the slice axis points to +z
  const ks = Array.from({ length: nz }, (_, i) => (sup ? nz - 1 - i : i));
  let seed = -1;
  let seedArea = 0;
  for (const k of ks.slice(0, Math.max(1, Math.ceil(nz / 4)))) {
    const air = new Uint8Array(plane);
    let any = false;
    for (let p = 0; p < plane; p++) {
      const o = k * plane + p;
      if (external[o] && hu[o] < airwayHu) {
        air[p] = 1;
        any = true;
      }
    }
    if (!any) continue;
    const { labels, sizes } = labelComponents(air, [nx, ny, 1], 6);
    // Body centre in x for this slice.
    let sx = 0;
    let cnt = 0;
    for (let p = 0; p < plane; p++) if (external[k * plane + p]) {
      sx += p % nx;
      cnt++;
    }
    const cx = sx / Math.max(1, cnt);
    let best = 0;
    let bestDist = Infinity;
    const cxs = new Float64Array(sizes.length);
    for (let p = 0; p < plane; p++) if (labels[p]) cxs[labels[p]] += p % nx;
    for (let l = 1; l < sizes.length; l++) {
      const area = sizes[l] * pixelArea;
      if (area < 50 || area > 600) continue; // trachea lumen ≈ 1.5–2.5 cm across
      const d = Math.abs(cxs[l] / sizes[l] - cx) * g.spacing[0];
      if (d < 30 && d < bestDist) {
        best = l;
        bestDist = d;
      }
    }
    if (best) {
      for (let p = 0; p < plane; p++) if (labels[p] === best) {
        seed = k * plane + p;
        break;
      }
      seedArea = sizes[best];
      break;
    }
  }
  if (seed < 0) return null;
  // 3D region growing slice by slice away from the top; a slice whose airway area explodes has reached lung.
  const out = new Uint8Array(nx * ny * nz);
  const limit = 4 * seedArea + 2000 / pixelArea;
  const stack: number[] = [seed];
  out[seed] = 1;
  const areaPerSlice = new Int32Array(nz);
  const blocked = new Uint8Array(nz);
  while (stack.length) {
    const o = stack.pop()!;
    const k = Math.floor(o / plane);
    if (blocked[k]) continue;
    const p = o - k * plane;
    const x = p % nx;
    const y = Math.floor(p / nx);
    for (let dz = -1; dz <= 1; dz++) {
      const kk = k + dz;
      if (kk < 0 || kk >= nz || blocked[kk]) continue;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= ny) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= nx) continue;
          const q = kk * plane + yy * nx + xx;
          if (out[q] || !external[q] || hu[q] >= airwayHu) continue;
          out[q] = 1;
          areaPerSlice[kk]++;
          if (areaPerSlice[kk] > limit) blocked[kk] = 1;
          stack.push(q);
        }
      }
    }
  }
  // A blocked slice grew into parenchyma: drop it and everything beyond it from the airway.
  for (let k = 0; k < nz; k++) if (blocked[k]) out.fill(0, k * plane, (k + 1) * plane);
  return out;
}

/** Splits one lung mask into left (+x) and right per slice at the column with least lung near the middle. */
function splitAtMidline(lungs: Uint8Array, left: Uint8Array, right: Uint8Array, nx: number, ny: number, nz: number, ct: Volume): void {
  const plane = nx * ny;
  // The patient +x direction along index i (usually +1: i runs right → left).
  const xSign = ct.direction[0] >= 0 ? 1 : -1;
  for (let k = 0; k < nz; k++) {
    const cols = new Int32Array(nx);
    let lo = nx;
    let hi = -1;
    for (let p = 0; p < plane; p++) {
      if (lungs[k * plane + p]) {
        const x = p % nx;
        cols[x]++;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    }
    if (hi < 0) continue;
    let cut = Math.floor((lo + hi) / 2);
    let least = Infinity;
    const a = lo + Math.floor((hi - lo) / 3);
    const b = hi - Math.floor((hi - lo) / 3);
    for (let x = a; x <= b; x++) if (cols[x] < least) {
      least = cols[x];
      cut = x;
    }
    for (let p = 0; p < plane; p++) {
      const o = k * plane + p;
      if (!lungs[o]) continue;
      const x = p % nx;
      const isLeft = xSign > 0 ? x > cut : x < cut;
      (isLeft ? left : right)[o] = 1;
    }
  }
}
