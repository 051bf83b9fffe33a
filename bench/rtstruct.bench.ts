// RTSTRUCT export and import against plastimatch, on the real NSCLC Lung1-001 CT (512 × 512 × 134).
//
// Structures: the study's 8 clinical ROIs (imported from its XiO RTSTRUCT) and 12 derived from them with exact
// margins (rings with holes, PRVs, unions, shells), 20 in all. Both tools run in this process's run, alternating,
// median of 3 after a warm-up:
// - export: our writeRtstruct (masks in memory → Part-10 bytes) vs `plastimatch convert --input-prefix <20 mask
//   NIfTIs> --referenced-ct <ct> --output-dicom <dir>` (wall time of the command). Target ratio ≤ 0.5.
// - import: our importRtstruct (bytes → 20 masks) of our file vs plastimatch rasterising the same file onto the CT,
//   `--output-prefix <dir> --prefix-format nii.gz` (the documented command) and, cheaper for plastimatch, one
//   `--output-ss-img ss.nrrd`; the ratio is taken against the faster. Target ≤ 1.0.
// The load average (other work on the machine) is recorded with the figures: compare runs only at similar load.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BinaryMask, expandMask, shrinkMask, uniformMargins, type Structure, importRtstruct, writeRtstruct, readVolumeNifti, writeMaskNifti, loadDicomDirectory } from '../src/node.ts';
import { gc, median, report } from './util.ts';

