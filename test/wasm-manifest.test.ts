// wasm/manifest.json pins the WebAssembly (and its glue) the built app serves. These tests fail when a dependency
// update changes one of those files without the manifest being regenerated (`npm run wasm:update`), and show that
// the build's copy step refuses a file whose bytes are not the pinned ones.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { computeWasmManifest, copyWasm, readWasmManifest, sha256File, wasmManifestProblems, type WasmManifest } from '../scripts/wasm-manifest.js';

const scratch = mkdtempSync(join(tmpdir(), 'delineo-wasm-manifest-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A root with node_modules holding copies of the manifest's files (and their packages' package.json). */
function fakeRoot(manifest: WasmManifest, name: string): string {
  const root = join(scratch, name);
  for (const f of manifest.files) {
    const from = join('node_modules', f.package, f.path);
    mkdirSync(dirname(join(root, from)), { recursive: true });
    cpSync(from, join(root, from));
    cpSync(join('node_modules', f.package, 'package.json'), join(root, 'node_modules', f.package, 'package.json'));
  }
  return root;
}

describe('wasm/manifest.json', () => {
  const manifest = readWasmManifest();

  it('pins exactly what the installed dependencies hold: a dependency update needs `npm run wasm:update`', () => {
    assert.deepEqual(wasmManifestProblems(manifest), []);
    assert.deepEqual(computeWasmManifest(), manifest, 'the manifest is what `npm run wasm:update` writes');
  });

  it("lists the runtimes the app's defaults load: onnxruntime-web's WASM and JSEP builds and the itk-wasm pipelines", () => {
    const urls = manifest.files.map((f) => f.url);
    for (const url of ['raw/ort/ort-wasm-simd-threaded.wasm', 'raw/ort/ort-wasm-simd-threaded.mjs', 'raw/ort/ort-wasm-simd-threaded.jsep.wasm', 'raw/itk/image-io/nifti-read-image.wasm.zst', 'raw/itk/image-io/gdcm-read-image.wasm.zst', 'raw/itk/morphological-contour-interpolation/morphological-contour-interpolation.wasm.zst']) {
      assert.ok(urls.includes(url), `${url} in ${urls.join(', ')}`);
    }
    for (const f of manifest.files) assert.match(f.sha256, /^[0-9a-f]{64}$/);
  });

  it('copies the pinned files and checks each copy', () => {
    const out = join(scratch, 'out');
    copyWasm(manifest, out);
    for (const f of manifest.files) assert.equal(sha256File(join(out, f.url)), f.sha256, f.url);
  });

  it('refuses a tampered file, naming it, and copies nothing', () => {
    const root = fakeRoot(manifest, 'tampered');
    const victim = manifest.files.find((f) => f.url === 'raw/ort/ort-wasm-simd-threaded.wasm')!;
    const path = join(root, 'node_modules', victim.package, victim.path);
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1] ^= 1;
    writeFileSync(path, bytes);
    const out = join(scratch, 'tampered-out');
    assert.throws(() => copyWasm(manifest, out, root), (e: Error) => e.message.includes(`${victim.url}: SHA-256 of onnxruntime-web/${victim.path} is `) && e.message.includes('npm run wasm:update'));
    assert.deepEqual(wasmManifestProblems(manifest, root).length, 1);
    assert.throws(() => readFileSync(join(out, victim.url)), /ENOENT/);
  });

  it('reports a version the manifest does not pin, and a missing file', () => {
    const root = fakeRoot(manifest, 'updated');
    const pkgJson = join(root, 'node_modules/@itk-wasm/image-io/package.json');
    writeFileSync(pkgJson, JSON.stringify({ ...JSON.parse(readFileSync(pkgJson, 'utf8')), version: '9.9.9' }));
    const gone = manifest.files.find((f) => f.package === 'onnxruntime-web')!;
    rmSync(join(root, 'node_modules', gone.package, gone.path));
    const problems = wasmManifestProblems(manifest, root);
    assert.ok(problems.some((p) => p.includes('@itk-wasm/image-io is 9.9.9, the manifest pins')), problems.join('\n'));
    assert.ok(problems.includes(`${gone.url}: onnxruntime-web/${gone.path} is missing`), problems.join('\n'));
  });
});
