/**
 * `delineo propagate` on real anatomy: the NSCLC planning CT moved by a known rigid transform and written as a
 * new DICOM series with its own Frame of Reference; the command must recover the transform, carry the clinical
 * structures over, and write a REG and an RTSTRUCT that dciodvfy accepts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImageGeometry, type Mat3, mulMat3 } from '../domain/geometry.ts';
import { resampleMask, resampleVolume } from '../domain/resample.ts';
import { maskVolumeCc } from '../domain/structure.ts';
import { Volume } from '../domain/volume.ts';
import type { BinaryMask } from '../domain/mask.ts';
import { dciodvfy } from '../../test/helpers/external-tools.ts';
import { writeCtSeriesToDirectory } from '../io/dicom/ct-writer-node.ts';
import { readSpatialRegistration } from '../io/dicom/reg.ts';
import { importRtstruct } from '../io/dicom/rtstruct-reader.ts';
import { loadDicomDirectory, loadDicomDirectoryHeaders } from '../io/load-node.ts';
import { applyMat4, eulerMatrix, invertAffine, type Mat4, mulMat4, rotationAngleDeg } from '../registration/transform.ts';
import { main } from './main.ts';

const NSCLC = join(import.meta.dirname, '../../../shared/data/nsclc-lung1-001/dicom');
const RTSTRUCT = join(NSCLC, '2.dcm');
const scratch = mkdtempSync(join(tmpdir(), 'delineo-propagate-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Dice of two masks on one grid. */
function dice(a: BinaryMask, b: BinaryMask): number {
  const both = a.clone().combine(b, 'intersect').count();
  return (2 * both) / (a.count() + b.count());
}

describe('delineo propagate (rigid) on the NSCLC chest CT', () => {
  const deg = Math.PI / 180;
  let planning: Volume;
  let truth: Map<string, BinaryMask>;
  let newDir: string;
  let newFrame: string;
  // New-CT point → planning-CT point: what the registration must find.
  let known: Mat4;
  let centre: readonly [number, number, number];
  const out: string[] = [];
  const err: string[] = [];
  let code: number;

  before(async () => {
    const r = await loadDicomDirectory(NSCLC);
    if (r.kind !== 'volume') throw new Error('the NSCLC folder should hold one CT series');
    planning = r.volume;
    const [nx, ny, nz] = planning.dimensions;
    centre = planning.indexToPatient([(nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2]);
    known = eulerMatrix([1.5 * deg, -1 * deg, 3 * deg], [6, -4, 3], centre);
    // The new CT's voxel (i, j, k) shows the planning CT at known(p(i, j, k)): the planning CT resampled on the
    // grid that `known` makes of the new CT's grid.
    const r3: Mat3 = [known[0], known[4], known[8], known[1], known[5], known[9], known[2], known[6], known[10]];
    const carried: ImageGeometry = { dimensions: planning.dimensions, spacing: planning.spacing, origin: applyMat4(known, planning.origin), direction: mulMat3(r3, planning.direction) };
    const moved = resampleVolume(planning, carried, { interpolation: 'linear', fill: -1024 });
    const data = new Int16Array(moved.data.length);
    for (let v = 0; v < data.length; v++) data[v] = Math.round(moved.data[v]);
    const fresh = new Volume({ ...planning.geometry, data, modality: 'CT' });
    newDir = join(scratch, 'new-ct');
    const written = await writeCtSeriesToDirectory(fresh, newDir, { patientId: planning.identity.patientId ?? 'X', patientName: 'Propagate^Test', bodyPartExamined: 'CHEST', seriesDescription: 'Synthetic repeat CT' });
    newFrame = written.identity.frameOfReferenceUid;
    const imported = importRtstruct(new Uint8Array(readFileSync(RTSTRUCT)), planning, { file: RTSTRUCT });
    truth = new Map(imported.structures.map((s) => [s.name, resampleMask(s.mask, planning.geometry, carried)]));
    code = await main(['propagate', '--from-ct', NSCLC, '--rtstruct', RTSTRUCT, '--to-ct', newDir, '--out', join(scratch, 'rs.dcm'), '--reg-out', join(scratch, 'reg.dcm')], { log: (l) => out.push(l), error: (l) => err.push(l) });
  });

  it('exits 0 and prints each structure\'s volume before and after', () => {
    assert.equal(code, 0, err.join('\n'));
    assert.ok(out.some((l) => /Lung/i.test(l) && /[+-]\d+\.\d %/.test(l)), out.join('\n'));
  });

  it('writes a REG dciodvfy accepts whose matrix is the known transform within 0.5° and 1 mm', () => {
    const file = join(scratch, 'reg.dcm');
    const report = dciodvfy(file);
    assert.deepEqual(report.errors, [], report.output);
    const reg = readSpatialRegistration(new Uint8Array(readFileSync(file)), file);
    const item = reg.registrations.find((r) => r.frameOfReferenceUid === planning.identity.frameOfReferenceUid);
    assert.ok(item, `the REG should place the planning frame ${planning.identity.frameOfReferenceUid}`);
    assert.equal(reg.frameOfReferenceUid, newFrame);
    assert.notEqual(newFrame, planning.identity.frameOfReferenceUid);
    // The REG maps planning → new; composed with the known new → planning it must be the identity.
    const residual = mulMat4(item.matrix, known);
    assert.ok(rotationAngleDeg(residual) < 0.5, `rotation error ${rotationAngleDeg(residual)}°`);
    const p = applyMat4(residual, centre);
    const shift = Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]);
    assert.ok(shift < 1, `translation error at the CT centre ${shift} mm`);
    assert.ok(rotationAngleDeg(invertAffine(item.matrix)) > 3, 'the matrix is the registration, not the identity');
  });

  it('writes an RTSTRUCT on the new CT (dciodvfy clean) whose structures ≥ 20 cc match the known-moved clinical ones (Dice ≥ 0.9)', async () => {
    const file = join(scratch, 'rs.dcm');
    const report = dciodvfy(file);
    assert.deepEqual(report.errors, [], report.output);
    const headers = await loadDicomDirectoryHeaders(newDir);
    if (headers.kind === 'choose-series') throw new Error('one series expected');
    const onNew = importRtstruct(new Uint8Array(readFileSync(file)), headers.grid, { file });
    assert.deepEqual(onNew.parsed.frameOfReferenceUids, [headers.grid.identity.frameOfReferenceUid]);
    assert.deepEqual(onNew.parsed.referencedSeriesUids, [headers.grid.identity.seriesInstanceUid]);
    let checked = 0;
    for (const s of onNew.structures) {
      const expected = truth.get(s.name);
      assert.ok(expected, `${s.name} is not a reference structure`);
      assert.equal(s.provenance.algorithm, 'AUTOMATIC');
      assert.equal(s.approved, false);
      if (maskVolumeCc(expected, headers.grid) < 20) continue;
      const d = dice(s.mask, expected);
      assert.ok(d >= 0.9, `${s.name}: Dice ${d.toFixed(3)}`);
      checked++;
    }
    assert.ok(checked >= 3, `only ${checked} structures of 20 cc or more were compared`);
  });
});
