/**
 * What the `delineo` commands share: the usage error, how a failed job is reported, and reading the CT a
 * command places structures or doses on. Node-only.
 */
import { JobError } from '../jobs/job.ts';
import type { DicomGridResult } from '../io/dicom/series-loader.ts';
import { loadDicomDirectoryHeaders } from '../io/load-node.ts';
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
  if (r.kind === 'choose-series') {
    const list = r.allSeries
      .map((s) => `  ${s.seriesInstanceUid}  ${s.modality} ${s.sliceCount} slices ${s.seriesDescription}`)
      .join('\n');
    throw new UsageError(`${dir} holds several image series; pick one with --series <uid>:\n${list}`);
  }
  return r;
}

