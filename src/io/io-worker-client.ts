/**
 * Loading off the main thread: a typed client of io.worker.ts. The UI calls these like the on-thread
 * loaders (same options, same results, `Volume` objects rebuilt from the transferred voxels) and keeps
 * painting while files are parsed; progress arrives throttled, and a cancel stops the job at its next
 * file (or terminates the worker if it does not answer within two seconds, e.g. inside a wasm decode).
 * Browser-only (Web Workers).
 */
import { Volume } from '../domain/volume.ts';
import type { JobOptions } from '../jobs/job.ts';
import { createWorkerClient, type WorkerLike } from '../jobs/worker-rpc.ts';
import type { DicomLoadData, DicomLoadResult, DicomScanResult } from './dicom/series-loader.ts';
import { inputName, type FileInput } from './input.ts';
import type { IoWorkerApi } from './io.worker.ts';
import { DEFAULT_IMAGE_IO_PIPELINES_PATH, isVolumeFileName } from './itk/image-formats.ts';
import type { LoadFilesOptions, LoadFilesResult, VolumeFileResult } from './load.ts';

// Rebuilt here rather than imported from series-loader.ts so the main thread does not load the parser.
const toResult = (data: DicomLoadData): DicomLoadResult => (data.kind === 'volume' ? { ...data, volume: new Volume(data.volume) } : data);

/** Options of {@link createIoWorker}. */
export interface IoWorkerOptions {
  /**
   * Starts the worker. The default works where the bundler or dev server understands
   * `new Worker(new URL('./io.worker.ts', import.meta.url))` (Vite, the test runner); a prebuilt library
   * consumer passes its own.
   */
  readonly spawn?: () => WorkerLike;
  /** URL of @itk-wasm/image-io's pipelines; default `/raw/itk/image-io` on the page's origin. */
  readonly pipelinesBaseUrl?: string | URL;
}

/** The loaders of {@link createIoWorker}. */
export interface IoWorker {
  /** {@link loadDicomFiles} in the worker. */
  loadDicom(files: readonly FileInput[], options?: LoadFilesOptions): Promise<DicomLoadResult>;
  /** Lists the series and RT objects in the worker (no volume is built). */
  scanDicom(files: readonly FileInput[], options?: JobOptions): Promise<DicomScanResult>;
  /** {@link loadVolumeFile} in the worker. */
  loadVolumeFile(file: FileInput, options?: LoadFilesOptions): Promise<VolumeFileResult>;
  /** {@link loadFiles} in the worker. */
  loadFiles(files: readonly FileInput[], options?: LoadFilesOptions): Promise<LoadFilesResult>;
  /** Terminates the worker; calls in flight reject with an AbortError. */
  dispose(): void;
}

/**
 * Creates the off-main-thread loaders. The worker starts on the first call and is reused; create one per
 * application. Inputs are structured-cloned into the worker (a File is cheap to clone; ArrayBuffers are
 * copied, so the caller keeps its own).
 */
export function createIoWorker(options: IoWorkerOptions = {}): IoWorker {
  const spawn = options.spawn ?? (() => new Worker(new URL('./io.worker.ts', import.meta.url), { type: 'module' }) as unknown as WorkerLike);
  const client = createWorkerClient<IoWorkerApi>(spawn, { hardCancel: { afterMs: 2000 } });
  const base = typeof globalThis.location !== 'undefined' ? globalThis.location.href : undefined;
  const pipelinesBaseUrl = new URL(String(options.pipelinesBaseUrl ?? DEFAULT_IMAGE_IO_PIPELINES_PATH), base).href;
  const call = (opts: JobOptions) => ({ ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.progress ? { progress: opts.progress } : {}) });

  const loadDicom = async (files: readonly FileInput[], opts: LoadFilesOptions = {}) => {
    // Functions cannot cross into a worker: the worker brings its own decoder.
    const { signal: _s, progress: _p, modality: _m, decoder: _d, ...dicomOptions } = opts as LoadFilesOptions & { decoder?: unknown };
    return toResult(await client.call('loadDicom', { files, options: dicomOptions, pipelinesBaseUrl }, call(opts)));
  };
  const loadVolumeFile = async (file: FileInput, opts: LoadFilesOptions = {}): Promise<VolumeFileResult> => {
    const init = await client.call('readVolumeFile', { file, pipelinesBaseUrl, ...(opts.modality ? { modality: opts.modality } : {}) }, call(opts));
    return { kind: 'volume-file', volume: new Volume(init), file: inputName(file), warnings: [] };
  };
  return {
    loadDicom,
    scanDicom: (files, opts = {}) => client.call('scanDicom', { files }, call(opts)),
    loadVolumeFile,
    loadFiles: (files, opts = {}) => (files.length === 1 && isVolumeFileName(inputName(files[0])) ? loadVolumeFile(files[0], opts) : loadDicom(files, opts)),
    dispose: () => client.dispose(),
  };
}
