// What `npm install delineo` gives a user, checked on the package itself: `npm pack` (whose prepack builds the
// package, once) writes the tarball; its contents and size are checked; it is installed into an empty project in
// the system's temporary folder, outside the repository, from the npm cache alone (`npm ci --offline`: the
// dependencies are there from the repository's own `npm ci`; the project's lockfile is the repository's, less its
// dev dependencies, since the cache holds package tarballs but not the registry's package documents). There:
// - `npx delineo --version` prints the version; `npx delineo export` writes an RT Structure Set for the real
//   NSCLC CT that dciodvfy accepts (0 errors), from a label map that a Node script made with `import('delineo')`
//   (loading the CT, thresholding it, writing NIfTI);
// - TypeScript type-checks a consumer module against the shipped declarations of `delineo` and
//   `delineo/components`;
// - Vite builds a one-line page, `import 'delineo/components'`, and headless Chromium shows `<delineo-app>` on its
//   demo phantom, with its workers bundled from the package's worker URLs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer from 'puppeteer-core';
import { build, preview } from 'vite';
import { dciodvfy } from './helpers/external-tools.ts';

const REPO = resolve(import.meta.dirname, '..');
const STUDY = resolve(REPO, '../shared/data/nsclc-lung1-001/dicom');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string>; overrides?: Record<string, Record<string, string>> };
const MAX_PACKED_BYTES = 30 * 1024 * 1024;

