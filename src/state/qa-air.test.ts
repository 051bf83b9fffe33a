// Contour in air from the CT, on real CTs (../shared/data): NSCLC Lung1-001 with its clinical structures and no
// External — nothing found, lungs and airway included even under names that exempt nothing; a brush stroke that
// drags a target into the air — found, with its slices; the same with the External — reported once, as outside
// the External. OpenKBP head-and-neck patients with their clinical organs (parotids included) — nothing found,
// although OpenKBP's CTs leave much of each slice unstored (−1024) inside the head and neck.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BinaryMask, GridTransform, type Structure } from '../domain/index.ts';
import { findAirway } from '../inference/rules/airway.ts';
import { computeBodyMasks } from '../inference/rules/external-lungs-bones.ts';
import { importRtstruct } from '../io/dicom/rtstruct-reader.ts';
import { readVolumeNifti } from '../io/itk/nifti.ts';
import { loadDicomDirectory } from '../io/load-node.ts';
import { AIR_HU, exemptFromAirCheck } from './qa-air.ts';
import { qaFindings, type InAirFinding, type QaFinding } from './qa.ts';
import { StructureSetStore } from './structure-set.store.ts';

const DATA = join('..', 'shared', 'data');
const inAir = (f: QaFinding[]) => f.filter((x): x is InAirFinding => x.kind === 'in-air');

describe('which structures the in-air check leaves alone', () => {
  it('by RT ROI type or by a name or standard name of lung, airway, External or cavity', () => {
    const s = (name: string, interpretedType: Structure['interpretedType'] = 'ORGAN', standardName?: string) => ({ name, interpretedType, standardName });
    for (const x of [s('Lung_L'), s('Lungs'), s('Lung R'), s('Trachea'), s('Bronchus_R'), s('Larynx'), s('Cavity_Oral'), s('Sinus_Maxillary_L'), s('BODY'), s('Patient'), s('Couch', 'SUPPORT'), s('Mask', 'FIXATION'), s('Bolus_5mm', 'BOLUS'), s('Rectum gas', 'CAVITY'), s('Skin', 'EXTERNAL'), s('LL', 'ORGAN', 'Lung_L')]) {
      assert.equal(exemptFromAirCheck(x), true, x.name);
    }
    for (const x of [s('Parotid_L'), s('Heart'), s('SpinalCord'), s('GTV', 'GTV'), s('PTV70', 'PTV'), s('Brainstem'), s('Mandible'), s('Esophagus')]) {
      assert.equal(exemptFromAirCheck(x), false, x.name);
    }
  });
});

