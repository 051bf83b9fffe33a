// The `delineo` command's whole-process time, as a user pays it, on the real NSCLC Lung1-001 CT (512 × 512 × 134).
//
// - start-up: `delineo --version`, from a checkout (bin/delineo.js runs the TypeScript source through tsx) and
//   from the package as installed (bin/delineo.js runs the compiled dist/lib; here a folder laid out like the
//   installed package, whose dist/ and node_modules/ link to this checkout's). Needs `npm run build` first.
// - export: `delineo export --ct <the CT> --labels <20-label map> --out rs.dcm`, checkout and package, against
//   `plastimatch convert --input-prefix <20 mask NIfTIs> --referenced-ct <the CT> --output-dicom <dir>` writing
//   the same 20 structures (the ratio package / plastimatch is issue 21's figure; target ≤ 0.25).
// The 20 labels: the study's 8 clinical ROIs and 12 derived by margins and Booleans (shells, rings, PRVs), painted largest first so each
// keeps the voxels no smaller structure claims. Every command runs in turn (alternated), one warm-up round, then
// the median of BENCH_RUNS rounds (default 3). The load average is recorded: compare runs only at similar load.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BinaryMask, expandMask, importRtstruct, loadDicomDirectory, readVolumeNifti, shrinkMask, uniformMargins, writeLabelMapNifti, writeMaskNifti, type Structure } from '../src/node.ts';
import { median, profilePhases, report } from './util.ts';

