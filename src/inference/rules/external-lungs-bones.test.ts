// The rule-based External / lungs on a real CT: NSCLC Lung1-001 (../shared/data, test use only; the one chest CT
// there with clinical lung contours) against the clinical "Patient", "Lung L" and "Lung R" contours of its
// RTSTRUCT, rasterised by our RTSTRUCT import; and on the phantom, plain and with a collapsed middle lobe beside a
// hilar tumour. Targets: External Dice ≥ 0.98, each lung ≥ 0.95, the GTV left out. docs/rules.md has the figures
// of every case (`npm run bench -- rules-lungs`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importRtstruct } from '../../io/dicom/rtstruct-reader.ts';
import { loadDicomDirectory } from '../../io/load-node.ts';
import { generatePhantom } from '../../phantom/phantom.ts';
import { dice } from '../metrics.ts';
import { computeBodyMasks, dilate2d, erode2d, fillHoles2d } from './external-lungs-bones.ts';

const STUDY = join('..', 'shared', 'data', 'nsclc-lung1-001', 'dicom');

describe('rule-based contours on the NSCLC CT', () => {
  it('match the clinical Patient and lung contours (Dice ≥ 0.98 / 0.95), left lung on patient left', async (t) => {
    const loaded = await loadDicomDirectory(STUDY);
    assert.equal(loaded.kind, 'volume');
    if (loaded.kind !== 'volume') return;
    const ct = loaded.volume;
    const m = computeBodyMasks(ct);
    const clinical = importRtstruct(await readFile(join(STUDY, '2.dcm')), ct);
    const ref = (name: string) => clinical.structures.find((s) => s.name === name)!.mask.toDense();
    const dExt = dice(m.external, ref('Patient'));
    const dL = dice(m.lungL, ref('Lung L'));
    const dR = dice(m.lungR, ref('Lung R'));
    t.diagnostic(`NSCLC Lung1-001 Dice: External ${dExt.toFixed(4)}, Lung_L ${dL.toFixed(4)}, Lung_R ${dR.toFixed(4)}`);
    assert.ok(dExt >= 0.98, `External Dice ${dExt}`);
    assert.ok(dL >= 0.95, `Lung_L Dice ${dL}`);
    assert.ok(dR >= 0.95, `Lung_R Dice ${dR}`);
    let bone = 0;
    for (const v of m.bones) bone += v;
    assert.ok(bone * ct.spacing[0] * ct.spacing[1] * ct.spacing[2] > 300e3, 'a chest CT holds > 300 cc of bone above 250 HU');
  });
});

describe('rule-based contours on the phantom', () => {
  const lungsOf = (m: { lungL: Uint8Array; lungR: Uint8Array }, o: number) => m.lungL[o] || m.lungR[o];

  it('keep a lung whose chest wall is thinner than the opening inside the External (the demo case)', () => {
    // The phantom's lungs reach into its 12 mm fat layer: on some slices the wall between lung and skin is
    // thinner than the 9 mm opening box, which once cut the ring open and dropped the left lung entirely.
    const ph = generatePhantom();
    const m = computeBodyMasks(ph.volume);
    const ref = (name: string) => ph.structures.find((s) => s.name === name)!.mask.toDense();
    for (const [name, mask] of [['External', m.external], ['Lung_L', m.lungL], ['Lung_R', m.lungR]] as const) {
      const d = dice(mask, ref(name));
      assert.ok(d >= 0.99, `${name} Dice ${d}`);
    }
    // The GTV lies inside the aerated right lung: taken like a vessel unless the caller excludes it.
    const gtv = ref('GTV');
    const excluded = computeBodyMasks(ph.volume, { exclude: gtv });
    let inside = 0;
    let insideExcluded = 0;
    for (let o = 0; o < gtv.length; o++) {
      if (!gtv[o]) continue;
      if (lungsOf(m, o)) inside++;
      if (lungsOf(excluded, o)) insideExcluded++;
    }
    assert.ok(inside > 0.9 * gtv.reduce((a, v) => a + v, 0), `${inside} GTV voxels in the lungs`);
    assert.equal(insideExcluded, 0);
    assert.ok(dice(excluded.lungR, ref('Lung_R').map((v, o) => v & (gtv[o] ^ 1))) >= 0.99);
  });

  it('include a collapsed middle lobe in Lung_R (Dice ≥ 0.95) and leave out the hilar tumour beside it', (t) => {
    const ph = generatePhantom({ collapsedLobe: true });
    const ref = (name: string) => ph.structures.find((s) => s.name === name)!.mask.toDense();
    const lungR = ref('Lung_R');
    const gtv = ref('GTV');
    const m = computeBodyMasks(ph.volume);
    const d = { L: dice(m.lungL, ref('Lung_L')), R: dice(m.lungR, lungR) };
    // The airless part of the truth: what thresholds alone leave out.
    let collapsed = 0;
    let found = 0;
    let gtvIn = 0;
    for (let o = 0; o < lungR.length; o++) {
      if (lungR[o] && ph.volume.data[o] > -200) {
        collapsed++;
        found += m.lungR[o];
      }
      if (gtv[o] && lungsOf(m, o)) gtvIn++;
    }
    const aeratedOnly = dice(computeBodyMasks(ph.volume, { bridgeMm: 0 }).lungR, lungR);
    t.diagnostic(`collapsed-lobe phantom Dice: Lung_L ${d.L.toFixed(4)}, Lung_R ${d.R.toFixed(4)} (${aeratedOnly.toFixed(4)} without the bridge); ${found} of ${collapsed} airless voxels found`);
    const voxelCc = ph.volume.spacing.reduce((a, b) => a * b, 1) / 1000;
    assert.ok(collapsed * voxelCc > 150, `the collapsed lobe is a sizeable part of the lung: ${collapsed * voxelCc} cc`);
    assert.ok(aeratedOnly < 0.95, `aerated lung alone reaches ${aeratedOnly}: the case would not test the rules`);
    assert.ok(d.L >= 0.95, `Lung_L Dice ${d.L}`);
    assert.ok(d.R >= 0.95, `Lung_R Dice ${d.R}`);
    assert.ok(found >= 0.9 * collapsed, `${found} of ${collapsed} collapsed voxels in Lung_R`);
    assert.equal(gtvIn, 0, 'the hilar GTV is not lung');
  });
});

describe('2D morphology helpers', () => {
  it('erodes and dilates with a box, O(n) per line', () => {
    const nx = 9;
    const ny = 7;
    const img = new Uint8Array(nx * ny);
    for (let y = 1; y <= 5; y++) for (let x = 2; x <= 6; x++) img[y * nx + x] = 1; // 5×5 square
    const er = new Uint8Array(nx * ny);
    erode2d(img, er, nx, ny, 1, 1, new Uint8Array(nx * ny));
    assert.equal(er.reduce((a, v) => a + v, 0), 9); // 3×3 left
    const di = new Uint8Array(nx * ny);
    dilate2d(er, di, nx, ny, 1, 1, new Uint8Array(nx * ny));
    assert.deepEqual([...di], [...img]); // opening of a square is the square
  });
  it('fills enclosed holes per slice only', () => {
    const nx = 5;
    const ring = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const open = ring.slice();
    open[7] = 0; // a gap to the outside: not a hole
    const out = fillHoles2d(new Uint8Array([...ring, ...open]), nx, 5, 2);
    assert.equal(out[12], 1);
    assert.equal(out[25 + 12], 0);
  });
});
