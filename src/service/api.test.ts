// The service's HTTP front (`delineo api`) against a real redis-server on loopback: idempotent submits, the job
// as a browser reads it (state, progress, the stored RTSTRUCT's UIDs, a failure's reason), 404 and 400 answers
// that name what is wrong, CORS for the configured origin only, and the bearer token. The command itself runs as
// a separate process (bin/delineo.js) with its token from the environment.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type RedisServer } from '../../test/fixtures/service/redis.ts';
import { startCli, waitFor } from '../../test/fixtures/service/cli-process.ts';
import { EXTERNAL_LUNGS_BONES } from '../inference/rules/external-lungs-bones.ts';
import { apiTokenFromEnvironment, startApi } from './api.ts';
import { segmentJobId, type SegmentJobResult } from './job-id.ts';
import { consumeQueue, ServiceQueue, UnrecoverableError } from './queue.ts';

const MODEL = { id: EXTERNAL_LUNGS_BONES.id, version: EXTERNAL_LUNGS_BONES.version, name: EXTERNAL_LUNGS_BONES.name };
const ORIGIN = 'https://portal.example.org';
const TOKEN = 'test-token-7f3a';
const STUDY = '1.2.826.0.1.3680043.8.498.1';
const auth = { Authorization: `Bearer ${TOKEN}` };
let redis: RedisServer;
let queue: ServiceQueue;
let api: Awaited<ReturnType<typeof startApi>>;
const scratch = mkdtempSync(join(tmpdir(), 'delineo-api-'));