const repo = resolve(import.meta.dirname, '..');
const study = resolve(repo, '../shared/data/nsclc-lung1-001/dicom');
if (!existsSync(join(repo, 'dist/lib/src/cli/main.js'))) throw new Error('run `npm run build` first: the bench times the compiled CLI');
const work = mkdtempSync(join(tmpdir(), 'delineo-bench-cli-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// File numbers: 1 RTDOSE, 2 RTSTRUCT, 3…136 CT, 137 RTPLAN (../shared/data/nsclc-lung1-001/SOURCE.md).
const ctDir = join(work, 'ct');
mkdirSync(ctDir);
for (let n = 3; n <= 136; n++) symlinkSync(join(study, `${n}.dcm`), join(ctDir, `${n}.dcm`));
const loaded = await loadDicomDirectory(ctDir);
if (loaded.kind !== 'volume') throw new Error('expected one CT series');
const volume = loaded.volume;
const clinical = importRtstruct(readFileSync(join(study, '2.dcm')), volume, { file: '2.dcm' }).structures;
const mask = (name: string): BinaryMask => clinical.find((s) => s.name === name)!.mask;
const mm = uniformMargins;
const lungs = mask('Lung L').clone().combine(mask('Lung R'), 'union');
const ptv10 = expandMask(mask('PTV-1'), volume, mm(10));
const body = mask('Patient');
const derived: [string, BinaryMask][] = [
  ['Body-10', shrinkMask(body, volume, mm(10))],
  ['Body-30', shrinkMask(body, volume, mm(30))],
  ['Cord_PRV5', expandMask(mask('Spinal cord'), volume, mm(5))],
  ['PTV_Ring10', ptv10.clone().combine(mask('PTV-1'), 'subtract')],
  ['PTV_Ring20', expandMask(mask('PTV-1'), volume, mm(20)).combine(ptv10, 'subtract')],
  ['Body_Shell5', body.clone().combine(shrinkMask(body, volume, mm(5)), 'subtract')],
  ['GTV+3', expandMask(mask('GTV-1'), volume, mm(3))],
  ['CTV+7', expandMask(mask('CTV-1'), volume, mm(7))],
  ['Lung L-5', shrinkMask(mask('Lung L'), volume, mm(5))],
  ['Lung R-5', shrinkMask(mask('Lung R'), volume, mm(5))],
  ['Body-20', shrinkMask(body, volume, mm(20))],
  ['Lungs+10', expandMask(lungs, volume, mm(10))],
];
const all: { name: string; mask: BinaryMask }[] = [...clinical.map((s: Structure) => ({ name: s.name, mask: s.mask })), ...derived.map(([name, m]) => ({ name, mask: m }))];
if (all.length !== 20) throw new Error(`expected 20 structures, got ${all.length}`);
// Largest first: writeLabelMapNifti lets later entries win, so each label keeps what no smaller structure covers.
const painted = all.map((s, i) => ({ ...s, label: i + 1, voxels: s.mask.count() })).sort((a, b) => b.voxels - a.voxels);
const labels = join(work, 'labels.nii.gz');
await writeLabelMapNifti(painted, volume, labels);
const names = all.map((s, i) => `${i + 1}=${s.name.replace(/[,=]/g, '_')}`).join(',');
// plastimatch reads one mask file per structure: the same voxels as each label of the map.
const masksDir = join(work, 'masks');
mkdirSync(masksDir);
const labelData = (await readVolumeNifti(labels, 'LABELS')).data;
for (const [i, s] of all.entries()) {
  const own = BinaryMask.fromDense(volume.dimensions, Uint8Array.from(labelData, (v) => (v === i + 1 ? 1 : 0)));
  if (!own.count()) throw new Error(`${s.name} lost every voxel to smaller structures`);
  await writeMaskNifti(own, volume, join(masksDir, `${String(i + 1).padStart(2, '0')}_${s.name.replace(/[^A-Za-z0-9_+-]/g, '_')}.nii.gz`));
}

// A folder laid out like the installed package: no src/, so bin/delineo.js takes the compiled CLI.
const pkg = join(work, 'package');
mkdirSync(join(pkg, 'bin'), { recursive: true });
copyFileSync(join(repo, 'package.json'), join(pkg, 'package.json'));
cpSync(join(repo, 'bin'), join(pkg, 'bin'), { recursive: true });
for (const linked of ['dist', 'node_modules', 'models']) symlinkSync(join(repo, linked), join(pkg, linked));

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
/** Wall and CPU (user + system, via /usr/bin/time when present) milliseconds of a command; throws when it fails. */
function timed(cmd: string, args: string[]): { wall: number; cpu: number; stdout: string } {
  const t0 = performance.now();
  const r = TIME ? spawnSync(TIME, ['-f', 'CPU %U %S', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-1000)}`);
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN, stdout: r.stdout };
}

const exportArgs = (out: string) => ['export', '--ct', ctDir, '--labels', labels, '--names', names, '--out', out];
const commands: Record<string, () => { wall: number; cpu: number; stdout: string }> = {
  versionCheckout: () => timed('node', [join(repo, 'bin/delineo.js'), '--version']),
  versionPackage: () => timed('node', [join(pkg, 'bin/delineo.js'), '--version']),
  exportCheckout: () => timed('node', [join(repo, 'bin/delineo.js'), ...exportArgs(join(work, 'checkout.dcm'))]),
  exportPackage: () => timed('node', [join(pkg, 'bin/delineo.js'), ...exportArgs(join(work, 'package.dcm'))]),
  plastimatch: () => {
    rmSync(join(work, 'pm'), { recursive: true, force: true });
    return timed('plastimatch', ['convert', '--input-prefix', masksDir, '--referenced-ct', ctDir, '--output-dicom', join(work, 'pm')]);
  },
};
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
for (const name of ['versionCheckout', 'versionPackage']) {
  const printed = commands[name]().stdout.trim();
  if (printed !== version) throw new Error(`${name} printed "${printed}", expected ${version}`);
}

const runs = Number(process.env.BENCH_RUNS ?? 3);
const load0 = loadavg();
const wall: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let r = -1; r < runs; r++) {
  for (const [name, run] of Object.entries(commands)) {
    const t = run();
    if (r < 0) continue; // warm-up: the page cache holds the CT and the modules for every command alike
    wall[name].push(t.wall);
    cpu[name].push(t.cpu);
  }
}
// Where the packaged export's time goes (CPU, one profiled run; wall time also waits for the disk).
const exportPhases = profilePhases([join(pkg, 'bin/delineo.js'), ...exportArgs(join(work, 'profiled.dcm'))], {
  // Synchronous functions only: after an await an async function is no longer on the sampled stack.
  'read CT headers': ['parseDicomFile'],
  'read label map (itk-wasm)': ['runPipelineEmscripten'],
  'split labels into masks': ['labelMasks'],
  'trace contours': ['forEachSliceContours'],
  'encode contour sequences': ['encodeContourSequence'],
  'write the rest with dcmjs': ['write'],
});
const ms = (xs: number[]) => Math.round(median(xs));
const figures = Object.fromEntries(Object.keys(commands).map((k) => [k, { wallMs: ms(wall[k]), cpuMs: ms(cpu[k]) }]));
report('cli-export', {
  ct: '512x512x134 NSCLC Lung1-001',
  structures: 20,
  runs,
  cpus: cpus().length,
  loadavgBefore: load0.map((x) => +x.toFixed(2)),
  loadavgAfter: loadavg().map((x) => +x.toFixed(2)),
  ...figures,
  startupSpeedup: +(median(wall.versionCheckout) / median(wall.versionPackage)).toFixed(2),
  exportVsPlastimatch: +(median(wall.exportPackage) / median(wall.plastimatch)).toFixed(2),
  exportCheckoutVsPlastimatch: +(median(wall.exportCheckout) / median(wall.plastimatch)).toFixed(2),
  exportPackageCpuMsByPhase: exportPhases,
});
