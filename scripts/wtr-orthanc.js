// @web/test-runner plugin: a real Orthanc behind the same-origin DICOMweb proxy (scripts/dicomweb-proxy.js) for
// browser tests. Nothing starts until a test calls the server command `delineo-orthanc-start`; the first call
// spawns test/helpers/orthanc-seeded-node.ts (Orthanc from test/fixtures/io/orthanc.ts, seeded with a phantom CT
// over STOW-RS), and once it reports, points DELINEO_DICOMWEB_TARGET at that Orthanc so `/dicomweb/*` on the
// test page's origin reaches it.
//
// The test runner gives a command 20 s to answer and a cold start on a loaded 2-core machine can take longer,
// so the command waits at most 15 s: it answers `{ pending: true }` while the helper is still working (call it
// again to poll; there is only ever one helper) and then, on this and every later call,
//   { dicomWebRoot: '/dicomweb', authorization: 'Basic …', username, studyInstanceUid, seriesInstanceUid,
//     patientName, patientId, studyDescription, seriesDescription, instances, phantom, timings }
// (Orthanc's own loopback URL stays on the server). A failed start answers with its error, and the next call
// tries again. Orthanc stops when the test server stops (`serverStop`), or when the runner dies (the helper
// exits when its stdin closes).
import { spawn } from 'node:child_process';
import { DICOMWEB_PREFIX, DICOMWEB_TARGET_ENV } from './dicomweb-proxy.js';

const HELPER = 'test/helpers/orthanc-seeded-node.ts';
const WAIT_MS = 15_000;

/** The plugin; add it to the test runner's `plugins` (with dicomWebProxyKoa() in its middleware). */
export function delineoOrthanc() {
  /** @type {{ child: import('node:child_process').ChildProcess, ready: Promise<object>, exited: Promise<void> } | null} */
  let job = null;
  const previousTarget = process.env[DICOMWEB_TARGET_ENV];

  function start() {
    if (job) return job;
    const child = spawn(process.execPath, ['--import', 'tsx', HELPER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const ready = new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (!line || !out.includes('\n', out.indexOf(line))) return;
        const seeded = JSON.parse(line);
        process.env[DICOMWEB_TARGET_ENV] = seeded.dicomWebUrl;
        const { dicomWebUrl: _upstream, ...rest } = seeded;
        resolve({ dicomWebRoot: DICOMWEB_PREFIX, ...rest });
      });
      child.stderr.on('data', (d) => (err += d));
      child.once('exit', (code, signal) => reject(new Error(`${HELPER} exited (${signal ?? `code ${code}`}) before Orthanc was ready: ${err.slice(-3000)}`)));
      child.once('error', reject);
    });
    // A rejection nobody awaits yet must not crash the runner; callers see it through `ready`.
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
    if (previousTarget === undefined) delete process.env[DICOMWEB_TARGET_ENV];
    else process.env[DICOMWEB_TARGET_ENV] = previousTarget;
  }

  return {
    name: 'delineo-orthanc',
    async executeCommand({ command }) {
      if (command !== 'delineo-orthanc-start') return undefined;
      const current = start();
      let timer;
      const pending = new Promise((resolve) => (timer = setTimeout(() => resolve({ pending: true }), WAIT_MS)));
      try {
        return await Promise.race([current.ready, pending]);
      } catch (e) {
        await stop(); // let a later call retry from scratch
        throw e;
      } finally {
        clearTimeout(timer);
      }
    },
    serverStop: stop,
  };
}
