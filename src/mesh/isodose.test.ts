import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GridTransform, mulMat3, rotation, voxelCount, type ImageGeometry, type Vec3 } from '../domain/geometry.ts';
import { isAbortError, type Progress } from '../jobs/job.ts';
import { isodoseSurface, meshIsodoses } from './isodose.ts';
import { EMPTY_SURFACE, surfaceVolumeMm3, triangleCount, type SurfaceMesh } from './surface.ts';

// An oblique, offset, anisotropic dose grid whose direction is a reflection (frames stacked against the normal),
// centred near a point that is not the origin: the surface must come out in patient millimetres through all of it.
const CENTRE: Vec3 = [-37.2, 118.4, -455.9];
const direction = mulMat3(rotation([1, 2, 3], 27), [1, 0, 0, 0, 1, 0, 0, 0, -1]);
const dims: [number, number, number] = [40, 34, 28];
const spacing: Vec3 = [2.5, 3, 4];
const half = new GridTransform({ dimensions: dims, spacing, origin: [0, 0, 0], direction }).toPatient([19.3, 16.1, 13.7]);
const grid: ImageGeometry = { dimensions: dims, spacing, origin: [CENTRE[0] - half[0], CENTRE[1] - half[1], CENTRE[2] - half[2]], direction };

/** A dose falling off linearly from 100 Gy at the centre to 0 at 2R: its 50 % isodose is the sphere of radius R. */
function coneDose(g: ImageGeometry, R: number): Float32Array {
  const t = new GridTransform(g);
  const out = new Float32Array(voxelCount(g));
  const [nx, ny, nz] = g.dimensions;
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++) {
        const p = t.toPatient([i, j, k]);
        out[o] = Math.max(0, 100 * (1 - Math.hypot(p[0] - CENTRE[0], p[1] - CENTRE[1], p[2] - CENTRE[2]) / (2 * R)));
      }
  return out;
}

/** Every undirected edge is used by exactly two triangles, once in each direction: closed and consistently wound. */
function assertClosed(mesh: SurfaceMesh, label: string): void {
  const uses = new Map<string, number>();
  const t = mesh.polys;
  for (let q = 0; q < t.length; q += 4) {
    for (let e = 0; e < 3; e++) {
      const a = t[q + 1 + e]!;
      const b = t[q + 1 + ((e + 1) % 3)]!;
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      uses.set(key, (uses.get(key) ?? 0) + (a < b ? 1 : 1000));
    }
  }
  const bad = [...uses.values()].filter((u) => u !== 1001).length;
  assert.equal(bad, 0, `${label}: ${bad} edges are not shared by two opposite triangles`);
}

describe('isodose surfaces', () => {
  const R = 30;
  const dose = coneDose(grid, R);

  it('puts the 50 % isodose of a spherical falloff on its sphere, enclosing the sphere’s volume, wound outwards', () => {
    const mesh = isodoseSurface(dose, grid, 50);
    assert.ok(triangleCount(mesh) > 1000, `${triangleCount(mesh)} triangles`);
    assertClosed(mesh, '50 %');
    const p = mesh.points;
    const n = mesh.normals;
    let worst = 0;
    let worstNormal = 1;
    for (let q = 0; q < p.length; q += 3) {
      const d = [p[q]! - CENTRE[0], p[q + 1]! - CENTRE[1], p[q + 2]! - CENTRE[2]];
      const r = Math.hypot(d[0]!, d[1]!, d[2]!);
      worst = Math.max(worst, Math.abs(r - R));
      worstNormal = Math.min(worstNormal, (n[q]! * d[0]! + n[q + 1]! * d[1]! + n[q + 2]! * d[2]!) / r);
    }
    // Vertices interpolated along 2.5–4 mm edges: off the sphere by the chord of the edge, far under a voxel (a
    // midpoint vertex, as for a mask, would be up to 2 mm off).
    assert.ok(worst < 0.15, `a vertex is ${worst.toFixed(3)} mm off the sphere`);
    assert.ok(worstNormal > 0.9, `a normal is ${((Math.acos(worstNormal) * 180) / Math.PI).toFixed(1)}° off the outward radius`);
    const analytic = (4 / 3) * Math.PI * R ** 3;
    const volume = surfaceVolumeMm3(mesh);
    assert.ok(Math.abs(volume / analytic - 1) < 0.02, `enclosed ${volume.toFixed(0)} mm³, sphere ${analytic.toFixed(0)} mm³`);
  });

  it('nests the levels: each higher isodose encloses the smaller sphere its dose gives', () => {
    for (const [level, radius] of [[70, 0.6 * R], [30, 1.4 * R]] as const) {
      const volume = surfaceVolumeMm3(isodoseSurface(dose, grid, level));
      const analytic = (4 / 3) * Math.PI * radius ** 3;
      assert.ok(Math.abs(volume / analytic - 1) < 0.03, `${level} Gy: ${volume.toFixed(0)} mm³, sphere of ${radius} mm ${analytic.toFixed(0)} mm³`);
    }
    assert.equal(isodoseSurface(dose, grid, 100.5), EMPTY_SURFACE);
    assert.throws(() => isodoseSurface(dose, grid, 0), RangeError);
    assert.throws(() => isodoseSurface(dose.subarray(1), grid, 50), RangeError);
  });

  it('closes a dose that reaches the edge of its grid at that edge', () => {
    // Every voxel at 10 Gy: the 5 Gy surface lies halfway to the 0 Gy beyond the grid, on the boundary of the region
    // the voxels cover (its corners and edges cut by marching cubes' chamfer).
    const flat = new Float32Array(voxelCount(grid)).fill(10);
    const mesh = isodoseSurface(flat, grid, 5);
    assertClosed(mesh, 'whole grid');
    const t = new GridTransform(grid);
    let outside = 0;
    for (let q = 0; q < mesh.points.length; q += 3) {
      const index = t.toIndex([mesh.points[q]!, mesh.points[q + 1]!, mesh.points[q + 2]!]);
      const onFace = index.some((x, a) => Math.abs(x + 0.5) < 1e-3 || Math.abs(x - (dims[a]! - 0.5)) < 1e-3);
      const within = index.every((x, a) => x > -0.5 - 1e-3 && x < dims[a]! - 0.5 + 1e-3);
      if (!onFace || !within) outside++;
    }
    assert.equal(outside, 0, `${outside} vertices are not on the boundary of the grid's voxels`);
    const box = dims[0] * spacing[0] * dims[1] * spacing[1] * dims[2] * spacing[2];
    assert.ok(Math.abs(surfaceVolumeMm3(mesh) / box - 1) < 0.01, `${surfaceVolumeMm3(mesh)} mm³ vs the grid's ${box} mm³`);
  });

  it('as a job gives one surface per level in order, counts levels as progress, and stops when cancelled', async () => {
    const seen: Progress[] = [];
    const meshes = await meshIsodoses({ dose, geometry: grid, levelsGy: [80, 50, 30] }, { progress: (p) => seen.push(p) });
    const volumes = meshes.map(surfaceVolumeMm3);
    assert.ok(volumes[0]! < volumes[1]! && volumes[1]! < volumes[2]!, `volumes ${volumes.join(', ')}`);
    assert.deepEqual(seen.map((p) => [p.done, p.total, p.unit]), [[1, 3, 'levels'], [2, 3, 'levels'], [3, 3, 'levels']]);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(meshIsodoses({ dose, geometry: grid, levelsGy: [50] }, { signal: controller.signal }), (e: unknown) => isAbortError(e));
  });
});
