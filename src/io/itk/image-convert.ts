/**
 * itk-wasm `Image` → Delineo volume data, with the checks a clinical loader owes its user: a scalar 3D
 * grid (a 4D series with one time point is accepted as 3D), a usable geometry, and CT values kept
 * exactly. Integer voxels are narrowed to Int16 only when every value fits (NIfTI CTs are often
 * stored as int32 or float for no reason), so nothing is rounded or clipped; float voxels stay float.
 * Pure: only itk-wasm's types are imported.
 */
import type { Image } from 'itk-wasm';
import { validateGeometry, type Vec3 } from '../../domain/geometry.ts';
import type { VolumeInit, VoxelArray } from '../../domain/volume.ts';
import { ImageLoadError } from '../errors.ts';
import type { DecodedPixels, DecodeRequest, PixelArray } from '../dicom/pixels.ts';
import { mat3FromItkDirection } from './itk-image.ts';

/** Narrows integer voxels to Int16 when every value fits; returns other arrays unchanged. */
export function narrowToInt16(data: PixelArray): VoxelArray {
  if (data instanceof Int16Array || data instanceof Uint8Array || data instanceof Int8Array || data instanceof Float32Array || data instanceof Float64Array) return data;
  let fits = true;
  for (let x = 0; x < data.length; x++) {
    const v = data[x];
    if (v < -32768 || v > 32767) {
      fits = false;
      break;
    }
  }
  if (fits) return Int16Array.from(data);
  if (data instanceof Uint16Array || data instanceof Int32Array) return data;
  // Uint32 beyond int16: Float64 holds every uint32 exactly.
  return Float64Array.from(data);
}

/**
 * Converts an image read by itk-wasm (any format: NIfTI, NRRD, MetaImage…) into volume data. itk-wasm
 * reports every format in LPS (it converts NIfTI's RAS affine), and its direction is row-major: the
 * conversion transposes it (see itk-image.ts). Throws ImageLoadError naming `file` when the image is not
 * a scalar 3D grid or its geometry is unusable.
 */
export function itkImageToVolumeData(image: Image, file: string, modality = 'CT'): VolumeInit {
  const { dimension, components, componentType } = image.imageType;
  if (components !== 1) throw new ImageLoadError('unsupported-pixel-format', `the image has ${components} components per voxel (${image.imageType.pixelType}); a CT has one`, { file });
  let size = [...image.size];
  let spacing = [...image.spacing];
  let origin = [...image.origin];
  let direction = [...(image.direction as ArrayLike<number> as number[])];
  if (dimension === 4 && size[3] === 1) {
    // One time point: drop the 4th axis (row-major 4×4 direction → its top-left 3×3).
    direction = [direction[0], direction[1], direction[2], direction[4], direction[5], direction[6], direction[8], direction[9], direction[10]];
    size = size.slice(0, 3);
    spacing = spacing.slice(0, 3);
    origin = origin.slice(0, 3);
  } else if (dimension !== 3) {
    throw new ImageLoadError('unsupported-dimension', `the image is ${dimension}D (${size.join('×')}); a CT volume must be 3D`, { file });
  }
  if (!image.data) throw new ImageLoadError('decode-failed', 'the reader returned no voxel data', { file });
  const data = image.data as unknown as PixelArray;
  if (typeof BigInt64Array !== 'undefined' && ((data as unknown) instanceof BigInt64Array || (data as unknown) instanceof BigUint64Array)) {
    throw new ImageLoadError('unsupported-pixel-format', `64-bit integer voxels (${componentType}) are not supported`, { file });
  }
  const init: VolumeInit = {
    dimensions: [size[0], size[1], size[2]] as Vec3,
    spacing: [spacing[0], spacing[1], spacing[2]] as Vec3,
    origin: [origin[0], origin[1], origin[2]] as Vec3,
    direction: mat3FromItkDirection(direction),
    data: narrowToInt16(data),
    modality,
    name: file.replace(/^.*[\\/]/, '').replace(/\.(nii\.gz|nii|nrrd|nhdr|mha|mhd)$/i, ''),
  };
  try {
    validateGeometry(init);
  } catch (e) {
    throw new ImageLoadError('invalid-geometry', `the image geometry is unusable: ${(e as Error).message}`, { file, cause: e });
  }
  if (init.data.length !== size[0] * size[1] * size[2]) throw new ImageLoadError('decode-failed', `the reader returned ${init.data.length} voxels for a ${size.join('×')} grid`, { file });
  return init;
}

/**
 * Pixels of a DICOM file decoded by GDCM (through itk-wasm), in the shape the series loader expects.
 * ITK's GDCMImageIO applies RescaleSlope/Intercept while reading, so the values are modality values.
 */
export function decodedFromItkImage(image: Image | undefined, request: DecodeRequest): DecodedPixels {
  if (!image || !image.data) throw new Error('GDCM could not read the image');
  if (image.imageType.components !== 1) throw new Error(`GDCM returned ${image.imageType.components} components per pixel`);
  const [columns, rows, frames = 1] = image.size;
  void request;
  return { values: image.data as unknown as PixelArray, columns, rows, frames, rescaled: true };
}
