/**
 * The binary-image operations the rule-based contours are built from, on dense byte masks (one byte per voxel,
 * x fastest, 0 or 1): per-slice box erosion/dilation, per-slice hole filling, a distance-limited per-slice
 * regrowth, run-length connected components in 3D, and the vertical bridge that closes gaps along the slice
 * axis. Each is a few linear passes with no closures or allocations inside the voxel loops, because a
 * 512×512×134 chest CT is 35 million voxels and the rules run on the CT grid itself. Browser-safe.
 */

/** Grid size [nx, ny, nz] of a dense mask. */
export type Dims = readonly [number, number, number];

/** Separable box erosion of a 2D byte image (half-sizes rx, ry); outside the image counts as background. `out` may be `src`, not `tmp`. */
export function erode2d(src: Uint8Array, out: Uint8Array, nx: number, ny: number, rx: number, ry: number, tmp: Uint8Array): void {
  rowPass(src, tmp, nx, ny, rx, 0);
  columnPass(tmp, out, nx, ny, ry, 0);
}

/** Separable box dilation of a 2D byte image (half-sizes rx, ry). `out` may be `src`, not `tmp`. */
export function dilate2d(src: Uint8Array, out: Uint8Array, nx: number, ny: number, rx: number, ry: number, tmp: Uint8Array): void {
  rowPass(src, tmp, nx, ny, rx, 1);
  columnPass(tmp, out, nx, ny, ry, 1);
}

/**
 * Running max (want 1: dilation) or min (want 0: erosion) along each row over [x − r, x + r], run by run, so
 * the cost is the row's length plus its runs, whatever r. Samples outside the row count as 0, so erosion erodes
 * at the border (a body cut by the field of view keeps its cut edge after the dilation).
 */
function rowPass(src: Uint8Array, dst: Uint8Array, nx: number, ny: number, r: number, want: 0 | 1): void {
  for (let y = 0; y < ny; y++) {
    const row = src.subarray(y * nx, (y + 1) * nx);
    const out = dst.subarray(y * nx, (y + 1) * nx);
    out.fill(0);
    // Along the row's runs of 1s: dilation widens each run by r, erosion narrows it by r (a run that touches
    // the row's end is narrowed there too: outside counts as 0).
    let x = row.indexOf(1);
    while (x >= 0) {
      let e = row.indexOf(0, x);
      if (e < 0) e = nx;
      if (want) out.fill(1, Math.max(0, x - r), Math.min(nx, e + r));
      else if (e - x > 2 * r) out.fill(1, x + r, e - r);
      x = e < nx ? row.indexOf(1, e) : -1;
    }
  }
}

/**
 * The same along columns, one row at a time so that memory is read in order, in a single pass per row:
 * dilation keeps, per column, the last row holding a 1 (a 1 lies in [y − r, y + r] when that row, seen up to
 * y + r, is ≥ y − r); erosion keeps the length of the run of 1s ending at the current row (all of [y − r, y + r]
 * are 1 when the run ending at y + r is at least 2r + 1 long, rows past the edge counting as 0). `dst` ≠ `src`.
 */
function columnPass(src: Uint8Array, dst: Uint8Array, nx: number, ny: number, r: number, want: 0 | 1): void {
  const state = new Int32Array(nx).fill(want ? -(1 << 30) : 0);
  const full = 2 * r + 1;
  for (let t = 0; t < ny + r; t++) {
    const y = t - r; // the output row, once row t (or the edge) has been seen
    const base = t * nx;
    if (want) {
      if (t < ny) for (let x = 0; x < nx; x++) if (src[base + x]) state[x] = t;
      if (y >= 0) for (let x = 0, o = y * nx; x < nx; x++, o++) dst[o] = state[x] >= y - r ? 1 : 0;
    } else {
      if (t < ny) for (let x = 0; x < nx; x++) state[x] = src[base + x] ? state[x] + 1 : 0;
      else state.fill(0);
      if (y >= 0) for (let x = 0, o = y * nx; x < nx; x++, o++) dst[o] = state[x] >= full ? 1 : 0;
    }
  }
}

