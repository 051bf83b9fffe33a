/**
 * Measures the engine's uncertainty map THROUGH DELINEO'S ENGINE on the OpenKBP validation patients: does it
 * point a reviewer at the model's errors, and what does it cost?
 *
 * - Slice level: a patient's axial slices with any predicted or clinical OAR, ranked by their summed uncertainty;
 *   the share of the error voxels (prediction XOR clinical mask, over the OARs contoured for that patient) on
 *   the top 20 %, against the naive ranking by predicted contour length (all predicted OARs, mm).
 * - Structure level: Spearman's correlation between a structure's attention score (mean uncertainty over its
 *   prediction dilated by one voxel, what the review panel shows) and 1 − Dice, over every contoured
 *   (patient, OAR) pair with a non-empty prediction.
 * - Cost: each patient is segmented once per variant and once without a map ('none'), in an order that rotates
 *   per patient. Two ratios: whole runs (variant over 'none', summed over patients), which on a shared machine
 *   swing with the network's time; and the map's own cost, the growth of the resampling stage (where the map is
 *   made) added to the run without a map, which does not.
 * - QA: for candidate attention thresholds, how many structures would be flagged and how many of those are
 *   poor (Dice < 0.5).
 *
 *   npx tsx models/training/evaluate-uncertainty.ts [--model hn-oar] [--data ../shared/data/openkbp/validation] \
 *     [--limit 33] [--variants entropy,margin] [--threads 2] [--time-every 1] [--out models/hn-oar/uncertainty-evaluation.json]
 *
 * `--time-every n` runs the engine without a map (for the cost) only on every n-th patient.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  contourLengthPerSlice,
  dice,
  loadNodeNetwork,
  readManifest,
  readVolumeNifti,
  segmentWithNetwork,
  spearman,
  structureUncertainty,
  sumPerSlice,
  topSliceCapture,
  type UncertaintyMeasure,
} from '../../src/node.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'hn-oar' },
    data: { type: 'string', default: '../shared/data/openkbp/validation' },
    limit: { type: 'string', default: '1000' },
    variants: { type: 'string', default: 'entropy,margin' },
    threads: { type: 'string', default: '2' },
    'time-every': { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const variants = values.variants!.split(',') as UncertaintyMeasure[];
for (const v of variants) if (v !== 'entropy' && v !== 'margin') throw new Error(`unknown variant ${v}`);
const TOP = 0.2;
const POOR_DICE = 0.5;
const THRESHOLDS = [0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3];

// OpenKBP structure names → our label values (the manifest's order; see models/training/pack_data.py).
const OPENKBP: Record<string, number> = { Brainstem: 1, SpinalCord: 2, RightParotid: 3, LeftParotid: 4, Esophagus: 5, Larynx: 6, Mandible: 7 };

const { manifest, dir } = await readManifest(values.model!);
const net = await loadNodeNetwork(manifest, dir, Number(values.threads));
const index = JSON.parse(await readFile(join(values.data!, 'index.json'), 'utf8')) as { patients: Record<string, { structures: string[] }> };
const patients = Object.keys(index.patients)
  .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))
  .slice(0, Number(values.limit));

interface PatientResult {
  slices: number;
  naive: number;
  capture: Record<string, number>;
  seconds: Record<string, number>;
  resampleSeconds: Record<string, number>;
  structures: { name: string; dice: number; empty: boolean; attention: Record<string, number> }[];
}
const perPatient: Record<string, PatientResult> = {};
const runs: (UncertaintyMeasure | 'none')[] = ['none', ...variants];
for (const [pi, pt] of patients.entries()) {
  const ct = await readVolumeNifti(join(values.data!, pt, 'ct.nii.gz'), 'CT');
  const oar = await readVolumeNifti(join(values.data!, pt, 'oar.nii.gz'), 'MASK');
  const dims = ct.dimensions;
  const timed = pi % Number(values['time-every']) === 0;
  const order = runs.map((_, i) => runs[(i + pi) % runs.length]).filter((v) => timed || v !== 'none');
  const results = new Map<string, Awaited<ReturnType<typeof segmentWithNetwork>>>();
  const seconds: Record<string, number> = {};
  const resampleSeconds: Record<string, number> = {};
  for (const v of order) {
    const t0 = performance.now();
    const r = await segmentWithNetwork(ct, manifest, net.runner, { uncertainty: v });
    seconds[v] = (performance.now() - t0) / 1000;
    resampleSeconds[v] = r.timings.resample / 1000;
    results.set(v, r);
  }
  const plain = results.get('none') ?? results.get(variants[0])!;
  const contoured = index.patients[pt].structures.filter((n) => OPENKBP[n]).map((n) => OPENKBP[n]);
  // Error voxels over contoured OARs; the slices that count; the naive score from every predicted OAR's contour.
  const n = ct.data.length;
  const error = new Uint8Array(n);
  const any = new Uint8Array(dims[2]);
  const length = new Float64Array(dims[2]);
  const plane = dims[0] * dims[1];
  const structures: PatientResult['structures'] = [];
  for (const label of manifest.labels) {
    const s = plain.structures.find((x) => x.name === label.name)!;
    const pred = s.mask.toDense();
    for (const [k, l] of contourLengthPerSlice(pred, dims, ct.spacing).entries()) length[k] += l;
    for (let o = 0; o < n; o++) if (pred[o]) any[Math.floor(o / plane)] = 1;
    if (!contoured.includes(label.value)) continue;
    const ref = Uint8Array.from(oar.data, (v) => (v === label.value ? 1 : 0));
    for (let o = 0; o < n; o++) {
      if (pred[o] !== ref[o]) error[o] = 1;
      if (ref[o]) any[Math.floor(o / plane)] = 1;
    }
    const attention: Record<string, number> = {};
    for (const v of variants) attention[v] = structureUncertainty(results.get(v)!.uncertainty!, s.mask).attention;
    structures.push({ name: label.name, dice: dice(pred, ref), empty: s.mask.isEmpty(), attention });
  }
  const slices = [...any.keys()].filter((k) => any[k]);
  const errors = sumPerSlice(error, dims);
  const capture: Record<string, number> = {};
  for (const v of variants) capture[v] = topSliceCapture(slices, sumPerSlice(results.get(v)!.uncertainty!.data, dims), errors, TOP);
  const naive = topSliceCapture(slices, length, errors, TOP);
  perPatient[pt] = { slices: slices.length, naive, capture, seconds, resampleSeconds, structures };
  console.log(`${pt} ${slices.length} slices, top 20 %: naive ${(100 * naive).toFixed(1)} % ${variants.map((v) => `${v} ${(100 * capture[v]).toFixed(1)} %`).join(' ')}; s ${order.map((v) => `${v} ${seconds[v].toFixed(2)}`).join(' ')}`);
}
await net.release();

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pts = Object.values(perPatient).filter((p) => Number.isFinite(p.naive));
const pairs = Object.values(perPatient).flatMap((p) => p.structures.filter((s) => !s.empty));
const emptyPredictions = Object.values(perPatient).flatMap((p) => p.structures.filter((s) => s.empty)).length;
const timedPatients = Object.values(perPatient).filter((p) => p.seconds.none !== undefined);
const plainSeconds = mean(timedPatients.map((p) => p.seconds.none));
const summary = variants.map((v) => {
  const cap = pts.map((p) => p.capture[v]);
  const naive = pts.map((p) => p.naive);
  const rho = spearman(pairs.map((s) => s.attention[v]), pairs.map((s) => 1 - s.dice));
  const byStructure = Object.fromEntries(
    manifest.labels.map((l) => {
      const ss = pairs.filter((s) => s.name === l.name);
      return [l.name, { pairs: ss.length, spearman: spearman(ss.map((s) => s.attention[v]), ss.map((s) => 1 - s.dice)), meanAttention: mean(ss.map((s) => s.attention[v])) }];
    }),
  );
  const qa = THRESHOLDS.map((t) => {
    const flagged = pairs.filter((s) => s.attention[v] >= t);
    const poor = pairs.filter((s) => s.dice < POOR_DICE);
    return { threshold: t, flagged: flagged.length, poorFlagged: flagged.filter((s) => s.dice < POOR_DICE).length, poor: poor.length, meanDiceFlagged: flagged.length ? mean(flagged.map((s) => s.dice)) : NaN, meanDiceOthers: mean(pairs.filter((s) => s.attention[v] < t).map((s) => s.dice)) };
  });
  const seconds = mean(timedPatients.map((p) => p.seconds[v]));
  const mapSeconds = mean(timedPatients.map((p) => p.resampleSeconds[v] - p.resampleSeconds.none));
  return {
    variant: v,
    sliceCaptureMean: mean(cap),
    sliceCaptureMedian: median(cap),
    naiveCaptureMean: mean(naive),
    naiveCaptureMedian: median(naive),
    advantagePoints: 100 * (mean(cap) - mean(naive)),
    patientsCaptureAtLeastHalf: cap.filter((c) => c >= 0.5).length,
    spearman: rho,
    pairs: pairs.length,
    byStructure,
    qa,
    secondsPerPatient: seconds,
    timedPatients: timedPatients.length,
    costRatio: seconds / plainSeconds,
    mapSecondsPerPatient: mapSeconds,
    mapCostRatio: (plainSeconds + mapSeconds) / plainSeconds,
  };
});
for (const s of summary) {
  console.log(`\n${s.variant}: top ${TOP * 100} % of slices hold ${(100 * s.sliceCaptureMean).toFixed(1)} % of the error voxels (median ${(100 * s.sliceCaptureMedian).toFixed(1)} %, ${s.patientsCaptureAtLeastHalf}/${pts.length} patients ≥ 50 %); naive by contour length ${(100 * s.naiveCaptureMean).toFixed(1)} % (median ${(100 * s.naiveCaptureMedian).toFixed(1)} %): +${s.advantagePoints.toFixed(1)} points`);
  console.log(`  Spearman(attention, 1 − Dice) = ${s.spearman.toFixed(3)} over ${s.pairs} structures (${emptyPredictions} empty predictions left out)`);
  console.log(`  per structure: ${Object.entries(s.byStructure).map(([n, b]) => `${n} ${b.spearman.toFixed(2)} (n ${b.pairs}, mean ${b.meanAttention.toFixed(3)})`).join('; ')}`);
  console.log(`  time ${s.secondsPerPatient.toFixed(2)} s per patient against ${plainSeconds.toFixed(2)} s without a map: ${s.costRatio.toFixed(3)}× whole runs; the map itself ${s.mapSecondsPerPatient.toFixed(3)} s: ${s.mapCostRatio.toFixed(3)}×`);
  for (const q of s.qa) console.log(`  attention ≥ ${q.threshold}: ${q.flagged} flagged, ${q.poorFlagged} of the ${q.poor} with Dice < ${POOR_DICE}; mean Dice flagged ${q.meanDiceFlagged.toFixed(3)}, others ${q.meanDiceOthers.toFixed(3)}`);
}
if (values.out) {
  await writeFile(values.out, JSON.stringify({ model: manifest.id, version: manifest.version, sha256: manifest.onnx?.model.sha256, patients: patients.length, top: TOP, emptyPredictions, secondsPerPatientWithoutMap: plainSeconds, summary, perPatient }, null, 1) + '\n');
}
