import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray.js';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData.js';
import vtkImageMarchingCubes from '@kitware/vtk.js/Filters/General/ImageMarchingCubes.js';
import type { Vec3 } from '../domain/geometry.ts';
import { BinaryMask } from '../domain/mask.ts';
import { paddedCrop, marchingCubes, type IndexMesh } from './marching-cubes.ts';

/** A seeded generator (mulberry32), so random masks are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A lumpy random blob: voxels of a noisy ball, which produces every kind of marching-cubes case. */
function blob(dims: Vec3, seed: number, fill = 0.55): BinaryMask {
  const r = random(seed);
  const c = dims.map((n) => (n - 1) / 2);
  const rad = Math.min(...dims) / 2;
  return BinaryMask.fromPredicate(dims, (i, j, k) => {
    const d = Math.hypot(i - c[0], j - c[1], k - c[2]) / rad;
    return d < 0.5 || (d < 1.05 && r() < fill);
  });
}

/** Undirected edge → the oriented uses of it, for closedness and winding checks. */
function edgeUses(mesh: IndexMesh): Map<string, number[]> {
  const uses = new Map<string, number[]>();
  const t = mesh.triangles;
  for (let q = 0; q < t.length; q += 3) {
    for (let e = 0; e < 3; e++) {
      const a = t[q + e];
      const b = t[q + ((e + 1) % 3)];
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      const list = uses.get(key) ?? [];
      list.push(a < b ? 1 : -1);
      uses.set(key, list);
    }
  }
  return uses;
}

/** Signed volume (index units) of a closed index mesh by the divergence theorem. */
function indexVolume(mesh: IndexMesh): number {
  const p = mesh.points;
  const t = mesh.triangles;
  let sum = 0;
  for (let q = 0; q < t.length; q += 3) {
    const [a, b, c] = [3 * t[q], 3 * t[q + 1], 3 * t[q + 2]];
    sum +=
      p[a] * (p[b + 1] * p[c + 2] - p[b + 2] * p[c + 1]) -
      p[a + 1] * (p[b] * p[c + 2] - p[b + 2] * p[c]) +
      p[a + 2] * (p[b] * p[c + 1] - p[b + 1] * p[c]);
  }
  return sum / 6;
}

describe('paddedCrop', () => {
  it('copies the bounding box plus padding, with zeros where the padding leaves the grid', () => {
    const mask = new BinaryMask([20, 18, 6]);
    mask.set(0, 5, 0, true); // on the grid's corner faces: the padding leaves the grid on −i and −k
    mask.set(3, 9, 2, true);
    mask.set(2, 7, 1, true);
    const crop = paddedCrop(mask, 1)!;
    assert.deepEqual(crop.offset, [-1, 4, -1]);
    assert.deepEqual(crop.dimensions, [6, 7, 5]);
    let ones = 0;
    for (let k = 0; k < 5; k++) {
      for (let j = 0; j < 7; j++) {
        for (let i = 0; i < 6; i++) {
          const [gi, gj, gk] = [i - 1, j + 4, k - 1];
          const expected = mask.inBounds(gi, gj, gk) && mask.get(gi, gj, gk) ? 1 : 0;
          assert.equal(crop.data[i + 6 * (j + 7 * k)], expected, `voxel ${gi},${gj},${gk}`);
          ones += expected;
        }
      }
    }
    assert.equal(ones, 3);
    assert.equal(paddedCrop(new BinaryMask([4, 4, 4])), null);
  });
});

