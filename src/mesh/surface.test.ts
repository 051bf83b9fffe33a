import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GridTransform,
  IDENTITY,
  rotation,
  type ImageGeometry,
  type Mat3,
  type Vec3,
  voxelVolumeMm3,
} from '../domain/geometry.ts';
import { BinaryMask } from '../domain/mask.ts';
import { isAbortError, type Progress } from '../jobs/job.ts';
import { generatePhantom, obliqueDirection, type Phantom } from '../phantom/phantom.ts';
import {
  EMPTY_SURFACE,
  meshStructure,
  surfaceAreaMm2,
  surfaceFromMask,
  surfaceVolumeMm3,
  triangleCount,
  type SurfaceMesh,
} from './surface.ts';

const gtvOf = (phantom: Phantom) => phantom.structures.find((s) => s.name === 'GTV')!;

/**
 * Checks a surface against an analytic sphere: every vertex within `tolMm` of the radius, the enclosed volume
 * within `volumeTol` (relative) of 4/3·π·r³, normals pointing outwards along the radius.
 */
function assertSphere(
  mesh: SurfaceMesh,
  centre: Vec3,
  radius: number,
  tolMm: number,
  volumeTol: number,
  label: string,
): void {
  const { points: p, normals: n } = mesh;
  assert.ok(triangleCount(mesh) > 500, `${label}: ${triangleCount(mesh)} triangles`);
  let worst = 0;
  let sumDeviation = 0;
  let worstNormal = 1;
  const mean = [0, 0, 0];
  for (let q = 0; q < p.length; q += 3) {
    const d: Vec3 = [p[q] - centre[0], p[q + 1] - centre[1], p[q + 2] - centre[2]];
    const r = Math.hypot(...d);
    worst = Math.max(worst, Math.abs(r - radius));
    sumDeviation += Math.abs(r - radius);
    worstNormal = Math.min(worstNormal, (n[q] * d[0] + n[q + 1] * d[1] + n[q + 2] * d[2]) / r);
    for (let a = 0; a < 3; a++) mean[a] += p[q + a] / (p.length / 3);
  }
  assert.ok(
    worst <= tolMm,
    `${label}: a vertex is ${worst.toFixed(3)} mm off the sphere (tolerance ${tolMm} mm)`,
  );
  // On average the smoothed surface is much closer than the worst vertex: the staircase is gone.
  const meanDeviation = sumDeviation / (p.length / 3);
  assert.ok(
    meanDeviation <= tolMm / 3,
    `${label}: vertices are on average ${meanDeviation.toFixed(3)} mm off the sphere`,
  );
  assert.ok(
    worstNormal > 0.85,
    `${label}: a normal is ${Math.acos(worstNormal) * (180 / Math.PI)}° off the outward radius`,
  );
  // The points are in patient millimetres: the vertices' centroid is the sphere's centre.
  for (let a = 0; a < 3; a++)
    assert.ok(Math.abs(mean[a] - centre[a]) < 0.2, `${label}: centroid ${mean} vs centre ${centre}`);
  const analytic = (4 / 3) * Math.PI * radius ** 3;
  const volume = surfaceVolumeMm3(mesh);
  assert.ok(
    Math.abs(volume / analytic - 1) <= volumeTol,
    `${label}: volume ${volume.toFixed(0)} mm³ vs analytic ${analytic.toFixed(0)} mm³`,
  );
  const area = surfaceAreaMm2(mesh);
  assert.ok(Math.abs(area / (4 * Math.PI * radius ** 2) - 1) < 0.05, `${label}: area ${area.toFixed(0)} mm²`);
}

/** Half the extent of a voxel of `g` along its largest axis: the accuracy a voxel mask itself has. */
const halfVoxel = (g: ImageGeometry) => Math.max(...g.spacing) / 2;

