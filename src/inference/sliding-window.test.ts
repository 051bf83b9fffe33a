import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flipBatch, gaussianImportance, slidingWindow, softmaxChannels, tileStarts, type TileRunner } from './sliding-window.ts';

describe('tile placement (nnU-Net compute_steps_for_sliding_window)', () => {
  it('matches NumPy reference values', () => {
    // numpy: n = ceil((s - p) / (p * (1 - o))) + 1; steps = round((s - p) / (n - 1) * i)
    assert.deepEqual(tileStarts(173, 128, 0.5), [0, 45]);
    assert.deepEqual(tileStarts(300, 128, 0.5), [0, 57, 115, 172]);
    assert.deepEqual(tileStarts(128, 128, 0.5), [0]);
    assert.deepEqual(tileStarts(129, 128, 0.25), [0, 1]);
    assert.deepEqual(tileStarts(500, 96, 0), [0, 81, 162, 242, 323, 404]);
  });
  it('centres one tile on a region smaller than the patch', () => {
    assert.deepEqual(tileStarts(100, 128, 0.5), [-14]);
    assert.deepEqual(tileStarts(1, 16, 0.5), [-7]);
  });
});

describe('Gaussian importance map', () => {
  it('is the analytic separable Gaussian scaled to a maximum of 1', () => {
    const w = gaussianImportance([8, 6], 0.125);
    const g = (i: number, n: number) => Math.exp(-((i - (n - 1) / 2) ** 2) / (2 * (0.125 * n) ** 2));
    const norm = g(3, 8) * g(2, 6); // the largest value on the integer grid
    for (const [x, y] of [[0, 0], [3, 2], [7, 5], [4, 1]]) {
      assert.ok(Math.abs(w[y * 8 + x] - (g(x, 8) * g(y, 6)) / norm) < 1e-6, `at ${x},${y}`);
    }
    assert.ok(Math.max(...w) <= 1 + 1e-6 && Math.min(...w) > 0);
  });
  it('replaces zero weights with the smallest positive one', () => {
    const w = gaussianImportance([64], 0.01);
    assert.ok(Math.min(...w) > 0);
  });
});

describe('softmax', () => {
  it('matches exp(x) / Σ exp over channels and survives large logits', () => {
    const d = Float32Array.from([1, 1000, 2, 1000, 3, 0]);
    softmaxChannels(d, 0, 3, 2);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0] + e[1] + e[2];
    assert.ok(Math.abs(d[0] - e[0] / s) < 1e-6 && Math.abs(d[2] - e[1] / s) < 1e-6 && Math.abs(d[4] - e[2] / s) < 1e-6);
    assert.ok(Math.abs(d[1] - 0.5) < 1e-6 && Math.abs(d[3] - 0.5) < 1e-6 && d[5] < 1e-6);
  });
});

describe('flipBatch', () => {
  it('flips each item along x, y and z', () => {
    const d = Float32Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => i); // 2 items of [z=2, y=3, x=2]
    const fx = flipBatch(d, 2, [2, 3, 2], 'x');
    assert.deepEqual([...fx.subarray(0, 4)], [1, 0, 3, 2]);
    const fy = flipBatch(d, 2, [2, 3, 2], 'y');
    assert.deepEqual([...fy.subarray(0, 2)], [4, 5]);
    const fz = flipBatch(d, 2, [2, 3, 2], 'z');
    assert.deepEqual([...fz.subarray(12, 14)], [18, 19]);
    assert.deepEqual([...flipBatch(fx, 2, [2, 3, 2], 'x')], [...d]);
  });
});

/** A "network" computing its logits from the input and the position inside the tile, per item. */
function fnRunner(classes: number, f: (c: number, v: number, dx: number, dy: number) => number, calls: number[][] = []): TileRunner {
  return {
    async run(input, dims) {
      calls.push([...dims]);
      const [b, ch, py, px] = dims;
      const out = new Float32Array(b * classes * py * px);
      const mid = Math.floor(ch / 2);
      for (let n = 0; n < b; n++) {
        for (let c = 0; c < classes; c++) {
          for (let y = 0; y < py; y++) {
            for (let x = 0; x < px; x++) {
              const v = input[((n * ch + mid) * py + y) * px + x];
              out[((n * classes + c) * py + y) * px + x] = f(c, v, x, y);
            }
          }
        }
      }
      return out;
    },
  };
}

