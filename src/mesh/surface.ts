/**
 * Labelmap → surface: the closed-surface representation of a structure for the 3D view, in patient
 * coordinates (LPS, mm).
 *
 * Pipeline (3D Slicer's binary-labelmap-to-closed-surface rule): crop the mask to its bounding box padded by
 * one voxel so the surface closes, marching cubes at 0.5, map the vertices from index to patient space with
 * the full grid affine (spacing, origin and direction — oblique and sheared grids included), windowed-sinc
 * smoothing in millimetres (so anisotropic voxels are smoothed by their real size), then area-weighted
 * vertex normals. Triangles are wound counter-clockwise seen from outside and normals point outwards, also
 * for grids whose direction matrix is a reflection.
 *
 * Framework-free and DOM-free: runs in a Web Worker (mesh.worker.ts), on the main thread and in Node.
 */
import { GridTransform, type ImageGeometry } from '../domain/geometry.ts';
import { BinaryMask, type SerializedMask } from '../domain/mask.ts';
import { createYielder, stagedProgress, type JobOptions } from '../jobs/job.ts';
import { paddedCrop, marchingCubes, type IndexMesh } from './marching-cubes.ts';
import { windowedSincSmooth } from './windowed-sinc.ts';

/**
 * A closed triangle surface in patient coordinates, as flat typed arrays that cross a worker boundary by
 * transfer and go into vtk.js without copying.
 */
export interface SurfaceMesh {
  /** x, y, z per vertex in LPS millimetres. */
  readonly points: Float32Array;
  /** Unit outward normal per vertex. */
  readonly normals: Float32Array;
  /** Triangles in vtk.js cell-array layout: `[3, a, b, c, 3, a, b, c, …]`, counter-clockwise seen from outside. */
  readonly polys: Uint32Array;
  /** The smoothing strength actually applied (lower than asked for when it would have thinned the structure). */
  readonly smoothing: number;
}

/** How a surface is made; the defaults are 3D Slicer's. */
export interface SurfaceOptions {
  /**
   * Smoothing strength, 0 (none: the marching-cubes staircase) to 1 (strong). The windowed-sinc pass-band is
   * 10^(−4·smoothing); default 0.5 (pass-band 0.01), which removes the voxel steps and keeps the volume.
   */
  readonly smoothing?: number;
  /** Windowed-sinc iterations. Default 20. */
  readonly iterations?: number;
  /**
   * How far smoothing may move a vertex from its marching-cubes position, in voxels along each grid axis.
   * Default 0.5: the surface stays within the voxels the staircase passes through, so smoothing can round
   * a structure but never thin it by more than half a voxel a side (see clampDisplacement). Infinity for
   * the unconstrained filter.
   */
  readonly maxDisplacement?: number;
  /**
   * The largest fraction of the marching-cubes volume smoothing may remove before it is retried weaker
   * (smoothing lowered by 0.125 at a time, down to none). Default 0.03. See surfaceFromMask.
   */
  readonly maxVolumeLoss?: number;
}

/** An empty surface (the surface of an empty structure). */
export const EMPTY_SURFACE: SurfaceMesh = Object.freeze({
  points: new Float32Array(0),
  normals: new Float32Array(0),
  polys: new Uint32Array(0),
  smoothing: 0,
});

/** Number of triangles of a surface. */
export const triangleCount = (mesh: SurfaceMesh): number => mesh.polys.length / 4;

/**
 * Builds the smoothed closed surface of `mask` on `geometry`, reporting progress in real units (slabs
 * meshed, smoothing iterations) and honouring `signal` between slabs and iterations. Resolves to
 * {@link EMPTY_SURFACE} for an empty mask.
 */
