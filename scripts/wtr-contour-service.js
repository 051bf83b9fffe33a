// @web/test-runner plugin: the auto-contouring service for real (redis-server, `delineo worker`, `delineo api`
// on loopback ports) for the browser test of "Auto-contour on server". Nothing starts until a test calls the
// server command `delineo-contour-service-start` with `{ authorization, origin }`: the PACS's Authorization
// header (the seeded Orthanc of scripts/wtr-orthanc.js must be started first: its loopback root is read from
// DELINEO_DICOMWEB_TARGET, which that plugin sets) and the test page's origin, the one the API allows (CORS).
// The first call spawns test/helpers/contour-service-node.ts; like delineo-orthanc-start, the command answers
// `{ pending: true }` while it is still starting (call again to poll), then `{ apiUrl, token, model }`.
// Everything stops when the test server stops, or when the runner dies (the helper exits when its stdin closes).
import { spawn } from 'node:child_process';
import { DICOMWEB_TARGET_ENV } from './dicomweb-proxy.js';

const HELPER = 'test/helpers/contour-service-node.ts';
const WAIT_MS = 15_000;

/** The plugin; add it to the test runner's `plugins` after delineoOrthanc(). */
export function delineoContourService() {
  /** @type {{ child: import('node:child_process').ChildProcess, ready: Promise<object>, exited: Promise<void> } | null} */
  let job = null;

  function start(payload) {
    if (job) return job;
    const pacs = process.env[DICOMWEB_TARGET_ENV];
    if (!pacs) throw new Error('start Orthanc first (delineo-orthanc-start): the service needs its DICOMweb root');
    if (typeof payload?.authorization !== 'string' || typeof payload?.origin !== 'string') throw new Error('delineo-contour-service-start needs { authorization, origin }');
    const env = { ...process.env, DELINEO_DICOMWEB_TARGET: pacs, DELINEO_DICOMWEB_AUTHORIZATION: payload.authorization, DELINEO_TEST_PAGE_ORIGIN: payload.origin };
    const child = spawn(process.execPath, ['--import', 'tsx', HELPER], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    const exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const ready = new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line && out.includes('\n', out.indexOf(line))) resolve(JSON.parse(line));
      });
      child.stderr.on('data', (d) => {
        err = (err + d).slice(-20_000);
        if (process.env.WTR_SERVICE_LOG === '1') process.stderr.write(d);
      });
      child.once('exit', (code, signal) => reject(new Error(`${HELPER} exited (${signal ?? `code ${code}`}) before the service was ready: ${err.slice(-3000)}`)));
      child.once('error', reject);
    });
    ready.catch(() => {});
    job = { child, ready, exited };
    return job;
  }

  async function stop() {
    const current = job;
    job = null;
    if (current && current.child.exitCode === null && current.child.signalCode === null) {
      current.child.kill('SIGTERM');
      const timer = setTimeout(() => current.child.kill('SIGKILL'), 15_000);
      await current.exited;
      clearTimeout(timer);
    }
  }

  return {
    name: 'delineo-contour-service',
    async executeCommand({ command, payload }) {
      if (command !== 'delineo-contour-service-start') return undefined;
      const current = start(payload);
      let timer;
      const pending = new Promise((resolve) => (timer = setTimeout(() => resolve({ pending: true }), WAIT_MS)));
      try {
        return await Promise.race([current.ready, pending]);
      } catch (e) {
        await stop();
        throw e;
      } finally {
        clearTimeout(timer);
      }
    },
    serverStop: stop,
  };
}
