// What the auto-contouring service does with bad input and a failing environment, against a real redis-server
// and a real Orthanc: a series that is not CT, a CT the model rejects, the PACS going down in the middle of a
// job, and Redis restarted under a running worker.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { startOrthanc, type OrthancServer } from '../../test/fixtures/io/orthanc.ts';
import { startRedis, type RedisServer } from '../../test/fixtures/service/redis.ts';
import { lung1Series } from '../../test/fixtures/service/ct-series.ts';
import { setEl } from '../../test/fixtures/io/bad-dicom-corpus.ts';
import { waitFor } from '../../test/fixtures/service/cli-process.ts';
import { DicomWebClient } from '../io/dicomweb/client.ts';
import { EXTERNAL_LUNGS_BONES } from '../inference/rules/external-lungs-bones.ts';
import { AUTH_ENV } from './http.ts';
import { ServiceQueue } from './queue.ts';
import { startWorker, type ServiceWorker } from './worker.ts';
import type { SegmentJobData } from './job-id.ts';

const MODEL = EXTERNAL_LUNGS_BONES;
const RTDOSE = join(import.meta.dirname, '../../../shared/data/pydicom-rt/rtdose.dcm');
let redis: RedisServer;
let orthanc: OrthancServer;
let pacs: DicomWebClient;
const closers: (() => Promise<void>)[] = [];

before(async () => {
  [redis, orthanc] = await Promise.all([startRedis(), startOrthanc()]);
  pacs = new DicomWebClient({ baseUrl: orthanc.dicomWebUrl, headers: () => ({ Authorization: orthanc.authorization }) });
  // The worker threads read the PACS credentials from the environment, as in production.
  process.env[AUTH_ENV] = orthanc.authorization;
});
after(async () => {
  for (const c of closers.reverse()) await c();
  await Promise.all([redis?.stop(), orthanc?.stop()]);
});

/** A queue and one in-process worker on it (worker threads, as `delineo worker` runs them). */
function service(name: string, dicomweb = orthanc.dicomWebUrl, http = {}) {
  const queue = new ServiceQueue(redis.url, name);
  const log: string[] = [];
  const worker: ServiceWorker = startWorker({ redis: redis.url, queue: name, dicomweb, concurrency: 1, http, log: (l) => log.push(l) });
  closers.push(() => queue.close(), () => worker.close());
  return { queue, worker, log };
}

const jobData = (studyInstanceUid: string, seriesInstanceUid: string): SegmentJobData => ({ studyInstanceUid, seriesInstanceUid, modelId: MODEL.id, modelVersion: MODEL.version });

async function settled(queue: ServiceQueue, jobId: string) {
  return waitFor(`job ${jobId} to finish`, 120_000, async () => {
    const j = await queue.job(jobId);
    return j && (j.state === 'completed' || j.state === 'failed') ? j : undefined;
  });
}

const rtstructs = async (study: string) => pacs.searchSeries(study, { Modality: 'RTSTRUCT' });