before(async () => {
  redis = await startRedis();
  queue = new ServiceQueue(redis.url, 'api-test');
  api = await startApi({ queue, models: [MODEL], port: 0, allowOrigin: ORIGIN, token: () => TOKEN });
});
after(async () => {
  await api?.close();
  await queue?.close();
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = auth) =>
  fetch(new URL('jobs', api.url), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const get = (path: string, headers: Record<string, string> = auth) => fetch(new URL(path, api.url), { headers });
let n = 0;
const series = () => `${STUDY}.${++n}`;

describe('delineo api', () => {
  it('submitting a series twice makes one job, with the id `delineo submit` gives it', async () => {
    const s = series();
    const a = await post({ studyInstanceUid: STUDY, seriesInstanceUid: s, model: MODEL.id });
    assert.equal(a.status, 202);
    const first = await a.json();
    const id = segmentJobId({ seriesInstanceUid: s, modelId: MODEL.id, modelVersion: MODEL.version });
    assert.deepEqual(first, { id, state: 'waiting', created: true });
    const second = await (await post({ studyInstanceUid: STUDY, seriesInstanceUid: s, model: MODEL.id })).json();
    assert.deepEqual(second, { id, state: 'waiting', created: false });
    const direct = await queue.submit({ studyInstanceUid: STUDY, seriesInstanceUid: s, modelId: MODEL.id, modelVersion: MODEL.version });
    assert.equal(direct.created, false, 'the CLI submit finds the same job');
    const jobs = await queue.queue.getJobs(['waiting']);
    assert.equal(jobs.filter((j) => j.data.seriesInstanceUid === s).length, 1);
    const read = await get(`jobs/${encodeURIComponent(id)}`);
    assert.equal(read.status, 200);
    assert.deepEqual(await read.json(), { id, state: 'waiting', model: { id: MODEL.id, version: MODEL.version }, progress: null });
  });

  it('reports a job as a worker leaves it: progress, the stored RTSTRUCT, a failure with its reason', async () => {
    const ok = series();
    const bad = series();
    const uids = { rtstructSeriesUid: `${ok}.100`, rtstructSopUid: `${ok}.100.1` };
    // A BullMQ consumer on the same queue: what the API reads is what any worker stores on its job.
    const consumer = consumeQueue(redis.url, 'api-test', async (job) => {
      if (job.data.seriesInstanceUid === bad) throw new UnrecoverableError('the CT has no Hounsfield units');
      await job.updateProgress({ stage: 'segment', done: 3, total: 4, unit: 'slices', overall: 0.8 });
      return { status: 'stored', ...uids, structures: ['External'], warnings: [] } satisfies SegmentJobResult;
    }, { concurrency: 1 });
    try {
      const okId = (await (await post({ studyInstanceUid: STUDY, seriesInstanceUid: ok, model: MODEL.id })).json()).id as string;
      const badId = (await (await post({ studyInstanceUid: STUDY, seriesInstanceUid: bad, model: MODEL.id })).json()).id as string;
      const done = await waitFor('the job to complete', 30_000, async () => {
        const j = await (await get(`jobs/${encodeURIComponent(okId)}`)).json();
        return j.state === 'completed' ? j : undefined;
      });
      assert.deepEqual(done, {
        id: okId,
        state: 'completed',
        model: { id: MODEL.id, version: MODEL.version },
        progress: { stage: 'segment', done: 3, total: 4, unit: 'slices', overall: 0.8 },
        rtstruct: { studyInstanceUid: STUDY, seriesInstanceUid: uids.rtstructSeriesUid, sopInstanceUid: uids.rtstructSopUid },
      });
      const failed = await waitFor('the job to fail', 30_000, async () => {
        const j = await (await get(`jobs/${encodeURIComponent(badId)}`)).json();
        return j.state === 'failed' ? j : undefined;
      });
      assert.equal(failed.failedReason, 'the CT has no Hounsfield units');
      assert.equal(failed.rtstruct, undefined);
    } finally {
      await consumer.close();
    }
  });

  it('answers 404 for a job it does not hold and for an unknown route, as JSON with a message', async () => {
    const r = await get(`jobs/${encodeURIComponent(`${STUDY}.999~${MODEL.id}~${MODEL.version}`)}`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.match((await r.json()).error, /^no job 1\.2\.826/);
    const route = await get('nothing');
    assert.equal(route.status, 404);
    assert.match((await route.json()).error, /no route GET \/nothing/);
  });

  it('refuses a bad body with 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ seriesInstanceUid: series(), model: MODEL.id }, /^studyInstanceUid: a DICOM UID is required/],
      [{ studyInstanceUid: STUDY, seriesInstanceUid: '1.2.x', model: MODEL.id }, /^seriesInstanceUid: a DICOM UID is required.*"1\.2\.x"/],
      [{ studyInstanceUid: STUDY, seriesInstanceUid: series(), model: 'hn-oar' }, /^model: "hn-oar" is not a model this service runs \(ct-external-lungs-bones\)/],
      [{ studyInstanceUid: STUDY, seriesInstanceUid: series() }, /^model: null is not a model/],
      ['{"studyInstanceUid": ', /^the body is not valid JSON/],
      [[1, 2], /^the body must be a JSON object/],
    ];
    const before = Object.values(await queue.queue.getJobCounts()).reduce((a, b) => a + b, 0);
    for (const [body, message] of cases) {
      const r = await post(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match((await r.json()).error, message);
    }
    const notJson = await fetch(new URL('jobs', api.url), { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain' }, body: '{}' });
    assert.equal(notJson.status, 415);
    const now = Object.values(await queue.queue.getJobCounts()).reduce((a, b) => a + b, 0);
    assert.equal(now, before, 'no bad body made a job');
  });

  it('sends CORS headers to the configured origin only, and answers its preflight without a token', async () => {
    const allowed = await get('models', { ...auth, Origin: ORIGIN });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN);
    assert.deepEqual(await allowed.json(), { models: [MODEL] });
    const other = await get('models', { ...auth, Origin: 'https://evil.example.com' });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const none = await get('models');
    assert.equal(none.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(new URL('jobs', api.url), { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const otherPreflight = await fetch(new URL('jobs', api.url), { method: 'OPTIONS', headers: { Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(otherPreflight.headers.get('access-control-allow-origin'), null);
  });

  it('requires the bearer token on every route', async () => {
    for (const headers of [{} as Record<string, string>, { Authorization: 'Bearer wrong' }, { Authorization: TOKEN }, { Authorization: `Basic ${TOKEN}` }]) {
      for (const r of [await get('models', headers), await post({ studyInstanceUid: STUDY, seriesInstanceUid: series(), model: MODEL.id }, headers)]) {
        assert.equal(r.status, 401, JSON.stringify(headers));
        assert.equal(r.headers.get('www-authenticate'), 'Bearer');
        assert.match((await r.json()).error, /bearer token is required/);
      }
    }
    assert.equal((await get('models')).status, 200);
  });

  it('reads the token from the environment or a file, never both', () => {
    const file = join(scratch, 'token');
    writeFileSync(file, 'from-file\n', { mode: 0o600 });
    assert.equal(apiTokenFromEnvironment({ DELINEO_API_TOKEN: ' abc ' })!(), 'abc');
    const fromFile = apiTokenFromEnvironment({ DELINEO_API_TOKEN_FILE: file })!;
    assert.equal(fromFile(), 'from-file');
    writeFileSync(file, 'rotated\n');
    assert.equal(fromFile(), 'rotated', 'a rotated token is used without a restart');
    assert.equal(apiTokenFromEnvironment({}), undefined);
    assert.throws(() => apiTokenFromEnvironment({ DELINEO_API_TOKEN: 'a', DELINEO_API_TOKEN_FILE: file }), /not both/);
    assert.throws(() => apiTokenFromEnvironment({ DELINEO_API_TOKEN_FILE: join(scratch, 'missing') }), /cannot be read/);
  });

  it('`delineo api` serves the queue, with the token from a file and the models from --model', async () => {
    const file = join(scratch, 'cli-token');
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    const cli = startCli('api', ['api', '--redis', redis.url, '--queue', 'api-test', '--port', '0', '--model', MODEL.id, '--allow-origin', ORIGIN], { DELINEO_API_TOKEN_FILE: file });
    try {
      const line = await cli.waitForLine(/^api ready: /, 60_000);
      assert.match(line, /bearer token required; CORS https:\/\/portal\.example\.org\)$/);
      const url = /^api ready: (\S+)/.exec(line)![1];
      assert.equal((await fetch(new URL('models', url))).status, 401);
      const r = await fetch(new URL('models', url), { headers: { ...auth, Origin: ORIGIN } });
      assert.deepEqual(await r.json(), { models: [MODEL] });
      assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    } finally {
      cli.child.kill('SIGTERM');
    }
    assert.equal(await cli.exited, 0);
    const bad = startCli('api (no model)', ['api', '--redis', redis.url, '--port', '0']);
    assert.equal(await bad.exited, 2);
    assert.ok(bad.lines.some((l) => /--model is required/.test(l)), bad.lines.join('\n'));
  });
});
