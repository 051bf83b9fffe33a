#!/usr/bin/env node
// `npm run build`: the library (ESM + .d.ts of src/, imports rewritten from .ts to .js) into dist/lib, the
// custom-elements manifest of the components (config in custom-elements-manifest.config.mjs) into
// dist/custom-elements.json, then the app (index.html + components, bundled by Vite) into dist/app. Stops at
// the first failing step.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const steps = [
  ['library', 'npx', ['tsc', '-p', 'tsconfig.build.json']],
  ['custom-elements manifest', 'npx', ['cem', 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet']],
  ['app', 'npx', ['vite', 'build']],
];

// tsc never deletes outputs, so a renamed module would otherwise linger in the published package; a
// manifest from an earlier build must not outlive a failed analysis either.
rmSync('dist/lib', { recursive: true, force: true });
rmSync('dist/custom-elements.json', { force: true });
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
