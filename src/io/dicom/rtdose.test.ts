import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DicomLoadError, DoseLoadError } from '../errors.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPythonJson } from '../../../test/helpers/external-tools.ts';
import { rewrite, setEl } from '../../../test/fixtures/io/bad-dicom-corpus.ts';
import { assertDoseOnCt, buildRtDose, readRtDose, sumDoses, type RtDoseAttributes } from './rtdose.ts';
import { describePlan, prescriptionForDose, readRtPlan } from './rtplan.ts';

/** An axial 4 × 3 dose grid of `frames` frames whose stored value is 100·frame + pixel index. */
function attrs(over: Partial<RtDoseAttributes> = {}, frames = 3): RtDoseAttributes {
  const stored = new Uint16Array(4 * 3 * frames).map((_, n) => 100 * Math.floor(n / 12) + (n % 12));
  return {
    file: 'RD.test.dcm',
    rows: 3,
    columns: 4,
    numberOfFrames: frames,
    pixelSpacing: [2.5, 2],
    imagePositionPatient: [-10, -20, -30],
    imageOrientationPatient: [1, 0, 0, 0, 1, 0],
    gridFrameOffsetVector: Array.from({ length: frames }, (_, f) => 3 * f),
    doseGridScaling: 0.01,
    doseUnits: 'GY',
    doseSummationType: 'PLAN',
    frameOfReferenceUid: '1.2.3',
    bitsAllocated: 16,
    pixelRepresentation: 0,
    pixelData: new Uint8Array(stored.buffer),
    ...over,
  };
}

const code = (c: string) => (e: unknown) => e instanceof DoseLoadError && e.code === c && e.message.startsWith('RD.test.dcm: ');

describe('RT Dose', () => {
  it('places a relative-offset dose grid in patient space and scales it to Gy', () => {
    const d = buildRtDose(attrs());
    const v = d.volume;
    assert.deepEqual(v.dimensions, [4, 3, 3]);
    assert.deepEqual(v.spacing, [2, 2.5, 3]);
    assert.deepEqual(v.origin, [-10, -20, -30]);
    assert.ok(Math.abs(v.at(1, 2, 2) - (200 + 9) * 0.01) < 1e-6);
    assert.deepEqual([...v.transform.toPatient([1, 2, 2])], [-8, -15, -24]);
    assert.ok(Math.abs(d.maxGy - 2.11) < 1e-6);
    assert.deepEqual(d.warnings, []);
  });

  it('reads the absolute (z) form of the offsets and reorders decreasing ones', () => {
    const abs = buildRtDose(attrs({ gridFrameOffsetVector: [-30, -27, -24] }));
    assert.deepEqual(abs.volume.origin, [-10, -20, -30]);
    assert.equal(abs.warnings[0]?.code, 'unsupported-object');
    const down = buildRtDose(attrs({ gridFrameOffsetVector: [0, -3, -6] }));
    assert.deepEqual(down.volume.origin, [-10, -20, -36]);
    // The first frame in the file (stored values 0..11) is now the top one (k = 2).
    assert.ok(Math.abs(down.volume.at(0, 0, 2) - 0) < 1e-9);
    assert.ok(Math.abs(down.volume.at(0, 0, 0) - 2) < 1e-6);
  });

  it('resamples unevenly spaced frames to the smallest step, with a warning', () => {
    const d = buildRtDose(attrs({ gridFrameOffsetVector: [0, 3, 9] }));
    assert.equal(d.volume.dimensions[2], 4);
    assert.equal(d.warnings[0]?.code, 'non-uniform-spacing');
    // z = 6 mm lies halfway between the frames at 3 and 9 mm.
    assert.ok(Math.abs(d.volume.at(0, 0, 2) - 1.5) < 1e-6);
  });

  it('keeps an oblique orientation', () => {
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    const d = buildRtDose(attrs({ imageOrientationPatient: [c, s, 0, -s, c, 0] }));
    const p = d.volume.transform.toPatient([1, 0, 0]);
    assert.ok(Math.abs(p[0] - (-10 + 2 * c)) < 1e-9 && Math.abs(p[1] - (-20 + 2 * s)) < 1e-9);
  });

  it('refuses what cannot be right, naming the file: no offsets, zero scaling, truncated data, RELATIVE without a reference', () => {
    assert.throws(() => buildRtDose(attrs({ gridFrameOffsetVector: undefined })), code('missing-tag'));
    assert.throws(() => buildRtDose(attrs({ doseGridScaling: 0 })), code('invalid-tag'));
    assert.throws(() => buildRtDose(attrs({ doseGridScaling: undefined })), code('missing-tag'));
    assert.throws(() => buildRtDose(attrs({ pixelData: new Uint8Array(50) })), code('pixel-data-length'));
    assert.throws(() => buildRtDose(attrs({ doseUnits: 'RELATIVE' })), code('relative-dose'));
    const rel = buildRtDose(attrs({ doseUnits: 'RELATIVE', doseGridScaling: 0.001 }), { relativeReferenceGy: 70 });
    assert.ok(Math.abs(rel.maxGy - 211 * 0.001 * 70) < 1e-4);
    assert.throws(() => assertDoseOnCt(buildRtDose(attrs()), '9.9.9'), (e: Error) => e instanceof DoseLoadError && /1\.2\.3.*9\.9\.9/.test(e.message));
    assertDoseOnCt(buildRtDose(attrs()), '1.2.3');
  });

  it('sums the beam doses of one plan on one grid, and refuses doses of other grids or plans', () => {
    const beam = (n: number, over: Partial<RtDoseAttributes> = {}) => buildRtDose(attrs({ doseSummationType: 'BEAM', referencedBeamNumber: n, referencedRtPlanUid: '7.7', ...over }));
    const sum = sumDoses([beam(1), beam(2)]);
    assert.equal(sum.summationType, 'PLAN');
    assert.ok(Math.abs(sum.maxGy - 2 * 2.11) < 1e-5);
    assert.match(sum.label, /beams 1, 2/);
    assert.throws(() => sumDoses([beam(1), beam(2, { pixelSpacing: [2, 2] })]), (e: Error) => e instanceof DoseLoadError && e.code === 'incompatible-doses');
    assert.throws(() => sumDoses([beam(1), beam(2, { referencedRtPlanUid: '8.8' })]), /another plan/);
  });
});

