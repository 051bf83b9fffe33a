import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import vtkCellArray from '@kitware/vtk.js/Common/Core/CellArray.js';
import vtkPoints from '@kitware/vtk.js/Common/Core/Points.js';
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData.js';
import vtkWindowedSincPolyDataFilter from '@kitware/vtk.js/Filters/General/WindowedSincPolyDataFilter.js';
import { BinaryMask } from '../domain/mask.ts';
import { paddedCrop, marchingCubes } from './marching-cubes.ts';
import { vertexAdjacency, windowedSincCoefficients, windowedSincSmooth } from './windowed-sinc.ts';

/** Marching cubes of a voxelised ellipsoid, scaled to millimetres by an anisotropic spacing. */
function ellipsoidMesh() {
  const mask = BinaryMask.fromPredicate(
    [24, 20, 12],
    (i, j, k) => ((i - 11.3) / 9) ** 2 + ((j - 9.6) / 7) ** 2 + ((k - 5.8) / 4.5) ** 2 <= 1,
  );
  const mesh = marchingCubes(paddedCrop(mask)!);
  const spacing = [0.8, 0.9, 2.5];
  const points = mesh.points.map((x, q) => x * spacing[q % 3] + [-40, 12, -150][q % 3]);
  return { points, triangles: mesh.triangles };
}

describe('vertexAdjacency', () => {
  it('lists each neighbour once and flags vertices on boundary edges', () => {
    // Two triangles sharing the edge 1–2: a square with a boundary all round.
    const adjacency = vertexAdjacency(4, new Uint32Array([0, 1, 2, 2, 1, 3]));
    const of = (v: number) => [...adjacency.neighbours.subarray(adjacency.start[v], adjacency.start[v + 1])];
    assert.deepEqual(of(0), [1, 2]);
    assert.deepEqual(of(1), [0, 2, 3]);
    assert.deepEqual(of(2), [0, 1, 3]);
    assert.deepEqual(of(3), [1, 2]);
    assert.deepEqual([...adjacency.boundary], [1, 1, 1, 1]);
    // A closed tetrahedron has no boundary.
    const tetra = vertexAdjacency(4, new Uint32Array([0, 2, 1, 0, 1, 3, 1, 2, 3, 0, 3, 2]));
    assert.deepEqual([...tetra.boundary], [0, 0, 0, 0]);
    assert.equal(tetra.neighbours.length, 12);
  });
});

describe('windowedSincSmooth', () => {
  it('has a pass-band response of exactly 1 (VTK’s Newton correction)', () => {
    for (const passBand of [0.1, 0.01, 0.001]) {
      const c = windowedSincCoefficients(20, passBand);
      const theta = Math.acos(1 - passBand / 2);
      let f = 0;
      for (let i = 0; i <= 20; i++) f += c[i] * Math.cos(i * theta);
      assert.ok(Math.abs(f - 1) < 1e-3, `passBand ${passBand}: response ${f}`);
    }
  });

  it('moves vertices as vtk.js WindowedSincPolyDataFilter does, to 1e-4 of the mesh size', () => {
    const { points, triangles } = ellipsoidMesh();
    const ours = windowedSincSmooth(points, triangles, { iterations: 20, passBand: 0.01 });

    const polys = new Uint32Array((triangles.length / 3) * 4);
    for (let t = 0, p = 0; t < triangles.length; t += 3, p += 4)
      polys.set([3, triangles[t], triangles[t + 1], triangles[t + 2]], p);
    const input = vtkPolyData.newInstance();
    const vtkPts = vtkPoints.newInstance();
    vtkPts.setData(Float64Array.from(points), 3);
    input.setPoints(vtkPts);
    const cells = vtkCellArray.newInstance({ values: polys });
    input.setPolys(cells);
    const filter = vtkWindowedSincPolyDataFilter.newInstance({
      numberOfIterations: 20,
      passBand: 0.01,
      featureEdgeSmoothing: 0,
      boundarySmoothing: 0,
      nonManifoldSmoothing: 1,
      normalizeCoordinates: 1,
    });
    filter.setInputData(input);
    const reference = filter.getOutputData().getPoints().getData() as Float32Array;
    assert.equal(reference.length, ours.length);

    let diagonal = 0;
    for (let a = 0; a < 3; a++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let q = a; q < points.length; q += 3) {
        lo = Math.min(lo, points[q]);
        hi = Math.max(hi, points[q]);
      }
      diagonal += (hi - lo) ** 2;
    }
    diagonal = Math.sqrt(diagonal);
    let worst = 0;
    let moved = 0;
    for (let q = 0; q < ours.length; q++) {
      worst = Math.max(worst, Math.abs(ours[q] - reference[q]));
      moved = Math.max(moved, Math.abs(ours[q] - points[q]));
    }
    // vtk.js keeps its intermediate terms in Float32: agreement is to its rounding, not to ours.
    assert.ok(worst < 1e-4 * diagonal, `largest difference ${worst} mm on a ${diagonal.toFixed(1)} mm mesh`);
    assert.ok(moved > 0.3, `the filter must actually move the staircase (moved ${moved} mm)`);
    filter.delete();
    input.delete();
    cells.delete();
    vtkPts.delete();
  });

  it('keeps a flat sheet flat, its boundary fixed, and does not depend on units or position', () => {
    // A 6 × 6 grid of vertices in the plane z = 0, jittered in-plane, two triangles per square.
    const n = 6;
    const points = new Float64Array(n * n * 3);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++)
        points.set([i + 0.3 * Math.sin(7 * i + j), j + 0.3 * Math.cos(3 * j + i), 0], 3 * (i + n * j));
    const tris: number[] = [];
    for (let j = 0; j + 1 < n; j++) {
      for (let i = 0; i + 1 < n; i++) {
        const a = i + n * j;
        tris.push(a, a + 1, a + n, a + 1, a + n + 1, a + n);
      }
    }
    const triangles = new Uint32Array(tris);
    const out = windowedSincSmooth(points, triangles, { iterations: 15, passBand: 0.05 });
    for (let v = 0; v < n * n; v++) {
      assert.equal(out[3 * v + 2], 0, `vertex ${v} left the plane`);
      const onBoundary = v % n === 0 || v % n === n - 1 || v < n || v >= n * (n - 1);
      if (onBoundary)
        assert.deepEqual(
          [...out.subarray(3 * v, 3 * v + 3)],
          [...points.subarray(3 * v, 3 * v + 3)],
          `boundary vertex ${v} moved`,
        );
    }
    // Scaled by 10 and shifted: the result is scaled and shifted the same way.
    const moved = points.map((x, q) => 10 * x + [100, -50, 7][q % 3]);
    const outMoved = windowedSincSmooth(moved, triangles, { iterations: 15, passBand: 0.05 });
    for (let q = 0; q < out.length; q++)
      assert.ok(Math.abs(outMoved[q] - (10 * out[q] + [100, -50, 7][q % 3])) < 1e-9);
  });

  it('rejects options that have no meaning', () => {
    const p = new Float64Array(9);
    const t = new Uint32Array([0, 1, 2]);
    assert.throws(() => windowedSincSmooth(p, t, { iterations: 0 }), RangeError);
    assert.throws(() => windowedSincSmooth(p, t, { passBand: 0 }), RangeError);
    assert.throws(() => windowedSincSmooth(p, t, { passBand: 3 }), RangeError);
  });
});
