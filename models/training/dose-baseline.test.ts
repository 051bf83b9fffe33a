/**
 * The dose evaluation's scoring path on real patients: two OpenKBP validation patients scored as
 * evaluate-dose.ts scores them, against the distance baseline's committed table and evaluation. If the scores,
 * the distance transform, the table lookup or the patient reading change, the figures reported for the
 * baseline no longer come out and this fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { IDENTITY, Volume, openKbpScores, scoreOpenKbpPatient, voxelVolumeMm3, type PatientDoseScore } from '../../src/node.ts';
import { DistanceTableBuilder, loadOpenKbpPatient, lookup, openKbpStructures, predictDistanceBaseline, readDistanceTable } from './dose-baseline.ts';

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
      assert.ok(Math.abs(s.doseErrorGy - expected.doseErrorGy) < 2e-6, `${id} dose error ${s.doseErrorGy} vs ${expected.doseErrorGy}`);
      assert.deepEqual(s.metrics.map((m) => `${m.structure} ${m.metric}`), expected.metrics.map((m) => `${m.structure} ${m.metric}`));
      s.metrics.forEach((m, n) => {
        assert.ok(Math.abs(m.referenceGy - expected.metrics[n].referenceGy) < 2e-6, `${id} ${m.structure} ${m.metric} reference`);
        assert.ok(Math.abs(m.predictedGy - expected.metrics[n].predictedGy) < 2e-6, `${id} ${m.structure} ${m.metric} baseline: ${m.predictedGy} vs ${expected.metrics[n].predictedGy}`);
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

  it('builds each level table from the signed distances of the voxels, from every voxel or only where that PTV is nearest', () => {
    // A row of six 2 mm voxels: PTV70 at i = 0, PTV56 at i = 5. Signed distances to PTV70: −2, 2, 4, 6, 8, 10 mm;
    // to PTV56 the same mirrored. Bins of 2 mm from −4 mm: −2 → bin 1, 2 → 3, 4 → 4, 6 → 5, 8 → 6, 10 → 7.
    const vol = (data: Float32Array | Uint8Array, modality: string) => new Volume({ dimensions: [6, 1, 1], spacing: [2, 2, 2], origin: [0, 0, 0], direction: IDENTITY, data, modality });
    const patient = {
      id: 'row',
      ptv: vol(Uint8Array.from([3, 0, 0, 0, 0, 1]), 'MASK'),
      dose: vol(Float32Array.from([70, 50, 40, 40, 45, 56]), 'RTDOSE'),
      possibleDoseMask: vol(new Uint8Array(6).fill(1), 'MASK'),
    };
    const build = (attribution: 'all' | 'nearest') => {
      const b = new DistanceTableBuilder(attribution, -4, 12, 2);
      b.add(patient);
      return b.table();
    };
    const all = build('all');
    // Empty bins: before the first filled one its value, between two filled ones linear.
    assert.deepEqual(all.levels['70'].meanGy, [70, 70, 60, 50, 40, 40, 45, 56]);
    assert.deepEqual(all.levels['56'].meanGy, [56, 56, 50.5, 45, 40, 40, 50, 70]);
    assert.deepEqual(all.levels['70'].voxels, [0, 1, 0, 1, 1, 1, 1, 1]);
    // Nearest: i = 0, 1, 2 belong to PTV70, i = 3, 4, 5 to PTV56; beyond the last filled bin its value.
    const nearest = build('nearest');
    assert.deepEqual(nearest.levels['70'].meanGy, [70, 70, 60, 50, 40, 40, 40, 40]);
    assert.deepEqual(nearest.levels['56'].meanGy, [56, 56, 50.5, 45, 40, 40, 40, 40]);
    // The prediction: per voxel the larger level, read between bin centres (a distance on a bin edge is the mean
    // of the two bins beside it). i = 2: PTV70 at 4 mm → (50 + 40) / 2, PTV56 at 6 mm → (40 + 40) / 2.
    const pred = predictDistanceBaseline(nearest, patient.ptv);
    assert.deepEqual(Array.from(pred), [70, 55, 45, 42.5, 47.75, 56]);
  });
});
