/**
 * Masks ↔ closed planar contours, the representation of an RT Structure Set (and of a slice view's outline).
 * Pure: no DICOM, no DOM. The RTSTRUCT writer and reader (src/io/dicom/rtstruct-*.ts) and the viewer use it.
 *
 * ## The contour convention: voxel-boundary polygons, rasterised by voxel centres with even-odd
 *
 * A voxel (i, j) of a slice is the square [i − ½, i + ½] × [j − ½, j + ½] in index space. A slice's contours
 * are the boundary between inside and outside voxels, traced along voxel edges, so every vertex sits on a
 * voxel corner (half-integer index coordinates) and every edge is axis-aligned in index space. Only corners
 * where the outline turns are kept: there are no collinear points.
 *
 * Why this and not marching squares through edge midpoints or a smoothed outline:
 * - Rasterising these polygons by voxel centres (a voxel is inside when its centre is inside) with the even-odd
 *   rule gives back exactly the mask: no centre lies on an edge, so there is no tie to break, and the answer
 *   does not depend on how a planning system treats boundary points. Planning systems rasterise by centre
 *   inclusion (plastimatch does; Eclipse and RayStation sample the polygon at their own grid's centres), so on
 *   the CT grid they recover what the clinician saw, voxel for voxel.
 * - The enclosed area equals the voxel count times the voxel area, so the structure volume a planning system
 *   computes from the polygons (area × slice spacing) equals ours. Midpoint marching squares cut every corner
 *   and lose about a quarter voxel per convex corner: a few percent of a small structure such as the cord.
 * - The price is a staircase outline on screen and more points than a smoothed contour: fine on a CT grid,
 *   and nothing is invented that the mask does not say.
 *
 * Holes and islands: each boundary curve is its own contour. Outer boundaries run counter-clockwise about the
 * slice normal (i × j, right-hand rule: positive signed area in (i, j)), holes clockwise. A reader that
 * combines a slice's contours with even-odd / XOR semantics (the DICOM convention that Eclipse, RayStation and
 * `plastimatch --xor-contours` follow) recovers holes and islands inside holes to any depth; a reader using the
 * non-zero winding rule does too, thanks to the orientation. A reader that ORs contours (plastimatch's default)
 * fills holes.
 *
 * Two inside voxels that touch only at a corner are traced as two contours meeting at that corner (the outline
 * turns left there), so every contour is a simple polygon that never crosses or touches itself.
 */
import { GridTransform, type ImageGeometry, type Vec3 } from './geometry.ts';
import { BinaryMask } from './mask.ts';

/** A closed contour in one slice, in that slice's index coordinates: x = i, y = j (voxel centres at integers). */
export interface SliceContour {
  /** Vertices as x, y pairs (index units); the last vertex connects back to the first. */
  readonly points: Float64Array;
  /** True for the boundary of a hole (clockwise about the slice normal); false for an outer boundary. */
  readonly hole: boolean;
}

/** An inclusive pixel box [x0, x1] × [y0, y1] of a slice. */
export interface PixelBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

// Directions of travel along voxel edges, counter-clockwise order in (x, y): a left turn is d + 1.
const DX = [1, 0, -1, 0]; // E, N(+y), W, S(−y)
const DY = [0, 1, 0, -1];
const NONE = 4;

// Two zeroed byte buffers reused across calls: a structure set traces thousands of slices, and allocating the
// padded copy and the edge marks afresh for each made the garbage collector a large share of an export.
const scratchBuffers = [new Uint8Array(0), new Uint8Array(0)];
function scratch(which: 0 | 1, length: number): Uint8Array {
  let b = scratchBuffers[which];
  if (b.length < length) scratchBuffers[which] = b = new Uint8Array(Math.max(length, b.length * 2));
  const view = b.subarray(0, length);
  view.fill(0);
  return view;
}

/**
 * Traces the voxel-boundary contours of one slice of a mask (see the module comment for the convention).
 * `slice` holds `width`·`height` bytes, x fastest, non-zero = inside. Only voxels inside `box` (default: the
 * whole slice) are considered; voxels outside it count as outside. Returns outer boundaries and holes with
 * vertices at voxel corners in the slice's index coordinates, no collinear vertices, outer boundaries
 * counter-clockwise and holes clockwise in (x, y). Each contour starts at its first corner in raster order.
 * `binary`: the slice holds only 0 and 1 (what BinaryMask.readAxial gives), so no pass maps other values to 1.
 */
