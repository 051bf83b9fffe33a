// The auto-contouring service's throughput on this machine, with a real redis-server and Orthanc on loopback
// ports: `delineo worker` processes (1, then 2) contouring BENCH_SERIES CT series each (20-slice 512 × 512 slabs
// of NSCLC Lung1-001, re-identified, the cheap rule model ct-external-lungs-bones), series per minute from the
// first submit to the last completion; each job's own time (BullMQ's processedOn → finishedOn) gives series per
// hour per worker core. The queue's own overhead per job: BENCH_NOOP jobs through BullMQ with a processor that
// does nothing (added → completed by BullMQ's own timestamps, median and 95th percentile, and the sustained
// time per job with one consumer).
// The load average is recorded: compare runs only at similar load.
import { cpus, loadavg } from 'node:os';
import { DicomWebClient, ServiceQueue, consumeQueue, segmentJobId } from '../src/node.ts';
import { EXTERNAL_LUNGS_BONES as MODEL } from '../src/index.ts';
import { startOrthanc } from '../test/fixtures/io/orthanc.ts';
import { startRedis } from '../test/fixtures/service/redis.ts';
import { lung1Series, type TestSeries } from '../test/fixtures/service/ct-series.ts';
import { startCli, waitFor, type CliProcess } from '../test/fixtures/service/cli-process.ts';
import { median, percentile, report } from './util.ts';

const SERIES = Number(process.env.BENCH_SERIES ?? 6);
const NOOP = Number(process.env.BENCH_NOOP ?? 300);
const [redis, orthanc] = await Promise.all([startRedis(), startOrthanc()]);
const env = { DELINEO_DICOMWEB_AUTHORIZATION: orthanc.authorization };
const pacs = new DicomWebClient({ baseUrl: orthanc.dicomWebUrl, headers: () => ({ Authorization: orthanc.authorization }) });
const procs: CliProcess[] = [];
try {
  // Distinct series per run: a structure set's UIDs derive from series and model, so a second run on the same
  // series would find its result stored and skip the work.
  const slabs = (run: number): TestSeries[] => Array.from({ length: SERIES }, (_, k) => lung1Series(1, 20, { first: 30 + ((k * 9 + run * 4) % 80), tag: `B${run}-${k}` })[0]);
  const runs: Record<string, TestSeries[]> = { '1 worker': slabs(1), '2 workers': slabs(2) };
  for (const list of Object.values(runs)) for (const s of list) await pacs.store([...s.files]);

  const throughput: Record<string, unknown> = {};
  for (const [label, list] of Object.entries(runs)) {
    const name = `bench-${label.replace(/\s/g, '-')}`;
    const n = Number(label[0]);
    const workers = Array.from({ length: n }, (_, i) => startCli(`worker ${i + 1}`, ['worker', '--redis', redis.url, '--queue', name, '--dicomweb', orthanc.dicomWebUrl], env));
    procs.push(...workers);
    await Promise.all(workers.map((w) => w.waitForLine(/^worker ready/, 60_000)));
    const queue = new ServiceQueue(redis.url, name);
    const t0 = performance.now();
    const ids: string[] = [];
    for (const s of list) ids.push((await queue.submit({ studyInstanceUid: s.studyInstanceUid, seriesInstanceUid: s.seriesInstanceUid, modelId: MODEL.id, modelVersion: MODEL.version })).jobId);
    await waitFor(`${label}: every job completed`, 600_000, async () => {
      const states = await Promise.all(ids.map(async (id) => (await queue.job(id))?.state));
      if (states.includes('failed')) throw new Error(`${label}: a job failed:\n${workers.map((w) => w.lines.join('\n')).join('\n')}`);
      return states.every((s) => s === 'completed') ? true : undefined;
    });
    const wallS = (performance.now() - t0) / 1000;
    const jobs = await Promise.all(ids.map((id) => queue.queue.getJob(id)));
    const perJobS = jobs.map((j) => (j!.finishedOn! - j!.processedOn!) / 1000);
    throughput[label] = { series: SERIES, wallS: +wallS.toFixed(1), seriesPerMinute: +((SERIES / wallS) * 60).toFixed(2), jobSecondsMedian: +median(perJobS).toFixed(2), seriesPerHourPerWorker: +(3600 / median(perJobS)).toFixed(0) };
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await queue.close();
  }

  // The queue alone: a processor that returns at once.
  const queue = new ServiceQueue(redis.url, 'bench-noop');
  const consumer = consumeQueue(redis.url, 'bench-noop', async () => ({ status: 'skipped', reason: 'bench' }), { concurrency: 1 });
  await consumer.worker.waitUntilReady();
  const latencies: number[] = [];
  for (let i = 0; i < Math.min(50, NOOP); i++) {
    const data = { studyInstanceUid: '1.2', seriesInstanceUid: `1.2.${i + 1}`, modelId: 'noop', modelVersion: '1' };
    await queue.submit(data);
    const id = segmentJobId(data);
    await waitFor('a no-op job', 10_000, async () => ((await queue.job(id))?.state === 'completed' ? true : undefined));
    const j = (await queue.queue.getJob(id))!;
    latencies.push(j.finishedOn! - j.timestamp);
  }
  const bulk = Array.from({ length: NOOP }, (_, i) => ({ studyInstanceUid: '1.3', seriesInstanceUid: `1.3.${i + 1}`, modelId: 'noop', modelVersion: '1' }));
  for (const d of bulk) await queue.submit(d);
  const last = segmentJobId(bulk[bulk.length - 1]);
  await waitFor('the no-op batch', 120_000, async () => ((await queue.queue.getJobCounts('completed')).completed >= latencies.length + NOOP && (await queue.job(last))?.state === 'completed' ? true : undefined));
  const firstBulk = (await queue.queue.getJob(segmentJobId(bulk[0])))!;
  const lastBulk = (await queue.queue.getJob(last))!;
  const bulkMs = lastBulk.finishedOn! - firstBulk.timestamp;
  await consumer.close();
  await queue.close();
  report('service', {
    cpus: cpus().length,
    loadavg: loadavg().map((x) => +x.toFixed(2)),
    model: `${MODEL.id} ${MODEL.version}`,
    ct: '20 × 512 × 512 slices per series',
    throughput,
    queueOverhead: {
      roundTripMsMedian: +median(latencies).toFixed(1),
      roundTripMsP95: +percentile(latencies, 95).toFixed(1),
      sustainedMsPerJob: +(bulkMs / NOOP).toFixed(2),
      note: 'BullMQ timestamps: job added → job completed; one job at a time, then NOOP jobs submitted back to back (their submits included)',
    },
  });
} finally {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all([redis.stop(), orthanc.stop()]);
}
