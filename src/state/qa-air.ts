/**
 * Contour in air, found from the CT itself rather than from an External structure: the part of a structure that
 * lies in the air around the patient. A structure set often has no External yet (it comes from the rules, or is
 * drawn last), and a brush stroke that drags a parotid off the skin should not pass the checks for that.
 *
 * Air around the patient, on one axial slice, is the air (below −500 HU) connected through air to the edge of
 * the slice (4-neighbours): lungs, airways and bowel gas are enclosed by tissue on the slice and are not. A voxel
 * of a structure counts as in air only with no tissue within {@link AIR_MARGIN_MM} of it in the slice: a contour
 * that follows the skin through its partial-volume voxels, or dips into the air between the ear and the head on
 * a 4 mm grid (as clinical parotid contours do on OpenKBP's resampled CTs), is not a contour in air. A CT's
 * padding — the value that fills the corners outside the reconstruction circle, or what a resampled data set
 * did not store, recognised as the CT's minimum when at least 1 % of its voxels hold exactly it — is no
 * evidence either way: it connects the air to the slice's edge, but a voxel of padding is never counted.
 * Browser-safe.
 */
import { type BinaryMask, type Structure, Volume } from '../domain/index.ts';

/** Below this HU a voxel is air. */
export const AIR_HU = -500;
/** A voxel in air counts only with no tissue (≥ AIR_HU) this close in its slice (mm). */
export const AIR_MARGIN_MM = 5;

/** Interpreted types that may hold air inside the patient, or lie outside the patient, by nature. */
const AIR_OR_OUTSIDE_TYPES = new Set(['EXTERNAL', 'SUPPORT', 'FIXATION', 'BOLUS', 'CAVITY', 'MARKER', 'REGISTRATION', 'ISOCENTER']);

/**
 * Lungs and airways (TG-263: Lung_L, Lungs, Trachea, Bronchus, Larynx, Pharynx, Cavity_Oral, Sinus_…, and
 * clinical spellings of them): their air opens to the outside through the mouth and nose on some slices.
 */
const AIR_ANATOMY = /lung|trache|bronch|airway|laryn|pharyn|cavity|oral|nasal|sinus/i;
const EXTERNAL_NAME = /^(external|body|patient|skin|outline)$/i;

/**
 * True when a structure is not checked for contour in air: its RT ROI Interpreted Type or its name (or standard
 * name) says it holds air or lies outside the patient — External-like, support, fixation, bolus, cavity,
 * markers, lungs and airways.
 */
export function exemptFromAirCheck(s: Pick<Structure, 'name' | 'interpretedType'> & { readonly standardName?: string }): boolean {
  if (AIR_OR_OUTSIDE_TYPES.has(s.interpretedType)) return true;
  return [s.name, s.standardName ?? ''].some((n) => EXTERNAL_NAME.test(n.trim()) || AIR_ANATOMY.test(n));
}

/** The voxels of a structure in air around the patient, with their slices and index sums (for a centroid). */
export interface InAirVoxels {
  readonly voxels: number;
  readonly slices: readonly number[];
  readonly sumI: number;
  readonly sumJ: number;
  readonly sumK: number;
}

/** What is worked out once per CT: its padding value (or NaN) and, per slice, the air around the patient. */
interface CtAir {
  readonly padding: number;
  readonly slices: Map<number, Uint8Array>;
}
const cache = new WeakMap<Volume['data'], CtAir>();

/** True when `volume` carries CT numbers to look at. */
export function isCtVolume(volume: unknown): volume is Volume {
  return volume instanceof Volume && volume.modality === 'CT';
}

function ctAir(ct: Volume): CtAir {
  let entry = cache.get(ct.data);
  if (!entry) {
    const hu = ct.data;
    let min = Infinity;
    for (let o = 0; o < hu.length; o++) if (hu[o] < min) min = hu[o];
    let atMin = 0;
    for (let o = 0; o < hu.length; o++) if (hu[o] === min) atMin++;
    entry = { padding: atMin >= 0.01 * hu.length ? min : NaN, slices: new Map() };
    cache.set(ct.data, entry);
  }
  return entry;
}

