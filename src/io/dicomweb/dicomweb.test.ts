// DICOMweb against a real Orthanc (Debian orthanc + orthanc-dicomweb, started on a loopback port for this file):
// STOW-RS the real NSCLC CT with its RTSTRUCT and the phantom written by our CT writer, find them with
// QIDO-RS, retrieve them with WADO-RS and load them, comparing with loading the same files locally.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sameGrid } from '../../domain/geometry.ts';
import { isAbortError, type Progress } from '../../jobs/job.ts';
import { generatePhantom } from '../../phantom/phantom.ts';
import { NSCLC_DIR } from '../../../test/fixtures/io/bad-dicom-corpus.ts';
import { startOrthanc, type OrthancServer } from '../../../test/fixtures/io/orthanc.ts';
import { writeCtSeries } from '../dicom/ct-writer.ts';
import { loadDicomSeries, type DicomLoadResult, type DicomVolumeResult } from '../dicom/series-loader.ts';
import { DicomWebError } from '../errors.ts';
import { loadDicomDirectory } from '../load-node.ts';
import { DicomWebClient, type QidoQuery } from './client.ts';
import { loadDicomWebSeries } from './load.ts';
import { buildMultipart, parseMultipart } from './multipart.ts';

const volumeOf = (r: DicomLoadResult): DicomVolumeResult => {
  assert.equal(r.kind, 'volume');
  return r as DicomVolumeResult;
};

let orthanc: OrthancServer;
let client: DicomWebClient;
let headerCalls = 0;

before(async () => {
  orthanc = await startOrthanc();
  client = new DicomWebClient({
    baseUrl: orthanc.dicomWebUrl,
    // An async hook, as a portal refreshing a token would write it.
    headers: async () => {
      headerCalls++;
      return { Authorization: orthanc.authorization };
    },
  });
});
after(async () => {
  await orthanc?.stop();
});

describe('multipart/related', () => {
  it('round-trips binary parts, including bytes that look like delimiters', () => {
    const a = new Uint8Array([0, 13, 10, 45, 45, 1, 2, 255]);
    const b = new TextEncoder().encode('--not-the-boundary\r\n\r\n');
    const parts = parseMultipart(buildMultipart([a, b], 'xyz123'), 'xyz123');
    assert.deepEqual(parts.map((p) => [...p.body]), [[...a], [...b]]);
    assert.equal(parts[0].headers['content-type'], 'application/dicom');
    assert.throws(() => parseMultipart(buildMultipart([a], 'q').subarray(0, 40), 'q'), /truncated/);
  });
});