describe('RT Dose and RT Plan files (real data)', () => {
  const DATA = join(import.meta.dirname, '../../../../shared/data');

  it('reads the NSCLC plan dose exactly as pydicom does (stored values × Dose Grid Scaling, same voxel placement)', () => {
    const file = join(DATA, 'nsclc-lung1-001/dicom/1.dcm');
    const dose = readRtDose(readFileSync(file), '1.dcm');
    const ref = runPythonJson<{ max: number; samples: number[][]; ipp: number[]; shape: number[] }>(
      `import sys, json, pydicom
d = pydicom.dcmread(sys.argv[1]); a = d.pixel_array * float(d.DoseGridScaling)
print(json.dumps({"max": float(a.max()), "shape": list(a.shape), "ipp": [float(x) for x in d.ImagePositionPatient],
  "samples": [[k, j, i, float(a[k, j, i])] for (k, j, i) in [(40, 50, 60), (0, 0, 0), (80, 70, 81), (33, 35, 41)]]}))`,
      [file],
    );
    assert.deepEqual([...dose.volume.dimensions], [ref.shape[2], ref.shape[1], ref.shape[0]]);
    assert.deepEqual([...dose.volume.origin], ref.ipp);
    assert.deepEqual([...dose.volume.spacing], [5, 5, 5]);
    assert.ok(Math.abs(dose.maxGy - ref.max) < 1e-4);
    for (const [k, j, i, v] of ref.samples) assert.ok(Math.abs(dose.volume.at(i!, j!, k!) - v!) < 1e-4, `voxel ${i},${j},${k}`);
    assert.equal(dose.summationType, 'PLAN');
    assert.equal(dose.frameOfReferenceUid, '1.3.6.1.4.1.40744.29.159382531350253250387871175467326315430');
  });

  it('refuses a RELATIVE beam dose without the prescription, and reads the plan summary', () => {
    assert.throws(() => readRtDose(readFileSync(join(DATA, 'pydicom-rt/rtdose.dcm')), 'rtdose.dcm'), (e: Error) => e instanceof DoseLoadError && e.code === 'relative-dose' && e.message.startsWith('rtdose.dcm: '));
    const plan = readRtPlan(readFileSync(join(DATA, 'nsclc-lung1-001/dicom/137.dcm')), '137.dcm');
    assert.equal(plan.label, '1p2b1d1a');
    assert.equal(plan.fractions, 10);
    assert.equal(plan.beams.length, 5);
    assert.deepEqual(plan.beams.slice(0, 4).map((b) => b.gantryStartDeg), [354, 180, 97, 0]);
    assert.equal(plan.beams[0]!.radiationType, 'PHOTON');
    assert.equal(plan.beams[0]!.meterset, 126.511848);
    assert.match(describePlan(plan), /^1p2b1d1a: no prescription stated in 10 fractions; 5 beams: p2b1d1v1ap \(PHOTON 354°\)/);
    assert.throws(() => readRtPlan(readFileSync(join(DATA, 'nsclc-lung1-001/dicom/1.dcm')), '1.dcm'), /not an RT Plan/);
  });

  it('gives a dose the prescription of the plan it references, and none it does not', () => {
    const nsclcPlan = readRtPlan(readFileSync(join(DATA, 'nsclc-lung1-001/dicom/137.dcm')), '137.dcm');
    const stated = readRtPlan(readFileSync(join(DATA, 'pydicom-rt/rtplan.dcm')), 'rtplan.dcm');
    assert.equal(stated.prescriptionGy, 30.826203);
    const plans = [nsclcPlan, stated];
    assert.equal(prescriptionForDose({ referencedRtPlanUid: stated.sopInstanceUid }, plans), 30.826203);
    // The NSCLC plan states no prescription; its dose references a plan UID that was not remapped with the files.
    assert.equal(prescriptionForDose({ referencedRtPlanUid: nsclcPlan.sopInstanceUid }, plans), null);
    const nsclcDose = readRtDose(readFileSync(join(DATA, 'nsclc-lung1-001/dicom/1.dcm')), '1.dcm');
    assert.notEqual(nsclcDose.referencedRtPlanUid, undefined);
    assert.equal(prescriptionForDose(nsclcDose, plans), null);
    assert.equal(prescriptionForDose({}, plans), null);
  });
});

