/**
 * Marching cubes on a binary voxel crop, with vtk.js's case table; also the iso-surface of a scalar field (an
 * isodose), whose inside is the binary crop of value ≥ level.
 *
 * Why not vtk.js's own `ImageMarchingCubes` filter: it is slow on a whole organ (`npm run bench -- mesh`,
 * docs/3d-view.md), because it grows plain arrays, allocates per vertex and merges points through a Map keyed by a float formula that loses precision (and so merges wrong points) once
 * a crop has more than ~10⁵ voxels. This module walks the same cases from the same table
 * (`Filters/General/ImageMarchingCubes/caseTable.js`), so its triangles are vtk.js's triangles — the tests
 * compare the two vertex by vertex — but it dedupes vertices through per-slab edge arrays (O(1), exact) and
 * writes typed arrays.
 *
 * Binary input makes the iso-surface at 0.5 cross every cut edge at its midpoint, so vertices are exact
 * half-integer index positions; the smoothing step is what turns the resulting staircase into an organ.
 */
import caseTable from '@kitware/vtk.js/Filters/General/ImageMarchingCubes/caseTable.js';
import type { Vec3 } from '../domain/geometry.ts';
import type { BinaryMask, IndexBox } from '../domain/mask.ts';

/** A dense binary crop of a mask: one byte per voxel (1 inside, 0 outside), i fastest, starting at `offset`. */
export interface PaddedCrop {
  readonly data: Uint8Array;
  readonly dimensions: Vec3;
  /** Index (in the mask's grid) of the crop's voxel (0, 0, 0); may be −1 where the padding leaves the grid. */
  readonly offset: Vec3;
  /**
   * For the iso-surface of a scalar field (an isodose) rather than of a mask: the field's values on the same crop,
   * and the level `data` marks (1 where value ≥ level). A vertex then lies where the field, linear along the cut
   * edge, equals the level, instead of at the edge's midpoint.
   */
  readonly field?: { readonly values: Float32Array; readonly level: number };
}

/** A triangle mesh in continuous index coordinates of the mask's grid. */
export interface IndexMesh {
  /** x, y, z per vertex: continuous (i, j, k) indices. */
  readonly points: Float64Array;
  /** Three vertex ids per triangle, wound counter-clockwise seen from outside in index space. */
  readonly triangles: Uint32Array;
}

/**
 * Copies the voxels of `mask` in `box` (default: its bounds) plus `pad` voxels on every side into a dense
 * crop. Voxels of the padding outside the grid are 0, so a structure touching the edge of the image still
 * gets a closed surface. Returns null for an empty mask.
 */
export function paddedCrop(
  mask: BinaryMask,
  pad = 1,
  box: IndexBox | null = mask.bounds(),
): PaddedCrop | null {
  if (!box) return null;
  const [nx, ny, nz] = mask.dimensions;
  const offset: Vec3 = [box.min[0] - pad, box.min[1] - pad, box.min[2] - pad];
  const dimensions: Vec3 = [
    box.max[0] - box.min[0] + 1 + 2 * pad,
    box.max[1] - box.min[1] + 1 + 2 * pad,
    box.max[2] - box.min[2] + 1 + 2 * pad,
  ];
  const [cx, cy, cz] = dimensions;
  const data = new Uint8Array(cx * cy * cz);
  const slice = new Uint8Array(nx * ny);
  // The part of the crop inside the grid, in grid indices.
  const i0 = Math.max(0, offset[0]);
  const i1 = Math.min(nx, offset[0] + cx);
  const j0 = Math.max(0, offset[1]);
  const j1 = Math.min(ny, offset[1] + cy);
  const k0 = Math.max(0, offset[2]);
  const k1 = Math.min(nz, offset[2] + cz);
  for (let k = k0; k < k1; k++) {
    mask.readAxial(k, slice);
    const layer = (k - offset[2]) * cx * cy;
    for (let j = j0; j < j1; j++) {
      data.set(slice.subarray(j * nx + i0, j * nx + i1), layer + (j - offset[1]) * cx + (i0 - offset[0]));
    }
  }
  return { data, dimensions, offset };
}

// The case table flattened to 16 edge ids per case (−1 terminated) so the inner loop reads a typed array.
const CASES = new Int8Array(256 * 16);
for (let c = 0; c < 256; c++) CASES.set(caseTable.getCase(c), c * 16);

// Per edge: the raster offset (di, dj, dk) of its lower corner and its axis (0 = i, 1 = j, 2 = k).
const EDGE_DI = new Uint8Array(12);
const EDGE_DJ = new Uint8Array(12);
const EDGE_DK = new Uint8Array(12);
const EDGE_AXIS = new Uint8Array(12);
for (let e = 0; e < 12; e++) {
  const [a, b] = caseTable.getEdge(e);
  EDGE_DI[e] = a & 1;
  EDGE_DJ[e] = (a >> 1) & 1;
  EDGE_DK[e] = (a >> 2) & 1;
  EDGE_AXIS[e] = b - a === 1 ? 0 : b - a === 2 ? 1 : 2;
}

