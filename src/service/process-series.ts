/**
 * One auto-contouring job from start to end, as one Job (`(input, { signal, progress })`): find the series by
 * QIDO-RS, skip it with a reason when it is not a CT, skip the work when the job's structure set is already in the
 * study, retrieve the CT by WADO-RS, run the model with onnxruntime-node (or the rules) exactly as `delineo segment`
 * does, and store the RTSTRUCT into the same study by STOW-RS with the job's deterministic UIDs (job-id.ts).
 * Node-only. The worker runs it in a worker thread (segment-series.worker.ts) so that the queue's lock renewals
 * keep running while the model computes.
 */
import { stagedProgress, throttleProgress, JobError, type JobOptions } from '../jobs/job.ts';
import { DicomWebClient } from '../io/dicomweb/client.ts';
import { loadDicomWebSeries } from '../io/dicomweb/load.ts';
import { storeRtstruct } from '../io/dicomweb/stow-rtstruct.ts';
import type { PixelDecoder } from '../io/dicom/pixels.ts';
import { readManifest, segmentNode } from '../inference/segment-node.ts';
import { authorizationFromEnvironment, retryingFetch, type RetryPolicy } from './http.ts';
import { rtstructSeriesDescription, rtstructUids, segmentJobId, type SegmentJobData, type SegmentJobResult } from './job-id.ts';

/** Everything one run needs: the job, where the PACS is, and how to talk to it. */
export interface ProcessSeriesInput {
  readonly job: SegmentJobData;
  /** The DICOMweb root. Credentials come from the environment (see authorizationFromEnvironment). */
  readonly dicomweb: string;
  readonly http?: Omit<RetryPolicy, 'onRetry'>;
  /** ONNX Runtime intra-op threads (default 1: a worker runs one job per core). */
  readonly threads?: number;
  readonly modelsDir?: string;
}

/** A failure that retrying cannot fix: the series or the model is wrong, not the network. */
export class ServiceJobError extends JobError {
  override name = 'ServiceJobError';
}

const gdcmDecoder: PixelDecoder = async (request, options) => {
  const { createNodeGdcmDecoder } = await import('../io/itk/dicom-decoder-node.ts');
  return createNodeGdcmDecoder()(request, options);
};

/** Runs one job; see the module comment. */
export async function processSeries(input: ProcessSeriesInput, options: JobOptions = {}): Promise<SegmentJobResult> {
  const { job } = input;
  const { signal } = options;
  const where = `series ${job.seriesInstanceUid} of study ${job.studyInstanceUid}`;
  const staged = stagedProgress(throttleProgress(options.progress), [
    { stage: 'query', weight: 0.2 },
    { stage: 'retrieve', weight: 3 },
    { stage: 'segment', weight: 6 },
    { stage: 'store', weight: 0.5 },
  ]);
  const headers = authorizationFromEnvironment();
  const client = new DicomWebClient({ baseUrl: input.dicomweb, fetch: retryingFetch(input.http ?? {}), ...(headers ? { headers } : {}) });
  const jobOpts = signal ? { signal } : {};

  staged('query')({ stage: 'query', done: 0, total: 2 });
  const { manifest } = await readManifest(job.modelId, input.modelsDir);
  if (manifest.version !== job.modelVersion) {
    throw new ServiceJobError('model-version', `the job asks for ${job.modelId} ${job.modelVersion} but this worker has version ${manifest.version}; run one model version on every worker`, { file: where });
  }
  const [series] = await client.searchSeries(job.studyInstanceUid, { SeriesInstanceUID: job.seriesInstanceUid, includefield: '00201209' }, jobOpts);
  if (!series) throw new ServiceJobError('series-not-found', 'the PACS does not list this series (deleted, or the UIDs are wrong)', { file: where });
  if (series.modality !== 'CT') return { status: 'skipped', reason: `${where} is ${series.modality || 'of no modality'}, not CT: the models contour CT only` };
  const uids = await rtstructUids(segmentJobId(job));
  const existing = await client.searchSeries(job.studyInstanceUid, { SeriesInstanceUID: uids.seriesInstanceUid }, jobOpts);
  staged('query')({ stage: 'query', done: 2, total: 2 });
  if (existing.length) return { status: 'already-stored', rtstructSeriesUid: uids.seriesInstanceUid, rtstructSopUid: uids.sopInstanceUid, structures: [], warnings: [] };

  const loaded = await loadDicomWebSeries(client, job, { ...jobOpts, decoder: gdcmDecoder, progress: staged('retrieve') });
  if (loaded.kind !== 'volume') throw new ServiceJobError('not-one-series', 'the retrieved instances do not form one image series', { file: where });
  const ct = loaded.volume;
  const segmented = await segmentNode(ct, job.modelId, { ...jobOpts, threads: input.threads ?? 1, progress: staged('segment'), ...(input.modelsDir ? { modelsDir: input.modelsDir } : {}) });
  const { written } = await storeRtstruct(client, ct, segmented.structures, {
    ...jobOpts,
    progress: staged('store'),
    seriesDescription: rtstructSeriesDescription(job.modelId, job.modelVersion),
    label: 'Delineo auto',
    description: `Auto-contoured by Delineo with ${manifest.name} ${manifest.version}; to be reviewed before clinical use`,
    ...uids,
  });
  return {
    status: 'stored',
    rtstructSeriesUid: written.seriesInstanceUid,
    rtstructSopUid: written.sopInstanceUid,
    structures: segmented.structures.map((s) => s.name),
    warnings: [...loaded.warnings.map((w) => w.message), ...written.warnings.map((w) => w.message)],
  };
}
