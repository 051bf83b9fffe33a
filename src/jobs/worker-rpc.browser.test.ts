// The worker RPC across a real module Web Worker in Chromium. The worker is the TypeScript file
// fixtures/browser-worker.ts: the test runner's dev server compiles any requested .ts with esbuild,
// whether a page or a worker asks for it, so `new Worker(new URL(…ts, import.meta.url), { type:
// 'module' })` works unchanged (a production build must bundle the worker, e.g. Vite's `?worker`).
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { JobError, isAbortError, type Progress } from './job.ts';
import { WorkerError, createWorkerClient, type WorkerClient, type WorkerLike } from './worker-rpc.ts';
import type { TestApi } from './fixtures/test-jobs.ts';

const workerUrl = new URL('./fixtures/browser-worker.ts', import.meta.url);

let client: WorkerClient<TestApi>;
let spawns = 0;

function spawn(): WorkerLike {
  spawns++;
  return new Worker(workerUrl, { type: 'module' });
}

/** The settled error of a promise that must reject. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to reject');
}

const abortAfter = (ms: number) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
};

describe('worker RPC (browser module Worker)', () => {
  beforeEach(() => {
    spawns = 0;
    client = createWorkerClient<TestApi>(spawn);
  });
  afterEach(() => client.dispose());

  it('runs jobs in the worker and forwards throttled progress', async () => {
    expect(await client.call('echo', { a: [1, 2] })).to.deep.equal({ a: [1, 2] });
    const steps: Progress[] = [];
    expect(await client.call('count', { n: 4, delayMs: 120 }, { progress: (p) => steps.push(p) })).to.equal(
      'counting:4',
    );
    expect(steps.map((p) => p.done)).to.deep.equal([1, 2, 3, 4]);
    expect(steps[3]).to.deep.equal({ stage: 'counting', done: 4, total: 4, unit: 'steps' });
    const flood: Progress[] = [];
    expect(await client.call('flood', { n: 20000 }, { progress: (p) => flood.push(p) })).to.equal(20000);
    expect(flood.length).to.be.at.most(5);
    expect(flood[0].done).to.equal(1);
    expect(flood.at(-1)!.done).to.equal(20000);
    expect(spawns).to.equal(1);
  });

  it('cancels cooperatively inside the worker', async () => {
    const before = await client.call('instance', undefined);
    const error = await rejection(
      client.call('waitForCancel', { token: 'browser' }, { signal: abortAfter(50) }),
    );
    expect(isAbortError(error), String(error)).to.equal(true);
    expect(await client.call('cancelledTokens', undefined)).to.deep.equal(['browser']);
    expect(await client.call('instance', undefined)).to.equal(before);
  });

  it('hard-cancels a blocked worker by terminating it, and respawns on the next call', async () => {
    const before = await client.call('instance', undefined);
    const started = performance.now();
    const error = await rejection(
      client.call('spin', { ms: 30000 }, { signal: abortAfter(200), hardCancel: true }),
    );
    expect(isAbortError(error)).to.equal(true);
    expect(performance.now() - started).to.be.below(2000);
    expect(await client.call('instance', undefined)).to.not.equal(before);
    expect(spawns).to.equal(2);
  });

  it('propagates errors with their type, code, file and worker stack', async () => {
    const failed = await rejection(
      client.call('fail', { code: 'bad-header', message: 'not a DICOM file', file: 'scan.dcm' }),
    );
    expect(failed).to.be.instanceOf(JobError);
    const jobError = failed as JobError;
    expect(jobError.name).to.equal('FixtureLoadError');
    expect(jobError.code).to.equal('bad-header');
    expect(jobError.file).to.equal('scan.dcm');
    expect(jobError.message).to.equal('scan.dcm: not a DICOM file');
    expect(jobError.stack).to.contain('test-jobs.ts');
    const typeError = await rejection(client.call('typeError', { message: 'expected a Volume' }));
    expect(typeError).to.be.instanceOf(TypeError);
    expect((typeError as Error).message).to.equal('expected a Volume');
  });

  it('transfers buffers to and from the worker', async () => {
    const data = new Float64Array([1, 2, 3]);
    expect(await client.call('sum', data.buffer, { transfer: [data.buffer] })).to.equal(6);
    expect(data.buffer.byteLength).to.equal(0);
    const made = await client.call('makeArray', { n: 3, value: 4 });
    expect(made).to.be.instanceOf(Float64Array);
    expect([...made]).to.deep.equal([4, 4, 4]);
  });

  it('turns an uncaught error in the worker into worker-crashed for every call in flight, then respawns', async () => {
    const before = await client.call('instance', undefined);
    const bystander = rejection(client.call('count', { n: 100, delayMs: 50 }));
    const crashed = await rejection(client.call('crash', undefined));
    expect(crashed).to.be.instanceOf(WorkerError);
    expect((crashed as WorkerError).code).to.equal('worker-crashed');
    expect((crashed as Error).message).to.contain('fixture crash');
    expect(((await bystander) as WorkerError).code).to.equal('worker-crashed');
    expect(await client.call('instance', undefined)).to.not.equal(before);
  });

  it('reports a worker script that fails to load as worker-crashed', async () => {
    const broken = createWorkerClient<TestApi>(
      () => new Worker(new URL('./fixtures/does-not-exist.ts', import.meta.url), { type: 'module' }),
    );
    try {
      const error = await rejection(broken.call('echo', 1));
      expect(error).to.be.instanceOf(WorkerError);
      expect((error as WorkerError).code).to.equal('worker-crashed');
    } finally {
      broken.dispose();
    }
  });
});
