/**
 * The registration worker: {@link registerCt} and the quality of its result off the main thread, served with the
 * worker RPC (src/jobs/worker-rpc.ts). elastix itself runs in itk-wasm's pipeline worker, started from here
 * from the URLs the client passes (never a CDN); terminating this worker (a cancel) ends that one with it.
 * Started by registration-client.ts; not imported by anything else.
 */
import { Volume, type VolumeInit } from '../domain/volume.ts';
import type { JobOptions } from '../jobs/job.ts';
import { exposeJobs } from '../jobs/worker-rpc.ts';
import { configureElastix, type ElastixUrls } from './elastix-browser.ts';
import { assertOverlap, NoOverlapError, registrationQuality, type RegistrationQuality } from './fusion.ts';
import { registerCt, RegistrationError, type RegistrationResult } from './register.ts';

/** Input of the worker's registration job. */
export interface WorkerRegistrationInput {
  readonly fixed: VolumeInit;
  readonly moving: VolumeInit;
  readonly mode: 'rigid' | 'deformable';
  readonly elastix: ElastixUrls;
}

/** What the registration job returns: the registration and how well it aligns the CTs. */
export interface WorkerRegistrationOutput extends RegistrationResult {
  readonly quality: RegistrationQuality;
}

/** elastix's own words when too few of its samples land in the moving image: the CTs do not overlap. */
const OUTSIDE = /samples map outside moving image buffer/i;

const jobs = {
  async register(input: WorkerRegistrationInput, { signal, progress }: JobOptions): Promise<WorkerRegistrationOutput> {
    await configureElastix(input.elastix);
    const fixed = new Volume(input.fixed);
    const moving = new Volume(input.moving);
    let result: RegistrationResult;
    try {
      result = await registerCt({ fixed, moving, mode: input.mode }, { ...(signal ? { signal } : {}), ...(progress ? { progress } : {}) });
    } catch (e) {
      if (e instanceof RegistrationError && OUTSIDE.test(e.message))
        throw new NoOverlapError('no-overlap', 'the planning CT and the new CT do not overlap: elastix found too few points of the new CT inside the planning CT. Check that both CTs image the same region of the same patient.', { cause: e });
      throw e;
    }
    progress?.({ stage: 'quality', done: 0, total: 1, unit: 'checks' });
    const quality = registrationQuality(fixed, moving, result.transform);
    assertOverlap(quality);
    return { ...result, quality };
  },
};

/** The jobs this worker serves, for the typed client. */
export type RegistrationWorkerApi = typeof jobs;

exposeJobs(jobs);
