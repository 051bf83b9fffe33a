/**
 * Where the browser fetches elastix: `@itk-wasm/elastix` defaults to a CDN for its WebAssembly pipelines, which
 * a clinic's network (and our test machines) cannot reach, and Delineo fetches nothing from third parties. The
 * app, the dev server, the test runner and the production build serve the pinned files (wasm/manifest.json) at
 * {@link DEFAULT_ELASTIX_PIPELINES_PATH} (elastix.js and elastix.wasm.zst) and
 * {@link DEFAULT_ITK_PIPELINE_WORKER_PATH} (itk-wasm's self-contained pipeline worker, which elastix runs in).
 */

/** Where the app serves @itk-wasm/elastix's pipelines, relative to the page's origin. */
export const DEFAULT_ELASTIX_PIPELINES_PATH = '/raw/itk/elastix';
/** Where the app serves itk-wasm's bundled pipeline worker (the folder; the file is itk-wasm-pipeline.min.worker.js). */
export const DEFAULT_ITK_PIPELINE_WORKER_PATH = '/raw/itk/pipeline-worker';
/** The bundled pipeline worker's file name in that folder. */
export const ITK_PIPELINE_WORKER_FILE = 'itk-wasm-pipeline.min.worker.js';

/** Absolute URLs of elastix's pipelines folder and of the pipeline worker script. */
export interface ElastixUrls {
  readonly pipelinesBaseUrl: string;
  readonly pipelineWorkerUrl: string;
}

/** Resolves the app's elastix folder (`elastix-url`) and the worker folder against `base` (the page's URL). */
export function elastixUrls(pipelinesBaseUrl: string | URL = DEFAULT_ELASTIX_PIPELINES_PATH, workerFolder: string | URL = DEFAULT_ITK_PIPELINE_WORKER_PATH, base = globalThis.location?.href): ElastixUrls {
  const folder = (u: string | URL) => new URL(String(u), base).href.replace(/\/$/, '');
  return { pipelinesBaseUrl: folder(pipelinesBaseUrl), pipelineWorkerUrl: `${folder(workerFolder)}/${ITK_PIPELINE_WORKER_FILE}` };
}

/**
 * Points the browser build of @itk-wasm/elastix at `urls` (module-wide: every later `elastix` call of this
 * realm, registerCt's included). In Node the package resolves to its WASI build, which needs no URL: a no-op.
 */
export async function configureElastix(urls: ElastixUrls): Promise<void> {
  const m = (await import('@itk-wasm/elastix')) as Record<string, unknown>;
  if (typeof m.setPipelinesBaseUrl !== 'function' || typeof m.setPipelineWorkerUrl !== 'function') return;
  (m.setPipelinesBaseUrl as (u: string) => void)(urls.pipelinesBaseUrl);
  // itk-wasm fetches an http(s) worker URL and starts it from a blob; an origin-relative path is started directly.
  (m.setPipelineWorkerUrl as (u: string) => void)(new URL(urls.pipelineWorkerUrl).pathname);
}
