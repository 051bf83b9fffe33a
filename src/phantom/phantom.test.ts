import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromAxes, type ImageGeometry, IDENTITY, mulMat3, rotation, type Vec3 } from '../domain/geometry.ts';
import { maskVolumeCc, type Structure } from '../domain/structure.ts';
import { isValidUid } from '../io/dicom/uid.ts';
import {
  clippedShapeVolumeMm3,
  DEFAULT_PHANTOM_DIMENSIONS,
  generatePhantom,
  obliqueDirection,
  type Phantom,
  PHANTOM_HU,
  PHANTOM_STRUCTURES,
  PhantomError,
  shapeLevel,
  thoraxAnatomy,
} from './phantom.ts';

const byName = (p: Phantom, name: string): Structure => {
  const s = p.structures.find((x) => x.name === name);
  assert.ok(s, `structure ${name} missing`);
  return s;
};

/** Relative error of every structure's voxel volume against its analytic volume, by name. */
function volumeErrors(p: Phantom): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of p.structures) {
    const analytic = p.analyticVolumesCc[s.name];
    assert.ok(analytic > 0, `${s.name} has analytic volume ${analytic}`);
    out[s.name] = maskVolumeCc(s.mask, p.volume.geometry) / analytic - 1;
  }
  return out;
}

function assertVolumesWithin(p: Phantom, tol: number): void {
  const errors = volumeErrors(p);
  assert.deepEqual(Object.keys(errors).sort(), PHANTOM_STRUCTURES.map((s) => s.name).sort());
  for (const [name, e] of Object.entries(errors)) {
    assert.ok(Math.abs(e) < tol, `${name}: voxel volume off by ${(e * 100).toFixed(3)}% (tolerance ${tol * 100}%)`);
  }
}

/** Mean and standard deviation of the HU of the voxels inside `s` and outside every mask in `exclude`. */
function huStats(p: Phantom, s: Structure, exclude: Structure[] = []): { mean: number; sd: number; n: number } {
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  s.mask.forEach((i, j, k) => {
    if (exclude.some((e) => e.mask.get(i, j, k))) return;
    const v = p.volume.at(i, j, k);
    sum += v;
    sum2 += v * v;
    n++;
  });
  const mean = sum / n;
  return { mean, sd: Math.sqrt(sum2 / n - mean * mean), n };
}

// Generated once and shared: the default grid, the clinical in-plane resolution on a short stack, and an
// oblique grid (20° about x then 20° about y).
const axial = generatePhantom({ seed: 7 });
const clinical = generatePhantom({ dimensions: [512, 512, 40], spacing: [0.9765625, 0.9765625, 2.5], seed: 3 });
const oblique = generatePhantom({ direction: obliqueDirection(20), seed: 11 });

describe('phantom geometry and identity', () => {
  it('uses the default grid centred on the anatomy, with the requested dimensions', () => {
    assert.deepEqual(axial.volume.dimensions, DEFAULT_PHANTOM_DIMENSIONS);
    for (const p of [axial, clinical, oblique]) {
      const n = p.volume.dimensions;
      const mid = p.volume.indexToPatient([(n[0] - 1) / 2, (n[1] - 1) / 2, (n[2] - 1) / 2]);
      for (let a = 0; a < 3; a++) assert.ok(Math.abs(mid[a] - p.center[a]) < 1e-9, `grid centre ${mid} vs anatomy centre ${p.center}`);
    }
    assert.equal(axial.volume.modality, 'CT');
    assert.ok(axial.volume.data instanceof Int16Array);
  });

  it('honours an explicit origin: the anatomy stays where the centre says, the grid moves', () => {
    const g = generatePhantom({ dimensions: [128, 128, 40], spacing: [4, 4, 8], origin: [-260, -250, -300], center: [0, 0, -150], noiseHu: 0 });
    assert.deepEqual(g.volume.origin, [-260, -250, -300]);
    // The GTV centre voxel holds GTV HU exactly (no noise), wherever the grid is.
    const idx = g.volume.patientToIndex(g.anatomy.gtvCenter).map(Math.round) as unknown as Vec3;
    assert.equal(g.volume.at(idx[0], idx[1], idx[2]), PHANTOM_HU.gtv);
  });

  it('gives the series fresh, valid and distinct DICOM UIDs, one SOP Instance UID per slice', () => {
    const id = axial.volume.identity;
    const uids = [id.studyInstanceUid, id.seriesInstanceUid, id.frameOfReferenceUid, ...(id.sopInstanceUids ?? [])];
    assert.equal(id.sopInstanceUids?.length, axial.volume.dimensions[2]);
    for (const u of uids) assert.ok(u && isValidUid(u), `invalid UID ${u}`);
    assert.equal(new Set(uids).size, uids.length);
    const again = generatePhantom({ dimensions: [64, 64, 8], spacing: [8, 8, 8] });
    assert.notEqual(again.volume.identity.seriesInstanceUid, id.seriesInstanceUid);
  });

  it('names the structures in TG-263 terms with RT types and phantom provenance', () => {
    assert.deepEqual(
      axial.structures.map((s) => [s.name, s.interpretedType]),
      [
        ['External', 'EXTERNAL'],
        ['Lung_L', 'ORGAN'],
        ['Lung_R', 'ORGAN'],
        ['SpinalCord', 'ORGAN'],
        ['Heart', 'ORGAN'],
        ['Esophagus', 'ORGAN'],
        ['GTV', 'GTV'],
      ],
    );
    for (const s of axial.structures) assert.deepEqual(s.provenance, { algorithm: 'MANUAL', source: 'phantom', version: '1' });
    assert.equal(new Set(axial.structures.map((s) => s.color.join())).size, axial.structures.length, 'colours are distinct');
  });

  it('puts Lung_L on the patient left (+x in LPS) and the spinal cord posterior to the heart', () => {
    const centroid = (s: Structure): Vec3 => {
      const acc = [0, 0, 0];
      let n = 0;
      s.mask.forEach((i, j, k) => {
        const p = axial.volume.indexToPatient([i, j, k]);
        for (let a = 0; a < 3; a++) acc[a] += p[a];
        n++;
      });
      return [acc[0] / n, acc[1] / n, acc[2] / n];
    };
    const c = axial.center;
    assert.ok(centroid(byName(axial, 'Lung_L'))[0] > c[0] + 50);
    assert.ok(centroid(byName(axial, 'Lung_R'))[0] < c[0] - 50);
    assert.ok(centroid(byName(axial, 'SpinalCord'))[1] > centroid(byName(axial, 'Heart'))[1] + 80);
  });
});

