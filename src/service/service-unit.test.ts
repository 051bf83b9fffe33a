// The service's pure parts: job ids and RTSTRUCT UIDs derived from the job alone, the retrying fetch against a
// real local HTTP server, and where the PACS credentials may come from.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidUid } from '../io/dicom/uid.ts';
import { AUTH_ENV, AUTH_FILE_ENV, CredentialsError, authorizationFromEnvironment, retryingFetch } from './http.ts';
import { rtstructSeriesDescription, rtstructUids, segmentJobId } from './job-id.ts';

describe('job ids', () => {
  const job = { seriesInstanceUid: '1.2.3.4', modelId: 'hn-oar', modelVersion: '0.3.1' };
  it('derive from series, model and version alone', async () => {
    assert.equal(segmentJobId(job), '1.2.3.4~hn-oar~0.3.1');
    assert.notEqual(segmentJobId({ ...job, modelVersion: '0.3.2' }), segmentJobId(job));
    assert.throws(() => segmentJobId({ ...job, modelId: 'a:b' }), RangeError);
  });
  it('give the same valid, distinct RTSTRUCT UIDs on every run', async () => {
    const a = await rtstructUids(segmentJobId(job));
    assert.deepEqual(await rtstructUids(segmentJobId(job)), a);
    assert.ok(isValidUid(a.seriesInstanceUid) && isValidUid(a.sopInstanceUid));
    assert.notEqual(a.seriesInstanceUid, a.sopInstanceUid);
    assert.notEqual((await rtstructUids(segmentJobId({ ...job, seriesInstanceUid: '1.2.3.5' }))).seriesInstanceUid, a.seriesInstanceUid);
    assert.equal(rtstructSeriesDescription('hn-oar', '0.3.1'), 'Delineo hn-oar 0.3.1');
  });
});

describe('retryingFetch', () => {
  let server: Server;
  let url: string;
  let answers: number[] = [];
  let hits = 0;
  before(async () => {
    server = createServer((_req, res) => {
      const status = answers[hits++] ?? 200;
      if (status === 0) return; // never answers
      res.writeHead(status).end(String(status));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

  it('retries 503 and 429 with back-off until an answer', async () => {
    answers = [503, 429, 200];
    hits = 0;
    const retries: string[] = [];
    const r = await retryingFetch({ retries: 3, backoffMs: 5, onRetry: (i) => retries.push(i.reason) })(url);
    assert.equal(r.status, 200);
    assert.deepEqual(retries, ['HTTP 503', 'HTTP 429']);
  });
  it('returns the last failure after the last retry, and does not retry a 404', async () => {
    answers = [503, 503, 503];
    hits = 0;
    assert.equal((await retryingFetch({ retries: 2, backoffMs: 5 })(url)).status, 503);
    assert.equal(hits, 3);
    answers = [404];
    hits = 0;
    assert.equal((await retryingFetch({ retries: 2, backoffMs: 5 })(url)).status, 404);
    assert.equal(hits, 1);
  });
  it('gives up on a server that does not answer within the time limit', async () => {
    answers = [0, 0];
    hits = 0;
    await assert.rejects(retryingFetch({ retries: 1, backoffMs: 5, timeoutMs: 200 })(url), /no answer within 0.2 s/);
    assert.equal(hits, 2);
  });
  it('never retries the caller\'s own cancel', async () => {
    answers = [0];
    hits = 0;
    const c = new AbortController();
    const p = retryingFetch({ retries: 3, backoffMs: 5, timeoutMs: 10_000 })(url, { signal: c.signal });
    c.abort();
    await assert.rejects(p, { name: 'AbortError' });
  });
});

describe('PACS credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'delineo-auth-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('come from the environment or a file that is read again before each request', () => {
    assert.equal(authorizationFromEnvironment({}), undefined);
    assert.deepEqual(authorizationFromEnvironment({ [AUTH_ENV]: 'Bearer abc ' })!(), { Authorization: 'Bearer abc' });
    const file = join(dir, 'token');
    writeFileSync(file, 'Bearer one\n');
    const hook = authorizationFromEnvironment({ [AUTH_FILE_ENV]: file })!;
    assert.deepEqual(hook(), { Authorization: 'Bearer one' });
    writeFileSync(file, 'Bearer two\n');
    assert.deepEqual(hook(), { Authorization: 'Bearer two' });
  });
  it('fail with a typed error naming the file', () => {
    assert.throws(() => authorizationFromEnvironment({ [AUTH_FILE_ENV]: join(dir, 'missing') }), (e: unknown) => e instanceof CredentialsError && e.code === 'credentials-unreadable' && e.message.includes('missing'));
    assert.throws(() => authorizationFromEnvironment({ [AUTH_ENV]: 'x', [AUTH_FILE_ENV]: 'y' }), CredentialsError);
  });
});
