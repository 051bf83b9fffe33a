// STOW-RS of an RT Structure Set into a real Orthanc (Debian orthanc + orthanc-dicomweb on a loopback port), then
// QIDO-RS and WADO-RS back: what a portal would hold is what we imported from.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from '../../domain/volume.ts';
import { generatePhantom } from '../../phantom/phantom.ts';
import { startOrthanc, type OrthancServer } from '../../../test/fixtures/io/orthanc.ts';
import { DicomWebClient } from './client.ts';
import { DicomWebError } from '../errors.ts';
import { writeCtSeriesToDirectory } from '../dicom/ct-writer-node.ts';
import { importRtstruct } from '../dicom/rtstruct-reader.ts';
import { storeRtstruct } from './stow-rtstruct.ts';

const scratch = mkdtempSync(join(tmpdir(), 'delineo-stow-rtstruct-'));
let orthanc: OrthancServer;
before(async () => {
  orthanc = await startOrthanc();
});
after(async () => {
  await orthanc?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('storeRtstruct (STOW-RS)', () => {
  it('stores the structure set into the CT study, where QIDO finds it and WADO returns the same structures', async () => {
    const ph = generatePhantom({ dimensions: [96, 96, 20], spacing: [5.2, 5.2, 14], noiseHu: 0 });
    const ctDir = join(scratch, 'ct');
    const { identity } = await writeCtSeriesToDirectory(ph.volume, ctDir, { bodyPartExamined: 'CHEST' });
    const volume = new Volume({ ...ph.volume.geometry, data: ph.volume.data, identity });
    const client = new DicomWebClient({
      baseUrl: orthanc.dicomWebUrl,
      headers: () => ({ Authorization: orthanc.authorization }),
    });
    await client.store(readdirSync(ctDir).map((f) => new Uint8Array(readFileSync(join(ctDir, f)))));
    const stages: string[] = [];
    const { written, stored } = await storeRtstruct(client, volume, ph.structures, {
      label: 'Phantom',
      progress: (p) => stages.push(p.stage),
    });
    assert.deepEqual(stored.stored, [written.sopInstanceUid]);
    assert.ok(stages.includes('upload'));
    const series = await client.searchSeries(identity.studyInstanceUid);
    const rt = series.find((s) => s.modality === 'RTSTRUCT');
    assert.ok(rt, `the study lists an RTSTRUCT series (${series.map((s) => s.modality).join(', ')})`);
    assert.equal(rt.seriesInstanceUid, written.seriesInstanceUid);
    const [file] = await client.retrieveSeries(identity.studyInstanceUid, written.seriesInstanceUid);
    const imp = importRtstruct(file.data, volume, { file: file.name });
    assert.deepEqual(imp.warnings, []);
    for (const s of ph.structures)
      assert.ok(imp.structures.find((x) => x.name === s.name)!.mask.equals(s.mask), s.name);
  });

  it('fails with a typed error when the server cannot be reached', async () => {
    const ph = generatePhantom({ dimensions: [64, 64, 8], spacing: [7.8, 7.8, 35], noiseHu: 0 });
    const { identity } = await writeCtSeriesToDirectory(ph.volume, join(scratch, 'ct2'));
    const volume = new Volume({ ...ph.volume.geometry, data: ph.volume.data, identity });
    const nowhere = new DicomWebClient({ baseUrl: 'http://127.0.0.1:9/dicom-web' });
    await assert.rejects(
      storeRtstruct(nowhere, volume, ph.structures),
      (e: unknown) => e instanceof DicomWebError && e.code === 'network',
    );
  });
});
