#!/usr/bin/env node
// The `delineo` command. Runs the TypeScript CLI (src/cli/main.ts) directly through tsx's ESM loader, so the
// command works from a checkout without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
