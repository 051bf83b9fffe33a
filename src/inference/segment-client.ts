/**
 * The main thread's handle on the auto-segmentation worker: a typed client over the worker RPC with hard
 * cancel (terminate + lazy respawn: ONNX Runtime cannot stop inside a run), returning domain Structures.
 */
import { BinaryMask } from '../domain/mask.ts';
import type { Structure } from '../domain/structure.ts';
import type { UncertaintyMap } from '../domain/uncertainty.ts';
import type { Volume } from '../domain/volume.ts';
import type { JobOptions } from '../jobs/job.ts';
import { createWorkerClient, type WorkerLike } from '../jobs/worker-rpc.ts';
import type { ProviderOverride } from './provider.ts';
import type { ModelSource, PrepareResult } from './segment-web.ts';
import type { WasmPaths } from './provider.ts';
import type { SegmentWorkerApi } from './segment.worker.ts';

/** What a segmentation in the worker returns. */
export interface WorkerSegmentation {
  readonly structures: Structure[];
  readonly labels: Uint8Array;
  /** An ONNX model's uncertainty map on the CT grid (0 = certain); absent for rule-based models. */
  readonly uncertainty?: UncertaintyMap;
  /** The execution provider used and why it was chosen. */
  readonly provider: string;
  readonly reason: string;
  /** Set when the chosen provider or layout could not be used: what runs instead, and why (e.g. WebGPU that cannot run the model). */
  readonly fallback?: string;
  readonly timings: Record<string, number>;
}

/** Options of {@link SegmentClient.segment}. */
export interface ClientSegmentOptions extends JobOptions {
  readonly override?: ProviderOverride;
  readonly tta?: boolean;
}

/** Options of {@link SegmentClient.prepare}. */
export interface ClientPrepareOptions {
  readonly signal?: AbortSignal;
  readonly override?: ProviderOverride;
}

/** A segmentation worker (see {@link createSegmentClient}). */
export interface SegmentClient {
  segment(ct: Volume, model: ModelSource, options?: ClientSegmentOptions): Promise<WorkerSegmentation>;
  /**
   * Starts a model's network in the worker ahead of the first {@link segment} (download, integrity check,
   * ONNX Runtime sessions), so the first auto-contour does not wait for them (see prepareWeb).
   * Pass the same `override` the segmentation will use. Nothing to do for rule-based models. Aborting it
   * terminates the worker, like a cancelled segmentation.
   */
  prepare(model: ModelSource, options?: ClientPrepareOptions): Promise<PrepareResult>;
  dispose(): void;
}

/** The default worker: this folder's segment.worker.ts as a module worker. */
export const defaultSegmentWorker = (): WorkerLike => new Worker(new URL('./segment.worker.ts', import.meta.url), { type: 'module' });

/**
 * Creates the client. `wasmPaths` tells onnxruntime-web where its runtime files are served (e.g. '/raw/ort/'
 * in tests, '/ort/' in the built app). The CT voxels are copied before they are sent (the viewer keeps
 * displaying them); the results come back transferred.
 */
export function createSegmentClient(spawn: () => WorkerLike = defaultSegmentWorker, wasmPaths?: WasmPaths): SegmentClient {
  const client = createWorkerClient<SegmentWorkerApi>(spawn, { hardCancel: true });
  return {
    async segment(ct, model, options = {}) {
      const data = ct.data.slice();
      const volume = { ...ct.geometry, data, modality: ct.modality, name: ct.name };
      const out = await client.call('segment', { volume, model, override: options.override, wasmPaths, tta: options.tta }, { signal: options.signal, progress: options.progress, transfer: [data.buffer as ArrayBuffer] });
      return { ...out, structures: out.structures.map((s) => ({ ...s, mask: BinaryMask.deserialize(s.mask) })) };
    },
    prepare(model, options = {}) {
      return client.call('prepare', { model, override: options.override, wasmPaths }, { signal: options.signal });
    },
    dispose: () => client.dispose(),
  };
}
