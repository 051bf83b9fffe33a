/**
 * Evaluates dose prediction with OpenKBP's own scores (src/domain/dose-score.ts) on the OpenKBP validation
 * patients, on each patient's native 128³ grid: the distance-to-PTV baseline (dose-baseline.ts, its table built
 * by build-dose-baseline.ts) and the model through Delineo's engine.
 *
 *   npx tsx models/training/evaluate-dose.ts [--model hn-dose|path/to/manifest.json] [--baseline-only] \
 *     [--data ../shared/data/openkbp/validation] [--table models/training/dose-baseline-table.json] \
 *     [--limit 33] [--threads 2] [--out evaluation.json]
 *
 * Prints a table per structure and metric (mean absolute error, Gy) with the dose and DVH scores; `--out` writes
 * them as JSON with every patient's dose error and metrics and the time per patient.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openKbpScores, predictDoseNode, resampleVolume, scoreOpenKbpPatient, voxelVolumeMm3, type OpenKbpScores, type PatientDoseScore } from '../../src/node.ts';
import { loadOpenKbpPatient, openKbpRequestStructures, openKbpPatientIds, openKbpStructures, predictDistanceBaseline, readDistanceTable, type OpenKbpPatient } from './dose-baseline.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'hn-dose' },
    'baseline-only': { type: 'boolean', default: false },
    data: { type: 'string', default: '../shared/data/openkbp/validation' },
    table: { type: 'string', default: 'models/training/dose-baseline-table.json' },
    limit: { type: 'string', default: '1000' },
    threads: { type: 'string', default: '2' },
    out: { type: 'string' },
  },
});
const limit = Number(values.limit);
if (!(limit > 0)) throw new Error(`--limit must be a positive number, not ${values.limit}`);

interface Method {
  readonly name: string;
  /** The predicted dose (Gy) on the patient's grid, and anything worth keeping about the run. */
  predict(p: OpenKbpPatient): Promise<{ dose: ArrayLike<number>; details?: Record<string, unknown> }>;
  readonly scores: PatientDoseScore[];
  seconds: number;
}

const table = await readDistanceTable(values.table!);
const methods: Method[] = [
  { name: 'baseline', predict: async (p) => ({ dose: predictDistanceBaseline(table, p.ptv) }), scores: [], seconds: 0 },
];

/**
 * The patient's structures as a user's structure set would bring them: OpenKBP's names (the engine must match
 * RightParotid, Mandible, … to its channels and read 70 Gy from "PTV70"), only those with voxels.
 */
if (!values['baseline-only']) {
  methods.push({
    name: 'model',
    predict: async (p) => {
      const r = await predictDoseNode({ ct: p.ct, structures: openKbpRequestStructures(p) }, values.model, { threads: Number(values.threads) });
      // The model's dose is on its own grid (4 × 4 × 3 mm); OpenKBP scores on the patient's.
      const native = resampleVolume(r.dose, p.dose, { interpolation: 'linear', fill: 0 });
      return {
        dose: native.data,
        details: { model: r.model, timings: r.timings, targets: r.inputs.targets.map((t) => `${t.name} ${t.prescriptionGy} Gy`), missingOrgans: r.inputs.missingOrgans },
      };
    },
    scores: [],
    seconds: 0,
  });
}

const ids = (await openKbpPatientIds(values.data!)).slice(0, limit);
const perPatient: Record<string, Record<string, unknown>> = {};
for (const id of ids) {
  const p = await loadOpenKbpPatient(values.data!, id);
  const structures = openKbpStructures(p);
  perPatient[id] = {};
  const line: string[] = [];
  for (const m of methods) {
    const t0 = performance.now();
    const { dose, details } = await m.predict(p);
    const dt = (performance.now() - t0) / 1000;
    m.seconds += dt;
    const score = scoreOpenKbpPatient({ reference: p.dose.data, predicted: dose, possibleDoseMask: p.possibleDoseMask.data, voxelVolumeMm3: voxelVolumeMm3(p.dose), structures });
    m.scores.push(score);
    const dvh = score.metrics.reduce((a, x) => a + x.errorGy, 0) / score.metrics.length;
    perPatient[id][m.name] = { seconds: dt, ...score, ...details };
    line.push(`${m.name}: dose ${score.doseErrorGy.toFixed(2)} Gy, DVH ${dvh.toFixed(2)} Gy (${dt.toFixed(1)} s)`);
  }
  console.log(`${id} ${line.join(' · ')}`);
}

const summary: Record<string, OpenKbpScores & { secondsPerPatient: number }> = {};
for (const m of methods) summary[m.name] = { ...openKbpScores(m.scores), secondsPerPatient: m.seconds / ids.length };

const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));
const first = summary[methods[0].name];
console.log(`\n| Structure | Metric | patients | ${methods.map((m) => `${m.name} MAE (Gy)`).join(' | ')} |\n|---|---|---|${methods.map(() => '---|').join('')}`);
for (const row of first.perMetric) {
  const cells = methods.map((m) => f(summary[m.name].perMetric.find((r) => r.structure === row.structure && r.metric === row.metric)?.meanAbsErrorGy));
  console.log(`| ${row.structure} | ${row.metric} | ${row.patients} | ${cells.join(' | ')} |`);
}
console.log(`| **Dose score** | mean abs. error over the possible-dose mask | ${first.patients} | ${methods.map((m) => `**${f(summary[m.name].doseScoreGy)}**`).join(' | ')} |`);
console.log(`| **DVH score** | all metrics, pooled | ${first.perMetric.reduce((a, r) => a + r.patients, 0)} values | ${methods.map((m) => `**${f(summary[m.name].dvhScoreGy)}**`).join(' | ')} |`);
console.log(`\n${ids.length} patients; ${methods.map((m) => `${m.name} ${summary[m.name].secondsPerPatient.toFixed(2)} s per patient`).join(', ')}`);

/** Numbers written to 1 µGy (or 1 µs): enough for any comparison, and the file stays readable. */
function micrograys(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e6) / 1e6 : v;
}

if (values.out) {
  await writeFile(values.out, JSON.stringify({ data: values.data, model: values['baseline-only'] ? null : values.model, baselineTable: { path: values.table, patients: table.patients.length }, patients: ids, summary, perPatient }, micrograys, 1) + '\n');
}
