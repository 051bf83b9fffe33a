// Middleware shared by the dev server and the browser test runner.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

/** COOP/COEP make the page cross-origin isolated, which WASM threads (SharedArrayBuffer) need. */
export async function isolationHeaders(ctx, next) {
  await next();
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
}

/**
 * Emscripten glue (itk-wasm pipelines, onnxruntime's .mjs) must reach the browser untouched: the dev
 * server's import rewriting breaks it. Each prefix maps a URL to a folder served raw.
 */
export const RAW_PREFIXES = {
  '/raw/itk/image-io/': 'node_modules/@itk-wasm/image-io/dist/pipelines',
  '/raw/itk/morphological-contour-interpolation/': 'node_modules/@itk-wasm/morphological-contour-interpolation/dist/pipelines',
  '/raw/itk/elastix/': 'node_modules/@itk-wasm/elastix/dist/pipelines',
  '/raw/itk/pipeline-worker/': 'node_modules/itk-wasm/dist/pipeline/web-workers/bundles',
  '/raw/ort/': 'node_modules/onnxruntime-web/dist',
  // The real test data (../shared/data, never copied into the repo) for browser tests and the load bench.
  '/raw/test-data/': '../shared/data',
};

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.gz': 'application/gzip', '.zst': 'application/zstd' };

/** Koa-style middleware (web-test-runner) serving RAW_PREFIXES untouched. */
export async function rawAssets(ctx, next) {
  const file = rawFile(ctx.path);
  if (!file) return next();
  ctx.set('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
  ctx.body = createReadStream(file);
}

/** Resolves a URL path under one of RAW_PREFIXES to a file, refusing path traversal. */
export function rawFile(urlPath) {
  for (const [prefix, dir] of Object.entries(RAW_PREFIXES)) {
    if (!urlPath.startsWith(prefix)) continue;
    const root = resolve(dir);
    const file = normalize(join(root, decodeURIComponent(urlPath.slice(prefix.length))));
    if (!file.startsWith(root)) return null;
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return null;
}
