// DICOM series loading on real and generated data, checked against an independent reader (pydicom with numpy,
// via test/fixtures/io/reference_reader.py): every voxel's HU, every slice's patient position, sample voxel
// positions anywhere in the grid, and the identifiers. Also: order independence, multi-frame, series choice,
// progress and cancellation.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { norm, sameGrid, sub, type Vec3 } from '../../domain/geometry.ts';
import type { Volume } from '../../domain/volume.ts';
import { isAbortError, type Progress } from '../../jobs/job.ts';
import { generatePhantom, obliqueDirection } from '../../phantom/phantom.ts';
import { J2K_DIR, NSCLC_DIR, nsclcSlices, rewrite, setEl } from '../../../test/fixtures/io/bad-dicom-corpus.ts';
import { enhancedCtFromSlices } from '../../../test/fixtures/io/multiframe.ts';
import { referenceDicom, type Reference } from '../../../test/fixtures/io/reference.ts';
import { DicomLoadError } from '../errors.ts';
import { listDicomInputs, loadDicomDirectory } from '../load-node.ts';
import { writeCtSeriesToDirectory } from './ct-writer-node.ts';
import { loadDicomSeries, loadDicomSeriesHeaders, scanDicom, type DicomGridResult, type DicomLoadResult, type DicomVolumeResult } from './series-loader.ts';

/** Tolerances: positions are the files' decimal strings on both sides, so they agree to rounding. */
const POSITION_TOL_MM = 1e-4;

function volumeOf(r: DicomLoadResult): DicomVolumeResult {
  assert.equal(r.kind, 'volume', `expected a volume, got ${r.kind}`);
  return r as DicomVolumeResult;
}

/** Compares a loaded volume with pydicom's reading: grid, every slice origin, sample voxels, every voxel. */
function assertMatchesReference(v: Volume, ref: Reference): void {
  assert.deepEqual([...v.dimensions], ref.dimensions, 'dimensions');
  // Every slice's first voxel is that slice's ImagePositionPatient.
  ref.positions!.forEach((p, k) => {
    const ours = v.indexToPatient([0, 0, k]);
    assert.ok(norm(sub(ours, p as Vec3)) < POSITION_TOL_MM, `slice ${k}: ours ${ours.join(',')} vs pydicom ${p.join(',')}`);
  });
  for (const s of ref.samples) {
    const ours = v.indexToPatient(s.index);
    assert.ok(norm(sub(ours, s.patient)) < POSITION_TOL_MM, `voxel ${s.index}: ours ${ours.join(',')} vs pydicom ${s.patient.join(',')}`);
    // A Float32 volume holds the reference's float64 value rounded to float32.
    assert.equal(v.at(...s.index), v.data instanceof Float32Array ? Math.fround(s.value) : s.value, `value at ${s.index}`);
  }
  assert.equal(v.data.length, ref.data.length);
  let mismatches = 0;
  let first = -1;
  for (let x = 0; x < v.data.length; x++) {
    if (v.data[x] !== ref.data[x]) {
      if (first < 0) first = x;
      mismatches++;
    }
  }
  assert.equal(mismatches, 0, `${mismatches} voxels differ from pydicom, first at ${first}: ${v.data[first]} vs ${ref.data[first]}`);
}

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'delineo-series-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('NSCLC Lung1-001 (134 slices, uncompressed, with RTSTRUCT/RTPLAN/RTDOSE in the folder)', () => {
  let result: DicomVolumeResult;
  let ref: Reference;
  before(async () => {
    result = volumeOf(await loadDicomDirectory(NSCLC_DIR));
    const files = (await readdir(NSCLC_DIR)).filter((f) => !['1.dcm', '2.dcm', '137.dcm'].includes(f)).map((f) => join(NSCLC_DIR, f));
    ref = await referenceDicom(files);
  });

  it('matches pydicom voxel for voxel and position for position', () => {
    const v = result.volume;
    assert.equal(v.dimensions[2], 134);
    assert.ok(v.data instanceof Int16Array, 'HU kept in Int16');
    assertMatchesReference(v, ref);
    assert.deepEqual([...v.spacing], [0.9765625, 0.9765625, 3]);
    assert.deepEqual([...v.direction], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('keeps the identifiers: per-slice SOP Instance UIDs in slice order, FoR, study, series, patient', () => {
    const id = result.volume.identity;
    assert.deepEqual(id.sopInstanceUids, ref.sopInstanceUids);
    assert.equal(id.frameOfReferenceUid, ref.frameOfReferenceUid);
    assert.equal(id.studyInstanceUid, ref.studyInstanceUid);
    assert.equal(id.seriesInstanceUid, ref.seriesInstanceUid);
    assert.equal(id.patientId, ref.patientId);
    assert.equal(id.patientName, ref.patientName);
    assert.equal(id.sopClassUid, '1.2.840.10008.5.1.4.1.1.2');
    assert.equal(result.volume.modality, 'CT');
  });

  it('lists the RT objects beside the CT instead of rejecting them, with their bytes', () => {
    const kinds = result.rtObjects.map((o) => `${o.kind}:${o.file}`).sort();
    assert.deepEqual(kinds, ['RTDOSE:1.dcm', 'RTPLAN:137.dcm', 'RTSTRUCT:2.dcm']);
    const rs = result.rtObjects.find((o) => o.kind === 'RTSTRUCT')!;
    assert.equal(rs.label, 'RCCT020209');
    assert.ok(rs.bytes.length > 1_000_000);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.allSeries.length, 1);
    assert.equal(result.allSeries[0].sliceCount, 134);
  });

  it('gives the same volume whatever the file order and names', async () => {
    const inputs = await listDicomInputs(NSCLC_DIR);
    const buffers = await Promise.all(inputs.map(async (i, n) => ({ name: `x${(n * 37) % 137}`, data: await i.read() })));
    buffers.sort((a, b) => (a.name < b.name ? 1 : -1));
    const again = volumeOf(await loadDicomSeries(buffers)).volume;
    assert.deepEqual(again.data, result.volume.data);
    assert.ok(sameGrid(again, result.volume, 1e-9));
    assert.deepEqual(again.identity.sopInstanceUids, result.volume.identity.sopInstanceUids);
  });
});

