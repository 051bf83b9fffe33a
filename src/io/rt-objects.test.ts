// RT objects and dose images read onto a CT (rt-objects.ts, dose-image.ts) on the real data: the NSCLC study's own
// structure set, dose and plan onto its CT, and the bad-input corpus for RT objects and dose images
// (test/fixtures/io/bad-rt-corpus.ts): every refusal a typed error naming the file and, for a Frame of Reference,
// both UIDs; nothing of a refused object is used.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Volume } from '../domain/volume.ts';
import { JobError } from '../jobs/job.ts';
import { DATA_DIR, NSCLC_DIR } from '../../test/fixtures/io/bad-dicom-corpus.ts';
import { doseImageCases, nsclcRelativeDose, NSCLC_DOSE_PLAN, NSCLC_FRAME, rtObjectCases, type RtCorpusCase } from '../../test/fixtures/io/bad-rt-corpus.ts';
import { readRtDose } from './dicom/rtdose.ts';
import { scanDicom } from './dicom/series-loader.ts';
import { doseFromImage, isDoseImageName } from './dose-image.ts';
import { readVolumeNifti } from './itk/nifti.ts';
import { loadDicomDirectory } from './load-node.ts';
import { readRtDoseOntoCt, readRtObjectsOntoCt, readRtPlanOntoCt, type RtObjectFile } from './rt-objects.ts';

let nsclc: Volume;
let nsclcObjects: readonly RtObjectFile[];
let openkbpCt: Volume;

before(async () => {
  const loaded = await loadDicomDirectory(NSCLC_DIR);
  assert.equal(loaded.kind, 'volume');
  if (loaded.kind !== 'volume') return;
  nsclc = loaded.volume;
  nsclcObjects = loaded.rtObjects;
  openkbpCt = await readVolumeNifti(join(DATA_DIR, 'openkbp/validation/pt_201/ct.nii.gz'), 'CT');
});

