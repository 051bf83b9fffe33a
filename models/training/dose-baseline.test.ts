/**
 * The dose evaluation's scoring path on real patients: two OpenKBP validation patients scored as
 * evaluate-dose.ts scores them, against the distance baseline's committed table and evaluation. If the scores,
 * the distance transform, the table lookup or the patient reading change, the figures reported for the
 * baseline no longer come out and this fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openKbpScores, scoreOpenKbpPatient, voxelVolumeMm3, type PatientDoseScore } from '../../src/node.ts';
import { loadOpenKbpPatient, lookup, openKbpStructures, predictDistanceBaseline, readDistanceTable } from './dose-baseline.ts';

const DATA = '../shared/data/openkbp/validation';
const TABLE = 'models/training/dose-baseline-table.json';
const EVALUATION = 'models/training/dose-baseline-evaluation.json';

describe('dose evaluation on OpenKBP validation patients', () => {
  it('reproduces the committed baseline scores of pt_201 and pt_202, and scores the clinical dose itself at 0', async () => {
    const table = await readDistanceTable(TABLE);
    const committed = JSON.parse(await readFile(EVALUATION, 'utf8')) as { perPatient: Record<string, { baseline: PatientDoseScore }> };
    const scores: PatientDoseScore[] = [];
    for (const id of ['pt_201', 'pt_202']) {
      const p = await loadOpenKbpPatient(DATA, id);
      const structures = openKbpStructures(p);
      const input = { reference: p.dose.data, possibleDoseMask: p.possibleDoseMask.data, voxelVolumeMm3: voxelVolumeMm3(p.dose), structures };
      const s = scoreOpenKbpPatient({ ...input, predicted: predictDistanceBaseline(table, p.ptv) });
      const expected = committed.perPatient[id].baseline;
      assert.ok(Math.abs(s.doseErrorGy - expected.doseErrorGy) < 1e-6, `${id} dose error ${s.doseErrorGy} vs ${expected.doseErrorGy}`);
      assert.deepEqual(s.metrics.map((m) => `${m.structure} ${m.metric}`), expected.metrics.map((m) => `${m.structure} ${m.metric}`));
      s.metrics.forEach((m, n) => {
        assert.ok(Math.abs(m.referenceGy - expected.metrics[n].referenceGy) < 1e-6, `${id} ${m.structure} ${m.metric} reference`);
        assert.ok(Math.abs(m.predictedGy - expected.metrics[n].predictedGy) < 1e-4, `${id} ${m.structure} ${m.metric} baseline: ${m.predictedGy} vs ${expected.metrics[n].predictedGy}`);
      });
      // Every patient has a 70 Gy PTV, scored on D99, D95 and D1 at doses of a 70 Gy plan.
      const d95 = s.metrics.find((m) => m.structure === 'PTV70' && m.metric === 'D_95')!;
      assert.ok(d95.referenceGy > 60 && d95.referenceGy < 72, `PTV70 D95 ${d95.referenceGy}`);
      scores.push(s);

      const perfect = scoreOpenKbpPatient({ ...input, predicted: p.dose.data });
      assert.equal(perfect.doseErrorGy, 0);
      assert.ok(perfect.metrics.every((m) => m.errorGy === 0));
      // A dose 10 % too high everywhere: the dose error is 10 % of the mean dose over the possible-dose mask.
      let sum = 0;
      let n = 0;
      for (let o = 0; o < p.dose.data.length; o++) {
        if (!p.possibleDoseMask.data[o]) continue;
        sum += p.dose.data[o];
        n++;
      }
      const hot = scoreOpenKbpPatient({ ...input, predicted: Float32Array.from(p.dose.data, (d) => 1.1 * d) });
      assert.ok(Math.abs(hot.doseErrorGy - (0.1 * sum) / n) < 1e-3, `${hot.doseErrorGy} vs ${(0.1 * sum) / n}`);
    }
    // The baseline is a weak predictor, not a broken one: between the clinical dose (0) and no dose at all.
    const summary = openKbpScores(scores);
    assert.ok(summary.doseScoreGy > 3 && summary.doseScoreGy < 15, `dose score ${summary.doseScoreGy}`);
    assert.ok(summary.dvhScoreGy > 2 && summary.dvhScoreGy < 15, `DVH score ${summary.dvhScoreGy}`);
  });

  it('reads the table linearly between bin centres and flat beyond its ends', async () => {
    const t = { ...(await readDistanceTable(TABLE)), minMm: -4, binMm: 2 };
    const meanGy = [70, 60, 40];
    // Bin centres at −3, −1 and +1 mm.
    assert.equal(lookup(t, meanGy, -3), 70);
    assert.equal(lookup(t, meanGy, -2), 65);
    assert.equal(lookup(t, meanGy, 0), 50);
    assert.equal(lookup(t, meanGy, -50), 70);
    assert.equal(lookup(t, meanGy, 80), 40);
  });
});