/**
 * Fills each axial slice's background that is not connected (4-neighbours) to the slice's edge. Only the
 * bounding box of the slice's mask is flooded (everything outside it is connected to the edge by definition),
 * so a small structure on a large grid costs little. Returns a new mask.
 */
export function fillHoles2d(mask: Uint8Array, nx: number, ny: number, nz: number): Uint8Array {
  const out = mask.slice();
  const plane = nx * ny;
  const seen = new Uint8Array(plane);
  const stack = new Int32Array(plane);
  for (let k = 0; k < nz; k++) {
    const base = k * plane;
    let x0 = nx;
    let x1 = -1;
    let y0 = ny;
    let y1 = -1;
    for (let y = 0; y < ny; y++) {
      const line = out.subarray(base + y * nx, base + (y + 1) * nx);
      const first = line.indexOf(1);
      if (first < 0) continue;
      const last = line.lastIndexOf(1);
      if (first < x0) x0 = first;
      if (last > x1) x1 = last;
      if (y < y0) y0 = y;
      y1 = y;
    }
    if (x1 < 0 || x1 - x0 < 2 || y1 - y0 < 2) continue;
    // Flood the background from the box's own edge: a hole never touches the box edge.
    let top = 0;
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) seen[y * nx + x] = 0;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x += y === y0 || y === y1 ? 1 : x1 - x0) {
        const p = y * nx + x;
        if (!out[base + p] && !seen[p]) {
          seen[p] = 1;
          stack[top++] = p;
        }
      }
    }
    while (top > 0) {
      const p = stack[--top];
      const x = p % nx;
      const y = (p - x) / nx;
      let q = p - 1;
      if (x > x0 && !seen[q] && !out[base + q]) {
        seen[q] = 1;
        stack[top++] = q;
      }
      q = p + 1;
      if (x < x1 && !seen[q] && !out[base + q]) {
        seen[q] = 1;
        stack[top++] = q;
      }
      q = p - nx;
      if (y > y0 && !seen[q] && !out[base + q]) {
        seen[q] = 1;
        stack[top++] = q;
      }
      q = p + nx;
      if (y < y1 && !seen[q] && !out[base + q]) {
        seen[q] = 1;
        stack[top++] = q;
      }
    }
    for (let y = y0 + 1; y < y1; y++) {
      for (let x = x0 + 1; x < x1; x++) {
        const p = y * nx + x;
        if (!seen[p]) out[base + p] = 1;
      }
    }
  }
  return out;
}

/**
 * Per slice, adds to `seed` the voxels of `allowed` reachable from it through `allowed` in at most `steps`
 * 4-neighbour steps (a geodesic dilation limited in distance). Returns a new mask.
 */
export function regrow2d(seed: Uint8Array, allowed: Uint8Array, nx: number, ny: number, nz: number, steps: number): Uint8Array {
  const out = seed.slice();
  const plane = nx * ny;
  let front = new Int32Array(plane);
  let next = new Int32Array(plane);
  for (let k = 0; k < nz; k++) {
    const base = k * plane;
    let nf = 0;
    // The front starts at seed voxels with an allowed, unset neighbour (interior voxels never grow); rows
    // without seed are skipped.
    for (let y = 0; y < ny; y++) {
      const line = out.subarray(base + y * nx, base + (y + 1) * nx);
      const first = line.indexOf(1);
      if (first < 0) continue;
      const last = line.lastIndexOf(1);
      for (let x = first; x <= last; x++) {
        if (!line[x]) continue;
        const p = y * nx + x;
        if ((x > 0 && allowed[base + p - 1] && !out[base + p - 1]) || (x < nx - 1 && allowed[base + p + 1] && !out[base + p + 1]) ||
          (p >= nx && allowed[base + p - nx] && !out[base + p - nx]) || (p < plane - nx && allowed[base + p + nx] && !out[base + p + nx])) {
          front[nf++] = p;
        }
      }
    }
    for (let step = 0; step < steps && nf > 0; step++) {
      let nn = 0;
      for (let f = 0; f < nf; f++) {
        const p = front[f];
        const x = p % nx;
        let q = base + p - 1;
        if (x > 0 && allowed[q] && !out[q]) {
          out[q] = 1;
          next[nn++] = p - 1;
        }
        q = base + p + 1;
        if (x < nx - 1 && allowed[q] && !out[q]) {
          out[q] = 1;
          next[nn++] = p + 1;
        }
        q = base + p - nx;
        if (p >= nx && allowed[q] && !out[q]) {
          out[q] = 1;
          next[nn++] = p - nx;
        }
        q = base + p + nx;
        if (p < plane - nx && allowed[q] && !out[q]) {
          out[q] = 1;
          next[nn++] = p + nx;
        }
      }
      const t = front;
      front = next;
      next = t;
      nf = nn;
    }
  }
  return out;
}

