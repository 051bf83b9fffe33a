import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  JobError,
  abortError,
  createYielder,
  isAbortError,
  stagedProgress,
  throttleProgress,
  throwIfAborted,
  yieldToEventLoop,
  type Progress,
} from './job.ts';

/** A hand-driven clock for the throttles. */
function fakeClock(start = 0) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('throwIfAborted / abortError / isAbortError', () => {
  it('does nothing without a signal or with a live one', () => {
    throwIfAborted(undefined);
    throwIfAborted(new AbortController().signal);
  });

  it('throws a DOMException AbortError for a plain abort()', () => {
    const c = new AbortController();
    c.abort();
    assert.throws(
      () => throwIfAborted(c.signal),
      (e: unknown) => e instanceof DOMException && e.name === 'AbortError' && isAbortError(e),
    );
  });

  it('turns a string reason into an AbortError carrying it as the message', () => {
    const c = new AbortController();
    c.abort('user pressed stop');
    assert.throws(
      () => throwIfAborted(c.signal),
      (e: unknown) => isAbortError(e) && (e as Error).message === 'user pressed stop',
    );
    assert.equal(abortError(undefined).name, 'AbortError');
    assert.equal(abortError(42).message, 'The job was cancelled.');
  });

  it('passes an Error reason through, so a timeout stays a TimeoutError the UI reports', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((r) => setTimeout(r, 20));
    assert.throws(
      () => throwIfAborted(signal),
      (e: unknown) => (e as Error).name === 'TimeoutError' && !isAbortError(e),
    );
    const custom = new RangeError('stop');
    const c = new AbortController();
    c.abort(custom);
    assert.throws(
      () => throwIfAborted(c.signal),
      (e: unknown) => e === custom,
    );
  });

  it('recognises AbortErrors by name only, across realms', () => {
    const foreign = Object.assign(new Error('cancelled elsewhere'), { name: 'AbortError' });
    assert.equal(isAbortError(foreign), true);
    assert.equal(isAbortError({ name: 'AbortError' }), true);
    assert.equal(isAbortError(new TypeError('x')), false);
    assert.equal(isAbortError(new JobError('aborted', 'x')), false);
    assert.equal(isAbortError(null), false);
    assert.equal(isAbortError('AbortError'), false);
  });
});

describe('JobError', () => {
  it('carries a code and the file, and names the file in the message', () => {
    const e = new JobError('missing-tag', 'PixelData (7FE0,0010) is missing', { file: 'CT.1.2.3.dcm' });
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'JobError');
    assert.equal(e.code, 'missing-tag');
    assert.equal(e.file, 'CT.1.2.3.dcm');
    assert.equal(e.message, 'CT.1.2.3.dcm: PixelData (7FE0,0010) is missing');
    assert.match(String(e), /^JobError: CT\.1\.2\.3\.dcm: PixelData/);
  });

  it('lets subclasses set their own name and keeps the cause', () => {
    class DicomLoadError extends JobError {
      override name = 'DicomLoadError';
    }
    const cause = new RangeError('offset out of bounds');
    const e = new DicomLoadError('truncated', 'file ends inside an element', { cause });
    assert.ok(e instanceof JobError);
    assert.equal(e.name, 'DicomLoadError');
    assert.equal(e.file, undefined);
    assert.equal(e.message, 'file ends inside an element');
    assert.equal(e.cause, cause);
  });
});