describe('the NSCLC study’s RT objects onto its CT', () => {
  it('adds every object of the study: the structure set, the dose and the plan', () => {
    assert.equal(nsclc.identity.frameOfReferenceUid, NSCLC_FRAME);
    const read = readRtObjectsOntoCt(nsclcObjects, nsclc, { structureSets: 'all' });
    assert.deepEqual(read.refused, []);
    assert.equal(read.structureSets.length, 1);
    assert.equal(read.structureSets[0]!.file, '2.dcm');
    assert.ok(read.structureSets[0]!.structures.some((s) => s.name === 'GTV-1'));
    assert.deepEqual(read.doses.map((d) => d.file), ['1.dcm']);
    assert.ok(Math.abs(read.doses[0]!.maxGy - readRtDose(readFileSync(join(NSCLC_DIR, '1.dcm')), '1.dcm').maxGy) < 1e-9);
    assert.deepEqual(read.plans.map((p) => [p.file, p.label, p.fractions, p.beams.length]), [['137.dcm', '1p2b1d1a', 10, 5]]);
  });

  it('opened with the CT, chooses the structure set on its frame and refuses another patient’s, naming both frames', async () => {
    const other = await scanDicom([{ name: 'rtstruct.dcm', data: readFileSync(join(DATA_DIR, 'pydicom-rt/rtstruct.dcm')) }]);
    const read = readRtObjectsOntoCt([...nsclcObjects, ...other.rtObjects], nsclc, { structureSets: 'choose' });
    assert.deepEqual(read.structureSets.map((s) => s.file), ['2.dcm']);
    assert.equal(read.refused.length, 1);
    const refusal = read.refused[0]!;
    assert.equal(refusal.file, 'rtstruct.dcm');
    assert.equal(refusal.code, 'frame-of-reference-mismatch');
    assert.match(refusal.message, /^rtstruct\.dcm: it is on another Frame of Reference \(1\.2\.826\.0\.1\.3680043\.8\.498\.2010020400001\.2\), not this CT's \(1\.3\.6\.1\.4\.1\.40744\.29\.159382531350253250387871175467326315430\)/);
    // Which one was taken is said, since there were two.
    assert.ok(read.warnings.some((w) => /^2\.dcm \(RCCT020209\) was loaded: /.test(w)), read.warnings.join('\n'));
  });

  it('a RELATIVE dose is scaled to the prescription of the plan it refers to, even one loaded before it', () => {
    const plan = readRtPlanOntoCt(readFileSync(join(NSCLC_DIR, '137.dcm')), '137.dcm', nsclc);
    assert.equal(plan.prescriptionGy, null);
    const gy = readRtDose(readFileSync(join(NSCLC_DIR, '1.dcm')), '1.dcm');
    const relative = nsclcRelativeDose(60);
    const planned = { ...plan, sopInstanceUid: NSCLC_DOSE_PLAN, prescriptionGy: 60 };
    const dose = readRtDoseOntoCt(relative, 'RD.relative.dcm', nsclc, [planned]);
    assert.equal(dose.volume.data.length, gy.volume.data.length);
    let worst = 0;
    for (let n = 0; n < gy.volume.data.length; n++) worst = Math.max(worst, Math.abs(dose.volume.data[n]! - gy.volume.data[n]!));
    assert.ok(worst < 1e-4, `largest difference ${worst} Gy`);
    // The same dose added after a plan that states none is refused, naming the plan.
    assert.throws(
      () => readRtDoseOntoCt(relative, 'RD.relative.dcm', nsclc, [{ ...planned, prescriptionGy: null }]),
      (e: Error) => e instanceof JobError && e.code === 'relative-dose' && /^RD\.relative\.dcm: the dose is RELATIVE .* 137\.dcm \(1p2b1d1a\) states no prescription$/.test(e.message),
    );
  });
});

describe('bad RT objects and dose images onto a CT (the bad-input corpus)', () => {
  let cases: RtCorpusCase[] = [];
  before(async () => {
    cases = [...rtObjectCases(), ...(await doseImageCases(readVolumeNifti))];
  });

  it('has a case for every decision', () => {
    assert.ok(cases.length >= 19, `${cases.length} cases`);
    for (const code of ['frame-of-reference-mismatch', 'frame-of-reference', 'relative-dose', 'not-a-dose', 'outside-ct']) {
      assert.ok(cases.some((c) => c.expect.kind === 'refused' && c.expect.code === code), code);
    }
  });

  it('refuses each bad object with a typed error naming its file (and both frames), and loads each good one', () => {
    const problems: string[] = [];
    for (const c of cases) {
      let refused: JobError[] = [];
      let loaded = { structureSets: 0, doses: 0, plans: 0 };
      let warnings: readonly string[] = [];
      let file: string;
      if (c.ct === 'nsclc') {
        const read = readRtObjectsOntoCt(c.objects, nsclc, { structureSets: 'all' });
        refused = [...read.refused];
        loaded = { structureSets: read.structureSets.length, doses: read.doses.length, plans: read.plans.length };
        warnings = read.warnings;
        file = c.objects.at(-1)!.file;
      } else {
        file = c.image.file;
        try {
          const dose = doseFromImage(c.image.volume, file, openkbpCt);
          loaded = { structureSets: 0, doses: 1, plans: 0 };
          warnings = dose.warnings.map((w) => w.message);
        } catch (e) {
          if (!(e instanceof JobError)) throw e;
          refused = [e];
        }
      }
      const e = c.expect;
      if (e.kind === 'refused') {
        const r = refused.find((x) => x.file === file);
        if (!r) problems.push(`${c.name}: not refused (${JSON.stringify(loaded)})`);
        else {
          if (r.code !== e.code) problems.push(`${c.name}: code ${r.code}, expected ${e.code}: ${r.message}`);
          if (!r.message.startsWith(`${file}: `) || r.message.startsWith(`${file}: ${file}`)) problems.push(`${c.name}: the message does not start with the file, once: ${r.message}`);
          for (const m of e.mentions) if (!r.message.includes(m)) problems.push(`${c.name}: the message does not mention ${m}: ${r.message}`);
        }
        if (c.ct === 'nsclc' && c.objects.length === 1 && loaded.structureSets + loaded.doses + loaded.plans > 0) problems.push(`${c.name}: something of a refused object was used`);
      } else {
        if (refused.length) problems.push(`${c.name}: refused ${refused.map((r) => r.message).join('; ')}`);
        const count = e.what === 'structure-set' ? loaded.structureSets : e.what === 'dose' ? loaded.doses : loaded.plans;
        if (count !== 1) problems.push(`${c.name}: ${count} ${e.what} loaded`);
        if (e.warning && !warnings.some((w) => e.warning!.test(w))) problems.push(`${c.name}: no warning ${e.warning}: ${warnings.join(' | ')}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe('dose images', () => {
  it('are told by their name: a dose, not its mask', () => {
    for (const name of ['dose.nii.gz', 'pt_201/dose.nii.gz', 'RD_plan1.nii', 'rd.1.2.3.nrrd', 'total_dose.mha', 'Dose.NII.GZ']) assert.equal(isDoseImageName(name), true, name);
    for (const name of ['possible_dose_mask.nii.gz', 'ct.nii.gz', 'dose.dcm', 'RD.1.2.3.dcm', 'dose.txt', 'ordinal.nii.gz']) assert.equal(isDoseImageName(name), false, name);
  });

  it('the NSCLC dose converted to NIfTI by plastimatch equals the RT Dose, voxel for voxel', async (t) => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { runTool } = await import('../../test/helpers/external-tools.ts');
    const dir = mkdtempSync(join(tmpdir(), 'delineo-dose-image-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const r = runTool('plastimatch', ['convert', '--input-dose-img', join(NSCLC_DIR, '1.dcm'), '--output-dose-img', join(dir, 'dose.nii.gz')], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const image = doseFromImage(await readVolumeNifti(join(dir, 'dose.nii.gz'), 'RTDOSE'), 'dose.nii.gz', nsclc);
    const dicom = readRtDose(readFileSync(join(NSCLC_DIR, '1.dcm')), '1.dcm');
    assert.deepEqual([...image.volume.dimensions], [...dicom.volume.dimensions]);
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(image.volume.origin[a]! - dicom.volume.origin[a]!) < 1e-3);
    let worst = 0;
    for (let n = 0; n < dicom.volume.data.length; n++) worst = Math.max(worst, Math.abs(image.volume.data[n]! - dicom.volume.data[n]!));
    assert.ok(worst < 1e-4, `largest difference ${worst} Gy`);
    assert.deepEqual(image.warnings.map((w) => w.code), ['no-frame-of-reference']);
  });
});
