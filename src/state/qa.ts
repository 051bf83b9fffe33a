/**
 * Automatic quality checks of a structure set, the findings a review panel lists next to each structure:
 * gaps between slices, stray islands, contour outside the External, contour in the air around the patient
 * (from the CT, with or without an External: ./qa-air.ts) and left/right mix-ups.
 *
 * Every check works per structure on run-length rows read one axial slice at a time inside the structure's
 * bounding box, never on a dense copy of the grid: an External on a 512×512×200 CT is scanned with one reused
 * slice buffer and a few hundred kilobytes of runs, where a dense crop plus a 32-bit label per voxel (what
 * `labelComponents` needs) would take 200 MB. Connected components are labelled on those runs with the same
 * 6-connectivity as `islands()` (src/domain/ops/components.ts), so the two always agree on the count.
 */
import {
  GridTransform,
  voxelVolumeMm3,
  type BinaryMask,
  type ImageGeometry,
  type IndexBox,
  type Structure,
  type Vec3,
} from '../domain/index.ts';
import { exemptFromAirCheck, inAirVoxels, isCtVolume } from './qa-air.ts';
import type { StructureSetStore } from './structure-set.store.ts';

/** Which check produced a finding. */
export type QaFindingKind = 'empty-slices' | 'islands' | 'outside-external' | 'in-air' | 'wrong-side';

/**
 * 'error': almost certainly wrong and consequential for planning (contour outside the body beyond 1 cc, a
 * lateral organ on the wrong side); 'warning': possibly intended, look at it (gaps, islands, a little contour
 * outside the body).
 */
export type QaSeverity = 'warning' | 'error';

interface QaFindingBase<K extends QaFindingKind, D> {
  readonly structureId: string;
  readonly structureName: string;
  readonly kind: K;
  readonly severity: QaSeverity;
  /** One sentence a clinician can act on, with distances in mm, volumes in cc and slice positions as z (mm). */
  readonly message: string;
  /** A patient position (LPS, mm) to jump to. */
  readonly location: Vec3;
  readonly detail: D;
}

/** Axial slices with no contour strictly between a structure's first and last contoured slice. */
export type EmptySlicesFinding = QaFindingBase<'empty-slices', { readonly slices: readonly number[]; readonly zMm: readonly number[] }>;
/** More than one 6-connected part. `volumesCc` lists every counted part, largest (the main part) first. */
export type IslandsFinding = QaFindingBase<'islands', { readonly count: number; readonly volumesCc: readonly number[] }>;
/** Voxels of a structure outside the External. */
export type OutsideExternalFinding = QaFindingBase<
  'outside-external',
  { readonly externalId: string; readonly voxels: number; readonly volumeCc: number }
>;
/** Voxels of a structure in the air around the patient (CT below −500 HU, connected to the air outside), within the External if there is one. */
export type InAirFinding = QaFindingBase<
  'in-air',
  { readonly voxels: number; readonly volumeCc: number; readonly slices: readonly number[]; readonly zMm: readonly number[] }
>;
/** A structure named for one side whose centroid lies on the other side of the midline. */
export type WrongSideFinding = QaFindingBase<
  'wrong-side',
  { readonly side: 'L' | 'R'; readonly centroid: Vec3; readonly midlineXMm: number; readonly distanceMm: number }
>;

export type QaFinding = EmptySlicesFinding | IslandsFinding | OutsideExternalFinding | InAirFinding | WrongSideFinding;

export interface QaOptions {
  /** Checked before each structure and each slice scanned; an aborted signal throws its reason (AbortError). */
  readonly signal?: AbortSignal;
  /** Check only these structures (default: all). The External is still used for outside/midline checks. */
  readonly structureIds?: readonly string[];
  /** Contour outside the External is reported above this volume (cc); default 0.05. */
  readonly outsideExternalMinCc?: number;
  /** … and is an error above this volume (cc); default 1. */
  readonly outsideExternalErrorCc?: number;
  /** Islands of the External itself are counted only above this volume (cc); default 1. */
  readonly externalIslandMinCc?: number;
  /** Contour in air is reported above this volume (cc); default 0.05, an error above 1 cc (as outside the External). */
  readonly inAirMinCc?: number;
}