describe('throttleProgress', () => {
  const report = (done: number, total = 100, stage = 's'): Progress => ({
    stage,
    done,
    total,
    unit: 'files',
  });

  it('delivers the first report, drops those within 100 ms and delivers the next one after', () => {
    const clock = fakeClock();
    const got: number[] = [];
    const p = throttleProgress((r) => got.push(r.done), 10, clock.now);
    p(report(1));
    clock.t = 50;
    p(report(2));
    clock.t = 99;
    p(report(3));
    clock.t = 100;
    p(report(4));
    clock.t = 150;
    p(report(5));
    clock.t = 230;
    p(report(6));
    assert.deepEqual(got, [1, 4, 6]);
  });

  it('always delivers the final done === total report, however soon', () => {
    const clock = fakeClock();
    const got: number[] = [];
    const p = throttleProgress((r) => got.push(r.done), 10, clock.now);
    for (let i = 1; i <= 1000; i++) {
      clock.t = i * 0.01; // 1000 reports within 10 ms
      p(report(i, 1000));
    }
    assert.deepEqual(got, [1, 1000]);
  });

  it('delivers the first report of each new stage', () => {
    const clock = fakeClock();
    const got: string[] = [];
    const p = throttleProgress((r) => got.push(`${r.stage}${r.done}`), 10, clock.now);
    p(report(1, 10, 'parse'));
    p(report(2, 10, 'parse'));
    p(report(1, 5, 'sort'));
    p(report(2, 5, 'sort'));
    assert.deepEqual(got, ['parse1', 'sort1']);
  });

  it('honours another rate and returns a no-op without a callback', () => {
    const clock = fakeClock();
    const got: number[] = [];
    const p = throttleProgress((r) => got.push(r.done), 2, clock.now); // 500 ms
    p(report(1));
    clock.t = 400;
    p(report(2));
    clock.t = 500;
    p(report(3));
    assert.deepEqual(got, [1, 3]);
    assert.doesNotThrow(() => throttleProgress(undefined)(report(1)));
  });
});

describe('stagedProgress', () => {
  it('forwards real units and adds the weighted overall fraction', () => {
    const got: Progress[] = [];
    const stage = stagedProgress(
      (p) => got.push(p),
      [
        { stage: 'parse', weight: 1 },
        { stage: 'infer', weight: 3 },
      ],
    );
    stage('parse')({ stage: 'parsing files', done: 50, total: 100, unit: 'files' });
    stage('parse')({ stage: 'parsing files', done: 100, total: 100, unit: 'files' });
    stage('infer')({ stage: 'inferring tiles', done: 6, total: 12, unit: 'tiles' });
    stage('infer')({ stage: 'inferring tiles', done: 12, total: 12, unit: 'tiles' });
    assert.deepEqual(
      got.map((p) => p.overall),
      [0.125, 0.25, 0.625, 1],
    );
    assert.deepEqual(got[2], { stage: 'inferring tiles', done: 6, total: 12, unit: 'tiles', overall: 0.625 });
  });

  it('uses a nested overall, treats an empty stage as done, and defaults weights to 1', () => {
    const got: number[] = [];
    const stage = stagedProgress((p) => got.push(p.overall!), ['a', 'b']);
    stage('a')({ stage: 'a', done: 0, total: 0 });
    stage('b')({ stage: 'b-inner', done: 1, total: 4, overall: 0.5 });
    assert.deepEqual(got, [0.5, 0.75]);
  });

  it('rejects unknown stages and bad weights, and works without a callback', () => {
    const stage = stagedProgress(undefined, ['a']);
    assert.doesNotThrow(() => stage('a')({ stage: 'a', done: 1, total: 2 }));
    assert.throws(() => stage('b'), /unknown stage "b"/);
    assert.throws(() => stagedProgress(undefined, [{ stage: 'a', weight: -1 }]), RangeError);
  });
});

describe('yieldToEventLoop / createYielder', () => {
  it('lets a queued task run before resuming (a resolved promise would not)', async () => {
    let ran = false;
    setImmediate(() => (ran = true));
    await Promise.resolve();
    assert.equal(ran, false);
    await yieldToEventLoop();
    assert.equal(ran, true);
  });

  it('lets a cancel that arrives during the yield surface as an AbortError', async () => {
    const c = new AbortController();
    setImmediate(() => c.abort());
    await assert.rejects(yieldToEventLoop(c.signal), (e: unknown) => isAbortError(e));
  });

  it('a tight loop with createYielder notices a cancel sent from another task', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 20);
    const tick = createYielder(c.signal, 2);
    let iterations = 0;
    const started = Date.now();
    await assert.rejects(
      (async () => {
        for (;;) {
          iterations++;
          await tick();
        }
      })(),
      (e: unknown) => isAbortError(e),
    );
    assert.ok(Date.now() - started < 1000, 'the loop stopped soon after the abort');
    assert.ok(iterations > 10, `looped ${iterations} times`);
  });

  it('createYielder only yields once a slice has elapsed', async () => {
    const clock = fakeClock();
    const tick = createYielder(undefined, 10, clock.now);
    let ran = false;
    setImmediate(() => (ran = true));
    clock.t = 5;
    await tick();
    assert.equal(ran, false, 'no yield within the slice');
    clock.t = 10;
    await tick();
    assert.equal(ran, true, 'yielded once the slice was used up');
  });
});
