/**
 * Node-only helper around `writeCtSeries`: writes the series into a directory. Not exported from src/index.ts,
 * whose consumers include the browser bundle (node:fs does not exist there).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Volume } from '../../domain/volume.ts';
import { type CtSeriesFiles, type CtSeriesWriteOptions, writeCtSeries } from './ct-writer.ts';

/** The files written by `writeCtSeriesToDirectory`, in slice order, and the series' UIDs. */
export interface CtSeriesOnDisk {
  readonly paths: string[];
  readonly identity: CtSeriesFiles['identity'];
}

/**
 * Writes a CT volume as a DICOM series into `dir` (created if needed) as CT.0001.dcm, CT.0002.dcm, … in slice
 * order (k = 0 first; zero-padded to at least four digits so a plain sort keeps that order). Returns the paths
 * and the UIDs written. Existing files with the same names are overwritten; other files are left alone.
 */
export async function writeCtSeriesToDirectory(volume: Volume, dir: string, options?: CtSeriesWriteOptions): Promise<CtSeriesOnDisk> {
  const { files, identity } = writeCtSeries(volume, options);
  await mkdir(dir, { recursive: true });
  const width = Math.max(4, String(files.length).length);
  const paths = files.map((_, k) => join(dir, `CT.${String(k + 1).padStart(width, '0')}.dcm`));
  await Promise.all(files.map((f, k) => writeFile(paths[k], new Uint8Array(f))));
  return { paths, identity };
}
