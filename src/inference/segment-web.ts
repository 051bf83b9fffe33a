/**
 * Auto-segmentation in the browser: onnxruntime-web (WebGPU or WASM, chosen by {@link chooseExecutionProvider})
 * running the same engine as Node. Meant to run inside a Web Worker (segment.worker.ts) so inference never
 * blocks the page and a hard cancel can terminate it; works on the main thread too (tests, benchmarks).
 *
 * Which onnxruntime-web build runs depends on the provider. WASM uses the plain build
 * (`onnxruntime-web/wasm`, ort-wasm-simd-threaded.wasm). WebGPU uses the default JSEP build, the only one
 * whose WASM can call WebGPU. The JSEP build is compiled with Asyncify, and that instrumentation slows every
 * CPU kernel (measured against the plain build: `npm run bench -- ort-web-builds`). The WASM path is what nearly
 * every user without a GPU runs, so it must not pay for WebGPU support it does not use. Each build is imported
 * only when first needed; a deployment serves both runtimes under `wasmPaths`:
 * ort-wasm-simd-threaded.{mjs,wasm} (plain) and ort-wasm-simd-threaded.jsep.{mjs,wasm} (vite.config.ts copies them).
 */
import type * as OrtWeb from 'onnxruntime-web';
import type { VolumeInit } from '../domain/volume.ts';
import { Volume } from '../domain/volume.ts';
import type { SerializedMask } from '../domain/mask.ts';
import type { Structure } from '../domain/structure.ts';
import type { UncertaintyMap } from '../domain/uncertainty.ts';
import { segmentWithNetwork, type SegmentationResult, type SegmentOptions } from './engine.ts';
import { InferenceError } from './errors.ts';
import { validateManifest, type ModelManifest } from './manifest.ts';
import { createOrtNetwork, type OrtModule, type OrtNetwork } from './ort-runner.ts';
import type { OrtTileWorkerApi } from './ort-tile.worker.ts';
import { createWorkerClient, type WorkerLike } from '../jobs/worker-rpc.ts';
import { chooseExecutionProvider, probePlatform, type ProviderChoice, type ProviderOverride, type WasmPaths } from './provider.ts';
import { runRuleModel } from './rules/index.ts';

/** Options of the browser path. */
export interface WebSegmentOptions extends SegmentOptions {
  readonly override?: ProviderOverride;
  readonly wasmPaths?: WasmPaths;
}

/** An onnxruntime-web build (all builds share the API of the default entry). */
type OrtWebModule = typeof OrtWeb;

/** Which build a network runs on: the plain WASM build unless WebGPU was chosen (see the module comment). */
export type OrtWebBuild = 'wasm' | 'jsep';

let configured: ProviderChoice | null = null;
let configuredPaths: WasmPaths | undefined;
const builds = new Map<OrtWebBuild, Promise<OrtWebModule>>();
/** The WASM thread count each started build really runs with (reported to the user, not the latest request). */
const buildThreads = new Map<OrtWebBuild, number>();

/**
 * Imports a build once per realm and configures it with the realm's first choice (the dose worker, dose-web.ts,
 * uses it too): ONNX Runtime reads
 * `env.wasm.numThreads` only when its WASM runtime starts, so later changes would be silently ignored.
 */
export function loadOrtBuild(build: OrtWebBuild, threads: number): Promise<OrtWebModule> {
  let pending = builds.get(build);
  if (!pending) {
    pending = (build === 'wasm' ? import('onnxruntime-web/wasm') : import('onnxruntime-web')).then((ort) => {
      ort.env.wasm.numThreads = threads;
      buildThreads.set(build, threads);
      if (configuredPaths) ort.env.wasm.wasmPaths = configuredPaths as typeof ort.env.wasm.wasmPaths;
      return ort;
    });
    builds.set(build, pending);
    pending.catch(() => builds.delete(build));
  }
  return pending;
}

/**
 * Decides the execution provider (once per realm unless overridden: the thread count of a started runtime
 * cannot change) and remembers where the runtime files are served.
 */
export async function configureOrtWeb(override: ProviderOverride = {}, wasmPaths?: WasmPaths): Promise<ProviderChoice> {
  if (configured && !override.provider && override.threads === undefined && override.tileWorkers === undefined) return configured;
  const choice = chooseExecutionProvider(await probePlatform(), override);
  if (!configured && wasmPaths) configuredPaths = wasmPaths;
  configured = choice;
  return choice;
}