/** The air around the patient on slice k (1 = air, padding included, connected to the slice's edge). */
function outsideAir(ct: Volume, air: CtAir, k: number): Uint8Array {
  let out = air.slices.get(k);
  if (out) return out;
  const [nx, ny] = ct.dimensions;
  const plane = nx * ny;
  const hu = ct.data;
  const base = k * plane;
  const o = new Uint8Array(plane);
  const stack = new Int32Array(plane);
  let top = 0;
  const seed = (p: number) => {
    if (!o[p] && hu[base + p] < AIR_HU) {
      o[p] = 1;
      stack[top++] = p;
    }
  };
  for (let x = 0; x < nx; x++) {
    seed(x);
    seed((ny - 1) * nx + x);
  }
  for (let y = 0; y < ny; y++) {
    seed(y * nx);
    seed(y * nx + nx - 1);
  }
  while (top > 0) {
    const p = stack[--top];
    const x = p % nx;
    if (x > 0) seed(p - 1);
    if (x < nx - 1) seed(p + 1);
    if (p >= nx) seed(p - nx);
    if (p < plane - nx) seed(p + nx);
  }
  out = o;
  air.slices.set(k, out);
  return out;
}

/**
 * The voxels of `mask` in air around the patient on the CT (module comment), only those inside `within` when
 * given (the External: what lies outside it the outside-External check reports already). Only slices where the
 * structure has air voxels are looked at.
 */
export function inAirVoxels(mask: BinaryMask, ct: Volume, within: BinaryMask | undefined, signal?: AbortSignal): InAirVoxels {
  const result = { voxels: 0, slices: [] as number[], sumI: 0, sumJ: 0, sumK: 0 };
  const box = mask.bounds();
  if (!box) return result;
  const [nx, ny] = ct.dimensions;
  const plane = nx * ny;
  const hu = ct.data;
  const air = ctAir(ct);
  const rx = Math.ceil(AIR_MARGIN_MM / ct.spacing[0]);
  const ry = Math.ceil(AIR_MARGIN_MM / ct.spacing[1]);
  const buf = new Uint8Array(plane);
  const ext = within ? new Uint8Array(plane) : null;
  for (let k = box.min[2]; k <= box.max[2]; k++) {
    signal?.throwIfAborted();
    mask.readAxial(k, buf);
    const base = k * plane;
    let outside: Uint8Array | null = null;
    let onSlice = 0;
    if (ext) within!.readAxial(k, ext);
    for (let j = box.min[1]; j <= box.max[1]; j++) {
      for (let i = box.min[0]; i <= box.max[0]; i++) {
        const p = j * nx + i;
        const v = hu[base + p];
        if (!buf[p] || !(v < AIR_HU) || v === air.padding || (ext && !ext[p])) continue;
        outside ??= outsideAir(ct, air, k);
        if (!outside[p] || tissueNear(hu, base, nx, ny, i, j, rx, ry)) continue;
        onSlice++;
        result.sumI += i;
        result.sumJ += j;
        result.sumK += k;
      }
    }
    if (onSlice) {
      result.voxels += onSlice;
      result.slices.push(k);
    }
  }
  return result;
}

/** True when a voxel at or above AIR_HU lies within ±rx, ±ry of (i, j) on the slice starting at `base`. */
function tissueNear(hu: Volume['data'], base: number, nx: number, ny: number, i: number, j: number, rx: number, ry: number): boolean {
  for (let jj = Math.max(0, j - ry); jj <= Math.min(ny - 1, j + ry); jj++) {
    const row = base + jj * nx;
    for (let ii = Math.max(0, i - rx); ii <= Math.min(nx - 1, i + rx); ii++) if (!(hu[row + ii] < AIR_HU)) return true;
  }
  return false;
}
