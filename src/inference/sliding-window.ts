/**
 * Sliding-window inference with nnU-Net's semantics: tiles placed with a fractional overlap and spread evenly
 * over the region (first tile at the start, last tile at the end), each tile's softmax weighted by a Gaussian
 * importance map (σ = a fraction of the patch, so the unreliable tile borders count less), optional mirroring
 * test-time augmentation, and the weighted sum divided by the summed weights. The network is behind a
 * {@link TileRunner}, so this file knows nothing of ONNX Runtime and is tested against plain functions.
 * Browser-safe.
 */
import { throwIfAborted, throttleProgress, type JobOptions } from '../jobs/job.ts';
import type { Box3 } from './preprocess.ts';
import type { MirrorAxis } from './manifest.ts';

/**
 * Runs the network on a batch: input [B, C, ...spatial] → logits [B, classes, ...spatial], row-major.
 * `concurrency` (default 1) is how many `run` calls it can execute at once (a pool of workers): the sliding
 * window keeps that many batches in flight. `run` must not keep or modify `input` after it returns.
 */
export interface TileRunner {
  run(input: Float32Array, dims: readonly number[]): Promise<Float32Array>;
  readonly concurrency?: number;
}

/**
 * Tile start positions along one axis (nnU-Net `compute_steps_for_sliding_window`): the number of steps is
 * ceil((size − patch) / (patch · (1 − overlap))) + 1, spread evenly from 0 to size − patch. A region smaller
 * than the patch gets one tile centred on it (starting before 0: the reader pads).
 */
export function tileStarts(size: number, patch: number, overlap: number): number[] {
  if (size <= patch) return [0 - Math.floor((patch - size) / 2)];
  const step = patch * (1 - overlap);
  const n = Math.ceil((size - patch) / step) + 1;
  const span = size - patch;
  const out: number[] = [];
  for (let s = 0; s < n; s++) out.push(Math.round((span * s) / (n - 1)));
  return out;
}

/**
 * A Gaussian importance map over a patch (x fastest): exp(−d²/2σ²) per axis with σ = sigmaFraction · size,
 * centred on the patch centre, scaled to a maximum of 1; like nnU-Net, zeros are raised to the smallest
 * positive value so no voxel of a tile has weight 0.
 */
export function gaussianImportance(patch: readonly number[], sigmaFraction: number): Float32Array {
  const axes = patch.map((n) => {
    const c = (n - 1) / 2;
    const s = sigmaFraction * n;
    return Float64Array.from({ length: n }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * s * s)));
  });
  const total = patch.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  let max = 0;
  for (let o = 0; o < total; o++) {
    let rest = o;
    let w = 1;
    for (const ax of axes) {
      w *= ax[rest % ax.length];
      rest = Math.floor(rest / ax.length);
    }
    out[o] = w;
    if (w > max) max = w;
  }
  let minPos = Infinity;
  for (let o = 0; o < total; o++) {
    out[o] /= max;
    if (out[o] > 0 && out[o] < minPos) minPos = out[o];
  }
  for (let o = 0; o < total; o++) if (out[o] === 0) out[o] = minPos;
  return out;
}

/** In-place softmax over the channel axis of one item: `data[c * plane + p]` for c < classes. */
export function softmaxChannels(data: Float32Array, offset: number, classes: number, plane: number): void {
  for (let p = 0; p < plane; p++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, data[offset + c * plane + p]);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(data[offset + c * plane + p] - max);
      data[offset + c * plane + p] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let c = 0; c < classes; c++) data[offset + c * plane + p] *= inv;
  }
}

/** What the sliding window needs to know about the network and the tiling (from the manifest). */
export interface SlidingWindowSpec {
  readonly layout: { readonly kind: '2.5d'; readonly contextSlices: number } | { readonly kind: '3d' };
  /** [x, y] (2.5d) or [x, y, z] (3d). */
  readonly patch: readonly number[];
  readonly overlap: number;
  readonly gaussianSigma: number;
  readonly classes: number;
  readonly batch: number;
  /** Normalised value of voxels outside the volume. */
  readonly padValue: number;
  readonly mirror?: readonly MirrorAxis[];
}

/** A volume on the model grid, normalised, x fastest. */
export interface GridData {
  readonly data: Float32Array;
  readonly dimensions: readonly [number, number, number];
}

