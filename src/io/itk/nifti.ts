/**
 * NIfTI (.nii / .nii.gz) writing and reading in Node through @itk-wasm/image-io (its WASI build, no network).
 * Node-only — not exported from src/index.ts; a browser variant (`writeImage` on a worker) can sit beside it.
 *
 * NIfTI stores a RAS affine; ITK converts to and from LPS on the way, so files written here carry our LPS
 * geometry with rows 0 and 1 of the affine negated, which is what nibabel and every NIfTI tool expect.
 */
import { readImageNode, writeImageNode } from '@itk-wasm/image-io';
import type { ImageGeometry } from '../../domain/geometry.ts';
import type { BinaryMask } from '../../domain/mask.ts';
import type { Volume } from '../../domain/volume.ts';
import { itkImageToVolume, labelMapToItkImage, type LabelEntry, maskToItkImage, volumeToItkImage } from './itk-image.ts';

function checkPath(path: string): boolean {
  if (!/\.nii(\.gz)?$/i.test(path)) throw new RangeError(`a NIfTI path ends in .nii or .nii.gz, got ${path}`);
  return /\.gz$/i.test(path);
}

/** Writes a Volume (voxel type kept, e.g. Int16 HU) as NIfTI; `.nii.gz` is gzip-compressed. */
export async function writeVolumeNifti(volume: Volume, path: string): Promise<void> {
  await writeImageNode(volumeToItkImage(volume), path, { useCompression: checkPath(path) });
}

/** Writes one binary mask as an 8-bit NIfTI (1 inside, 0 outside) on `geometry`. */
export async function writeMaskNifti(mask: BinaryMask, geometry: ImageGeometry, path: string): Promise<void> {
  await writeImageNode(maskToItkImage(mask, geometry), path, { useCompression: checkPath(path) });
}

/**
 * Writes several masks as one label-map NIfTI: each entry's label where its mask is inside, later entries
 * winning where masks overlap (see `labelMapToItkImage`), 0 elsewhere.
 */
export async function writeLabelMapNifti(entries: readonly LabelEntry[], geometry: ImageGeometry, path: string): Promise<void> {
  await writeImageNode(labelMapToItkImage(entries, geometry), path, { useCompression: checkPath(path) });
}

/** Reads a NIfTI file into a Volume (geometry in LPS as ITK reports it; voxel type as stored). */
export async function readVolumeNifti(path: string, modality = 'CT'): Promise<Volume> {
  checkPath(path);
  return itkImageToVolume(await readImageNode(path), modality);
}
