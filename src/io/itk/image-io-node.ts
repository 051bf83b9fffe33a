/**
 * NIfTI / NRRD / MetaImage volumes in Node (the CLI, tests) through @itk-wasm/image-io's WASI build,
 * which reads file paths. Same conversion and checks as the browser reader (image-io.ts). Node-only:
 * not exported from src/index.ts.
 */
import { readImageNode } from '@itk-wasm/image-io';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { VolumeInit } from '../../domain/volume.ts';
import { ImageLoadError } from '../errors.ts';
import { itkImageToVolumeData } from './image-convert.ts';
import { incompleteVolumeFile, isDetachedHeader, volumeFormatOf } from './image-formats.ts';

/**
 * Reads a NIfTI / NRRD / MetaImage file from disk into volume data. Detached headers (.nhdr, .mhd) are
 * read too, since the data file sits beside them on disk. Throws ImageLoadError naming the file.
 */
export async function readImageVolumeDataFromPath(path: string, options: { modality?: string } = {}): Promise<VolumeInit> {
  const name = basename(path);
  if (!volumeFormatOf(name) && !isDetachedHeader(name)) throw new ImageLoadError('unsupported-format', 'not a volume format Delineo reads (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd)', { file: path });
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw new ImageLoadError('read-failed', `could not read the file (${(e as Error).message})`, { file: path, cause: e });
  }
  if (size === 0) throw new ImageLoadError('decode-failed', 'the file is empty (0 bytes)', { file: path });
  if (volumeFormatOf(name)) {
    const incomplete = await incompleteVolumeFile(name, new Uint8Array(await readFile(path)));
    if (incomplete) throw new ImageLoadError('truncated', `${incomplete}; copy or export it again`, { file: path });
  }
  let image;
  try {
    image = await readImageNode(path);
  } catch (e) {
    throw new ImageLoadError('decode-failed', `the file could not be read (${(e as Error)?.message ?? e}); it may be damaged or truncated`, { file: path, cause: e });
  }
  if (!image) throw new ImageLoadError('decode-failed', 'the reader returned no image; the file may be damaged', { file: path });
  return itkImageToVolumeData(image, path, options.modality ?? 'CT');
}
