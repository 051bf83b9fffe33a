// @web/test-runner configuration: browser tests (`**/*.browser.test.ts`) in Debian's headless Chromium.
// See ../shared/docs/TOOLCHAIN.md for why each piece is here.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { fromRollup } from '@web/dev-server-rollup';
import rollupCommonjs from '@rollup/plugin-commonjs';
import { chromeLauncher } from '@web/test-runner-chrome';
import { defaultReporter } from '@web/test-runner';
import { existsSync } from 'node:fs';
import { countingReporter } from './scripts/wtr-counting-reporter.js';
import { isolationHeaders, rawAssets } from './scripts/dev-middleware.js';
import { cspTestPages } from './scripts/wtr-csp.js';
import { delineoNodeCommands } from './scripts/wtr-node-commands.js';
import { dicomCommands } from './scripts/wtr-dicom-commands.js';
import { dicomWebProxyKoa } from './scripts/dicomweb-proxy.js';
import { delineoOrthanc } from './scripts/wtr-orthanc.js';
import { delineoContourService } from './scripts/wtr-contour-service.js';
import { screenshotPlugin } from './test/helpers/screenshot-plugin.js';

const commonjs = fromRollup(rollupCommonjs);

/**
 * A `.json` file imported by a module (the dose-constraint templates of src/domain/constraints) is served as a
 * JavaScript module; the same file fetched at run time (a model's manifest.json) stays JSON. The request's
 * Sec-Fetch-Dest tells them apart: 'script' for an import, 'empty' for fetch().
 */
const jsonModules = {
  name: 'json-modules',
  resolveMimeType(context) {
    if (context.path.endsWith('.json') && context.request.headers['sec-fetch-dest'] === 'script') return 'js';
  },
  transform(context) {
    if (context.path.endsWith('.json') && context.request.headers['sec-fetch-dest'] === 'script') return { body: `export default ${context.body};` };
  },
};
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
  '--force-device-scale-factor=1',
  // WebGPU (SwiftShader's software adapter) only for the `*.webgpu.browser.test.ts` runs (scripts/test.mjs).
  ...(process.env.WTR_WEBGPU === '1' ? ['--enable-unsafe-webgpu'] : []),
];

export default {
  // `*.isolated.browser.test.ts` run in their own test-runner process (scripts/test.mjs), with WTR_FILES.
  // Every browser test file imports test/helpers/browser-setup.ts first: without it, a failed assertion on a DOM
  // element stalls the runner until the browser is killed, instead of reporting the failure.
  files: process.env.WTR_FILES ? process.env.WTR_FILES.split(',') : ['components/**/*.browser.test.ts', 'src/**/*.browser.test.ts', 'test/**/*.browser.test.ts', '!**/*.isolated.browser.test.ts', '!**/*.webgpu.browser.test.ts'],
  nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
  concurrency: 1,
  browserStartTimeout: 120000,
  testsStartTimeout: 120000,
  testsFinishTimeout: 600000,
  testFramework: { config: { timeout: 60000 } },
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: chromium, headless: true, args: chromiumArgs, dumpio: process.env.WTR_DUMPIO === '1' },
    }),
  ],
  // cspTestPages: a Content-Security-Policy on the pages under /test/csp/ and /examples/ and their workers (scripts/wtr-csp.js).
  // /dicomweb/* → DELINEO_DICOMWEB_TARGET (set by delineoOrthanc when a test starts Orthanc).
  middleware: [cspTestPages(), isolationHeaders, rawAssets, dicomWebProxyKoa()],
  plugins: [
    // Server commands for browser tests that need Node (inference parity: scripts/wtr-node-commands.js).
    delineoNodeCommands(),
    // dciodvfy on files the browser wrote, and the README's screenshots (scripts/wtr-dicom-commands.js).
    dicomCommands(),
    // A seeded Orthanc behind /dicomweb, started by the `delineo-orthanc-start` command (scripts/wtr-orthanc.js).
    delineoOrthanc(),
    // redis-server, `delineo worker` and `delineo api` on that Orthanc, started by `delineo-contour-service-start` (scripts/wtr-contour-service.js).
    delineoContourService(),
    // Screenshot baselines (test/helpers/screenshot.ts); UPDATE_BASELINES=1 rewrites them.
    screenshotPlugin(),
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    jsonModules,
    commonjs({
      include: ['**/node_modules/fast-deep-equal/**', '**/node_modules/seedrandom/**', '**/node_modules/spark-md5/**', '**/node_modules/utif/**', '**/node_modules/webworker-promise/**', '**/node_modules/pako/**', '**/node_modules/globalthis/**', '**/node_modules/shader-loader/**'],
      strictRequires: false,
    }),
  ],
  reporters: [defaultReporter(), countingReporter(process.env.WTR_COUNTS_FILE)],
};
