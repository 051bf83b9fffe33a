/**
 * Turns the slices of one DICOM series into one regular grid: the geometry decisions of the loader,
 * kept pure (no DICOM parsing, no pixels) so each real-world defect is unit-tested on its own.
 *
 * The decisions, each made explicit by a warning or a typed error:
 * - Order: slices are sorted by their distance along the slice normal (row × column cosines), never by
 *   file name or InstanceNumber, and k increases along the normal.
 * - Mixed grids (orientation, size or pixel spacing differing inside one series, e.g. a localizer
 *   filed with the axial images): the largest consistent group is kept, the others are dropped with a
 *   warning; a tie is an error because there is no safe choice.
 * - Duplicate positions: the same SOP instance twice is dropped with a warning; two different images at
 *   one position (e.g. two phases of a 4D CT filed as one series) is an error.
 * - Gantry tilt: slices whose origins step off the normal give a sheared grid (the k axis follows the
 *   actual stacking direction), so every voxel keeps its true patient position; a warning says so.
 * - Positions that do not lie on one straight stacking line are an error (no affine grid fits them).
 * - Slice spacing is taken from positions only, never from SliceThickness (a warning notes overlapping
 *   or gapped reconstructions where the two differ).
 * - Missing slices and non-uniform spacing: what a clinical viewer does (3D Slicer, Horos) is load and
 *   warn. Our Volume needs a uniform grid, so the stack is placed on a grid at the smallest acquired
 *   pitch; acquired slices that fall on a plane are copied unchanged, the other planes are linearly
 *   interpolated between their two neighbours and listed, and a warning names the files on each side of
 *   each gap. A gap wider than `maxGapPitches` pitches is refused: interpolating across it would invent
 *   anatomy. `irregularSpacing: 'reject'` refuses any irregular stack instead.
 */
import { cross, dot, fromAxes, norm, normalize, sub, type ImageGeometry, type Vec3 } from '../../domain/geometry.ts';
import { DicomLoadError, type LoadWarning } from '../errors.ts';

/** One slice (one frame of one file) as the planner sees it. */
export interface PlannedSlice {
  /** The file, for messages (a multi-frame file adds " frame N"). */
  readonly file: string;
  /** SOP Instance UID, to recognise the same image loaded twice. */
  readonly sopInstanceUid: string;
  readonly position: Vec3;
  readonly orientation: readonly number[];
  /** [row spacing (along j), column spacing (along i)], mm. */
  readonly pixelSpacing: readonly [number, number];
  readonly rows: number;
  readonly columns: number;
  readonly sliceThickness?: number;
  /** GantryDetectorTilt (0018,1120), degrees, for the tilt warning. */
  readonly gantryTilt?: number;
}

/** How an output plane k is filled. */
export type PlaneSource = { readonly slice: number } | { readonly between: readonly [number, number]; readonly weight: number };

/** The plan for one volume: its grid and, per plane, which slice (index into the input) fills it. */
export interface StackPlan {
  readonly geometry: ImageGeometry;
  /** One entry per plane k. `slice` indexes the input array; `between` interpolates (1−w)·a + w·b. */
  readonly planes: readonly PlaneSource[];
  /** Input slices used (others were dropped with a warning). */
  readonly used: readonly number[];
  /** Planes filled by interpolation. */
  readonly interpolatedPlanes: readonly number[];
  /** Angle between the stacking direction and the slice normal, degrees (0 unless gantry-tilted). */
  readonly tiltDegrees: number;
  readonly warnings: readonly LoadWarning[];
}

/** Options of {@link planStack}. */
export interface PlanOptions {
  /** 'resample' (default): regularise missing slices / irregular spacing by interpolation with a warning; 'reject': throw. */
  readonly irregularSpacing?: 'resample' | 'reject';
  /** Largest gap, in pitches, that may be bridged by interpolation (default 5). */
  readonly maxGapPitches?: number;
}

