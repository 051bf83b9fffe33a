/**
 * Rule-based Lung_L and Lung_R on a chest CT, as clinical lung contours are drawn (RTOG 1106 / Kong et al. 2011
 * atlas): aerated, collapsed and consolidated lung included; the trachea, main bronchi and hilum left out; a
 * known GTV left out. Browser-safe. Measured against clinical and simulated disease in docs/rules.md.
 *
 * 1. **Aerated lung**: HU < −400 inside the External, minus the trachea and main bronchi ({@link findAirway})
 *    and their one-voxel wall. Components that are mostly gas (over half below −950 HU: stomach, bowel) are not
 *    lung. The two largest remaining (≥ 20 cc, the second at least 15 % of the first) are the lungs — the one
 *    further to the patient's left is Lung_L — or, when the lungs touch, one component is split per slice at
 *    the mediastinal midline. Smaller pieces in the upper half of the lungs join the lung whose left–right
 *    extent holds them (an apex cut off by a dense band at −400 HU).
 * 2. **Partial-volume rim**: voxels below −200 HU next to a lung in-plane. A clinical outline follows the pleura,
 *    which lies beyond the −400 HU edge by up to a voxel; without the rim every lung loses a one-voxel shell.
 * 3. **Envelope bridge** for dense lung: a column of tissue below `denseHu` (no bone) with lung directly above
 *    and below it, at most `bridgeMm` tall, outside the hilum (`hilumMm` around the bronchi found), in pieces
 *    of at least `bridgeMinCc`, is lung. This is a closing of the lung with a vertical line: it takes a lobe
 *    collapsed or consolidated between aerated lobes (a middle lobe or lingula between the upper and lower
 *    lobes), atelectasis bands and consolidation inside a lobe. It does not take dense lung that has aerated
 *    lung on one side only — a whole upper lobe collapsed against the mediastinum, atelectasis above an
 *    effusion — which meets the mediastinum or chest wall at the same CT number: without contrast no
 *    threshold separates them. A vertical line, because the lung's concavities in the axial plane (cardiac
 *    notch, hilum, aortic groove) are where a ball-shaped closing, or a convex hull inside the rib cage, takes
 *    heart and mediastinum; the hilum and the size floor, because the vessels and nodes there have lung above
 *    and below them and clinical contours leave them out.
 * 4. **Holes** filled per axial slice (vessels and bronchi inside the lung are part of it, as clinical lung
 *    contours include them), within the External and without overlap between the lungs.
 * 5. **Exclusion**: voxels the caller marks as not lung (the GTV, when the clinician has drawn one) are never
 *    lung. Without it, a tumour enclosed by aerated lung in-plane, or with lung above and below it, is included
 *    like a vessel or a consolidation would be: on a CT alone, tumour and airless lung have the same CT numbers.
 */
import type { Volume } from '../../domain/volume.ts';
import { findAirway } from './airway.ts';
import { dilate2d, fillHoles2d, paintComponents, runComponents, verticalGaps, type Dims, type RunComponents } from './morphology.ts';

/** Tunable values of the lung rules (defaults in brackets). */
export interface LungRuleOptions {
  /** Aerated lung below this HU [−400]. */
  readonly lungHu?: number;
  /** Airway lumen below this HU [−900]. */
  readonly airwayHu?: number;
  /** Partial-volume rim: in-plane neighbours of the lung below this HU [−200]. */
  readonly rimHu?: number;
  /** Dense lung bridged between lung above and below: tissue below this HU [150] (bone and contrast stop it). */
  readonly denseHu?: number;
  /** Tallest column of dense tissue bridged (mm) [30]; 0 turns the bridge off. */
  readonly bridgeMm?: number;
  /** No bridging within this distance (mm, per axis) of the trachea and bronchi found: the hilum [25]. */
  readonly hilumMm?: number;
  /** Bridged pieces smaller than this (cc) are dropped [15]. */
  readonly bridgeMinCc?: number;
  /** Voxels that are not lung whatever they look like (the GTV), dense, on the CT grid. */
  readonly exclude?: Uint8Array;
}

/** A lung is more than this (cc) even collapsed, or where a scan shows only its base. */
const MIN_LUNG_CC = 20;
/** Air in the bowel or stomach: a component with more than MAX_GAS_SHARE of its voxels below GAS_HU is gas, not lung. */
const GAS_HU = -950;
const MAX_GAS_SHARE = 0.5;

/** Dense masks of the two lungs and of the airway removed from them (empty when no trachea was found). */
export interface LungMasks {
  readonly lungL: Uint8Array;
  readonly lungR: Uint8Array;
  readonly airway: Uint8Array;
}

