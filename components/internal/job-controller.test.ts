import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReactiveController } from 'lit';
import type { DelineoErrorDetail } from '../events/delineo-error.ts';
import type { DelineoJobProgressDetail } from '../events/delineo-job-progress.ts';
import { JobController } from './job-controller.ts';

/** A host as Lit gives one to a controller: it records its controllers, updates asked for, and events. */
class Host extends EventTarget {
  readonly controllers: ReactiveController[] = [];
  updates = 0;
  readonly log: string[] = [];
  readonly progress: DelineoJobProgressDetail[] = [];
  readonly errors: DelineoErrorDetail[] = [];
  readonly updateComplete = Promise.resolve(true);
  constructor() {
    super();
    this.addEventListener('delineo-job-progress', (e) => {
      const detail = (e as CustomEvent<DelineoJobProgressDetail>).detail;
      this.progress.push(detail);
      this.log.push(`progress:${detail.state}`);
    });
    this.addEventListener('delineo-error', (e) => {
      this.errors.push((e as CustomEvent<DelineoErrorDetail>).detail);
      this.log.push('error');
    });
  }
  addController(c: ReactiveController): void {
    this.controllers.push(c);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates++;
  }
}

function setup() {
  const host = new Host();
  const said: { text: string; error: boolean }[] = [];
  const failures: string[] = [];
  const jobs = new JobController(host, { say: (text, error) => said.push({ text, error }), fail: (text) => failures.push(text) });
  return { host, jobs, said, failures };
}

/** A promise that rejects with an AbortError when `signal` aborts, as a worker call does on cancel. */
const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('cancelled', 'AbortError'))));

describe('JobController', () => {
  it('registers with its host and shows the job with its progress in real units, then reports done and resolves with the result', async () => {
    const { host, jobs } = setup();
    assert.deepEqual(host.controllers, [jobs]);
    let seen: unknown = null;
    const result = await jobs.run('open', 'Opening 3 files', async (_signal, progress) => {
      assert.equal(jobs.running, true);
      assert.deepEqual(jobs.job, { operation: 'open', label: 'Opening 3 files', stage: 'starting', done: 0, total: 0, unit: '' });
      progress({ stage: 'decode', done: 2, total: 3, unit: 'files' });
      seen = jobs.job;
      return 42;
    });
    assert.equal(result, 42);
    assert.deepEqual(seen, { operation: 'open', label: 'Opening 3 files', stage: 'decode', done: 2, total: 3, unit: 'files' });
    assert.equal(jobs.running, false);
    assert.equal(jobs.job, null);
    assert.deepEqual(host.progress, [
      { operation: 'open', state: 'running', stage: 'starting', done: 0, total: 0, unit: '' },
      { operation: 'open', state: 'running', stage: 'decode', done: 2, total: 3, unit: 'files' },
      { operation: 'open', state: 'done', stage: 'decode', done: 2, total: 3, unit: 'files' },
    ]);
    assert.ok(host.updates >= 3, 'the host re-renders as the job starts, progresses and ends');
  });

  it('announces results after the job ended and reported done, in the order queued, with the host idle', async () => {
    const { host, jobs } = setup();
    await jobs.run('auto-contour', 'Auto-contouring', async (_signal, _progress, finish) => {
      finish(() => host.log.push(`first (running: ${jobs.running})`));
      finish(() => host.log.push('second'));
      host.log.push('work ends');
    });
    assert.deepEqual(host.log, ['progress:running', 'work ends', 'progress:done', 'first (running: false)', 'second']);
  });

  it('on cancel reports cancelled (not a failure), says so, applies nothing and announces nothing', async () => {
    const { host, jobs, said, failures } = setup();
    let applied = false;
    let announced = false;
    const running = jobs.run('auto-contour', 'Auto-contouring: rules', async (signal, _progress, finish) => {
      finish(() => (announced = true));
      await untilAborted(signal);
      applied = true;
    });
    jobs.cancel();
    assert.equal(await running, undefined);
    assert.equal(applied, false);
    assert.equal(announced, false);
    assert.deepEqual(host.progress.map((p) => p.state), ['running', 'cancelled']);
    assert.deepEqual(said, [{ text: 'Cancelled: Auto-contouring: rules', error: false }]);
    assert.deepEqual(failures, []);
    assert.deepEqual(host.errors, []);
    assert.equal(jobs.running, false);
  });

  it('turns a failure into a notice and a delineo-error with the error\'s code and file, after reporting failed', async () => {
    const { host, jobs, failures } = setup();
    let announced = false;
    const result = await jobs.run('export', 'Exporting the RTSTRUCT', async (_signal, _progress, finish) => {
      finish(() => (announced = true));
      throw Object.assign(new Error('CT slice 12 is missing'), { code: 'gap-too-large', file: 'CT.12.dcm' });
    });
    assert.equal(result, undefined);
    assert.equal(announced, false);
    assert.deepEqual(failures, ['Export failed: CT slice 12 is missing']);
    assert.deepEqual(host.log, ['progress:running', 'progress:failed', 'error']);
    assert.deepEqual(host.errors, [{ operation: 'export', code: 'gap-too-large', message: 'CT slice 12 is missing', file: 'CT.12.dcm' }]);
    await jobs.run('open', 'Opening', async () => Promise.reject('not an Error'));
    assert.deepEqual(host.errors[1], { operation: 'open', code: 'error', message: 'not an Error', file: null });
    assert.equal(failures[1], 'Opening failed: not an Error');
  });

  it('refuses a second job while one runs, saying which to wait for, and runs the next once idle', async () => {
    const { host, jobs, said } = setup();
    let release = () => {};
    const first = jobs.run('open', 'Opening 1 file', () => new Promise<void>((resolve) => (release = resolve)));
    let secondRan = false;
    assert.equal(await jobs.run('export', 'Exporting the RTSTRUCT', async () => (secondRan = true)), undefined);
    assert.equal(secondRan, false);
    assert.deepEqual(said, [{ text: 'Wait for “Opening 1 file” to finish, or cancel it', error: true }]);
    assert.deepEqual(host.progress.map((p) => `${p.operation}:${p.state}`), ['open:running']);
    release();
    await first;
    assert.equal(await jobs.run('export', 'Exporting the RTSTRUCT', async () => 'written'), 'written');
  });

  it('ignores progress reported after a cancel', async () => {
    const { host, jobs } = setup();
    const running = jobs.run('auto-contour', 'Auto-contouring', async (signal, progress) => {
      const aborted = untilAborted(signal);
      jobs.cancel();
      progress({ stage: 'inference', done: 1, total: 2 });
      await aborted;
    });
    await running;
    assert.deepEqual(host.progress.map((p) => p.state), ['running', 'cancelled']);
  });

  it('counts the whole seconds since the job started while it runs, and resets them when it ends', async () => {
    const { jobs } = setup();
    let during = -1;
    await jobs.run('auto-contour', 'Auto-contouring', async () => {
      assert.equal(jobs.seconds, 0);
      // Waits for the clock to tick, however slow the machine, rather than timing it.
      while (jobs.seconds === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      during = jobs.seconds;
    });
    assert.ok(during >= 1);
    assert.equal(jobs.seconds, 0);
  });

  it('cancels the running job when the host leaves the page', async () => {
    const { host, jobs } = setup();
    const running = jobs.run('open', 'Opening', (signal) => untilAborted(signal));
    jobs.hostDisconnected();
    await running;
    assert.deepEqual(host.progress.map((p) => p.state), ['running', 'cancelled']);
  });
});
