import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryMask, GridTransform, IDENTITY, Volume, islands, type ImageGeometry, type Mat3, type Vec3 } from '../domain/index.ts';
import { generatePhantom } from '../phantom/phantom.ts';
import { StructureSetStore } from './structure-set.store.ts';
import { findExternal, nameSide, qaFindings, type QaFinding } from './qa.ts';

/**
 * A 60 × 50 × 20 grid of 2 × 2 × 3 mm whose voxel centres are symmetric about x = 0 (x from −59 to +59 mm),
 * y from −49 to +49 mm and z from −30 to +27 mm. `flipped` runs i and j the other way (direction −x, −y), so
 * index order is the reverse of patient order while the patient-space anatomy stays the same.
 */
function setup(flipped = false): { volume: Volume; store: StructureSetStore; shape: (inside: (p: Vec3) => boolean) => BinaryMask } {
  const direction: Mat3 = flipped ? [-1, 0, 0, 0, -1, 0, 0, 0, 1] : IDENTITY;
  const g: ImageGeometry = { dimensions: [60, 50, 20], spacing: [2, 2, 3], origin: flipped ? [59, 49, -30] : [-59, -49, -30], direction };
  const volume = new Volume({ ...g, data: new Int16Array(60 * 50 * 20) });
  const t = new GridTransform(g);
  const shape = (inside: (p: Vec3) => boolean) => BinaryMask.fromPredicate(g.dimensions, (i, j, k) => inside(t.toPatient([i, j, k])));
  return { volume, store: new StructureSetStore(volume.geometry), shape };
}

const VOXEL_CC = (2 * 2 * 3) / 1000;
const ball = (c: Vec3, r: number) => (p: Vec3) => (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2 <= r * r;
/** The body: an elliptic cylinder 100 × 80 mm across, centred on x = 0, over z −27 … +24 mm. */
const body = (p: Vec3) => (p[0] / 50) ** 2 + (p[1] / 40) ** 2 <= 1 && p[2] >= -27 && p[2] <= 24;
const of = <K extends QaFinding['kind']>(f: QaFinding[], kind: K, name?: string) =>
  f.filter((x): x is Extract<QaFinding, { kind: K }> => x.kind === kind && (name === undefined || x.structureName === name));
const near = (a: Vec3, b: Vec3, tol: number) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) <= tol;

describe('structure names with a side', () => {
  it('reads TG-263 laterality tokens and Left/Right words, and nothing from names that merely start with L or R', () => {
    for (const n of ['Lung_L', 'Parotid_Lt', 'LeftLung', 'Lt Parotid', 'Femur_Head_L', 'Glnd_Submand_L', 'lung_l', 'Cochlea-Left']) assert.equal(nameSide(n), 'L', n);
    for (const n of ['Lung_R', 'Kidney_Rt', 'OpticNrv_R_PRV03', 'Lung Right', 'RightParotid']) assert.equal(nameSide(n), 'R', n);
    for (const n of ['Larynx', 'Lips', 'Rectum', 'Brainstem', 'L1', 'Bright', 'CTV_LN', 'Lungs_L+R', 'Liver', 'Lens']) assert.equal(nameSide(n), null, n);
  });

  it('finds the External by type first, then by name', () => {
    assert.equal(findExternal([{ name: 'BODY', interpretedType: 'ORGAN' as const }, { name: 'Skin', interpretedType: 'EXTERNAL' as const }])?.name, 'Skin');
    assert.equal(findExternal([{ name: 'Heart', interpretedType: 'ORGAN' as const }, { name: 'body', interpretedType: 'ORGAN' as const }])?.name, 'body');
    assert.equal(findExternal([{ name: 'Heart', interpretedType: 'ORGAN' as const }]), undefined);
  });
});