/** Spawns a tile worker (ort-tile.worker.ts as a module worker, from the realm that runs the engine). */
export type TileWorkerSpawn = () => WorkerLike;
const defaultTileWorker: TileWorkerSpawn = () => new Worker(new URL('./ort-tile.worker.ts', import.meta.url), { type: 'module' });

/** A started network and how it really runs (a pool may fall back to one runtime). */
interface WebNetwork extends OrtNetwork {
  readonly threads: number;
  readonly workers: number;
  /** Why the tile-worker pool was not used, when it was chosen but could not start. */
  readonly fallback?: string;
}

/**
 * Starts a pool of `workers` single-threaded tile workers, each with its own session of the model; the runner
 * hands each batch to an idle worker and reports `concurrency` so the sliding window keeps them all busy.
 */
async function loadTileWorkerPool(manifest: ModelManifest, bytes: Uint8Array, workers: number, spawn: TileWorkerSpawn): Promise<WebNetwork> {
  const clients = Array.from({ length: workers }, () => createWorkerClient<OrtTileWorkerApi>(spawn));
  try {
    await Promise.all(clients.map((c) => c.call('open', { bytes: bytes.slice().buffer, manifest, wasmPaths: configuredPaths })));
  } catch (e) {
    for (const c of clients) c.dispose();
    throw e;
  }
  const idle = [...clients];
  const waiting: ((c: (typeof clients)[number]) => void)[] = [];
  const acquire = () => (idle.length ? Promise.resolve(idle.pop()!) : new Promise<(typeof clients)[number]>((r) => waiting.push(r)));
  const giveBack = (c: (typeof clients)[number]) => {
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };
  return {
    provider: 'wasm',
    threads: workers,
    workers,
    runner: {
      concurrency: workers,
      async run(input, dims) {
        const c = await acquire();
        try {
          return (await c.call('run', { input, dims })).logits;
        } finally {
          giveBack(c);
        }
      },
    },
    async release() {
      await Promise.allSettled(clients.map((c) => c.call('close', {})));
      for (const c of clients) c.dispose();
    },
  };
}

/**
 * Starts a network with onnxruntime-web on the chosen provider. WASM with `choice.workers` > 1 runs on a pool of
 * tile workers; where workers cannot start (no nested workers, a policy that forbids them) it falls back to one
 * runtime with `choice.threads` threads and says why.
 *
 * WebGPU gets a session on the WebGPU execution provider alone (ONNX Runtime still places operators WebGPU lacks
 * on its CPU kernels). It is not given WASM as a second provider: with `['webgpu', 'wasm']` ONNX Runtime falls
 * back to WASM silently when WebGPU cannot start (no adapter, device lost, a blocked feature), and the engine would
 * then report "webgpu" for a run on the CPU, inside the slower JSEP build. The session then makes one trial run
 * on a small input ({@link trialRun}): ONNX Runtime reports a WebGPU kernel that cannot
 * run an operator only when it runs, and in 1.30 that is the case for hn-oar's 3D transposed convolutions
 * ("currently only support 2-dimensional conv"). A WebGPU start or trial that fails is caught here and the network
 * starts on WASM as the automatic choice would (plain build, tile workers), with the reason reported to the user,
 * before the clinician's first run rather than during it.
 */
export async function loadWebNetwork(manifest: ModelManifest, bytes: Uint8Array, choice: ProviderChoice, spawnTileWorker: TileWorkerSpawn = defaultTileWorker): Promise<WebNetwork> {
  if (choice.provider === 'webgpu') {
    let why: string;
    try {
      const ort = await loadOrtBuild('jsep', choice.threads);
      // ONNX Runtime 1.30's WebGPU pooling supports 3D kernels only in NCHW layout (its default is NHWC).
      const ep = manifest.onnx!.layout.kind === '3d' ? ({ name: 'webgpu', preferredLayout: 'NCHW' } as const) : 'webgpu';
      const net = await createOrtNetwork(ort as unknown as OrtModule, bytes, manifest, { executionProviders: [ep] });
      try {
        await trialRun(net, manifest);
        return { ...net, threads: buildThreads.get('jsep') ?? choice.threads, workers: 1 };
      } catch (e) {
        await net.release().catch(() => undefined);
        why = `WebGPU cannot run this model (${shortReason(e)})`;
      }
    } catch (e) {
      // A damaged or mismatched model fails on every provider: report that, not a fallback.
      if (!(e instanceof InferenceError) || e.code !== 'backend-unavailable') throw e;
      why = `WebGPU could not start (${shortReason(e)})`;
    }
    const facts = await probePlatform();
    const wasm = chooseExecutionProvider({ ...facts, webgpu: false, adapter: null });
    const net = await loadWebNetwork(manifest, bytes, wasm, spawnTileWorker);
    const how = `WASM with ${count(net.threads, 'thread')}${net.workers > 1 ? ` as ${net.workers} single-threaded tile workers` : ''}`;
    return { ...net, fallback: `${why}, so ${how}${net.fallback ? ` (${net.fallback})` : ''}` };
  }
  let fallback: string | undefined;
  if (choice.workers > 1) {
    try {
      if (typeof Worker !== 'function' && spawnTileWorker === defaultTileWorker) throw new Error('this realm cannot start workers');
      return await loadTileWorkerPool(manifest, bytes, choice.workers, spawnTileWorker);
    } catch (e) {
      // A model the runtime rejects fails the same way in one runtime: report that, not a fallback.
      if (e instanceof InferenceError) throw e;
      fallback = `tile workers unavailable (${(e as Error)?.message ?? e}), so one runtime with ${count(choice.threads, 'thread')}`;
    }
  }
  const ort = await loadOrtBuild('wasm', choice.threads);
  const net = await createOrtNetwork(ort as unknown as OrtModule, bytes, manifest, { executionProviders: ['wasm'] });
  return { ...net, threads: buildThreads.get('wasm') ?? choice.threads, workers: 1, fallback };
}