const work = mkdtempSync(join(tmpdir(), 'delineo-package-'));
const project = join(work, 'project');
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs a command to completion without blocking the event loop (the browser part runs meanwhile). */
function exec(cmd: string, args: readonly string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

const ok = (r: { status: number | null; stdout: string; stderr: string }, what: string) => assert.equal(r.status, 0, `${what} failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);

/**
 * The consumer's package.json and package-lock.json: delineo from the tarball, and every non-dev package of the
 * repository's lockfile at the place the repository's tree has it (a valid tree for delineo's dependencies, all of
 * them in the npm cache). The repository's `overrides` are repeated (npm applies only the root project's), with
 * `$name` references resolved to delineo's own ranges.
 */
function writeConsumerProject(tarball: string): void {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const overrides = Object.fromEntries(
    Object.entries(PKG.overrides ?? {}).map(([pkg, o]) => [pkg, Object.fromEntries(Object.entries(o).map(([dep, range]) => [dep, range.startsWith('$') ? PKG.dependencies[range.slice(1)] : range]))]),
  );
  const dependencies = { delineo: `file:${tarball}` };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies, overrides },
    'node_modules/delineo': { ...lock.packages['']!, name: undefined, devDependencies: undefined, overrides: undefined, resolved: `file:${tarball}` },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path && !entry.dev) packages[path] = entry;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies, overrides }, null, 2));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2));
  // The same setting as the repository's .npmrc: onnxruntime-node's install script would fetch CUDA binaries.
  writeFileSync(join(project, '.npmrc'), 'onnxruntime-node-install=skip\n');
}

// The checks after the install are independent and mostly wait on other processes: they run concurrently.
describe('the npm package', { timeout: 600_000, concurrency: true }, () => {
  let files: { path: string; size: number }[] = [];
  let packedBytes = 0;

  before(async () => {
    assert.ok(existsSync(STUDY), `test data missing: ${STUDY}`);
    const pack = await exec('npm', ['pack', '--json', '--pack-destination', work], REPO);
    ok(pack, 'npm pack');
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; size: number; files: { path: string; size: number }[] }[];
    files = info.files;
    packedBytes = info.size;
    mkdirSync(project);
    writeConsumerProject(join(work, info.filename));
    ok(await exec('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project), 'npm ci --offline of the tarball');
  });

  it(`ships the compiled code, the bin and each model's manifest, model and card, in at most ${MAX_PACKED_BYTES / 1024 / 1024} MB`, () => {
    assert.ok(packedBytes <= MAX_PACKED_BYTES, `packed ${(packedBytes / 1024 / 1024).toFixed(1)} MB`);
    const paths = files.map((f) => f.path);
    assert.deepEqual(paths.filter((p) => p.endsWith('.py') || /\.test\.[jt]s$/.test(p) || (p.endsWith('.ts') && !p.endsWith('.d.ts'))), [], 'no Python, no tests, no TypeScript sources');
    assert.deepEqual(paths.filter((p) => p.startsWith('models/') && !/^models\/[^/]+\/(manifest\.json|model\.onnx|MODEL_CARD\.md)$/.test(p)), [], 'models/<id>/{manifest.json,model.onnx,MODEL_CARD.md} only');
    for (const p of ['bin/delineo.js', 'dist/lib/src/cli/main.js', 'dist/lib/src/node.js', 'dist/lib/components/index.js', 'dist/custom-elements.json', 'models/hn-oar/model.onnx', 'models/hn-oar/manifest.json', 'models/hn-oar/MODEL_CARD.md']) assert.ok(paths.includes(p), `${p} is in the package`);
    assert.deepEqual(paths.filter((p) => !/^(bin|dist\/lib|models)\//.test(p) && !['package.json', 'README.md', 'dist/custom-elements.json'].includes(p)), [], 'nothing else at the top');
  });

  it('runs `npx delineo --version` and an export of the real NSCLC CT that dciodvfy accepts, from a label map made with import("delineo")', async () => {
    const version = await exec('npx', ['--offline', 'delineo', '--version'], project);
    ok(version, 'npx delineo --version');
    assert.equal(version.stdout.trim(), PKG.version);

    // The CT slices of the study (3…136: 1, 2 and 137 are its RTDOSE, RTSTRUCT and RTPLAN), linked, not copied.
    const ct = join(work, 'ct');
    mkdirSync(ct);
    for (let n = 3; n <= 136; n++) symlinkSync(join(STUDY, `${n}.dcm`), join(ct, `${n}.dcm`));
    writeFileSync(
      join(project, 'labels.mjs'),
      `import * as delineo from 'delineo';
const loaded = await delineo.loadDicomDirectory(process.argv[2]);
if (loaded.kind !== 'volume') throw new Error('expected one CT series, got ' + loaded.kind);
const { volume } = loaded;
const [nx, ny] = volume.dimensions;
const hu = (i, j, k) => volume.data[i + nx * (j + ny * k)];
const body = delineo.BinaryMask.fromPredicate(volume.dimensions, (i, j, k) => hu(i, j, k) > -300);
const dense = delineo.BinaryMask.fromPredicate(volume.dimensions, (i, j, k) => hu(i, j, k) > 300);
await delineo.writeLabelMapNifti([{ mask: body, label: 1 }, { mask: dense, label: 2 }], volume, process.argv[3]);
console.log(volume.dimensions.join('x'), body.count(), dense.count());
`,
    );
    const labels = join(work, 'labels.nii.gz');
    const made = await exec('node', ['labels.mjs', ct, labels], project);
    ok(made, 'the label map script (import("delineo") in Node)');
    const [dims, bodyVoxels, denseVoxels] = made.stdout.trim().split(' ');
    assert.equal(dims, '512x512x134');
    assert.ok(Number(bodyVoxels) > 1e6 && Number(denseVoxels) > 1e4, made.stdout);

    const rs = join(work, 'rs.dcm');
    const exported = await exec('npx', ['--offline', 'delineo', 'export', '--ct', ct, '--labels', labels, '--names', 'External,Bones', '--out', rs], project);
    ok(exported, 'npx delineo export');
    assert.deepEqual(dciodvfy(rs).errors, []);
  });

  it('type-checks a consumer module against the declarations of delineo and delineo/components', async () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { BinaryMask, type Volume } from 'delineo';
import { DelineoApp } from 'delineo/components';
export const mask: BinaryMask = new BinaryMask([2, 2, 2]);
export const tag: string = DelineoApp.name;
export type Loaded = Volume['dimensions'];
`,
    );
    const compilerOptions = { noEmit: true, strict: true, skipLibCheck: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom', 'dom.iterable'], types: [] };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
    const tsc = await exec('node', [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
    ok(tsc, 'tsc on a consumer module');
  });

  it('shows <delineo-app> in Chromium from a Vite page that imports delineo/components', { timeout: 300_000 }, async () => {
    assert.ok(CHROMIUM, "no Chromium found (.ci/run installs Debian's)");
    const site = join(project, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), '<!doctype html>\n<delineo-app model-preload="none" style="display:block;width:900px;height:600px"></delineo-app>\n<script type="module" src="./main.js"></script>\n');
    writeFileSync(join(site, 'main.js'), "import 'delineo/components';\n");
    const outDir = join(project, 'site-dist');
    // The settings docs/embedding.md asks of a Vite project: module workers (the workers share split chunks).
    await build({ root: site, configFile: false, logLevel: 'warn', worker: { format: 'es' }, build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 100_000 } });
    const workers = readdirSync(join(outDir, 'assets')).filter((n) => /^(io|mesh|segment|ort-tile)\.worker-.*\.js$/.test(n));
    assert.equal(workers.length, 4, `Vite bundled the package's four workers from their URLs: ${workers.join(', ')}`);
    const server = await preview({ root: site, configFile: false, preview: { port: 0, host: '127.0.0.1', open: false }, build: { outDir }, logLevel: 'warn' });
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--no-first-run', '--disable-background-networking', '--disable-component-update'] });
    try {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(server.resolvedUrls!.local[0], { waitUntil: 'load' });
      // Defined, rendered, and its session holds the demo phantom the app generates once it is on the page.
      await page.waitForFunction(() => Boolean((document.querySelector('delineo-app') as unknown as { session?: { volume?: unknown } } | null)?.session?.volume), { timeout: 120_000 });
      const shown = await page.evaluate(() => {
        const app = document.querySelector('delineo-app')!;
        const box = app.getBoundingClientRect();
        return { defined: customElements.get('delineo-app') === app.constructor, parts: app.shadowRoot?.querySelectorAll('*').length ?? 0, width: box.width, height: box.height, mpr: Boolean(app.shadowRoot?.querySelector('delineo-mpr')) };
      });
      assert.deepEqual({ ...shown, parts: shown.parts > 10 }, { defined: true, parts: true, width: 900, height: 600, mpr: true });
      assert.deepEqual(pageErrors, []);
    } finally {
      await browser.close();
      await new Promise<void>((done) => server.httpServer.close(() => done()));
    }
  });
});