/**
 * The 6-connected components of a dense 3D mask as runs along x: run r covers x = start[r] … end[r] on grid
 * row `row[r]` (= k·ny + j) and belongs to component `component[r]` (0 … count − 1, largest first).
 */
export interface RunComponents {
  readonly count: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly row: Int32Array;
  readonly component: Int32Array;
  /** Voxels per component, largest first. */
  readonly sizes: Float64Array;
  /** Sums of the x and slice indices of each component's voxels (a centroid's x is sumX / size). */
  readonly sumX: Float64Array;
  readonly sumK: Float64Array;
  /** Each component's extent in x (inclusive). */
  readonly minX: Int32Array;
  readonly maxX: Int32Array;
}

/**
 * Labels the 6-connected components of a dense mask on its runs along x with union–find: two runs are
 * neighbours when they overlap in x on adjacent rows of a slice or on the same row of adjacent slices. A chest
 * CT's body is a few hundred thousand runs against 35 million voxels, which is what makes this fast.
 */
export function runComponents(mask: Uint8Array, dims: Dims): RunComponents {
  const [nx, ny, nz] = dims;
  const rows = ny * nz;
  const rowFirst = new Int32Array(rows + 1);
  let cap = 1 << 16;
  let start: Int32Array = new Int32Array(cap);
  let end: Int32Array = new Int32Array(cap);
  let row: Int32Array = new Int32Array(cap);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    rowFirst[r] = n;
    // indexOf on the row's own view: on the whole array it would scan on to the next 1, however far.
    const line = mask.subarray(r * nx, (r + 1) * nx);
    let x = line.indexOf(1);
    while (x >= 0) {
      let e = x;
      while (e + 1 < nx && line[e + 1]) e++;
      if (n === cap) {
        cap *= 2;
        start = grow(start, cap);
        end = grow(end, cap);
        row = grow(row, cap);
      }
      start[n] = x;
      end[n] = e;
      row[n] = r;
      n++;
      x = e + 2 < nx ? line.indexOf(1, e + 2) : -1;
    }
  }
  rowFirst[rows] = n;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const join = (a: number, b: number): void => {
    let p = rowFirst[a];
    let q = rowFirst[b];
    const pe = rowFirst[a + 1];
    const qe = rowFirst[b + 1];
    while (p < pe && q < qe) {
      if (end[p] < start[q]) p++;
      else if (end[q] < start[p]) q++;
      else {
        const ra = find(p);
        const rb = find(q);
        if (ra !== rb) {
          if (ra < rb) parent[rb] = ra;
          else parent[ra] = rb;
        }
        if (end[p] < end[q]) p++;
        else q++;
      }
    }
  };
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const r = k * ny + j;
      if (rowFirst[r] === rowFirst[r + 1]) continue;
      if (j > 0) join(r, r - 1);
      if (k > 0) join(r, r - ny);
    }
  }
  // Roots → provisional ids, then renumber by size (largest first).
  const provisional = new Int32Array(n).fill(-1);
  const component = new Int32Array(n);
  let count = 0;
  const rawSize: number[] = [];
  const rawSumX: number[] = [];
  const rawSumK: number[] = [];
  const rawMinX: number[] = [];
  const rawMaxX: number[] = [];
  for (let i = 0; i < n; i++) {
    const root = find(i);
    let id = provisional[root];
    if (id < 0) {
      id = provisional[root] = count++;
      rawSize.push(0);
      rawSumX.push(0);
      rawSumK.push(0);
      rawMinX.push(nx);
      rawMaxX.push(-1);
    }
    component[i] = id;
    const len = end[i] - start[i] + 1;
    rawSize[id] += len;
    rawSumX[id] += ((start[i] + end[i]) * len) / 2;
    rawSumK[id] += Math.floor(row[i] / ny) * len;
    if (start[i] < rawMinX[id]) rawMinX[id] = start[i];
    if (end[i] > rawMaxX[id]) rawMaxX[id] = end[i];
  }
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => rawSize[b] - rawSize[a]);
  const rank = new Int32Array(count);
  order.forEach((id, r) => (rank[id] = r));
  for (let i = 0; i < n; i++) component[i] = rank[component[i]];
  return {
    count,
    start: start.subarray(0, n),
    end: end.subarray(0, n),
    row: row.subarray(0, n),
    component,
    sizes: Float64Array.from(order, (id) => rawSize[id]),
    sumX: Float64Array.from(order, (id) => rawSumX[id]),
    sumK: Float64Array.from(order, (id) => rawSumK[id]),
    minX: Int32Array.from(order, (id) => rawMinX[id]),
    maxX: Int32Array.from(order, (id) => rawMaxX[id]),
  };
}