/**
 * One run of a started network on a small zero cube (the smallest multiple of `divisibleBy` that is at least 16
 * voxels a side; 2.5D: one slice stack of that size), checked for the expected number of finite scores. Throws
 * what ONNX Runtime threw.
 */
async function trialRun(net: OrtNetwork, manifest: ModelManifest): Promise<void> {
  const m = manifest.onnx!;
  const d = m.model.divisibleBy * Math.ceil(16 / m.model.divisibleBy);
  const dims = m.layout.kind === '3d' ? [1, 1, d, d, d] : [1, 2 * m.layout.contextSlices + 1, d, d];
  const voxels = m.layout.kind === '3d' ? d * d * d : d * d;
  const out = await net.runner.run(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  if (out.length !== m.model.classes * voxels) throw new Error(`a trial run returned ${out.length} scores, not ${m.model.classes * voxels}`);
  if (!out.every(Number.isFinite)) throw new Error('a trial run returned scores that are not finite numbers');
}

/** `n` and a noun, plural unless n is 1 ("1 thread", "2 threads"). */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** ONNX Runtime's reason for a failed WebGPU start or run, short enough for a status line (first line, ≤ 160 chars). */
function shortReason(e: unknown): string {
  const msg = String((e as Error)?.message ?? e).replace(/^ONNX Runtime could not load the model: /, '').split('\n')[0].trim();
  return msg.length > 160 ? `${msg.slice(0, 157)}…` : msg || 'no reason given';
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

/**
 * A model as the worker receives it: its manifest and either the .onnx bytes or their URL. `M` is the manifest's
 * type: a segmentation model's by default, a dose model's (DoseModelManifest) for the dose client.
 */
export interface ModelSource<M = ModelManifest> {
  readonly manifest: M;
  readonly bytes?: ArrayBuffer;
  readonly url?: string;
}

/** A structure as it crosses the worker boundary (the mask serialised). */
export type StructureData = Omit<Structure, 'mask'> & { readonly mask: SerializedMask };

/** The worker's answer: plain, cloneable data. */
export interface SegmentJobOutput {
  readonly structures: StructureData[];
  readonly labels: Uint8Array;
  /** An ONNX model's uncertainty map on the CT grid (see SegmentationResult.uncertainty); absent for rules. */
  readonly uncertainty?: UncertaintyMap;
  readonly provider: string;
  readonly reason: string;
  /** Set when the chosen configuration could not be used, saying what runs instead and why (see loadWebNetwork). */
  readonly fallback?: string;
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

const networks = new Map<string, Promise<WebNetwork>>();

/**
 * The started network of an ONNX model for this realm's provider choice: downloaded, verified and started once
 * per SHA-256, provider and thread layout, then kept (a failed start is forgotten, so the next call retries and
 * reports its own error).
 */
async function startedNetwork(manifest: ModelManifest, model: ModelSource, options: WebSegmentOptions): Promise<{ choice: ProviderChoice; key: string; pending: Promise<WebNetwork> }> {
  const choice = await configureOrtWeb(options.override, options.wasmPaths);
  const key = `${manifest.onnx!.model.sha256}:${choice.provider}:${choice.threads}x${choice.workers}`;
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
  return { choice, key, pending };
}

/** How a network runs, in words (the provider string of a segmentation), and why that provider was chosen. */
function describe(choice: ProviderChoice, net: WebNetwork): { provider: string; reason: string; fallback?: string } {
  const { threads, workers } = net;
  const how = workers > 1 ? `${threads} threads: ${workers} tile workers` : count(threads, 'thread');
  // The provider the network really runs on: a WebGPU choice that could not start runs on WASM.
  return {
    provider: `onnxruntime-web ${net.provider}${net.provider === 'wasm' ? ` (${how})` : ''}`,
    reason: net.fallback ? `${choice.reason}; ${net.fallback}` : choice.reason,
    ...(net.fallback ? { fallback: net.fallback } : {}),
  };
}

/**
 * Segments a CT in this realm (see the module comment): rule-based models run directly; ONNX models are
 * loaded once per SHA-256 and kept, so a second run skips download, verification and session start.
 */
export async function segmentWeb(ct: Volume, model: ModelSource, options: WebSegmentOptions = {}): Promise<SegmentationResult & { reason: string; fallback?: string }> {
  const manifest = validateManifest(model.manifest);
  if (manifest.kind === 'rules') return { ...(await runRuleModel(ct, manifest, options)), reason: 'rule-based: no network' };
  const { choice, key, pending } = await startedNetwork(manifest, model, options);
  const net = await pending;
  let r: SegmentationResult;
  try {
    r = await segmentWithNetwork(ct, manifest, net.runner, options);
  } catch (e) {
    // A tile worker that crashed comes back without its session: start the pool afresh next time.
    if (net.workers > 1 && (e as Error)?.name !== 'AbortError' && networks.get(key) === pending) {
      networks.delete(key);
      void net.release();
    }
    throw e;
  }
  return { ...r, ...describe(choice, net) };
}

/** What {@link prepareWeb} did. */
export interface PrepareResult {
  /** The execution provider the model will run on, and why (as a segmentation reports them). */
  readonly provider: string;
  readonly reason: string;
  /** Set when the chosen configuration could not be used, saying what runs instead and why (see loadWebNetwork). */
  readonly fallback?: string;
  /** Milliseconds it took here; about 0 when the network was already started. */
  readonly ms: number;
}

/**
 * Starts a model's network ahead of its first segmentation — download, SHA-256 check, one ONNX Runtime session
 * per runtime — so the clinician's first auto-contour does not wait for them. The app calls it when a CT is open
 * and an ONNX model is selected. A segmentation started meanwhile waits for the same start instead of starting
 * another. Rule-based models need nothing. A model that fails to start rejects here, and is tried (and reported)
 * again by the segmentation.
 *
 * What it saves and what the started sessions hold while idle are measured in models/hn-oar/MODEL_CARD.md (Speed;
 * `npm run bench -- inference`). The first run stays somewhat slower than later ones (ONNX Runtime's first
 * full-size run of each session). No warm-up run is made here: a small one removed little of that excess for a
 * longer preload (MODEL_CARD.md, Speed), and one at full size would hold a whole run's working memory, and both
 * cores, while the clinician looks at the CT.
 */
export async function prepareWeb(model: ModelSource, options: WebSegmentOptions = {}): Promise<PrepareResult> {
  const t0 = performance.now();
  const manifest = validateManifest(model.manifest);
  if (manifest.kind === 'rules') return { provider: 'rule-based', reason: 'rule-based: no network', ms: 0 };
  const { choice, pending } = await startedNetwork(manifest, model, options);
  const net = await pending;
  return { ...describe(choice, net), ms: performance.now() - t0 };
}

/** Input of the worker's prepare job. */
export interface PrepareJobInput {
  readonly model: ModelSource;
  readonly override?: ProviderOverride;
  readonly wasmPaths?: WasmPaths;
}

/** The worker job: {@link segmentWeb} on plain data, returning plain data. */
export async function segmentJob(input: SegmentJobInput, options: SegmentOptions = {}): Promise<SegmentJobOutput> {
  const ct = new Volume(input.volume);
  const r = await segmentWeb(ct, input.model, { ...options, tta: input.tta ?? options.tta, override: input.override, wasmPaths: input.wasmPaths });
  return {
    structures: r.structures.map((s) => ({ ...s, mask: s.mask.serialize() })),
    labels: r.labels,
    ...(r.uncertainty ? { uncertainty: r.uncertainty } : {}),
    provider: r.provider,
    reason: r.reason,
    ...(r.fallback ? { fallback: r.fallback } : {}),
    timings: r.timings,
  };
}
