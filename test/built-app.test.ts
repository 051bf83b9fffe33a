// The app as `npm run build` writes it (dist/app) must run on its own: the WASM of onnxruntime-web and of the
// itk-wasm readers and the models are copied into the build (the files wasm/manifest.json pins, and vite.config.ts MODEL_FILES), at
// the URLs the app's defaults point to. This test builds into a temporary folder, serves it with `vite preview`
// (the production server, with the cross-origin isolation headers) and, in headless Chromium, opens a real
// OpenKBP CT through the app's file input (NIfTI → itk-wasm image-io) and auto-contours it with hn-oar and
// hn-target-proposal (onnxruntime-web WASM in the segment worker). Every request must succeed and stay on the app's origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type ElementHandle } from 'puppeteer-core';
import { preview, type PreviewServer } from 'vite';

const CT = resolve('../shared/data/openkbp/validation/pt_201/ct.nii.gz');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

test('the built app opens a NIfTI CT and auto-contours it with hn-oar and hn-target-proposal, all from its own origin', { timeout: 300_000 }, async () => {
  assert.ok(existsSync(CT), `test data missing: ${CT}`);
  assert.ok(CHROMIUM, 'no Chromium found (.ci/run installs Debian\'s)');
  const outDir = mkdtempSync(join(tmpdir(), 'delineo-built-app-'));
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  try {
    const build = spawnSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { encoding: 'utf8' });
    assert.equal(build.status, 0, `vite build failed:\n${build.stderr}`);
    server = await preview({ preview: { port: 0, host: '127.0.0.1', open: false }, build: { outDir }, logLevel: 'warn' });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
    });
    const origin = new URL(server.resolvedUrls!.local[0]).origin;
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 600 });
    const failed: string[] = [];
    const foreign: string[] = [];
    const served = new Set<string>();
    const pageErrors: string[] = [];
    page.on('response', (r) => {
      const url = new URL(r.url());
      if (url.protocol === 'data:' || url.protocol === 'blob:') return;
      if (url.origin !== origin) foreign.push(r.url());
      if (r.status() >= 400) failed.push(`${r.status()} ${url.pathname}`);
      else served.add(url.pathname);
    });
    page.on('requestfailed', (r) => {
      if (!r.url().startsWith('data:') && !r.url().startsWith('blob:')) failed.push(`${r.failure()?.errorText} ${r.url()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    // The demo phantom first (the app generates it once it is on the page), then the CT through the file input.
    await page.waitForFunction(() => Boolean((document.querySelector('delineo-app') as unknown as { session?: unknown } | null)?.session), { timeout: 60_000 });
    await page.evaluate(() => ((window as unknown as { demoVolume: unknown }).demoVolume = (document.querySelector('delineo-app') as unknown as { session: { volume: unknown } }).session.volume));
    const input = await page.evaluateHandle(() => document.querySelector('delineo-app')!.shadowRoot!.querySelector('input[data-pick="files"]'));
    await (input.asElement() as ElementHandle<HTMLInputElement>).uploadFile(CT);
    // Opened (a new session), or failed (an error notice, which names the file and the problem).
    await page.waitForFunction(
      () => {
        const app = document.querySelector('delineo-app') as unknown as HTMLElement & { session: { volume: unknown } };
        return app.session.volume !== (window as unknown as { demoVolume: unknown }).demoVolume || Boolean(app.shadowRoot!.querySelector('[part~="notice-error"]'));
      },
      { timeout: 120_000 },
    );
    const notice = await page.evaluate(() => document.querySelector('delineo-app')!.shadowRoot!.querySelector('[part~="notice-error"]')?.textContent ?? '');
    assert.equal(notice.trim(), '', `opening the CT failed (requests that failed: ${failed.join(', ')})`);
    const result = await page.evaluate(async () => {
      const app = document.querySelector('delineo-app') as unknown as HTMLElement & { autoContour(id: string): Promise<void>; session: { volume: { dimensions: number[] }; store: { state: { structures: { name: string }[] } } } };
      const outcome = new Promise<string>((done) => {
        app.addEventListener('delineo-auto-contour', (e) => done(`ok ${(e as CustomEvent<{ provider: string }>).detail.provider}`), { once: true });
        app.addEventListener('delineo-error', (e) => done(`error ${(e as CustomEvent<{ message: string }>).detail.message}`), { once: true });
      });
      // While it runs, the progress row counts the seconds (its patches take seconds each).
      const clock = new Set<string>();
      const watch = setInterval(() => {
        const text = app.shadowRoot!.querySelector('[part~="progress-time"]')?.textContent?.trim();
        if (text) clock.add(text);
      }, 100);
      await app.autoContour('hn-oar');
      clearInterval(watch);
      const oar = await outcome;
      // The target-envelope proposal, offered in the same menu, runs from the build too.
      const proposal = new Promise<string>((done) => {
        app.addEventListener('delineo-auto-contour', () => done('ok'), { once: true });
        app.addEventListener('delineo-error', (e) => done(`error ${(e as CustomEvent<{ message: string }>).detail.message}`), { once: true });
      });
      await app.autoContour('hn-target-proposal');
      return { clock: [...clock], outcome: oar, proposal: await proposal, dimensions: app.session.volume.dimensions, names: app.session.store.state.structures.map((s) => s.name) };
    });
    assert.deepEqual(result.dimensions, [128, 128, 128]);
    // With several cores the build runs the tile-worker pool (a worker started from the segmentation worker).
    assert.match(result.outcome, /^ok onnxruntime-web wasm \((\d+ threads: \d+ tile workers|1 thread)\)$/, result.outcome);
    assert.equal(result.proposal, 'ok');
    const seconds = result.clock.map((t) => Number(/^(\d+) s$/.exec(t)?.[1]));
    assert.ok(seconds.length >= 2 && seconds[0] === 1 && seconds.every((n, i) => i === 0 || n > seconds[i - 1]), `the progress row counted the seconds: ${result.clock.join(', ')}`);
    assert.ok(result.names.includes('PTV_Union'), result.names.join(', '));
    // pt_201 has these contoured; the model finds each of them on a real patient.
    for (const name of ['Brainstem', 'SpinalCord', 'Parotid_R', 'Parotid_L', 'Bone_Mandible']) assert.ok(result.names.includes(name), `${name} in ${result.names.join(', ')}`);
    assert.deepEqual(failed, [], 'every request succeeded');
    assert.deepEqual(foreign, [], 'every request went to the app\'s own origin');
    assert.deepEqual(pageErrors, []);
    for (const path of ['/models/hn-oar/manifest.json', '/models/hn-oar/model.onnx', '/models/hn-target-proposal/model.onnx', '/raw/ort/ort-wasm-simd-threaded.wasm', '/raw/itk/image-io/nifti-read-image.js']) {
      assert.ok(served.has(path), `${path} was loaded from the build (loaded: ${[...served].filter((p) => !p.startsWith('/assets/')).join(', ')})`);
    }
    // The WASM provider runs on the plain build, not the slower Asyncify-instrumented JSEP build (src/inference/segment-web.ts),
    // which the build still carries for WebGPU.
    assert.ok(!served.has('/raw/ort/ort-wasm-simd-threaded.jsep.wasm'), 'the WASM provider did not load the JSEP build');
    assert.ok(existsSync(join(outDir, 'raw/ort/ort-wasm-simd-threaded.jsep.wasm')), 'the build carries the JSEP runtime for WebGPU');
  } finally {
    // Whatever failed (the build included), nothing is left behind: no browser, no server, no build folder.
    await browser?.close();
    if (server) await new Promise<void>((done) => server!.httpServer.close(() => done()));
    rmSync(outDir, { recursive: true, force: true });
  }
});
