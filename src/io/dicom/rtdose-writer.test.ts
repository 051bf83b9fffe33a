// The RT Dose writer: dciodvfy accepts what it writes; our reader (rtdose.ts) and plastimatch read back the dose
// that was written, at the same patient positions, within 0.01 Gy; the dose goes onto the CT's axes; a CT without
// its DICOM identity or a dose on another Frame of Reference is refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mat3, Vec3 } from '../../domain/geometry.ts';
import { valueAtPoint } from '../../domain/resample.ts';
import { ImageGrid, Volume } from '../../domain/volume.ts';
import { dciodvfy, runTool } from '../../../test/helpers/external-tools.ts';
import { readVolumeNifti } from '../itk/nifti.ts';
import { readRtDose } from './rtdose.ts';
import { DoseWriteError, doseOnCtAxes, writeRtDose } from './rtdose-writer.ts';

const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
const ctIdentity = {
  studyInstanceUid: '1.2.826.0.1.3680043.8.498.1',
  seriesInstanceUid: '1.2.826.0.1.3680043.8.498.2',
  frameOfReferenceUid: '1.2.826.0.1.3680043.8.498.3',
  patientName: 'Doe^Jane',
  patientId: 'HN-0042',
  patientBirthDate: '19600101',
  patientSex: 'F',
  studyId: '7',
  studyDate: '20250101',
  studyTime: '101500',
  accessionNumber: 'A1',
};

function ct(direction: Mat3 = IDENTITY): ImageGrid {
  return new ImageGrid({ dimensions: [100, 90, 60], spacing: [1.2, 1.2, 2], origin: direction[0] < 0 ? [60, 50, -50] : [-60, -50, -50], direction, modality: 'CT', identity: ctIdentity });
}

/** A smooth dose on an LPS model grid (4 × 4 × 3 mm): 72 Gy at the centre falling off, 0 in a corner. */
function dose(): Volume {
  const dims: Vec3 = [30, 26, 40];
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, o = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, o++) data[o] = i < 2 && j < 2 ? 0 : 72.123 * Math.exp(-(((i - 14) / 9) ** 2 + ((j - 12) / 7) ** 2 + ((k - 20) / 12) ** 2));
  return new Volume({ dimensions: dims, spacing: [4, 4, 3], origin: [-58.5, -48.5, -49], direction: IDENTITY, data, modality: 'RTDOSE', identity: { frameOfReferenceUid: ctIdentity.frameOfReferenceUid } });
}

const comment = 'PREDICTED dose (model hn-dose 0.1.0), not a plan';

