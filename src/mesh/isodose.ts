/**
 * Dose grid → isodose surfaces: the closed surface where the dose equals a level (the 3D counterpart of the slice
 * views' isodose lines), in patient coordinates (LPS, mm), for the 3D view.
 *
 * The structures' marching cubes (marching-cubes.ts) on the crop of voxels at or above the level, with each vertex
 * placed where the dose, linear along the cut edge between two voxel centres, equals the level — the same rule the
 * isodose lines follow in the slice views — then the dose grid's full affine (oblique and reflected grids
 * included). A dose is smooth between its voxels, so no smoothing is applied: the surface is the interpolated
 * dose's, not a staircase. Where the dose is above the level at the edge of its grid, the surface closes beyond that
 * edge (the padding counts as 0 Gy), within one voxel.
 *
 * Framework-free and DOM-free: runs in the meshing worker (mesh.worker.ts), on the main thread and in Node.
 */
import { GridTransform, type ImageGeometry } from '../domain/geometry.ts';
import { createYielder, type JobOptions } from '../jobs/job.ts';
import { marchingCubes, type PaddedCrop } from './marching-cubes.ts';
import { EMPTY_SURFACE, surfaceMesh, toPatientSpace, type SurfaceMesh } from './surface.ts';

/**
 * The crop of a dose grid around the voxels at or above `level`, padded by one voxel on every side so the surface
 * closes, with the dose values for edge interpolation (0 Gy where the padding leaves the grid); null when no voxel
 * reaches the level.
 */
export function isodoseCrop(values: ArrayLike<number>, dimensions: readonly [number, number, number], level: number): PaddedCrop | null {
  const [nx, ny, nz] = dimensions;
  let i0 = nx;
  let j0 = ny;
  let k0 = nz;
  let i1 = -1;
  let j1 = -1;
  let k1 = -1;
  for (let k = 0, o = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, o++) {
        if (!(values[o] >= level)) continue;
        if (i < i0) i0 = i;
        if (i > i1) i1 = i;
        if (j < j0) j0 = j;
        if (j > j1) j1 = j;
        if (k < k0) k0 = k;
        if (k > k1) k1 = k;
      }
    }
  }
  if (i1 < 0) return null;
  const cx = i1 - i0 + 3;
  const cy = j1 - j0 + 3;
  const cz = k1 - k0 + 3;
  const data = new Uint8Array(cx * cy * cz);
  const field = new Float32Array(cx * cy * cz);
  // The padding holds the dose of the neighbouring voxels where the grid has them (below the level, by the choice
  // of the box), so the edges crossing it are interpolated between real doses; 0 only beyond the grid.
  const [ia, ib] = [Math.max(0, i0 - 1), Math.min(nx - 1, i1 + 1)];
  const [ja, jb] = [Math.max(0, j0 - 1), Math.min(ny - 1, j1 + 1)];
  const [ka, kb] = [Math.max(0, k0 - 1), Math.min(nz - 1, k1 + 1)];
  for (let k = ka; k <= kb; k++) {
    for (let j = ja; j <= jb; j++) {
      let c = ia - i0 + 1 + cx * (j - j0 + 1) + cx * cy * (k - k0 + 1);
      for (let i = ia, o = ia + nx * (j + ny * k); i <= ib; i++, o++, c++) {
        const v = values[o];
        field[c] = v;
        data[c] = v >= level ? 1 : 0;
      }
    }
  }
  return { data, dimensions: [cx, cy, cz], offset: [i0 - 1, j0 - 1, k0 - 1], field: { values: field, level } };
}

/** The isodose surface of `dose` (Gy, on `geometry`) at `levelGy`; {@link EMPTY_SURFACE} when no dose reaches it. */
export function isodoseSurface(dose: ArrayLike<number>, geometry: ImageGeometry, levelGy: number): SurfaceMesh {
  if (!(levelGy > 0) || !Number.isFinite(levelGy)) throw new RangeError(`an isodose level must be a positive dose (Gy), got ${levelGy}`);
  if (dose.length !== geometry.dimensions[0] * geometry.dimensions[1] * geometry.dimensions[2]) {
    throw new RangeError(`the dose has ${dose.length} values, its grid ${geometry.dimensions.join('×')} voxels`);
  }
  const crop = isodoseCrop(dose, geometry.dimensions as [number, number, number], levelGy);
  if (!crop) return EMPTY_SURFACE;
  const { points, triangles } = toPatientSpace(marchingCubes(crop), new GridTransform(geometry));
  return surfaceMesh(points, triangles, 0);
}

/** Input of {@link meshIsodoses}: a dose grid as typed arrays (so it crosses to a worker) and the levels in Gy. */
export interface IsodoseRequest {
  /** Dose in Gy, i fastest, on `geometry`. */
  readonly dose: Float32Array;
  readonly geometry: ImageGeometry;
  readonly levelsGy: readonly number[];
}

/**
 * The isodose Job (`(input, { signal, progress }) => Promise<output>`): one surface per level, in the order of
 * `levelsGy`; progress counts the levels done, and a cancel is honoured between levels.
 */
export async function meshIsodoses(request: IsodoseRequest, options: JobOptions = {}): Promise<SurfaceMesh[]> {
  const tick = createYielder(options.signal);
  const out: SurfaceMesh[] = [];
  const total = request.levelsGy.length;
  for (const level of request.levelsGy) {
    await tick();
    out.push(isodoseSurface(request.dose, request.geometry, level));
    options.progress?.({ stage: 'isodose surfaces', done: out.length, total, unit: 'levels' });
  }
  return out;
}