function grow(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/** A dense mask of the components for which `keep(id)` is true (ids as in {@link runComponents}). */
export function paintComponents(c: RunComponents, nx: number, voxels: number, keep: (id: number) => boolean, out: Uint8Array = new Uint8Array(voxels)): Uint8Array {
  const wanted = new Uint8Array(c.count);
  for (let id = 0; id < c.count; id++) wanted[id] = keep(id) ? 1 : 0;
  for (let i = 0; i < c.start.length; i++) {
    if (wanted[c.component[i]]) out.fill(1, c.row[i] * nx + c.start[i], c.row[i] * nx + c.end[i] + 1);
  }
  return out;
}

/** The largest 6-connected component of a dense mask, as a new mask (all zero when empty). */
export function largestComponent(mask: Uint8Array, dims: Dims): Uint8Array {
  const c = runComponents(mask, dims);
  return paintComponents(c, dims[0], mask.length, (id) => id === 0);
}

/**
 * The vertical gaps of a mask: every run of `bridgeable` voxels outside `blocked` along the slice axis (same x,
 * y) of at most `maxGap` voxels that has a `mask` voxel directly above and below it — what a morphological closing with a
 * vertical line adds, limited to voxels that may be bridged. Returns those voxels as a new mask.
 */
export function verticalGaps(mask: Uint8Array, bridgeable: Uint8Array, blocked: Uint8Array, dims: Dims, maxGap: number): Uint8Array {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const out = new Uint8Array(mask.length);
  // Per column: the last slice holding a mask voxel, and the last slice (since then) holding a voxel that may
  // not be bridged; a gap is filled when a mask voxel arrives with no such voxel in between.
  const lastMask = new Int32Array(plane).fill(-1);
  const lastBlock = new Int32Array(plane).fill(-1);
  for (let k = 0; k < nz; k++) {
    const base = k * plane;
    for (let p = 0; p < plane; p++) {
      const o = base + p;
      if (mask[o]) {
        const prev = lastMask[p];
        if (prev >= 0 && k - prev > 1 && k - prev - 1 <= maxGap && lastBlock[p] < prev) {
          for (let kk = prev + 1; kk < k; kk++) out[kk * plane + p] = 1;
        }
        lastMask[p] = k;
      } else if (!bridgeable[o] || blocked[o]) {
        lastBlock[p] = k;
      }
    }
  }
  return out;
}
