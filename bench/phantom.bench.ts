// Phantom generation time (foundation issue): the built-in demo case and the clinical-size grid, axis
// aligned and oblique, including the exact ground-truth masks. Median of 5 runs after a warm-up.
import { generatePhantom, obliqueDirection, type PhantomOptions } from '../src/node.ts';
import { median, report, time } from './util.ts';

const cases: Record<string, PhantomOptions> = {
  demoDefault: {},
  clinical512x512x134: { dimensions: [512, 512, 134], spacing: [0.98, 0.98, 2.5] },
  oblique20deg512x512x134: { dimensions: [512, 512, 134], spacing: [0.98, 0.98, 2.5], direction: obliqueDirection(20) },
};

const figures: Record<string, unknown> = {};
for (const [name, options] of Object.entries(cases)) {
  generatePhantom(options);
  const ms: number[] = [];
  let voxels = 0;
  for (let r = 0; r < 5; r++) {
    const t = time(() => generatePhantom({ ...options, seed: r + 1 }));
    ms.push(t.ms);
    voxels = t.value.volume.data.length;
  }
  figures[name] = { medianMs: Math.round(median(ms)), minMs: Math.round(Math.min(...ms)), megavoxels: +(voxels / 1e6).toFixed(1) };
}
report('phantom', figures);
