/**
 * The application's loaders on the calling thread, with the browser's codecs wired in: DICOM series
 * (compressed transfer syntaxes decoded by GDCM through itk-wasm) and NIfTI / NRRD / MetaImage volumes.
 * Prefer the worker form (io-worker-client.ts) in the UI: parsing 500 files blocks a thread for seconds.
 * Browser-safe (no Node APIs); itk-wasm's pipelines are fetched from the URL set with configureImageIo.
 */
import { Volume } from '../domain/volume.ts';
import type { JobOptions } from '../jobs/job.ts';
import { loadDicomSeries, type DicomLoadOptions, type DicomLoadResult } from './dicom/series-loader.ts';
import type { LoadWarning } from './errors.ts';
import { inputName, type FileInput } from './input.ts';
import { createGdcmDecoder } from './itk/dicom-decoder.ts';
import { isVolumeFileName } from './itk/image-formats.ts';
import { readImageVolumeData } from './itk/image-io.ts';

/** A volume read from one NIfTI / NRRD / MetaImage file. */
export interface VolumeFileResult {
  readonly kind: 'volume-file';
  readonly volume: Volume;
  readonly file: string;
  readonly warnings: readonly LoadWarning[];
}

/** What {@link loadFiles} returns: a DICOM result (volume or series choice) or a volume file. */
export type LoadFilesResult = DicomLoadResult | VolumeFileResult;

/** Options of the browser loaders. */
export interface LoadFilesOptions extends Omit<DicomLoadOptions, 'decoder'>, JobOptions {
  /** Modality recorded on a NIfTI/NRRD/MHA volume (default 'CT'). */
  readonly modality?: string;
}

/**
 * Loads a DICOM series from files (picker, dropped folder, fetched blobs) on this thread, decoding
 * compressed images with GDCM. See loadDicomSeries for the result and errors.
 */
export function loadDicomFiles(files: readonly FileInput[], options: LoadFilesOptions = {}): Promise<DicomLoadResult> {
  return loadDicomSeries(files, { ...options, decoder: createGdcmDecoder() });
}

/** Loads one NIfTI / NRRD / MetaImage file on this thread (LPS geometry, values as stored). */
export async function loadVolumeFile(file: FileInput, options: LoadFilesOptions = {}): Promise<VolumeFileResult> {
  const data = await readImageVolumeData(file, { ...(options.modality ? { modality: options.modality } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  return { kind: 'volume-file', volume: new Volume(data), file: inputName(file), warnings: [] };
}

/**
 * Loads what the user picked or dropped: one volume file → that volume; otherwise the files are read as
 * DICOM (non-DICOM files among them become warnings).
 */
export function loadFiles(files: readonly FileInput[], options: LoadFilesOptions = {}): Promise<LoadFilesResult> {
  if (files.length === 1 && isVolumeFileName(inputName(files[0]))) return loadVolumeFile(files[0], options);
  return loadDicomFiles(files, options);
}
