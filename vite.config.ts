// Vite serves the app in development (`npm start`) and builds it into dist/app (`npm run build`).
// See ../shared/docs/TOOLCHAIN.md for the traps behind the settings below.
import { cpSync, createReadStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { defineConfig, type Connect, type Plugin } from 'vite';
import { rawFile } from './scripts/dev-middleware.js';
import { copyWasm, readWasmManifest } from './scripts/wasm-manifest.js';
import { dicomWebProxyConnect } from './scripts/dicomweb-proxy.js';

/** Content types of the raw assets (Emscripten glue and wasm) that RAW_PREFIXES serves. */
const RAW_TYPES: Readonly<Record<string, string>> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.zst': 'application/zstd' };

/** What each model folder under models/ ships to the app (`models-base` defaults to /models/). */
const MODEL_FILES = /^(manifest\.json|model\.onnx|MODEL_CARD\.md)$/;

/**
 * Cross-origin isolation: COOP + COEP make `crossOriginIsolated` true, which SharedArrayBuffer and so
 * multi-threaded WASM (onnxruntime, itk-wasm) need; without it onnxruntime silently runs on one thread.
 * CORP lets our own resources load under `require-corp`.
 */
const isolation: Connect.NextHandleFunction = (_req, res, next) => {
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
};

/**
 * The raw-asset prefixes of scripts/dev-middleware.js (shared with the test runner), as Connect
 * middleware: Emscripten glue must reach the browser untouched, and Vite's import analysis would rewrite it.
 */
const rawAssets: Connect.NextHandleFunction = (req, res, next) => {
  const file = rawFile(new URL(req.url ?? '/', 'http://localhost').pathname);
  if (!file) return next();
  res.setHeader('Content-Type', RAW_TYPES[extname(file)] ?? 'application/octet-stream');
  createReadStream(file).on('error', next).pipe(res);
};

/**
 * Installs the middlewares in the dev server and in `vite preview` (which serves the production build): isolation
 * headers, raw assets (dev only) and the same-origin DICOMweb proxy (scripts/dicomweb-proxy.js); copies the pinned
 * WASM (wasm/manifest.json) and the models into the build.
 */
function delineoServer(): Plugin {
  return {
    name: 'delineo-server',
    configureServer(server) {
      server.middlewares.use(isolation);
      server.middlewares.use(rawAssets);
      // /dicomweb/* → DELINEO_DICOMWEB_TARGET, when set: a PACS without CORS on the app's origin (src/io/README.md).
      server.middlewares.use(dicomWebProxyConnect());
    },
    configurePreviewServer(server) {
      server.middlewares.use(isolation);
      server.middlewares.use(dicomWebProxyConnect());
    },
    writeBundle(options) {
      const outDir = options.dir ?? 'dist/app';
      // The WASM runtimes and their glue, under the URLs the app's defaults point to, so dist/app runs as built:
      // exactly the files wasm/manifest.json pins, each copy checked against its SHA-256.
      copyWasm(readWasmManifest(), outDir);
      for (const id of readdirSync('models')) {
        if (!existsSync(join('models', id, 'manifest.json'))) continue; // models/training is not a model
        mkdirSync(join(outDir, 'models', id), { recursive: true });
        for (const name of readdirSync(join('models', id)).filter((n) => MODEL_FILES.test(n))) cpSync(join('models', id, name), join(outDir, 'models', id, name));
      }
    },
  };
}

export default defineConfig({
  plugins: [delineoServer()],
  // Standard decorators (`@property() accessor x`) must be lowered: es2022 has no decorators, so esbuild
  // transforms them. Vite 8 ships them untransformed and Chromium fails to parse the build.
  esbuild: { target: 'es2022' },
  // Workers (io, meshing, inference) are ES modules that import code split out of the app bundle; the
  // default IIFE worker format cannot hold split chunks, and every browser we support runs module workers.
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist/app',
    emptyOutDir: true,
    // vtk.js alone is ~1 MB minified; the warning would fire on every build without telling us anything.
    chunkSizeWarningLimit: 2000,
  },
  optimizeDeps: {
    // vtk.js is ESM but pulls CommonJS helpers (fast-deep-equal, seedrandom, spark-md5, utif, ...);
    // pre-bundling converts them. Listing the deep imports up front avoids a second optimisation pass and a
    // full page reload the first time the app starts.
    include: [
      'lit',
      'lit/decorators.js',
      '@kitware/vtk.js/Rendering/Profiles/Geometry.js',
      '@kitware/vtk.js/Rendering/Profiles/Volume.js',
      '@kitware/vtk.js/Common/Core/DataArray.js',
      '@kitware/vtk.js/Common/DataModel/ImageData.js',
      '@kitware/vtk.js/Common/DataModel/Plane.js',
      '@kitware/vtk.js/Rendering/Core/ImageResliceMapper.js',
      '@kitware/vtk.js/Rendering/Core/ImageSlice.js',
      '@kitware/vtk.js/Rendering/Core/RenderWindow.js',
      '@kitware/vtk.js/Rendering/Core/Renderer.js',
      '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js',
      // Imported lazily on the first interpolation; listed so that first use does not re-optimise and reload.
      '@itk-wasm/morphological-contour-interpolation',
      // Imported lazily by the registration worker (src/registration/elastix-browser.ts, register.ts).
      '@itk-wasm/elastix',
      // Imported lazily by the segmentation and tile workers (src/inference/segment-web.ts): without these, the
      // first auto-contouring after a fresh start re-optimises, reloads the page and fails to fetch the module.
      'onnxruntime-web',
      'onnxruntime-web/wasm',
    ],
    esbuildOptions: { target: 'es2022' },
  },
  server: { port: 5173 },
  preview: { port: 4173 },
});