describe('contour in air on NSCLC Lung1-001', async () => {
  const STUDY = join(DATA, 'nsclc-lung1-001', 'dicom');
  const loaded = await loadDicomDirectory(STUDY);
  if (loaded.kind !== 'volume') throw new Error('NSCLC did not load as one volume');
  const ct = loaded.volume;
  const clinical = importRtstruct(await readFile(join(STUDY, '2.dcm')), ct).structures;
  const patient = clinical.find((s) => s.name === 'Patient')!;
  const withoutExternal = clinical.filter((s) => s !== patient);

  it('finds nothing in the clinical structures, lungs and airway included, without an External', () => {
    const store = new StructureSetStore(ct.geometry);
    store.load(withoutExternal);
    // The lungs and the trachea under names that exempt nothing: their air is enclosed by the patient.
    for (const s of withoutExternal) if (/lung/i.test(s.name)) store.add({ name: `Region ${s.name.slice(-1)}`, mask: s.mask.clone() });
    const external = computeBodyMasks(ct, { bridgeMm: 0 }).external;
    const airway = findAirway(ct.data, ct, external, -900)!;
    store.add({ name: 'Region T', mask: BinaryMask.fromDense(ct.dimensions, airway) });
    assert.ok(store.state.structures.length >= 10);
    assert.deepEqual(
      inAir(qaFindings(store, ct)).map((f) => f.message),
      [],
    );
  });

  it('finds a target dragged into the air, names it and its slices, and reports it once when there is an External', () => {
    const ctv = withoutExternal.find((s) => s.name === 'CTV-1')!;
    const mask = ctv.mask.clone();
    const box = mask.bounds()!;
    const [nx, ny] = ct.dimensions;
    const kMid = Math.round((box.min[2] + box.max[2]) / 2);
    const strokeSlices = [kMid - 1, kMid, kMid + 1];
    const body = patient.mask;
    // A brush stroke 8 mm wide from the target's centre row out through the patient's left side (+x, high i on
    // this grid) to 40 mm beyond the skin.
    const j0 = Math.round((box.min[1] + box.max[1]) / 2);
    let skin = -1;
    for (let i = 0; i < nx; i++) if (body.get(i, j0, kMid)) skin = i;
    const end = skin + Math.round(40 / ct.spacing[0]);
    const half = Math.round(4 / ct.spacing[1]);
    for (const k of strokeSlices) for (let j = j0 - half; j <= j0 + half; j++) for (let i = box.max[0] - 2; i <= end && i < nx; i++) mask.set(i, j, k, true);
    assert.ok(j0 + half < ny);

    const store = new StructureSetStore(ct.geometry);
    store.load(withoutExternal);
    const id = store.state.structures.find((s) => s.name === 'CTV-1')!.id;
    store.replaceMask(id, 'Brush', mask);
    const found = inAir(qaFindings(store, ct));
    assert.equal(found.length, 1, found.map((f) => f.message).join('; '));
    const [f] = found;
    assert.equal(f.structureId, id);
    assert.equal(f.structureName, 'CTV-1');
    assert.deepEqual(f.detail.slices, strokeSlices);
    const t = new GridTransform(ct.geometry);
    const z = strokeSlices.map((k) => t.toPatient([0, 0, k])[2]);
    assert.deepEqual(f.detail.zMm, z);
    assert.match(f.message, new RegExp(`^CTV-1 has \\d+\\.\\d+ cc in the air around the patient .* on 3 slices, at z = ${z.map((v) => v.toFixed(1)).join(', ')} mm`));
    // The part more than 5 mm from the skin: about 35 mm × 8 mm × 3 slices of 3 mm.
    assert.ok(f.detail.volumeCc > 1.5 && f.detail.volumeCc < 3.6, `${f.detail.volumeCc} cc`);
    assert.equal(f.severity, 'error');
    const at = t.toIndex(f.location).map(Math.round);
    assert.ok(ct.at(at[0], at[1], at[2]) < AIR_HU, 'the finding points into the air');

    // With the External, the stroke is outside it: reported there, not twice.
    store.add(patient);
    const all = qaFindings(store, ct).filter((x) => x.structureId === id);
    assert.deepEqual(inAir(all), []);
    assert.equal(all.filter((x) => x.kind === 'outside-external').length, 1);
  });
});

describe('contour in air on OpenKBP head-and-neck CTs', () => {
  it('finds nothing in the clinical organs at risk, parotids included', async () => {
    const D = join(DATA, 'openkbp', 'validation');
    const index = JSON.parse(await readFile(join(D, 'index.json'), 'utf8')) as { labels: { oar: Record<string, string> } };
    const names: Record<string, string> = { RightParotid: 'Parotid_R', LeftParotid: 'Parotid_L', Mandible: 'Bone_Mandible' };
    let parotids = 0;
    for (const pt of ['pt_201', 'pt_202', 'pt_203', 'pt_204']) {
      const ct = await readVolumeNifti(join(D, pt, 'ct.nii.gz'));
      const oar = await readVolumeNifti(join(D, pt, 'oar.nii.gz'));
      const store = new StructureSetStore(ct.geometry);
      for (const [value, label] of Object.entries(index.labels.oar)) {
        const dense = Uint8Array.from(oar.data, (v) => (v === Number(value) ? 1 : 0));
        if (!dense.includes(1)) continue;
        store.add({ name: names[label] ?? label, mask: BinaryMask.fromDense(ct.dimensions, dense) });
        if (label.endsWith('Parotid')) parotids++;
      }
      assert.deepEqual(inAir(qaFindings(store, ct)).map((f) => `${pt}: ${f.message}`), []);
    }
    assert.equal(parotids, 8);
  });
});