describe('surfaceFromMask (phantom GTV, an analytic sphere)', () => {
  it('lands within half a voxel of the sphere in patient coordinates, with the sphere’s volume (axial grid)', async () => {
    const phantom = generatePhantom();
    const { gtvCenter, gtvRadiusMm } = phantom.anatomy;
    const mesh = await surfaceFromMask(gtvOf(phantom).mask, phantom.volume.geometry);
    assertSphere(mesh, gtvCenter, gtvRadiusMm, halfVoxel(phantom.volume), 0.02, 'axial 1.56 × 1.56 × 2.5 mm');
    assert.equal(mesh.smoothing, 0.5, 'a sphere 25 voxels across is smoothed as asked');
  });

  it('applies the direction of an oblique grid (20° about two axes) and anisotropic 0.98 × 0.98 × 3 mm voxels', async () => {
    for (const [label, options] of [
      [
        'oblique',
        {
          direction: obliqueDirection(20),
          dimensions: [360, 360, 150] as Vec3,
          spacing: [1.4, 1.4, 2] as Vec3,
        },
      ],
      ['anisotropic', { dimensions: [512, 512, 134] as Vec3, spacing: [0.977, 0.977, 3] as Vec3 }],
    ] as const) {
      const phantom = generatePhantom({ ...options, noiseHu: 0 });
      const { gtvCenter, gtvRadiusMm } = phantom.anatomy;
      const mesh = await surfaceFromMask(gtvOf(phantom).mask, phantom.volume.geometry);
      assertSphere(mesh, gtvCenter, gtvRadiusMm, halfVoxel(phantom.volume), 0.02, label);
    }
  });

  it('keeps the winding and normals outward on a grid whose direction is a reflection (slices stacked feet-first)', async () => {
    // k runs inferior: det(direction) = −1, as in a series whose slices are stored head to feet.
    const direction: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, -1];
    const g: ImageGeometry = {
      dimensions: [48, 44, 30],
      spacing: [1.2, 1.1, 1.5],
      origin: [-30, -20, 40],
      direction,
    };
    const t = new GridTransform(g);
    const centre = t.toPatient([23.3, 21.8, 14.6]);
    const radius = 16;
    const mask = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => {
      const p = t.toPatient([i, j, k]);
      return Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) <= radius;
    });
    const mesh = await surfaceFromMask(mask, g);
    assertSphere(mesh, centre, radius, halfVoxel(g), 0.03, 'reflected');
  });
});

describe('smoothing of thin structures', () => {
  // A cord-like tube on a head-and-neck planning grid: 4 × 4 × 3 mm voxels, 12 mm across (three voxels).
  const g: ImageGeometry = {
    dimensions: [24, 24, 40],
    spacing: [4, 4, 3],
    origin: [-48, -48, -60],
    direction: IDENTITY,
  };
  const t = new GridTransform(g);
  const tube = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => {
    const p = t.toPatient([i, j, k]);
    return k >= 4 && k < 36 && Math.hypot(p[0] - 1.3 + 0.05 * p[2], p[1] + 0.7) <= 6.2;
  });

  it('smooths less rather than thinning a structure a few voxels across', async () => {
    const staircase = surfaceVolumeMm3(await surfaceFromMask(tube, g, { smoothing: 0 }));
    const mesh = await surfaceFromMask(tube, g);
    assert.ok(mesh.smoothing < 0.5 && mesh.smoothing > 0, `smoothing applied ${mesh.smoothing}`);
    assert.ok(
      surfaceVolumeMm3(mesh) >= 0.97 * staircase,
      `${surfaceVolumeMm3(mesh)} mm³ vs ${staircase} mm³ unsmoothed`,
    );
    // The unconstrained filter at full strength collapses the tube towards its axis: the guard is what keeps it.
    const collapsed = await surfaceFromMask(tube, g, { maxVolumeLoss: 0.999, maxDisplacement: Infinity });
    assert.equal(collapsed.smoothing, 0.5);
    assert.ok(
      surfaceVolumeMm3(collapsed) < 0.6 * staircase,
      `unconstrained: ${surfaceVolumeMm3(collapsed)} mm³`,
    );
  });

  it('never moves a vertex more than half a voxel along a grid axis from its marching-cubes position', async () => {
    const oblique: ImageGeometry = { ...g, direction: rotation([1, 2, 0.5], 30) };
    const mask = BinaryMask.fromPredicate(
      oblique.dimensions,
      (i, j, k) => (i - 11) ** 2 + (j - 12) ** 2 <= 9 && k > 3 && k < 30,
    );
    const raw = await surfaceFromMask(mask, oblique, { smoothing: 0 });
    const smooth = await surfaceFromMask(mask, oblique, { maxVolumeLoss: 0.999 });
    const ot = new GridTransform(oblique);
    let largest = 0;
    for (let q = 0; q < raw.points.length; q += 3) {
      const a = ot.toIndex([raw.points[q], raw.points[q + 1], raw.points[q + 2]]);
      const b = ot.toIndex([smooth.points[q], smooth.points[q + 1], smooth.points[q + 2]]);
      for (let x = 0; x < 3; x++) largest = Math.max(largest, Math.abs(a[x] - b[x]));
    }
    assert.ok(largest <= 0.5 + 1e-4, `a vertex moved ${largest} voxels`);
    assert.ok(largest > 0.4, 'and the limit is reached: without it this tube would shrink further');
  });
});