/** A Float64Array / Uint32Array that doubles when full; avoids plain-array boxing in the hot loop. */
class Grow<T extends Float64Array | Uint32Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) {
      const next = this.make(Math.max(1024, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = a;
    this.data[this.length++] = b;
    this.data[this.length++] = c;
  }
  /** The filled part, as a right-sized copy (so the oversized buffer can be freed). */
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/**
 * Extracts the 0.5 iso-surface of a binary crop with marching cubes (or, for a crop with a `field`, the field's
 * iso-surface at its level). Vertices are in the mask grid's
 * continuous index coordinates (the crop offset added); each cut voxel edge yields exactly one vertex shared
 * by all its triangles. The crop must be 0 on its border (as `paddedCrop` with `pad ≥ 1` makes it) for the
 * surface to be closed. `onSlab(k, total)` is called after each slab of cubes, as a progress and cancel hook.
 */
export function marchingCubes(crop: PaddedCrop, onSlab?: (done: number, total: number) => void): IndexMesh {
  const { data } = crop;
  const values = crop.field?.values;
  const level = crop.field?.level ?? 0;
  const [cx, cy, cz] = crop.dimensions;
  const [ox, oy, oz] = crop.offset;
  const plane = cx * cy;
  // Vertex ids of the cut edges near the current slab (−1 = none yet): i- and j-edges in the slab's lower
  // (k) and upper (k + 1) layers, and k-edges between them. Indexed by the edge's lower grid point in-plane.
  let lowI = new Int32Array(plane).fill(-1);
  let lowJ = new Int32Array(plane).fill(-1);
  let highI = new Int32Array(plane).fill(-1);
  let highJ = new Int32Array(plane).fill(-1);
  const edgeK = new Int32Array(plane);
  const points = new Grow(new Float64Array(3 * 1024), (n) => new Float64Array(n));
  const triangles = new Grow(new Uint32Array(3 * 2048), (n) => new Uint32Array(n));
  const ids = new Int32Array(12);

  for (let k = 0; k + 1 < cz; k++) {
    edgeK.fill(-1);
    const base0 = k * plane;
    for (let j = 0; j + 1 < cy; j++) {
      let p = base0 + j * cx;
      // Corner values, slid along i: v0/v2/v4/v6 are the cube's −i corners, v1/v3/v5/v7 its +i corners.
      let v0 = data[p];
      let v2 = data[p + cx];
      let v4 = data[p + plane];
      let v6 = data[p + plane + cx];
      for (let i = 0; i + 1 < cx; i++, p++) {
        const v1 = data[p + 1];
        const v3 = data[p + cx + 1];
        const v5 = data[p + plane + 1];
        const v7 = data[p + plane + cx + 1];
        // The case index in vtk.js's Lorensen vertex order: raster corners 0, 1, 3, 2, 4, 5, 7, 6.
        const c = v0 | (v1 << 1) | (v3 << 2) | (v2 << 3) | (v4 << 4) | (v5 << 5) | (v7 << 6) | (v6 << 7);
        v0 = v1;
        v2 = v3;
        v4 = v5;
        v6 = v7;
        if (c === 0 || c === 255) continue;
        ids.fill(-1);
        for (let t = c * 16; CASES[t] >= 0; t += 3) {
          for (let q = 0; q < 3; q++) {
            const e = CASES[t + q];
            let id = ids[e];
            if (id < 0) {
              const gi = i + EDGE_DI[e];
              const gj = j + EDGE_DJ[e];
              const at = gj * cx + gi;
              const axis = EDGE_AXIS[e];
              const store =
                axis === 2 ? edgeK : EDGE_DK[e] ? (axis === 0 ? highI : highJ) : axis === 0 ? lowI : lowJ;
              id = store[at];
              if (id < 0) {
                id = points.length / 3;
                let t = 0.5;
                if (values) {
                  // One end is at or above the level and the other below, so the two values differ.
                  const lower = gi + cx * gj + plane * (k + EDGE_DK[e]);
                  const a = values[lower];
                  const b = values[lower + (axis === 0 ? 1 : axis === 1 ? cx : plane)];
                  t = (level - a) / (b - a);
                }
                points.push3(
                  ox + gi + (axis === 0 ? t : 0),
                  oy + gj + (axis === 1 ? t : 0),
                  oz + k + EDGE_DK[e] + (axis === 2 ? t : 0),
                );
                store[at] = id;
              }
              ids[e] = id;
            }
          }
          triangles.push3(ids[CASES[t]], ids[CASES[t + 1]], ids[CASES[t + 2]]);
        }
      }
    }
    // The upper layer's edges are the next slab's lower ones.
    [lowI, highI] = [highI, lowI];
    [lowJ, highJ] = [highJ, lowJ];
    highI.fill(-1);
    highJ.fill(-1);
    onSlab?.(k + 1, cz - 1);
  }
  return { points: points.done(), triangles: triangles.done() };
}
