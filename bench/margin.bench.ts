// Structure operations (editing issue): an exact 10 mm margin of a 300 cc target on a 512×512×134 grid
// (NSCLC-like 0.977 × 0.977 × 3 mm voxels) must take ≤ 300 ms. Also times a 5 mm/7 mm sup-inf anisotropic
// margin, a 3 mm shrink, and a union of two such structures.
import { BinaryMask, GridTransform, IDENTITY, expandMask, shrinkMask, uniformMargins, type ImageGeometry } from '../src/node.ts';
import { median, report, time } from './util.ts';

const g: ImageGeometry = { dimensions: [512, 512, 134], spacing: [0.977, 0.977, 3], origin: [-250, -250, -200], direction: IDENTITY };
const t = new GridTransform(g);
const radius = Math.cbrt((300_000 * 3) / (4 * Math.PI)); // 300 cc sphere, mm
const c = t.toPatient([256, 256, 67]);
const target = BinaryMask.fromPredicate(g.dimensions, (i, j, k) => {
  const p = t.toPatient([i, j, k]);
  return (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2 <= radius * radius;
});
const cc = (m: BinaryMask) => (m.count() * 0.977 * 0.977 * 3) / 1000;

const runs = (f: () => BinaryMask, n = 7) => {
  f(); // warm-up (JIT)
  const ms: number[] = [];
  let out: BinaryMask | undefined;
  for (let r = 0; r < n; r++) {
    const x = time(f);
    ms.push(x.ms);
    out = x.value;
  }
  return { medianMs: +median(ms).toFixed(1), maxMs: +Math.max(...ms).toFixed(1), cc: +cc(out!).toFixed(1) };
};

report('margin', {
  grid: '512x512x134 @ 0.977x0.977x3 mm',
  targetCc: +cc(target).toFixed(1),
  expand10mm: runs(() => expandMask(target, g, uniformMargins(10))),
  analyticExpand10mmCc: +(((4 / 3) * Math.PI * (radius + 10) ** 3) / 1000).toFixed(1),
  expand5mm7mmSupInf: runs(() => expandMask(target, g, { right: 5, left: 5, anterior: 5, posterior: 5, superior: 7, inferior: 7 })),
  shrink3mm: runs(() => shrinkMask(target, g, uniformMargins(3))),
  union: runs(() => target.clone().combine(expandMask(target, g, uniformMargins(3)), 'union'), 3),
  targetMs: 300,
});
