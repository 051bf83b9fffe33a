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
import { paddedCrop, marchingCubes } from './marching-cubes.ts';
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
}

/** An empty surface (the surface of an empty structure). */
export const EMPTY_SURFACE: SurfaceMesh = Object.freeze({
  points: new Float32Array(0),
  normals: new Float32Array(0),
  polys: new Uint32Array(0),
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
  // (a lung's marching cubes takes ~50 ms, well under what a user notices after pressing stop).
  const mcProgress = stage('marching cubes');
  const indexMesh = marchingCubes(crop, (done, total) =>
    mcProgress({ stage: 'marching cubes', done, total, unit: 'slabs' }),
  );
  await tick();

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

  const smoothProgress = stage('smoothing');
  const smoothed =
    smoothing > 0
      ? windowedSincSmooth(points, triangles, {
          iterations,
          passBand: 10 ** (-4 * smoothing),
          onIteration: (done, total) =>
            smoothProgress({ stage: 'smoothing', done, total, unit: 'iterations' }),
        })
      : points;
  await tick();

  const normals = vertexNormals(smoothed, triangles);
  const polys = new Uint32Array((triangles.length / 3) * 4);
  for (let t = 0, p = 0; t < triangles.length; t += 3, p += 4) {
    polys[p] = 3;
    polys[p + 1] = triangles[t];
    polys[p + 2] = triangles[t + 1];
    polys[p + 3] = triangles[t + 2];
  }
  stage('normals')({ stage: 'normals', done: 1, total: 1, unit: 'surfaces' });
  // The typed-array constructor converts in one native pass (`Float32Array.from` would iterate).
  return { points: new Float32Array(smoothed), normals, polys };
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
 * The volume enclosed by a closed surface in mm³, by the divergence theorem: the sum over triangles of the
 * signed volumes of the tetrahedra they span with the origin. Positive for an outward-wound surface.
 */
export function surfaceVolumeMm3(mesh: SurfaceMesh): number {
  const { points: p, polys } = mesh;
  let sum = 0;
  for (let q = 0; q < polys.length; q += 4) {
    const a = 3 * polys[q + 1];
    const b = 3 * polys[q + 2];
    const c = 3 * polys[q + 3];
    // a · (b × c), with coordinates relative to the first vertex of the mesh to limit cancellation.
    const ax = p[a] - p[0];
    const ay = p[a + 1] - p[1];
    const az = p[a + 2] - p[2];
    const bx = p[b] - p[0];
    const by = p[b + 1] - p[1];
    const bz = p[b + 2] - p[2];
    const cx = p[c] - p[0];
    const cy = p[c + 1] - p[1];
    const cz = p[c + 2] - p[2];
    sum += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
  }
  return sum / 6;
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
