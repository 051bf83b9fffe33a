// The WebAssembly the app serves, pinned: wasm/manifest.json lists every file the production build copies from a
// dependency (each runtime's .wasm and the JavaScript glue that instantiates it), with the package, its version
// and the file's SHA-256. The build copies only what the manifest lists and checks each copy's hash, so a
// dependency update that changes a file fails the build (and test/wasm-manifest.test.ts) until someone runs
// `npm run wasm:update` and commits the new manifest on purpose.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the manifest lives, relative to the repository root. */
export const WASM_MANIFEST = 'wasm/manifest.json';

/**
 * What the app needs from each package, at the URL folder its defaults point to (`ort-wasm-path`,
 * `image-io-url`, the interpolation pipelines; the dev server serves the same folders from node_modules,
 * scripts/dev-middleware.js `RAW_PREFIXES`). Only what the app uses: every itk-wasm pipeline and onnxruntime-web
 * variant would be ~200 MB.
 */
export const WASM_SOURCES = [
  // Slice interpolation (src/domain/ops/interpolate.ts).
  { url: 'raw/itk/morphological-contour-interpolation/', package: '@itk-wasm/morphological-contour-interpolation', folder: 'dist/pipelines', files: /\.(js|wasm\.zst)$/ },
  // The volume readers of src/io/itk/image-formats.ts and GDCM for compressed DICOM transfer syntaxes.
  { url: 'raw/itk/image-io/', package: '@itk-wasm/image-io', folder: 'dist/pipelines', files: /^(nifti|nrrd|meta|gdcm)-read-image\.(js|wasm\.zst)$/ },
  // Registration (src/registration/elastix-browser.ts): elastix itself, and itk-wasm's self-contained pipeline
  // worker that elastix runs in (the package's default would be a CDN).
  { url: 'raw/itk/elastix/', package: '@itk-wasm/elastix', folder: 'dist/pipelines', files: /^elastix\.(js|wasm\.zst)$/ },
  { url: 'raw/itk/pipeline-worker/', package: 'itk-wasm', folder: 'dist/pipeline/web-workers/bundles', files: /^itk-wasm-pipeline\.min\.worker\.js$/ },
  // onnxruntime-web's runtimes (src/inference/segment-web.ts): the plain WASM build the WASM provider runs on,
  // and the JSEP build that WebGPU needs.
  { url: 'raw/ort/', package: 'onnxruntime-web', folder: 'dist', files: /^ort-wasm-simd-threaded(\.jsep)?\.(mjs|wasm)$/ },
];

/** The SHA-256 of a file's bytes, hex. */
export function sha256File(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A package's installed version, read from node_modules under `root`. */
function installedVersion(root, pkg) {
  return JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

/**
 * The manifest as the installed dependencies under `root` would make it: one entry per file of WASM_SOURCES,
 * sorted by URL. Throws when a source matches nothing (a dependency renamed its files).
 */
export function computeWasmManifest(root = '.') {
  const files = [];
  for (const source of WASM_SOURCES) {
    const folder = join(root, 'node_modules', source.package, source.folder);
    const names = readdirSync(folder).filter((n) => source.files.test(n)).sort();
    if (!names.length) throw new Error(`wasm manifest: nothing in ${folder} matches ${source.files} (did ${source.package} rename its files?)`);
    const version = installedVersion(root, source.package);
    for (const name of names) {
      const from = join(folder, name);
      files.push({ url: source.url + name, package: source.package, version, path: `${source.folder}/${name}`, bytes: readFileSync(from).length, sha256: sha256File(from) });
    }
  }
  return { files: files.sort((a, b) => (a.url < b.url ? -1 : 1)) };
}

/** The committed manifest under `root`. */
export function readWasmManifest(root = '.') {
  return JSON.parse(readFileSync(join(root, WASM_MANIFEST), 'utf8'));
}

/** Writes the manifest of the installed dependencies (`npm run wasm:update`). */
export function writeWasmManifest(root = '.') {
  const manifest = computeWasmManifest(root);
  writeFileSync(join(root, WASM_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/**
 * Every way the installed dependencies under `root` differ from `manifest`: a missing file, another version,
 * other bytes. Empty when they match.
 */
export function wasmManifestProblems(manifest, root = '.') {
  const problems = [];
  for (const f of manifest.files) {
    const from = join(root, 'node_modules', f.package, f.path);
    if (!existsSync(from)) {
      problems.push(`${f.url}: ${f.package}/${f.path} is missing`);
      continue;
    }
    const version = installedVersion(root, f.package);
    if (version !== f.version) problems.push(`${f.url}: ${f.package} is ${version}, the manifest pins ${f.version}`);
    const sha256 = sha256File(from);
    if (sha256 !== f.sha256) problems.push(`${f.url}: SHA-256 of ${f.package}/${f.path} is ${sha256}, the manifest says ${f.sha256}`);
  }
  return problems;
}

/**
 * Copies every file of `manifest` from node_modules under `root` to `outDir`/<url>, and checks the SHA-256 of
 * each copy (what the built app will serve). Throws, naming every mismatch, when a file is not what the manifest
 * pins; run `npm run wasm:update` after a deliberate dependency update.
 */
export function copyWasm(manifest, outDir, root = '.') {
  const problems = wasmManifestProblems(manifest, root);
  if (!problems.length) {
    for (const f of manifest.files) {
      const to = join(outDir, f.url);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(join(root, 'node_modules', f.package, f.path), to);
      const sha256 = sha256File(to);
      if (sha256 !== f.sha256) problems.push(`${f.url}: the copy in ${outDir} has SHA-256 ${sha256}, the manifest says ${f.sha256}`);
    }
  }
  if (problems.length) throw new Error(`wasm files do not match ${WASM_MANIFEST} (after a deliberate dependency update run \`npm run wasm:update\`):\n  ${problems.join('\n  ')}`);
}