export async function surfaceFromMask(
  mask: BinaryMask,
  geometry: ImageGeometry,
  options: SurfaceOptions & JobOptions = {},
): Promise<SurfaceMesh> {
  const smoothing = options.smoothing ?? 0.5;
  const iterations = options.iterations ?? 20;
  const maxDisplacement = options.maxDisplacement ?? 0.5;
  const maxVolumeLoss = options.maxVolumeLoss ?? 0.03;
  if (!(maxDisplacement > 0))
    throw new RangeError(`maxDisplacement must be positive (voxels), got ${maxDisplacement}`);
  if (!(maxVolumeLoss >= 0 && maxVolumeLoss < 1))
    throw new RangeError(`maxVolumeLoss must be in [0, 1), got ${maxVolumeLoss}`);
  if (!(smoothing >= 0 && smoothing <= 1))
    throw new RangeError(`smoothing must be in [0, 1], got ${smoothing}`);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  if (mask.dimensions.some((n, a) => n !== geometry.dimensions[a])) {
    throw new RangeError(
      `mask grid [${mask.dimensions.join('×')}] does not match the image grid [${geometry.dimensions.join('×')}]`,
    );
  }
  const transform = new GridTransform(geometry);
  const tick = createYielder(options.signal);
  const stage = stagedProgress(options.progress, [
    { stage: 'marching cubes', weight: 2 },
    { stage: 'smoothing', weight: 2 },
    { stage: 'normals', weight: 1 },
  ]);

  await tick();
  const crop = paddedCrop(mask, 1);
  if (!crop) return EMPTY_SURFACE;
  // The slab loop is synchronous; cancelling is checked between phases, the hooks only report progress
  // (one phase on one organ is short next to what a user notices after pressing stop).
  const mcProgress = stage('marching cubes');
  const indexMesh = marchingCubes(crop, (done, total) =>
    mcProgress({ stage: 'marching cubes', done, total, unit: 'slabs' }),
  );
  await tick();

  const { points, triangles } = toPatientSpace(indexMesh, transform);

  // Smooth, and check that what was removed was voxel steps rather than the structure itself: the filter
  // treats anything with fewer than ~40 vertices around it as noise, so on a coarse grid a spinal cord or a
  // thin PTV ring three voxels across shrinks towards its centre line (OpenKBP cords at 4–5 mm voxels kept
  // 3–60 % of their volume at smoothing 0.5). When the volume drops by more than `maxVolumeLoss`, retry
  // weaker; large organs pass at once (their volume changes by < 1 %).
  const smoothProgress = stage('smoothing');
  const target = (1 - maxVolumeLoss) * enclosedVolume(points, triangles);
  let applied = smoothing;
  let smoothed = points;
  while (applied > 0) {
    smoothed = windowedSincSmooth(points, triangles, {
      iterations,
      passBand: 10 ** (-4 * applied),
      onIteration: (done, total) => smoothProgress({ stage: 'smoothing', done, total, unit: 'iterations' }),
    });
    clampDisplacement(smoothed, points, transform, maxDisplacement);
    await tick();
    if (enclosedVolume(smoothed, triangles) >= target) break;
    applied = Math.max(0, +(applied - 0.125).toFixed(3));
    smoothed = points;
  }

  const mesh = surfaceMesh(smoothed, triangles, applied);
  stage('normals')({ stage: 'normals', done: 1, total: 1, unit: 'surfaces' });
  return mesh;
}

/**
 * Maps a marching-cubes mesh from grid indices to patient space (LPS mm) with the grid's full affine, in place, and
 * keeps its triangles counter-clockwise seen from outside when the direction matrix is a reflection.
 */
export function toPatientSpace(indexMesh: IndexMesh, transform: GridTransform): IndexMesh {
  const { linear: L, origin: o } = transform;
  const points = indexMesh.points;
  for (let q = 0; q < points.length; q += 3) {
    const i = points[q];
    const j = points[q + 1];
    const k = points[q + 2];
    points[q] = o[0] + L[0] * i + L[3] * j + L[6] * k;
    points[q + 1] = o[1] + L[1] * i + L[4] * j + L[7] * k;
    points[q + 2] = o[2] + L[2] * i + L[5] * j + L[8] * k;
  }
  const triangles = indexMesh.triangles;
  // A reflection (negative determinant) turns counter-clockwise into clockwise: swap two corners back.
  const det =
    L[0] * (L[4] * L[8] - L[5] * L[7]) -
    L[3] * (L[1] * L[8] - L[2] * L[7]) +
    L[6] * (L[1] * L[5] - L[2] * L[4]);
  if (det < 0) {
    for (let t = 0; t < triangles.length; t += 3) {
      const b = triangles[t + 1];
      triangles[t + 1] = triangles[t + 2];
      triangles[t + 2] = b;
    }
  }
  return indexMesh;
}

