import { JobError } from '../jobs/job.ts';

/**
 * Why auto-segmentation failed, as a stable code the UI can switch on:
 * - 'corrupt-model': the .onnx bytes do not match the manifest's size or SHA-256, or ONNX Runtime cannot parse them;
 * - 'model-mismatch': the network's inputs/outputs are not what the manifest describes;
 * - 'not-ct': the input volume is not a CT in Hounsfield units;
 * - 'unknown-model': no model with that id;
 * - 'backend-unavailable': no ONNX Runtime execution provider could be started;
 * - 'no-target' (dose prediction): no PTV has a prescription, from its name or entered;
 * - 'bad-prescription' (dose prediction): an entered prescription is not a dose in Gy or names no structure.
 */
export type InferenceErrorCode = 'corrupt-model' | 'model-mismatch' | 'not-ct' | 'unknown-model' | 'backend-unavailable' | 'no-target' | 'bad-prescription';

/** A typed auto-segmentation or dose-prediction failure (see {@link InferenceErrorCode}). */
export class InferenceError extends JobError {
  override name = 'InferenceError';
  declare readonly code: InferenceErrorCode;
  constructor(code: InferenceErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(code, message, options);
  }
}
