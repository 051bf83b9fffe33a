/**
 * Evaluates a shipped ONNX model THROUGH DELINEO'S ENGINE (the same code the CLI and, with onnxruntime-web,
 * the browser run: NIfTI loading, reorientation, resampling, sliding window, probability resampling,
 * post-processing) on the OpenKBP validation patients, against their clinical OAR masks on the original
 * 128³ grid. Dice and HD95 are computed only on patients where the structure was contoured (index.json):
 * OpenKBP's labels are partial.
 *
 *   npx tsx models/training/evaluate.ts [--model hn-oar] [--data ../shared/data/openkbp/validation] \
 *     [--limit 33] [--no-tta] [--threads 2] [--out models/hn-oar/evaluation.json]
 *
 * `--task ptv` evaluates a target-envelope proposal model (`--model` an id or a manifest.json path): its one
 * label against the union of every patient's PTV56, PTV63 and PTV70 (ptv.nii.gz > 0), on every patient.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { segmentWithNetwork, dice, hd95, loadNodeNetwork, readManifest, readVolumeNifti } from '../../src/node.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'hn-oar' },
    data: { type: 'string', default: '../shared/data/openkbp/validation' },
    limit: { type: 'string', default: '1000' },
    'no-tta': { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
    out: { type: 'string' },
    task: { type: 'string', default: 'oar' },
  },
});
if (values.task !== 'oar' && values.task !== 'ptv') throw new Error(`--task must be oar or ptv, not ${values.task}`);
const ptvTask = values.task === 'ptv';

// OpenKBP structure names → our label values (the manifest's order; see models/training/pack_data.py).
const OPENKBP: Record<string, number> = { Brainstem: 1, SpinalCord: 2, RightParotid: 3, LeftParotid: 4, Esophagus: 5, Larynx: 6, Mandible: 7 };

const { manifest, dir } = await readManifest(values.model!);
const net = await loadNodeNetwork(manifest, dir, Number(values.threads));
const index = JSON.parse(await readFile(join(values.data!, 'index.json'), 'utf8')) as { patients: Record<string, { structures: string[] }> };
const patients = Object.keys(index.patients)
  .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))
  .slice(0, Number(values.limit));
const names = manifest.labels.map((l) => l.name);
const perStructure = new Map<string, { dice: number[]; hd95: number[]; empty: number }>(names.map((n) => [n, { dice: [], hd95: [], empty: 0 }]));
const perPatient: Record<string, Record<string, { dice: number; hd95: number }>> = {};
let seconds = 0;
for (const pt of patients) {
  const ct = await readVolumeNifti(join(values.data!, pt, 'ct.nii.gz'), 'CT');
  const oar = await readVolumeNifti(join(values.data!, pt, ptvTask ? 'ptv.nii.gz' : 'oar.nii.gz'), 'MASK');
  const t0 = performance.now();
  const r = await segmentWithNetwork(ct, manifest, net.runner, { tta: !values['no-tta'] });
  const dt = (performance.now() - t0) / 1000;
  seconds += dt;
  perPatient[pt] = {};
  // The PTV task has one label, compared with the union of the PTVs (every patient has at least PTV70).
  const compared = ptvTask ? [{ label: manifest.labels[0], ref: (v: number) => v > 0 }] : index.patients[pt].structures
    .filter((name) => OPENKBP[name])
    .map((name) => ({ label: manifest.labels.find((l) => l.value === OPENKBP[name])!, ref: (v: number) => v === OPENKBP[name] }));
  for (const { label, ref: isRef } of compared) {
    const s = r.structures.find((x) => x.name === label.name)!;
    const pred = s.mask.toDense();
    const ref = Uint8Array.from(oar.data, (v) => (isRef(v) ? 1 : 0));
    const d = dice(pred, ref);
    const h = hd95(pred, ref, ct.dimensions, ct.spacing);
    perStructure.get(label.name)!.dice.push(d);
    // HD95 is undefined when the model predicts nothing: counted apart (and Dice 0 covers it).
    if (Number.isFinite(h)) perStructure.get(label.name)!.hd95.push(h);
    else perStructure.get(label.name)!.empty++;
    perPatient[pt][label.name] = { dice: d, hd95: h };
  }
  console.log(`${pt} ${dt.toFixed(1)} s ` + Object.entries(perPatient[pt]).map(([n, m]) => `${n}=${m.dice.toFixed(3)}`).join(' '));
}
await net.release();
const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const summary = names.map((n) => {
  const m = perStructure.get(n)!;
  return { structure: n, patients: m.dice.length, dice: mean(m.dice), diceMedian: median(m.dice), diceMin: Math.min(...m.dice), hd95: mean(m.hd95), hd95Median: median(m.hd95), emptyPredictions: m.empty };
});
const meanDice = mean(summary.map((s) => s.dice));
console.log('\n| Structure | patients | Dice mean | Dice median | Dice min | HD95 mean (mm) | HD95 median (mm) | empty predictions |\n|---|---|---|---|---|---|---|---|');
for (const s of summary) console.log(`| ${s.structure} | ${s.patients} | ${s.dice.toFixed(3)} | ${s.diceMedian.toFixed(3)} | ${s.diceMin.toFixed(3)} | ${s.hd95.toFixed(1)} | ${s.hd95Median.toFixed(1)} | ${s.emptyPredictions} |`);
console.log(`| **mean of ${names.length}** | | **${meanDice.toFixed(3)}** | | | ${mean(summary.map((s) => s.hd95)).toFixed(1)} | | |`);
console.log(`\n${patients.length} patients, ${(seconds / patients.length).toFixed(1)} s per patient (onnxruntime-node, ${values.threads} threads, TTA ${values['no-tta'] || !manifest.onnx?.mirror?.length ? 'off' : 'on'})`);
if (values.out) {
  await writeFile(values.out, JSON.stringify({ model: manifest.id, version: manifest.version, task: values.task, sha256: manifest.onnx?.model.sha256, tta: !values['no-tta'] && Boolean(manifest.onnx?.mirror?.length), patients: patients.length, meanDice, summary, perPatient, secondsPerPatient: seconds / patients.length }, null, 1) + '\n');
}