export function maskSliceToContours(
  slice: ArrayLike<number>,
  width: number,
  height: number,
  box?: PixelBox,
  binary = false,
): SliceContour[] {
  if (slice.length < width * height)
    throw new RangeError(`slice has ${slice.length} values, ${width}×${height} needs ${width * height}`);
  const x0 = Math.max(0, box?.x0 ?? 0);
  const y0 = Math.max(0, box?.y0 ?? 0);
  const x1 = Math.min(width - 1, box?.x1 ?? width - 1);
  const y1 = Math.min(height - 1, box?.y1 ?? height - 1);
  if (x1 < x0 || y1 < y0) return [];
  // The box's pixels, 0/1, with a one-pixel border of outside around them: P[(py + 1)·pw + px + 1] = pixel
  // (px, py) of the box. Corner (cx, cy), cx ∈ [0, w], cy ∈ [0, h], sits at index position (x0 + cx − ½,
  // y0 + cy − ½); its four neighbouring voxels are A = P[cy·pw + cx], B = A + 1, C = A + pw, D = C + 1.
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const pw = w + 2;
  const P = scratch(0, pw * (h + 2));
  let any = false;
  if (slice instanceof Uint8Array) {
    // Bytes (what BinaryMask.readAxial gives): copy rows, then one pass maps non-zero to 1.
    for (let py = 0; py < h; py++) {
      const src = (y0 + py) * width + x0;
      P.set(slice.subarray(src, src + w), (py + 1) * pw + 1);
    }
    if (binary) any = true; // an empty slice simply has no edges for the scan below to find
    else {
      let or = 0;
      for (let p = pw; p < pw * (h + 1); p++) {
        const v = P[p];
        or |= v;
        if (v > 1) P[p] = 1;
      }
      any = or !== 0;
    }
  } else {
    for (let py = 0; py < h; py++) {
      const src = (y0 + py) * width + x0;
      const dst = (py + 1) * pw + 1;
      for (let px = 0; px < w; px++) {
        if (slice[src + px]) {
          P[dst + px] = 1;
          any = true;
        }
      }
    }
  }
  if (!any) return [];
  const cw = w + 1;
  // code bits: A = 1, B = 2, C = 4, D = 8. Zero and 15 are uniform corners with no boundary.
  const codeAt = (cx: number, cy: number): number => {
    const a = cy * pw + cx;
    return P[a] | (P[a + 1] << 1) | (P[a + pw] << 2) | (P[a + pw + 1] << 3);
  };
  // Outgoing edge(s) of a corner, keeping the inside on the left: E when D in and B out, N when C in and D out,
  // W when A in and C out, S when B in and A out. Saddles (A+D or B+C) have two; the rest exactly one.
  const used = scratch(1, cw * (h + 1)); // bit d set = outgoing edge d already traced
  const outgoing = (code: number): number => {
    if (code & 8 && !(code & 2)) return 0;
    if (code & 4 && !(code & 8)) return 1;
    if (code & 1 && !(code & 4)) return 2;
    if (code & 2 && !(code & 1)) return 3;
    return NONE;
  };
  const isSaddle = (code: number): boolean => code === 9 || code === 6;
  const contours: SliceContour[] = [];
  const corners: number[] = [];
  const emit = (loop: readonly number[]): void => {
    const n = loop.length;
    // Start every contour at its first corner in raster order (corner numbers grow with y, then x), so the
    // output does not depend on where tracing happened to begin.
    let first = 0;
    for (let v = 1; v < n; v++) if (loop[v] < loop[first]) first = v;
    const points = new Float64Array(2 * n);
    for (let v = 0; v < n; v++) {
      const corner = loop[(first + v) % n];
      points[2 * v] = x0 + (corner % cw) - 0.5;
      points[2 * v + 1] = y0 + Math.floor(corner / cw) - 0.5;
    }
    contours.push({ points, hole: signedArea(points) < 0 });
  };
  const trace = (cx: number, cy: number, startDir: number): void => {
    corners.length = 0;
    let px = cx;
    let py = cy;
    let dir = startDir;
    // Guard against a malformed loop: a curve has at most one edge per corner and direction.
    for (let steps = 0; steps <= 4 * cw * (h + 1); steps++) {
      used[py * cw + px] |= 1 << dir;
      px += DX[dir];
      py += DY[dir];
      const c = codeAt(px, py);
      // At a saddle turn left: the two diagonal inside voxels stay on separate curves (see module comment).
      const next = isSaddle(c) ? (dir + 1) & 3 : outgoing(c);
      if (next !== dir) corners.push(py * cw + px);
      if (px === cx && py === cy && next === startDir) break;
      dir = next;
    }
    splitAtRepeats(corners, emit);
  };
  // Every closed outline has vertical edges, and each lies between two horizontally adjacent pixels that differ:
  // scanning for those finds every outline (in raster order) without visiting the uniform corners.
  for (let py = 0; py < h; py++) {
    const row = (py + 1) * pw;
    for (let x = 0; x <= w; x++) {
      const left = P[row + x];
      if (left === P[row + x + 1]) continue;
      // Inside on the left of the edge: it runs N from corner (x, py); inside on the right: S from (x, py + 1).
      if (left) {
        if (!(used[py * cw + x] & 2)) trace(x, py, 1);
      } else if (!(used[(py + 1) * cw + x] & 8)) trace(x, py + 1, 3);
    }
  }
  return contours;
}