describe('TotalSegmentator example (JPEG 2000 Lossless, empty UIDs, thickness 3 mm at 2 mm pitch)', () => {
  it('decodes through GDCM and matches pydicom (Pillow/OpenJPEG) exactly, with the defects reported', async () => {
    const result = volumeOf(await loadDicomDirectory(J2K_DIR));
    const ref = await referenceDicom((await readdir(J2K_DIR)).map((f) => join(J2K_DIR, f)));
    assertMatchesReference(result.volume, ref);
    assert.ok(Math.abs(result.volume.spacing[2] - 2) < 1e-9, 'spacing from positions, not SliceThickness');
    const codes = result.warnings.map((w) => w.code);
    assert.ok(codes.includes('empty-uid'));
    assert.ok(codes.includes('thickness-differs-from-spacing'));
    assert.equal(result.volume.identity.seriesInstanceUid, undefined, 'an empty Series Instance UID is not invented');
    assert.deepEqual(result.volume.identity.sopInstanceUids, ref.sopInstanceUids, 'SOP UIDs from the file meta');
    assert.ok(result.series.uidMissing);
  });

  it('refuses compressed files with a typed error when no decoder is available', async () => {
    const inputs = await listDicomInputs(J2K_DIR);
    await assert.rejects(loadDicomSeries(inputs), (e: unknown) => e instanceof DicomLoadError && e.code === 'unsupported-transfer-syntax' && /JPEG 2000/.test(e.message) && !!e.file);
  });
});