/**
 * Contour outside the External is reported from 0.05 cc on: below that it is a few voxels (8 on a
 * 1.56 × 1.56 × 2.5 mm grid, 17 on 1 × 1 × 3 mm) along the skin, the jitter of two contours drawn or
 * rasterised independently, which nobody needs to act on. Above 1 cc it is an error: a visible piece of organ
 * or target in air (or on the couch) that changes dose statistics.
 */
export const QA_OUTSIDE_EXTERNAL_MIN_CC = 0.05;
export const QA_OUTSIDE_EXTERNAL_ERROR_CC = 1;
/**
 * Contour in the air around the patient: the same limits as outside the External, for the same reasons — a few
 * voxels are jitter along the skin (and only voxels with air all around them count), more than 1 cc is a piece
 * of organ or target in air.
 */
export const QA_IN_AIR_MIN_CC = 0.05;
export const QA_IN_AIR_ERROR_CC = 1;
/** The External is often legitimately in pieces (arms, fingers, a scrotum slice); only pieces above 1 cc count. */
export const QA_EXTERNAL_ISLAND_MIN_CC = 1;

/** Interpreted types that lie outside the body by nature and are not checked against the External. */
const OUTSIDE_BY_NATURE = new Set(['EXTERNAL', 'SUPPORT', 'FIXATION', 'BOLUS']);

const EXTERNAL_NAME = /^(external|body)$/i;

/**
 * The structure that is the External: the first with RT ROI Interpreted Type EXTERNAL, else the first named
 * External or BODY (any case). Undefined when there is none.
 */
export function findExternal<S extends Pick<Structure, 'name' | 'interpretedType'>>(structures: readonly S[]): S | undefined {
  return structures.find((s) => s.interpretedType === 'EXTERNAL') ?? structures.find((s) => EXTERNAL_NAME.test(s.name.trim()));
}

const isExternalLike = (s: Pick<Structure, 'name' | 'interpretedType'>): boolean => s.interpretedType === 'EXTERNAL' || EXTERNAL_NAME.test(s.name.trim());

/**
 * The side of the patient a structure name marks, or null: a TG-263 laterality token `_L`/`_R` (also `Lt`/`Rt`)
 * or the word Left/Right, as a whole token — tokens are separated by `_`, space, `-`, `.`, `+` and lower→upper
 * case changes (so 'Lung_L', 'Parotid Lt', 'LeftLung', 'OpticNrv_R_PRV03' have a side; 'Larynx', 'Lips',
 * 'Brainstem', 'L1' do not). A name that marks both sides ('Lungs_L+R') has none.
 */
export function nameSide(name: string): 'L' | 'R' | null {
  const tokens = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[_\s\-.+]+/)
    .map((t) => t.toLowerCase());
  const left = tokens.some((t) => t === 'l' || t === 'lt' || t === 'left');
  const right = tokens.some((t) => t === 'r' || t === 'rt' || t === 'right');
  return left === right ? null : left ? 'L' : 'R';
}

/** One 6-connected part of a mask: its voxel count and the sums of its voxel indices (for the centroid). */
interface Part {
  voxels: number;
  sumI: number;
  sumJ: number;
  sumK: number;
}

/** What one scan of a mask yields. */
interface MaskScan {
  readonly box: IndexBox;
  /** Voxels on each axial slice of the box (index z = k − box.min[2]). */
  readonly perSlice: Float64Array;
  readonly whole: Part;
  /** 6-connected parts, largest first (empty when not asked for). */
  readonly parts: Part[];
}

/**
 * Reads a mask slice by slice inside its bounding box as runs of inside voxels along i, and optionally labels
 * the runs' 6-connected components with union–find (two runs are face neighbours when they share an i on
 * adjacent rows of a slice or on the same row of adjacent slices).
 */
