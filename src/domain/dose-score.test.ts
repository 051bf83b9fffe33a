import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openKbpDoseError, openKbpDvhMetrics, openKbpScores, openKbpVoxelsIn0_1cc, scoreOpenKbpPatient, type PatientDoseScore } from './dose-score.ts';
import { percentileOfSorted } from './percentile.ts';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

describe('numpy percentile', () => {
  it('interpolates linearly between the closest ranks, as numpy.percentile does by default', () => {
    const v = [1, 2, 4, 8];
    close(percentileOfSorted(v, 0), 1, 'p0');
    close(percentileOfSorted(v, 100), 8, 'p100');
    // rank 0.5 · 3 = 1.5 → halfway between 2 and 4; rank 0.9 · 3 = 2.7 → 4 + 0.7 · 4.
    close(percentileOfSorted(v, 50), 3, 'p50');
    close(percentileOfSorted(v, 90), 6.8, 'p90');
    assert.ok(Number.isNaN(percentileOfSorted([], 50)));
  });
});

describe('OpenKBP DVH metrics', () => {
  it('takes 0.1 cc as max(1, round-half-even(100 mm³ / voxel)) voxels', () => {
    assert.equal(openKbpVoxelsIn0_1cc(10), 10);
    assert.equal(openKbpVoxelsIn0_1cc(40), 2, '2.5 rounds to the even 2, as numpy.round does');
    assert.equal(openKbpVoxelsIn0_1cc(8), 12, '12.5 → 12');
    assert.equal(openKbpVoxelsIn0_1cc(100 / 3.25), 3);
    assert.equal(openKbpVoxelsIn0_1cc(2000), 1, 'at least one voxel');
    assert.throws(() => openKbpVoxelsIn0_1cc(0), RangeError);
  });

  it('gives an organ D_0.1_cc at percentile 100 − 100·v/N and its mean dose, over the mask only', () => {
    // 40 voxels inside receiving 1..40 Gy, 20 outside at 100 Gy; 10 mm³ voxels → v = 10 → percentile 75 →
    // rank 0.75 · 39 = 29.25 between 30 and 31 Gy.
    const dose = Float32Array.from({ length: 60 }, (_, o) => (o < 40 ? o + 1 : 100));
    const mask = Uint8Array.from({ length: 60 }, (_, o) => (o < 40 ? 1 : 0));
    const m = openKbpDvhMetrics(dose, mask, 10, 'oar')!;
    close(m['D_0.1_cc']!, 30.25, 'D_0.1_cc');
    close(m.mean!, 20.5, 'mean');
    assert.deepEqual(Object.keys(m).sort(), ['D_0.1_cc', 'mean']);
  });

  it('gives a target D99, D95 and D1 as the 1st, 5th and 99th percentiles of its voxel doses', () => {
    // 11 voxels at 0..10 Gy in scrambled order: ranks 0.1, 0.5 and 9.9.
    const dose = [7, 3, 10, 0, 5, 1, 9, 2, 8, 4, 6];
    const m = openKbpDvhMetrics(dose, new Uint8Array(11).fill(1), 30, 'target')!;
    close(m.D_99!, 0.1, 'D99');
    close(m.D_95!, 0.5, 'D95');
    close(m.D_1!, 9.9, 'D1');
  });

  it('skips an empty structure, reads a structure under 0.1 cc at its minimum and rejects a mask of another size', () => {
    assert.equal(openKbpDvhMetrics([1, 2, 3], [0, 0, 0], 10, 'oar'), null);
    // 3 voxels, 10 needed for 0.1 cc: the percentile would be negative.
    close(openKbpDvhMetrics([5, 2, 9], [1, 1, 1], 10, 'oar')!['D_0.1_cc']!, 2, 'D_0.1_cc of a tiny organ');
    assert.throws(() => openKbpDvhMetrics([1, 2], [1, 1, 1], 10, 'oar'), RangeError);
  });
});

