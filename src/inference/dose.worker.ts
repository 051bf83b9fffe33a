/**
 * The dose-prediction Web Worker: serves {@link doseJob} over the worker RPC. ONNX Runtime cannot be interrupted
 * inside `session.run()`, so the client cancels hard: it terminates this worker and spawns a fresh one on the
 * next call.
 */
import { exposeJobs, withTransfer } from '../jobs/worker-rpc.ts';
import type { JobOptions } from '../jobs/job.ts';
import { doseJob, type DoseJobInput, type DoseJobOutput } from './dose-web.ts';

const jobs = {
  /** Predicts a dose; the dose voxels are transferred, not copied. */
  async predict(input: DoseJobInput, options: JobOptions): Promise<DoseJobOutput> {
    const out = await doseJob(input, options);
    return withTransfer(out, [out.dose.data.buffer as ArrayBuffer]);
  },
};

/** The jobs this worker exposes (for a typed client). */
export type DoseWorkerApi = typeof jobs;

exposeJobs(jobs);