/**
 * Splits a closed vertex loop that passes through some vertex twice into simple loops and hands each to
 * `emit`. Rectilinear outlines can touch themselves only at saddle corners (a hole whose voxels touch
 * diagonally, a C-shape whose tips touch): the even-odd area depends only on the edges, not on how they are
 * grouped into loops, so splitting changes nothing for a reader while every contour written is simple. Each
 * piece keeps its orientation, so a pinched-off pocket of background comes out as a clockwise hole.
 */
function splitAtRepeats(loop: readonly number[], emit: (loop: readonly number[]) => void): void {
  const stack: number[] = [];
  const at = new Map<number, number>();
  for (const v of loop) {
    const seen = at.get(v);
    if (seen === undefined) {
      at.set(v, stack.length);
      stack.push(v);
      continue;
    }
    // The vertices after the first visit form a closed sub-loop through v.
    const piece = stack.splice(seen);
    for (const u of piece) at.delete(u);
    emit(piece);
    at.set(v, stack.length);
    stack.push(v);
  }
  if (stack.length) emit(stack);
}

/** Signed area (shoelace) of a closed polygon given as flat x, y pairs: positive when counter-clockwise in (x, y). */
export function signedArea(points: ArrayLike<number>): number {
  const n = points.length >> 1;
  let s = 0;
  for (let v = 0, u = n - 1; v < n; u = v++)
    s += points[2 * u] * points[2 * v + 1] - points[2 * v] * points[2 * u + 1];
  return s / 2;
}

/** What {@link rasterizeContours} reports besides the pixels. */
export interface RasterizeResult {
  /** The slice, `width`·`height` bytes, 1 inside. */
  readonly slice: Uint8Array;
  /** True when some contour reaches outside the slice (its part outside is dropped). */
  readonly clipped: boolean;
  /** Inclusive box of the pixels set, or null when none is. */
  readonly box: PixelBox | null;
}

/**
 * Rasterises the closed contours of one slice by voxel centres with the even-odd rule over all of them
 * together: a voxel (x, y) is inside when a ray from its centre crosses the slice's contours an odd number of
 * times. So a contour inside another is a hole, one inside a hole an island, and overlapping contours XOR,
 * as DICOM RT readers combine a slice's contours. Contours are flat x, y pairs in the slice's index
 * coordinates (voxel centres at integers) and need not be closed explicitly. Ties are broken half-open (a
 * centre exactly on the left end of an inside span is in, on the right end out; an edge counts for rows
 * min(y) ≤ row < max(y)), so two contours sharing an edge never both claim the voxels along it. Polygons
 * traced by {@link maskSliceToContours} have no ties at all. Writes into `out` when given (cleared first).
 */
