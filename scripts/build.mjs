#!/usr/bin/env node
// `npm run build`: the library (ESM + .d.ts of src/, imports rewritten from .ts to .js) into dist/lib, then
// the app (index.html + components, bundled by Vite) into dist/app. Stops at the first failing step.
// The custom-elements manifest (`npm run manifest`, config in custom-elements-manifest.config.mjs) is not
// part of the build yet: @custom-elements-manifest/analyzer 0.11 crashes ("Converting circular structure to
// JSON") on delineo-app.component.ts and delineo-3d-view.component.ts — to be fixed with the embedding issue.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const steps = [
  ['library', 'npx', ['tsc', '-p', 'tsconfig.build.json']],
  ['app', 'npx', ['vite', 'build']],
];

// tsc never deletes outputs, so a renamed module would otherwise linger in the published package.
rmSync('dist/lib', { recursive: true, force: true });
for (const [name, cmd, args] of steps) {
  const started = performance.now();
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\nbuild failed: ${name} step (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
  console.log(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