/** A {@link SurfaceMesh} from patient-space points and triangles: vtk.js cell layout and outward vertex normals. */
export function surfaceMesh(points: Float64Array, triangles: Uint32Array, smoothing: number): SurfaceMesh {
  const normals = vertexNormals(points, triangles);
  const polys = new Uint32Array((triangles.length / 3) * 4);
  for (let t = 0, p = 0; t < triangles.length; t += 3, p += 4) {
    polys[p] = 3;
    polys[p + 1] = triangles[t];
    polys[p + 2] = triangles[t + 1];
    polys[p + 3] = triangles[t + 2];
  }
  // The typed-array constructor converts in one native pass (`Float32Array.from` would iterate).
  return { points: new Float32Array(points), normals, polys, smoothing };
}

/**
 * Limits smoothing to ±`limit` voxels per grid axis around each vertex's marching-cubes position, in place.
 *
 * Why: the windowed-sinc filter treats any shape with fewer than ~40 vertices around it as high frequency.
 * A spinal cord or a thin PTV ring that is three or four voxels across — routine at the 3–5 mm voxels of
 * head-and-neck planning grids — is such a shape, and the unconstrained filter shrinks it towards its centre
 * line (OpenKBP cords kept 2–60 % of their volume). The true boundary lies within half a voxel of the
 * marching-cubes vertex along the cut edge, so a vertex that stays in that box still describes the mask,
 * while organs many voxels across are smoothed as before (their vertices move less than the limit).
 */
export function clampDisplacement(
  smoothed: Float64Array,
  original: Float64Array,
  transform: GridTransform,
  limit: number,
): void {
  if (!Number.isFinite(limit)) return;
  const M = transform.inverse;
  const L = transform.linear;
  for (let q = 0; q < smoothed.length; q += 3) {
    const dx = smoothed[q] - original[q];
    const dy = smoothed[q + 1] - original[q + 1];
    const dz = smoothed[q + 2] - original[q + 2];
    // The displacement in voxels along i, j, k.
    const di = M[0] * dx + M[3] * dy + M[6] * dz;
    const dj = M[1] * dx + M[4] * dy + M[7] * dz;
    const dk = M[2] * dx + M[5] * dy + M[8] * dz;
    if (Math.abs(di) <= limit && Math.abs(dj) <= limit && Math.abs(dk) <= limit) continue;
    const ci = Math.max(-limit, Math.min(limit, di));
    const cj = Math.max(-limit, Math.min(limit, dj));
    const ck = Math.max(-limit, Math.min(limit, dk));
    smoothed[q] = original[q] + L[0] * ci + L[3] * cj + L[6] * ck;
    smoothed[q + 1] = original[q + 1] + L[1] * ci + L[4] * cj + L[7] * ck;
    smoothed[q + 2] = original[q + 2] + L[2] * ci + L[5] * cj + L[8] * ck;
  }
}

/**
 * Area-weighted unit vertex normals of a triangle mesh (the sum of the adjacent triangles' cross products),
 * pointing to the side from which the triangles are counter-clockwise.
 */
