/**
 * Sends structures to a PACS or portal as an RT Structure Set over DICOMweb STOW-RS: the app's "send to the
 * planning system" in one call. Browser-safe (fetch through the DICOMweb client).
 */
import type { Structure } from '../../domain/structure.ts';
import type { Volume } from '../../domain/volume.ts';
import type { JobOptions } from '../../jobs/job.ts';
import type { DicomWebClient, StoreResult } from './client.ts';
import { DicomWebError } from '../errors.ts';
import { type RtstructWriteOptions, type RtstructWriteResult, writeRtstruct } from '../dicom/rtstruct-writer.ts';

/** What {@link storeRtstruct} wrote and what the server answered. */
export interface RtstructStoreResult {
  readonly written: RtstructWriteResult;
  readonly stored: StoreResult;
}

/**
 * Writes `structures` on `volume` as an RT Structure Set (see writeRtstruct) and stores it with STOW-RS into the
 * CT's study. Resolves once the server confirms it stored this instance; a refusal, or an answer that does not
 * list our SOP Instance UID, is a DicomWebError ('store-failed'), because a structure set that silently did not
 * arrive is worse than an error. The write's warnings (empty structures, …) are in `written.warnings`.
 */
export async function storeRtstruct(
  client: DicomWebClient,
  volume: Volume,
  structures: readonly Structure[],
  options: RtstructWriteOptions & JobOptions = {},
): Promise<RtstructStoreResult> {
  const written = writeRtstruct(volume, structures, options);
  const stored = await client.store([written.buffer], {
    ...(volume.identity.studyInstanceUid ? { studyInstanceUid: volume.identity.studyInstanceUid } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  if (!stored.stored.includes(written.sopInstanceUid)) {
    throw new DicomWebError(
      'store-failed',
      `the server did not confirm storing the structure set ${written.sopInstanceUid} (it listed ${stored.stored.length ? stored.stored.join(', ') : 'nothing'})`,
    );
  }
  return { written, stored };
}
