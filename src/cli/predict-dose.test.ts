// `delineo predict-dose` with the tiny random-weight dose network (test/fixtures/models/tiny-dose): its doses mean
// nothing, so these tests check what the command reads, decides, writes and reports, not the dose itself.
// A synthetic head-and-neck-like case written as DICOM CT + RT Structure Set (PTVs dosed by name, OpenKBP organ
// names), and the real NSCLC study, whose only PTV ("PTV-1") states no dose.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStructure } from '../domain/structure.ts';
import { writeCtSeriesToDirectory } from '../io/dicom/ct-writer-node.ts';
import { readRtDose } from '../io/dicom/rtdose.ts';
import { writeRtstruct } from '../io/dicom/rtstruct-writer.ts';
import { loadDicomDirectoryHeaders } from '../io/load-node.ts';
import { doseCase } from '../../test/helpers/dose-case.ts';
import { dciodvfy } from '../../test/helpers/external-tools.ts';
import { main } from './main.ts';

const TINY = fileURLToPath(new URL('../../test/fixtures/models/tiny-dose/manifest.json', import.meta.url));
const NSCLC = join(import.meta.dirname, '../../../shared/data/nsclc-lung1-001/dicom');
const NSCLC_PLAN = join(NSCLC, '137.dcm');

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { log: (l: string) => out.push(l), error: (l: string) => err.push(l) }, out, err };
};

type Row = Record<string, string>;
const csv = (path: string): Row[] => {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, n) => [keys[n]!, v])));
};

