import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importRtstruct } from '../io/dicom/rtstruct-reader.ts';
import { writeCtSeriesToDirectory } from '../io/dicom/ct-writer-node.ts';
import { readVolumeNifti, writeVolumeNifti } from '../io/itk/nifti.ts';
import { generatePhantom } from '../phantom/phantom.ts';
import { main } from './main.ts';

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { log: (l: string) => out.push(l), error: (l: string) => err.push(l) }, out, err };
};
const TINY = fileURLToPath(new URL('../../test/fixtures/models/tiny-3d/manifest.json', import.meta.url));

describe('delineo segment', () => {
  it('writes an RT Structure Set of AUTOMATIC rule-based contours that re-imports onto the CT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'delineo-seg-'));
    const ph = generatePhantom({ dimensions: [128, 128, 40], spacing: [3.9, 3.9, 7], seed: 2 });
    await writeCtSeriesToDirectory(ph.volume, join(dir, 'ct'));
    const c = capture();
    const code = await main(['segment', '--ct', join(dir, 'ct'), '--model', 'ct-external-lungs-bones', '--out', join(dir, 'rs.dcm')], c.io);
    assert.equal(code, 0, c.err.join('\n'));
    assert.match(c.out.at(-1)!, /ct-external-lungs-bones on 128×128×40 in .* s \(rules\)/);
    const back = importRtstruct(await readFile(join(dir, 'rs.dcm')), ph.volume);
    assert.deepEqual(back.structures.map((s) => s.name), ['External', 'Lung_L', 'Lung_R', 'Bone']);
    assert.equal(back.structures[0].provenance.algorithm, 'AUTOMATIC');
    assert.ok(back.structures[1].mask.count() > 1000);
  });

  it('writes a NIfTI label map with an ONNX model from a manifest path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'delineo-seg-'));
    const ph = generatePhantom({ dimensions: [64, 64, 20], spacing: [6, 6, 10], seed: 2 });
    await writeVolumeNifti(ph.volume, join(dir, 'ct.nii.gz'));
    const c = capture();
    assert.equal(await main(['segment', '--ct', join(dir, 'ct.nii.gz'), '--model', TINY, '--out', join(dir, 'labels.nii.gz'), '--threads', '1'], c.io), 0, c.err.join('\n'));
    const labels = await readVolumeNifti(join(dir, 'labels.nii.gz'), 'MASK');
    const values = new Set(labels.data);
    assert.ok(values.has(1) && values.has(2), `labels ${[...values]}`);
    assert.deepEqual([...labels.dimensions], [64, 64, 20]);
  });

  it('writes the uncertainty map as float32 0–1 on the CT grid, and refuses it for a rule-based model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'delineo-seg-'));
    const ph = generatePhantom({ dimensions: [64, 60, 20], spacing: [6, 6.5, 10], seed: 2 });
    await writeVolumeNifti(ph.volume, join(dir, 'ct.nii.gz'));
    const c = capture();
    const args = ['segment', '--ct', join(dir, 'ct.nii.gz'), '--model', TINY, '--out', join(dir, 'labels.nii.gz'), '--uncertainty', join(dir, 'u.nii.gz'), '--threads', '1'];
    assert.equal(await main(args, c.io), 0, c.err.join('\n'));
    const u = await readVolumeNifti(join(dir, 'u.nii.gz'), 'OT');
    const ct = await readVolumeNifti(join(dir, 'ct.nii.gz'));
    assert.ok(u.data instanceof Float32Array, u.data.constructor.name);
    assert.deepEqual([...u.dimensions], [...ct.dimensions]);
    assert.deepEqual([...u.spacing].map((v) => +v.toFixed(4)), [...ct.spacing].map((v) => +v.toFixed(4)));
    assert.deepEqual([...u.origin].map((v) => +v.toFixed(3)), [...ct.origin].map((v) => +v.toFixed(3)));
    assert.deepEqual([...u.direction], [...ct.direction]);
    const [lo, hi] = u.range();
    assert.ok(lo >= 0 && hi <= 1 && hi > 0.1, `range ${lo} … ${hi}`);
    const d = capture();
    const rules = ['segment', '--ct', join(dir, 'ct.nii.gz'), '--model', 'ct-external-lungs-bones', '--out', join(dir, 'l.nii.gz'), '--uncertainty', join(dir, 'v.nii.gz')];
    assert.equal(await main(rules, d.io), 1);
    assert.match(d.err[0], /rule-based and has no uncertainty map/);
    const e = capture();
    assert.equal(await main([...rules.slice(0, -1), join(dir, 'v.txt')], e.io), 2);
  });

  it('exits 2 on a malformed command line and 1 on an unknown model or a NIfTI with --out rs.dcm', async () => {
    const c = capture();
    assert.equal(await main(['segment', '--ct', 'x'], c.io), 2);
    assert.match(c.err[0], /required/);
    const dir = await mkdtemp(join(tmpdir(), 'delineo-seg-'));
    const ph = generatePhantom({ dimensions: [32, 32, 8], spacing: [12, 12, 20], seed: 2 });
    await writeVolumeNifti(ph.volume, join(dir, 'ct.nii.gz'));
    const d = capture();
    assert.equal(await main(['segment', '--ct', join(dir, 'ct.nii.gz'), '--model', 'nope', '--out', join(dir, 'l.nii.gz')], d.io), 1);
    assert.match(d.err[0], /no model "nope"/);
    const e = capture();
    assert.equal(await main(['segment', '--ct', join(dir, 'ct.nii.gz'), '--model', 'ct-external-lungs-bones', '--out', join(dir, 'rs.dcm')], e.io), 1);
    assert.match(e.err[0], /must reference a DICOM CT series/);
  });
});
