// The auto-contouring service end to end, with nothing mocked: a real redis-server and a real Orthanc with its
// DICOMweb plugin on loopback ports, `delineo watch` and `delineo worker` as separate processes. Four CT series
// arrive instance by instance, as from a scanner; the first worker is killed with SIGKILL while it holds a job,
// a second worker takes over (stalled-job recovery), the watcher is restarted, and every study ends with exactly
// one RTSTRUCT from Delineo that references its CT, holds the model's structures and passes dciodvfy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrthanc, type OrthancServer } from '../../test/fixtures/io/orthanc.ts';
import { startRedis, type RedisServer } from '../../test/fixtures/service/redis.ts';
import { lung1Series, naturalized, type DicomItem as Item, type TestSeries } from '../../test/fixtures/service/ct-series.ts';
import { startCli, waitFor, type CliProcess } from '../../test/fixtures/service/cli-process.ts';
import { dciodvfy } from '../../test/helpers/external-tools.ts';
import { DicomWebClient } from '../io/dicomweb/client.ts';
import { EXTERNAL_LUNGS_BONES } from '../inference/rules/external-lungs-bones.ts';
import { ServiceQueue } from './queue.ts';
import { segmentJobId } from './job-id.ts';

const MODEL = EXTERNAL_LUNGS_BONES;
const QUEUE = 'e2e';
const scratch = mkdtempSync(join(tmpdir(), 'delineo-service-e2e-'));
let redis: RedisServer;
let orthanc: OrthancServer;
let pacs: DicomWebClient;
let queue: ServiceQueue;
const processes: CliProcess[] = [];