function scanMask(mask: BinaryMask, withParts: boolean, signal: AbortSignal | undefined): MaskScan | null {
  const box = mask.bounds();
  if (!box) return null;
  const [nx, ny] = mask.dimensions;
  const [i0, j0, k0] = box.min;
  const [i1, j1, k1] = box.max;
  const h = j1 - j0 + 1;
  const d = k1 - k0 + 1;
  const perSlice = new Float64Array(d);
  const whole: Part = { voxels: 0, sumI: 0, sumJ: 0, sumK: 0 };
  const rowStart = withParts ? new Int32Array(h * d + 1) : null;
  let starts = new Int32Array(withParts ? 1024 : 0);
  let ends = new Int32Array(starts.length);
  let n = 0;
  const buf = new Uint8Array(nx * ny);
  for (let z = 0; z < d; z++) {
    signal?.throwIfAborted();
    const k = k0 + z;
    mask.readAxial(k, buf);
    for (let y = 0; y < h; y++) {
      const j = j0 + y;
      if (rowStart) rowStart[z * h + y] = n;
      const row = j * nx;
      const last = row + i1;
      let o = row + i0;
      while (o <= last) {
        const s = buf.indexOf(1, o);
        if (s < 0 || s > last) break;
        let e = buf.indexOf(0, s);
        if (e < 0 || e > last + 1) e = last + 1;
        const len = e - s;
        const sumI = ((s - row + (e - 1 - row)) * len) / 2;
        perSlice[z] += len;
        whole.voxels += len;
        whole.sumI += sumI;
        whole.sumJ += j * len;
        whole.sumK += k * len;
        if (withParts) {
          if (n === starts.length) {
            const grow = (a: Int32Array) => {
              const b = new Int32Array(a.length * 2);
              b.set(a);
              return b;
            };
            starts = grow(starts);
            ends = grow(ends);
          }
          starts[n] = s - row;
          ends[n] = e - 1 - row;
          n++;
        }
        o = e;
      }
    }
  }
  if (!rowStart) return { box, perSlice, whole, parts: [] };
  rowStart[h * d] = n;
  const parent = new Int32Array(n);
  for (let r = 0; r < n; r++) parent[r] = r;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const joinRows = (a: number, b: number) => {
    let p = rowStart[a];
    let q = rowStart[b];
    const pe = rowStart[a + 1];
    const qe = rowStart[b + 1];
    while (p < pe && q < qe) {
      if (ends[p] < starts[q]) p++;
      else if (ends[q] < starts[p]) q++;
      else {
        const ra = find(p);
        const rb = find(q);
        if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
        if (ends[p] < ends[q]) p++;
        else q++;
      }
    }
  };
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      const r = z * h + y;
      if (y > 0) joinRows(r, r - 1);
      if (z > 0) joinRows(r, r - h);
    }
  }
  const byRoot = new Map<number, Part>();
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      const r = z * h + y;
      for (let p = rowStart[r]; p < rowStart[r + 1]; p++) {
        const root = find(p);
        let part = byRoot.get(root);
        if (!part) byRoot.set(root, (part = { voxels: 0, sumI: 0, sumJ: 0, sumK: 0 }));
        const len = ends[p] - starts[p] + 1;
        part.voxels += len;
        part.sumI += ((starts[p] + ends[p]) * len) / 2;
        part.sumJ += (j0 + y) * len;
        part.sumK += (k0 + z) * len;
      }
    }
  }
  const parts = [...byRoot.values()].sort((a, b) => b.voxels - a.voxels);
  return { box, perSlice, whole, parts };
}

const centroidIndex = (p: Part): Vec3 => [p.sumI / p.voxels, p.sumJ / p.voxels, p.sumK / p.voxels];

/** cc with the precision that keeps small volumes readable: 0.012 cc, 0.45 cc, 3.21 cc, 152.4 cc. */
const formatCc = (v: number): string => (v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toFixed(3));
const formatMm = (v: number): string => (Object.is(Math.round(v * 10) / 10, -0) ? '0.0' : v.toFixed(1));
/** "a, b, c unit", or "a, b, c unit and 4 more" beyond `max` values. */
const listOf = (values: readonly string[], unit: string, max = 5): string =>
  values.length <= max ? `${values.join(', ')} ${unit}` : `${values.slice(0, max).join(', ')} ${unit} and ${values.length - max} more`;

