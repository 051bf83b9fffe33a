/**
 * Node side of the browser test of "Auto-contour on server": the auto-contouring service for real, on loopback —
 * a redis-server (test/fixtures/service/redis.ts), one `delineo worker` on the PACS named by DELINEO_DICOMWEB_TARGET
 * (the seeded Orthanc of scripts/wtr-orthanc.js) with its Authorization from DELINEO_DICOMWEB_AUTHORIZATION, and
 * `delineo api` for the cheap rules model, allowing the origin in DELINEO_TEST_PAGE_ORIGIN and requiring the
 * bearer token it generates. Prints one JSON line {apiUrl, token, model}, then keeps everything running until its
 * stdin closes or it receives SIGTERM/SIGINT. Run by the `delineo-contour-service-start` server command
 * (scripts/wtr-contour-service.js).
 */
import { randomBytes } from 'node:crypto';
import { startRedis } from '../fixtures/service/redis.ts';
import { startCli, type CliProcess } from '../fixtures/service/cli-process.ts';
import { EXTERNAL_LUNGS_BONES } from '../../src/inference/rules/external-lungs-bones.ts';

const pacs = process.env.DELINEO_DICOMWEB_TARGET;
const authorization = process.env.DELINEO_DICOMWEB_AUTHORIZATION;
const origin = process.env.DELINEO_TEST_PAGE_ORIGIN;
if (!pacs || !authorization || !origin) throw new Error('DELINEO_DICOMWEB_TARGET, DELINEO_DICOMWEB_AUTHORIZATION and DELINEO_TEST_PAGE_ORIGIN are required');

const redis = await startRedis();
const processes: CliProcess[] = [];
let stopping: Promise<void> | null = null;
const shutdown = () => {
  stopping ??= (async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    await redis.stop();
  })().finally(() => process.exit(0));
  return stopping;
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();

try {
  const token = randomBytes(24).toString('base64url');
  const common = ['--redis', redis.url, '--queue', 'browser-test'];
  const worker = startCli('worker', ['worker', ...common, '--dicomweb', pacs], { DELINEO_DICOMWEB_AUTHORIZATION: authorization });
  const api = startCli('api', ['api', ...common, '--port', '0', '--model', EXTERNAL_LUNGS_BONES.id, '--allow-origin', origin], { DELINEO_API_TOKEN: token });
  processes.push(worker, api);
  const [, ready] = await Promise.all([worker.waitForLine(/^worker ready/, 120_000), api.waitForLine(/^api ready: /, 120_000)]);
  // Each process's output goes on to this helper's stderr, where the plugin keeps the end of it for a failure report.
  for (const p of processes) for (const s of [p.child.stdout!, p.child.stderr!]) s.on('data', (d: Buffer) => process.stderr.write(`[${p.name}] ${d}`));
  console.log(JSON.stringify({ apiUrl: /^api ready: (\S+)/.exec(ready)![1], token, model: EXTERNAL_LUNGS_BONES.id }));
} catch (e) {
  console.error(e);
  await shutdown();
}