/**
 * Per-class probabilities over the model grid (`classes` planes of nx·ny·nz, class-major). Inside `box`
 * they come from the network; outside it background is 1 — the region the crop decided holds no anatomy.
 * Progress reports `tiles` done of total (a tile = one patch position, all its mirrors included); the signal is
 * checked between batches, the only place ONNX Runtime can be interrupted.
 */
export async function slidingWindow(grid: GridData, box: Box3, spec: SlidingWindowSpec, runner: TileRunner, options: JobOptions = {}): Promise<Float32Array> {
  const [nx, ny, nz] = grid.dimensions;
  const n = nx * ny * nz;
  const C = spec.classes;
  const is3d = spec.layout.kind === '3d';
  const ctx = spec.layout.kind === '2.5d' ? spec.layout.contextSlices : 0;
  const inCh = is3d ? 1 : 2 * ctx + 1;
  const [px, py] = spec.patch;
  const pz = is3d ? spec.patch[2] : 1;
  const plane = px * py * pz;
  const weight = gaussianImportance(is3d ? [px, py, pz] : [px, py], spec.gaussianSigma);
  const xs = tileStarts(box.hi[0] - box.lo[0], px, spec.overlap).map((s) => s + box.lo[0]);
  const ys = tileStarts(box.hi[1] - box.lo[1], py, spec.overlap).map((s) => s + box.lo[1]);
  const zs = is3d
    ? tileStarts(box.hi[2] - box.lo[2], pz, spec.overlap).map((s) => s + box.lo[2])
    : Array.from({ length: box.hi[2] - box.lo[2] }, (_, i) => box.lo[2] + i);
  const tiles: [number, number, number][] = [];
  for (const z of zs) for (const y of ys) for (const x of xs) tiles.push([x, y, z]);

  const acc = new Float32Array(C * n);
  const wsum = new Float32Array(n);
  const mirrors: (MirrorAxis | null)[] = [null, ...(spec.mirror ?? [])];
  const progress = throttleProgress(options.progress);
  progress({ stage: 'inference', done: 0, total: tiles.length, unit: 'tiles' });
  const src = grid.data;

  // Reads one tile (all input channels) into `dst` at `off`, padding outside the volume.
  const readTile = (dst: Float32Array, off: number, [x0, y0, z0]: [number, number, number]) => {
    for (let c = 0; c < inCh; c++) {
      for (let dz = 0; dz < pz; dz++) {
        // 2.5d: channel c is slice z0 + c − ctx, the edge slice repeated beyond the volume (as in training).
        const z = is3d ? z0 + dz : Math.min(nz - 1, Math.max(0, z0 + c - ctx));
        const zin = z >= 0 && z < nz;
        for (let dy = 0; dy < py; dy++) {
          const y = y0 + dy;
          const row = off + ((c * pz + dz) * py + dy) * px;
          if (!zin || y < 0 || y >= ny) {
            dst.fill(spec.padValue, row, row + px);
            continue;
          }
          const base = (z * ny + y) * nx;
          for (let dx = 0; dx < px; dx++) {
            const x = x0 + dx;
            dst[row + dx] = x >= 0 && x < nx ? src[base + x] : spec.padValue;
          }
        }
      }
    }
  };

  // One batch through the network, every mirror included: the summed softmax of its tiles.
  const runBatch = async (batchTiles: [number, number, number][]): Promise<Float32Array> => {
    const B = batchTiles.length;
    const input = new Float32Array(B * inCh * plane);
    batchTiles.forEach((t, b) => readTile(input, b * inCh * plane, t));
    const dims = is3d ? [B, 1, pz, py, px] : [B, inCh, py, px];
    const probs = new Float32Array(mirrors.length > 1 ? B * C * plane : 0);
    for (const m of mirrors) {
      const x = m ? flipBatch(input, B * inCh, [px, py, pz], m.axis) : input;
      const logits = await runner.run(x, dims);
      if (logits.length !== B * C * plane) throw new RangeError(`the network returned ${logits.length} values, expected ${B * C * plane} (${B}×${C}×${plane})`);
      throwIfAborted(options.signal);
      for (let b = 0; b < B; b++) softmaxChannels(logits, b * C * plane, C, plane);
      // Without mirrors the softmax is the sum: no copy (0 + v is v).
      if (mirrors.length === 1) return logits;
      const y = m ? flipBatch(logits, B * C, [px, py, pz], m.axis) : logits;
      const perm = channelPermutation(C, m?.swapLabels);
      for (let b = 0; b < B; b++) {
        for (let c = 0; c < C; c++) {
          const from = (b * C + perm[c]) * plane;
          const to = (b * C + c) * plane;
          for (let p = 0; p < plane; p++) probs[to + p] += y[from + p];
        }
      }
    }
    return probs;
  };

  // Up to `concurrency` batches in flight; results are blended strictly in batch order, so the floating-point
  // sums (and so the labels) do not depend on which worker finished first.
  const depth = Math.max(1, Math.floor(runner.concurrency ?? 1));
  const starts = Array.from({ length: Math.ceil(tiles.length / spec.batch) }, (_, i) => i * spec.batch);
  const inFlight: Promise<Float32Array>[] = [];
  let launched = 0;
  const launch = () => {
    const t0 = starts[launched++];
    const pending = runBatch(tiles.slice(t0, t0 + spec.batch));
    pending.catch(() => undefined); // a batch still in flight when an earlier one fails is not an unhandled rejection
    inFlight.push(pending);
  };
  const scale = 1 / mirrors.length;
  for (const t0 of starts) {
    throwIfAborted(options.signal);
    while (launched < starts.length && inFlight.length < depth) launch();
    const probs = await inFlight.shift()!;
    throwIfAborted(options.signal);
    // Keep the runner busy while this batch is blended.
    if (launched < starts.length) launch();
    const batchTiles = tiles.slice(t0, t0 + spec.batch);
    const B = batchTiles.length;
    batchTiles.forEach(([x0, y0, z0], b) => {
      for (let dz = 0; dz < pz; dz++) {
        const z = z0 + dz;
        if (z < box.lo[2] || z >= box.hi[2]) continue;
        for (let dy = 0; dy < py; dy++) {
          const y = y0 + dy;
          if (y < box.lo[1] || y >= box.hi[1]) continue;
          for (let dx = 0; dx < px; dx++) {
            const x = x0 + dx;
            if (x < box.lo[0] || x >= box.hi[0]) continue;
            const p = (dz * py + dy) * px + dx;
            const o = (z * ny + y) * nx + x;
            const w = weight[p];
            wsum[o] += w;
            for (let c = 0; c < C; c++) acc[c * n + o] += probs[(b * C + c) * plane + p] * w * scale;
          }
        }
      }
    });
    progress({ stage: 'inference', done: Math.min(tiles.length, t0 + B), total: tiles.length, unit: 'tiles' });
  }
  for (let o = 0; o < n; o++) {
    const w = wsum[o];
    if (w > 0) {
      const inv = 1 / w;
      for (let c = 0; c < C; c++) acc[c * n + o] *= inv;
    } else acc[o] = 1; // outside the crop: background
  }
  return acc;
}

