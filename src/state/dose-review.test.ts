import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryMask, IDENTITY, Volume, type ImageGeometry } from '../domain/index.ts';
import { CONSTRAINT_TEMPLATES } from '../domain/dose-constraints.ts';
import { StructureSetStore } from './structure-set.store.ts';
import { DoseReview, mainThreadDvhCalculator, type DvhCalculator } from './dose-review.ts';

const g: ImageGeometry = { dimensions: [40, 30, 10], spacing: [2, 2, 3], origin: [0, 0, 0], direction: IDENTITY };
/** Dose rising along i: voxel column i gets i Gy. */
const dose = new Volume({ ...g, data: new Float32Array(40 * 30 * 10).map((_, n) => n % 40), modality: 'RTDOSE' });
const slab = (i0: number, i1: number) => BinaryMask.fromPredicate(g.dimensions, (i) => i >= i0 && i < i1);

function counting(): DvhCalculator & { calls: number } {
  const inner = mainThreadDvhCalculator();
  const c = { calls: 0, setDose: inner.setDose, dispose: inner.dispose, dvh: (m: BinaryMask, ct: ImageGeometry) => (c.calls++, inner.dvh(m, ct)) };
  return c;
}

describe('dose review', () => {
  it('computes each structure once and recomputes only the one edited', async () => {
    const store = new StructureSetStore(g);
    const a = store.add({ name: 'Heart', mask: slab(0, 10) });
    store.add({ name: 'SpinalCord', mask: slab(20, 22) });
    const calculator = counting();
    const review = new DoseReview(store, { calculator, debounceMs: 0 });
    await review.setDose({ volume: dose, label: 'plan', predicted: false });
    await review.settled();
    assert.equal(calculator.calls, 2);
    const heart = review.dvhs$.value.get(a)!;
    assert.ok(Math.abs(heart.metrics.meanGy - 4.5) < 1e-6);
    assert.ok(Math.abs(heart.metrics.maxGy - 9) < 1e-6);
    store.editMask(a, 'Brush', (m) => m.set(10, 0, 0, true));
    await review.settled();
    assert.equal(calculator.calls, 3, 'only the edited structure');
    assert.ok(review.dvhs$.value.get(a)!.metrics.maxGy > 9.9);
    review.dispose();
  });

  it('checks a template, building Lungs from Lung_L and Lung_R minus the GTV', async () => {
    const store = new StructureSetStore(g);
    store.add({ name: 'Lung L', mask: slab(0, 20) });
    store.add({ name: 'Lung_R', mask: slab(20, 40) });
    store.add({ name: 'GTV', mask: slab(30, 40) });
    store.add({ name: 'Heart', mask: slab(30, 35) });
    const review = new DoseReview(store, { debounceMs: 0 });
    await review.setDose({ volume: dose, label: 'plan', predicted: false });
    review.setTemplate(CONSTRAINT_TEMPLATES.find((t) => t.id === 'thorax')!);
    await review.settled();
    const results = review.results$.value;
    const lungMean = results.find((r) => r.constraint.structure === 'Lungs' && r.constraint.metric === 'mean')!;
    // Lungs minus GTV = columns 0..29: mean 14.5 Gy ≤ 20.
    assert.equal(lungMean.status, 'pass');
    assert.ok(Math.abs(lungMean.value! - 14.5) < 1e-6);
    const v20 = results.find((r) => r.constraint.structure === 'Lungs' && r.constraint.metric === 'V')!;
    assert.ok(Math.abs(v20.value! - (100 * 10) / 30) < 1e-6);
    assert.equal(results.find((r) => r.constraint.structure === 'Heart' && r.constraint.metric === 'mean')!.status, 'fail');
    assert.equal(results.find((r) => r.constraint.structure === 'Esophagus')!.status, 'not-evaluable');
    review.dispose();
  });

  it('reviews a comparison dose beside the plan: its own DVHs and constraint results, following edits and the template', async () => {
    const store = new StructureSetStore(g);
    const heart = store.add({ name: 'Heart', mask: slab(30, 35) });
    const review = new DoseReview(store, { debounceMs: 0 });
    await review.setDose({ volume: dose, label: 'plan', predicted: false });
    review.setTemplate(CONSTRAINT_TEMPLATES.find((t) => t.id === 'thorax')!);
    // The prediction: half the plan's dose everywhere.
    const half = new Volume({ ...g, data: dose.data.map((v) => v / 2), modality: 'RTDOSE' });
    await review.setComparison({ volume: half, label: 'Predicted dose', predicted: true });
    await review.settled();
    const comparison = review.comparison$.value!;
    assert.ok(comparison, 'a comparison review');
    assert.equal(comparison.dose$.value!.label, 'Predicted dose');
    assert.ok(Math.abs(review.dvhs$.value.get(heart)!.metrics.meanGy - 32) < 1e-6);
    assert.ok(Math.abs(comparison.dvhs$.value.get(heart)!.metrics.meanGy - 16) < 1e-6);
    const heartMean = (r: DoseReview) => r.results$.value.find((x) => x.constraint.structure === 'Heart' && x.constraint.metric === 'mean')!;
    assert.equal(heartMean(review).status, 'fail', 'the plan: 32 Gy ≥ 26 Gy');
    assert.equal(heartMean(comparison).status, 'pass', 'the prediction: 16 Gy');

    // An edit reaches both; a new comparison dose reuses the comparison's review; none removes it.
    store.editMask(heart, 'Brush', (m) => m.set(39, 0, 0, true));
    await review.settled();
    assert.ok(review.dvhs$.value.get(heart)!.metrics.maxGy > 38.9);
    assert.ok(comparison.dvhs$.value.get(heart)!.metrics.maxGy > 19.4);
    review.setTemplate(null);
    await review.settled();
    assert.deepEqual(comparison.results$.value, []);
    await review.setComparison({ volume: dose, label: 'Predicted dose', predicted: true, stale: false });
    await review.settled();
    assert.equal(review.comparison$.value, comparison);
    assert.ok(comparison.dvhs$.value.get(heart)!.metrics.maxGy > 38.9);
    await review.setComparison(null);
    assert.equal(review.comparison$.value, null);
    review.dispose();
  });
});
