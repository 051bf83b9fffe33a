/**
 * The main thread's handle on the dose-prediction worker (dose.worker.ts): a typed client over the worker RPC
 * with hard cancel (terminate + lazy respawn, as segment-client.ts), returning the dose as a domain Volume.
 */
import { Volume } from '../domain/volume.ts';
import type { JobOptions } from '../jobs/job.ts';
import { createWorkerClient, type WorkerLike } from '../jobs/worker-rpc.ts';
import type { DoseModelManifest } from './dose-manifest.ts';
import type { DosePredictionRequest, DosePredictionResult } from './dose-prediction.ts';
import type { WasmPaths } from './provider.ts';
import type { ModelSource } from './segment-web.ts';
import type { DoseWorkerApi } from './dose.worker.ts';

/** A dose-prediction worker (see {@link createDoseClient}). */
export interface DoseClient {
  /**
   * Predicts the dose of a CT and its structures with a dose model (its manifest and the .onnx bytes or URL).
   * Progress: 'preprocess', 'inference', 'postprocess'. Aborting terminates the worker (the next call starts a
   * fresh one) and rejects with an AbortError; nothing of the request is changed.
   */
  predict(req: DosePredictionRequest, model: ModelSource<DoseModelManifest>, options?: JobOptions): Promise<DosePredictionResult>;
  dispose(): void;
}

/** The default worker: this folder's dose.worker.ts as a module worker. */
export const defaultDoseWorker = (): WorkerLike => new Worker(new URL('./dose.worker.ts', import.meta.url), { type: 'module' });

/**
 * Creates the client. `wasmPaths` tells onnxruntime-web where its runtime files are served. The CT voxels and
 * the masks are copied before they are sent (the app keeps showing and editing them); the dose comes back
 * transferred.
 */
export function createDoseClient(spawn: () => WorkerLike = defaultDoseWorker, wasmPaths?: WasmPaths): DoseClient {
  const client = createWorkerClient<DoseWorkerApi>(spawn, { hardCancel: true });
  return {
    async predict(req, model, options = {}) {
      const { ct } = req;
      const data = ct.data.slice();
      const volume = { ...ct.geometry, data, modality: ct.modality, identity: ct.identity, name: ct.name };
      const structures = req.structures.map((s) => ({ ...s, mask: s.mask.serialize() }));
      const transfer = [data.buffer as ArrayBuffer, ...structures.flatMap((s) => [s.mask.index.buffer as ArrayBuffer, s.mask.pool.buffer as ArrayBuffer])];
      const out = await client.call('predict', { volume, structures, prescriptions: req.prescriptions, model, wasmPaths }, { signal: options.signal, progress: options.progress, transfer });
      return { dose: new Volume(out.dose), label: out.label, model: out.model, inputs: out.inputs, timings: out.timings };
    },
    dispose: () => client.dispose(),
  };
}