before(async () => {
  [redis, orthanc] = await Promise.all([startRedis(), startOrthanc()]);
  pacs = new DicomWebClient({ baseUrl: orthanc.dicomWebUrl, headers: () => ({ Authorization: orthanc.authorization }) });
  queue = new ServiceQueue(redis.url, QUEUE);
});
after(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  await queue?.close();
  await Promise.all([redis?.stop(), orthanc?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
});

/** The Delineo RTSTRUCT series of a study. */
async function delineoRtstructs(study: string) {
  return (await pacs.searchSeries(study, { Modality: 'RTSTRUCT', includefield: ['0008103E', '00201209'] })).filter((s) => s.seriesDescription.startsWith('Delineo '));
}

// dcmjs gives a one-item sequence as an object, a longer one as an array.
const list = (v: Item | Item[] | string | undefined): Item[] => (v === undefined || typeof v === 'string' ? [] : Array.isArray(v) ? v : [v]);
const first = (v: Item | Item[] | string | undefined): Item => list(v)[0];

describe('auto-contouring service', () => {
  it('contours four CT series once each through a worker killed with SIGKILL and a watcher restarted', { timeout: 300_000 }, async () => {
    // Credentials travel in the environment (a file here, as a deployment's secret would be), never in argv.
    const authFile = join(scratch, 'pacs-authorization');
    writeFileSync(authFile, `${orthanc.authorization}\n`, { mode: 0o600 });
    const env = { DELINEO_DICOMWEB_AUTHORIZATION_FILE: authFile };
    const common = ['--redis', redis.url, '--queue', QUEUE];
    const watchArgs = ['watch', ...common, '--dicomweb', orthanc.dicomWebUrl, '--model', MODEL.id, '--interval', '1', '--settle', '3'];
    const workerArgs = ['worker', ...common, '--dicomweb', orthanc.dicomWebUrl, '--lock-ms', '4000', '--stalled-ms', '2000'];
    const start = (name: string, args: string[]) => {
      const p = startCli(name, args, env);
      processes.push(p);
      return p;
    };

    const watcher = start('watch', watchArgs);
    const workerA = start('worker A', workerArgs);
    await Promise.all([watcher.waitForLine(/^poll: /, 60_000), workerA.waitForLine(/^worker ready/, 60_000)]);

    const series: TestSeries[] = lung1Series(4, 20, { first: 30, tag: 'E2E' });
    for (const s of series) for (const f of s.files) await pacs.store([f]);

    // SIGKILL the first worker once the first structure set exists and it holds another job.
    const held = await waitFor('the first RTSTRUCT and a job held by worker A', 180_000, async () => {
      const stored = (await Promise.all(series.map((s) => delineoRtstructs(s.studyInstanceUid)))).flat();
      const active = await queue.queue.getJobs(['active']);
      return stored.length >= 1 && active.length >= 1 ? active.map((j) => j.id!) : undefined;
    });
    workerA.child.kill('SIGKILL');
    assert.equal(await workerA.exited, 'SIGKILL');

    const workerB = start('worker B', workerArgs);
    watcher.child.kill('SIGTERM');
    assert.equal(await watcher.exited, 0, watcher.lines.join('\n'));
    const watcher2 = start('watch (restarted)', watchArgs);
    const firstPoll = await watcher2.waitForLine(/^poll: /, 60_000);
    assert.match(firstPoll, /, 0 submitted, 0 settling$/, 'the restarted watcher resubmits nothing');

    const ids = series.map((s) => segmentJobId({ seriesInstanceUid: s.seriesInstanceUid, modelId: MODEL.id, modelVersion: MODEL.version }));
    const finished = await waitFor('every job to finish', 240_000, async () => {
      const states = await Promise.all(ids.map(async (id) => (await queue.job(id))?.state));
      return states.every((s) => s === 'completed' || s === 'failed') ? states : undefined;
    });
    assert.deepEqual(finished, ['completed', 'completed', 'completed', 'completed'], `${workerB.lines.join('\n')}`);
    const summary = await queue.summary();
    assert.deepEqual(summary.counts, { waiting: 0, prioritized: 0, delayed: 0, active: 0, completed: 4, failed: 0 });
    for (const id of held) {
      assert.ok(workerA.lines.some((l) => l.startsWith(`job ${id}: started`)), `worker A held ${id}`);
      assert.ok(workerB.lines.some((l) => l.startsWith(`job ${id}: stored`) || l.startsWith(`job ${id}: already-stored`)), `worker B took over ${id} from the killed worker:\n${workerB.lines.join('\n')}`);
    }

    for (const s of series) {
      const rts = await delineoRtstructs(s.studyInstanceUid);
      assert.equal(rts.length, 1, `study of ${s.patientId}: exactly one Delineo RTSTRUCT series`);
      assert.equal(rts[0].seriesDescription, `Delineo ${MODEL.id} ${MODEL.version}`);
      const files = await pacs.retrieveSeries(s.studyInstanceUid, rts[0].seriesInstanceUid);
      assert.equal(files.length, 1, 'one instance: nothing duplicated');
      const path = join(scratch, `${s.patientId}.dcm`);
      writeFileSync(path, new Uint8Array(files[0].data));
      const v = dciodvfy(path);
      assert.deepEqual(v.errors, [], v.output);
      const ds = naturalized(files[0].data);
      const refSeries = first(first(first(ds.ReferencedFrameOfReferenceSequence).RTReferencedStudySequence).RTReferencedSeriesSequence);
      assert.equal(refSeries.SeriesInstanceUID, s.seriesInstanceUid, 'references its CT series');
      const rois = list(ds.StructureSetROISequence).map((r) => r.ROIName);
      assert.deepEqual(rois, MODEL.labels.map((l) => l.name));
      const contours = list(ds.ROIContourSequence);
      for (const [i, c] of contours.entries()) assert.ok(c.ContourSequence, `${rois[i]} has contours`);
    }
    const total = (await pacs.searchSeries(undefined, { Modality: 'RTSTRUCT' })).length;
    assert.equal(total, 4, 'no RTSTRUCT series anywhere else');

    workerB.child.kill('SIGTERM');
    watcher2.child.kill('SIGTERM');
    assert.equal(await workerB.exited, 0);
    assert.equal(await watcher2.exited, 0);
  });
});
