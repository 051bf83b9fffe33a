#!/usr/bin/env node
// `npm run build`: what the npm package ships and the app.
// 1. The core, the CLI and the elements compiled to ES modules + .d.ts (tsconfig.build.json: src/ and components/
//    into dist/lib/src and dist/lib/components, the same layout as the sources so the elements' imports of
//    src/index.ts hold), then every relative `.ts` specifier left in the output made `.js` (see below).
// 2. The custom-elements manifest of the components (custom-elements-manifest.config.mjs) into
//    dist/custom-elements.json.
// 3. The app (index.html + components, bundled by Vite) into dist/app, with the WASM pinned by wasm/manifest.json
//    (vite.config.ts checks each copy's SHA-256).
// Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

function rewriteTree(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) rewriteTree(path);
    else if (name.endsWith('.js') || name.endsWith('.d.ts')) {
      const text = readFileSync(path, 'utf8');
      const rewritten = rewriteTsSpecifiers(text);
      if (rewritten !== text) writeFileSync(path, rewritten);
    }
  }
}

const steps = [
  ['library, CLI and elements', () => run('npx', ['tsc', '-p', 'tsconfig.build.json'])],
  ['specifiers', () => rewriteTree('dist/lib')],
  ['custom-elements manifest', () => run('npx', ['cem', 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet'])],
  ['app', () => run('npx', ['vite', 'build'])],
];

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
  for (const [name, step] of steps) {
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
