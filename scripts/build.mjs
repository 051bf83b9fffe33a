#!/usr/bin/env node
// `npm run build`: what the npm package ships and the app.
// 1. The core, the CLI and the elements compiled to ES modules + .d.ts (tsconfig.build.json: src/ and components/
//    into dist/lib/src and dist/lib/components, the same layout as the sources so the elements' imports of
//    src/index.ts hold), then every relative `.ts` specifier left in the output made `.js`, and the declarations
//    of untyped dependencies (types/*.d.ts) shipped and referenced where the .d.ts output needs them.
// 2. The custom-elements manifest of the components (custom-elements-manifest.config.mjs) into
//    dist/custom-elements.json.
// 3. The app (index.html + components, bundled by Vite) into dist/app, with the WASM pinned by wasm/manifest.json
//    (vite.config.ts checks each copy's SHA-256).
// Stops at the first failing step. `node scripts/build.mjs package` (npm's `prepack`, so `npm pack` and
// `npm publish` build what they pack) runs steps 1 and 2 only: the package does not ship the app.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * tsc rewrites the `.ts` of relative import specifiers in the JavaScript it emits, but not in the .d.ts files
 * (a consumer's TypeScript resolves `./x.js` to `./x.d.ts`, never `./x.ts` outside its own sources) nor in the
 * worker URLs, `new Worker(new URL('./segment.worker.ts', import.meta.url))`, which must name the compiled file
 * for a bundler (or the browser) to find it. Relative string literals only: package names and absolute URLs are
 * left alone.
 */
export function rewriteTsSpecifiers(text) {
  return text.replace(/(['"])(\.{1,2}\/[^'"\n]*?)\.ts\1/g, '$1$2.js$1');
}

/** Every file under `dir`. */
function files(dir) {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
}

function rewriteSpecifiers() {
  for (const path of files('dist/lib').filter((p) => p.endsWith('.js') || p.endsWith('.d.ts'))) {
    const text = readFileSync(path, 'utf8');
    const rewritten = rewriteTsSpecifiers(text);
    if (rewritten !== text) writeFileSync(path, rewritten);
  }
}

/**
 * types/<package>.d.ts declares a dependency that ships no types (dcmjs). Emitted declarations that import such a
 * package would not type-check in a consumer's project, so the declaration ships as dist/lib/types/<package>.d.ts
 * and each of them references it.
 */
function shipAmbientTypes() {
  cpSync('types', 'dist/lib/types', { recursive: true });
  const declared = readdirSync('types').map((n) => n.replace(/\.d\.ts$/, ''));
  for (const path of files('dist/lib/src').concat(files('dist/lib/components')).filter((p) => p.endsWith('.d.ts'))) {
    const text = readFileSync(path, 'utf8');
    const needed = declared.filter((pkg) => text.includes(`from '${pkg}'`));
    if (!needed.length) continue;
    const refs = needed.map((pkg) => `/// <reference path="${relative(dirname(path), `dist/lib/types/${pkg}.d.ts`)}" />\n`).join('');
    writeFileSync(path, refs + text);
  }
}

const steps = [
  ['library, CLI and elements', () => run('npx', ['tsc', '-p', 'tsconfig.build.json'])],
  ['specifiers', rewriteSpecifiers],
  ['ambient types', shipAmbientTypes],
  ['custom-elements manifest', () => run('npx', ['cem', 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet'])],
  ['app', () => run('npx', ['vite', 'build'])],
];
const PACKAGE_STEPS = 4;

function run(cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`exit ${r.status ?? r.signal}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // tsc never deletes outputs, so a renamed module would otherwise linger in the published package; a
  // manifest from an earlier build must not outlive a failed analysis either.
  rmSync('dist/lib', { recursive: true, force: true });
  rmSync('dist/custom-elements.json', { force: true });
  for (const [name, step] of process.argv[2] === 'package' ? steps.slice(0, PACKAGE_STEPS) : steps) {
    const started = performance.now();
    try {
      step();
    } catch (e) {
      console.error(`\nbuild failed: ${name} step (${e instanceof Error ? e.message : e})`);
      process.exit(1);
    }
    console.log(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}