/**
 * Runs the automatic checks on every structure of a store (or `options.structureIds`) and returns the findings,
 * in structure-list order and, per structure, in the order wrong side, outside External, in air, islands, empty
 * slices. Empty structures are skipped. `volume` is the structure set's grid; when it is the CT itself (a CT
 * `Volume`, as a session holds), the in-air check runs too.
 *
 * - **empty-slices** (warning): axial slices (grid k) strictly between the first and last contoured slice that
 *   hold no voxel. Location: the centre of the structure's bounding box on the first empty slice; the message
 *   lists up to 5 slice positions z (mm) and the count.
 * - **islands** (warning): more than one 6-connected part. For the External only parts above
 *   `externalIslandMinCc` (1 cc) count. The message gives the count and the other parts' volumes; location:
 *   the centroid of the largest part after the main one.
 * - **outside-external** (warning above 0.05 cc, error above 1 cc; see {@link QA_OUTSIDE_EXTERNAL_MIN_CC}): the
 *   voxels of a structure outside the External ({@link findExternal}); skipped when there is no External, for
 *   External-like structures and for types outside the body by nature (SUPPORT, FIXATION, BOLUS). Location:
 *   the centroid of the outside part.
 * - **in-air** (warning above 0.05 cc, error above 1 cc; {@link QA_IN_AIR_MIN_CC}): voxels of the structure in the
 *   air around the patient on the CT (./qa-air.ts), with or without an External; with one, only those inside it
 *   (outside it, outside-external reports them). Skipped for structures whose type or name says they hold air
 *   or lie outside the patient ({@link exemptFromAirCheck}: External, support, bolus, cavity, markers, lungs,
 *   airways). The message names the slices (z, mm); location: the centroid of the voxels in air.
 * - **wrong-side** (error): a structure whose name marks a side ({@link nameSide}; the standard name when the
 *   name has none) with its centroid on the other side of the midline. LPS: +x is the patient's left; the
 *   midline is the plane x = the External's centroid x, or the volume centre's x without an External.
 *   Centroids are mean voxel centres mapped to patient coordinates through the full direction matrix.
 */
