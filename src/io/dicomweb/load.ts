/**
 * Loading a CT series from a DICOMweb server: QIDO-RS lists the series' instances (so the download can
 * report progress in instances and the result can be checked for completeness), WADO-RS retrieves them,
 * and the ordinary series loader builds the volume, exactly as for local files.
 */
import { stagedProgress, throttleProgress, type JobOptions } from '../../jobs/job.ts';
import { loadDicomSeries, type DicomLoadOptions, type DicomLoadResult } from '../dicom/series-loader.ts';
import type { BufferInput } from '../input.ts';
import type { LoadWarning } from '../errors.ts';
import type { DicomWebClient } from './client.ts';

/** Which series to fetch. */
export interface DicomWebSeriesRef {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
}

/** A loader for retrieved files: the series loader on this thread (default) or the io worker's. */
export type RetrievedLoader = (files: readonly BufferInput[], options: DicomLoadOptions & JobOptions) => Promise<DicomLoadResult>;

/**
 * Retrieves one series over DICOMweb and loads it (see loadDicomSeries for the result). Instances that
 * QIDO-RS listed but WADO-RS did not deliver become a warning. Pass `decoder` (Node, main thread) or
 * `loader` (e.g. the io worker's loadDicom) to decode compressed series.
 */
export async function loadDicomWebSeries(client: DicomWebClient, ref: DicomWebSeriesRef, options: DicomLoadOptions & JobOptions & { loader?: RetrievedLoader } = {}): Promise<DicomLoadResult> {
  const staged = stagedProgress(throttleProgress(options.progress), [
    { stage: 'download', weight: 3 },
    { stage: 'load', weight: 2 },
  ]);
  const signal = options.signal;
  const listed = await client.searchInstances(ref.studyInstanceUid, ref.seriesInstanceUid, undefined, signal ? { signal } : {});
  const files = await client.retrieveSeries(ref.studyInstanceUid, ref.seriesInstanceUid, { ...(signal ? { signal } : {}), progress: staged('download'), expectedInstances: listed.length || undefined });
  const { loader, progress: _p, ...rest } = options;
  const loadOptions = { ...rest, seriesInstanceUid: ref.seriesInstanceUid, progress: staged('load') };
  const result = await (loader ?? loadDicomSeries)(files, loadOptions);
  if (listed.length > files.length) {
    const warning: LoadWarning = { code: 'missing-slices', message: `the server listed ${listed.length} instances in the series but delivered ${files.length}` };
    return { ...result, warnings: [...result.warnings, warning] } as DicomLoadResult;
  }
  return result;
}
