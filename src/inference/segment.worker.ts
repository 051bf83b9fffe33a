/**
 * The auto-segmentation Web Worker: serves {@link segmentJob} over the worker RPC. Inference runs here so
 * the page stays responsive, and because ONNX Runtime cannot be interrupted inside `session.run()`, the
 * client cancels hard: it terminates this worker and a fresh one is spawned on the next call.
 */
import { exposeJobs, withTransfer } from '../jobs/worker-rpc.ts';
import type { JobOptions } from '../jobs/job.ts';
import { prepareWeb, segmentJob, type PrepareJobInput, type PrepareResult, type SegmentJobInput, type SegmentJobOutput } from './segment-web.ts';

const jobs = {
  /** Segments a CT; the label map and the masks' buffers are transferred, not copied. */
  async segment(input: SegmentJobInput, options: JobOptions): Promise<SegmentJobOutput> {
    const out = await segmentJob(input, options);
    const buffers = [out.labels.buffer as ArrayBuffer, ...out.structures.flatMap((s) => [s.mask.index.buffer as ArrayBuffer, s.mask.pool.buffer as ArrayBuffer])];
    return withTransfer(out, buffers);
  },
  /** Starts a model's network before its first segmentation: see prepareWeb. */
  prepare(input: PrepareJobInput, options: JobOptions): Promise<PrepareResult> {
    return prepareWeb(input.model, { signal: options.signal, override: input.override, wasmPaths: input.wasmPaths });
  },
};

/** The jobs this worker exposes (for a typed client). */
export type SegmentWorkerApi = typeof jobs;

exposeJobs(jobs);