export function rasterizeContours(
  contours: readonly ArrayLike<number>[],
  width: number,
  height: number,
  out?: Uint8Array,
): RasterizeResult {
  const slice = out ?? new Uint8Array(width * height);
  if (slice.length < width * height)
    throw new RangeError(`output has ${slice.length} bytes, ${width}×${height} needs ${width * height}`);
  slice.fill(0, 0, width * height);
  let clipped = false;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const c of contours) {
    for (let v = 0; v < c.length; v += 2) {
      const x = c[v];
      const y = c[v + 1];
      if (x < -0.5 || y < -0.5 || x > width - 0.5 || y > height - 0.5) clipped = true;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  }
  // Rows whose centre can be crossed: ceil(yMin) … floor(yMax), within the slice.
  const r0 = Math.max(0, Math.ceil(yMin));
  const r1 = Math.min(height - 1, Math.floor(yMax));
  if (!(r1 >= r0)) return { slice, clipped, box: null };
  const rows = r1 - r0 + 1;
  // Two passes over the edges (count, then fill) build per-row crossing lists in one flat array.
  const counts = new Int32Array(rows + 1);
  const forEachCrossing = (visit: (row: number, x: number) => void): void => {
    for (const c of contours) {
      const n = c.length >> 1;
      for (let v = 0, u = n - 1; v < n; u = v++) {
        const ax = c[2 * u];
        const ay = c[2 * u + 1];
        const bx = c[2 * v];
        const by = c[2 * v + 1];
        if (ay === by) continue; // horizontal edges never cross a row centre line transversally
        // Rows y with min ≤ y < max (half-open, so a vertex shared by two edges counts once).
        const lo = Math.max(r0, Math.ceil(Math.min(ay, by)));
        const hi = Math.min(r1, Math.ceil(Math.max(ay, by)) - 1);
        const slope = (bx - ax) / (by - ay);
        for (let y = lo; y <= hi; y++) visit(y - r0, ax + (y - ay) * slope);
      }
    }
  };
  forEachCrossing((row) => counts[row + 1]++);
  for (let r = 0; r < rows; r++) counts[r + 1] += counts[r];
  const xsAll = new Float64Array(counts[rows]);
  const fill = counts.slice(0, rows);
  forEachCrossing((row, x) => {
    xsAll[fill[row]++] = x;
  });
  let bx0 = Infinity;
  let bx1 = -Infinity;
  let by0 = Infinity;
  let by1 = -Infinity;
  for (let r = 0; r < rows; r++) {
    const a = counts[r];
    const b = counts[r + 1];
    if (b - a < 2) continue;
    const xs = xsAll.subarray(a, b).sort();
    const base = (r + r0) * width;
    for (let p = 0; p + 1 < xs.length; p += 2) {
      // Centres x with xs[p] ≤ x < xs[p+1].
      const i0 = Math.max(0, Math.ceil(xs[p]));
      const i1 = Math.min(width - 1, Math.ceil(xs[p + 1]) - 1);
      if (i1 < i0) continue;
      slice.fill(1, base + i0, base + i1 + 1);
      if (i0 < bx0) bx0 = i0;
      if (i1 > bx1) bx1 = i1;
      if (r + r0 < by0) by0 = r + r0;
      by1 = r + r0;
    }
  }
  return { slice, clipped, box: bx1 >= bx0 ? { x0: bx0, y0: by0, x1: bx1, y1: by1 } : null };
}

/**
 * Voxels of a slice where two of its contours partly overlap: each contour is rasterised alone (voxel centres),
 * and every pair that shares voxels without one containing the other counts its shared voxels. Nested contours
 * (holes, islands in holes) are not overlaps. Under the even-odd rule such voxels fall outside the structure,
 * while a reader that ORs contours includes them: callers report them as an ambiguity of the file. Contours
 * are flat x, y pairs in the slice's index coordinates.
 */
