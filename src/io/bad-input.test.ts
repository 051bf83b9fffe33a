// The malformed-input corpus (test/fixtures/io/bad-dicom-corpus.ts, generated from the real files at test time):
// every case must end in a typed error naming the file and the problem, or a usable volume with the expected
// warning, within a time limit — never a hang, a crash or an untyped exception.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateGeometry } from '../domain/geometry.ts';
import { JobError } from '../jobs/job.ts';
import { generateBadDicomCorpus, type CorpusCase } from '../../test/fixtures/io/bad-dicom-corpus.ts';
import { DicomLoadError } from './errors.ts';
import { loadPath } from './load-node.ts';

const TIME_LIMIT_MS = 20_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

let dir: string;
let cases: CorpusCase[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'delineo-bad-dicom-'));
  cases = await generateBadDicomCorpus(dir);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('malformed DICOM corpus', () => {
  it('has at least 30 cases generated from the real files', () => {
    assert.ok(cases.length >= 30, `only ${cases.length} cases`);
  });

  it('every case ends in a typed, file-naming error or a usable volume, in time', async () => {
    const problems: string[] = [];
    const outcomes: string[] = [];
    for (const c of cases) {
      let result: Awaited<ReturnType<typeof loadPath>> | undefined;
      let error: unknown;
      try {
        result = await withTimeout(loadPath(c.path), TIME_LIMIT_MS, c.name);
      } catch (e) {
        error = e;
      }
      const e = c.expect;
      if (error !== undefined) {
        outcomes.push(`${c.name}: ${(error as Error).name} ${(error as JobError).code}: ${(error as Error).message}`);
        if (!(error instanceof JobError)) {
          problems.push(`${c.name}: untyped ${(error as Error)?.name}: ${(error as Error)?.message}`);
          continue;
        }
        if (e.kind !== 'error' && e.kind !== 'error-or-volume') {
          problems.push(`${c.name}: expected ${e.kind}, got ${error.code}: ${error.message}`);
          continue;
        }
        if (!error.file) problems.push(`${c.name}: error ${error.code} names no file`);
        if (error.message.length < 20) problems.push(`${c.name}: message too terse: "${error.message}"`);
        if (e.kind === 'error' && e.code !== undefined) {
          const codes = typeof e.code === 'string' ? [e.code] : e.code;
          if (!codes.includes(error.code)) problems.push(`${c.name}: expected code ${codes.join('|')}, got ${error.code}: ${error.message}`);
        }
        if (e.kind === 'error' && e.file !== undefined && !(error.file ?? '').includes(e.file)) problems.push(`${c.name}: error names ${error.file}, expected ${e.file}`);
        // A single-file case must name that file.
        if (!c.path.endsWith(c.name) && error.file && !error.file.includes(basename(c.path))) problems.push(`${c.name}: error names ${error.file}, not the file ${basename(c.path)}`);
        continue;
      }
      assert.ok(result);
      outcomes.push(`${c.name}: ${result.kind} ${result.warnings.map((w) => w.code).join(',')}`);
      if (e.kind === 'error') {
        problems.push(`${c.name}: expected error ${e.code ?? ''}, got ${result.kind}`);
        continue;
      }
      if (e.kind === 'choice') {
        if (result.kind !== 'choose-series') problems.push(`${c.name}: expected a series choice, got ${result.kind}`);
      } else if (result.kind !== 'volume') {
        problems.push(`${c.name}: expected a volume, got ${result.kind}`);
        continue;
      } else {
        validateGeometry(result.volume);
        if (result.volume.data.length !== result.volume.dimensions[0] * result.volume.dimensions[1] * result.volume.dimensions[2]) problems.push(`${c.name}: voxel count mismatch`);
        if (e.kind === 'volume' && e.slices !== undefined && result.volume.dimensions[2] !== e.slices) problems.push(`${c.name}: expected ${e.slices} slices, got ${result.volume.dimensions[2]}`);
      }
      if ((e.kind === 'volume' || e.kind === 'choice') && e.warning && !result.warnings.some((w) => w.code === e.warning)) {
        problems.push(`${c.name}: expected warning ${e.warning}, got ${result.warnings.map((w) => w.code).join(', ') || 'none'}`);
      }
      for (const w of result.warnings) if (!w.message || w.message.length < 15) problems.push(`${c.name}: terse warning ${w.code}`);
    }
    if (process.env.DELINEO_TEST_VERBOSE) console.log(outcomes.join('\n'));
    assert.deepEqual(problems, [], `\n${problems.join('\n')}\n\nall outcomes:\n${outcomes.join('\n')}`);
  });

  it('a bad load does not disturb a volume loaded before it (no shared state)', async () => {
    const good = cases.find((c) => c.name === 'series-ok-shuffled-names')!;
    const first = await loadPath(good.path);
    assert.equal(first.kind, 'volume');
    if (first.kind !== 'volume') return;
    const snapshot = first.volume.data.slice();
    const identity = JSON.stringify(first.volume.identity);
    await assert.rejects(loadPath(cases.find((c) => c.name === 'series-two-images-one-position')!.path), DicomLoadError);
    await assert.rejects(loadPath(cases.find((c) => c.name === 'truncated-in-pixels')!.path), DicomLoadError);
    assert.deepEqual(first.volume.data, snapshot);
    assert.equal(JSON.stringify(first.volume.identity), identity);
  });
});