export function vertexNormals(points: ArrayLike<number>, triangles: Uint32Array): Float32Array {
  const acc = new Float64Array(points.length);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t];
    const b = 3 * triangles[t + 1];
    const c = 3 * triangles[t + 2];
    const ux = points[b] - points[a];
    const uy = points[b + 1] - points[a + 1];
    const uz = points[b + 2] - points[a + 2];
    const vx = points[c] - points[a];
    const vy = points[c + 1] - points[a + 1];
    const vz = points[c + 2] - points[a + 2];
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    acc[a] += nx;
    acc[a + 1] += ny;
    acc[a + 2] += nz;
    acc[b] += nx;
    acc[b + 1] += ny;
    acc[b + 2] += nz;
    acc[c] += nx;
    acc[c + 1] += ny;
    acc[c + 2] += nz;
  }
  const out = new Float32Array(points.length);
  for (let q = 0; q < acc.length; q += 3) {
    const len = Math.hypot(acc[q], acc[q + 1], acc[q + 2]);
    if (len > 0) {
      out[q] = acc[q] / len;
      out[q + 1] = acc[q + 1] / len;
      out[q + 2] = acc[q + 2] / len;
    }
  }
  return out;
}

/**
 * The volume enclosed by a closed triangle mesh (three vertex ids per triangle), by the divergence theorem:
 * the sum over triangles of the signed volumes of the tetrahedra they span with a reference point (the first
 * vertex, to limit cancellation). Positive for an outward-wound surface; in the points' units cubed.
 */
export function enclosedVolume(
  points: ArrayLike<number>,
  triangles: ArrayLike<number>,
  stride = 3,
  first = 0,
): number {
  if (points.length < 3) return 0;
  const [x0, y0, z0] = [points[0], points[1], points[2]];
  let sum = 0;
  for (let q = first; q < triangles.length; q += stride) {
    const a = 3 * triangles[q];
    const b = 3 * triangles[q + 1];
    const c = 3 * triangles[q + 2];
    const ax = points[a] - x0;
    const ay = points[a + 1] - y0;
    const az = points[a + 2] - z0;
    const bx = points[b] - x0;
    const by = points[b + 1] - y0;
    const bz = points[b + 2] - z0;
    const cx = points[c] - x0;
    const cy = points[c + 1] - y0;
    const cz = points[c + 2] - z0;
    sum += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
  }
  return sum / 6;
}

/** The volume enclosed by a closed surface in mm³ (see {@link enclosedVolume}); positive when wound outwards. */
export function surfaceVolumeMm3(mesh: SurfaceMesh): number {
  // polys is [3, a, b, c, …]: the vertex ids start at offset 1 with a stride of 4.
  return enclosedVolume(mesh.points, mesh.polys, 4, 1);
}

/** Surface area in mm². */
export function surfaceAreaMm2(mesh: SurfaceMesh): number {
  const { points: p, polys } = mesh;
  let sum = 0;
  for (let q = 0; q < polys.length; q += 4) {
    const a = 3 * polys[q + 1];
    const b = 3 * polys[q + 2];
    const c = 3 * polys[q + 3];
    const ux = p[b] - p[a];
    const uy = p[b + 1] - p[a + 1];
    const uz = p[b + 2] - p[a + 2];
    const vx = p[c] - p[a];
    const vy = p[c + 1] - p[a + 1];
    const vz = p[c + 2] - p[a + 2];
    sum += Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx) / 2;
  }
  return sum;
}

/** Input of {@link meshStructure}: a mask as typed arrays (so it crosses to a worker), its grid and options. */
export interface MeshRequest {
  readonly mask: SerializedMask;
  readonly geometry: ImageGeometry;
  readonly options?: SurfaceOptions;
}

/**
 * The meshing Job (`(input, { signal, progress }) => Promise<output>`): one structure's serialised mask →
 * its {@link SurfaceMesh}. This is what mesh.worker.ts serves; it runs as well on the main thread or in Node.
 */
export async function meshStructure(request: MeshRequest, options: JobOptions = {}): Promise<SurfaceMesh> {
  const mask = BinaryMask.deserialize(request.mask);
  return surfaceFromMask(mask, request.geometry, {
    ...request.options,
    signal: options.signal,
    progress: options.progress,
  });
}