export function partialOverlapVoxels(
  contours: readonly ArrayLike<number>[],
  width: number,
  height: number,
): number {
  if (contours.length < 2) return 0;
  const boxes = contours.map((c) => {
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let v = 0; v < c.length; v += 2) {
      x0 = Math.min(x0, c[v]);
      x1 = Math.max(x1, c[v]);
      y0 = Math.min(y0, c[v + 1]);
      y1 = Math.max(y1, c[v + 1]);
    }
    // Centres that can be inside: ceil(min) … ceil(max) − 1 (half-open, as rasterizeContours), within the slice.
    return {
      x0: Math.max(0, Math.ceil(x0)),
      x1: Math.min(width - 1, Math.ceil(x1) - 1),
      y0: Math.max(0, Math.ceil(y0)),
      y1: Math.min(height - 1, Math.ceil(y1) - 1),
    };
  });
  const rasters: ({ slice: Uint8Array; w: number; count: number } | null)[] = contours.map(() => null);
  const raster = (n: number) => {
    let r = rasters[n];
    if (r) return r;
    const b = boxes[n];
    const w = Math.max(0, b.x1 - b.x0 + 1);
    const h = Math.max(0, b.y1 - b.y0 + 1);
    const c = contours[n];
    const shifted = new Float64Array(c.length);
    for (let v = 0; v < c.length; v += 2) {
      shifted[v] = c[v] - b.x0;
      shifted[v + 1] = c[v + 1] - b.y0;
    }
    const slice = w && h ? rasterizeContours([shifted], w, h).slice : new Uint8Array(0);
    let count = 0;
    for (let p = 0; p < slice.length; p++) count += slice[p];
    rasters[n] = r = { slice, w, count };
    return r;
  };
  let voxels = 0;
  for (let a = 0; a < contours.length; a++) {
    for (let b = a + 1; b < contours.length; b++) {
      const A = boxes[a];
      const B = boxes[b];
      const x0 = Math.max(A.x0, B.x0);
      const x1 = Math.min(A.x1, B.x1);
      const y0 = Math.max(A.y0, B.y0);
      const y1 = Math.min(A.y1, B.y1);
      if (x1 < x0 || y1 < y0) continue;
      const ra = raster(a);
      const rb = raster(b);
      let shared = 0;
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++)
          shared += ra.slice[(y - A.y0) * ra.w + x - A.x0] & rb.slice[(y - B.y0) * rb.w + x - B.x0];
      }
      if (shared > 0 && shared < Math.min(ra.count, rb.count)) voxels += shared;
    }
  }
  return voxels;
}

/** A closed planar contour of a structure in patient space, on slice plane k of its grid. */
export interface PlanarContour {
  /** The slice index whose plane holds the contour. */
  readonly k: number;
  /** Vertices as x, y, z triples in patient coordinates (LPS, mm). */
  readonly points: Float64Array;
  readonly hole: boolean;
}

/**
 * Patient coordinates (x, y, z triples, LPS mm) of a slice contour on plane k: each vertex through
 * patient = origin + D·diag(spacing)·(x, y, k). On an oblique grid the contour lies in the oblique slice plane;
 * on a gantry-tilted (sheared) grid it lies in the tilted image plane of slice k.
 */
export function sliceContourToPatient(
  points: ArrayLike<number>,
  k: number,
  transform: GridTransform,
): Float64Array {
  const n = points.length >> 1;
  const [a, b, c, d, e, f, g, h, i] = transform.linear;
  const [ox, oy, oz] = transform.origin;
  const out = new Float64Array(3 * n);
  const zx = ox + g * k;
  const zy = oy + h * k;
  const zz = oz + i * k;
  for (let v = 0; v < n; v++) {
    const x = points[2 * v];
    const y = points[2 * v + 1];
    out[3 * v] = zx + a * x + d * y;
    out[3 * v + 1] = zy + b * x + e * y;
    out[3 * v + 2] = zz + c * x + f * y;
  }
  return out;
}

/**
 * Every closed planar contour of a mask, slice by slice (k ascending), in patient coordinates: the voxel-boundary
 * polygons of {@link maskSliceToContours} mapped through the grid. Only slices the mask touches are visited,
 * and each only within the mask's bounding box. See {@link forEachSliceContours} to stream them instead.
 */
export function maskToPlanarContours(mask: BinaryMask, geometry: ImageGeometry): PlanarContour[] {
  const out: PlanarContour[] = [];
  forEachSliceContours(mask, geometry, (_k, contours) => {
    for (const c of contours) out.push(c);
  });
  return out;
}

/**
 * Calls `visit(k, contours)` for each slice k (ascending) where `mask` has voxels, with that slice's contours
 * in patient coordinates. The streaming form of {@link maskToPlanarContours}.
 */
