// `npm start` (the Vite dev server) as a user meets it the first time: a fresh dependency cache, the app opened,
// and the first auto-contouring with an ONNX model. onnxruntime-web is imported lazily by the segmentation worker
// and its tile workers; if Vite discovered it only then, it would re-optimise, reload the page and fail that first
// run ("Failed to fetch dynamically imported module"). vite.config.ts lists it in optimizeDeps.include; this test
// keeps it so, with the tiny 3D test network on a small CT (onnxruntime-web WASM in the worker's tile workers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { createServer, type ViteDevServer } from 'vite';
import type * as Core from '../../src/index.ts';
import type * as BoxCt from '../helpers/box-ct.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

test('npm start with a fresh dependency cache: the first ONNX auto-contouring succeeds without a page reload', { timeout: 300_000 }, async () => {
  assert.ok(CHROMIUM, 'no Chromium found (.ci/run installs Debian\'s)');
  const cacheDir = mkdtempSync(join(tmpdir(), 'delineo-vite-cache-'));
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await createServer({ configFile: 'vite.config.ts', cacheDir, server: { port: 0, host: '127.0.0.1', open: false }, logLevel: 'warn' });
    await server.listen();
    const url = server.resolvedUrls!.local[0];
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 600 });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(url, { waitUntil: 'load', timeout: 180_000 });
    await page.waitForFunction(() => Boolean((document.querySelector('delineo-app') as unknown as { session?: unknown } | null)?.session), { timeout: 180_000 });
    const outcome = await page.evaluate(async () => {
      // The small box CT of test/helpers/box-ct.ts: a few tiles of the test network.
      const core = (await import('/src/index.ts' as string)) as typeof Core;
      const { boxCtInit } = (await import('/test/helpers/box-ct.ts' as string)) as typeof BoxCt;
      type App = HTMLElement & { volume: unknown; models: unknown; updateComplete: Promise<boolean>; autoContour(id: string): Promise<void> };
      const app = document.querySelector('delineo-app') as unknown as App;
      app.volume = new core.Volume(boxCtInit());
      app.models = [{ id: 'tiny-3d', name: 'Tiny 3D test network', description: 'a test network', manifestUrl: '/test/fixtures/models/tiny-3d/manifest.json' }];
      await app.updateComplete;
      const result = new Promise<string>((done) => {
        app.addEventListener('delineo-auto-contour', (e) => done(`ok ${(e as CustomEvent<{ provider: string }>).detail.provider}`), { once: true });
        app.addEventListener('delineo-error', (e) => done(`error ${(e as CustomEvent<{ message: string }>).detail.message}`), { once: true });
      });
      await app.autoContour('tiny-3d');
      return result;
    });
    assert.match(outcome, /^ok onnxruntime-web wasm/, outcome);
    assert.equal(loads, 1, 'the page was not reloaded by a late dependency optimisation');
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    await server?.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
