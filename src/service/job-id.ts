/**
 * What the auto-contouring service's parts agree on: the job a series becomes, its id, and the UIDs of the
 * structure set it produces. Browser-safe (Web Crypto only), so the app and the Node service derive the same ids.
 *
 * Idempotency rests on two things derived from (series, model, model version) alone: the queue job id, so
 * submitting twice — or a watcher restarting — finds the existing job instead of adding one; and the RTSTRUCT's
 * Series and SOP Instance UIDs, so even a job that runs twice (a worker killed after storing but before it could
 * report, or a completed job removed from Redis and submitted again) stores the same instance into the same series,
 * which a PACS keeps once, and the worker finds it and skips the work.
 */

/** The default queue name. */
export const DEFAULT_QUEUE = 'delineo-autocontour';

/** One series to auto-contour: what `submit` queues and a worker takes. */
export interface SegmentJobData {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly modelId: string;
  readonly modelVersion: string;
}

/** How a job ended when it did not fail. */
export type SegmentJobResult =
  | {
      readonly status: 'stored' | 'already-stored';
      /** The RTSTRUCT's Series Instance UID (and its one instance's SOP Instance UID). */
      readonly rtstructSeriesUid: string;
      readonly rtstructSopUid: string;
      /** Structure names written (empty for 'already-stored'). */
      readonly structures: readonly string[];
      readonly warnings: readonly string[];
    }
  | { readonly status: 'skipped'; readonly reason: string };

/** The progress a job reports through the queue, the Job contract's {@link Progress} shape. */
export interface SegmentJobProgress {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly unit?: string;
  readonly overall?: number;
}

/**
 * The queue job id of a series and model version. Readable on purpose (an operator searching Redis or the logs
 * for a series finds it); BullMQ reserves ':' in ids, so the parts are joined with '~', which no UID or model id
 * contains.
 */
export function segmentJobId(data: Pick<SegmentJobData, 'seriesInstanceUid' | 'modelId' | 'modelVersion'>): string {
  for (const [what, v] of Object.entries(data)) {
    if (!v || /[~:\s]/.test(v)) throw new RangeError(`segmentJobId: ${what} "${v}" is empty or holds '~', ':' or a space`);
  }
  return `${data.seriesInstanceUid}~${data.modelId}~${data.modelVersion}`;
}

async function uidFromText(text: string): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  // A name-based UUID (RFC 9562 version 8 layout from the first 16 bytes), written as a 2.25 UID (PS3.5 B.2).
  const b = digest.slice(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

/** The RTSTRUCT Series and SOP Instance UIDs of a job: the same for every run of the same job. */
export async function rtstructUids(jobId: string): Promise<{ seriesInstanceUid: string; sopInstanceUid: string }> {
  return { seriesInstanceUid: await uidFromText(`delineo-service/series/${jobId}`), sopInstanceUid: await uidFromText(`delineo-service/instance/${jobId}`) };
}

/** The Series Description of the structure set a model version writes (LO: 64 characters at most). */
export function rtstructSeriesDescription(modelId: string, modelVersion: string): string {
  return `Delineo ${modelId} ${modelVersion}`.slice(0, 64);
}