describe('OpenKBP dose score', () => {
  it('divides the absolute error by the possible-dose voxels and counts the prediction as 0 outside the mask', () => {
    const reference = [10, 20, 0, 0, 6];
    const predicted = [12, 15, 7, 30, 50];
    const mask = [1, 1, 1, 0, 0];
    // Inside: 2 + 5 + 7; outside: the prediction is 0, so only the reference's 6 Gy counts: 20 / 3.
    close(openKbpDoseError(reference, predicted, mask), 20 / 3, 'dose error');
    assert.throws(() => openKbpDoseError([1], [1], [0]), /possible-dose mask is empty/);
    assert.throws(() => openKbpDoseError([1, 2], [1], [1, 1]), RangeError);
  });

  it('scores a patient: the dose error and every metric of every contoured structure, on the masked prediction', () => {
    const n = 20;
    const reference = Float32Array.from({ length: n }, (_, o) => o);
    // Off by +1 Gy everywhere, and a hot voxel outside the possible-dose mask that must not count.
    const predicted = Float32Array.from({ length: n }, (_, o) => (o === 19 ? 90 : o + 1));
    const possibleDoseMask = Uint8Array.from({ length: n }, (_, o) => (o < 19 ? 1 : 0));
    const organ = Uint8Array.from({ length: n }, (_, o) => (o >= 10 ? 1 : 0));
    const target = Uint8Array.from({ length: n }, (_, o) => (o < 5 ? 1 : 0));
    const s = scoreOpenKbpPatient({
      reference, predicted, possibleDoseMask, voxelVolumeMm3: 50,
      structures: [{ name: 'Parotid', role: 'oar', mask: organ }, { name: 'PTV70', role: 'target', mask: target }, { name: 'Larynx', role: 'oar', mask: new Uint8Array(n) }],
    });
    // 19 voxels off by 1, the 20th: reference 19, prediction masked to 0.
    close(s.doseErrorGy, (19 + 19) / 19, 'dose error');
    assert.deepEqual(s.metrics.map((m) => `${m.structure} ${m.metric}`), ['Parotid D_0.1_cc', 'Parotid mean', 'PTV70 D_99', 'PTV70 D_95', 'PTV70 D_1'], 'the empty Larynx is not scored');
    // Organ: 10 voxels, v = 2 → percentile 80 → rank 7.2. Reference 10..19 → 17.2; prediction 11..19 and the
    // masked 0, sorted 0, 11, …, 19 → also between 17 and 18 → 17.2.
    const byName = Object.fromEntries(s.metrics.map((m) => [`${m.structure} ${m.metric}`, m]));
    close(byName['Parotid D_0.1_cc'].referenceGy, 17.2, 'reference D0.1cc');
    close(byName['Parotid D_0.1_cc'].predictedGy, 17.2, 'predicted D0.1cc');
    close(byName['Parotid mean'].referenceGy, 14.5, 'reference mean');
    close(byName['Parotid mean'].predictedGy, (11 + 12 + 13 + 14 + 15 + 16 + 17 + 18 + 19) / 10, 'predicted mean, the masked voxel at 0');
    close(byName['PTV70 D_1'].errorGy, 1, 'target shifted by 1 Gy');
  });
});

describe('OpenKBP set scores', () => {
  it('averages the dose score over patients and pools every DVH metric of every patient for the DVH score', () => {
    const m = (structure: string, metric: 'mean' | 'D_0.1_cc', errorGy: number) => ({ structure, metric, referenceGy: 0, predictedGy: errorGy, errorGy });
    const a: PatientDoseScore = { doseErrorGy: 2, metrics: [m('Brainstem', 'mean', 1), m('Brainstem', 'D_0.1_cc', 1), m('Larynx', 'mean', 1), m('Larynx', 'D_0.1_cc', 1), m('Mandible', 'mean', 1)] };
    const b: PatientDoseScore = { doseErrorGy: 4, metrics: [m('Brainstem', 'mean', 4), m('Brainstem', 'D_0.1_cc', 4)] };
    const s = openKbpScores([a, b]);
    close(s.doseScoreGy, 3, 'dose score');
    close(s.dvhScoreGy, 13 / 7, 'pooled DVH score, not the mean of per-patient means (2.5)');
    assert.deepEqual(s.perMetric.map((x) => [x.structure, x.metric, x.patients, x.meanAbsErrorGy]), [
      ['Brainstem', 'mean', 2, 2.5], ['Brainstem', 'D_0.1_cc', 2, 2.5], ['Larynx', 'mean', 1, 1], ['Larynx', 'D_0.1_cc', 1, 1], ['Mandible', 'mean', 1, 1],
    ]);
    assert.deepEqual(s.perStructure.map((x) => [x.structure, x.values, x.meanAbsErrorGy]), [['Brainstem', 4, 2.5], ['Larynx', 2, 1], ['Mandible', 1, 1]]);
    assert.ok(Number.isNaN(openKbpScores([]).doseScoreGy));
  });
});
