#!/usr/bin/env node
// The whole test suite: type-check, lint, unit tests (Node's test runner) and browser tests
// (@web/test-runner in headless Chromium). Exits non-zero on any failure and ends with one line
// "N passed, N failed" that CI reads. `node scripts/test.mjs unit|browser|static` runs one part.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv[2];
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: opts.capture ? ['inherit', 'pipe', 'inherit'] : 'inherit', env: { ...process.env, ...opts.env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (opts.capture) process.stdout.write(r.stdout ?? '');
  return r;
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function check(name, r) {
  if (r.status === 0) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push(name);
  }
}

if (!only || only === 'static') {
  check('typecheck', run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']));
  check('lint', run('npx', ['eslint', '--max-warnings=0', '.']));
}

if (!only || only === 'unit') {
  const files = ['src', 'test', 'components', 'models', 'bench']
    .flatMap((d) => walk(d))
    .filter((f) => f.endsWith('.test.ts') && !f.endsWith('.browser.test.ts'))
    .sort();
  if (files.length === 0) {
    failures.push('unit: no test files found');
    totals.failed += 1;
  } else {
    const r = run('node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { capture: true });
    const num = (key) => Number((r.stdout.match(new RegExp(`ℹ ${key} (\\d+)`)) ?? [])[1] ?? 0);
    const passed = num('pass');
    const failed = num('fail') + num('cancelled');
    totals.passed += passed;
    totals.failed += failed;
    totals.skipped += num('skipped') + num('todo');
    if (r.status !== 0) failures.push('unit tests');
    if (r.status !== 0 && failed === 0) totals.failed += 1;
  }
}

if (!only || only === 'browser') {
  mkdirSync('test/.out', { recursive: true });
  const countsFile = 'test/.out/wtr-counts.json';
  rmSync(countsFile, { force: true });
  // `*.isolated.browser.test.ts` files each get a fresh Chromium (their own test-runner process), and so do
  // `*.webgpu.browser.test.ts` files, in a Chromium with WebGPU on (WTR_WEBGPU: SwiftShader's software adapter);
  // everything else shares one browser, without WebGPU.
  const all = walk('components').concat(walk('src'), walk('test'));
  const isolated = all.filter((f) => f.endsWith('.isolated.browser.test.ts'));
  const webgpu = all.filter((f) => f.endsWith('.webgpu.browser.test.ts'));
  const runs = [
    { name: 'browser tests', env: {} },
    ...isolated.map((f) => ({ name: `browser tests (${f})`, env: { WTR_FILES: f } })),
    ...webgpu.map((f) => ({ name: `browser tests with WebGPU (${f})`, env: { WTR_FILES: f, WTR_WEBGPU: '1' } })),
  ];
  for (const { name, env } of runs) {
    rmSync(countsFile, { force: true });
    const r = run('npx', ['web-test-runner', '--config', 'web-test-runner.config.js'], { env: { WTR_COUNTS_FILE: countsFile, ...env } });
    if (existsSync(countsFile)) {
      const c = JSON.parse(readFileSync(countsFile, 'utf8'));
      totals.passed += c.passed;
      totals.failed += c.failed;
      totals.skipped += c.skipped;
      if (r.status !== 0 && c.failed === 0) totals.failed += 1;
    } else if (r.status !== 0) totals.failed += 1;
    if (r.status !== 0) failures.push(name);
  }
}

if (failures.length) console.log(`\nFailed: ${failures.join(', ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(failures.length || totals.failed ? 1 : 0);
