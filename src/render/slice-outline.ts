/**
 * Outlines of a binary mask slice, for drawing structures over a slice view. Pure: no DOM, no vtk.js, so the
 * geometry is unit-tested in Node.
 *
 * Why marching squares through voxel centres rather than the staircase of voxel edges: a staircase corner
 * of a rasterised circle lies up to √½ voxel off the true boundary, while every vertex here is the midpoint
 * between an inside and an outside voxel centre, so it lies within half a voxel of any boundary that
 * separates them. That is the bound the overlay test holds the drawing to, and it is also what a clinician
 * expects to see: a contour, not a pixel mosaic.
 */

/** A closed outline: u, v pairs in the slice's in-plane index coordinates (voxel centres at integers). */
export type OutlineLoop = Float64Array;

/**
 * The closed outlines of the inside region of a slice (`slice[u + nu·v]` non-zero = inside), as loops of
 * (u, v) points in index coordinates. Each vertex is the midpoint between an inside and an outside voxel
 * centre; outside the slice counts as outside, so every loop closes. Holes come out as their own loops, so
 * the loops filled with the even–odd rule give the region. Diagonal neighbours are treated as separate
 * (4-connectivity of the inside), the convention of the masks' own connected-component labelling.
 *
 * Cost: proportional to the region's bounding box, not the slice.
 */
export function maskOutline(slice: ArrayLike<number>, nu: number, nv: number, scratch?: OutlineScratch): OutlineLoop[] {
  if (slice.length !== nu * nv) throw new RangeError(`slice has ${slice.length} values, expected ${nu}×${nv}`);
  // Bounding box of the inside voxels.
  let u0 = nu;
  let u1 = -1;
  let v0 = nv;
  let v1 = -1;
  for (let v = 0; v < nv; v++) {
    const row = v * nu;
    for (let u = 0; u < nu; u++) {
      if (!slice[row + u]) continue;
      if (u < u0) u0 = u;
      if (u > u1) u1 = u;
      if (v < v0) v0 = v;
      if (v > v1) v1 = v;
    }
  }
  if (u1 < 0) return [];

  // The bounding box with a one-voxel border of outside around it, as a dense 0/1 grid: every cell below
  // reads its four corners straight from this array (no bounds checks), which is what keeps a body-sized
  // outline to about a millisecond.
  const W = u1 - u0 + 3;
  const H = v1 - v0 + 3;
  const padded = scratch ? scratch.grid(W * H) : new Uint8Array(W * H);
  for (let v = v0; v <= v1; v++) {
    const src = v * nu;
    const dst = (v - v0 + 1) * W + 1 - u0;
    for (let u = u0; u <= u1; u++) if (slice[src + u]) padded[dst + u] = 1;
  }

  // Cells span four voxel centres (x, y)…(x+1, y+1) of the padded grid. Crossing points live on cell
  // edges: H(x, y) on the edge (x, y)–(x+1, y), V(x, y) on (x, y)–(x, y+1), numbered 2·(x + W·y) and
  // 2·(x + W·y) + 1. A map links each crossing to the next one along its loop: there are about as many
  // crossings as voxels on the outline, far fewer than cells, so a map beats a per-cell array here.
  const next = new Map<number, number>();
  const starts: number[] = [];
  const crossing = new Int32Array(4);
  const enters = new Uint8Array(4);

  for (let y = 0; y < H - 1; y++) {
    const row = y * W;
    for (let x = 0; x < W - 1; x++) {
      const o = row + x;
      const a = padded[o];
      const b = padded[o + 1];
      const d = padded[o + W];
      const c = padded[o + W + 1];
      if (a === b && b === c && c === d) continue;
      // Walk the cell boundary clockwise on screen (v down): top a→b, right b→c, bottom c→d, left d→a.
      // An edge whose start is outside and end inside is an "enter", the reverse an "exit". A neighbouring
      // cell walks a shared edge the other way, so one cell's exit is its neighbour's enter: linking enter →
      // exit inside every cell chains the crossings into consistently oriented closed loops.
      let n = 0;
      if (a !== b) {
        crossing[n] = 2 * o;
        enters[n++] = b;
      }
      if (b !== c) {
        crossing[n] = 2 * (o + 1) + 1;
        enters[n++] = c;
      }
      if (c !== d) {
        crossing[n] = 2 * (o + W);
        enters[n++] = d;
      }
      if (d !== a) {
        crossing[n] = 2 * o + 1;
        enters[n++] = a;
      }
      // Pair each enter with the next exit clockwise. With four crossings (a saddle: diagonal corners
      // inside) this cuts each inside corner off on its own, i.e. diagonal voxels stay separate.
      for (let e = 0; e < n; e++) {
        if (!enters[e]) continue;
        for (let s = 1; s < n; s++) {
          const f = (e + s) % n;
          if (!enters[f]) {
            next.set(crossing[e], crossing[f]);
            starts.push(crossing[e]);
            break;
          }
        }
      }
    }
  }

  const point = (id: number, out: number[]) => {
    const cell = id >> 1;
    // Padded grid coordinates back to slice coordinates (the border shifts them by one).
    const x = (cell % W) + u0 - 1;
    const y = Math.floor(cell / W) + v0 - 1;
    if (id & 1) out.push(x, y + 0.5);
    else out.push(x + 0.5, y);
  };
  const loops: OutlineLoop[] = [];
  for (const start of starts) {
    if (!next.has(start)) continue; // already part of a loop
    const pts: number[] = [];
    let id: number | undefined = start;
    do {
      point(id, pts);
      const to: number | undefined = next.get(id);
      next.delete(id);
      id = to;
    } while (id !== undefined && id !== start);
    loops.push(simplifyCollinear(pts));
  }
  return loops;
}

/**
 * Reusable working memory for {@link maskOutline}: a view that outlines many structures per frame passes one,
 * so a frame allocates no large arrays (allocating and zeroing a body-sized grid cost more than the
 * outline itself). Not shared between views; synchronous use only.
 */
export class OutlineScratch {
  #grid = new Uint8Array(0);

  /** A zeroed grid of at least `size` bytes (the first `size` are zero). */
  grid(size: number): Uint8Array {
    if (this.#grid.length < size) this.#grid = new Uint8Array(Math.ceil(size * 1.25));
    else this.#grid.fill(0, 0, size);
    return this.#grid;
  }
}

/** Drops vertices that lie on the straight line through their neighbours (long straight runs of a loop). */
function simplifyCollinear(pts: number[]): OutlineLoop {
  const n = pts.length / 2;
  if (n < 4) return Float64Array.from(pts);
  const out: number[] = [];
  for (let p = 0; p < n; p++) {
    const q = (p + n - 1) % n;
    const r = (p + 1) % n;
    const ax = pts[2 * p] - pts[2 * q];
    const ay = pts[2 * p + 1] - pts[2 * q + 1];
    const bx = pts[2 * r] - pts[2 * p];
    const by = pts[2 * r + 1] - pts[2 * p + 1];
    if (Math.abs(ax * by - ay * bx) < 1e-12 && ax * bx + ay * by > 0) continue;
    out.push(pts[2 * p], pts[2 * p + 1]);
  }
  return Float64Array.from(out);
}

/** Signed area of a loop (index units²); the sign gives its orientation, the magnitude its area. */
export function loopArea(loop: OutlineLoop): number {
  let a = 0;
  const n = loop.length / 2;
  for (let p = 0; p < n; p++) {
    const q = (p + 1) % n;
    a += loop[2 * p] * loop[2 * q + 1] - loop[2 * q] * loop[2 * p + 1];
  }
  return a / 2;
}