export function forEachSliceContours(
  mask: BinaryMask,
  geometry: ImageGeometry,
  visit: (k: number, contours: PlanarContour[]) => void,
): void {
  if (mask.dimensions.some((n, a) => n !== geometry.dimensions[a])) {
    throw new RangeError(
      `mask [${mask.dimensions.join('×')}] is not on the grid [${geometry.dimensions.join('×')}]`,
    );
  }
  const bounds = mask.bounds();
  if (!bounds) return;
  const transform = new GridTransform(geometry);
  const [nx, ny] = mask.dimensions;
  const slice = new Uint8Array(nx * ny);
  const box: PixelBox = { x0: bounds.min[0], y0: bounds.min[1], x1: bounds.max[0], y1: bounds.max[1] };
  for (let k = bounds.min[2]; k <= bounds.max[2]; k++) {
    mask.readAxial(k, slice);
    const contours = maskSliceToContours(slice, nx, ny, box, true);
    if (contours.length === 0) continue;
    visit(
      k,
      contours.map((c) => ({ k, points: sliceContourToPatient(c.points, k, transform), hole: c.hole })),
    );
  }
}

/** Where a patient-space contour sits on a grid; see {@link placeContour}. */
export interface ContourPlacement {
  /** The nearest slice plane. */
  readonly k: number;
  /** Signed mean distance (mm) of the points from plane k along the slice normal. */
  readonly offsetMm: number;
  /** Largest minus smallest distance (mm) of the points from the slice plane: 0 for a planar, in-plane contour. */
  readonly spreadMm: number;
  /** The vertices in slice index coordinates (x = i, y = j, flat pairs), projected onto plane k. */
  readonly points: Float64Array;
}

/**
 * Places a patient-space contour (x, y, z triples, LPS mm) on a grid: its nearest slice plane k, how far its
 * points are from that plane along the normal (mean offset and spread, mm), and its vertices in the slice's
 * index coordinates. Works for oblique and sheared grids: the distance is measured along the slice normal
 * (i × j), in units of the distance between slice planes. k may lie outside [0, nz) for a contour off the grid.
 */
export function placeContour(points: ArrayLike<number>, transform: GridTransform): ContourPlacement {
  const n = Math.floor(points.length / 3);
  const [a, b, c, d, e, f, g, h, i] = transform.inverse;
  const [ox, oy, oz] = transform.origin;
  const idx = new Float64Array(2 * n);
  let kMin = Infinity;
  let kMax = -Infinity;
  let kSum = 0;
  for (let v = 0; v < n; v++) {
    const px = points[3 * v] - ox;
    const py = points[3 * v + 1] - oy;
    const pz = points[3 * v + 2] - oz;
    idx[2 * v] = a * px + d * py + g * pz;
    idx[2 * v + 1] = b * px + e * py + h * pz;
    const kk = c * px + f * py + i * pz;
    kSum += kk;
    if (kk < kMin) kMin = kk;
    if (kk > kMax) kMax = kk;
  }
  const kMean = kSum / n;
  const k = Math.round(kMean);
  const gap = slicePlaneDistance(transform);
  return { k, offsetMm: (kMean - k) * gap, spreadMm: (kMax - kMin) * gap, points: idx };
}

/**
 * Distance (mm) between adjacent slice planes: the k step projected on the slice normal i × j. Equal to the k
 * spacing on an orthogonal grid, smaller on a gantry-tilted (sheared) one.
 */
export function slicePlaneDistance(transform: GridTransform): number {
  const l = transform.linear;
  const ni: Vec3 = [l[1] * l[5] - l[2] * l[4], l[2] * l[3] - l[0] * l[5], l[0] * l[4] - l[1] * l[3]];
  const len = Math.hypot(ni[0], ni[1], ni[2]);
  return Math.abs(ni[0] * l[6] + ni[1] * l[7] + ni[2] * l[8]) / len;
}

/**
 * A mask from closed contours given per slice in index coordinates (see {@link rasterizeContours}): each
 * slice's contours are rasterised together with the even-odd rule. `contoursBySlice` maps k to that slice's
 * contours; slices outside the grid are ignored. Returns the mask and whether any contour was clipped by the
 * grid's edges.
 */
