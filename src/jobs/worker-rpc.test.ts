// The worker RPC against real worker_threads workers running fixtures/test-worker.ts.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { JobError, isAbortError, type Progress } from './job.ts';
import {
  WorkerError,
  createWorkerClient,
  exposeJobs,
  type WorkerClient,
  type WorkerLike,
} from './worker-rpc.ts';
import { nodeParentEndpoint } from './node-worker.ts';
import { spawnTsWorker } from './fixtures/tsx-worker.ts';
import type { NodeTestApi } from './fixtures/test-worker.ts';

const entry = new URL('./fixtures/test-worker.ts', import.meta.url);

const clients: WorkerClient<NodeTestApi>[] = [];
let spawns = 0;

/** A client on the Node test worker that counts how often it had to spawn one. */
function client(options?: Parameters<typeof createWorkerClient>[1]): WorkerClient<NodeTestApi> {
  const c = createWorkerClient<NodeTestApi>(() => {
    spawns++;
    return spawnTsWorker(entry);
  }, options);
  clients.push(c);
  return c;
}

afterEach(() => {
  // Live workers would keep the test process from exiting.
  for (const c of clients.splice(0)) c.dispose();
  spawns = 0;
});

const abortAfter = (ms: number) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
};

const isWorkerError = (code: string) => (e: unknown) => e instanceof WorkerError && e.code === code;

