#!/usr/bin/env node
// Runs every benchmark in bench/ (`*.bench.ts`, each a Node script run through tsx) one after another,
// so they do not compete for the two cores, and prints their figures. Each bench writes its figures as
// JSON to bench/results/<name>.json. Benchmarks measure; they never fail a build (they are not tests).
// `npm run bench -- <substring>` runs only the benches whose file name contains it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, existsSync, readFileSync } from 'node:fs';

const filter = process.argv[2] ?? '';
mkdirSync('bench/results', { recursive: true });
const benches = readdirSync('bench').filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const r = spawnSync('node', ['--expose-gc', '--import', 'tsx', `bench/${file}`], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
}
console.log('\n=== figures');
for (const file of benches) {
  const out = `bench/results/${file.replace(/\.bench\.ts$/, '')}.json`;
  if (existsSync(out)) console.log(`${file}: ${readFileSync(out, 'utf8').trim()}`);
}
process.exit(failed ? 1 : 0);
