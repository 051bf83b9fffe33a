/**
 * Dose prediction in the browser: the dose engine (dose-prediction.ts) on onnxruntime-web, meant to run in the
 * dose Web Worker (dose.worker.ts) so that the page stays responsive and a hard cancel can terminate it. The
 * network runs in one WASM runtime with the threads the realm's provider choice gives (segment-web.ts
 * `configureOrtWeb`): a dose prediction is one pass over the whole crop, which a pool of tile workers cannot
 * share, and the dose network is not started on WebGPU. Started networks are kept per SHA-256 and thread count.
 */
import type { SerializedMask } from '../domain/mask.ts';
import { BinaryMask } from '../domain/mask.ts';
import type { Structure } from '../domain/structure.ts';
import { Volume, type VolumeInit } from '../domain/volume.ts';
import type { JobOptions } from '../jobs/job.ts';
import { validateDoseManifest, type DoseModelManifest } from './dose-manifest.ts';
import { createDoseOrtNetwork } from './dose-network.ts';
import { predictDoseWithNetwork, type DoseInputsSummary, type DoseTargetPrescription } from './dose-prediction.ts';
import { InferenceError } from './errors.ts';
import type { OrtModule, OrtNetwork } from './ort-runner.ts';
import type { ProviderOverride, WasmPaths } from './provider.ts';
import { configureOrtWeb, fetchModelBytes, loadOrtBuild, type ModelSource } from './segment-web.ts';

/** A structure as it crosses the worker boundary (the mask serialised). */
export type DoseStructureData = Omit<Structure, 'mask'> & { readonly mask: SerializedMask };

/** Input of the worker's dose job: plain, cloneable data. */
export interface DoseJobInput {
  readonly volume: VolumeInit;
  readonly structures: readonly DoseStructureData[];
  readonly prescriptions?: readonly DoseTargetPrescription[];
  readonly model: ModelSource<DoseModelManifest>;
  readonly override?: ProviderOverride;
  readonly wasmPaths?: WasmPaths;
}

/** The worker's answer: the dose as volume data, and what the prediction used. */
export interface DoseJobOutput {
  readonly dose: VolumeInit;
  readonly label: string;
  readonly model: { readonly id: string; readonly version: string };
  readonly inputs: DoseInputsSummary;
  readonly timings: Record<string, number>;
  /** How the network ran ('onnxruntime-web wasm (2 threads)'). */
  readonly provider: string;
}

const networks = new Map<string, Promise<{ net: OrtNetwork; threads: number }>>();

async function startedDoseNetwork(manifest: DoseModelManifest, model: ModelSource<DoseModelManifest>, input: Pick<DoseJobInput, 'override' | 'wasmPaths'>, signal?: AbortSignal) {
  const choice = await configureOrtWeb(input.override, input.wasmPaths);
  const threads = choice.provider === 'wasm' ? choice.threads : 1;
  const key = `${manifest.dose.model.sha256}:${threads}`;
  let pending = networks.get(key);
  if (!pending) {
    pending = (async () => {
      const bytes = model.bytes ? new Uint8Array(model.bytes) : model.url ? await fetchModelBytes(model.url, signal) : undefined;
      if (!bytes) throw new InferenceError('corrupt-model', `model "${manifest.id}" came with neither bytes nor a URL`);
      const ort = await loadOrtBuild('wasm', threads);
      return { net: await createDoseOrtNetwork(ort as unknown as OrtModule, bytes, manifest, { executionProviders: ['wasm'] }), threads };
    })();
    networks.set(key, pending);
    pending.catch(() => networks.delete(key));
  }
  return pending;
}

/** The worker job: predicts the dose of plain data and returns plain data (see the module comment). */
export async function doseJob(input: DoseJobInput, options: JobOptions = {}): Promise<DoseJobOutput> {
  const manifest = validateDoseManifest(input.model.manifest);
  const ct = new Volume(input.volume);
  const structures = input.structures.map((s) => ({ ...s, mask: BinaryMask.deserialize(s.mask) }));
  const { net, threads } = await startedDoseNetwork(manifest, input.model, input, options.signal);
  const r = await predictDoseWithNetwork({ ct, structures, prescriptions: input.prescriptions }, manifest, net.runner, options);
  const d = r.dose;
  return {
    dose: { ...d.geometry, data: d.data, modality: d.modality, identity: d.identity, name: d.name },
    label: r.label,
    model: r.model,
    inputs: r.inputs,
    timings: r.timings,
    provider: `onnxruntime-web wasm (${threads} thread${threads === 1 ? '' : 's'})`,
  };
}
