/**
 * Loading volumes from the file system in Node: the `delineo` CLI and the tests. A directory is read as
 * DICOM (recursively; files are read one at a time as they are parsed, so a large folder is never all in
 * memory), a .nii/.nii.gz/.nrrd/.mha file through itk-wasm. Compressed DICOM is decoded by GDCM's WASI
 * build. Node-only (fs, os): not exported from src/index.ts.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Volume } from '../domain/volume.ts';
import type { JobOptions } from '../jobs/job.ts';
import { loadDicomSeries, loadDicomSeriesHeaders, scanDicom, type DicomGridResult, type DicomLoadOptions, type DicomLoadResult, type DicomScanResult, type DicomSeriesChoice } from './dicom/series-loader.ts';
import { DicomLoadError, ImageLoadError } from './errors.ts';
import type { LazyInput } from './input.ts';
import type { PixelDecoder } from './dicom/pixels.ts';
import { isDetachedHeader, volumeFormatOf } from './itk/image-formats.ts';

// itk-wasm is imported when a file needs it (a compressed slice, a NIfTI), not with this module: loading it is
// a large share of a CLI command's start-up, and most DICOM folders never need it.
const gdcmDecoder: PixelDecoder = async (request, options) => {
  const { createNodeGdcmDecoder } = await import('./itk/dicom-decoder-node.ts');
  return createNodeGdcmDecoder()(request, options);
};

/**
 * Every regular file under `dir` (recursively, sorted, hidden files and folders skipped) as lazy
 * inputs named by their path relative to `dir`, which is how messages will name them.
 */
export async function listDicomInputs(dir: string): Promise<LazyInput[]> {
  const out: LazyInput[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() || e.isSymbolicLink()) {
        const name = relative(dir, p);
        out.push({ name, path: p, read: async () => new Uint8Array(await readFile(p)) });
      }
    }
  };
  try {
    await walk(dir);
  } catch (e) {
    throw new DicomLoadError('read-failed', `could not list the folder (${(e as Error).message})`, { file: dir, cause: e });
  }
  return out;
}

/**
 * Loads the CT series in a directory of DICOM files (see {@link loadDicomSeries} for the result, the
 * series choice and the errors). Compressed images are decoded with GDCM unless another decoder is given.
 */
export async function loadDicomDirectory(dir: string, options: DicomLoadOptions & JobOptions = {}): Promise<DicomLoadResult> {
  const inputs = await listDicomInputs(dir);
  if (inputs.length === 0) throw new DicomLoadError('empty-input', 'the folder contains no files', { file: dir });
  return loadDicomSeries(inputs, { decoder: gdcmDecoder, ...options });
}

/**
 * The grid and identity of the CT series in a directory, from the headers only (see
 * {@link loadDicomSeriesHeaders}): for commands that place structures or doses on the CT but never look at its
 * voxels.
 */
export async function loadDicomDirectoryHeaders(dir: string, options: DicomLoadOptions & JobOptions = {}): Promise<DicomGridResult | DicomSeriesChoice> {
  const inputs = await listDicomInputs(dir);
  if (inputs.length === 0) throw new DicomLoadError('empty-input', 'the folder contains no files', { file: dir });
  return loadDicomSeriesHeaders(inputs, options);
}

/** Lists the series and RT objects in a directory of DICOM files (see {@link scanDicom}). */
export async function scanDicomDirectory(dir: string, options: JobOptions = {}): Promise<DicomScanResult> {
  const inputs = await listDicomInputs(dir);
  if (inputs.length === 0) throw new DicomLoadError('empty-input', 'the folder contains no files', { file: dir });
  return scanDicom(inputs, options);
}

/** Reads a NIfTI / NRRD / MetaImage file into a {@link Volume} (LPS geometry, values as stored). */
export async function loadImageFile(path: string, options: { modality?: string } = {}): Promise<Volume> {
  const { readImageVolumeDataFromPath } = await import('./itk/image-io-node.ts');
  return new Volume(await readImageVolumeDataFromPath(path, options));
}

/**
 * Loads whatever `path` is: a directory of DICOM files, a single DICOM file, or a volume file. Returns
 * the DICOM result (which may ask for a series choice) or, for a volume file, `{ kind: 'volume', volume }`
 * with no DICOM extras.
 */
export async function loadPath(path: string, options: DicomLoadOptions & JobOptions & { modality?: string } = {}): Promise<DicomLoadResult | { kind: 'volume'; volume: Volume; warnings: [] }> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new ImageLoadError('read-failed', `no such file or folder (${(e as Error).message})`, { file: path, cause: e });
  }
  if (info.isDirectory()) return loadDicomDirectory(path, options);
  if (volumeFormatOf(path) || isDetachedHeader(path)) return { kind: 'volume', volume: await loadImageFile(path, options), warnings: [] };
  const name = path;
  return loadDicomSeries([{ name, path, read: async () => new Uint8Array(await readFile(path)) }], { decoder: gdcmDecoder, ...options });
}