describe('DICOMweb with Orthanc', () => {
  it('refuses requests without credentials with a typed 401 naming the URL', async () => {
    const anonymous = new DicomWebClient({ baseUrl: orthanc.dicomWebUrl });
    await assert.rejects(anonymous.searchStudies(), (e: unknown) => e instanceof DicomWebError && e.code === 'unauthorized' && e.status === 401 && (e.file ?? '').startsWith(orthanc.dicomWebUrl));
    const nowhere = new DicomWebClient({ baseUrl: 'http://127.0.0.1:9/dicom-web' });
    await assert.rejects(nowhere.searchStudies(), (e: unknown) => e instanceof DicomWebError && e.code === 'network');
  });

  it('NSCLC: STOW-RS the CT and its RTSTRUCT, QIDO-RS finds them, WADO-RS + load equals the local load', async () => {
    const names = (await readdir(NSCLC_DIR)).filter((f) => f !== '1.dcm' && f !== '137.dcm');
    const bytes = await Promise.all(names.map(async (f) => new Uint8Array(await readFile(join(NSCLC_DIR, f)))));
    const progress: Progress[] = [];
    let stored = 0;
    for (let i = 0; i < bytes.length; i += 40) stored += (await client.store(bytes.slice(i, i + 40), { progress: (p) => progress.push(p) })).stored.length;
    assert.equal(stored, 135);
    assert.ok(headerCalls > 0, 'the auth hook was called');

    const studies = await client.searchStudies({ PatientID: 'LUNG1-001', includefield: 'all' });
    assert.equal(studies.length, 1);
    const study = studies[0];
    const series = await client.searchSeries(study.studyInstanceUid);
    const ct = series.find((s) => s.modality === 'CT')!;
    assert.ok(series.some((s) => s.modality === 'RTSTRUCT'), 'the RTSTRUCT is in the study');
    assert.equal((await client.searchInstances(study.studyInstanceUid, ct.seriesInstanceUid)).length, 134);

    const reports: Progress[] = [];
    const remote = volumeOf(await loadDicomWebSeries(client, { studyInstanceUid: study.studyInstanceUid, seriesInstanceUid: ct.seriesInstanceUid }, { progress: (p) => reports.push(p) }));
    const local = volumeOf(await loadDicomDirectory(NSCLC_DIR));
    assert.ok(sameGrid(remote.volume, local.volume, 1e-9));
    assert.deepEqual(remote.volume.data, local.volume.data);
    assert.deepEqual(remote.volume.identity, local.volume.identity);
    const download = reports.filter((p) => p.stage === 'download');
    assert.equal(download[download.length - 1].done, 134);
    assert.equal(download[download.length - 1].unit, 'instances');
    assert.equal(reports[reports.length - 1].overall, 1);
  });

  it('the phantom: written by our CT writer, stored, retrieved and loaded onto the same grid with the same HU', async () => {
    const phantom = generatePhantom({ dimensions: [128, 128, 30], spacing: [4, 4, 9], seed: 5 });
    const { files, identity } = writeCtSeries(phantom.volume, { patientId: 'PHANTOM-1', patientName: 'Phantom^Delineo', seriesDescription: 'phantom' });
    const result = await client.store(files, { studyInstanceUid: identity.studyInstanceUid });
    assert.equal(result.stored.length, 30);
    const r = volumeOf(await loadDicomWebSeries(client, { studyInstanceUid: identity.studyInstanceUid, seriesInstanceUid: identity.seriesInstanceUid }));
    assert.ok(sameGrid(r.volume, phantom.volume, 1e-3));
    assert.deepEqual(r.volume.data, phantom.volume.data);
    assert.equal(r.volume.identity.patientId, 'PHANTOM-1');
    // DICOM matching characters reach the server raw: Orthanc's plugin does not percent-decode query values.
    for (const query of [{ PatientName: 'phantom^deli*' }, { PatientName: 'Phantom^Delineo' }, { PatientID: 'PHANTOM-?' }] as QidoQuery[])
      assert.ok((await client.searchStudies(query)).some((s) => s.studyInstanceUid === identity.studyInstanceUid), JSON.stringify(query));
    // The same files loaded locally give the same volume.
    const local = volumeOf(await loadDicomSeries(files.map((f, i) => ({ name: `ct${i}.dcm`, data: f }))));
    assert.deepEqual(local.volume.data, r.volume.data);
  });

  it('retrieves one instance and an RTSTRUCT byte for byte', async () => {
    const rt = new Uint8Array(await readFile(join(NSCLC_DIR, '2.dcm')));
    const studies = await client.searchStudies({ PatientID: 'LUNG1-001' });
    const rtSeries = (await client.searchSeries(studies[0].studyInstanceUid, { Modality: 'RTSTRUCT' }))[0];
    const [inst] = await client.searchInstances(studies[0].studyInstanceUid, rtSeries.seriesInstanceUid);
    const back = await client.retrieveInstance(studies[0].studyInstanceUid, rtSeries.seriesInstanceUid, inst.sopInstanceUid);
    assert.deepEqual(new Uint8Array(back.data as Uint8Array), rt);
  });

  it('reports unknown UIDs as not-found and cancels a retrieval with an AbortError', async () => {
    await assert.rejects(client.retrieveSeries('1.2.3', '4.5.6'), (e: unknown) => e instanceof DicomWebError && e.code === 'not-found');
    const studies = await client.searchStudies({ PatientID: 'LUNG1-001' });
    const ct = (await client.searchSeries(studies[0].studyInstanceUid, { Modality: 'CT' }))[0];
    const controller = new AbortController();
    const pending = client.retrieveSeries(studies[0].studyInstanceUid, ct.seriesInstanceUid, {
      signal: controller.signal,
      progress: (p) => {
        if (p.done > 0) controller.abort();
      },
    });
    await assert.rejects(pending, (e: unknown) => isAbortError(e));
  });

  it('STOW-RS of something that is not DICOM fails with a typed error', async () => {
    await assert.rejects(client.store([new TextEncoder().encode('not dicom at all')]), (e: unknown) => e instanceof DicomWebError && (e.code === 'store-failed' || e.code === 'http-error'));
  });
});
