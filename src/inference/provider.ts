/**
 * Which ONNX Runtime execution provider a browser should use, decided from what the platform offers:
 * WebGPU only with a real adapter (a software fallback adapter computes correctly but is slower than WASM by
 * orders of magnitude), else multi-threaded WASM when the page is
 * cross-origin isolated (SharedArrayBuffer), else single-threaded WASM. The choice is reported with its reason
 * and can be overridden. Pure: the platform facts are passed in, so every branch is unit-tested.
 */

/** Where onnxruntime-web finds its .wasm/.mjs files: a URL prefix (ending in '/') served untouched. */
export type WasmPaths = string | { readonly wasm?: string; readonly mjs?: string };

/** An execution provider the engine can ask ONNX Runtime for. */
export type ExecutionProviderName = 'webgpu' | 'wasm' | 'cpu';

/** What the platform offers (gathered by {@link probePlatform} in a browser or worker). */
export interface PlatformFacts {
  /** `navigator.gpu` exists. */
  readonly webgpu: boolean;
  /** The adapter `requestAdapter()` returned: null when none, else whether it is a software fallback. */
  readonly adapter: { readonly isFallbackAdapter: boolean } | null;
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
}

/**
 * The decision: provider, WASM threads, how they are used, and a sentence saying why (shown to the user).
 * `workers` > 1 (WASM only): the threads are that many single-threaded ONNX Runtime instances in tile
 * workers, each running whole batches of tiles, instead of one runtime whose thread pool splits every
 * operator. Data-parallel batches scale better on two cores (measured: `npm run bench -- ort-web-builds` and
 * `npm run bench -- inference`; figures in models/hn-oar/MODEL_CARD.md).
 */
export interface ProviderChoice {
  readonly provider: ExecutionProviderName;
  readonly threads: number;
  readonly workers: number;
  readonly reason: string;
}

/** A user's override: a provider, a thread count, and/or `tileWorkers: false` for one multi-threaded runtime. */
export interface ProviderOverride {
  readonly provider?: ExecutionProviderName;
  readonly threads?: number;
  readonly tileWorkers?: boolean;
}

/** Chooses the execution provider (see the module comment); `maxThreads` caps WASM threads (default 4). */
export function chooseExecutionProvider(facts: PlatformFacts, override: ProviderOverride = {}, maxThreads = 4): ProviderChoice {
  const choice = chooseProviderAndThreads(facts, override, maxThreads);
  const workers = choice.provider === 'wasm' && choice.threads > 1 && override.tileWorkers !== false ? choice.threads : 1;
  return { ...choice, workers, reason: workers > 1 ? `${choice.reason}, as ${workers} single-threaded tile workers` : choice.reason };
}

function chooseProviderAndThreads(facts: PlatformFacts, override: ProviderOverride, maxThreads: number): Omit<ProviderChoice, 'workers'> {
  const cores = Math.max(1, Math.floor(facts.hardwareConcurrency || 1));
  const wasmThreads = facts.crossOriginIsolated ? Math.max(1, Math.min(maxThreads, cores)) : 1;
  if (override.provider) {
    const threads = override.provider === 'wasm' ? Math.max(1, Math.min(override.threads ?? wasmThreads, facts.crossOriginIsolated ? 64 : 1)) : (override.threads ?? 1);
    return { provider: override.provider, threads, reason: `chosen by the user${override.provider === 'wasm' && !facts.crossOriginIsolated ? ' (single-threaded: the page is not cross-origin isolated)' : ''}` };
  }
  if (facts.webgpu && facts.adapter && facts.adapter.isFallbackAdapter === false) {
    return { provider: 'webgpu', threads: 1, reason: 'a hardware WebGPU adapter is available' };
  }
  const why = !facts.webgpu ? 'WebGPU is not available' : !facts.adapter ? 'no WebGPU adapter was found' : 'the only WebGPU adapter is a software fallback';
  if (facts.crossOriginIsolated && wasmThreads > 1) {
    return { provider: 'wasm', threads: override.threads ?? wasmThreads, reason: `${why}; WASM with ${override.threads ?? wasmThreads} threads (cross-origin isolated)` };
  }
  return {
    provider: 'wasm',
    threads: 1,
    reason: `${why}; single-threaded WASM (${facts.crossOriginIsolated ? 'one core' : 'the page is not cross-origin isolated, so no SharedArrayBuffer'})`,
  };
}

/** Gathers {@link PlatformFacts} in a browser or worker (never throws: a failing probe means "not available"). */
export async function probePlatform(): Promise<PlatformFacts> {
  interface AdapterLike {
    readonly isFallbackAdapter?: boolean;
    readonly info?: { readonly isFallbackAdapter?: boolean };
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number; gpu?: unknown } }).navigator;
  const gpu = nav?.gpu as { requestAdapter(): Promise<AdapterLike | null> } | undefined;
  let adapter: PlatformFacts['adapter'] = null;
  if (gpu) {
    try {
      const a = await gpu.requestAdapter();
      // Chrome moved the flag to adapter.info; older builds have it on the adapter.
      if (a) adapter = { isFallbackAdapter: Boolean(a.info?.isFallbackAdapter ?? a.isFallbackAdapter) };
    } catch {
      adapter = null;
    }
  }
  return {
    webgpu: Boolean(gpu),
    adapter,
    crossOriginIsolated: Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated),
    hardwareConcurrency: nav?.hardwareConcurrency ?? 1,
  };
}