describe('phantom ground truth', () => {
  it('matches the analytic volumes within 1% on the default grid', () => assertVolumesWithin(axial, 0.01));
  it('matches the analytic volumes within 1% at 512×512 and 0.98 mm (short stack, organs clipped by the end slices)', () => {
    // 40 slices of 2.5 mm cut through the lungs and heart: their analytic volumes are ellipsoid slabs.
    assert.ok(clinical.analyticVolumesCc.Lung_L < axial.analyticVolumesCc.Lung_L * 0.8);
    assertVolumesWithin(clinical, 0.01);
  });
  it('matches the analytic volumes within 1% on an oblique grid (20° about two axes)', () => assertVolumesWithin(oblique, 0.01));

  it('matches the analytic volumes within 1% on a sagittal grid whose rows run along the body axis', () => {
    // i = superior, j = posterior, k = patient right: every image row is parallel to the body cylinder's axis.
    const sagittal = generatePhantom({ dimensions: [112, 160, 160], spacing: [2.5, 1.5625, 2.1], direction: fromAxes([0, 0, 1], [0, 1, 0], [-1, 0, 0]) });
    assertVolumesWithin(sagittal, 0.01);
  });

  it('has closed-form volumes that agree with the shapes (sphere, ellipsoid, truncated tilted cylinders)', () => {
    const an = axial.anatomy;
    const r = an.gtvRadiusMm;
    assert.ok(Math.abs(axial.analyticVolumesCc.GTV - ((4 / 3) * Math.PI * r ** 3) / 1000) < 1e-9);
    const [a, b, c] = an.heart.semiAxes;
    assert.ok(Math.abs(axial.analyticVolumesCc.Heart - ((4 / 3) * Math.PI * a * b * c) / 1000) < 1e-9);
    // Axial grid: the body is its cross-section times the stack length (cell faces to cell faces).
    const [, , nz] = axial.volume.dimensions;
    const length = nz * axial.volume.spacing[2];
    assert.ok(Math.abs(axial.analyticVolumesCc.External - (Math.PI * 160 * 115 * length) / 1000) < 1e-9);
    // The tilted cord: cross-section area × length / cos(tilt).
    const w = an.spinalCord.axis;
    assert.ok(Math.abs(axial.analyticVolumesCc.SpinalCord - (Math.PI * 5 * 4 * length) / w[2] / 1000) < 1e-9);
    // A sphere centred on the grid's lower k face is cut exactly in half.
    const g: ImageGeometry = { dimensions: [100, 100, 50], spacing: [1, 1, 1], direction: IDENTITY, origin: [-49.5, -49.5, 0.5] };
    const sphere = { kind: 'ellipsoid' as const, center: [0, 0, 0] as Vec3, axes: IDENTITY, semiAxes: [10, 10, 10] as Vec3 };
    assert.ok(Math.abs(clippedShapeVolumeMm3(sphere, g) - ((2 / 3) * Math.PI * 1000)) < 1e-9);
    // …and lies wholly outside a grid that starts above it.
    assert.equal(clippedShapeVolumeMm3(sphere, { ...g, origin: [-49.5, -49.5, 20] }), 0);
  });

  it('marks a voxel inside a structure exactly when its centre is inside the analytic shape', () => {
    for (const p of [axial, oblique]) {
      const [nx, ny, nz] = p.volume.dimensions;
      let checked = 0;
      let inside = 0;
      // A deterministic scatter of voxels plus every voxel of a slab through the GTV, where the surface is dense.
      const gtvIndex = p.volume.patientToIndex(p.anatomy.gtvCenter).map(Math.round);
      const scatter: Vec3[] = [];
      for (let n = 0; n < 30000; n++) scatter.push([(n * 7919) % nx, (n * 104729) % ny, (n * 15485863) % nz]);
      const gtvPlane: Vec3[] = [];
      for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) gtvPlane.push([i, j, gtvIndex[2]]);
      for (const s of p.structures) {
        for (const v of s.name === 'GTV' ? [...scatter, ...gtvPlane] : scatter) {
          const level = shapeLevel(p.shapes[s.name], p.volume.indexToPatient(v));
          if (Math.abs(level - 1) < 1e-9) continue; // on the surface to rounding: either answer is right
          assert.equal(s.mask.get(v[0], v[1], v[2]), level < 1, `${s.name} at [${v}] (level ${level})`);
          checked++;
          if (level < 1) inside++;
        }
      }
      assert.ok(checked > 7 * 29000 && inside > 5000, `checked ${checked} voxels, ${inside} inside`);
    }
  });

  it('keeps the organs disjoint, inside the body, and the GTV inside the right lung', () => {
    for (const p of [axial, oblique]) {
      const organs = ['Lung_L', 'Lung_R', 'SpinalCord', 'Heart', 'Esophagus'].map((n) => byName(p, n));
      for (let a = 0; a < organs.length; a++) {
        for (let b = a + 1; b < organs.length; b++) {
          const overlap = organs[a].mask.clone().combine(organs[b].mask, 'intersect').count();
          assert.equal(overlap, 0, `${organs[a].name} ∩ ${organs[b].name}`);
        }
        assert.equal(organs[a].mask.clone().combine(byName(p, 'External').mask, 'subtract').count(), 0, `${organs[a].name} outside External`);
      }
      assert.equal(byName(p, 'GTV').mask.clone().combine(byName(p, 'Lung_R').mask, 'subtract').count(), 0);
    }
  });

  it('with a collapsed lobe: an airless sheet inside Lung_R, and a hilar GTV touching the lung but apart from every organ', () => {
    const p = generatePhantom({ collapsedLobe: true, noiseHu: 0 });
    const an = p.anatomy;
    assert.ok(an.collapsedLobe);
    const lungR = byName(p, 'Lung_R');
    const gtv = byName(p, 'GTV');
    // Lung_R is still the whole lung: the collapsed lobe is lung, with the same analytic volume as before.
    assert.equal(p.analyticVolumesCc.Lung_R, axial.analyticVolumesCc.Lung_R);
    const t = p.volume.transform;
    let airless = 0;
    let sheet = 0;
    lungR.mask.forEach((i, j, k) => {
      const inSheet = an.collapsedLobe!.bounds.every((h) => {
        const q = t.toPatient([i, j, k]);
        return h.normal[0] * q[0] + h.normal[1] * q[1] + h.normal[2] * q[2] >= h.offset;
      });
      const v = p.volume.at(i, j, k);
      if (inSheet) {
        sheet++;
        assert.equal(v, PHANTOM_HU.collapsedLung, `voxel ${i},${j},${k} of the sheet`);
      }
      if (v === PHANTOM_HU.collapsedLung) airless++;
    });
    assert.equal(airless, sheet, 'airless voxels are exactly the sheet');
    const cc = (sheet * p.volume.spacing.reduce((a, b) => a * b, 1)) / 1000;
    assert.ok(cc > 170 && cc < 210, `collapsed lobe ${cc} cc`);
    for (const name of ['Lung_L', 'Lung_R', 'SpinalCord', 'Heart', 'Esophagus']) {
      assert.equal(gtv.mask.clone().combine(byName(p, name).mask, 'intersect').count(), 0, `GTV ∩ ${name}`);
    }
    // It touches the lung: grown by one voxel in-plane, it meets Lung_R in the sheet.
    let touches = false;
    gtv.mask.forEach((i, j, k) => {
      for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) if (lungR.mask.get(i + di, j + dj, k) && p.volume.at(i + di, j + dj, k) === PHANTOM_HU.collapsedLung) touches = true;
    });
    assert.ok(touches, 'the GTV lies against the collapsed lobe');
  });

  it('refuses a field of view that cuts the body through its sides, rather than report a wrong volume', () => {
    assert.throws(() => generatePhantom({ dimensions: [64, 64, 16], spacing: [2, 2, 2] }), (e: unknown) => e instanceof PhantomError && /External/.test(e.message));
    const steep = mulMat3(rotation([1, 0, 0], 45), rotation([0, 1, 0], 45));
    assert.throws(() => generatePhantom({ dimensions: [256, 256, 200], spacing: [1.5625, 1.5625, 2.5], direction: steep }), PhantomError);
  });
});