// Tolerances. Scanners write positions to ~1e-3 mm and cosines to ~1e-6; these leave room for that
// rounding while catching real differences.
const ORIENTATION_TOL = 1e-3; // per cosine component
const SPACING_REL_TOL = 1e-3; // pixel spacing, relative
const DUPLICATE_TOL_MM = 1e-2; // two slices closer than this along the normal are one position
const PITCH_REL_TOL = 0.01; // gaps within 1 % of the median are "uniform"
const PITCH_ABS_TOL_MM = 0.01;
const TILT_TOL_MM = 0.01; // in-plane drift over the whole stack below this is rounding, not tilt
const LINE_TOL_FRACTION = 0.1; // of the smallest pixel spacing: off-line slice positions above this are an error

const fmt = (x: number, digits = 2) => (Math.abs(x) < 1e-9 ? '0' : x.toFixed(digits));
const fmtVec = (v: readonly number[]) => v.map((x) => fmt(x, 4)).join('\\');

/** Key of the grid a slice belongs to: size, pixel spacing, orientation. */
function sameGrid(a: PlannedSlice, b: PlannedSlice): 'same' | 'orientation' | 'size' {
  if (a.rows !== b.rows || a.columns !== b.columns) return 'size';
  for (let i = 0; i < 2; i++) if (Math.abs(a.pixelSpacing[i] - b.pixelSpacing[i]) > SPACING_REL_TOL * a.pixelSpacing[i]) return 'size';
  for (let i = 0; i < 6; i++) if (Math.abs(a.orientation[i] - b.orientation[i]) > ORIENTATION_TOL) return 'orientation';
  return 'same';
}

/**
 * Splits slices into groups sharing one grid (size, pixel spacing, orientation) and keeps the largest.
 * Returns the indices kept and warnings for the dropped ones; throws `mixed-orientation` when two
 * groups tie for largest, because picking one would be a guess.
 */