describe('bad RT Dose files, derived from the real NSCLC dose (the bad-input corpus for doses)', () => {
  const DATA = join(import.meta.dirname, '../../../../shared/data');
  const original = new Uint8Array(readFileSync(join(DATA, 'nsclc-lung1-001/dicom/1.dcm')));
  const ctFrameOfReference = '1.3.6.1.4.1.40744.29.159382531350253250387871175467326315430';
  const cases: { name: string; bytes: () => Uint8Array; code: string; pattern: RegExp }[] = [
    { name: 'another frame of reference', bytes: () => rewrite(original, (ds) => setEl(ds, '00200052', 'UI', ['1.2.3.4.5'])), code: 'frame-of-reference', pattern: /Frame of Reference 1\.2\.3\.4\.5, the CT on 1\.3\.6/ },
    // dcmjs notices the short element itself: the dataset reader's 'truncated', or the dose's own length check.
    { name: 'truncated pixel data', bytes: () => original.slice(0, original.length - 20000), code: 'truncated|pixel-data-length', pattern: /truncated/ },
    { name: 'no Grid Frame Offset Vector', bytes: () => rewrite(original, (ds) => delete ds['3004000C']), code: 'missing-tag', pattern: /81 frames but no Grid Frame Offset Vector/ },
    { name: 'RELATIVE dose units', bytes: () => rewrite(original, (ds) => setEl(ds, '30040002', 'CS', ['RELATIVE'])), code: 'relative-dose', pattern: /prescription/ },
    { name: 'zero Dose Grid Scaling', bytes: () => rewrite(original, (ds) => setEl(ds, '3004000E', 'DS', ['0'])), code: 'invalid-tag', pattern: /every dose would be 0 Gy/ },
  ];
  for (const c of cases) {
    it(`${c.name}: a typed error naming the file`, () => {
      assert.throws(
        () => {
          const dose = readRtDose(c.bytes(), 'RD.bad.dcm');
          assertDoseOnCt(dose, ctFrameOfReference);
        },
        (e: Error) => (e instanceof DoseLoadError || e instanceof DicomLoadError) && c.code.split('|').includes(e.code) && e.message.startsWith('RD.bad.dcm: ') && c.pattern.test(e.message),
      );
    });
  }
});
