#!/usr/bin/env node
// The `delineo` command. Which CLI it runs is told by whether the TypeScript source is here:
// - in a checkout (src/cli/main.ts exists) it runs that source through tsx's ESM loader, so the command is always
//   the code being edited, never a stale build, and needs no build step;
// - in the installed npm package (which ships no src/) it runs the CLI `npm run build` compiled to plain
//   JavaScript (dist/lib/src/cli/main.js): no TypeScript compilation at start-up, and tsx (a devDependency) is
//   not needed.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import(new URL('../dist/lib/src/cli/main.js', import.meta.url).href));
}
process.exitCode = await main(process.argv.slice(2));