/** Runs the lung rules (module comment) on a CT in HU with its External. */
export function lungMasks(ct: Volume, external: Uint8Array, options: LungRuleOptions = {}): LungMasks {
  const [nx, ny, nz] = ct.dimensions;
  const n = nx * ny * nz;
  const hu = ct.data;
  const lungHu = options.lungHu ?? -400;
  const airway = findAirway(hu, ct, external, options.airwayHu ?? -900) ?? new Uint8Array(n);
  const lungL = new Uint8Array(n);
  const lungR = new Uint8Array(n);
  // Everything below works inside the box of the air in the body (grown by the rim's voxel): a third of a
  // chest CT's grid, which is most of what keeps the rules within a few seconds.
  const box = airBox(hu, external, ct.dimensions, lungHu, 2);
  if (!box) return { lungL, lungR, airway };
  const [bx, by, bz] = box.size;
  const m = bx * by * bz;
  type Rows = Uint8Array | Float32Array;
  const crop = <T extends Rows>(src: Volume['data'], out: T): T => {
    for (let k = 0, o = 0; k < bz; k++) {
      for (let j = 0; j < by; j++, o += bx) {
        const from = ((box.min[2] + k) * ny + box.min[1] + j) * nx + box.min[0];
        out.set(src.subarray(from, from + bx), o);
      }
    }
    return out;
  };
  const inBox = lungsInBox(
    {
      hu: crop(hu, new Float32Array(m)),
      external: crop(external, new Uint8Array(m)),
      airway: crop(airway, new Uint8Array(m)),
      exclude: options.exclude && crop(options.exclude, new Uint8Array(m)),
      dims: box.size,
      spacing: ct.spacing,
      xSign: ct.direction[0] >= 0 ? 1 : -1,
      superiorUp: ct.direction[8] >= 0,
    },
    options,
  );
  for (let k = 0, o = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      const to = ((box.min[2] + k) * ny + box.min[1] + j) * nx + box.min[0];
      lungL.set(inBox.lungL.subarray(o, o + bx), to);
      lungR.set(inBox.lungR.subarray(o, o + bx), to);
      o += bx;
    }
  }
  return { lungL, lungR, airway };
}

/** The bounding box of the voxels inside the External below `hu` HU, grown by `margin` voxels in-plane and 1 slice, or null. */
function airBox(hu: Volume['data'], external: Uint8Array, dims: Dims, below: number, margin: number): { min: Dims; size: Dims } | null {
  const [nx, ny, nz] = dims;
  let x0 = nx;
  let x1 = -1;
  let y0 = ny;
  let y1 = -1;
  let z0 = nz;
  let z1 = -1;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = (k * ny + j) * nx;
      const line = external.subarray(row, row + nx);
      const first = line.indexOf(1);
      if (first < 0) continue;
      const last = line.lastIndexOf(1);
      for (let i = first; i <= last; i++) {
        if (!line[i] || !(hu[row + i] < below)) continue;
        if (i < x0) x0 = i;
        if (i > x1) x1 = i;
        if (j < y0) y0 = j;
        if (j > y1) y1 = j;
        if (k < z0) z0 = k;
        z1 = k;
      }
    }
  }
  if (x1 < 0) return null;
  const min: Dims = [Math.max(0, x0 - margin), Math.max(0, y0 - margin), Math.max(0, z0 - 1)];
  const max: Dims = [Math.min(nx - 1, x1 + margin), Math.min(ny - 1, y1 + margin), Math.min(nz - 1, z1 + 1)];
  return { min, size: [max[0] - min[0] + 1, max[1] - min[1] + 1, max[2] - min[2] + 1] };
}

/** The inputs of the lung rules on a box of the grid. */
interface BoxInput {
  readonly hu: Float32Array;
  readonly external: Uint8Array;
  readonly airway: Uint8Array;
  readonly exclude?: Uint8Array;
  readonly dims: Dims;
  readonly spacing: readonly number[];
  /** +1 when index i runs toward the patient's left. */
  readonly xSign: number;
  /** True when index k runs superior. */
  readonly superiorUp: boolean;
}