export function qaFindings(store: StructureSetStore, volume: ImageGeometry, options: QaOptions = {}): QaFinding[] {
  const geometry = store.geometry;
  if (volume.dimensions.some((n, a) => n !== geometry.dimensions[a])) {
    throw new RangeError(`the volume [${volume.dimensions.join('×')}] is not the structure set's grid [${geometry.dimensions.join('×')}]`);
  }
  const signal = options.signal;
  signal?.throwIfAborted();
  const minOutsideCc = options.outsideExternalMinCc ?? QA_OUTSIDE_EXTERNAL_MIN_CC;
  const errorOutsideCc = options.outsideExternalErrorCc ?? QA_OUTSIDE_EXTERNAL_ERROR_CC;
  const externalIslandCc = options.externalIslandMinCc ?? QA_EXTERNAL_ISLAND_MIN_CC;
  const minInAirCc = options.inAirMinCc ?? QA_IN_AIR_MIN_CC;
  const ct = isCtVolume(volume) ? volume : null;
  const transform = new GridTransform(volume);
  const voxelCc = voxelVolumeMm3(volume) / 1000;
  const toPatient = (index: Vec3): Vec3 => transform.toPatient(index);

  const records = store.state.structures;
  const wanted = options.structureIds ? new Set(options.structureIds) : null;
  const externalRecord = findExternal(records);
  const externalMask = externalRecord ? store.mask(externalRecord.id) : undefined;
  // The External is scanned once, and only when needed (its own checks, or a midline for a side-named structure).
  let externalScan: MaskScan | null | undefined;
  const scanExternal = (): MaskScan | null => (externalScan === undefined ? (externalScan = externalMask ? scanMask(externalMask, true, signal) : null) : externalScan);
  const [nx, ny, nz] = geometry.dimensions;
  let midline: number | undefined;
  const midlineX = (): number => {
    if (midline === undefined) {
      const e = scanExternal();
      midline = e ? toPatient(centroidIndex(e.whole))[0] : toPatient([(nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2])[0];
    }
    return midline;
  };

  const findings: QaFinding[] = [];
  for (const record of records) {
    if (wanted && !wanted.has(record.id)) continue;
    signal?.throwIfAborted();
    const s = record.id === externalRecord?.id ? scanExternal() : scanMask(store.mask(record.id), true, signal);
    if (!s) continue;
    const base = { structureId: record.id, structureName: record.name };
    const name = record.name;

    const side = nameSide(record.name) ?? (record.standardName ? nameSide(record.standardName) : null);
    if (side) {
      const centroid = toPatient(centroidIndex(s.whole));
      const mid = midlineX();
      const across = side === 'L' ? mid - centroid[0] : centroid[0] - mid;
      if (across > 0) {
        const marked = side === 'L' ? 'left' : 'right';
        const other = side === 'L' ? 'right' : 'left';
        findings.push({
          ...base,
          kind: 'wrong-side',
          severity: 'error',
          message: `${name} is named for the patient's ${marked} but its centre lies ${formatMm(across)} mm to the patient's ${other} of the midline (x = ${formatMm(mid)} mm): check the name and the contour.`,
          location: centroid,
          detail: { side, centroid, midlineXMm: mid, distanceMm: across },
        });
      }
    }

    if (externalRecord && externalMask && !isExternalLike(record) && !OUTSIDE_BY_NATURE.has(record.interpretedType)) {
      const outside = store.mask(record.id).clone().combine(externalMask, 'subtract');
      const voxels = outside.count();
      const cc = voxels * voxelCc;
      if (voxels > 0 && cc > minOutsideCc) {
        const o = scanMask(outside, false, signal)!;
        const location = toPatient(centroidIndex(o.whole));
        findings.push({
          ...base,
          kind: 'outside-external',
          severity: cc > errorOutsideCc ? 'error' : 'warning',
          message: `${name} has ${formatCc(cc)} cc outside ${externalRecord.name}, centred at z = ${formatMm(location[2])} mm: crop it to ${externalRecord.name} or correct the contour.`,
          location,
          detail: { externalId: externalRecord.id, voxels, volumeCc: cc },
        });
      }
    }

    if (ct && !isExternalLike(record) && !exemptFromAirCheck(record)) {
      const air = inAirVoxels(store.mask(record.id), ct, externalMask, signal);
      const cc = air.voxels * voxelCc;
      if (air.voxels > 0 && cc > minInAirCc) {
        const [ci, cj] = [air.sumI / air.voxels, air.sumJ / air.voxels];
        const location = toPatient([ci, cj, air.sumK / air.voxels]);
        const zMm = air.slices.map((k) => toPatient([ci, cj, k])[2]);
        findings.push({
          ...base,
          kind: 'in-air',
          severity: cc > QA_IN_AIR_ERROR_CC ? 'error' : 'warning',
          message: `${name} has ${formatCc(cc)} cc in the air around the patient (below −500 HU) on ${air.slices.length} slice${air.slices.length === 1 ? '' : 's'}, at z = ${listOf(zMm.map(formatMm), 'mm')}: correct the contour.`,
          location,
          detail: { voxels: air.voxels, volumeCc: cc, slices: air.slices, zMm },
        });
      }
    }

    const external = isExternalLike(record);
    const parts = s.parts.filter((p, n) => n === 0 || !external || p.voxels * voxelCc > externalIslandCc);
    if (parts.length > 1) {
      const volumesCc = parts.map((p) => p.voxels * voxelCc);
      const small = volumesCc.slice(1).map(formatCc);
      const location = toPatient(centroidIndex(parts[1]));
      findings.push({
        ...base,
        kind: 'islands',
        severity: 'warning',
        message: `${name} has ${parts.length} separate parts: besides the main one (${formatCc(volumesCc[0])} cc) ${
          parts.length === 2 ? `one of ${small[0]} cc` : `${parts.length - 1} of ${listOf(small, 'cc')}`
        }${external ? ` (parts up to ${formatCc(externalIslandCc)} cc not counted)` : ''}: remove ${parts.length === 2 ? 'it' : 'them'} unless intended.`,
        location,
        detail: { count: parts.length, volumesCc },
      });
    }

    const gaps: number[] = [];
    for (let z = 0; z < s.perSlice.length; z++) if (s.perSlice[z] === 0) gaps.push(s.box.min[2] + z);
    if (gaps.length) {
      const ci = (s.box.min[0] + s.box.max[0]) / 2;
      const cj = (s.box.min[1] + s.box.max[1]) / 2;
      const points = gaps.map((k) => toPatient([ci, cj, k]));
      const zMm = points.map((p) => p[2]);
      findings.push({
        ...base,
        kind: 'empty-slices',
        severity: 'warning',
        message: `${name} is empty on ${gaps.length} slice${gaps.length === 1 ? '' : 's'} between its first and last slice, at z = ${listOf(zMm.map(formatMm), 'mm')}: contour ${gaps.length === 1 ? 'it' : 'them'} unless the gap is intended.`,
        location: points[0],
        detail: { slices: gaps, zMm },
      });
    }
  }
  return findings;
}