describe('headers only (what the CLI reads to place structures and doses on a CT)', () => {
  it('gives the same grid, identity, interpolated planes and warnings as a full load, and needs no decoder', async () => {
    const slices = await nsclcSlices(9);
    const kept = slices.filter((_, i) => i !== 4).map((s) => ({ name: s.name, data: s.bytes }));
    const full = volumeOf(await loadDicomSeries(kept));
    const headers = await loadDicomSeriesHeaders(kept);
    assert.equal(headers.kind, 'grid');
    const { grid } = headers as DicomGridResult;
    assert.ok(!('data' in grid), 'no voxels');
    assert.deepEqual(grid.geometry, full.volume.geometry);
    assert.deepEqual(grid.identity, full.volume.identity);
    assert.equal(grid.identity.sopInstanceUids![4], '', 'no UID for the interpolated plane');
    assert.deepEqual(headers.warnings, full.warnings);
    assert.deepEqual((headers as DicomGridResult).interpolatedSlices, [4]);
    // Compressed images: the headers are enough, so no decoder is asked for.
    const j2k = await loadDicomSeriesHeaders(await listDicomInputs(J2K_DIR));
    assert.equal(j2k.kind, 'grid');
    const decoded = volumeOf(await loadDicomDirectory(J2K_DIR));
    assert.deepEqual((j2k as DicomGridResult).grid.geometry, decoded.volume.geometry);
    assert.deepEqual((j2k as DicomGridResult).grid.identity, decoded.volume.identity);
  });
});

describe('the phantom written by the DICOM CT writer', () => {
  for (const [label, direction] of [['axial', undefined], ['oblique 20°', obliqueDirection(20)]] as const) {
    it(`${label}: loads back onto the phantom's grid with its HU, and matches pydicom`, async () => {
      const phantom = generatePhantom({ dimensions: [128, 128, 40], spacing: [4, 4, 7], ...(direction ? { direction } : {}), seed: 3 });
      const dir = join(tmp, `phantom-${label.replace(/\W/g, '')}`);
      await writeCtSeriesToDirectory(phantom.volume, dir, { seriesDescription: 'phantom' });
      const v = volumeOf(await loadDicomDirectory(dir)).volume;
      assert.ok(sameGrid(v, phantom.volume, 1e-3), 'same grid within 1 µm at the corners');
      assert.deepEqual(v.data, phantom.volume.data);
      assert.deepEqual(v.identity.sopInstanceUids, phantom.volume.identity.sopInstanceUids);
      assertMatchesReference(v, await referenceDicom((await readdir(dir)).map((f) => join(dir, f))));
    });
  }
});