describe('surfaceFromMask', () => {
  const g: ImageGeometry = {
    dimensions: [20, 16, 12],
    spacing: [2, 1.5, 3],
    origin: [10, -5, 100],
    direction: IDENTITY,
  };

  it('without smoothing puts every vertex on a cut voxel edge’s midpoint, and closes structures that touch the grid edge', async () => {
    // A box of voxels touching three faces of the grid: the one-voxel padding outside the grid closes it.
    const mask = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => i < 5 && j >= 10 && k >= 4 && k < 12);
    const mesh = await surfaceFromMask(mask, g, { smoothing: 0 });
    const t = new GridTransform(g);
    for (let q = 0; q < mesh.points.length; q += 3) {
      const idx = t.toIndex([mesh.points[q], mesh.points[q + 1], mesh.points[q + 2]]);
      const halves = idx.filter((x) => Math.abs(x - Math.round(x)) > 0.25).length;
      assert.equal(halves, 1, `vertex at index ${idx} is not an edge midpoint`);
    }
    // A voxel box's marching-cubes surface is the box shrunk by half a voxel with its edges and corners
    // bevelled: a bit less than the voxels' volume, more than the half-voxel-shrunk box.
    const voxels = mask.count() * voxelVolumeMm3(g);
    const volume = surfaceVolumeMm3(mesh);
    assert.ok(volume < voxels && volume > 4 * 2 * 5 * 1.5 * 7 * 3, `volume ${volume} vs voxels ${voxels}`);
  });

  it('returns the empty surface for an empty mask and refuses a mask on another grid or bad options', async () => {
    assert.equal(await surfaceFromMask(new BinaryMask(g.dimensions), g), EMPTY_SURFACE);
    const one = new BinaryMask(g.dimensions);
    one.set(3, 3, 3, true);
    await assert.rejects(surfaceFromMask(new BinaryMask([20, 16, 11]), g), RangeError);
    await assert.rejects(surfaceFromMask(one, g, { smoothing: 2 }), RangeError);
    await assert.rejects(surfaceFromMask(one, g, { iterations: 0 }), RangeError);
    await assert.rejects(surfaceFromMask(one, g, { maxDisplacement: 0 }), RangeError);
    await assert.rejects(surfaceFromMask(one, g, { maxVolumeLoss: 1 }), RangeError);
  });

  it('reports progress in real units up to the whole job, and stops with an AbortError when cancelled', async () => {
    const phantom = generatePhantom({ dimensions: [160, 160, 56], spacing: [3.125, 3.125, 5], noiseHu: 0 });
    const lung = phantom.structures.find((s) => s.name === 'Lung_L')!;
    const reports: Progress[] = [];
    await surfaceFromMask(lung.mask, phantom.volume.geometry, { progress: (p) => reports.push(p) });
    assert.deepEqual([...new Set(reports.map((r) => r.stage))], ['marching cubes', 'smoothing', 'normals']);
    assert.ok(reports.some((r) => r.stage === 'marching cubes' && r.unit === 'slabs' && r.done === r.total));
    assert.ok(
      reports.some(
        (r) => r.stage === 'smoothing' && r.unit === 'iterations' && r.total === 20 && r.done === 20,
      ),
    );
    for (let r = 1; r < reports.length; r++)
      assert.ok(reports[r].overall! >= reports[r - 1].overall!, 'overall progress never goes back');
    assert.equal(reports.at(-1)!.overall, 1);

    const controller = new AbortController();
    controller.abort();
    const error = await surfaceFromMask(lung.mask, phantom.volume.geometry, {
      signal: controller.signal,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isAbortError(error), String(error));
  });

  it('gives the same surface through the serialised-mask job as from the mask itself', async () => {
    const phantom = generatePhantom({ dimensions: [160, 160, 56], spacing: [3.125, 3.125, 5], noiseHu: 0 });
    const heart = phantom.structures.find((s) => s.name === 'Heart')!;
    const direct = await surfaceFromMask(heart.mask, phantom.volume.geometry);
    const viaJob = await meshStructure({ mask: heart.mask.serialize(), geometry: phantom.volume.geometry });
    assert.deepEqual(viaJob.points, direct.points);
    assert.deepEqual(viaJob.polys, direct.polys);
    assert.deepEqual(viaJob.normals, direct.normals);
    // Volume agrees with the voxel count to a few per cent on this coarse grid.
    const voxels = heart.mask.count() * voxelVolumeMm3(phantom.volume);
    assert.ok(Math.abs(surfaceVolumeMm3(direct) / voxels - 1) < 0.03);
  });
});
