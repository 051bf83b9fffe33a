// The rules' binary-image operations against plain definitions on random masks: box erosion/dilation, hole
// filling, run-length connected components (against the domain's voxel labelling) and the vertical gaps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labelComponents } from '../../domain/ops/components.ts';
import { dilate2d, erode2d, fillHoles2d, runComponents, verticalGaps } from './morphology.ts';

let seed = 7;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
/** A random mask of blobs: a noise field thresholded after a few box smoothings, so it has holes and parts. */
function blobs(nx: number, ny: number, nz: number, p: number): Uint8Array {
  const m = new Uint8Array(nx * ny * nz);
  for (let o = 0; o < m.length; o++) m[o] = rnd() < p ? 1 : 0;
  return m;
}

describe('box erosion and dilation', () => {
  it('equal the min / max over the box, with outside counting as background', () => {
    for (let trial = 0; trial < 20; trial++) {
      const nx = 5 + Math.floor(rnd() * 20);
      const ny = 5 + Math.floor(rnd() * 20);
      const rx = Math.floor(rnd() * 4);
      const ry = Math.floor(rnd() * 4);
      const img = blobs(nx, ny, 1, trial % 2 ? 0.8 : 0.3);
      const tmp = new Uint8Array(nx * ny);
      const er = new Uint8Array(nx * ny);
      const di = new Uint8Array(nx * ny);
      erode2d(img, er, nx, ny, rx, ry, tmp);
      dilate2d(img, di, nx, ny, rx, ry, tmp);
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          let all = 1;
          let any = 0;
          for (let dy = -ry; dy <= ry; dy++) {
            for (let dx = -rx; dx <= rx; dx++) {
              const xx = x + dx;
              const yy = y + dy;
              const v = xx >= 0 && yy >= 0 && xx < nx && yy < ny ? img[yy * nx + xx] : 0;
              all &= v;
              any |= v;
            }
          }
          assert.equal(er[y * nx + x], all, `erosion at ${x},${y} (r ${rx},${ry}, trial ${trial})`);
          assert.equal(di[y * nx + x], any, `dilation at ${x},${y} (r ${rx},${ry}, trial ${trial})`);
        }
      }
      const inPlace = img.slice();
      dilate2d(inPlace, inPlace, nx, ny, rx, ry, tmp);
      assert.deepEqual(inPlace, di, 'out may be src');
    }
  });
});

describe('hole filling per slice', () => {
  it('fills exactly the background not 4-connected to the slice edge', () => {
    for (let trial = 0; trial < 10; trial++) {
      const [nx, ny, nz] = [30, 24, 3];
      const m = blobs(nx, ny, nz, 0.55);
      const got = fillHoles2d(m, nx, ny, nz);
      for (let k = 0; k < nz; k++) {
        const outside = new Uint8Array(nx * ny);
        const stack: number[] = [];
        for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) if ((x === 0 || y === 0 || x === nx - 1 || y === ny - 1) && !m[k * nx * ny + y * nx + x]) stack.push(y * nx + x);
        for (const p of stack) outside[p] = 1;
        while (stack.length) {
          const p = stack.pop()!;
          const x = p % nx;
          for (const q of [x > 0 ? p - 1 : -1, x < nx - 1 ? p + 1 : -1, p - nx, p + nx]) {
            if (q >= 0 && q < nx * ny && !outside[q] && !m[k * nx * ny + q]) {
              outside[q] = 1;
              stack.push(q);
            }
          }
        }
        for (let p = 0; p < nx * ny; p++) assert.equal(got[k * nx * ny + p], outside[p] ? 0 : 1, `slice ${k} pixel ${p}`);
      }
    }
  });
});

describe('run-length connected components', () => {
  it('find the same 6-connected components as the voxel labelling, largest first, with their x sums and extents', () => {
    for (let trial = 0; trial < 8; trial++) {
      const dims: [number, number, number] = [17, 13, 9];
      const m = blobs(...dims, 0.35 + trial * 0.03);
      const runs = runComponents(m, dims);
      const { labels, sizes } = labelComponents(m, dims, 6);
      assert.deepEqual([...runs.sizes], sizes.slice(1).sort((a, b) => b - a));
      // Every voxel's run component corresponds to exactly one voxel label, and the other way round.
      const pair = new Map<number, number>();
      const sumX = new Float64Array(runs.count);
      for (let r = 0; r < runs.start.length; r++) {
        for (let x = runs.start[r]; x <= runs.end[r]; x++) {
          const o = runs.row[r] * dims[0] + x;
          const c = runs.component[r];
          assert.equal(m[o], 1);
          if (!pair.has(c)) pair.set(c, labels[o]);
          assert.equal(pair.get(c), labels[o]);
          sumX[c] += x;
          assert.ok(x >= runs.minX[c] && x <= runs.maxX[c]);
        }
      }
      assert.equal(new Set(pair.values()).size, runs.count);
      assert.deepEqual([...runs.sumX], [...sumX]);
    }
  });
});

describe('vertical gaps', () => {
  it('are the bridgeable runs of at most maxGap voxels with the mask directly above and below', () => {
    // One column (1 × 1 × 12): mask at k = 0, 4, 11; bridgeable everywhere except k = 9.
    const mask = new Uint8Array(12);
    mask[0] = mask[4] = mask[11] = 1;
    const bridgeable = new Uint8Array(12).fill(1);
    bridgeable[9] = 0;
    const none = new Uint8Array(12);
    assert.deepEqual([...verticalGaps(mask, bridgeable, none, [1, 1, 12], 3)], [0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...verticalGaps(mask, bridgeable, none, [1, 1, 12], 2)], new Array(12).fill(0), 'a 3-voxel gap is taller than 2');
    const blocked = new Uint8Array(12);
    blocked[2] = 1;
    assert.deepEqual([...verticalGaps(mask, bridgeable, blocked, [1, 1, 12], 3)], new Array(12).fill(0), 'a blocked voxel breaks the bridge');
    bridgeable[9] = 1;
    assert.deepEqual([...verticalGaps(mask, bridgeable, none, [1, 1, 12], 6)], [0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0]);
  });
});
