#!/usr/bin/env node
// `npm run wasm:update`: rewrites wasm/manifest.json from the installed dependencies, after a deliberate update
// of onnxruntime-web or an itk-wasm package, and prints what changed. Review the diff and commit it with the
// dependency update: the build refuses wasm files the manifest does not pin (scripts/wasm-manifest.js).
import { existsSync } from 'node:fs';
import { readWasmManifest, writeWasmManifest, WASM_MANIFEST } from './wasm-manifest.js';

const before = existsSync(WASM_MANIFEST) ? new Map(readWasmManifest().files.map((f) => [f.url, f])) : new Map();
const after = writeWasmManifest();
for (const f of after.files) {
  const old = before.get(f.url);
  if (!old) console.log(`+ ${f.url} (${f.package} ${f.version})`);
  else if (old.sha256 !== f.sha256 || old.version !== f.version) console.log(`~ ${f.url} (${f.package} ${old.version} → ${f.version})`);
  before.delete(f.url);
}
for (const url of before.keys()) console.log(`- ${url}`);
console.log(`${WASM_MANIFEST}: ${after.files.length} files`);
