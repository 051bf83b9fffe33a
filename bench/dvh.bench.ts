// DVH speed on the NSCLC plan (134 × 512 × 512 CT, 8 ROIs, 5 mm dose grid):
// 1. `delineo dvh` as a whole process against `plastimatch dvh --input <study dir>` (the peer: it reads the
//    same study and writes a DVH table), alternated runs, median wall time and ratio;
// 2. in the app's terms: all DVHs of the structure set, and one edited structure recomputed (the Lung L,
//    2.2 L, after a brush-sized edit), each timed in-process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DoseReview, StructureSetStore, importRtstruct, loadDicomDirectory, readRtDose } from '../src/node.ts';
import { median, report } from './util.ts';

const D = join(import.meta.dirname, '../../shared/data/nsclc-lung1-001/dicom');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'delineo-dvh-bench-'));
const study = join(dir, 'study');
mkdirSync(study);
for (let n = 1; n <= 137; n++) symlinkSync(join(D, `${n}.dcm`), join(study, `${n}.dcm`));

const wall = (cmd: string, args: string[]): number => {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-1000)}`);
  return performance.now() - t0;
};
const ours: number[] = [];
const peer: number[] = [];
for (let r = 0; r < RUNS; r++) {
  ours.push(wall('node', ['bin/delineo.js', 'dvh', '--ct', study, '--out', join(dir, 'ours.csv')]));
  peer.push(wall('plastimatch', ['dvh', '--input', study, '--output-csv', join(dir, 'peer.csv')]));
}

const ct = await loadDicomDirectory(D);
if (ct.kind !== 'volume') throw new Error('expected the CT');
const dose = readRtDose(readFileSync(join(D, '1.dcm')), '1.dcm');
const store = new StructureSetStore(ct.volume.geometry);
store.load(importRtstruct(readFileSync(join(D, '2.dcm')), ct.volume, { file: '2.dcm' }).structures);
const review = new DoseReview(store, { debounceMs: 0 });
let t0 = performance.now();
await review.setDose({ volume: dose.volume, label: 'plan', predicted: false });
await review.settled();
const allMs = performance.now() - t0;
const lung = store.state.structures.find((s) => s.name === 'Lung L')!;
const edits: number[] = [];
for (let e = 0; e < 5; e++) {
  store.editMask(lung.id, 'Brush', (m) => {
    for (let j = 250; j < 260; j++) for (let i = 300 + e; i < 310 + e; i++) m.set(i, j, 80, true);
  });
  t0 = performance.now();
  await review.settled();
  edits.push(performance.now() - t0);
}
review.dispose();
rmSync(dir, { recursive: true, force: true });

report('dvh', {
  cliMedianMs: Math.round(median(ours)),
  plastimatchDvhMedianMs: Math.round(median(peer)),
  ratio: Number((median(ours) / median(peer)).toFixed(2)),
  runs: RUNS,
  allStructuresMs: Math.round(allMs),
  oneEditedStructureMedianMs: Math.round(median(edits)),
  editedStructure: `Lung L, ${store.volumeCc(lung.id).toFixed(0)} cc`,
});
