// DVH speed on the NSCLC plan (134 × 512 × 512 CT, 8 ROIs, 5 mm dose grid):
// 1. `delineo dvh` as a whole process against `plastimatch dvh --input <study dir>` (the peer: it reads the
//    same study and writes a DVH table), alternated runs, median wall time and ratio: the CLI as the npm package
//    runs it (compiled; needs `npm run build`) and from a checkout (TypeScript through tsx). One profiled run of
//    the packaged CLI says where its time goes;
// 2. in the app's terms: all DVHs of the structure set, and one edited structure recomputed (the Lung L,
//    2.2 L, after a brush-sized edit), each timed in-process.
import { spawnSync } from 'node:child_process';
import { cpSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DoseReview, StructureSetStore, importRtstruct, loadDicomDirectory, readRtDose } from '../src/node.ts';
import { median, profilePhases, report } from './util.ts';

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
// A folder laid out like the installed package: no src/, so bin/delineo.js takes the compiled CLI.
const repo = join(import.meta.dirname, '..');
if (!existsSync(join(repo, 'dist/lib/src/cli/main.js'))) throw new Error('run `npm run build` first: the bench times the compiled CLI');
const pkg = join(dir, 'package');
mkdirSync(join(pkg, 'bin'), { recursive: true });
copyFileSync(join(repo, 'package.json'), join(pkg, 'package.json'));
cpSync(join(repo, 'bin'), join(pkg, 'bin'), { recursive: true });
for (const linked of ['dist', 'node_modules']) symlinkSync(join(repo, linked), join(pkg, linked));

const dvhArgs = (out: string) => ['dvh', '--ct', study, '--out', out];
const ours: number[] = [];
const checkout: number[] = [];
const peer: number[] = [];
for (let r = -1; r < RUNS; r++) {
  const times = [
    wall('node', [join(pkg, 'bin/delineo.js'), ...dvhArgs(join(dir, 'ours.csv'))]),
    wall('node', [join(repo, 'bin/delineo.js'), ...dvhArgs(join(dir, 'checkout.csv'))]),
    wall('plastimatch', ['dvh', '--input', study, '--output-csv', join(dir, 'peer.csv')]),
  ];
  if (r < 0) continue; // warm-up: the page cache holds the study and the modules for every command alike
  ours.push(times[0]);
  checkout.push(times[1]);
  peer.push(times[2]);
}
const phases = profilePhases([join(pkg, 'bin/delineo.js'), ...dvhArgs(join(dir, 'profiled.csv'))], {
  // Synchronous functions only: after an await an async function is no longer on the sampled stack.
  'import the structure set (parse, rasterise)': ['importRtstruct'],
  'read the RT Dose': ['readRtDoseAttributes', 'buildRtDose'],
  'read the headers of the CT and RT files': ['parseDicomFile'],
  DVHs: ['computeDvh'],
});

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
  checkoutMedianMs: Math.round(median(checkout)),
  checkoutRatio: Number((median(checkout) / median(peer)).toFixed(2)),
  packageCpuMsByPhase: phases,
  runs: RUNS,
  allStructuresMs: Math.round(allMs),
  oneEditedStructureMedianMs: Math.round(median(edits)),
  editedStructure: `Lung L, ${store.volumeCc(lung.id).toFixed(0)} cc`,
});