export function contoursToMask(
  dimensions: Vec3,
  contoursBySlice: ReadonlyMap<number, readonly ArrayLike<number>[]>,
): { mask: BinaryMask; clipped: boolean } {
  const [nx, ny, nz] = dimensions;
  const mask = new BinaryMask(dimensions);
  const slice = new Uint8Array(nx * ny);
  let clipped = false;
  for (const [k, contours] of contoursBySlice) {
    if (!Number.isInteger(k) || k < 0 || k >= nz || contours.length === 0) continue;
    const r = rasterizeContours(contours, nx, ny, slice);
    if (r.clipped) clipped = true;
    if (!r.box) continue;
    const { x0, y0, x1, y1 } = r.box;
    const w = x1 - x0 + 1;
    const region = new Uint8Array(w * (y1 - y0 + 1));
    for (let y = y0; y <= y1; y++) region.set(slice.subarray(y * nx + x0, y * nx + x1 + 1), (y - y0) * w);
    mask.writeAxialRegion(k, region, x0, y0, w, y1 - y0 + 1, false);
  }
  mask.compact();
  return { mask, clipped };
}

/** Area-weighted centroid of a closed polygon (u, v pairs). */
function centroid(points: ArrayLike<number>): [number, number] {
  const n = points.length >> 1;
  let cx = 0;
  let cy = 0;
  let a = 0;
  for (let v = 0, u = n - 1; v < n; u = v++) {
    const cross = points[2 * u]! * points[2 * v + 1]! - points[2 * v]! * points[2 * u + 1]!;
    a += cross;
    cx += (points[2 * u]! + points[2 * v]!) * cross;
    cy += (points[2 * u + 1]! + points[2 * v + 1]!) * cross;
  }
  return a === 0 ? [points[0]!, points[1]!] : [cx / (3 * a), cy / (3 * a)];
}

/** Distance (in the scaled units) from a point to the nearest edge of a closed polygon. */
function distanceToPolygon(px: number, py: number, poly: ArrayLike<number>, su: number, sv: number): number {
  const n = poly.length >> 1;
  let best = Infinity;
  for (let v = 0, u = n - 1; v < n; u = v++) {
    const ax = poly[2 * u]! * su;
    const ay = poly[2 * u + 1]! * sv;
    const bx = poly[2 * v]! * su - ax;
    const by = poly[2 * v + 1]! * sv - ay;
    const len = bx * bx + by * by;
    const t = len > 0 ? Math.min(1, Math.max(0, ((px - ax) * bx + (py - ay) * by) / len)) : 0;
    best = Math.min(best, Math.hypot(px - ax - t * bx, py - ay - t * by));
  }
  return best;
}

/** Tolerances of {@link sameOutline}: relative area, centroid distance (mm), mean vertex distance (mm). */
export const SAME_OUTLINE_TOLERANCE = { area: 0.02, centroidMm: 1, meanDistanceMm: 1 } as const;

/**
 * Whether two contours on one slice (u, v index coordinates, `spacing` the mm of one step in u and v) are the same
 * outline drawn twice: equal areas within 2 %, centroids within 1 mm, and each one's vertices on average within
 * 1 mm of the other's outline. Clinical files repeat a contour with a point more or less; even-odd filling would
 * make the repeats cancel. A genuine hole is smaller than its outline and fails the area test.
 */
export function sameOutline(a: ArrayLike<number>, b: ArrayLike<number>, spacing: readonly [number, number]): boolean {
  const [su, sv] = spacing;
  const areaA = Math.abs(signedArea(a)) * su * sv;
  const areaB = Math.abs(signedArea(b)) * su * sv;
  if (Math.abs(areaA - areaB) > SAME_OUTLINE_TOLERANCE.area * Math.max(areaA, areaB)) return false;
  const [ax, ay] = centroid(a);
  const [bx, by] = centroid(b);
  if (Math.hypot((ax - bx) * su, (ay - by) * sv) > SAME_OUTLINE_TOLERANCE.centroidMm) return false;
  const meanDistance = (p: ArrayLike<number>, q: ArrayLike<number>) => {
    const n = p.length >> 1;
    let s = 0;
    for (let v = 0; v < n; v++) s += distanceToPolygon(p[2 * v]! * su, p[2 * v + 1]! * sv, q, su, sv);
    return s / n;
  };
  return meanDistance(a, b) <= SAME_OUTLINE_TOLERANCE.meanDistanceMm && meanDistance(b, a) <= SAME_OUTLINE_TOLERANCE.meanDistanceMm;
}