describe('layouts and defects on real slices', () => {
  it('reads an Enhanced CT multi-frame object (frames stored out of order) like the single-frame slices', async () => {
    const slices = await nsclcSlices(12);
    const single = volumeOf(await loadDicomSeries(slices.map((s) => ({ name: s.name, data: s.bytes })))).volume;
    const shuffled = [5, 0, 11, 3, 8, 1, 10, 2, 7, 4, 9, 6].map((i) => slices[i].bytes);
    const multi = enhancedCtFromSlices(shuffled, '2.25.424242');
    const r = volumeOf(await loadDicomSeries([{ name: 'enhanced.dcm', data: multi }]));
    assert.ok(sameGrid(r.volume, single, 1e-6));
    assert.deepEqual(r.volume.data, single.data);
    assert.equal(r.series.imageCount, 1);
    assert.equal(r.series.sliceCount, 12);
    assert.ok(r.volume.identity.sopInstanceUids!.every((u) => u === '2.25.424242'));
  });

  it('a gantry-tilted series keeps every voxel at its true position on a sheared grid (checked with pydicom)', async () => {
    const slices = await nsclcSlices(10);
    const dir = join(tmp, 'tilt');
    await mkdir(dir);
    const tan = Math.tan((12 * Math.PI) / 180);
    await Promise.all(slices.map((s, i) => writeFile(join(dir, s.name), rewrite(s.bytes, (ds) => {
      const p = ds['00200032'].Value as number[];
      setEl(ds, '00200032', 'DS', [p[0], p[1] - i * 3 * tan, p[2]]);
    }))));
    const r = volumeOf(await loadDicomDirectory(dir));
    assert.ok(r.warnings.some((w) => w.code === 'gantry-tilt'));
    assert.ok(Math.abs(r.tiltDegrees - 12) < 1e-3, `tilt ${r.tiltDegrees}`);
    assertMatchesReference(r.volume, await referenceDicom((await readdir(dir)).map((f) => join(dir, f))));
  });

  it('fills one missing slice by interpolation, flags it, and keeps acquired slices untouched', async () => {
    const slices = await nsclcSlices(9);
    const kept = slices.filter((_, i) => i !== 4);
    const full = volumeOf(await loadDicomSeries(slices.map((s) => ({ name: s.name, data: s.bytes })))).volume;
    const r = volumeOf(await loadDicomSeries(kept.map((s) => ({ name: s.name, data: s.bytes }))));
    assert.deepEqual(r.interpolatedSlices, [4]);
    assert.ok(sameGrid(r.volume, full, 1e-6));
    const plane = 512 * 512;
    for (const k of [0, 3, 5, 8]) assert.deepEqual(r.volume.data.subarray(k * plane, (k + 1) * plane), full.data.subarray(k * plane, (k + 1) * plane));
    assert.equal(r.volume.identity.sopInstanceUids![4], '', 'no UID for a plane that has no image');
    const w = r.warnings.find((x) => x.code === 'missing-slices')!;
    assert.match(w.message, new RegExp(`${slices[3].name}.*${slices[5].name}`));
    // The interpolated plane is the mean of its neighbours (rounded to whole HU).
    const a = full.data.subarray(3 * plane, 4 * plane);
    const b = full.data.subarray(5 * plane, 6 * plane);
    for (const x of [0, 1000, 130_000, 200_000]) assert.equal(r.volume.data[4 * plane + x], Math.round((a[x] + b[x]) / 2));
    await assert.rejects(loadDicomSeries(kept.map((s) => ({ name: s.name, data: s.bytes })), { irregularSpacing: 'reject' }), (e: unknown) => e instanceof DicomLoadError && e.code === 'missing-slices');
  });

  it('asks the caller to choose when several image series are present, and loads the one chosen', async () => {
    const slices = await nsclcSlices(6);
    const second = slices.map((s, i) => ({ name: `mr-${i}`, data: rewrite(s.bytes, (ds, meta) => {
      setEl(ds, '0020000E', 'UI', ['2.25.777']);
      setEl(ds, '0008103E', 'LO', ['second']);
      setEl(ds, '00080060', 'CS', ['MR']);
      setEl(ds, '00080018', 'UI', [`2.25.777${i}`]);
      setEl(meta, '00020003', 'UI', [`2.25.777${i}`]);
    }) }));
    const third = slices.map((s, i) => ({ name: `ct2-${i}`, data: rewrite(s.bytes, (ds, meta) => {
      setEl(ds, '0020000E', 'UI', ['2.25.888']);
      setEl(ds, '00080018', 'UI', [`2.25.888${i}`]);
      setEl(meta, '00020003', 'UI', [`2.25.888${i}`]);
    }) }));
    const inputs = [...slices.map((s) => ({ name: s.name, data: s.bytes })), ...second, ...third];
    const choice = await loadDicomSeries(inputs);
    assert.equal(choice.kind, 'choose-series');
    assert.equal(choice.allSeries.length, 3);
    assert.deepEqual(choice.allSeries.map((s) => s.sliceCount), [6, 6, 6]);
    assert.ok(choice.allSeries.some((s) => s.modality === 'MR' && s.seriesDescription === 'second'));
    const picked = volumeOf(await loadDicomSeries(inputs, { seriesInstanceUid: '2.25.777' }));
    assert.equal(picked.volume.modality, 'MR');
    assert.ok(picked.warnings.some((w) => w.code === 'not-ct'));
    await assert.rejects(loadDicomSeries(inputs, { seriesInstanceUid: '2.25.999' }), (e: unknown) => e instanceof DicomLoadError && e.code === 'series-not-found');
    // With one CT and one MR series, the CT is taken and the MR mentioned.
    const ctAndMr = volumeOf(await loadDicomSeries([...slices.map((s) => ({ name: s.name, data: s.bytes })), ...second]));
    assert.equal(ctAndMr.volume.modality, 'CT');
    assert.ok(ctAndMr.warnings.some((w) => w.code === 'other-series-ignored'));
    const scan = await scanDicom(inputs);
    assert.equal(scan.series.length, 3);
  });

  it('reports progress in files parsed and stops when cancelled', async () => {
    const slices = await nsclcSlices(20);
    const inputs = slices.map((s) => ({ name: s.name, data: s.bytes }));
    const reports: Progress[] = [];
    volumeOf(await loadDicomSeries(inputs, { progress: (p) => reports.push(p) }));
    const read = reports.filter((p) => p.stage === 'read');
    assert.equal(read[0].done, 0);
    assert.equal(read[read.length - 1].done, 20);
    assert.ok(read.every((p) => p.total === 20 && p.unit === 'files'));
    assert.ok(reports.some((p) => p.stage === 'assemble' && p.done === p.total));
    assert.equal(reports[reports.length - 1].overall, 1);

    const controller = new AbortController();
    let seen = 0;
    const pending = loadDicomSeries(inputs, {
      signal: controller.signal,
      progress: (p) => {
        if (p.stage === 'read' && p.done >= 3 && seen++ === 0) controller.abort();
      },
    });
    await assert.rejects(pending, (e: unknown) => isAbortError(e));
  });

  it('reads pydicom\'s RTSTRUCT written without preamble or file meta as an RT object', async () => {
    const bytes = new Uint8Array(await readFile(join(NSCLC_DIR, '../../pydicom-rt/rtstruct.dcm')));
    const scan = await scanDicom([{ name: 'rtstruct.dcm', data: bytes }]);
    assert.equal(scan.rtObjects.length, 1);
    assert.equal(scan.rtObjects[0].kind, 'RTSTRUCT');
    assert.equal(scan.rtObjects[0].label, 'sep30');
  });
});

