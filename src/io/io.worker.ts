/**
 * The imaging I/O worker: DICOM parsing and assembly, GDCM decoding and NIfTI/NRRD/MetaImage reading off
 * the main thread, served with the worker RPC (src/jobs/worker-rpc.ts). Results are plain data; the
 * voxel buffer is transferred, not copied. itk-wasm runs its pipelines in this thread (no nested worker).
 * Started by io-worker-client.ts; not imported by anything else.
 */
import type { VolumeInit } from '../domain/volume.ts';
import type { JobOptions } from '../jobs/job.ts';
import { exposeJobs, withTransfer } from '../jobs/worker-rpc.ts';
import { loadDicomSeriesData, scanDicom, type DicomLoadData, type DicomLoadOptions, type DicomScanResult } from './dicom/series-loader.ts';
import type { FileInput } from './input.ts';
import { createGdcmDecoder } from './itk/dicom-decoder.ts';
import { configureImageIo, readImageVolumeData } from './itk/image-io.ts';

/** Input of the worker's DICOM job. */
export interface WorkerDicomInput {
  readonly files: readonly FileInput[];
  readonly options?: Omit<DicomLoadOptions, 'decoder'>;
  /** Where image-io's pipelines are served (absolute URL; workers have no page origin to resolve against). */
  readonly pipelinesBaseUrl?: string;
}

/** Input of the worker's volume-file job. */
export interface WorkerVolumeFileInput {
  readonly file: FileInput;
  readonly modality?: string;
  readonly pipelinesBaseUrl?: string;
}

const decoder = createGdcmDecoder({ webWorker: false });

function configure(url: string | undefined): void {
  if (url) configureImageIo({ pipelinesBaseUrl: url });
}

const jobs = {
  async loadDicom(input: WorkerDicomInput, { signal, progress }: JobOptions): Promise<DicomLoadData> {
    configure(input.pipelinesBaseUrl);
    const data = await loadDicomSeriesData(input.files, { ...input.options, decoder, ...(signal ? { signal } : {}), ...(progress ? { progress } : {}) });
    return data.kind === 'volume' ? withTransfer(data, [data.volume.data.buffer as ArrayBuffer]) : data;
  },
  async scanDicom(input: WorkerDicomInput, options: JobOptions): Promise<DicomScanResult> {
    return scanDicom(input.files, options);
  },
  async readVolumeFile(input: WorkerVolumeFileInput, { signal }: JobOptions): Promise<VolumeInit> {
    configure(input.pipelinesBaseUrl);
    const data = await readImageVolumeData(input.file, { webWorker: false, ...(input.modality ? { modality: input.modality } : {}), ...(signal ? { signal } : {}) });
    return withTransfer(data, [data.data.buffer as ArrayBuffer]);
  },
};

/** The jobs this worker serves, for the typed client. */
export type IoWorkerApi = typeof jobs;

exposeJobs(jobs);
