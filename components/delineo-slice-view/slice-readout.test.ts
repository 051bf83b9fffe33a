import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GridTransform, IDENTITY, Volume, rotation, voxelCount, type DoseDisplay, type ImageGeometry, type SlicePoint, type Vec3 } from '../../src/index.ts';
import { doseReadout, readoutAt } from './slice-gestures.ts';

// A CT and an oblique dose grid over part of it; the dose is linear in patient position, so trilinear interpolation
// gives it exactly anywhere on the dose grid.
const ct = new Volume({ dimensions: [40, 40, 10], spacing: [2, 2, 3], origin: [-40, -40, -500], direction: IDENTITY, data: new Int16Array(16000).fill(35), modality: 'CT' });
const doseGrid: ImageGeometry = { dimensions: [10, 12, 8], spacing: [4, 4, 2.5], origin: [-12.3, -30.7, -497.1], direction: rotation([0, 0, 1], 20) };
const gyAt = (p: Vec3) => 40 + 0.3 * p[0] - 0.2 * p[1] + 0.05 * (p[2] + 500);
const doseData = new Float32Array(voxelCount(doseGrid));
const t = new GridTransform(doseGrid);
for (let k = 0, o = 0; k < 8; k++) for (let j = 0; j < 12; j++) for (let i = 0; i < 10; i++, o++) doseData[o] = gyAt(t.toPatient([i, j, k]));
const dose: DoseDisplay = { volume: new Volume({ ...doseGrid, data: doseData, modality: 'RTDOSE' }), predicted: false, wash: null, isodosesGy: [] };

/** The slice point a view would report at a patient position. */
const pointAt = (patient: Vec3): SlicePoint => ({ display: [0, 0], u: 0, v: 0, index: ct.patientToIndex(patient), patient });

describe('the slice view read-out', () => {
  const inside = t.toPatient([4.3, 6.6, 3.2]);

  it('gives the dose under the pointer in Gy above the HU and position', () => {
    const text = readoutAt(pointAt(inside), ct, dose);
    const [doseLine, ctLine] = text.split('\n');
    assert.equal(doseLine, `Dose ${gyAt(inside).toFixed(2)} Gy`);
    assert.equal(ctLine, `35 HU · ${inside.map((x) => x.toFixed(1)).join(', ')} mm`);
  });

  it('adds the percentage of the prescription when the plan states one', () => {
    const gy = gyAt(inside);
    assert.equal(doseReadout({ ...dose, prescriptionGy: 60 }, inside), `Dose ${gy.toFixed(2)} Gy · ${((100 * gy) / 60).toFixed(1)} % of 60 Gy`);
    assert.equal(doseReadout({ ...dose, predicted: true }, inside), `Predicted dose ${gy.toFixed(2)} Gy`);
  });

  it('says the point is off the dose grid rather than showing 0 Gy, and shows no dose line without a dose', () => {
    // On the CT, but beyond the dose grid's first row of voxels (half a voxel past its centre and more).
    const off = t.toPatient([4, -0.7, 3]);
    assert.ok(ct.patientToIndex(off).every((x, a) => x >= 0 && x < ct.dimensions[a]!), 'the point is on the CT');
    assert.equal(readoutAt(pointAt(off), ct, dose).split('\n')[0], 'Dose: outside the dose grid');
    assert.equal(readoutAt(pointAt(inside), ct, null), `35 HU · ${inside.map((x) => x.toFixed(1)).join(', ')} mm`);
  });
});