const sm2 = (a: number, b: number) => Math.exp(a) / (Math.exp(a) + Math.exp(b));

describe('sliding window', () => {
  const nx = 23;
  const ny = 17;
  const nz = 3;
  const data = Float32Array.from({ length: nx * ny * nz }, (_, o) => Math.sin(o * 0.37));
  const full = { lo: [0, 0, 0] as const, hi: [nx, ny, nz] as const };
  const spec = { layout: { kind: '2.5d' as const, contextSlices: 1 }, patch: [8, 8], overlap: 0.5, gaussianSigma: 0.125, classes: 2, batch: 5, padValue: -3 };

  it('is exact for a pointwise network whatever the tiling', async () => {
    const calls: number[][] = [];
    const p = await slidingWindow({ data, dimensions: [nx, ny, nz] }, full, spec, fnRunner(2, (c, v) => (c ? 2 * v : 0), calls), {});
    const n = nx * ny * nz;
    for (let o = 0; o < n; o++) {
      assert.ok(Math.abs(p[n + o] - sm2(2 * data[o], 0)) < 1e-5, `voxel ${o}`);
      assert.ok(Math.abs(p[o] + p[n + o] - 1) < 1e-5);
    }
    // 5 × 4 tiles per slice (23 → 5 starts, 17 → 4), 3 slices = 60 tiles, batches of 5 with 3 input channels.
    assert.equal(calls.length, 12);
    assert.deepEqual(calls[0], [5, 3, 8, 8]);
  });

  it('blends tiles with Gaussian weights exactly as a direct reference sum', async () => {
    // Output depends on the position inside the tile, so the blend is visible.
    const f = (c: number, _v: number, dx: number, dy: number) => (c ? (dx - dy) / 4 : 0);
    const p = await slidingWindow({ data, dimensions: [nx, ny, nz] }, full, spec, fnRunner(2, f), {});
    const w = gaussianImportance([8, 8], 0.125);
    const xs = tileStarts(nx, 8, 0.5);
    const ys = tileStarts(ny, 8, 0.5);
    const n = nx * ny * nz;
    for (const [x, y, z] of [[0, 0, 0], [5, 9, 1], [22, 16, 2], [11, 3, 1]]) {
      let num = 0;
      let den = 0;
      for (const x0 of xs) for (const y0 of ys) {
        const dx = x - x0;
        const dy = y - y0;
        if (dx < 0 || dy < 0 || dx >= 8 || dy >= 8) continue;
        num += w[dy * 8 + dx] * sm2(f(1, 0, dx, dy), 0);
        den += w[dy * 8 + dx];
      }
      assert.ok(Math.abs(p[n + (z * ny + y) * nx + x] - num / den) < 1e-5, `at ${x},${y},${z}`);
    }
  });

  it('feeds the neighbouring slices as channels, repeating the edge slice', async () => {
    const seen: number[][] = [];
    const runner: TileRunner = {
      async run(input, dims) {
        const [b, ch, py, px] = dims;
        for (let n = 0; n < b; n++) seen.push(Array.from({ length: ch }, (_, c) => input[((n * ch + c) * py + 0) * px + 0]));
        return new Float32Array(b * 2 * py * px);
      },
    };
    const g = Float32Array.from({ length: 4 * 4 * 3 }, (_, o) => Math.floor(o / 16)); // value = slice index
    await slidingWindow({ data: g, dimensions: [4, 4, 3] }, { lo: [0, 0, 0], hi: [4, 4, 3] }, { ...spec, patch: [4, 4] }, runner, {});
    assert.deepEqual(seen, [[0, 0, 1], [0, 1, 2], [1, 2, 2]]);
  });

  it('pads outside the volume and predicts background outside the crop box', async () => {
    const seen: number[] = [];
    const runner: TileRunner = {
      async run(input, dims) {
        seen.push(input[0]);
        return new Float32Array(dims[0] * 2 * dims[2] * dims[3]).fill(5);
      },
    };
    const p = await slidingWindow({ data, dimensions: [nx, ny, nz] }, { lo: [0, 0, 1], hi: [4, 4, 2] }, spec, runner, {});
    // The 8×8 tile centred on the 4×4 box starts at (−2, −2): its first value is padding.
    assert.equal(seen.length, 1);
    assert.equal(seen[0], -3);
    const n = nx * ny * nz;
    assert.equal(p[(1 * ny + 10) * nx + 10], 1); // outside the box: background 1
    assert.equal(p[n + (1 * ny + 10) * nx + 10], 0);
    assert.ok(Math.abs(p[n + (1 * ny + 3) * nx + 3] - 0.5) < 1e-6); // inside: equal logits → 0.5
  });

  it('averages mirrored predictions and swaps left/right channels', async () => {
    // Class 1 scores the voxel, class 2 its negation: a mirror with swap [1, 2] exchanges them, so the
    // TTA average of p and swapped p makes classes 1 and 2 equal everywhere.
    const runner = fnRunner(3, (c, v) => (c === 1 ? v : c === 2 ? -v : 0));
    const p = await slidingWindow({ data, dimensions: [nx, ny, nz] }, full, { ...spec, classes: 3, mirror: [{ axis: 'x', swapLabels: [[1, 2]] }] }, runner, {});
    const n = nx * ny * nz;
    for (let o = 0; o < n; o += 7) assert.ok(Math.abs(p[n + o] - p[2 * n + o]) < 1e-5);
  });

  it('reports progress in tiles and stops between batches when aborted', async () => {
    const reports: number[] = [];
    const ac = new AbortController();
    const runner = fnRunner(2, () => 0);
    const slow: TileRunner = {
      async run(i, d) {
        ac.abort();
        return runner.run(i, d);
      },
    };
    await assert.rejects(slidingWindow({ data, dimensions: [nx, ny, nz] }, full, spec, slow, { signal: ac.signal, progress: (p) => reports.push(p.done) }), { name: 'AbortError' });
    assert.equal(reports[0], 0);
    const all: { done: number; total: number }[] = [];
    await slidingWindow({ data, dimensions: [nx, ny, nz] }, full, spec, runner, { progress: (p) => all.push(p) });
    assert.equal(all.at(-1)!.done, 60);
    assert.equal(all.at(-1)!.total, 60);
  });

  it('keeps `concurrency` batches in flight and blends them in order, so the result does not depend on which finishes first', async () => {
    const f = (c: number, v: number, dx: number, dy: number) => (c ? v + (dx - dy) / 8 : 0);
    const serial = await slidingWindow({ data, dimensions: [nx, ny, nz] }, full, spec, fnRunner(2, f), {});
    const base = fnRunner(2, f);
    let inFlight = 0;
    let most = 0;
    let calls = 0;
    const pool: TileRunner = {
      concurrency: 3,
      async run(input, dims) {
        inFlight++;
        most = Math.max(most, inFlight);
        // Later batches often finish first, as a pool of workers would return them.
        const delay = [9, 1, 4, 0, 6][calls++ % 5];
        const out = await base.run(input.slice(), dims);
        await new Promise((r) => setTimeout(r, delay));
        inFlight--;
        return out;
      },
    };
    const reports: number[] = [];
    const pooled = await slidingWindow({ data, dimensions: [nx, ny, nz] }, full, spec, pool, { progress: (p) => reports.push(p.done) });
    assert.equal(most, 3);
    assert.equal(calls, 12);
    assert.deepEqual([...pooled], [...serial]); // bit-identical
    assert.deepEqual(reports, [...reports].sort((a, b) => a - b));
  });

  it('fails with the first failing batch and leaves no unhandled rejection from batches still in flight', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      let calls = 0;
      const failing: TileRunner = {
        concurrency: 2,
        async run() {
          const k = calls++;
          await new Promise((r) => setTimeout(r, k === 0 ? 5 : 1));
          throw new Error(`batch ${k} failed`);
        },
      };
      await assert.rejects(slidingWindow({ data, dimensions: [nx, ny, nz] }, full, spec, failing, {}), /batch 0 failed/);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