/** The channel each output channel reads after a mirror (identity, with the swapped pairs exchanged). */
function channelPermutation(classes: number, swaps: MirrorAxis['swapLabels']): number[] {
  const perm = Array.from({ length: classes }, (_, c) => c);
  for (const [a, b] of swaps ?? []) {
    perm[a] = b;
    perm[b] = a;
  }
  return perm;
}

/** Flips `items` blocks of [pz, py, px] (x fastest) along one axis into a new array. */
export function flipBatch(data: Float32Array, items: number, [px, py, pz]: readonly number[], ax: 'x' | 'y' | 'z'): Float32Array {
  const out = new Float32Array(data.length);
  const plane = px * py * pz;
  for (let it = 0; it < items; it++) {
    const base = it * plane;
    for (let z = 0; z < pz; z++) {
      const zz = ax === 'z' ? pz - 1 - z : z;
      for (let y = 0; y < py; y++) {
        const yy = ax === 'y' ? py - 1 - y : y;
        const srcRow = base + (zz * py + yy) * px;
        const dstRow = base + (z * py + y) * px;
        if (ax === 'x') for (let x = 0; x < px; x++) out[dstRow + x] = data[srcRow + px - 1 - x];
        else out.set(data.subarray(srcRow, srcRow + px), dstRow);
      }
    }
  }
  return out;
}