function lungsInBox(g: BoxInput, options: LungRuleOptions): { lungL: Uint8Array; lungR: Uint8Array } {
  const { hu, external, airway, dims } = g;
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const plane = nx * ny;
  const voxelCc = (g.spacing[0] * g.spacing[1] * g.spacing[2]) / 1000;
  const lungHu = options.lungHu ?? -400;
  const rimHu = options.rimHu ?? -200;
  const denseHu = options.denseHu ?? 150;
  const tmp = new Uint8Array(plane);

  // 1. Aerated lung without the airway and its one-voxel wall (−900…−400 HU partial volume, not lung).
  const notLung = new Uint8Array(n);
  for (let k = 0; k < nz; k++) {
    const a = airway.subarray(k * plane, (k + 1) * plane);
    if (a.indexOf(1) >= 0) dilate2d(a, notLung.subarray(k * plane, (k + 1) * plane), nx, ny, 1, 1, tmp);
  }
  if (g.exclude) for (let o = 0; o < n; o++) notLung[o] |= g.exclude[o];
  const low = new Uint8Array(n);
  for (let o = 0; o < n; o++) low[o] = external[o] && hu[o] < lungHu && !notLung[o] ? 1 : 0;
  const comps = runComponents(low, dims);
  // Gas in the stomach or bowel is air, most of it below −950 HU; lung, even emphysematous, is mostly above.
  const gas = new Float64Array(comps.count);
  for (let r = 0; r < comps.start.length; r++) {
    const base = comps.row[r] * nx;
    for (let o = base + comps.start[r]; o <= base + comps.end[r]; o++) if (hu[o] < GAS_HU) gas[comps.component[r]]++;
  }
  const lungLike = (id: number) => gas[id] <= MAX_GAS_SHARE * comps.sizes[id];
  const big: number[] = [];
  for (let id = 0; id < comps.count && big.length < 2 && comps.sizes[id] >= MIN_LUNG_CC / voxelCc; id++) if (lungLike(id)) big.push(id);
  let lungL: Uint8Array = new Uint8Array(n);
  let lungR: Uint8Array = new Uint8Array(n);
  if (big.length === 2 && comps.sizes[big[1]] > 0.15 * comps.sizes[big[0]]) {
    const leftOf = (id: number) => (g.xSign * comps.sumX[id]) / comps.sizes[id];
    const [left, right] = leftOf(big[0]) > leftOf(big[1]) ? big : [big[1], big[0]];
    const side = sidePieces(comps, left, right, 5 / voxelCc, g.superiorUp, lungLike);
    paintComponents(comps, nx, n, (id) => side[id] === 1, lungL);
    paintComponents(comps, nx, n, (id) => side[id] === 2, lungR);
  } else if (big.length >= 1) {
    splitAtMidline(paintComponents(comps, nx, n, (id) => id === big[0]), lungL, lungR, dims, g.xSign);
  }

  // 2. Partial-volume rim: a voxel below rimHu with an in-plane neighbour (8) in a lung joins it; decided from
  // the aerated masks (added voxels marked 2, not read as lung) so that neither lung grows into the other's rim.
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = (k * ny + j) * nx;
      for (let i = 0; i < nx; i++) {
        const o = row + i;
        if (lungL[o] || lungR[o] || notLung[o] || !external[o] || !(hu[o] < rimHu)) continue;
        let l = false;
        let r = false;
        for (let dj = j > 0 ? -1 : 0; dj <= (j < ny - 1 ? 1 : 0); dj++) {
          for (let di = i > 0 ? -1 : 0; di <= (i < nx - 1 ? 1 : 0); di++) {
            const q = o + dj * nx + di;
            if (lungL[q] === 1) l = true;
            else if (lungR[q] === 1) r = true;
          }
        }
        if (l) lungL[o] = 2;
        else if (r) lungR[o] = 2;
      }
    }
  }
  for (let o = 0; o < n; o++) {
    if (lungL[o]) lungL[o] = 1;
    if (lungR[o]) lungR[o] = 1;
  }

  // 3. Envelope bridge: dense columns between lung above and below, outside the hilum, in sizeable pieces.
  const maxGap = Math.floor((options.bridgeMm ?? 30) / g.spacing[2] + 1e-9);
  if (maxGap > 0) {
    const hilum = hilarZone(airway, dims, g.spacing, options.hilumMm ?? 25);
    const bridgeable = new Uint8Array(n);
    for (let o = 0; o < n; o++) bridgeable[o] = external[o] && hu[o] < denseHu && !notLung[o] && !hilum[o] ? 1 : 0;
    const minPiece = (options.bridgeMinCc ?? 15) / voxelCc;
    for (const [lung, other] of [[lungL, lungR], [lungR, lungL]] as const) {
      const gaps = verticalGaps(lung, bridgeable, other, dims, maxGap);
      const pieces = runComponents(gaps, dims);
      paintComponents(pieces, nx, n, (id) => pieces.sizes[id] >= minPiece, lung);
    }
  }

  // 4. Holes per slice, inside the External, no overlap, and 5. nothing the caller marked.
  lungL = fillHoles2d(lungL, nx, ny, nz);
  lungR = fillHoles2d(lungR, nx, ny, nz);
  const exclude = g.exclude;
  for (let o = 0; o < n; o++) {
    const keep = external[o] && !(exclude && exclude[o]);
    lungL[o] = keep && lungL[o] ? 1 : 0;
    lungR[o] = keep && lungR[o] && !lungL[o] ? 1 : 0;
  }
  return { lungL, lungR };
}

