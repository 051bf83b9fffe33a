/**
 * Node side of the browser DICOMweb tests: starts a real Orthanc (test/fixtures/io/orthanc.ts: loopback port,
 * basic auth, DICOMweb plugin), stores a small phantom CT series in it with STOW-RS, prints one JSON line that
 * describes the server and the seeded series (see {@link SeededOrthanc}), and keeps Orthanc running until its
 * stdin closes (the parent went away) or it receives SIGTERM/SIGINT, then stops Orthanc and removes its storage.
 * Run by the `delineo-orthanc-start` server command (scripts/wtr-orthanc.js):
 *
 *   node --import tsx test/helpers/orthanc-seeded-node.ts
 */
import { DicomWebClient } from '../../src/io/dicomweb/client.ts';
import { writeCtSeries } from '../../src/io/dicom/ct-writer.ts';
import { generatePhantom, type PhantomOptions } from '../../src/phantom/phantom.ts';
import type { Vec3 } from '../../src/domain/geometry.ts';
import { startOrthanc } from '../fixtures/io/orthanc.ts';

/** The seeded phantom: small enough to generate, store and retrieve in a few seconds, big enough to be a CT. */
export const SEEDED_PHANTOM = { dimensions: [128, 128, 48] as Vec3, spacing: [3.90625, 3.90625, 6] as Vec3, seed: 3, noiseHu: 10 } satisfies PhantomOptions;

/** What the helper prints (one JSON line) once Orthanc is up and seeded. */
export interface SeededOrthanc {
  /** Orthanc's DICOMweb root on loopback: for the proxy only, the browser never sees it. */
  readonly dicomWebUrl: string;
  readonly username: string;
  /** `Authorization` header value of the registered user. */
  readonly authorization: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly patientName: string;
  readonly patientId: string;
  readonly studyDescription: string;
  readonly seriesDescription: string;
  readonly instances: number;
  /** The generatePhantom options of the seeded series, so a test can rebuild its structures. */
  readonly phantom: typeof SEEDED_PHANTOM;
  /** Milliseconds: Orthanc start-up until its REST API answered; phantom generation + writing + STOW-RS. */
  readonly timings: { readonly startMs: number; readonly seedMs: number };
}

const t0 = performance.now();
const orthanc = await startOrthanc();
let stopping: Promise<void> | null = null;
const shutdown = () => {
  stopping ??= orthanc.stop().finally(() => process.exit(0));
  return stopping;
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();

try {
  const t1 = performance.now();
  const phantom = generatePhantom(SEEDED_PHANTOM);
  const patientName = 'Phantom^Delineo';
  const patientId = 'DELINEO-PHANTOM-1';
  const studyDescription = 'Delineo browser test phantom';
  const seriesDescription = 'Phantom thorax CT';
  const { files, identity } = writeCtSeries(phantom.volume, { patientName, patientId, studyDescription, seriesDescription, bodyPartExamined: 'CHEST' });
  const client = new DicomWebClient({ baseUrl: orthanc.dicomWebUrl, headers: () => ({ Authorization: orthanc.authorization }) });
  const stored = await client.store(files, { studyInstanceUid: identity.studyInstanceUid });
  if (stored.stored.length !== files.length) throw new Error(`Orthanc stored ${stored.stored.length} of ${files.length} phantom slices`);
  const t2 = performance.now();
  const seeded: SeededOrthanc = {
    dicomWebUrl: orthanc.dicomWebUrl,
    username: orthanc.username,
    authorization: orthanc.authorization,
    studyInstanceUid: identity.studyInstanceUid,
    seriesInstanceUid: identity.seriesInstanceUid,
    patientName,
    patientId,
    studyDescription,
    seriesDescription,
    instances: files.length,
    phantom: SEEDED_PHANTOM,
    timings: { startMs: Math.round(t1 - t0), seedMs: Math.round(t2 - t1) },
  };
  console.log(JSON.stringify(seeded));
} catch (e) {
  console.error(e);
  await orthanc.stop();
  process.exit(1);
}