describe('delineo predict-dose', () => {
  const dir = mkdtempSync(join(tmpdir(), 'delineo-predict-dose-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ctDir = join(dir, 'ct');
  const rs = join(dir, 'rs.dcm');
  const undosed = join(dir, 'rs-undosed.dcm');

  before(async () => {
    const { ct, structures } = doseCase();
    await writeCtSeriesToDirectory(ct, ctDir, { patientId: 'DOSE-1', patientName: 'Dose^Test', seriesDescription: 'Synthetic H&N' });
    const grid = await loadDicomDirectoryHeaders(ctDir);
    assert.equal(grid.kind, 'grid');
    if (grid.kind !== 'grid') return;
    writeFileSync(rs, new Uint8Array(writeRtstruct(grid.grid, structures).buffer));
    // The same targets under names that state no dose.
    const renamed = structures.map((s) => (s.name === 'PTV70' ? createStructure({ ...s, name: 'PTV_high' }) : s.name === 'PTV_5600' ? createStructure({ ...s, name: 'PTV-1' }) : s));
    writeFileSync(undosed, new Uint8Array(writeRtstruct(grid.grid, renamed).buffer));
  });

  it('writes a PREDICTED RT Dose that dciodvfy accepts and `delineo dvh` reads back at the metrics it printed', async () => {
    const out = join(dir, 'rd.dcm');
    const c = capture();
    const code = await main(['predict-dose', '--ct', ctDir, '--rtstruct', rs, '--model', TINY, '--out', out, '--threads', '1'], c.io);
    assert.equal(code, 0, c.err.join('\n'));
    assert.equal(c.out[0], 'model: tiny-dose 0.1.0 (Tiny random dose network (test fixture))');
    assert.match(c.out[1]!, /^target PTV70: 70 Gy \(from its name\); predicted mean \d+\.\d\d Gy, D95 \d+\.\d\d Gy, D99 \d+\.\d\d Gy$/);
    assert.match(c.out[2]!, /^target PTV_5600: 56 Gy \(from its name\); /);
    assert.deepEqual(
      c.out.filter((l) => l.startsWith('organ')).map((l) => l.replace(/: predicted .*/, '')),
      ['organ SpinalCord', 'organ Parotid_R = RightParotid', 'organ Bone_Mandible = Mandible', 'organs missing (all-zero input): Brainstem, Parotid_L, Esophagus, Larynx'],
    );
    const minted = /^references RT Plan ([\d.]+): a new UID for the plan this dose stands for, which no object has yet/.exec(c.out.find((l) => l.startsWith('references'))!);
    assert.ok(minted, c.out.join('\n'));
    assert.match(c.out.at(-1)!, /^RT Dose \d+×\d+×\d+ of 4×4×3 mm, max \d+\.\d\d Gy, in \d+\.\d s → /);
    assert.ok(c.err.some((l) => l === 'predict-dose: inference 1/1'), c.err.join('\n'));

    const report = dciodvfy(out);
    assert.deepEqual(report.errors, [], report.output);
    const back = readRtDose(readFileSync(out), out);
    assert.equal(back.summationType, 'PLAN');
    assert.equal(back.referencedRtPlanUid, minted[1]);
    assert.match(back.label, /^PLAN · PREDICTED dose \(tiny-dose 0\.1\.0\): not a planned dose · max \d+\.\d Gy$/);

    // `delineo dvh` on the file written: the same means and D0.1cc as printed (16-bit quantisation and rounding).
    const d = capture();
    assert.equal(await main(['dvh', '--ct', ctDir, '--rtstruct', rs, '--rtdose', out, '--out', join(dir, 'dvh.csv'), '--json', join(dir, 'dvh.json')], d.io), 0, d.err.join('\n'));
    const rows = csv(join(dir, 'dvh.csv'));
    const json = JSON.parse(readFileSync(join(dir, 'dvh.json'), 'utf8')) as { structures: { name: string; metrics: { d0_1ccGy: number } }[] };
    for (const line of c.out.filter((l) => /^(organ|target) /.test(l) && !l.startsWith('organs missing'))) {
      const name = /^(?:organ \S+ = |organ |target )([^:]+):/.exec(line)![1]!;
      const mean = Number(/mean (\d+\.\d+) Gy/.exec(line)![1]);
      const row = rows.find((r) => r.structure === name);
      assert.ok(row, `${name} in the DVH table`);
      assert.ok(Math.abs(Number(row.mean_gy) - mean) <= 0.01, `${name} mean: dvh ${row.mean_gy}, predict-dose ${mean}`);
      const cc = /D0\.1cc (\d+\.\d+) Gy/.exec(line);
      if (cc) {
        const got = json.structures.find((s) => s.name === name)!.metrics.d0_1ccGy;
        assert.ok(Math.abs(got - Number(cc[1])) <= 0.01, `${name} D0.1cc: dvh ${got}, predict-dose ${cc[1]}`);
      }
    }
  });

  it('fails naming the PTVs that need a prescription, and takes them with --prescription (names any case)', async () => {
    const out = join(dir, 'rd-undosed.dcm');
    const c = capture();
    assert.equal(await main(['predict-dose', '--ct', ctDir, '--rtstruct', undosed, '--model', TINY, '--out', out], c.io), 1);
    assert.equal(c.err.at(-1), `delineo predict-dose: ${undosed}: no PTV has a prescription (PTVs found: "PTV_high", "PTV-1"); enter a prescription for "PTV_high", "PTV-1" with --prescription "PTV_high=GY"`);

    const e = capture();
    assert.equal(await main(['predict-dose', '--ct', ctDir, '--rtstruct', undosed, '--model', TINY, '--out', out, '--prescription', 'PTV_boost=70'], e.io), 2);
    assert.equal(e.err.at(-1), `delineo predict-dose: --prescription "PTV_boost=70": ${undosed} has no structure named "PTV_boost" (its PTVs: "PTV_high", "PTV-1")`);

    const j = capture();
    assert.equal(await main(['predict-dose', '--ct', ctDir, '--rtstruct', undosed, '--model', TINY, '--out', out, '--prescription', 'ptv_high=66Gy', '--json'], j.io), 0, j.err.join('\n'));
    assert.equal(j.out.length, 1, 'only the JSON on stdout');
    const s = JSON.parse(j.out[0]!) as { targets: { name: string; prescriptionGy: number; from: string }[]; needsPrescription: string[]; missingOrgans: string[]; organs: { channel: string; name: string; meanGy: number; d0_1ccGy: number }[]; referencedRtPlan: { minted: boolean } };
    assert.deepEqual(s.targets.map((t) => [t.name, t.prescriptionGy, t.from]), [['PTV_high', 66, 'entered']]);
    assert.deepEqual(s.needsPrescription, ['PTV-1']);
    assert.deepEqual(s.organs.map((o) => o.channel), ['SpinalCord', 'Parotid_R', 'Bone_Mandible']);
    assert.ok(s.organs.every((o) => o.d0_1ccGy >= o.meanGy), JSON.stringify(s.organs));
    assert.equal(s.referencedRtPlan.minted, true);
  });

  it('exits 2 on a malformed --prescription or command line, and 1 on an unknown model, before reading the CT', async () => {
    for (const [bad, why] of [
      ['PTV70', /give NAME=GY/],
      ['=70', /give NAME=GY/],
      ['PTV-1=seventy', /give NAME=GY/],
      ['PTV-1=7000', /7000 Gy is not a prescription \(more than 0, at most 150 Gy; 70, not 7000 cGy\)/],
      ['PTV-1=0', /0 Gy is not a prescription/],
    ] as const) {
      const c = capture();
      assert.equal(await main(['predict-dose', '--ct', ctDir, '--out', join(dir, 'x.dcm'), '--prescription', bad], c.io), 2, bad);
      assert.match(c.err[0]!, why, bad);
    }
    const o = capture();
    assert.equal(await main(['predict-dose', '--ct', ctDir, '--out', join(dir, 'x.nii.gz')], o.io), 2);
    assert.match(o.err[0]!, /--out must be a DICOM file ending in \.dcm/);
    const m = capture();
    assert.equal(await main(['predict-dose', '--ct', join(dir, 'no-such-folder'), '--model', 'no-such-model', '--out', join(dir, 'x.dcm')], m.io), 1);
    assert.match(m.err[0]!, /^delineo predict-dose: no model "no-such-model" \(looked for .*no-such-model.*manifest\.json\)$/);
  });

  it('predicts the real NSCLC study with an entered prescription, referencing its RT Plan given with --rtplan', { timeout: 900_000 }, async () => {
    const out = join(dir, 'nsclc-rd.dcm');
    const c = capture();
    const code = await main(['predict-dose', '--ct', NSCLC, '--rtstruct', join(NSCLC, '2.dcm'), '--model', TINY, '--prescription', 'PTV-1=60', '--rtplan', NSCLC_PLAN, '--out', out, '--json'], c.io);
    assert.equal(code, 0, c.err.join('\n'));
    const s = JSON.parse(c.out[0]!) as { targets: { name: string; prescriptionGy: number }[]; organs: { channel: string; name: string; meanGy: number }[]; missingOrgans: string[]; referencedRtPlan: { sopInstanceUid: string; minted: boolean } };
    assert.deepEqual(s.targets.map((t) => [t.name, t.prescriptionGy]), [['PTV-1', 60]]);
    assert.deepEqual(s.organs.map((o) => [o.channel, o.name]), [['SpinalCord', 'Spinal cord']]);
    assert.deepEqual(s.missingOrgans, ['Brainstem', 'Parotid_R', 'Parotid_L', 'Esophagus', 'Larynx', 'Bone_Mandible']);
    assert.deepEqual(s.referencedRtPlan, { file: NSCLC_PLAN, sopInstanceUid: '1.3.6.1.4.1.40744.29.92475399252566833466636940423749945181', minted: false });
    const report = dciodvfy(out);
    assert.deepEqual(report.errors, [], report.output);
    const d = capture();
    assert.equal(await main(['dvh', '--ct', NSCLC, '--rtstruct', join(NSCLC, '2.dcm'), '--rtdose', out, '--rtplan', NSCLC_PLAN, '--out', join(dir, 'nsclc-dvh.csv')], d.io), 0, d.err.join('\n'));
    const cord = csv(join(dir, 'nsclc-dvh.csv')).find((r) => r.structure === 'Spinal cord')!;
    assert.ok(Math.abs(Number(cord.mean_gy) - s.organs[0]!.meanGy) <= 0.01, `Spinal cord mean: dvh ${cord.mean_gy}, predict-dose ${s.organs[0]!.meanGy}`);
  });
});