/**
 * The hilum as the box neighbourhood (± `mm` along each axis) of the airway found: vessels and lymph nodes
 * around the main and lobar bronchi have lung above and below them, but clinical contours leave them out, and
 * central tumours sit there too.
 */
function hilarZone(airway: Uint8Array, dims: Dims, spacing: readonly number[], mm: number): Uint8Array {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const zone = new Uint8Array(airway.length);
  if (!(mm > 0)) return zone;
  const tmp = new Uint8Array(plane);
  const flat = new Uint8Array(airway.length);
  for (let k = 0; k < nz; k++) {
    const a = airway.subarray(k * plane, (k + 1) * plane);
    if (a.indexOf(1) >= 0) dilate2d(a, flat.subarray(k * plane, (k + 1) * plane), nx, ny, Math.round(mm / spacing[0]), Math.round(mm / spacing[1]), tmp);
  }
  // Along the slice axis: inside when the nearest flat-zone slice of the same column is within rz slices,
  // from one pass up and one down (slices since the last one seen, per column).
  const rz = Math.round(mm / spacing[2]);
  const since = new Int32Array(plane);
  for (const down of [false, true]) {
    since.fill(rz + 1);
    for (let step = 0; step < nz; step++) {
      const base = (down ? nz - 1 - step : step) * plane;
      for (let p = 0; p < plane; p++) {
        since[p] = flat[base + p] ? 0 : since[p] + 1;
        if (since[p] <= rz) zone[base + p] = 1;
      }
    }
  }
  return zone;
}

/**
 * Which lung each aerated component belongs to: 1 left, 2 right, 0 neither. `left` and `right` are the two
 * lungs. A smaller lung-like piece (≥ `minVoxels`) belongs to a lung when its centroid lies within that lung's
 * left–right extent and only that one's, and in the upper half of the lungs' cranio-caudal span: an apex cut off
 * by a dense band (scar, pleural thickening, a collapsed segment) at −400 HU is lung, while gas in the stomach
 * or colon lies under the lung bases and the oesophagus and trachea lie between the lungs.
 */
function sidePieces(c: RunComponents, left: number, right: number, minVoxels: number, superiorUp: boolean, lungLike: (id: number) => boolean): Uint8Array {
  const side = new Uint8Array(c.count);
  side[left] = 1;
  side[right] = 2;
  const kOf = (id: number) => c.sumK[id] / c.sizes[id];
  const kMid = (c.sumK[left] + c.sumK[right]) / (c.sizes[left] + c.sizes[right]);
  for (let id = 0; id < c.count && c.sizes[id] >= minVoxels; id++) {
    if (id === left || id === right || !lungLike(id)) continue;
    if (superiorUp ? kOf(id) <= kMid : kOf(id) >= kMid) continue;
    const x = c.sumX[id] / c.sizes[id];
    const inL = x >= c.minX[left] && x <= c.maxX[left];
    const inR = x >= c.minX[right] && x <= c.maxX[right];
    if (inL !== inR) side[id] = inL ? 1 : 2;
  }
  return side;
}

/** Splits one lung mask into left (+x) and right per slice at the column with least lung near the middle. */
function splitAtMidline(lungs: Uint8Array, left: Uint8Array, right: Uint8Array, dims: Dims, xSign: number): void {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const cols = new Int32Array(nx);
  for (let k = 0; k < nz; k++) {
    cols.fill(0);
    let lo = nx;
    let hi = -1;
    const base = k * plane;
    for (let p = 0; p < plane; p++) {
      if (!lungs[base + p]) continue;
      const x = p % nx;
      cols[x]++;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (hi < 0) continue;
    let cut = Math.floor((lo + hi) / 2);
    let least = Infinity;
    const a = lo + Math.floor((hi - lo) / 3);
    const b = hi - Math.floor((hi - lo) / 3);
    for (let x = a; x <= b; x++) {
      if (cols[x] < least) {
        least = cols[x];
        cut = x;
      }
    }
    for (let p = 0; p < plane; p++) {
      const o = base + p;
      if (!lungs[o]) continue;
      const x = p % nx;
      const isLeft = xSign > 0 ? x > cut : x < cut;
      (isLeft ? left : right)[o] = 1;
    }
  }
}
