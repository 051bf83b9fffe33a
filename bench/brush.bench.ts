// Brush dab on a 512×512 slice (editing issue): p95 ≤ 8 ms for the data update, excluding rendering.
// Measured twice: the raw dab on the mask, and the dab as a user makes it — through the structure set
// store — pointer events inside a stroke (beginEdit/apply), the stroke's undo patch recorded at its end —
// on a body-sized structure (the worst case for undo: its mask is the largest to snapshot and diff).
import { BinaryMask, IDENTITY, StructureSetStore, paintStroke, type ImageGeometry, type MaskEditSession, type Vec3 } from '../src/node.ts';
import { median, percentile, report } from './util.ts';

const g: ImageGeometry = { dimensions: [512, 512, 134], spacing: [0.977, 0.977, 3], origin: [-250, -250, -200], direction: IDENTITY };
const plane = { axis: 2 as const, index: 67 };
const body = BinaryMask.fromPredicate(g.dimensions, (i, j) => ((i - 256) / 230) ** 2 + ((j - 256) / 170) ** 2 <= 1);

function run(radiusMm: number, viaStore: boolean) {
  const store = new StructureSetStore(g);
  const id = store.add({ name: 'External', interpretedType: 'EXTERNAL', mask: body.clone() });
  const raw = new BinaryMask(g.dimensions);
  const times: number[] = [];
  let stroke: MaskEditSession | undefined;
  let prev: Vec3 = [100, 256, 67];
  for (let n = 0; n < 300; n++) {
    // A drag: each event moves the pointer ~3 mm along a wavy path crossing the body outline.
    const next: Vec3 = [100 + ((n * 3) % 300), 256 + 120 * Math.sin(n / 15), 67];
    const t0 = performance.now();
    if (viaStore) {
      // One stroke per 30 pointer events; its commit (the undo patch) is timed with its last event.
      stroke ??= store.beginEdit(id, 'Brush');
      stroke.apply((m) => void paintStroke(m, g.spacing, plane, prev, next, radiusMm, { value: true }));
      if (n % 30 === 29) {
        stroke.commit();
        stroke = undefined;
      }
    } else paintStroke(raw, g.spacing, plane, prev, next, radiusMm, { value: true });
    times.push(performance.now() - t0);
    prev = next;
  }
  const steady = times.slice(20);
  return { medianMs: +median(steady).toFixed(2), p95Ms: +percentile(steady, 95).toFixed(2), maxMs: +Math.max(...steady).toFixed(2) };
}

report('brush', {
  grid: '512x512x134',
  rawDab5mm: run(5, false),
  rawDab15mm: run(15, false),
  storeDab5mmOnBody: run(5, true),
  storeDab15mmOnBody: run(15, true),
  targetP95Ms: 8,
});