describe('phantom image', () => {
  it('is deterministic: the same seed gives identical voxels; another seed changes the noise, not the anatomy', () => {
    const opts = { dimensions: [128, 128, 40] as Vec3, spacing: [3.90625, 3.90625, 7] as Vec3 };
    const a = generatePhantom({ ...opts, seed: 42 });
    const b = generatePhantom({ ...opts, seed: 42 });
    const c = generatePhantom({ ...opts, seed: 43 });
    assert.deepEqual(a.volume.data, b.volume.data);
    let differing = 0;
    for (let n = 0; n < a.volume.data.length; n++) if (a.volume.data[n] !== c.volume.data[n]) differing++;
    // With σ = 10 HU, two independent draws round to the same integer only ~3% of the time.
    assert.ok(differing > a.volume.data.length * 0.9, `only ${differing} voxels differ`);
    a.structures.forEach((s, n) => {
      assert.ok(s.mask.equals(c.structures[n].mask), `${s.name} mask changed with the seed`);
      assert.ok(s.mask.equals(b.structures[n].mask));
    });
    // Without noise every voxel holds a nominal tissue value.
    const clean = generatePhantom({ ...opts, noiseHu: 0 });
    const nominal = new Set<number>(Object.values(PHANTOM_HU));
    for (const v of clean.volume.data) assert.ok(nominal.has(v), `unexpected value ${v}`);
  });

  it('has realistic HU inside each structure and noise of the requested standard deviation', () => {
    const gtv = byName(axial, 'GTV');
    const tol = 2; // HU; the mean of ≥ 2 000 voxels with σ = 10 is within 0.25 HU of nominal
    for (const [name, exclude] of [
      ['Lung_L', []],
      ['Lung_R', [gtv]],
      ['Heart', []],
      ['SpinalCord', []],
      ['Esophagus', []],
      ['GTV', []],
    ] as [string, Structure[]][]) {
      const spec = PHANTOM_STRUCTURES.find((s) => s.name === name)!;
      const { mean, sd, n } = huStats(axial, byName(axial, name), exclude);
      assert.ok(n > 2000, `${name}: only ${n} voxels`);
      assert.ok(Math.abs(mean - spec.nominalHu) < tol, `${name}: mean ${mean.toFixed(2)} HU, nominal ${spec.nominalHu}`);
      assert.ok(Math.abs(sd - 10) < 0.5, `${name}: noise sd ${sd.toFixed(2)} HU`);
    }
    // Inside the body but outside every organ: fat, muscle, bone and airway, so a wide but bounded mean.
    const organs = axial.structures.filter((s) => s.name !== 'External');
    const rest = huStats(axial, byName(axial, 'External'), organs);
    assert.ok(rest.mean > -100 && rest.mean < 100, `soft tissue mean ${rest.mean}`);
    // Air outside the body: −1000 HU, clipped at −1024 like a scanner's range.
    const [lo, hi] = axial.volume.range();
    assert.ok(lo >= -1024 && hi <= 3071, `range ${lo}…${hi}`);
    const centreIdx = axial.volume.patientToIndex(axial.anatomy.vertebralBody.center).map(Math.round);
    assert.ok(Math.abs(axial.volume.at(centreIdx[0], centreIdx[1], centreIdx[2]) - PHANTOM_HU.bone) < 50, 'vertebral body is bone');
    assert.ok(Math.abs(axial.volume.at(0, 0, 0) - PHANTOM_HU.air) < 50, 'corner is air');
  });

  it('samples the same patient-space anatomy on an oblique grid', () => {
    const an = thoraxAnatomy(oblique.center);
    // The voxel nearest the GTV centre is GTV on both grids; the heart centre is heart.
    for (const p of [axial, oblique]) {
      for (const [point, name] of [
        [an.gtvCenter, 'GTV'],
        [an.heart.center, 'Heart'],
        [an.lungLeft.center, 'Lung_L'],
      ] as [Vec3, string][]) {
        const idx = p.volume.patientToIndex(point).map(Math.round);
        assert.ok(byName(p, name).mask.get(idx[0], idx[1], idx[2]), `${name} centre on ${p === axial ? 'axial' : 'oblique'} grid`);
      }
    }
    assert.ok(Math.abs(oblique.analyticVolumesCc.GTV - axial.analyticVolumesCc.GTV) < 1e-9);
  });
});
