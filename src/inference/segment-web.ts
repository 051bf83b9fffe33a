/**
 * Auto-segmentation in the browser: onnxruntime-web (WebGPU or WASM, chosen by {@link chooseExecutionProvider})
 * running the same engine as Node. Meant to run inside a Web Worker (segment.worker.ts) so inference never
 * blocks the page and a hard cancel can terminate it; works on the main thread too (tests, benchmarks).
 */
import * as ort from 'onnxruntime-web';
import type { VolumeInit } from '../domain/volume.ts';
import { Volume } from '../domain/volume.ts';
import type { SerializedMask } from '../domain/mask.ts';
import type { Structure } from '../domain/structure.ts';
import { segmentWithNetwork, type SegmentationResult, type SegmentOptions } from './engine.ts';
import { InferenceError } from './errors.ts';
import { validateManifest, type ModelManifest } from './manifest.ts';
import { createOrtNetwork, type OrtModule, type OrtNetwork } from './ort-runner.ts';
import { chooseExecutionProvider, probePlatform, type ProviderChoice, type ProviderOverride } from './provider.ts';
import { runRuleModel } from './rules/index.ts';

/** Where onnxruntime-web finds its .wasm/.mjs files: a URL prefix (ending in '/') served untouched. */
export type WasmPaths = string | { readonly wasm?: string; readonly mjs?: string };

/** Options of the browser path. */
export interface WebSegmentOptions extends SegmentOptions {
  readonly override?: ProviderOverride;
  readonly wasmPaths?: WasmPaths;
}

let configured: ProviderChoice | null = null;

/**
 * Decides the execution provider once per realm (ONNX Runtime reads `env.wasm.numThreads` only when its WASM
 * runtime starts, so later changes would be silently ignored) and configures onnxruntime-web for it.
 */
export async function configureOrtWeb(override: ProviderOverride = {}, wasmPaths?: WasmPaths): Promise<ProviderChoice> {
  if (configured && !override.provider && override.threads === undefined) return configured;
  const choice = chooseExecutionProvider(await probePlatform(), override);
  if (!configured) {
    ort.env.wasm.numThreads = choice.threads;
    if (wasmPaths) ort.env.wasm.wasmPaths = wasmPaths as typeof ort.env.wasm.wasmPaths;
  }
  configured = choice;
  return choice;
}

/** Starts a network with onnxruntime-web on the chosen provider (WebGPU falls back to WASM inside ONNX Runtime). */
export async function loadWebNetwork(manifest: ModelManifest, bytes: Uint8Array, choice: ProviderChoice): Promise<OrtNetwork> {
  const providers = choice.provider === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
  return createOrtNetwork(ort as unknown as OrtModule, bytes, manifest, { executionProviders: providers });
}

/** Fetches a model's .onnx bytes; a network failure is 'corrupt-model' naming the URL. */
export async function fetchModelBytes(url: string, signal?: AbortSignal): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new InferenceError('corrupt-model', `the model could not be downloaded (${(e as Error).message})`, { file: url, cause: e });
  }
  if (!res.ok) throw new InferenceError('corrupt-model', `the model could not be downloaded (HTTP ${res.status})`, { file: url });
  return new Uint8Array(await res.arrayBuffer());
}

/** A model as the worker receives it: its manifest and either the .onnx bytes or their URL. */
export interface ModelSource {
  readonly manifest: ModelManifest;
  readonly bytes?: ArrayBuffer;
  readonly url?: string;
}

/** A structure as it crosses the worker boundary (the mask serialised). */
export type StructureData = Omit<Structure, 'mask'> & { readonly mask: SerializedMask };

/** The worker's answer: plain, cloneable data. */
export interface SegmentJobOutput {
  readonly structures: StructureData[];
  readonly labels: Uint8Array;
  readonly provider: string;
  readonly reason: string;
  readonly timings: Record<string, number>;
}

/** Input of the worker job. */
export interface SegmentJobInput {
  readonly volume: VolumeInit;
  readonly model: ModelSource;
  readonly override?: ProviderOverride;
  readonly wasmPaths?: WasmPaths;
  readonly tta?: boolean;
}

const networks = new Map<string, Promise<OrtNetwork>>();

/**
 * Segments a CT in this realm (see the module comment): rule-based models run directly; ONNX models are
 * loaded once per SHA-256 and kept, so a second run skips download, verification and session start.
 */
export async function segmentWeb(ct: Volume, model: ModelSource, options: WebSegmentOptions = {}): Promise<SegmentationResult & { reason: string }> {
  const manifest = validateManifest(model.manifest);
  if (manifest.kind === 'rules') return { ...(await runRuleModel(ct, manifest, options)), reason: 'rule-based: no network' };
  const choice = await configureOrtWeb(options.override, options.wasmPaths);
  const key = `${manifest.onnx!.model.sha256}:${choice.provider}`;
  let pending = networks.get(key);
  if (!pending) {
    pending = (async () => {
      const bytes = model.bytes ? new Uint8Array(model.bytes) : model.url ? await fetchModelBytes(model.url, options.signal) : undefined;
      if (!bytes) throw new InferenceError('corrupt-model', `model "${manifest.id}" came with neither bytes nor a URL`);
      return loadWebNetwork(manifest, bytes, choice);
    })();
    networks.set(key, pending);
    pending.catch(() => networks.delete(key));
  }
  const net = await pending;
  const r = await segmentWithNetwork(ct, manifest, net.runner, options);
  return { ...r, provider: `onnxruntime-web ${choice.provider}${choice.provider === 'wasm' ? ` (${choice.threads} thread${choice.threads > 1 ? 's' : ''})` : ''}`, reason: choice.reason };
}

/** The worker job: {@link segmentWeb} on plain data, returning plain data. */
export async function segmentJob(input: SegmentJobInput, options: SegmentOptions = {}): Promise<SegmentJobOutput> {
  const ct = new Volume(input.volume);
  const r = await segmentWeb(ct, input.model, { ...options, tta: input.tta ?? options.tta, override: input.override, wasmPaths: input.wasmPaths });
  return {
    structures: r.structures.map((s) => ({ ...s, mask: s.mask.serialize() })),
    labels: r.labels,
    provider: r.provider,
    reason: r.reason,
    timings: r.timings,
  };
}
