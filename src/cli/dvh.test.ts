// `delineo dvh` against an independent DVH: the structures rasterised by plastimatch (even-odd, on the CT grid),
// the dose resampled trilinearly onto the CT voxel centres by plastimatch, and the metrics computed by numpy.
// Tolerances (issue "Dose review"): for every ROI of 20 cc or more, volume within 3 %, mean/D50/D95/D98 within
// max(1 %, 0.3 Gy), max/D2 within max(2 %, 0.5 Gy). Also OpenKBP validation plans (dose in Gy on the CT grid).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeDvh, dvhMetrics } from '../domain/dvh.ts';
import { BinaryMask } from '../domain/mask.ts';
import { Volume } from '../domain/volume.ts';
import { readVolumeNifti, writeVolumeNifti } from '../io/itk/nifti.ts';
import { nsclcPlanFor, nsclcRelativeDose } from '../../test/fixtures/io/bad-rt-corpus.ts';
import { runPythonJson, runTool } from '../../test/helpers/external-tools.ts';
import { dvhCommand } from './dvh.ts';

const DATA = join(import.meta.dirname, '../../../shared/data');
const NSCLC = join(DATA, 'nsclc-lung1-001/dicom');

type Row = { structure: string; volume_cc: number; min_gy: number; mean_gy: number; max_gy: number; d98_gy: number; d95_gy: number; d50_gy: number; d2_gy: number };

/** The reference metrics by numpy over plastimatch's masks and dose. */
const NUMPY_DVH = `import sys, json, glob, os, numpy as np, nibabel as nib
dose = nib.load(sys.argv[1]).get_fdata()
out = {}
for f in sorted(glob.glob(os.path.join(sys.argv[2], '*.nii.gz'))):
    m = nib.load(f); inside = m.get_fdata() > 0
    x = np.sort(dose[inside])[::-1]; n = len(x)
    if n == 0: continue
    D = lambda p: float(x[int(np.ceil(p / 100 * n)) - 1])
    out[os.path.basename(f)[:-7]] = {"volume_cc": float(n * np.prod(m.header.get_zooms()) / 1000), "min_gy": float(x[-1]), "mean_gy": float(x.mean()),
      "max_gy": float(x[0]), "d98_gy": D(98), "d95_gy": D(95), "d50_gy": D(50), "d2_gy": D(2)}
print(json.dumps(out))`;

function parseCsv(text: string): Row[] {
  const [header, ...lines] = text.trim().split('\n');
  assert.equal(header, 'structure,volume_cc,min_gy,mean_gy,max_gy,d98_gy,d95_gy,d50_gy,d2_gy');
  return lines.map((line) => {
    const m = /^("(?:[^"]|"")*"|[^,]*),(.*)$/.exec(line)!;
    const name = m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!;
    const [volume_cc, min_gy, mean_gy, max_gy, d98_gy, d95_gy, d50_gy, d2_gy] = m[2]!.split(',').map(Number) as number[];
    return { structure: name, volume_cc: volume_cc!, min_gy: min_gy!, mean_gy: mean_gy!, max_gy: max_gy!, d98_gy: d98_gy!, d95_gy: d95_gy!, d50_gy: d50_gy!, d2_gy: d2_gy! };
  });
}

function assertWithin(name: string, got: Row | Record<string, number>, ref: Record<string, number>): void {
  const near = (key: string, rel: number, abs: number) => {
    const g = (got as Record<string, number>)[key]!;
    const r = ref[key]!;
    assert.ok(Math.abs(g - r) <= Math.max(rel * Math.abs(r), abs), `${name} ${key}: ${g} vs reference ${r}`);
  };
  near('volume_cc', 0.03, 0);
  for (const k of ['mean_gy', 'd50_gy', 'd95_gy', 'd98_gy']) near(k, 0.01, 0.3);
  for (const k of ['max_gy', 'd2_gy']) near(k, 0.02, 0.5);
}