describe('marchingCubes', () => {
  it('turns one voxel into a closed octahedron around its centre, wound outwards', () => {
    const mask = new BinaryMask([5, 5, 5]);
    mask.set(2, 3, 1, true);
    const mesh = marchingCubes(paddedCrop(mask)!);
    assert.equal(mesh.points.length / 3, 6);
    assert.equal(mesh.triangles.length / 3, 8);
    const pts = [];
    for (let q = 0; q < mesh.points.length; q += 3)
      pts.push([mesh.points[q] - 2, mesh.points[q + 1] - 3, mesh.points[q + 2] - 1].join(','));
    assert.deepEqual(
      pts.sort(),
      ['-0.5,0,0', '0,-0.5,0', '0,0,-0.5', '0,0,0.5', '0,0.5,0', '0.5,0,0'].sort(),
    );
    // Octahedron with half-diagonal ½: volume 4/3 · (½)³ = 1/6, positive because the winding is outward.
    assert.ok(Math.abs(indexVolume(mesh) - 1 / 6) < 1e-12, String(indexVolume(mesh)));
  });

  it('gives closed, consistently wound, manifold surfaces on random blobs (also cut by the grid edge)', () => {
    for (const [seed, dims] of [
      [1, [14, 12, 10]],
      [2, [9, 16, 11]],
      [3, [12, 12, 12]],
    ] as [number, Vec3][]) {
      const mask = blob(dims, seed);
      const mesh = marchingCubes(paddedCrop(mask)!);
      assert.ok(mesh.triangles.length > 300, `seed ${seed}: ${mesh.triangles.length / 3} triangles`);
      for (const [edge, uses] of edgeUses(mesh)) {
        assert.equal(uses.length, 2, `seed ${seed}: edge ${edge} is used by ${uses.length} triangles`);
        assert.equal(
          uses[0] + uses[1],
          0,
          `seed ${seed}: edge ${edge} is walked the same way by both triangles`,
        );
      }
      // Each connected piece of the blob is a closed surface: the volume is that of the voxels, less the
      // corners marching cubes cuts off (at most about a sixth of a voxel per boundary voxel).
      const volume = indexVolume(mesh);
      assert.ok(
        volume > 0 && volume < mask.count(),
        `seed ${seed}: volume ${volume} vs ${mask.count()} voxels`,
      );
      assert.ok(volume > mask.count() * 0.7, `seed ${seed}: volume ${volume} vs ${mask.count()} voxels`);
    }
  });

  it('produces exactly the triangles of vtk.js ImageMarchingCubes (same case table)', () => {
    const mask = blob([13, 11, 9], 7, 0.6);
    const crop = paddedCrop(mask)!;
    const ours = marchingCubes(crop);

    const image = vtkImageData.newInstance();
    image.setDimensions([...crop.dimensions]);
    image.setOrigin([...crop.offset]);
    image.setSpacing([1, 1, 1]);
    image.getPointData().setScalars(vtkDataArray.newInstance({ values: crop.data, numberOfComponents: 1 }));
    const filter = vtkImageMarchingCubes.newInstance({
      contourValue: 0.5,
      computeNormals: false,
      mergePoints: true,
    });
    filter.setInputData(image);
    // vtk.js times itself with console.time; keep the test output clean.
    const { time, timeEnd } = console;
    console.time = console.timeEnd = () => {};
    let output;
    try {
      output = filter.getOutputData();
    } finally {
      Object.assign(console, { time, timeEnd });
    }
    const vtkPoints = output.getPoints().getData() as Float32Array;
    const vtkPolys = output.getPolys().getData() as Uint32Array;
    assert.equal(vtkPoints.length, ours.points.length, 'vertex count');
    assert.equal(vtkPolys.length / 4, ours.triangles.length / 3, 'triangle count');

    // Vertices are edge midpoints: twice their coordinates are integers and identify them exactly.
    const key = (p: ArrayLike<number>, v: number) =>
      `${Math.round(2 * p[3 * v])},${Math.round(2 * p[3 * v + 1])},${Math.round(2 * p[3 * v + 2])}`;
    // A triangle as its three vertex keys rotated to start at the smallest, so winding is compared too.
    const triangleKey = (ks: string[]) => {
      const m = ks.indexOf([...ks].sort()[0]);
      return [ks[m], ks[(m + 1) % 3], ks[(m + 2) % 3]].join(' ');
    };
    const mine = new Set<string>();
    for (let t = 0; t < ours.triangles.length; t += 3)
      mine.add(triangleKey([0, 1, 2].map((e) => key(ours.points, ours.triangles[t + e]))));
    for (let t = 0; t < vtkPolys.length; t += 4) {
      assert.equal(vtkPolys[t], 3);
      const k = triangleKey([1, 2, 3].map((e) => key(vtkPoints, vtkPolys[t + e])));
      assert.ok(mine.has(k), `vtk.js triangle ${k} is missing`);
    }
    filter.delete();
    image.delete();
  });
});