export function largestConsistentGroup(slices: readonly PlannedSlice[]): { kept: number[]; warnings: LoadWarning[] } {
  const groups: number[][] = [];
  for (let i = 0; i < slices.length; i++) {
    const g = groups.find((grp) => sameGrid(slices[grp[0]], slices[i]) === 'same');
    if (g) g.push(i);
    else groups.push([i]);
  }
  if (groups.length <= 1) return { kept: groups[0] ?? [], warnings: [] };
  groups.sort((a, b) => b.length - a.length);
  const describe = (g: number[]) => {
    const s = slices[g[0]];
    return `${g.length} image(s) of ${s.columns}×${s.rows} px, spacing ${fmtVec(s.pixelSpacing)} mm, orientation ${fmtVec(s.orientation)} (e.g. ${s.file})`;
  };
  if (groups[0].length === groups[1].length) {
    throw new DicomLoadError('mixed-orientation', `the series mixes images on different grids with no majority: ${groups.map(describe).join('; ')}. Export each orientation as its own series`, { file: slices[groups[1][0]].file });
  }
  const kept = groups[0];
  const warnings: LoadWarning[] = groups.slice(1).map((g) => {
    const kind = sameGrid(slices[kept[0]], slices[g[0]]);
    return {
      code: kind === 'orientation' ? 'mixed-orientation' : 'mixed-size',
      message: `dropped ${describe(g)}: they differ in ${kind === 'orientation' ? 'orientation' : 'size or pixel spacing'} from the ${kept.length} images that form the volume`,
      file: slices[g[0]].file,
    } satisfies LoadWarning;
  });
  return { kept, warnings };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Plans the volume grid of slices that share one grid (see {@link largestConsistentGroup}): sorts
 * them along the normal, removes repeated instances, measures tilt and spacing, and decides each
 * plane's source. See the module comment for the decisions; throws a DicomLoadError naming the
 * offending file(s) when no safe grid exists.
 */
export function planStack(slices: readonly PlannedSlice[], options: PlanOptions = {}): StackPlan {
  if (slices.length === 0) throw new DicomLoadError('inconsistent-geometry', 'no slices to stack');
  const warnings: LoadWarning[] = [];
  const first = slices[0];
  const row = normalize([first.orientation[0], first.orientation[1], first.orientation[2]]);
  const col = normalize([first.orientation[3], first.orientation[4], first.orientation[5]]);
  const normal = normalize(cross(row, col));
  const [rowSpacing, colSpacing] = first.pixelSpacing;

  // Sort by distance along the normal; ties broken by file name only to make the order deterministic.
  const order = slices.map((s, i) => ({ i, d: dot(s.position, normal) })).sort((a, b) => a.d - b.d || (slices[a.i].file < slices[b.i].file ? -1 : 1));
  const kept: { i: number; d: number }[] = [];
  for (const o of order) {
    const prev = kept[kept.length - 1];
    if (prev && Math.abs(o.d - prev.d) < DUPLICATE_TOL_MM) {
      const a = slices[prev.i];
      const b = slices[o.i];
      if (a.sopInstanceUid && a.sopInstanceUid === b.sopInstanceUid) {
        warnings.push({ code: 'duplicate-instance', message: `the same image (SOP Instance UID ${b.sopInstanceUid}) is present twice; ${b.file} was ignored, ${a.file} used`, file: b.file });
        continue;
      }
      throw new DicomLoadError('duplicate-slice-position', `${a.file} and ${b.file} are two different images at the same position (${fmt(o.d, 3)} mm along the slice normal); the series may mix several acquisitions or phases. Load a folder with one of them only`, { file: b.file });
    }
    kept.push(o);
  }

  const n = kept.length;
  if (n === 1) {
    const only = slices[kept[0].i];
    const thickness = only.sliceThickness !== undefined && only.sliceThickness > 0 ? only.sliceThickness : 1;
    return {
      geometry: { dimensions: [only.columns, only.rows, 1], spacing: [colSpacing, rowSpacing, thickness], origin: only.position, direction: fromAxes(row, col, normal) },
      planes: [{ slice: kept[0].i }],
      used: [kept[0].i],
      interpolatedPlanes: [],
      tiltDegrees: 0,
      warnings,
    };
  }

  const d0 = kept[0].d;
  const span = kept[n - 1].d - d0;
  const p0 = slices[kept[0].i].position;
  const pN = slices[kept[n - 1].i].position;
  // Stacking vector per mm of normal distance; equals the normal unless the gantry was tilted.
  const stack: Vec3 = [(pN[0] - p0[0]) / span, (pN[1] - p0[1]) / span, (pN[2] - p0[2]) / span];
  const drift = norm(sub(stack, normal)) * span;
  const tilted = drift > TILT_TOL_MM;
  const kAxis = tilted ? normalize(stack) : normal;
  const stretch = tilted ? norm(stack) : 1; // mm along kAxis per mm along the normal
  const tiltDegrees = tilted ? (Math.acos(Math.min(1, dot(kAxis, normal))) * 180) / Math.PI : 0;

  // Every slice must sit on the stacking line through the first one.
  const lineTol = Math.max(0.01, LINE_TOL_FRACTION * Math.min(rowSpacing, colSpacing));
  for (const o of kept) {
    const t = o.d - d0;
    const p = slices[o.i].position;
    const expected: Vec3 = [p0[0] + stack[0] * t, p0[1] + stack[1] * t, p0[2] + stack[2] * t];
    const off = norm(sub(p, expected));
    if (off > lineTol) {
      throw new DicomLoadError('inconsistent-geometry', `the position of ${slices[o.i].file} (${fmtVec(p)}) is ${fmt(off)} mm off the line through the other slices; the images do not form one regular stack (mixed acquisitions or damaged ImagePositionPatient)`, { file: slices[o.i].file });
    }
  }
  if (tilted) {
    const tag = slices[kept[0].i];
    warnings.push({
      code: 'gantry-tilt',
      message: `the slices are stacked ${fmt(tiltDegrees)}° off their normal (gantry tilt${tag.gantryTilt !== undefined ? ` ${fmt(tag.gantryTilt)}°` : ''}); the volume keeps the true voxel positions on a sheared grid`,
      file: slices[kept[0].i].file,
    });
  }

  const gaps = kept.slice(1).map((o, x) => o.d - kept[x].d);
  const med = median(gaps);
  const tol = Math.max(PITCH_ABS_TOL_MM, PITCH_REL_TOL * med);
  const uniform = gaps.every((g) => Math.abs(g - med) <= tol);
  const thickness = slices[kept[0].i].sliceThickness;

  let planes: PlaneSource[];
  const interpolatedPlanes: number[] = [];
  let pitch: number;
  if (uniform) {
    pitch = span / (n - 1);
    planes = kept.map((o) => ({ slice: o.i }));
  } else {
    const minGap = Math.min(...gaps);
    const maxGapPitches = options.maxGapPitches ?? 5;
    const multiples = gaps.every((g) => Math.abs(g / minGap - Math.round(g / minGap)) * minGap <= tol);
    const code = multiples ? 'missing-slices' : 'non-uniform-spacing';
    const worst = gaps.indexOf(Math.max(...gaps));
    const describeGap = (x: number) => `${slices[kept[x].i].file} (${fmt(kept[x].d, 3)} mm) and ${slices[kept[x + 1].i].file} (${fmt(kept[x + 1].d, 3)} mm)`;
    if (minGap < 0.2 * med) {
      throw new DicomLoadError('inconsistent-geometry', `slices ${describeGap(gaps.indexOf(minGap))} are only ${fmt(minGap, 3)} mm apart while the usual pitch is ${fmt(med, 3)} mm; the series mixes stacks`, { file: slices[kept[gaps.indexOf(minGap) + 1].i].file });
    }
    if (gaps[worst] > maxGapPitches * minGap + tol) {
      throw new DicomLoadError('missing-slices', `there is a ${fmt(gaps[worst])} mm gap with no image between ${describeGap(worst)} (the pitch is ${fmt(minGap)} mm, about ${Math.round(gaps[worst] / minGap) - 1} slices missing); too much to interpolate safely. Export the complete series again`, { file: slices[kept[worst + 1].i].file });
    }
    if (options.irregularSpacing === 'reject') {
      throw new DicomLoadError(code, multiples ? `slices are missing between ${describeGap(worst)} (pitch ${fmt(minGap)} mm)` : `the slice spacing varies from ${fmt(minGap)} to ${fmt(gaps[worst])} mm (e.g. between ${describeGap(worst)})`, { file: slices[kept[worst + 1].i].file });
    }
    const count = Math.round(span / minGap) + 1;
    pitch = span / (count - 1);
    planes = [];
    let a = 0; // kept index at or below the plane
    for (let k = 0; k < count; k++) {
      const dk = d0 + k * pitch;
      while (a < n - 2 && kept[a + 1].d <= dk + tol) a++;
      const lo = kept[a];
      const hi = kept[Math.min(a + 1, n - 1)];
      if (Math.abs(lo.d - dk) <= tol) planes.push({ slice: lo.i });
      else if (Math.abs(hi.d - dk) <= tol) planes.push({ slice: hi.i });
      else {
        planes.push({ between: [lo.i, hi.i], weight: (dk - lo.d) / (hi.d - lo.d) });
        interpolatedPlanes.push(k);
      }
    }
    for (let x = 0; x < gaps.length; x++) {
      if (Math.abs(gaps[x] - minGap) <= tol) continue;
      const missing = multiples ? Math.round(gaps[x] / minGap) - 1 : undefined;
      warnings.push({
        code,
        message: multiples
          ? `${missing} slice(s) missing between ${describeGap(x)}; the volume fills the gap by linear interpolation between them (pitch ${fmt(pitch, 3)} mm). Check the anatomy there before contouring`
          : `irregular slice spacing (${fmt(gaps[x], 3)} mm instead of ${fmt(minGap, 3)} mm) between ${describeGap(x)}; the volume is resampled to a uniform ${fmt(pitch, 3)} mm pitch by linear interpolation`,
        file: slices[kept[x + 1].i].file,
      });
    }
  }
  if (thickness !== undefined && thickness > 0 && Math.abs(thickness - pitch) > Math.max(0.01, 0.01 * pitch)) {
    warnings.push({
      code: 'thickness-differs-from-spacing',
      message: `SliceThickness is ${fmt(thickness, 3)} mm but the slices are ${fmt(pitch, 3)} mm apart (${thickness > pitch ? 'overlapping' : 'gapped'} reconstruction); the spacing from the positions is used`,
      file: slices[kept[0].i].file,
    });
  }
  return {
    geometry: {
      dimensions: [first.columns, first.rows, planes.length],
      spacing: [colSpacing, rowSpacing, pitch * stretch],
      origin: slices[kept[0].i].position,
      direction: fromAxes(row, col, kAxis),
    },
    planes,
    used: kept.map((o) => o.i),
    interpolatedPlanes,
    tiltDegrees,
    warnings,
  };
}