describe('delineo dvh against an independent DVH', () => {
  const dir = mkdtempSync(join(tmpdir(), 'delineo-dvh-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let reference: Record<string, Record<string, number>>;

  before(() => {
    // plastimatch reads a folder: the CT slices (3–136) without the RT objects.
    const ct = join(dir, 'ct');
    mkdirSync(ct);
    for (let n = 3; n <= 136; n++) symlinkSync(join(NSCLC, `${n}.dcm`), join(ct, `${n}.dcm`));
    const run = (args: string[]) => {
      const r = runTool('plastimatch', args, { timeoutMs: 300_000 });
      assert.equal(r.status, 0, `plastimatch ${args[0]}: ${r.stderr.slice(-2000)}`);
    };
    run(['convert', '--input', ct, '--output-img', join(dir, 'ct.nii.gz')]);
    run(['convert', '--input', join(NSCLC, '2.dcm'), '--referenced-ct', ct, '--output-prefix', join(dir, 'masks'), '--prefix-format', 'nii.gz']);
    run(['convert', '--input-dose-img', join(NSCLC, '1.dcm'), '--output-dose-img', join(dir, 'dose.nii.gz')]);
    run(['resample', '--input', join(dir, 'dose.nii.gz'), '--fixed', join(dir, 'ct.nii.gz'), '--output', join(dir, 'dose-on-ct.nii.gz'), '--interpolation', 'linear']);
    reference = runPythonJson(NUMPY_DVH, [join(dir, 'dose-on-ct.nii.gz'), join(dir, 'masks')]);
  });

  it('matches plastimatch + numpy on every ROI of 20 cc or more of the NSCLC plan, and checks the thorax template', async () => {
    const out = join(dir, 'dvh.csv');
    const log: string[] = [];
    const code = await dvhCommand(['--ct', NSCLC, '--rtstruct', join(NSCLC, '2.dcm'), '--rtdose', join(NSCLC, '1.dcm'), '--out', out, '--json', join(dir, 'dvh.json'), '--constraints', join(import.meta.dirname, '../domain/constraints/thorax.json')], { log: (l) => log.push(l), error: () => undefined });
    assert.equal(code, 0);
    const rows = parseCsv(readFileSync(out, 'utf8'));
    const large = Object.entries(reference).filter(([, r]) => r.volume_cc! >= 20);
    assert.ok(large.length >= 7, Object.keys(reference).join(', '));
    for (const [name, ref] of large) {
      const row = rows.find((r) => r.structure === name);
      assert.ok(row, `${name} is in the CSV`);
      assertWithin(name, row, ref);
    }
    assert.ok(log.some((l) => /^PASS Lungs V20Gy \d+\.\d % ≤ 37 %$/.test(l)), log.join('\n'));
    const json = JSON.parse(readFileSync(join(dir, 'dvh.json'), 'utf8')) as { structures: { name: string; volumePercent: number[] }[] };
    assert.equal(json.structures.find((s) => s.name === 'GTV-1')!.volumePercent[0], 100);
  });

  it('refuses a dose on another frame of reference and a malformed command line, naming the problem', async () => {
    const errors: string[] = [];
    const io = { log: () => undefined, error: (l: string) => errors.push(l) };
    assert.equal(await dvhCommand(['--ct', NSCLC], io), 2);
    assert.match(errors.at(-1)!, /--out <file> is required/);
    assert.equal(await dvhCommand(['--ct', NSCLC, '--rtdose', join(DATA, 'pydicom-rt/rtdose.dcm'), '--out', join(dir, 'x.csv')], io), 1);
    assert.match(errors.at(-1)!, /rtdose\.dcm: the dose is on Frame of Reference 2\.22\.222\.2\.222222\.2\.2222222222222222222222222222\.2, the CT on 1\.3\.6\.1\.4\.1\.40744\.29\.159382531350253250387871175467326315430/);
  });

  it('prints the plan summary of the study, and takes a dose image in Gy (the dose as NIfTI) to the same table as the RT Dose', async () => {
    const log: string[] = [];
    const errors: string[] = [];
    const io = { log: (l: string) => log.push(l), error: (l: string) => errors.push(l) };
    assert.equal(await dvhCommand(['--ct', NSCLC, '--out', join(dir, 'dicom.csv')], io), 0);
    assert.ok(log.includes('plan: 1p2b1d1a: no prescription stated in 10 fractions; 5 beams: p2b1d1v1ap (PHOTON 354°), p2b1d1v2pa (PHOTON 180°), p2b1d1v3ll (PHOTON 97°), p2b1d1v4epi ap (PHOTON 0°), p2b1d1v5epi ll (PHOTON 90°)'), log.join('\n'));
    const image = join(dir, 'dose.nii.gz');
    assert.equal(await dvhCommand(['--ct', NSCLC, '--rtstruct', join(NSCLC, '2.dcm'), '--rtdose', image, '--out', join(dir, 'image.csv')], io), 0);
    assert.ok(errors.some((l) => l === `warning: ${image} has no Frame of Reference (an image file states none): the dose is placed by its coordinates, and that it belongs to this CT could not be verified`), errors.join('\n'));
    const fromDicom = parseCsv(readFileSync(join(dir, 'dicom.csv'), 'utf8'));
    const fromImage = parseCsv(readFileSync(join(dir, 'image.csv'), 'utf8'));
    assert.deepEqual(fromImage.map((r) => r.structure), fromDicom.map((r) => r.structure));
    for (const [n, r] of fromImage.entries()) for (const [k, v] of Object.entries(r)) if (k !== 'structure') assert.ok(Math.abs((v as number) - (fromDicom[n]![k as keyof Row] as number)) <= 2e-4, `${r.structure} ${k}`);
  });

  it('refuses a dose image off the CT and one that is not in Gy, naming the file', async () => {
    const errors: string[] = [];
    const io = { log: () => undefined, error: (l: string) => errors.push(l) };
    const dose = await readVolumeNifti(join(dir, 'dose.nii.gz'), 'RTDOSE');
    const far = join(dir, 'dose-far.nii.gz');
    await writeVolumeNifti(new Volume({ ...dose.geometry, origin: [dose.origin[0], dose.origin[1], dose.origin[2] + 3000], data: dose.data, modality: 'RTDOSE' }), far);
    assert.equal(await dvhCommand(['--ct', NSCLC, '--rtdose', far, '--out', join(dir, 'far.csv')], io), 1);
    assert.ok(errors.at(-1)!.startsWith(`delineo dvh: ${far}: the dose lies wholly outside the CT`), errors.at(-1));
    const ct = join(dir, 'ct.nii.gz');
    assert.equal(await dvhCommand(['--ct', NSCLC, '--rtdose', ct, '--out', join(dir, 'ct.csv')], io), 1);
    assert.match(errors.at(-1)!, /ct\.nii\.gz: its values go down to -\d+: a dose in Gy is never negative/);
  });

  it('--rtplan: a RELATIVE dose takes the prescription of the plan it refers to; without that plan it is refused', async () => {
    const relative = join(dir, 'RD.relative.dcm');
    const plan = join(dir, 'RP.rx60.dcm');
    writeFileSync(relative, nsclcRelativeDose(60));
    writeFileSync(plan, nsclcPlanFor(60));
    const log: string[] = [];
    const errors: string[] = [];
    const io = { log: (l: string) => log.push(l), error: (l: string) => errors.push(l) };
    assert.equal(await dvhCommand(['--ct', NSCLC, '--rtdose', relative, '--rtplan', plan, '--out', join(dir, 'relative.csv')], io), 0, errors.join('\n'));
    assert.ok(log.some((l) => /^plan: 1p2b1d1a: 60 Gy in 10 fractions; 5 beams/.test(l)), log.join('\n'));
    assert.equal(await dvhCommand(['--ct', NSCLC, '--rtdose', join(NSCLC, '1.dcm'), '--out', join(dir, 'gy.csv')], io), 0);
    const gy = parseCsv(readFileSync(join(dir, 'gy.csv'), 'utf8'));
    const rel = parseCsv(readFileSync(join(dir, 'relative.csv'), 'utf8'));
    for (const [n, r] of rel.entries()) for (const k of ['mean_gy', 'max_gy', 'd95_gy'] as const) assert.ok(Math.abs(r[k] - gy[n]![k]) <= 2e-3, `${r.structure} ${k}: ${r[k]} vs ${gy[n]![k]}`);
    // The study's own plan states no prescription, and the dose does not refer to it: refused, naming the plan it needs.
    assert.equal(await dvhCommand(['--ct', NSCLC, '--rtdose', relative, '--out', join(dir, 'x.csv')], io), 1);
    assert.match(errors.at(-1)!, /RD\.relative\.dcm: the dose is RELATIVE .* refers to the RT Plan 2\.16\.840\.1\.114337\.208007648783\.1396\.1233830148\.0, which is not loaded/);
  });
});

describe('DVHs of OpenKBP validation plans (dose in Gy on the CT grid)', () => {
  for (const pt of ['pt_201', 'pt_230']) {
    it(`${pt}: every OAR and PTV as numpy computes it from the same label maps and dose`, async () => {
      const root = join(DATA, 'openkbp/validation', pt);
      const dose = await readVolumeNifti(join(root, 'dose.nii.gz'), 'RTDOSE');
      const labels = await Promise.all(['oar', 'ptv'].map((n) => readVolumeNifti(join(root, `${n}.nii.gz`), 'SEG')));
      const ref = runPythonJson<Record<string, Record<string, number>>>(
        `import sys, json, numpy as np, nibabel as nib
dose = nib.load(sys.argv[1]).get_fdata(); out = {}
for kind, path in (("oar", sys.argv[2]), ("ptv", sys.argv[3])):
    lab = np.rint(nib.load(path).get_fdata()).astype(int); z = np.prod(nib.load(path).header.get_zooms())
    for v in sorted(set(np.unique(lab)) - {0}):
        x = np.sort(dose[lab == v])[::-1]; n = len(x); D = lambda p: float(x[int(np.ceil(p / 100 * n)) - 1])
        out[f"{kind}{v}"] = {"volume_cc": float(n * z / 1000), "mean_gy": float(x.mean()), "max_gy": float(x[0]), "d98_gy": D(98), "d95_gy": D(95), "d50_gy": D(50), "d2_gy": D(2)}
print(json.dumps(out))`,
        [join(root, 'dose.nii.gz'), join(root, 'oar.nii.gz'), join(root, 'ptv.nii.gz')],
      );
      let checked = 0;
      for (const [kind, volume] of [['oar', labels[0]!], ['ptv', labels[1]!]] as const) {
        for (const [key, r] of Object.entries(ref).filter(([k]) => k.startsWith(kind))) {
          const value = Number(key.slice(kind.length));
          const mask = BinaryMask.fromDense(volume.dimensions, Array.from(volume.data, (v) => (Math.round(v) === value ? 1 : 0)));
          const m = dvhMetrics(computeDvh(mask, volume.geometry, dose, { smallStructureCc: 0 }));
          assertWithin(`${pt} ${key}`, { volume_cc: m.volumeCc, mean_gy: m.meanGy, max_gy: m.maxGy, d98_gy: m.d98Gy, d95_gy: m.d95Gy, d50_gy: m.d50Gy, d2_gy: m.d2Gy }, r);
          checked++;
        }
      }
      assert.ok(checked >= 5, `${checked} structures checked`);
    });
  }
});