describe('auto-contouring service: bad input', () => {
  it('skips a series that is not CT, with the reason', { timeout: 120_000 }, async () => {
    const { queue } = service('not-ct');
    const bytes = new Uint8Array(readFileSync(RTDOSE));
    await pacs.store([bytes]);
    const [study] = await pacs.searchStudies({ PatientID: '*', ModalitiesInStudy: 'RTDOSE' });
    const [series] = await pacs.searchSeries(study.studyInstanceUid, { Modality: 'RTDOSE' });
    const { jobId } = await queue.submit(jobData(study.studyInstanceUid, series.seriesInstanceUid));
    const j = await settled(queue, jobId);
    assert.equal(j.state, 'completed');
    assert.equal(j.result?.status, 'skipped');
    assert.match(j.result?.status === 'skipped' ? j.result.reason : '', new RegExp(`series ${series.seriesInstanceUid.replace(/\./g, '\\.')} .* is RTDOSE, not CT`));
    const summary = await queue.summary();
    assert.deepEqual(summary.skipped.map((s) => s.id), [jobId]);
    assert.deepEqual(await rtstructs(study.studyInstanceUid), []);
  });

  it('fails a CT the model rejects with the model\'s message, at once, and writes no RTSTRUCT', { timeout: 120_000 }, async () => {
    const { queue } = service('rejected');
    // A real defect: a rescale intercept that does not give Hounsfield units (no air below −500 HU).
    const [ct] = lung1Series(1, 8, { first: 60, tag: 'REJECT', edit: (ds) => setEl(ds, '00281052', 'DS', [1024]) });
    for (const f of ct.files) await pacs.store([f]);
    const { jobId } = await queue.submit(jobData(ct.studyInstanceUid, ct.seriesInstanceUid), { attempts: 3, backoffMs: 100 });
    const j = await settled(queue, jobId);
    assert.equal(j.state, 'failed');
    assert.match(j.failedReason ?? '', /not Hounsfield units of a patient CT/);
    assert.equal(j.attemptsMade, 1, 'a model rejection is not retried');
    assert.deepEqual(await rtstructs(ct.studyInstanceUid), []);
    const summary = await queue.summary();
    assert.equal(summary.failures[0]?.id, jobId);
    assert.match(summary.failures[0].reason, /not Hounsfield units/);
  });

  it('retries when the PACS goes down in the middle of a job, then fails with the reason', { timeout: 120_000 }, async () => {
    // A PACS that goes down when the worker, having retrieved and contoured the CT, comes to store the result.
    let down = false;
    const sockets = new Set<Socket>();
    const proxy: Server = createServer(async (req, res) => {
      if (req.method === 'POST') down = true;
      if (down) return void req.socket.destroy();
      const upstream = await fetch(`${orthanc.url}${req.url}`, { method: req.method, headers: req.headers as Record<string, string> });
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
      res.end(new Uint8Array(await upstream.arrayBuffer()));
    });
    proxy.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => (sockets.forEach((s) => s.destroy()), proxy.close(() => r()))));
    const root = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/dicom-web`;
    const { queue, log } = service('pacs-down', root, { retries: 2, backoffMs: 50 });
    const [ct] = lung1Series(1, 8, { first: 70, tag: 'DOWN' });
    for (const f of ct.files) await pacs.store([f]);
    const { jobId } = await queue.submit(jobData(ct.studyInstanceUid, ct.seriesInstanceUid), { attempts: 2, backoffMs: 200 });
    const j = await settled(queue, jobId);
    assert.equal(j.state, 'failed');
    assert.equal(j.attemptsMade, 2, 'the job was retried');
    assert.ok(down, 'the PACS went down when the worker stored');
    assert.match(j.failedReason ?? '', new RegExp(`^http://127\\.0\\.0\\.1:\\d+/dicom-web/studies/${ct.studyInstanceUid.replace(/\./g, '\\.')}.*could not be reached`));
    assert.ok(log.some((l) => /failed, may be retried/.test(l)), log.join('\n'));
    assert.deepEqual(await rtstructs(ct.studyInstanceUid), [], 'nothing reached the PACS');
  });

  it('keeps working across a Redis restart', { timeout: 180_000 }, async () => {
    const { queue, log } = service('redis-restart');
    const [before, afterRestart] = lung1Series(2, 8, { first: 80, tag: 'REDIS' });
    for (const f of [...before.files, ...afterRestart.files]) await pacs.store([f]);
    const first = await queue.submit(jobData(before.studyInstanceUid, before.seriesInstanceUid));
    assert.equal((await settled(queue, first.jobId)).state, 'completed', log.join('\n'));
    await redis.restart();
    const second = await waitFor('a submit after the restart', 60_000, () => queue.submit(jobData(afterRestart.studyInstanceUid, afterRestart.seriesInstanceUid)).catch(() => undefined));
    assert.equal((await settled(queue, second.jobId)).state, 'completed', log.join('\n'));
    assert.equal((await rtstructs(afterRestart.studyInstanceUid)).length, 1);
    // The append-only file kept the first job across the restart: submitting it again adds nothing.
    const again = await queue.submit(jobData(before.studyInstanceUid, before.seriesInstanceUid));
    assert.deepEqual([again.created, again.state], [false, 'completed']);
  });
});
