import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Mat3, Vec3 } from '../domain/geometry.ts';
import { BinaryMask } from '../domain/mask.ts';
import { valueAtPoint } from '../domain/resample.ts';
import { createStructure, type RoiInterpretedType, type Structure } from '../domain/structure.ts';
import { Volume } from '../domain/volume.ts';
import { isAbortError } from '../jobs/job.ts';
import { validateDoseManifest, type DoseModelManifest } from './dose-manifest.ts';
import { buildDoseInput, doseInputsFor, predictDoseWithNetwork, ptvPrescriptionFromName } from './dose-prediction.ts';
import { InferenceError } from './errors.ts';
import type { TileRunner } from './sliding-window.ts';

const manifest: DoseModelManifest = validateDoseManifest(JSON.parse(readFileSync(new URL('../../test/fixtures/models/tiny-dose/manifest.json', import.meta.url), 'utf8')));

/** A CT: air around an elliptic cylinder of water (0 HU) with a bone column (700 HU), 2 × 2 × 2.5 mm. */
function phantomCt(direction: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1], dims: Vec3 = [80, 70, 36]): Volume {
  const [nx, ny, nz] = dims;
  const data = new Int16Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const inBody = ((i - nx / 2) / (nx * 0.35)) ** 2 + ((j - ny / 2) / (ny * 0.3)) ** 2 <= 1 && k >= 3 && k < nz - 3;
        const bone = inBody && Math.abs(i - nx / 2) < 4 && Math.abs(j - ny * 0.65) < 4;
        data[i + nx * (j + ny * k)] = bone ? 700 : inBody ? (i * 7 + j * 3 + k * 5) % 60 - 30 : -1000;
      }
  return new Volume({ dimensions: dims, spacing: [2, 2, 2.5], origin: [-80, -70, -40], direction, data, modality: 'CT', identity: { frameOfReferenceUid: '1.2.3.4', studyInstanceUid: '1.2.3' } });
}

function box(ct: Volume, name: string, lo: Vec3, hi: Vec3, interpretedType: RoiInterpretedType = 'ORGAN'): Structure {
  return createStructure({ name, interpretedType, mask: BinaryMask.fromPredicate(ct.dimensions, (i, j, k) => i >= lo[0] && i < hi[0] && j >= lo[1] && j < hi[1] && k >= lo[2] && k < hi[2]) });
}

/** A network that returns one input channel (times a factor, plus an offset): its dose shows what it was given. */
function echo(channel: number, factor = 1, offset = 0, seen?: number[][]): TileRunner {
  return {
    async run(input, dims) {
      seen?.push([...dims]);
      const v = dims[2] * dims[3] * dims[4];
      return Float32Array.from(input.subarray(channel * v, (channel + 1) * v), (x) => x * factor + offset);
    },
  };
}

describe('PTV prescriptions from names', () => {
  it('reads Gy and cGy the way planning systems name dose levels', () => {
    const cases: [string, number | null][] = [
      ['PTV70', 70], ['PTV_70', 70], ['ptv70gy', 70], ['PTV 70 Gy', 70], ['PTV_63.0', 63], ['PTV-54', 54], ['PTV_59,4', 59.4],
      ['PTV_7000', 70], ['PTV5600', 56], ['PTV_5600cGy', 56], ['PTV70_eval', 70],
      ['PTV', null], ['PTV_high', null], ['PTV1', null], ['PTV_2', null], ['CTV70', null], ['GTV', null], ['PTV_99999', null], ['PTV_0', null],
    ];
    for (const [name, gy] of cases) assert.equal(ptvPrescriptionFromName(name), gy, name);
  });
});

