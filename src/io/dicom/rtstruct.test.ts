import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import type { DenaturalizedDataset } from 'dcmjs';
import { fromAxes, IDENTITY, type Mat3, type Vec3 } from '../../domain/geometry.ts';
import { BinaryMask } from '../../domain/mask.ts';
import { createStructure, type Structure } from '../../domain/structure.ts';
import { Volume } from '../../domain/volume.ts';
import { StructureSetStore } from '../../state/structure-set.store.ts';
import { generatePhantom, obliqueDirection } from '../../phantom/phantom.ts';
import { dciodvfy } from '../../../test/helpers/external-tools.ts';
import { checkRtstructWithPydicom, dice } from '../../../test/helpers/rtstruct.ts';
import { loadDicomDirectory } from '../load-node.ts';
import { writeCtSeriesToDirectory } from './ct-writer-node.ts';
import { importRtstruct, parseRtstruct, type RtstructImport } from './rtstruct-reader.ts';
import { exportRtstruct, writeRtstruct } from './rtstruct-writer.ts';
import { RT_STRUCTURE_SET_STORAGE_SOP_CLASS_UID, RtstructError } from './rtstruct.ts';

const DATA = join(import.meta.dirname, '../../../../shared/data');
const scratch = mkdtempSync(join(tmpdir(), 'delineo-rtstruct-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A phantom CT written as DICOM into the scratch folder, with the identity written (what a loaded CT carries). */
interface CtFixture {
  readonly volume: Volume;
  readonly structures: Structure[];
  readonly dir: string;
}

async function phantomCt(name: string, direction: Mat3 = IDENTITY): Promise<CtFixture> {
  const ph = generatePhantom({ dimensions: [128, 128, 36], spacing: [3.9, 3.9, 8], direction, noiseHu: 0 });
  const dir = join(scratch, name);
  const { identity } = await writeCtSeriesToDirectory(ph.volume, join(dir, 'ct'), {
    bodyPartExamined: 'CHEST',
  });
  const volume = new Volume({ ...ph.volume.geometry, data: ph.volume.data, identity });
  return { volume, structures: ph.structures, dir };
}

/** Writes `buffer` into the fixture folder and returns its path. */
function save(f: CtFixture, name: string, buffer: ArrayBuffer): string {
  const p = join(f.dir, name);
  writeFileSync(p, new Uint8Array(buffer));
  return p;
}

/** dciodvfy's errors for a file; the test asserts there are none. */
function dciodvfyErrors(path: string): string[] {
  return dciodvfy(path).errors;
}

const byName = (imp: RtstructImport, name: string): Structure => {
  const s = imp.structures.find((x) => x.name === name);
  assert.ok(s, `${name} imported`);
  return s;
};

/** Reads a file we wrote with dcmjs, lets `edit` change its data set, and writes it back. */
function edited(buffer: ArrayBuffer, edit: (ds: DenaturalizedDataset) => void): ArrayBuffer {
  const dict = dcmjs.data.DicomMessage.readFile(buffer.slice(0));
  edit(dict.dict);
  return dict.write();
}

const seq = (ds: DenaturalizedDataset, tag: string): DenaturalizedDataset[] =>
  ds[tag].Value as DenaturalizedDataset[];

describe('RTSTRUCT export', () => {
  let axial: CtFixture;
  let oblique: CtFixture;
  let tilted: CtFixture;
  const written: { rs: string; ct: string }[] = [];
  before(async () => {
    axial = await phantomCt('axial');
    oblique = await phantomCt('oblique', obliqueDirection(15));
    // Gantry tilt: the column direction leans 12° towards +z while slices still stack along z (a sheared grid).
    const t = (12 * Math.PI) / 180;
    tilted = await phantomCt('tilted', fromAxes([1, 0, 0], [0, Math.cos(t), Math.sin(t)], [0, 0, 1]));
  });

  it('writes a file dciodvfy accepts with zero errors, on axial, oblique and gantry-tilted CTs', () => {
    for (const f of [axial, oblique, tilted]) {
      const r = writeRtstruct(f.volume, f.structures, {
        operatorName: 'Tester^Tina',
        interpreterName: 'Reviewer^Rob',
      });
      const path = save(f, 'rs.dcm', r.buffer);
      written.push({ rs: path, ct: join(f.dir, 'ct') });
      assert.deepEqual(dciodvfyErrors(path), [], path);
      assert.deepEqual(r.warnings, []);
      assert.deepEqual(r.roiNumbers, [1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it('carries approval in the file: APPROVED with reviewer and time only when every structure is approved, and back on import', () => {
    const approved = axial.structures.map((st) => ({ ...st, approved: true }));
    const r = writeRtstruct(axial.volume, approved, { reviewerName: 'Onc^Olivia', reviewDate: new Date(2026, 11, 3, 9, 30, 0) });
    const path = save(axial, 'rs-approved.dcm', r.buffer);
    assert.deepEqual(dciodvfyErrors(path), [], path);
    const parsed = parseRtstruct(r.buffer, 'rs-approved.dcm');
    assert.deepEqual(parsed.approval, { status: 'APPROVED', reviewDate: '20261203', reviewTime: '093000', reviewerName: 'Onc^Olivia' });
    assert.ok(importRtstruct(r.buffer, axial.volume).structures.every((st) => st.approved));

    const one = writeRtstruct(axial.volume, approved.map((st, n) => (n === 2 ? { ...st, approved: false } : st)));
    const onePath = save(axial, 'rs-unapproved.dcm', one.buffer);
    assert.deepEqual(dciodvfyErrors(onePath), [], onePath);
    assert.equal(parseRtstruct(one.buffer).approval.status, 'UNAPPROVED');
    assert.ok(importRtstruct(one.buffer, axial.volume).structures.every((st) => !st.approved));
  });

  it('puts every contour in the plane of the CT image it references, inside the image (pydicom, strict)', () => {
    const checks = checkRtstructWithPydicom(written);
    for (const c of checks) {
      assert.equal(c.badReferences, 0, c.rs);
      assert.equal(c.unreferenced, 0);
      assert.equal(c.nonDsContourData, 0);
      assert.equal(c.unlistedImages, 0, 'the RT Referenced Series lists every slice');
      // Coordinates are written to 1 µm: at most √3 · 0.5 µm off the plane after rounding.
      assert.ok(
        c.maxPlaneDistanceMm < 2e-3,
        `${c.rs}: points ${c.maxPlaneDistanceMm} mm off their image plane`,
      );
      assert.ok(c.maxOutsidePixels <= 2e-3, `${c.rs}: points ${c.maxOutsidePixels} px outside their image`);
      assert.ok(
        c.sameStudy && c.samePatient && c.sameFrameOfReference,
        "patient, study, series and frame of reference are the CT's",
      );
      assert.deepEqual(
        c.rois.map((r) => [r.name, r.type, r.algorithm]),
        [
          ['External', 'EXTERNAL', 'MANUAL'],
          ['Lung_L', 'ORGAN', 'MANUAL'],
          ['Lung_R', 'ORGAN', 'MANUAL'],
          ['SpinalCord', 'ORGAN', 'MANUAL'],
          ['Heart', 'ORGAN', 'MANUAL'],
          ['Esophagus', 'ORGAN', 'MANUAL'],
          ['GTV', 'GTV', 'MANUAL'],
        ],
      );
      assert.deepEqual(c.rois[0].color, [0, 255, 0]);
      assert.equal(c.clockwise, 0, 'the phantom structures have no holes');
    }
  });

  it('writes the identity, reference and equipment attributes planning systems look for', () => {
    const r = writeRtstruct(axial.volume, axial.structures, {
      label: 'Plan 1',
      seriesNumber: 42,
      operatorName: 'Tester^Tina',
      date: new Date(2024, 4, 6, 7, 8, 9),
    });
    const { dict: ds, meta } = dcmjs.data.DicomMessage.readFile(r.buffer.slice(0));
    const nat = dcmjs.data.DicomMetaDictionary.naturalizeDataset(ds);
    const id = axial.volume.identity;
    assert.equal(
      dcmjs.data.DicomMetaDictionary.naturalizeDataset(meta).MediaStorageSOPClassUID,
      RT_STRUCTURE_SET_STORAGE_SOP_CLASS_UID,
    );
    assert.equal(nat.SOPClassUID, RT_STRUCTURE_SET_STORAGE_SOP_CLASS_UID);
    assert.equal(nat.SOPInstanceUID, r.sopInstanceUid);
    assert.equal(nat.Modality, 'RTSTRUCT');
    assert.notEqual(nat.SeriesInstanceUID, id.seriesInstanceUid);
    for (const [k, v] of [
      ['StudyInstanceUID', id.studyInstanceUid],
      ['FrameOfReferenceUID', id.frameOfReferenceUid],
      ['PatientID', id.patientId],
      ['StudyID', id.studyId],
      ['StudyDate', id.studyDate],
      ['StructureSetLabel', 'Plan 1'],
      ['StructureSetDate', '20240506'],
      ['StructureSetTime', '070809'],
      ['Manufacturer', 'Delineo'],
      ['SeriesNumber', 42],
      ['InstanceNumber', 1],
      ['PositionReferenceIndicator', ''],
    ] as const) {
      assert.equal(nat[k], v, k);
    }
    assert.deepEqual(nat.OperatorsName, [{ Alphabetic: 'Tester^Tina' }]);
    const ref = (nat.ReferencedFrameOfReferenceSequence as Record<string, unknown>[])[0] as Record<
      string,
      unknown
    >;
    const series = ((ref.RTReferencedStudySequence as Record<string, unknown>)?.RTReferencedSeriesSequence ??
      (ref.RTReferencedStudySequence as Record<string, unknown>[])[0].RTReferencedSeriesSequence) as Record<
      string,
      unknown
    >;
    const listed = (
      (Array.isArray(series) ? series[0] : series).ContourImageSequence as {
        ReferencedSOPInstanceUID: string;
      }[]
    ).map((x) => x.ReferencedSOPInstanceUID);
    assert.deepEqual(listed, id.sopInstanceUids);
    // Each contour references the slice whose plane it lies in: on this axial grid, the slice at its z.
    const roiContours = seq(ds, '30060039');
    for (const rc of roiContours) {
      for (const c of seq(rc, '30060040')) {
        const z = (c['30060050'].Value as number[])[2];
        const k = Math.round((z - axial.volume.origin[2]) / axial.volume.spacing[2]);
        assert.equal((seq(c, '30060016')[0]['00081155'].Value as string[])[0], id.sopInstanceUids![k]);
      }
    }
  });

  it('records provenance as ROI Generation Algorithm with a description naming the model or source', () => {
    const [ext, lung, cord] = axial.structures;
    const structures = [
      {
        ...ext,
        provenance: { algorithm: 'AUTOMATIC' as const, source: 'ct-external-lungs-bones', version: '2' },
      },
      { ...lung, provenance: { algorithm: 'SEMIAUTOMATIC' as const, source: 'hn-oar' } },
      { ...cord, provenance: { algorithm: 'MANUAL' as const } },
    ];
    const r = writeRtstruct(axial.volume, structures);
    const parsed = parseRtstruct(r.buffer);
    assert.deepEqual(
      parsed.rois.map((x) => [x.generationAlgorithm, x.generationDescription]),
      [
        ['AUTOMATIC', 'Delineo auto-contour: ct-external-lungs-bones v2'],
        ['SEMIAUTOMATIC', 'Delineo: hn-oar edited by a user'],
        ['MANUAL', 'Delineo manual contouring'],
      ],
    );
    const imp = importRtstruct(r.buffer, axial.volume);
    assert.deepEqual(
      imp.structures.map((s) => s.provenance),
      [
        { algorithm: 'AUTOMATIC', source: 'Delineo auto-contour: ct-external-lungs-bones v2' },
        { algorithm: 'SEMIAUTOMATIC', source: 'Delineo: hn-oar edited by a user' },
        { algorithm: 'MANUAL', source: 'Delineo manual contouring' },
      ],
    );
  });

  it('round-trips every structure exactly through our import, on axial, oblique and gantry-tilted grids', () => {
    for (const f of [axial, oblique, tilted]) {
      const imp = importRtstruct(exportRtstruct(f.volume, f.structures), f.volume);
      assert.deepEqual(imp.warnings, []);
      assert.equal(imp.structures.length, f.structures.length);
      for (const s of f.structures) {
        const back = byName(imp, s.name);
        assert.ok(back.mask.equals(s.mask), `${s.name}: Dice ${dice(back.mask, s.mask)}`);
        assert.deepEqual(back.color, s.color);
        assert.equal(back.interpretedType, s.interpretedType);
        assert.equal(back.standardName, s.name, 'TG-263 names map to themselves');
      }
    }
  });

  it('app flow: an imported AUTOMATIC structure edited in the store is exported as SEMIAUTOMATIC', () => {
    const auto = axial.structures.map((st) => ({
      ...st,
      provenance: { algorithm: 'AUTOMATIC' as const, source: 'hn-oar' },
    }));
    const imported = importRtstruct(exportRtstruct(axial.volume, auto), axial.volume);
    const store = new StructureSetStore(axial.volume.geometry);
    store.load(imported.structures);
    const gtv = store.state.structures.find((r) => r.name === 'GTV')!;
    let voxel: [number, number, number] | undefined;
    store.mask(gtv.id).forEach((i, j, k) => (voxel ??= [i, j, k]));
    assert.equal(
      store.editMask(gtv.id, 'Erase a voxel', (m) => m.set(...voxel!, false)),
      true,
    );
    const again = parseRtstruct(exportRtstruct(axial.volume, store.structures()));
    const byRoi = new Map(again.rois.map((r) => [r.name, r.generationAlgorithm]));
    assert.equal(byRoi.get('GTV'), 'SEMIAUTOMATIC');
    assert.equal(byRoi.get('Heart'), 'AUTOMATIC');
  });

  it('writes holes and islands as separate contours that even-odd readers recover', () => {
    const [nx, ny, nz] = axial.volume.dimensions;
    // A ring with an island in its hole on slices 10–12, and two squares touching at a corner on slice 14.
    const mask = BinaryMask.fromPredicate([nx, ny, nz], (i, j, k) => {
      const r2 = (i - 64) ** 2 + (j - 64) ** 2;
      if (k >= 10 && k <= 12) return (r2 <= 400 && r2 > 100) || r2 <= 16;
      if (k === 14)
        return (i >= 20 && i < 25 && j >= 20 && j < 25) || (i >= 25 && i < 30 && j >= 25 && j < 30);
      return false;
    });
    const ring = createStructure({ name: 'Ring', mask, interpretedType: 'AVOIDANCE', color: [1, 2, 3] });
    const r = writeRtstruct(axial.volume, [ring]);
    assert.equal(r.contourCounts[0], 3 * 3 + 2);
    const path = save(axial, 'ring.dcm', r.buffer);
    assert.deepEqual(dciodvfyErrors(path), []);
    const [check] = checkRtstructWithPydicom([{ rs: path, ct: join(axial.dir, 'ct') }]);
    assert.equal(check.clockwise, 3, 'one clockwise hole per ring slice');
    assert.equal(check.counterClockwise, 8);
    const imp = importRtstruct(r.buffer, axial.volume);
    assert.ok(imp.structures[0].mask.equals(mask));
  });

  it('writes a contour longer than 64 KiB as DS (Implicit VR: 32-bit lengths), not re-typed as UN', async () => {
    const ph = generatePhantom({
      dimensions: [512, 512, 3],
      spacing: [0.9765625, 0.9765625, 90],
      noiseHu: 0,
    });
    const dir = join(scratch, 'comb');
    const { identity } = await writeCtSeriesToDirectory(ph.volume, join(dir, 'ct'));
    const volume = new Volume({ ...ph.volume.geometry, data: ph.volume.data, identity });
    // A square whose border is a comb (every other voxel missing): one outline with thousands of corners.
    const inBand = (x: number) => x < 14 || x >= 496;
    const mask = BinaryMask.fromPredicate(volume.dimensions, (i, j, k) => {
      if (k !== 1 || i < 10 || i >= 500 || j < 10 || j >= 500) return false;
      if (inBand(j) && i % 2 === 1) return false;
      return !(inBand(i) && j % 2 === 1);
    });
    const r = writeRtstruct(volume, [createStructure({ name: 'Comb', mask })]);
    const path = join(dir, 'rs.dcm');
    writeFileSync(path, new Uint8Array(r.buffer));
    assert.deepEqual(dciodvfyErrors(path), []);
    const [check] = checkRtstructWithPydicom([{ rs: path, ct: join(dir, 'ct') }]);
    assert.equal(check.nonDsContourData, 0);
    assert.ok(
      check.maxContourPoints * 3 * 8 > 65_536,
      `the longest contour has ${check.maxContourPoints} points`,
    );
    assert.ok(importRtstruct(r.buffer, volume).structures[0].mask.equals(mask));
  });

  it('writes an empty structure as an ROI without contours, and says so', () => {
    const empty = createStructure({ name: 'Bowel', mask: new BinaryMask(axial.volume.dimensions) });
    const r = writeRtstruct(axial.volume, [axial.structures[6], empty]);
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.roiName]),
      [['empty-roi', 'Bowel']],
    );
    const path = save(axial, 'empty.dcm', r.buffer);
    assert.deepEqual(dciodvfyErrors(path), []);
    const imp = importRtstruct(r.buffer, axial.volume);
    assert.equal(imp.structures.length, 2);
    assert.ok(imp.structures[1].mask.isEmpty());
    assert.deepEqual(
      imp.warnings.map((w) => [w.code, w.roiName]),
      [['empty-roi', 'Bowel']],
    );
  });

  it('leaves the image reference out for contours on interpolated slices, and warns', () => {
    const sops = [...axial.volume.identity.sopInstanceUids!];
    sops[18] = ''; // as the loader marks a plane it interpolated over a missing slice
    const volume = new Volume({
      ...axial.volume.geometry,
      data: axial.volume.data,
      identity: { ...axial.volume.identity, sopInstanceUids: sops },
    });
    const r = writeRtstruct(volume, axial.structures.slice(0, 2));
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.roiName]),
      [
        ['unreferenced-slice', 'External'],
        ['unreferenced-slice', 'Lung_L'],
      ],
    );
    const path = save(axial, 'interpolated.dcm', r.buffer);
    assert.deepEqual(dciodvfyErrors(path), []);
    const [check] = checkRtstructWithPydicom([{ rs: path, ct: join(axial.dir, 'ct') }]);
    assert.equal(check.unreferenced, 2, 'one contour per structure on slice 18 has no image to reference');
    assert.equal(check.badReferences, 0);
    assert.ok(importRtstruct(r.buffer, volume).structures[0].mask.equals(axial.structures[0].mask));
  });

  it('refuses what a planning system could not use', () => {
    const bare = new Volume({ ...axial.volume.geometry, data: axial.volume.data });
    assert.throws(
      () => writeRtstruct(bare, axial.structures),
      (e: unknown) =>
        e instanceof RtstructError && e.code === 'missing-reference' && /Frame of Reference/.test(e.message),
    );
    const sops = axial.volume.identity.sopInstanceUids!;
    const multiframe = new Volume({
      ...axial.volume.geometry,
      data: axial.volume.data,
      identity: { ...axial.volume.identity, sopInstanceUids: sops.map(() => sops[0]) },
    });
    assert.throws(
      () => writeRtstruct(multiframe, axial.structures),
      (e: unknown) =>
        e instanceof RtstructError && e.code === 'missing-reference' && /multi-frame/.test(e.message),
    );
    const twin = { ...axial.structures[1], name: 'lung_l' };
    assert.throws(
      () => writeRtstruct(axial.volume, [axial.structures[1], twin]),
      (e: unknown) =>
        e instanceof RtstructError && e.code === 'invalid-structure' && /unique/.test(e.message),
    );
    const small = createStructure({ name: 'Small', mask: new BinaryMask([4, 4, 4]) });
    assert.throws(() => writeRtstruct(axial.volume, [small]), /not on the CT grid/);
    assert.throws(
      () => writeRtstruct(axial.volume, [], { label: 'A label longer than sixteen' }),
      /1–16 characters/,
    );
  });

  it('is read back by dcmjs from disk (pydicom reads it in the plane check above)', () => {
    const parsed = parseRtstruct(readFileSync(written[0].rs), 'rs.dcm');
    assert.equal(parsed.rois.length, 7);
    assert.equal(parsed.referencedImageUids.length, axial.volume.dimensions[2]);
    assert.equal(parsed.frameOfReferenceUids[0], axial.volume.identity.frameOfReferenceUid);
  });
});

describe('RTSTRUCT import of defective files', () => {
  let f: CtFixture;
  let good: ArrayBuffer;
  before(async () => {
    f = await phantomCt('defects');
    good = exportRtstruct(f.volume, [f.structures[3], f.structures[6]]); // SpinalCord, GTV
  });

  const contourItems = (ds: DenaturalizedDataset, roi: number): DenaturalizedDataset[] =>
    seq(seq(ds, '30060039')[roi], '30060040');

  it('drops degenerate contours (too few points, zero area, NaN) with a warning and imports the rest', () => {
    const buffer = edited(good, (ds) => {
      const cs = contourItems(ds, 0);
      const pt = (c: DenaturalizedDataset) => c['30060050'].Value as number[];
      const two = {
        ...cs[0],
        '30060050': { vr: 'DS', Value: pt(cs[0]).slice(0, 6) },
        '30060046': { vr: 'IS', Value: [2] },
      };
      const flat = pt(cs[1]).slice(0, 9);
      const line = {
        ...cs[1],
        '30060050': {
          vr: 'DS',
          Value: [flat[0], flat[1], flat[2], flat[0] + 5, flat[1], flat[2], flat[0] + 10, flat[1], flat[2]],
        },
        '30060046': { vr: 'IS', Value: [3] },
      };
      cs.push(two, line);
    });
    const imp = importRtstruct(buffer, f.volume, { file: 'defects.dcm' });
    const w = imp.warnings.filter((x) => x.code === 'degenerate-contour');
    assert.equal(w.length, 1);
    assert.equal(w[0].roiName, 'SpinalCord');
    assert.equal(w[0].file, 'defects.dcm');
    assert.match(w[0].message, /2 contour\(s\)/);
    assert.ok(byName(imp, 'SpinalCord').mask.equals(f.structures[3].mask), 'the good contours still import');
    assert.ok(byName(imp, 'GTV').mask.equals(f.structures[6].mask));
  });

  it('drops contours off the slice planes and outside the CT, snaps near ones with a warning', () => {
    const gap = f.volume.spacing[2];
    const buffer = edited(good, (ds) => {
      const cs = contourItems(ds, 1); // GTV
      const shift = (c: DenaturalizedDataset, dz: number): DenaturalizedDataset => ({
        ...c,
        '30060050': {
          vr: 'DS',
          Value: (c['30060050'].Value as number[]).map((v, n) => (n % 3 === 2 ? v + dz : v)),
        },
      });
      cs[0] = shift(cs[0], 0.3); // 0.3 mm off its plane: placed, reported
      cs.push(shift(cs[1], 200 * gap)); // far beyond the last slice
      const tiltedPts = (cs[2]['30060050'].Value as number[]).map((v, n) =>
        n % 3 === 2 ? v + (n % 2) * 0.7 * gap : v,
      );
      cs.push({ ...cs[2], '30060050': { vr: 'DS', Value: tiltedPts } }); // not planar
    });
    const imp = importRtstruct(buffer, f.volume);
    const codes = imp.warnings.filter((w) => w.roiName === 'GTV').map((w) => w.code);
    assert.deepEqual(codes.sort(), ['off-slice-contour', 'off-slice-contour', 'snapped-to-slice']);
    assert.ok(byName(imp, 'GTV').mask.equals(f.structures[6].mask));
  });

  it('matches slices by position when image references are stale or point at another slice', () => {
    const sops = f.volume.identity.sopInstanceUids!;
    const buffer = edited(good, (ds) => {
      contourItems(ds, 0).forEach((c, n) => {
        const img = seq(c, '30060016')[0];
        // The first contour names the image three slices away from the one it lies on; the rest name no image at all.
        const k = Math.round(
          ((c['30060050'].Value as number[])[2] - f.volume.origin[2]) / f.volume.spacing[2],
        );
        img['00081155'] = { vr: 'UI', Value: [n === 0 ? sops[(k + 3) % sops.length] : `1.2.3.4.${n}`] };
      });
    });
    const imp = importRtstruct(buffer, f.volume);
    assert.deepEqual(imp.warnings.map((w) => w.code).sort(), [
      'reference-position-mismatch',
      'unmatched-image-reference',
    ]);
    assert.ok(byName(imp, 'SpinalCord').mask.equals(f.structures[3].mask));
  });

  it('keeps POINT and open contours as markers and reports unknown contour types', () => {
    const buffer = edited(good, (ds) => {
      const cs = contourItems(ds, 1);
      cs.push({
        '30060042': { vr: 'CS', Value: ['POINT'] },
        '30060046': { vr: 'IS', Value: [1] },
        '30060050': { vr: 'DS', Value: [1.5, -2.5, 3] },
      });
      cs.push({
        '30060042': { vr: 'CS', Value: ['OPEN_PLANAR'] },
        '30060046': { vr: 'IS', Value: [2] },
        '30060050': { vr: 'DS', Value: [0, 0, 0, 10, 0, 0] },
      });
      cs.push({
        '30060042': { vr: 'CS', Value: ['CLOSEDPLANAR_XOR'] },
        '30060046': { vr: 'IS', Value: [1] },
        '30060050': { vr: 'DS', Value: [0, 0, 0] },
      });
    });
    const imp = importRtstruct(buffer, f.volume);
    assert.deepEqual(
      imp.markers.map((m) => [m.name, m.geometricType, m.points]),
      [
        ['GTV', 'POINT', [[1.5, -2.5, 3]]],
        [
          'GTV',
          'OPEN_PLANAR',
          [
            [0, 0, 0],
            [10, 0, 0],
          ],
        ],
      ],
    );
    assert.deepEqual(
      imp.warnings.map((w) => w.code),
      ['unsupported-contour-type'],
    );
    assert.ok(byName(imp, 'GTV').mask.equals(f.structures[6].mask));
  });

  it('warns when contours of an ROI partly overlap (XOR and OR readers disagree there)', () => {
    const buffer = edited(good, (ds) => {
      const cs = contourItems(ds, 1); // GTV
      const shifted = (cs[0]['30060050'].Value as number[]).map((v, n) =>
        n % 3 === 0 ? v + 3 * f.volume.spacing[0] : v,
      );
      cs.push({ ...cs[0], '30060050': { vr: 'DS', Value: shifted } });
    });
    const imp = importRtstruct(buffer, f.volume);
    assert.deepEqual(
      imp.warnings.map((w) => [w.code, w.roiName]),
      [['overlapping-contours', 'GTV']],
    );
    assert.match(imp.warnings[0].message, /on 1 slice\(s\)/);
  });

  it('drops exact duplicate contours instead of letting them cancel out', () => {
    const buffer = edited(good, (ds) => {
      const cs = contourItems(ds, 1);
      cs.push(...cs.map((c) => ({ ...c })));
    });
    const imp = importRtstruct(buffer, f.volume);
    assert.deepEqual(
      imp.warnings.map((w) => w.code),
      ['duplicate-contour'],
    );
    assert.ok(byName(imp, 'GTV').mask.equals(f.structures[6].mask));
  });

  it('reports ROI contours without a Structure Set ROI, point-count mismatches and odd names and types', () => {
    const buffer = edited(good, (ds) => {
      seq(ds, '30060039')[1]['30060084'] = { vr: 'IS', Value: [99] };
      const c = contourItems(ds, 0)[0];
      c['30060046'] = { vr: 'IS', Value: [(c['30060046'].Value as number[])[0] + 1] };
      seq(ds, '30060020')[0]['30060026'] = { vr: 'LO', Value: [''] };
      seq(ds, '30060080')[0]['300600A4'] = { vr: 'CS', Value: ['ORGAN_AT_RISK'] };
    });
    const imp = importRtstruct(buffer, f.volume);
    assert.deepEqual(imp.warnings.map((w) => w.code).sort(), [
      'empty-roi',
      'inconsistent-roi',
      'interpreted-type',
      'point-count-mismatch',
      'roi-name',
    ]);
    assert.equal(imp.structures[0].name, 'ROI 1');
    assert.equal(imp.structures[0].interpretedType, 'ORGAN');
    assert.ok(imp.structures[0].mask.equals(f.structures[3].mask));
    assert.ok(imp.structures[1].mask.isEmpty(), 'GTV lost its ROI Contour item: empty, reported');
  });

  it('refuses another Frame of Reference with a typed error naming the file, unless told to accept it', () => {
    const buffer = edited(good, (ds) => {
      for (const r of seq(ds, '30060020')) r['30060024'] = { vr: 'UI', Value: ['1.2.3.4.5'] };
      seq(ds, '30060010')[0]['00200052'] = { vr: 'UI', Value: ['1.2.3.4.5'] };
      ds['00200052'] = { vr: 'UI', Value: ['1.2.3.4.5'] };
    });
    assert.throws(
      () => importRtstruct(buffer, f.volume, { file: 'other-frame.dcm' }),
      (e: unknown) =>
        e instanceof RtstructError &&
        e.code === 'frame-of-reference-mismatch' &&
        e.file === 'other-frame.dcm' &&
        /^other-frame\.dcm: .*1\.2\.3\.4\.5.*does reference this CT/.test(e.message),
    );
    const imp = importRtstruct(buffer, f.volume, { acceptFrameOfReferenceMismatch: true });
    assert.deepEqual(
      imp.warnings.map((w) => w.code),
      ['frame-of-reference-accepted'],
    );
    assert.ok(byName(imp, 'GTV').mask.equals(f.structures[6].mask));
  });

  it('refuses files that are not RT Structure Sets', () => {
    const ct = readFileSync(join(f.dir, 'ct', 'CT.0001.dcm'));
    assert.throws(
      () => importRtstruct(ct, f.volume, { file: 'CT.0001.dcm' }),
      (e: unknown) => e instanceof RtstructError && e.code === 'not-rtstruct',
    );
    assert.throws(
      () => importRtstruct(new TextEncoder().encode('hello, not DICOM at all'), f.volume),
      (e: unknown) => e instanceof RtstructError && e.code === 'not-dicom',
    );
    assert.throws(
      () => importRtstruct(new Uint8Array(good).slice(0, 3000), f.volume),
      (e: unknown) => e instanceof RtstructError,
    );
  });
});

describe('RTSTRUCT import of real files (../shared/data)', () => {
  it('NSCLC: a lung whose contours are repeated on a slice with a point more or less imports at its true volume, with a warning', async () => {
    const dir = join(DATA, 'nsclc-lung1-001/dicom');
    const ct = await loadDicomDirectory(dir);
    assert.equal(ct.kind, 'volume');
    if (ct.kind !== 'volume') return;
    const original = readFileSync(join(dir, '2.dcm'));
    const reference = importRtstruct(original, ct.volume, { file: '2.dcm' });
    const lungNumber = parseRtstruct(original, '2.dcm').rois.find((r) => r.name === 'Lung L')!.number;
    const buffer = original.buffer.slice(original.byteOffset, original.byteOffset + original.byteLength) as ArrayBuffer;
    const dict = dcmjs.data.DicomMessage.readFile(buffer);
    const roiContour = (dict.dict['30060039']!.Value as DenaturalizedDataset[]).find((r) => Number(r['30060084']!.Value![0]) === lungNumber)!;
    const contours = roiContour['30060040']!.Value as DenaturalizedDataset[];
    let repeats = 0;
    // Every third contour written again 2 times, each copy one point short and shifted by 0.3 mm, as some systems export.
    for (const c of contours.filter((_, n) => n % 3 === 0)) {
      const points = (c['30060050']!.Value as (number | string)[]).map(Number);
      for (let copy = 1; copy <= 2; copy++) {
        const fewer = points.slice(0, points.length - 3).map((v, n) => (n % 3 === 0 ? v + 0.3 * copy : v));
        contours.push({ ...c, '30060046': { vr: 'IS', Value: [fewer.length / 3] }, '30060050': { vr: 'DS', Value: fewer } });
        repeats++;
      }
    }
    const messy = importRtstruct(new Uint8Array(dict.write()), ct.volume, { file: 'messy.dcm' });
    const before = byName(reference, 'Lung L').mask.count();
    const after = byName(messy, 'Lung L').mask.count();
    assert.ok(Math.abs(after - before) / before < 0.005, `Lung L ${after} voxels vs ${before} de-duplicated`);
    const warning = messy.warnings.find((w) => w.code === 'duplicate-contour' && w.message.includes('same outline'));
    assert.ok(warning, messy.warnings.map((w) => w.message).join('\n'));
    assert.match(warning.message, new RegExp(`^Lung L: ${repeats} contour`));
    assert.ok(byName(messy, 'Lung R').mask.equals(byName(reference, 'Lung R').mask), 'other ROIs untouched');
  });

  it('pydicom-rt: reads a file without file meta; POINT ROIs become markers; its CT is another frame', async () => {
    const bytes = readFileSync(join(DATA, 'pydicom-rt/rtstruct.dcm'));
    const parsed = parseRtstruct(bytes, 'rtstruct.dcm');
    assert.deepEqual(
      parsed.rois.map((r) => [r.name, r.interpretedType, r.contours.length]),
      [
        ['patient', 'EXTERNAL', 3],
        ['Isocenter 1', 'ISOCENTER', 1],
        ['Isocenter 2', 'ISOCENTER', 1],
      ],
    );
    const ct = await loadDicomDirectory(join(DATA, 'pydicom-rt'));
    assert.equal(ct.kind, 'volume');
    if (ct.kind !== 'volume') return;
    assert.throws(
      () => importRtstruct(bytes, ct.volume, { file: 'rtstruct.dcm' }),
      (e: unknown) =>
        e instanceof RtstructError && e.code === 'frame-of-reference-mismatch' && e.file === 'rtstruct.dcm',
    );
    // On a grid in its own frame of reference (its contours lie at z = −200, −190, −180 mm) it imports.
    const grid = new Volume({
      dimensions: [100, 80, 3],
      spacing: [5, 5, 10],
      origin: [-247.5, -197.5, -200] as Vec3,
      direction: IDENTITY,
      data: new Int16Array(100 * 80 * 3),
      identity: { frameOfReferenceUid: parsed.frameOfReferenceUids[0] },
    });
    const imp = importRtstruct(bytes, grid, { file: 'rtstruct.dcm' });
    assert.deepEqual(
      imp.structures.map((s) => [s.name, s.standardName, s.interpretedType]),
      [['patient', 'External', 'EXTERNAL']],
    );
    assert.ok(imp.structures[0].mask.count() > 1000);
    assert.deepEqual(
      imp.markers.map((m) => [m.name, m.interpretedType, m.points.length]),
      [
        ['Isocenter 1', 'ISOCENTER', 1],
        ['Isocenter 2', 'ISOCENTER', 1],
      ],
    );
  });

  it('dicompyler: a 98-slice structure set on the one CT slice present; the empty ROI is reported', async () => {
    const ct = await loadDicomDirectory(join(DATA, 'dicompyler-core-example'));
    assert.equal(ct.kind, 'volume');
    if (ct.kind !== 'volume') return;
    const imp = importRtstruct(readFileSync(join(DATA, 'dicompyler-core-example/rtss.dcm')), ct.volume, {
      file: 'rtss.dcm',
    });
    assert.equal(imp.structures.length, 10);
    const body = byName(imp, 'BODY');
    assert.equal(body.standardName, 'External');
    assert.equal(body.interpretedType, 'EXTERNAL');
    assert.deepEqual(body.mask.axialSlicesWithData(), [0]);
    assert.ok(body.mask.count() > 30_000, 'the body contour on the one present slice');
    assert.equal(byName(imp, 'Lt Lung').standardName, 'Lung_L');
    assert.ok(
      imp.warnings.some(
        (w) => w.code === 'empty-roi' && w.roiName === 'Areola' && /no contours/.test(w.message),
      ),
    );
    assert.ok(imp.warnings.some((w) => w.code === 'off-slice-contour' && w.roiName === 'Heart'));
  });

  it('MIM files: a contour on a missing slice and a missing referenced-study sequence are survivable', async () => {
    const ct = await loadDicomDirectory(join(DATA, 'rt-utils-mock/mock_data'));
    assert.equal(ct.kind, 'volume');
    if (ct.kind !== 'volume') return;
    const volumes: number[][] = [];
    for (const name of ['invalid_reference_rt.dcm', 'non_existent_reference_rt.dcm']) {
      const imp = importRtstruct(readFileSync(join(DATA, 'rt-utils-mock/mock_data', name)), ct.volume, {
        file: name,
      });
      assert.deepEqual(
        imp.structures.map((s) => s.name),
        ['ROI-1', 'ROI-2', 'ROI-3', 'ROI-4'],
      );
      assert.deepEqual(
        imp.warnings.map((w) => [w.code, w.roiName]),
        ['ROI-1', 'ROI-2', 'ROI-3', 'ROI-4'].map((n) => ['off-slice-contour', n]),
        'the z = 70 mm contours have no slice',
      );
      volumes.push(imp.structures.map((s) => s.mask.count()));
      for (const s of imp.structures) assert.deepEqual(s.mask.axialSlicesWithData(), [0, 1]);
    }
    assert.deepEqual(volumes[0], volumes[1]);
  });

  it('rt-utils oblique images without a Frame of Reference: export refuses, naming what is missing', async () => {
    const ct = await loadDicomDirectory(join(DATA, 'rt-utils-mock/oriented_data'));
    if (ct.kind !== 'volume') throw new Error('expected a volume');
    const mask = BinaryMask.fromPredicate(
      ct.volume.dimensions,
      (i, j) => i > 20 && i < 60 && j > 10 && j < 30,
    );
    assert.throws(
      () => writeRtstruct(ct.volume, [createStructure({ name: 'Box', mask })]),
      (e: unknown) =>
        e instanceof RtstructError &&
        e.code === 'missing-reference' &&
        /Frame of Reference UID/.test(e.message),
    );
  });

  it('rt-utils: a wrong Frame of Reference is an error that says the file references this CT', async () => {
    const ct = await loadDicomDirectory(join(DATA, 'rt-utils-mock/mock_data'));
    if (ct.kind !== 'volume') throw new Error('expected a volume');
    const bytes = readFileSync(join(DATA, 'rt-utils-mock/mock_data/rt.dcm'));
    assert.throws(
      () => importRtstruct(bytes, ct.volume, { file: 'rt.dcm' }),
      (e: unknown) =>
        e instanceof RtstructError &&
        e.code === 'frame-of-reference-mismatch' &&
        /rt\.dcm: .*does reference this CT/.test(e.message),
    );
    const imp = importRtstruct(bytes, ct.volume, { file: 'rt.dcm', acceptFrameOfReferenceMismatch: true });
    assert.equal(imp.structures.length, 1);
    assert.deepEqual(imp.structures[0].mask.axialSlicesWithData(), [0]);
  });
});