describe('the other real folders', () => {
  const DATA = join(NSCLC_DIR, '../..');
  it('rt-utils oblique images (3 slices, no SliceLocation) match pydicom', async () => {
    const dir = join(DATA, 'rt-utils-mock/oriented_data');
    const r = volumeOf(await loadDicomDirectory(dir));
    assert.ok(r.warnings.some((w) => w.code === 'not-dicom'), 'info.txt is reported, not fatal');
    assertMatchesReference(r.volume, await referenceDicom(['0.dcm', '1.dcm', '2.dcm'].map((f) => join(dir, f))));
    assert.ok(Math.abs(r.volume.direction[1]) > 0.2, 'oblique');
  });

  it('rt-utils mock: 2 CT slices with three RTSTRUCTs beside them', async () => {
    const dir = join(DATA, 'rt-utils-mock/mock_data');
    const r = volumeOf(await loadDicomDirectory(dir));
    assert.equal(r.volume.dimensions[2], 2);
    assert.equal(r.rtObjects.filter((o) => o.kind === 'RTSTRUCT').length, 3);
    assertMatchesReference(r.volume, await referenceDicom(['ct_1.dcm', 'ct_2.dcm'].map((f) => join(dir, f))));
  });

  it('dicompyler: the one CT slice of a 98-slice study, with its RTSTRUCT and RTPLAN', async () => {
    const dir = join(DATA, 'dicompyler-core-example');
    const r = volumeOf(await loadDicomDirectory(dir));
    assert.deepEqual([...r.volume.dimensions], [512, 512, 1]);
    assert.deepEqual(r.rtObjects.map((o) => o.kind).sort(), ['RTPLAN', 'RTSTRUCT']);
    assertMatchesReference(r.volume, await referenceDicom([join(dir, 'ct.0.dcm')]));
  });

  it('pydicom-rt: CT_small with an RTSTRUCT lacking file meta, an RTPLAN and a multi-frame RTDOSE kept as RT objects', async () => {
    const dir = join(DATA, 'pydicom-rt');
    const r = volumeOf(await loadDicomDirectory(dir));
    assert.deepEqual([...r.volume.dimensions], [128, 128, 1]);
    assert.deepEqual(r.rtObjects.map((o) => o.kind).sort(), ['RTDOSE', 'RTPLAN', 'RTSTRUCT']);
    assertMatchesReference(r.volume, await referenceDicom([join(dir, 'CT_small.dcm')]));
  });
});