describe('doseInputsFor', () => {
  const ct = phantomCt();
  it('finds targets, OpenKBP and TG-263 organ names, and what is missing', () => {
    const s = [
      box(ct, 'PTV70', [30, 30, 10], [40, 40, 20], 'PTV'),
      box(ct, 'PTV_5600', [40, 30, 10], [50, 40, 20], 'PTV'),
      box(ct, 'PTV_boost', [35, 35, 12], [38, 38, 14], 'PTV'),
      box(ct, 'Boost', [20, 20, 12], [24, 24, 14], 'PTV'),
      box(ct, 'RightParotid', [20, 20, 20], [25, 25, 25]),
      box(ct, 'leftparotid', [50, 20, 20], [55, 25, 25]),
      box(ct, 'Mandible', [30, 15, 20], [50, 20, 25]),
      box(ct, 'SPINAL_CORD', [38, 45, 5], [42, 49, 30]),
      box(ct, 'Brainstem', [38, 45, 30], [42, 49, 33]),
      createStructure({ name: 'Larynx', mask: new BinaryMask(ct.dimensions) }),
    ];
    const r = doseInputsFor(s);
    assert.deepEqual(r.targets.map((t) => [t.name, t.prescriptionGy]), [['PTV70', 70], ['PTV_5600', 56]]);
    assert.deepEqual(r.needsPrescription.map((t) => t.name), ['PTV_boost', 'Boost']);
    assert.deepEqual(r.organs.map((o) => [o.channel, o.name]), [['Brainstem', 'Brainstem'], ['SpinalCord', 'SPINAL_CORD'], ['Parotid_R', 'RightParotid'], ['Parotid_L', 'leftparotid'], ['Bone_Mandible', 'Mandible']]);
    assert.deepEqual(r.missingOrgans, ['Esophagus', 'Larynx'], 'an empty Larynx counts as missing');
    // An entered prescription overrides the name and makes a target of a PTV without a dose in its name.
    const e = doseInputsFor(s, [{ structureId: s[0].id, prescriptionGy: 66 }, { structureId: s[2].id, prescriptionGy: 72 }]);
    assert.deepEqual(e.targets.map((t) => [t.name, t.prescriptionGy]), [['PTV70', 66], ['PTV_5600', 56], ['PTV_boost', 72]]);
    assert.deepEqual(e.needsPrescription.map((t) => t.name), ['Boost']);
  });

  it('prefers the structure whose own name is the channel over one that only means it', () => {
    const s = [box(ct, 'RightParotid', [20, 20, 20], [25, 25, 25]), box(ct, 'parotid r', [21, 20, 20], [25, 25, 25])];
    assert.equal(doseInputsFor(s).organs.find((o) => o.channel === 'Parotid_R')?.structureId, s[1].id);
  });

  it('refuses a prescription that is not a dose in Gy or names no structure', () => {
    const s = [box(ct, 'PTV', [30, 30, 10], [40, 40, 20], 'PTV')];
    assert.throws(() => doseInputsFor(s, [{ structureId: s[0].id, prescriptionGy: 7000 }]), (e: unknown) => e instanceof InferenceError && e.code === 'bad-prescription' && /PTV.*7000 Gy.*not 7000 cGy/.test(e.message));
    assert.throws(() => doseInputsFor(s, [{ structureId: 'nope', prescriptionGy: 70 }]), /not in the structure set/);
  });
});