// A hung call must fail the suite rather than hang `npm test`.
describe('worker RPC (Node worker_threads)', { timeout: 60000 }, () => {
  it('spawns lazily and returns results', async () => {
    const c = client();
    assert.equal(spawns, 0, 'no worker before the first call');
    assert.deepEqual(await c.call('echo', { a: [1, 2, 3], s: 'x' }), { a: [1, 2, 3], s: 'x' });
    assert.equal(await c.call('echo', null), null);
    assert.equal(spawns, 1, 'one worker serves every call');
    assert.equal(c.pending, 0);
  });

  it('forwards progress in real units, in order, ending at done === total', async () => {
    const c = client();
    const reports: Progress[] = [];
    const result = await c.call('count', { n: 5, delayMs: 120 }, { progress: (p) => reports.push(p) });
    assert.equal(result, 'counting:5');
    // Steps 120 ms apart are slower than the 10 Hz throttle, so every one arrives.
    assert.deepEqual(
      reports.map((p) => p.done),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(reports[4], { stage: 'counting', done: 5, total: 5, unit: 'steps' });
  });

  it('throttles a flood of progress in the worker but keeps the first and the final report', async () => {
    const c = client();
    const reports: Progress[] = [];
    assert.equal(await c.call('flood', { n: 20000 }, { progress: (p) => reports.push(p) }), 20000);
    assert.ok(reports.length <= 5, `got ${reports.length} reports for 20000 updates`);
    assert.equal(reports[0].done, 1);
    assert.deepEqual(reports.at(-1), { stage: 'flood', done: 20000, total: 20000, unit: 'items' });
  });

  it('cancels cooperatively: the call rejects with an AbortError and the job sees its signal abort', async () => {
    const c = client();
    const before = await c.call('instance', undefined);
    const started = Date.now();
    await assert.rejects(
      c.call('waitForCancel', { token: 'first' }, { signal: abortAfter(50) }),
      (e: unknown) => isAbortError(e),
    );
    assert.ok(Date.now() - started < 1000);
    // Same worker (no respawn), and its job observed the abort.
    assert.equal(await c.call('instance', undefined), before);
    assert.deepEqual(await c.call('cancelledTokens', undefined), ['first']);
    assert.equal(spawns, 1);
  });

  it('rejects an already-aborted call without starting a worker', async () => {
    const c = client();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(c.call('echo', 1, { signal: controller.signal }), (e: unknown) => isAbortError(e));
    assert.equal(spawns, 0);
  });

  it('hard cancel terminates a blocked worker, fails the calls sharing it, and respawns on the next call', async () => {
    const c = client();
    const first = await c.call('instance', undefined);
    const bystander = c.call('count', { n: 100, delayMs: 50 });
    const started = Date.now();
    // spin blocks the worker for 30 s: only terminating it can stop it.
    await assert.rejects(
      c.call('spin', { ms: 30000 }, { signal: abortAfter(200), hardCancel: true }),
      (e: unknown) => isAbortError(e),
    );
    assert.ok(Date.now() - started < 2000, `hard cancel took ${Date.now() - started} ms`);
    await assert.rejects(bystander, isWorkerError('worker-terminated'));
    assert.equal(c.pending, 0);
    const second = await c.call('instance', undefined);
    assert.notEqual(second, first, 'a fresh worker answered');
    assert.equal(spawns, 2);
  });

  it('without hard cancel the blocked worker keeps running (the case hard cancel exists for)', async () => {
    const c = client();
    const first = await c.call('instance', undefined);
    const started = Date.now();
    await assert.rejects(c.call('spin', { ms: 800 }, { signal: abortAfter(100) }), (e: unknown) =>
      isAbortError(e),
    );
    assert.ok(Date.now() - started < 500, 'the caller is answered at once');
    assert.equal(await c.call('instance', undefined), first);
    assert.ok(Date.now() - started >= 750, 'the next call waited for the blocked job');
  });

  it('hard cancel with a grace period spares a worker whose job honours the cancel', async () => {
    const c = client();
    const first = await c.call('instance', undefined);
    await assert.rejects(
      c.call(
        'chunkedSpin',
        { chunks: 1000, chunkMs: 20 },
        { signal: abortAfter(100), hardCancel: { afterMs: 1500 } },
      ),
      (e: unknown) => isAbortError(e),
    );
    // Made while the grace period runs: held back, then sent to the same worker once the job stops.
    const started = Date.now();
    assert.equal(await c.call('instance', undefined), first, 'the worker survived');
    assert.ok(
      Date.now() - started < 1000,
      'sent as soon as the job acknowledged, not after the grace period',
    );
    assert.equal(spawns, 1);
  });

  it('hard cancel with a grace period terminates a worker whose job ignores the cancel', async () => {
    const c = client({ hardCancel: { afterMs: 150 } });
    const first = await c.call('instance', undefined);
    const started = Date.now();
    await assert.rejects(c.call('spin', { ms: 30000 }, { signal: abortAfter(100) }), (e: unknown) =>
      isAbortError(e),
    );
    // Made while the doomed worker still spins: held back, so it lands on the replacement.
    const second = await c.call('instance', undefined);
    assert.ok(Date.now() - started < 5000);
    assert.notEqual(second, first);
  });

  it('re-creates a JobError subclass with its name, code, file, message and worker stack', async () => {
    const c = client();
    const error = await c
      .call('fail', { code: 'missing-tag', message: 'no PixelData', file: 'CT.7.dcm' })
      .then(
        () => assert.fail('should reject'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof JobError);
    assert.equal(error.name, 'FixtureLoadError');
    assert.equal(error.code, 'missing-tag');
    assert.equal(error.file, 'CT.7.dcm');
    assert.equal(error.message, 'CT.7.dcm: no PixelData');
    assert.match(error.stack ?? '', /test-jobs\.ts/, 'the stack points into the worker code');
  });

  it('keeps a TypeError a TypeError with its message; a thrown string becomes an Error', async () => {
    const c = client();
    await assert.rejects(
      c.call('typeError', { message: 'expected a Volume, got undefined' }),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message === 'expected a Volume, got undefined' &&
        /test-jobs\.ts/.test(e.stack ?? ''),
    );
    await assert.rejects(
      c.call('throwString', undefined),
      (e: unknown) => e instanceof Error && e.message === 'a bare string',
    );
  });

  it('reports unknown jobs and uncloneable inputs or outputs as typed errors, and keeps working', async () => {
    const c = client();
    const unknown = c as unknown as WorkerClient<{ nope: (i: number) => Promise<number> }>;
    await assert.rejects(unknown.call('nope', 1), isWorkerError('unknown-job'));
    await assert.rejects(c.call('echo', { f: () => 1 }), isWorkerError('not-cloneable'));
    await assert.rejects(c.call('uncloneable', undefined), isWorkerError('not-cloneable'));
    assert.equal(await c.call('echo', 'still alive'), 'still alive');
    assert.equal(spawns, 1);
  });

  it('a crash rejects every call in flight with worker-crashed, and the next call respawns', async () => {
    const c = client();
    const first = await c.call('instance', undefined);
    const bystander = c.call('count', { n: 100, delayMs: 50 });
    await assert.rejects(
      c.call('crash', undefined),
      (e: unknown) => isWorkerError('worker-crashed')(e) && /fixture crash/.test((e as Error).message),
    );
    await assert.rejects(bystander, isWorkerError('worker-crashed'));
    assert.equal(c.pending, 0);
    assert.notEqual(await c.call('instance', undefined), first);
    assert.equal(spawns, 2);
  });

  it('an exiting worker counts as a crash too', async () => {
    const c = client();
    await assert.rejects(
      c.call('exit', { code: 7 }),
      (e: unknown) => isWorkerError('worker-crashed')(e) && /exited with code 7/.test((e as Error).message),
    );
    assert.equal(await c.call('echo', 'back'), 'back');
    assert.equal(spawns, 2);
  });

  it('multiplexes concurrent calls: each gets its own result and its own progress', async () => {
    const c = client();
    const progress: Record<string, number[]> = { a: [], b: [], c: [] };
    const calls = [
      c.call('count', { n: 3, delayMs: 150, stage: 'a' }, { progress: (p) => progress.a.push(p.done) }),
      c.call('count', { n: 6, delayMs: 30, stage: 'b' }, { progress: (p) => progress.b.push(p.done) }),
      c.call('count', { n: 2, delayMs: 10, stage: 'c' }, { progress: (p) => progress.c.push(p.done) }),
      c.call('echo', 'd'),
    ];
    assert.equal(c.pending, 4);
    assert.deepEqual(await Promise.all(calls), ['a:3', 'b:6', 'c:2', 'd']);
    assert.deepEqual(progress.a, [1, 2, 3]);
    assert.equal(progress.b.at(-1), 6);
    assert.ok(progress.b.every((d, i, all) => i === 0 || d > all[i - 1]));
    assert.equal(progress.c.at(-1), 2);
    assert.equal(spawns, 1);
  });

  it('cancelling one of several concurrent calls leaves the others alone', async () => {
    const c = client();
    const controller = new AbortController();
    const kept = c.call('count', { n: 4, delayMs: 40 });
    const cancelled = c.call('count', { n: 100, delayMs: 40 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 60);
    await assert.rejects(cancelled, (e: unknown) => isAbortError(e));
    assert.equal(await kept, 'counting:4');
  });

  it('transfers buffers both ways when asked to', async () => {
    const c = client();
    const data = new Float64Array([1, 2, 3.5]);
    const keep = data.buffer.slice(0); // what a caller that still needs the data would send instead
    assert.equal(await c.call('sum', data.buffer, { transfer: [data.buffer] }), 6.5);
    assert.equal(data.buffer.byteLength, 0, 'the transferred buffer is detached here');
    assert.equal(await c.call('sum', keep), 6.5);
    assert.equal(keep.byteLength, 24, 'a copied buffer stays usable');
    const made = await c.call('makeArray', { n: 4, value: 2.5 });
    assert.ok(made instanceof Float64Array);
    assert.deepEqual([...made], [2.5, 2.5, 2.5, 2.5]);
  });

  it('job(name) is an ordinary Job bound to the worker', async () => {
    const c = client();
    const count = c.job('count');
    const reports: number[] = [];
    assert.equal(
      await count({ n: 2, delayMs: 5, stage: 'j' }, { progress: (p) => reports.push(p.done) }),
      'j:2',
    );
    assert.deepEqual(reports, [1, 2]);
  });

  it('dispose rejects calls in flight as cancellations and refuses later calls', async () => {
    const c = client();
    const inFlight = c.call('count', { n: 100, delayMs: 50 });
    await new Promise((r) => setTimeout(r, 50));
    c.dispose();
    await assert.rejects(inFlight, (e: unknown) => isAbortError(e));
    await assert.rejects(c.call('echo', 1), isWorkerError('worker-disposed'));
  });

  it('reports a worker that fails to load as a crash', async () => {
    const c = createWorkerClient<NodeTestApi>(() =>
      spawnTsWorker(new URL('./fixtures/does-not-exist.ts', import.meta.url)),
    );
    clients.push(c);
    await assert.rejects(c.call('echo', 1), isWorkerError('worker-crashed'));
  });
});

describe('worker RPC over a plain MessagePort', { timeout: 10000 }, () => {
  it('serves jobs on any endpoint, and the stop function stops serving', async () => {
    const { port1, port2 } = new MessageChannel();
    const stop = exposeJobs({ double: async (n: number) => n * 2 }, nodeParentEndpoint(port2));
    const served = nodeParentEndpoint(port1);
    // A MessagePort cannot crash or be terminated: closing it is the closest thing.
    const endpoint: WorkerLike = {
      ...served,
      addEventListener: served.addEventListener as WorkerLike['addEventListener'],
      removeEventListener: served.removeEventListener as WorkerLike['removeEventListener'],
      terminate: () => port1.close(),
    };
    const c = createWorkerClient<{ double: (n: number) => Promise<number> }>(() => endpoint);
    assert.equal(await c.call('double', 21), 42);
    stop();
    const unanswered = await Promise.race([
      c.call('double', 1),
      new Promise((r) => setTimeout(() => r('no answer'), 200)),
    ]);
    assert.equal(unanswered, 'no answer');
    c.dispose();
    port2.close();
  });
});