describe('QA findings', () => {
  it('finds empty slices between the first and last slice, with their z positions in mm', () => {
    const { volume, store, shape } = setup();
    // A tube on slices k = 3 … 12 (z = −21 … +6 mm) with slices 7 and 9 (z = −9 and −3 mm) left empty.
    const id = store.add({ name: 'Esophagus', mask: shape((p) => Math.hypot(p[0] - 4, p[1] - 10) <= 6 && p[2] >= -21 && p[2] <= 6 && p[2] !== -9 && p[2] !== -3) });
    const [f] = of(qaFindings(store, volume), 'empty-slices');
    assert.equal(f.structureId, id);
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.detail.slices, [7, 9]);
    assert.deepEqual(f.detail.zMm, [-9, -3]);
    assert.match(f.message, /Esophagus is empty on 2 slices .* z = -9\.0, -3\.0 mm/);
    assert.ok(near(f.location, [4, 10, -9], 1.01), `${f.location}`);
    assert.equal(of(qaFindings(store, volume), 'islands').length, 1, 'the gap also splits the tube into islands');
  });

  it('lists at most five slice positions and says how many more there are', () => {
    const { volume, store, shape } = setup();
    store.add({ name: 'Cord', mask: shape((p) => Math.hypot(p[0], p[1] - 20) <= 4 && (p[2] === -30 || p[2] === 27)) });
    const [f] = of(qaFindings(store, volume), 'empty-slices');
    assert.equal(f.detail.slices.length, 18);
    assert.match(f.message, /on 18 slices .* z = -27\.0, -24\.0, -21\.0, -18\.0, -15\.0 mm and 13 more: contour them unless the gap is intended\.$/);
  });

  it('reports islands with the other parts’ volumes and points to the largest of them', () => {
    const { volume, store, shape } = setup();
    const big = ball([-10, 0, 0], 12);
    const small = ball([25, 5, 3], 5);
    const mask = shape((p) => big(p) || small(p));
    store.add({ name: 'GTV', interpretedType: 'GTV', mask });
    const expected = islands(mask, volume.geometry);
    const [f] = of(qaFindings(store, volume), 'islands');
    assert.equal(f.detail.count, 2);
    assert.deepEqual(f.detail.volumesCc, expected.map((x) => x.volumeCc));
    assert.ok(near(f.location, [25, 5, 3], 0.5), `${f.location}`);
    assert.match(f.message, /^GTV has 2 separate parts: besides the main one \(7\.\d\d cc\) one of 0\.\d\d cc: remove it unless intended\.$/);
  });

  it('counts islands exactly as islands() does on random masks', () => {
    let seed = 5;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let trial = 0; trial < 6; trial++) {
      const { volume, store, shape } = setup(trial % 2 === 1);
      const mask = shape((p) => Math.hypot(p[0], p[1], p[2]) < 20 && rnd() < 0.35);
      store.add({ name: `Blob${trial}`, mask });
      const found = of(qaFindings(store, volume), 'islands')[0];
      const expected = islands(mask, volume.geometry).map((x) => x.volumeCc);
      assert.ok(expected.length > 1);
      assert.deepEqual(found.detail.volumesCc, expected);
    }
  });

  it('counts only islands above 1 cc for the External', () => {
    const { volume, store, shape } = setup();
    // A 0.6 cc speck (50 voxels) is not reported, a 2.4 cc piece (200 voxels) is.
    const speck = (p: Vec3) => p[0] >= -55 && p[0] <= -47 && p[1] >= -45 && p[1] <= -37 && p[2] >= -30 && p[2] <= -27; // 5 × 5 × 2
    store.add({ name: 'External', interpretedType: 'EXTERNAL', mask: shape((p) => body(p) || speck(p)) });
    assert.equal(of(qaFindings(store, volume), 'islands').length, 0);
    const piece = (p: Vec3) => p[0] >= 41 && p[0] <= 59 && p[1] >= 37 && p[1] <= 45 && p[2] >= 18 && p[2] <= 27; // 10 × 5 × 4
    store.replaceMask(store.state.structures[0].id, 'Add piece', shape((p) => body(p) || speck(p) || piece(p)));
    const [f] = of(qaFindings(store, volume), 'islands');
    assert.equal(f.detail.count, 2);
    assert.ok(Math.abs(f.detail.volumesCc[1] - 200 * VOXEL_CC) < 1e-9);
    assert.match(f.message, /parts up to 1\.00 cc not counted/);
  });

  it('measures contour outside the External in cc: warning above 0.05 cc, error above 1 cc, nothing below', () => {
    const { volume, store, shape } = setup();
    store.add({ name: 'BODY', mask: shape(body) });
    // Heart: voxel centres x = 33…51, y = −3…3, z = −3…3 mm (10 × 4 × 3 voxels). The body reaches x = ±50 mm near
    // y = 0, so its column at x = 51 mm lies outside: 12 voxels, 0.144 cc — a warning.
    const heart = (p: Vec3) => p[0] >= 33 && p[0] <= 51 && p[1] >= -4 && p[1] <= 4 && p[2] >= -3 && p[2] <= 3;
    const heartId = store.add({ name: 'Heart', mask: shape(heart) });
    const lung = (p: Vec3) => Math.hypot(p[0] + 45, p[1]) <= 15 && p[2] >= -15 && p[2] <= 15;
    store.add({ name: 'Lung_R', mask: shape(lung) });
    const tiny = (p: Vec3) => p[0] === -51 && p[1] === 1 && p[2] === 0;
    store.add({ name: 'Marker_ish', mask: shape((p) => ball([-40, 0, 0], 3)(p) || tiny(p)) });
    store.add({ name: 'Couch', interpretedType: 'SUPPORT', mask: shape((p) => p[1] >= 45) });
    const f = qaFindings(store, volume);
    const t = new GridTransform(volume.geometry);
    const outsideVoxels = (inside: (p: Vec3) => boolean) => {
      let n = 0;
      for (let k = 0; k < 20; k++) for (let j = 0; j < 50; j++) for (let i = 0; i < 60; i++) {
        const p = t.toPatient([i, j, k]);
        if (inside(p) && !body(p)) n++;
      }
      return n;
    };
    const [h] = of(f, 'outside-external', 'Heart');
    assert.equal(h.structureId, heartId);
    assert.equal(h.detail.voxels, outsideVoxels(heart));
    assert.ok(Math.abs(h.detail.volumeCc - outsideVoxels(heart) * VOXEL_CC) < 1e-12);
    assert.equal(h.severity, 'warning', `${h.detail.volumeCc} cc`);
    assert.ok(h.location[0] > 50, 'located on the outside part');
    assert.match(h.message, /^Heart has 0\.\d+ cc outside BODY, centred at z = 0\.0 mm/);
    const [l] = of(f, 'outside-external', 'Lung_R');
    assert.ok(l.detail.volumeCc > 1 && l.severity === 'error', `${l.detail.volumeCc} cc`);
    assert.ok(Math.abs(l.detail.volumeCc - outsideVoxels(lung) * VOXEL_CC) < 1e-12);
    assert.equal(of(f, 'outside-external', 'Marker_ish').length, 0, 'one voxel (0.012 cc) is below 0.05 cc');
    assert.equal(of(f, 'outside-external', 'Couch').length, 0, 'support structures lie outside by nature');
    assert.equal(of(f, 'outside-external', 'BODY').length, 0);
  });

  it('skips the outside-External check without an External', () => {
    const { volume, store, shape } = setup();
    store.add({ name: 'Heart', mask: shape(ball([58, 0, 0], 10)) });
    assert.equal(of(qaFindings(store, volume), 'outside-external').length, 0);
  });

  for (const flipped of [false, true]) {
    it(`flags Parotid_L on the patient's right but not Parotid_R there${flipped ? ', with a direction that flips x and y' : ''}`, () => {
      const { volume, store, shape } = setup(flipped);
      store.add({ name: 'External', interpretedType: 'EXTERNAL', mask: shape(body) });
      // LPS: +x is the patient's left, so both parotids sit on the patient's right, centred at x = −30 mm.
      const left = store.add({ name: 'Parotid_L', mask: shape(ball([-30, 5, 0], 8)) });
      store.add({ name: 'Parotid_R', mask: shape(ball([-30, 5, 0], 8)) });
      store.add({ name: 'Lung_L', mask: shape(ball([30, 0, 0], 10)) });
      store.add({ name: 'Larynx', mask: shape(ball([-5, -20, 0], 5)) });
      const wrong = of(qaFindings(store, volume), 'wrong-side');
      assert.equal(wrong.length, 1, wrong.map((w) => w.message).join('; '));
      const [w] = wrong;
      assert.equal(w.structureId, left);
      assert.equal(w.severity, 'error');
      assert.ok(Math.abs(w.detail.midlineXMm) < 1e-9, 'the body is symmetric about x = 0');
      assert.ok(Math.abs(w.detail.distanceMm - 30) < 1e-9, `${w.detail.distanceMm}`);
      assert.ok(near(w.location, [-30, 5, 0], 1e-9), `${w.location}`);
      assert.equal(w.message, "Parotid_L is named for the patient's left but its centre lies 30.0 mm to the patient's right of the midline (x = 0.0 mm): check the name and the contour.");
    });
  }

  it('takes the midline from the volume centre when there is no External', () => {
    const { volume, store, shape } = setup();
    store.add({ name: 'Kidney_R', mask: shape(ball([6, 0, 0], 4)) });
    const [w] = of(qaFindings(store, volume), 'wrong-side');
    assert.equal(w.detail.midlineXMm, 0);
    assert.ok(Math.abs(w.detail.distanceMm - 6) < 1e-9);
  });

  it('checks only the requested structures, and stops when cancelled', () => {
    const { volume, store, shape } = setup();
    store.add({ name: 'Parotid_L', mask: shape(ball([-30, 5, 0], 8)) });
    const right = store.add({ name: 'Parotid_R', mask: shape(ball([30, 5, 0], 8)) });
    assert.equal(qaFindings(store, volume, { structureIds: [right] }).length, 1);
    const controller = new AbortController();
    controller.abort();
    assert.throws(() => qaFindings(store, volume, { signal: controller.signal }), { name: 'AbortError' });
  });

  it('finds nothing wrong-sided or outside the External on the thorax phantom, and catches swapped lung names', () => {
    const phantom = generatePhantom();
    const store = new StructureSetStore(phantom.volume.geometry);
    store.load(phantom.structures);
    const findings = qaFindings(store, phantom.volume);
    assert.deepEqual(of(findings, 'wrong-side'), []);
    assert.deepEqual(of(findings, 'outside-external'), []);
    const lungL = store.state.structures.find((s) => s.name === 'Lung_L')!.id;
    const lungR = store.state.structures.find((s) => s.name === 'Lung_R')!.id;
    store.update(lungR, { name: 'Lung_L' });
    store.update(lungL, { name: 'Lung_R' });
    const wrong = of(qaFindings(store, phantom.volume), 'wrong-side');
    assert.deepEqual(wrong.map((w) => w.structureName).sort(), ['Lung_L', 'Lung_R']);
    for (const w of wrong) assert.ok(w.detail.distanceMm > 50, `${w.structureName}: ${w.detail.distanceMm} mm`);
  });
});