describe('predictDoseWithNetwork', () => {
  const ct = phantomCt();
  const ptv70 = box(ct, 'PTV70', [30, 28, 12], [42, 40, 22], 'PTV');
  const ptv56 = box(ct, 'PTV56', [38, 28, 12], [50, 40, 22], 'PTV');
  const cord = box(ct, 'SpinalCord', [38, 44, 4], [42, 48, 32]);

  it('gives the prescription channel the highest PTV dose / 70 on the voxels whose nearest CT voxel is in the PTV', async () => {
    const r = await predictDoseWithNetwork({ ct, structures: [ptv70, ptv56, cord] }, manifest, echo(1, 70));
    const d = r.dose;
    assert.deepEqual([d.spacing, d.modality, d.identity.frameOfReferenceUid, r.label], [[4, 4, 3], 'RTDOSE', '1.2.3.4', 'Predicted dose (tiny-dose 0.1.0)']);
    let checked = 0;
    for (let k = 0; k < d.dimensions[2]; k++)
      for (let j = 0; j < d.dimensions[1]; j++)
        for (let i = 0; i < d.dimensions[0]; i++) {
          const c = ct.patientToIndex(d.indexToPatient([i, j, k])).map(Math.round) as unknown as Vec3;
          const inside = c.every((v, a) => v >= 0 && v < ct.dimensions[a]);
          const want = inside && ptv70.mask.get(...c) ? 70 : inside && ptv56.mask.get(...c) ? 56 : 0;
          assert.ok(Math.abs(d.at(i, j, k) - want) < 1e-4, `voxel ${i},${j},${k}: ${d.at(i, j, k)} Gy, expected ${want}`);
          if (want) checked++;
        }
    assert.ok(checked > 50, `${checked} target voxels`);
    assert.deepEqual(r.inputs.targets.map((t) => t.prescriptionGy), [70, 56]);
  });

  it('places the dose in the CT patient space: the CT channel read back matches the CT at each dose voxel, also on a flipped CT', async () => {
    for (const direction of [[1, 0, 0, 0, 1, 0, 0, 0, 1], [-1, 0, 0, 0, -1, 0, 0, 0, 1]] as Mat3[]) {
      const c = phantomCt(direction);
      const p = box(c, 'PTV70', [30, 28, 12], [42, 40, 22], 'PTV');
      // dose = HU / 500 + 2.048 (≥ 0 for every clipped HU), so HU = 500 · (dose − 2.048).
      const r = await predictDoseWithNetwork({ ct: c, structures: [p] }, manifest, echo(0, 1, 2.048));
      const d = r.dose;
      assert.deepEqual(d.direction, [1, 0, 0, 0, 1, 0, 0, 0, 1], 'the model grid is LPS-aligned');
      let compared = 0;
      for (let k = 3; k < d.dimensions[2] - 3; k += 2)
        for (let j = 2; j < d.dimensions[1] - 2; j += 3)
          for (let i = 2; i < d.dimensions[0] - 2; i += 3) {
            const v = d.at(i, j, k);
            if (v === 0) continue; // outside the crop
            const hu = valueAtPoint(c, d.indexToPatient([i, j, k]));
            assert.ok(hu !== null && Math.abs(500 * (v - 2.048) - Math.max(-1000, Math.min(1000, hu))) < 0.05, `voxel ${i},${j},${k}: ${500 * (v - 2.048)} HU vs ${hu}`);
            compared++;
          }
      assert.ok(compared > 100, `${compared} voxels compared`);
    }
  });

  it('runs on the body box plus the margin, padded to multiples of 16, and leaves 0 Gy outside it', async () => {
    const seen: number[][] = [];
    const ones: TileRunner = { run: async (_input, dims) => (seen.push([...dims]), new Float32Array(dims[2] * dims[3] * dims[4]).fill(1)) };
    const r = await predictDoseWithNetwork({ ct, structures: [ptv70] }, manifest, ones);
    assert.equal(seen.length, 1);
    const [n, c, z, y, x] = seen[0];
    assert.deepEqual([n, c, z % 16, y % 16, x % 16], [1, 9, 0, 0, 0]);
    const input = buildDoseInput(ct, [ptv70], doseInputsFor([ptv70]), manifest);
    assert.deepEqual([...input.size].reverse(), [z, y, x]);
    const d = r.dose;
    // The body spans x 14…66 of 80 CT voxels (2 mm): 28…132 mm from the origin; with 16 mm margin in 4 mm voxels.
    for (let k = 0; k < d.dimensions[2]; k++)
      for (let j = 0; j < d.dimensions[1]; j++)
        for (let i = 0; i < d.dimensions[0]; i++) {
          const inBox = [i, j, k].every((v, a) => v >= input.box.lo[a] && v < input.box.hi[a]);
          assert.equal(d.at(i, j, k), inBox ? 1 : 0);
        }
    assert.ok(input.box.lo[0] > 0 && input.box.hi[0] < d.dimensions[0], 'the crop cuts air off in x');
    assert.ok(input.start[0] < input.box.lo[0] || input.size[0] === input.box.hi[0] - input.box.lo[0]);
    // Padding: CT at −1024 HU (normalised −2), masks 0.
    const v = input.size[0] * input.size[1] * input.size[2];
    if (input.start[2] < 0) assert.equal(input.data[0], -2);
    assert.ok(input.data.subarray(2 * v).every((m) => m === 0 || m === 1));
  });

  it('tiles a region larger than maxPatch and blends the tiles to the same dose as one pass', async () => {
    const small = { ...manifest, dose: { ...manifest.dose, maxPatch: 16 } };
    const seen: number[][] = [];
    const tiled = await predictDoseWithNetwork({ ct, structures: [ptv70, ptv56] }, small, echo(1, 70, 0, seen));
    const whole = await predictDoseWithNetwork({ ct, structures: [ptv70, ptv56] }, manifest, echo(1, 70));
    assert.ok(seen.length > 2 && seen.every((d) => d[2] === 16 && d[3] === 16 && d[4] === 16), JSON.stringify(seen.slice(0, 3)));
    let worst = 0;
    for (let n = 0; n < whole.dose.data.length; n++) worst = Math.max(worst, Math.abs(whole.dose.data[n] - tiled.dose.data[n]));
    assert.ok(worst < 1e-3, `worst ${worst}`);
  });

  it('fails with no-target naming the PTVs found when none has a prescription', async () => {
    const p = box(ct, 'PTV_high', [30, 28, 12], [42, 40, 22], 'PTV');
    await assert.rejects(predictDoseWithNetwork({ ct, structures: [p, cord] }, manifest, echo(1)), (e: unknown) => e instanceof InferenceError && e.code === 'no-target' && /PTVs found: "PTV_high"\); enter a prescription for "PTV_high"/.test(e.message));
    await assert.rejects(predictDoseWithNetwork({ ct, structures: [cord] }, manifest, echo(1)), (e: unknown) => e instanceof InferenceError && e.code === 'no-target' && /no PTV was found/.test(e.message));
    const mr = new Volume({ ...ct.geometry, data: ct.data, modality: 'MR' });
    await assert.rejects(predictDoseWithNetwork({ ct: mr, structures: [ptv70] }, manifest, echo(1)), (e: unknown) => e instanceof InferenceError && e.code === 'not-ct');
  });

  it('a cancelled prediction rejects with an AbortError and changes nothing', async () => {
    const ac = new AbortController();
    const before = [ptv70.mask.clone(), cord.mask.clone()];
    const ctBefore = ct.data.slice();
    const aborting: TileRunner = { run: async (input, dims) => (ac.abort(), echo(1).run(input, dims)) };
    await assert.rejects(predictDoseWithNetwork({ ct, structures: [ptv70, cord] }, manifest, aborting, { signal: ac.signal }), (e: unknown) => isAbortError(e));
    assert.ok(ptv70.mask.equals(before[0]) && cord.mask.equals(before[1]));
    assert.deepEqual(ct.data, ctBefore);
    const pre = new AbortController();
    pre.abort();
    let ran = false;
    await assert.rejects(predictDoseWithNetwork({ ct, structures: [ptv70] }, manifest, { run: async (i, d) => ((ran = true), echo(1).run(i, d)) }, { signal: pre.signal }), (e: unknown) => isAbortError(e));
    assert.equal(ran, false);
  });
});
