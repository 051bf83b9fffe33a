// @web/test-runner plugin: server commands that browser tests call with `executeServerCommand` when they need
// something only Node can do. The test runner gives a command 20 s to answer, and the Node inference path takes
// longer on a loaded machine, so the work is a background job: `delineo-node-segment` starts it (once per
// payload) and answers at once; `delineo-node-segment-result` answers { pending: true } until it has finished,
// then its result (the JSON line printed by test/helpers/inference-parity-node.ts, kept for later calls with the
// same payload) or an error. `delineo-node-dose` / `delineo-node-dose-result` do the same for the dose engine's
// parity case (test/helpers/dose-parity-node.ts).
import { spawn } from 'node:child_process';

const jobs = new Map();

function start(patient, model, tta) {
  return startScript(`${patient}:${model}:${tta ? 1 : 0}`, 'test/helpers/inference-parity-node.ts', [patient, model, tta ? '1' : '0']);
}

function startScript(key, script, args) {
  if (jobs.has(key)) return key;
  const job = { done: false, result: undefined, error: undefined };
  jobs.set(key, job);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  child.on('close', (code) => {
    job.done = true;
    if (code === 0) job.result = JSON.parse(out.trim().split('\n').at(-1));
    else job.error = `${script} failed (exit ${code}): ${err.slice(-2000)}`;
  });
  return key;
}

/** The plugin; add it to the test runner's `plugins`. */
export function delineoNodeCommands() {
  return {
    name: 'delineo-node-commands',
    async executeCommand({ command, payload }) {
      let key;
      if (command === 'delineo-node-dose' || command === 'delineo-node-dose-result') {
        // The dose engine's parity case (test/helpers/dose-parity-node.ts): no payload.
        key = startScript('dose:tiny-dose', 'test/helpers/dose-parity-node.ts', []);
        if (command === 'delineo-node-dose') return { started: key };
      } else {
        if (command !== 'delineo-node-segment' && command !== 'delineo-node-segment-result') return undefined;
        const { patient, model = 'hn-oar', tta = false } = payload ?? {};
        if (!/^pt_\d+$/.test(String(patient)) || !/^[a-z0-9._-]+$/.test(String(model))) throw new Error(`${command}: bad payload`);
        key = start(patient, model, tta);
        if (command === 'delineo-node-segment') return { started: key };
      }
      const job = jobs.get(key);
      if (!job.done) return { pending: true };
      if (job.error) {
        jobs.delete(key); // let a later call retry
        throw new Error(job.error);
      }
      return job.result;
    },
  };
}
