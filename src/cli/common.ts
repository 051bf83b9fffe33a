/**
 * What the `delineo` commands share: the usage error, how a failed job is reported, reading the CT a command
 * places structures or doses on, and finding the RT objects it reads. Node-only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JobError, type JobOptions } from '../jobs/job.ts';
import type { DicomGridResult, DicomObjectSummary, DicomSeriesSummary, DicomVolumeResult } from '../io/dicom/series-loader.ts';
import { loadDicomDirectory, loadDicomDirectoryHeaders } from '../io/load-node.ts';
import type { CommandIo } from './phantom.ts';

/** A malformed command line (exit code 2). */
export class UsageError extends Error {}

export const consoleIo: CommandIo = { log: (l) => console.log(l), error: (l) => console.error(l) };

/** Errors that describe a bad input (a file, a grid, a structure), not a bug: reported in one line. */
const INPUT_ERRORS = new Set(['GeometryError', 'StructureError', 'CtWriteError', 'RangeError']);

/** Reports a failure of the job (not of the command line) and returns exit code 1; a bug is rethrown with its stack. */
export function failure(command: string, e: unknown, io: CommandIo): number {
  if (e instanceof JobError || (e instanceof Error && INPUT_ERRORS.has(e.name))) {
    io.error(`delineo ${command}: ${e.message}`);
    return 1;
  }
  throw e;
}

/**
 * The grid and identity of the CT series of a folder, or throws a message listing the series to choose from.
 * Headers only: the commands place structures and doses on the CT and never need its voxels.
 */
export async function loadCt(dir: string, series: string | undefined): Promise<DicomGridResult> {
  const r = await loadDicomDirectoryHeaders(dir, series ? { seriesInstanceUid: series } : {});
  if (r.kind === 'choose-series') throw chooseSeries(dir, r.allSeries);
  return r;
}

/** The CT series of a folder with its voxels (for a command that computes from the HU), else as {@link loadCt}. */
export async function loadCtVolume(dir: string, series: string | undefined, options: JobOptions = {}): Promise<DicomVolumeResult> {
  const r = await loadDicomDirectory(dir, { ...options, ...(series ? { seriesInstanceUid: series } : {}) });
  if (r.kind === 'choose-series') throw chooseSeries(dir, r.allSeries);
  return r;
}

function chooseSeries(dir: string, all: readonly DicomSeriesSummary[]): UsageError {
  const list = all.map((s) => `  ${s.seriesInstanceUid}  ${s.modality} ${s.sliceCount} slices ${s.seriesDescription}`).join('\n');
  return new UsageError(`${dir} holds several image series; pick one with --series <uid>:\n${list}`);
}

/** A file a command reads; a RangeError naming it (reported in one line) when it cannot be read. */
export async function readInput(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new RangeError(`${path}: cannot be read (${(e as Error).message})`);
  }
}

/**
 * The RT object of `kind` a command reads: the file given with `option`, else the one of that kind in the CT
 * folder; a UsageError naming what the folder holds when it holds none or several.
 */
export async function rtObjectInFolder(ct: { readonly rtObjects: readonly DicomObjectSummary[] }, dir: string, kind: 'RTSTRUCT' | 'RTDOSE', given: string | undefined, option: string): Promise<{ file: string; bytes: Uint8Array }> {
  if (given) return { file: given, bytes: await readInput(given) };
  const found = ct.rtObjects.filter((o) => o.kind === kind);
  if (found.length !== 1) {
    throw new UsageError(`${dir} holds ${found.length || 'no'} ${kind} object${found.length === 1 ? '' : 's'}${found.length ? ` (${found.map((o) => o.file).join(', ')})` : ''}: give one with ${option} <file>`);
  }
  return { file: join(dir, found[0]!.file), bytes: found[0]!.bytes };
}

