/**
 * Registration off the main thread: a typed client of registration.worker.ts. The page keeps painting while the
 * CTs are prepared and elastix runs; progress arrives per resolution level; a cancel terminates the worker at
 * once (elastix cannot stop inside a level), so nothing of a cancelled registration survives. Browser-only.
 */
import type { Volume } from '../domain/volume.ts';
import type { JobOptions } from '../jobs/job.ts';
import { createWorkerClient, type WorkerLike } from '../jobs/worker-rpc.ts';
import { elastixUrls } from './elastix-browser.ts';
import type { RegistrationWorkerApi, WorkerRegistrationOutput } from './registration.worker.ts';

/** Options of {@link createRegistrationClient}. */
export interface RegistrationClientOptions {
  /** Starts the worker; the default suits Vite and the test runner (`new Worker(new URL(…, import.meta.url))`). */
  readonly spawn?: () => WorkerLike;
  /** Folder of @itk-wasm/elastix's pipelines (the app's `elastix-url`); default `/raw/itk/elastix`. */
  readonly pipelinesBaseUrl?: string | URL;
  /** Folder of itk-wasm's bundled pipeline worker; default `/raw/itk/pipeline-worker`. */
  readonly pipelineWorkerFolder?: string | URL;
}

/** Registers CTs in a worker; see {@link createRegistrationClient}. */
export interface RegistrationClient {
  /** registerCt (new CT fixed, planning CT moving) and registrationQuality in the worker; rejects with NoOverlapError when the CTs do not overlap. */
  register(fixed: Volume, moving: Volume, mode: 'rigid' | 'deformable', options?: JobOptions): Promise<WorkerRegistrationOutput>;
  /** Terminates the worker. */
  dispose(): void;
}

/** Creates the registration worker's client; the worker starts on the first call. The CTs are copied into it. */
export function createRegistrationClient(options: RegistrationClientOptions = {}): RegistrationClient {
  const spawn = options.spawn ?? (() => new Worker(new URL('./registration.worker.ts', import.meta.url), { type: 'module' }) as unknown as WorkerLike);
  const client = createWorkerClient<RegistrationWorkerApi>(spawn, { hardCancel: true });
  const elastix = elastixUrls(options.pipelinesBaseUrl, options.pipelineWorkerFolder);
  const init = (v: Volume) => ({ ...v.geometry, data: v.data, modality: v.modality, identity: v.identity, name: v.name });
  return {
    register: (fixed, moving, mode, opts = {}) =>
      client.call('register', { fixed: init(fixed), moving: init(moving), mode, elastix }, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.progress ? { progress: opts.progress } : {}) }),
    dispose: () => client.dispose(),
  };
}