const study = join(import.meta.dirname, '../../shared/data/nsclc-lung1-001/dicom');
const work = mkdtempSync(join(tmpdir(), 'delineo-bench-rtstruct-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const ctDir = join(work, 'ct');
mkdirSync(ctDir);
for (let n = 3; n <= 136; n++) symlinkSync(join(study, `${n}.dcm`), join(ctDir, `${n}.dcm`));
const ct = await loadDicomDirectory(ctDir);
if (ct.kind !== 'volume') throw new Error('expected one CT series');
const volume = ct.volume;
const clinical = importRtstruct(readFileSync(join(study, '2.dcm')), volume, { file: '2.dcm' }).structures;
const by = (name: string): Structure => clinical.find((s) => s.name === name)!;
const derive = (name: string, base: Structure, mask: Structure['mask']): Structure => ({
  ...base,
  id: `${base.id}-${name}`,
  name,
  mask,
});
const mm = (m: number) => uniformMargins(m);
const lungs = by('Lung L').mask.clone().combine(by('Lung R').mask, 'union');
const ptv10 = expandMask(by('PTV-1').mask, volume, mm(10));
const ptv20 = expandMask(by('PTV-1').mask, volume, mm(20));
const body = by('Patient').mask;
const structures: Structure[] = [
  ...clinical,
  derive('Lungs', by('Lung L'), lungs),
  derive('Lungs-GTV', by('Lung L'), lungs.clone().combine(by('GTV-1').mask, 'subtract')),
  derive('Cord_PRV5', by('Spinal cord'), expandMask(by('Spinal cord').mask, volume, mm(5))),
  derive('PTV_Ring10', by('PTV-1'), ptv10.clone().combine(by('PTV-1').mask, 'subtract')),
  derive('PTV_Ring20', by('PTV-1'), ptv20.clone().combine(ptv10, 'subtract')),
  derive('Body_Shell5', by('Patient'), body.clone().combine(shrinkMask(body, volume, mm(5)), 'subtract')),
  derive('GTV+3', by('GTV-1'), expandMask(by('GTV-1').mask, volume, mm(3))),
  derive('CTV+7', by('CTV-1'), expandMask(by('CTV-1').mask, volume, mm(7))),
  derive('Lung L-5', by('Lung L'), shrinkMask(by('Lung L').mask, volume, mm(5))),
  derive('Lung R-5', by('Lung R'), shrinkMask(by('Lung R').mask, volume, mm(5))),
  derive('Body-20', by('Patient'), shrinkMask(body, volume, mm(20))),
  derive('Lungs+10', by('Lung L'), expandMask(lungs, volume, mm(10))),
];
if (structures.length !== 20) throw new Error(`expected 20 structures, got ${structures.length}`);

// plastimatch reads masks from files: one NIfTI per structure (not timed; our side starts from memory too).
const masksDir = join(work, 'masks');
mkdirSync(masksDir);
for (const s of structures)
  await writeMaskNifti(s.mask, volume, join(masksDir, `${s.name.replace(/[^A-Za-z0-9_+-]/g, '_')}.nii.gz`));

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Wall and CPU (user + system, via /usr/bin/time when present) milliseconds of a command; throws when it fails. */
function timed(cmd: string, args: string[]): { wall: number; cpu: number } {
  const t0 = performance.now();
  const r = TIME
    ? spawnSync(TIME, ['-f', 'CPU %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-1000)}`);
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN };
}

/** Wall and CPU milliseconds of a function in this process. */
function measure<T>(f: () => T): { wall: number; cpu: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, value };
}

const ours = join(work, 'ours.dcm');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const load0 = loadavg();
type Times = { wall: number[]; cpu: number[] };
const times = (): Times => ({ wall: [], cpu: [] });
const push = (t: Times, x: { wall: number; cpu: number }) => {
  t.wall.push(x.wall);
  t.cpu.push(x.cpu);
};
const exportOurs = times();
const exportPm = times();
const importOurs = times();
const importPmPrefix = times();
const importPmSsImg = times();
const importClinicalOurs = times();
let written = writeRtstruct(volume, structures); // warm-up (JIT)
importRtstruct(written.buffer, volume);
const clinicalBytes = readFileSync(join(study, '2.dcm'));
for (let r = 0; r < runs; r++) {
  gc();
  const w = measure(() => writeRtstruct(volume, structures));
  written = w.value;
  push(exportOurs, w);
  writeFileSync(ours, new Uint8Array(written.buffer));
  rmSync(join(work, 'pm-export'), { recursive: true, force: true });
  push(
    exportPm,
    timed('plastimatch', [
      'convert',
      '--input-prefix',
      masksDir,
      '--referenced-ct',
      ctDir,
      '--output-dicom',
      join(work, 'pm-export'),
    ]),
  );

  gc();
  const i = measure(() => importRtstruct(written.buffer, volume));
  push(importOurs, i);
  if (i.value.structures.length !== 20 || i.value.warnings.length)
    throw new Error('import of our file lost structures');
  rmSync(join(work, 'pm-import'), { recursive: true, force: true });
  push(
    importPmPrefix,
    timed('plastimatch', [
      'convert',
      '--input',
      ours,
      '--referenced-ct',
      ctDir,
      '--output-prefix',
      join(work, 'pm-import'),
      '--prefix-format',
      'nii.gz',
      '--xor-contours',
    ]),
  );
  push(
    importPmSsImg,
    timed('plastimatch', [
      'convert',
      '--input',
      ours,
      '--referenced-ct',
      ctDir,
      '--output-ss-img',
      join(work, 'ss.nrrd'),
      '--xor-contours',
    ]),
  );

  gc();
  push(
    importClinicalOurs,
    measure(() => importRtstruct(clinicalBytes, volume, { file: '2.dcm' })),
  );
}
const load1 = loadavg();

// End to end, once each, as the CLI does it: from files on disk to files on disk, CT loading (with pixels) included.
let t0 = performance.now();
{
  const c = await loadDicomDirectory(ctDir);
  if (c.kind !== 'volume') throw new Error('expected one CT series');
  const masks = await Promise.all(
    structures.map(async (s) => ({
      ...s,
      mask: BinaryMask.fromDense(
        c.volume.dimensions,
        (await readVolumeNifti(join(masksDir, `${s.name.replace(/[^A-Za-z0-9_+-]/g, '_')}.nii.gz`), 'MASK'))
          .data,
      ),
    })),
  );
  writeFileSync(join(work, 'e2e.dcm'), new Uint8Array(writeRtstruct(c.volume, masks).buffer));
}
const exportEndToEndMs = performance.now() - t0;
t0 = performance.now();
{
  const c = await loadDicomDirectory(ctDir);
  if (c.kind !== 'volume') throw new Error('expected one CT series');
  const imp = importRtstruct(readFileSync(ours), c.volume);
  mkdirSync(join(work, 'e2e-masks'));
  for (const [n, s] of imp.structures.entries())
    await writeMaskNifti(s.mask, c.volume, join(work, 'e2e-masks', `${n}.nii.gz`));
}
const importEndToEndMs = performance.now() - t0;

const med = (xs: number[]) => +median(xs).toFixed(0);
const summary = (t: Times) => ({
  wallMs: med(t.wall),
  cpuMs: med(t.cpu),
  all: { wall: t.wall.map(Math.round), cpu: t.cpu.map(Math.round) },
});
const ratio = (a: number, b: number) => +(a / b).toFixed(3);
const importPmWall = Math.min(median(importPmPrefix.wall), median(importPmSsImg.wall));
const importPmCpu = Math.min(median(importPmPrefix.cpu), median(importPmSsImg.cpu));
const plastimatchVersion = spawnSync('plastimatch', ['--version'], { encoding: 'utf8' }).stdout.trim();
report('rtstruct', {
  grid: `${volume.dimensions.join('x')} @ ${volume.spacing.map((s) => +s.toFixed(4)).join('x')} mm (NSCLC Lung1-001 CT)`,
  structures: structures.length,
  contours: written.contourCounts.reduce((a, b) => a + b, 0),
  fileBytes: written.buffer.byteLength,
  runs,
  export: { ours: summary(exportOurs), plastimatch: summary(exportPm) },
  exportRatio: {
    wall: ratio(median(exportOurs.wall), median(exportPm.wall)),
    cpu: ratio(median(exportOurs.cpu), median(exportPm.cpu)),
    target: 0.5,
  },
  import: {
    ours: summary(importOurs),
    plastimatchPrefixNiiGz: summary(importPmPrefix),
    plastimatchSsImgNrrd: summary(importPmSsImg),
  },
  importRatio: {
    wall: ratio(median(importOurs.wall), importPmWall),
    cpu: ratio(median(importOurs.cpu), importPmCpu),
    target: 1.0,
    against: 'the faster plastimatch output',
  },
  importClinicalXio: summary(importClinicalOurs),
  endToEndMs: {
    export: Math.round(exportEndToEndMs),
    import: Math.round(importEndToEndMs),
    note: 'ours from files to files incl. CT load with pixels, 20 mask NIfTIs read or written (gzip); one run',
  },
  loadAverage: { before: load0.map((x) => +x.toFixed(2)), after: load1.map((x) => +x.toFixed(2)) },
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${plastimatchVersion}`,
  note: 'ratios: plastimatch whole commands (start, CT headers, mask files in/out) vs our in-app API on data in memory; endToEndMs gives ours from files to files',
});
