// The sliding window's own work around the network — reading tiles, softmax, Gaussian blending, normalising —
// for hn-oar's tiling of a head-and-neck CT: two 144 × 96 × 96 patches of 8 classes over a 160 × 110 × 120 model
// grid, with an instant network (a copy of fixed logits), so the figure is the JavaScript the engine adds to each
// run (in Node and in the browser's segmentation worker alike), not ONNX Runtime.
//
//   npm run bench -- sliding-window
import { slidingWindow } from '../src/node.ts';
import { median, report } from './util.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 8);
const C = 8;
const patch = [144, 96, 96];
const plane = patch[0] * patch[1] * patch[2];
let seed = 1;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const logits = Float32Array.from({ length: C * plane }, () => random() * 8 - 4);
const dimensions = [160, 110, 120] as const;
const grid = { data: new Float32Array(dimensions[0] * dimensions[1] * dimensions[2]), dimensions };
const box = { lo: [8, 10, 4] as [number, number, number], hi: [152, 100, 116] as [number, number, number] };
const spec = { layout: { kind: '3d' as const }, patch, overlap: 0.5, gaussianSigma: 0.125, classes: C, batch: 1, padValue: -2 };

const ms: number[] = [];
let tiles = 0;
for (let r = 0; r < RUNS; r++) {
  let network = 0;
  tiles = 0;
  const t0 = performance.now();
  await slidingWindow(grid, box, spec, {
    async run() {
      const t = performance.now();
      const out = logits.slice();
      network += performance.now() - t;
      tiles++;
      return out;
    },
  });
  ms.push(performance.now() - t0 - network);
}
report('sliding-window', {
  what: `sliding-window work outside the network: ${tiles} patches of ${patch.join(' × ')}, ${C} classes, on a ${dimensions.join(' × ')} grid; median of ${RUNS} runs (the first runs include JIT warm-up)`,
  medianMs: Math.round(median(ms)),
  runsMs: ms.map(Math.round),
});
