/**
 * A tile worker: one single-threaded onnxruntime-web WASM runtime holding one model session, running whole
 * batches of tiles for the segmentation worker's pool (segment-web.ts, {@link ProviderChoice.workers}). It is
 * spawned by the segmentation worker, so cancelling a segmentation (terminating that worker) ends it too.
 */
import { exposeJobs, withTransfer } from '../jobs/worker-rpc.ts';
import { InferenceError } from './errors.ts';
import type { ModelManifest } from './manifest.ts';
import { createOrtNetwork, type OrtModule, type OrtNetwork } from './ort-runner.ts';
import type { WasmPaths } from './provider.ts';

let network: OrtNetwork | null = null;

const jobs = {
  /** Starts the session (bytes verified against the manifest, session checked against it). */
  async open(input: { readonly bytes: ArrayBuffer; readonly manifest: ModelManifest; readonly wasmPaths?: WasmPaths }): Promise<{ readonly provider: string }> {
    const ort = await import('onnxruntime-web/wasm');
    ort.env.wasm.numThreads = 1;
    if (input.wasmPaths) ort.env.wasm.wasmPaths = input.wasmPaths as typeof ort.env.wasm.wasmPaths;
    await network?.release();
    network = null;
    network = await createOrtNetwork(ort as unknown as OrtModule, new Uint8Array(input.bytes), input.manifest, { executionProviders: ['wasm'] });
    return { provider: network.provider };
  },
  /** Runs one batch; the logits are transferred back. */
  async run(input: { readonly input: Float32Array; readonly dims: readonly number[] }): Promise<{ readonly logits: Float32Array }> {
    if (!network) throw new InferenceError('backend-unavailable', 'the tile worker has no model session (it was restarted after a crash)');
    const logits = await network.runner.run(input.input, input.dims);
    return withTransfer({ logits }, [logits.buffer as ArrayBuffer]);
  },
  /** Frees the session. */
  async close(): Promise<Record<string, never>> {
    await network?.release();
    network = null;
    return {};
  },
};

/** The jobs a tile worker exposes. */
export type OrtTileWorkerApi = typeof jobs;

exposeJobs(jobs);