describe('writeRtDose', () => {
  it('writes an RT Dose dciodvfy accepts, on the CT frame and study, read back by our reader within 0.01 Gy', () => {
    const d = dose();
    const r = writeRtDose(d, ct(), { comment, date: new Date(2026, 0, 2, 3, 4, 5) });
    const dir = mkdtempSync(join(tmpdir(), 'rtdose-'));
    const file = join(dir, 'rd.dcm');
    writeFileSync(file, new Uint8Array(r.buffer));
    assert.deepEqual(dciodvfy(file).errors, []);
    const back = readRtDose(r.buffer, 'rd.dcm', { ctFrameOfReferenceUid: ctIdentity.frameOfReferenceUid });
    assert.deepEqual([back.summationType, back.doseType, back.frameOfReferenceUid, back.referencedRtPlanUid, back.warnings.length], ['PLAN', 'PHYSICAL', ctIdentity.frameOfReferenceUid, r.referencedRtPlanUid, 0]);
    assert.match(back.label, /PREDICTED dose \(model hn-dose 0\.1\.0\)/);
    const v = back.volume;
    assert.deepEqual([v.dimensions, v.spacing, v.origin, v.direction], [d.dimensions, d.spacing, d.origin, d.direction]);
    let worst = 0;
    for (let n = 0; n < d.data.length; n++) worst = Math.max(worst, Math.abs(v.data[n] - d.data[n]));
    assert.ok(worst <= r.doseGridScaling / 2 + 1e-6, `worst ${worst} Gy, scaling ${r.doseGridScaling}`);
    assert.ok(worst < 0.01);
    const dump = runTool('dcmdump', [file]).stdout;
    // dcmdump: "(gggg,eeee) VR  value  # length, multiplicity Keyword".
    const value = (keyword: string) => new RegExp(`^\\(\\S+\\) \\S\\S \\[?([^\\]#]*?)\\]?\\s+#.*\\s${keyword}$`, 'm').exec(dump)?.[1];
    assert.deepEqual(
      ['PatientName', 'PatientID', 'StudyInstanceUID', 'FrameOfReferenceUID', 'DoseUnits', 'DoseType', 'DoseSummationType', 'DoseComment', 'BitsAllocated'].map(value),
      ['Doe^Jane', 'HN-0042', ctIdentity.studyInstanceUid, ctIdentity.frameOfReferenceUid, 'GY', 'PHYSICAL', 'PLAN', comment, '16'],
    );
  });

  it('plastimatch reads the same doses at the same positions (within 0.01 Gy)', async () => {
    const d = dose();
    const r = writeRtDose(d, ct(), { comment });
    const dir = mkdtempSync(join(tmpdir(), 'rtdose-pl-'));
    writeFileSync(join(dir, 'rd.dcm'), new Uint8Array(r.buffer));
    const out = runTool('plastimatch', ['convert', '--input', join(dir, 'rd.dcm'), '--output-dose-img', join(dir, 'dose.nii.gz')]);
    assert.equal(out.status, 0, out.stderr);
    const pl = await readVolumeNifti(join(dir, 'dose.nii.gz'), 'RTDOSE');
    assert.deepEqual(pl.dimensions, d.dimensions);
    let worst = 0;
    let compared = 0;
    for (let k = 0; k < pl.dimensions[2]; k++)
      for (let j = 0; j < pl.dimensions[1]; j++)
        for (let i = 0; i < pl.dimensions[0]; i++) {
          const ours = valueAtPoint(d, pl.indexToPatient([i, j, k]));
          assert.ok(ours !== null, `plastimatch voxel ${i},${j},${k} is off our grid`);
          worst = Math.max(worst, Math.abs(ours - pl.at(i, j, k)));
          compared++;
        }
    assert.equal(compared, d.data.length);
    assert.ok(worst < 0.01, `worst ${worst} Gy`);
  });

  it('puts an LPS dose onto the axes of a CT stored right-to-left and posterior-to-anterior, voxel for voxel', () => {
    const d = dose();
    const flipped = ct([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    const onCt = doseOnCtAxes(d, flipped);
    assert.deepEqual(onCt.direction, [-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    const r = writeRtDose(d, flipped, { comment });
    const back = readRtDose(r.buffer, 'rd.dcm').volume;
    assert.deepEqual(back.direction, flipped.direction);
    for (let k = 0; k < d.dimensions[2]; k += 3)
      for (let j = 0; j < d.dimensions[1]; j += 2)
        for (let i = 0; i < d.dimensions[0]; i += 2) {
          const p = d.indexToPatient([i, j, k]);
          const idx = back.patientToIndex(p).map(Math.round) as unknown as Vec3;
          assert.ok(Math.abs(back.at(...idx) - d.at(i, j, k)) < 1e-3, `${p}`);
        }
    assert.equal(doseOnCtAxes(d, ct()), d, 'nothing to do on an LPS CT');
  });

  it('refuses a CT without its DICOM identity, a dose on another frame, a negative dose and a Dose Comment longer than LO allows', () => {
    const d = dose();
    const bare = new ImageGrid({ ...ct().geometry, modality: 'CT' });
    assert.throws(() => writeRtDose(d, bare), (e: unknown) => e instanceof DoseWriteError && /no Frame of Reference UID/.test(e.message));
    const other = new Volume({ ...d.geometry, data: d.data, modality: 'RTDOSE', identity: { frameOfReferenceUid: '1.2.3.999' } });
    assert.throws(() => writeRtDose(other, ct()), /Frame of Reference 1\.2\.3\.999, the CT on/);
    const neg = new Volume({ ...d.geometry, data: d.data.map((x, n) => (n === 5 ? -1 : x)), modality: 'RTDOSE' });
    assert.throws(() => writeRtDose(neg, ct()), (e: unknown) => e instanceof DoseWriteError && e.code === 'invalid-dose');
    assert.throws(() => writeRtDose(d, ct(), { comment: 'x'.repeat(65) }), (e: unknown) => e instanceof DoseWriteError && e.code === 'bad-comment');
  });
});
