// Loading in Chromium: the JPEG 2000 series decoded by GDCM (itk-wasm) inside the io worker, NIfTI through
// itk-wasm, progress and cancel across the worker boundary, typed errors that keep their code and file, and a
// volume loaded earlier that stays intact when a later load fails. Test data is served raw from
// ../shared/data under /raw/test-data/ (scripts/dev-middleware.js).
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { Volume } from '../domain/volume.ts';
import { JobError, isAbortError, type Progress } from '../jobs/job.ts';
import type { DicomVolumeResult } from './dicom/series-loader.ts';
import { createIoWorker, type IoWorker } from './io-worker-client.ts';
import { loadDicomFiles, loadVolumeFile } from './load.ts';

const DATA = '/raw/test-data';
// The 20 JPEG 2000 files are named by their (consecutive) MediaStorageSOPInstanceUIDs.
const J2K_NAMES = Array.from({ length: 20 }, (_, i) => `CT.1.3.12.2.1107.5.1.4.60064.300000221208081134280000${16573 + i}`);

async function fetchFile(path: string, name = path.split('/').pop()!): Promise<File> {
  const r = await fetch(`${DATA}/${path}`);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return new File([await r.blob()], name);
}

const j2kFiles = () => Promise.all(J2K_NAMES.map((n) => fetchFile(`totalsegmentator-example/example_ct_dicom/${n}`)));

function checksum(v: Volume): number {
  let h = 0;
  for (let x = 0; x < v.data.length; x += 7) h = (h * 31 + v.data[x]) | 0;
  return h;
}

/** Geometry and HU range of the JPEG 2000 series as pydicom reads it (see SOURCE.md and the Node test). */
function expectJ2kSeries(v: Volume): void {
  expect([...v.dimensions]).to.deep.equal([512, 512, 20]);
  expect([...v.origin]).to.deep.equal([-249.51171875, -437.51171875, -804.5]);
  expect(v.spacing[0]).to.equal(0.9765625);
  expect(Math.abs(v.spacing[2] - 2)).to.be.below(1e-9);
  expect([...v.direction]).to.deep.equal([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  expect(v.data).to.be.instanceOf(Int16Array);
  expect(v.range()).to.deep.equal([-1024, 1839]);
}

describe('io in the browser', () => {
  let io: IoWorker;
  before(() => {
    io = createIoWorker();
  });
  after(() => io.dispose());

  it('decodes the JPEG 2000 series in the io worker with the right geometry and HU, reporting progress', async () => {
    const reports: Progress[] = [];
    const r = (await io.loadDicom(await j2kFiles(), { progress: (p) => reports.push(p) })) as DicomVolumeResult;
    expect(r.kind).to.equal('volume');
    expect(r.volume).to.be.instanceOf(Volume);
    expectJ2kSeries(r.volume);
    expect(r.warnings.map((w) => w.code)).to.include('empty-uid');
    expect(reports.some((p) => p.stage === 'read' && p.unit === 'files' && p.total === 20)).to.equal(true);
    expect(reports.some((p) => p.stage === 'decode')).to.equal(true);
  });

  it('decodes it on the main thread too (itk-wasm in its own worker)', async () => {
    const r = (await loadDicomFiles(await j2kFiles())) as DicomVolumeResult;
    expectJ2kSeries(r.volume);
  });

  it('reads NIfTI through itk-wasm, in the worker and on the main thread', async () => {
    const file = await fetchFile('openkbp/train/pt_1/ct.nii.gz', 'ct.nii.gz');
    const a = await io.loadVolumeFile(file);
    const b = await loadVolumeFile(file);
    expect([...a.volume.dimensions]).to.deep.equal([128, 128, 128]);
    expect(a.volume.data).to.be.instanceOf(Int16Array);
    expect([...a.volume.direction]).to.deep.equal([...b.volume.direction]);
    expect(checksum(a.volume)).to.equal(checksum(b.volume));
  });

  it('a failing load leaves the volume loaded before it intact, and its error keeps code and file', async () => {
    const files = await j2kFiles();
    const first = (await io.loadDicom(files)) as DicomVolumeResult;
    const before = checksum(first.volume);
    const geometry = JSON.stringify(first.volume.geometry);
    const uids = JSON.stringify(first.volume.identity);
    // Same series with a second image at one slice's position (a different SOP instance): refused.
    const dup = new File([await files[3].arrayBuffer()], 'other-phase.dcm');
    const bytes = new Uint8Array(await dup.arrayBuffer());
    // Rewrite the MediaStorageSOPInstanceUID's last digit so the copy is a different instance.
    const text = new TextDecoder('latin1').decode(bytes.subarray(0, 400));
    const at = text.indexOf('16576');
    expect(at).to.be.greaterThan(0);
    bytes[at + 4] = '9'.charCodeAt(0);
    let error: unknown;
    try {
      await io.loadDicom([...files, new File([bytes], 'other-phase.dcm')]);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(JobError);
    expect((error as JobError).code).to.equal('duplicate-slice-position');
    expect((error as JobError).file).to.equal('other-phase.dcm');
    // A truncated single file, on the main thread.
    const cut = new File([(await files[0].arrayBuffer()).slice(0, 900)], 'cut.dcm');
    let error2: unknown;
    try {
      await loadDicomFiles([cut]);
    } catch (e) {
      error2 = e;
    }
    expect((error2 as JobError).file).to.equal('cut.dcm');
    expect(checksum(first.volume)).to.equal(before);
    expect(JSON.stringify(first.volume.geometry)).to.equal(geometry);
    expect(JSON.stringify(first.volume.identity)).to.equal(uids);
  });

  it('cancels a load in the worker with an AbortError', async () => {
    const files = await j2kFiles();
    const controller = new AbortController();
    const pending = io.loadDicom(files, {
      signal: controller.signal,
      progress: (p) => {
        if (p.stage === 'read' && p.done >= 2) controller.abort();
      },
    });
    let error: unknown;
    try {
      await pending;
    } catch (e) {
      error = e;
    }
    expect(isAbortError(error)).to.equal(true);
    // The worker serves the next call.
    const r = (await io.loadDicom(files.slice(0, 4))) as DicomVolumeResult;
    expect(r.volume.dimensions[2]).to.equal(4);
  });
});
