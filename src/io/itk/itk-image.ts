/**
 * Conversions between Delineo's domain types and itk-wasm's `Image`, the currency of every itk-wasm pipeline
 * (image-io readers and writers, filters). Browser-safe and free of itk-wasm at runtime: an itk-wasm Image is
 * plain data, so only its type is imported.
 *
 * Direction layout (verified by writing an oblique image with @itk-wasm/image-io and reading the NIfTI affine
 * back with nibabel): itk-wasm's `Image.direction` is ITK's direction matrix in ROW-major order,
 * `direction[r * 3 + c]` = component r of the patient direction of index axis c. Delineo's `Mat3` is
 * column-major (`d[3 * c + r]`), so the two are transposes of each other for any non-symmetric (oblique)
 * direction. Axis-aligned directions are symmetric, which is why a mix-up only shows on oblique data.
 */
import type { Image } from 'itk-wasm';
import type { ImageGeometry, Mat3 } from '../../domain/geometry.ts';
import type { BinaryMask } from '../../domain/mask.ts';
import { Volume, type VoxelArray } from '../../domain/volume.ts';

/** itk-wasm component type names, by the typed array that stores them. */
type ComponentType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

function componentTypeOf(data: VoxelArray | Uint32Array): ComponentType {
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/** itk-wasm's row-major direction (see the module comment) from Delineo's column-major one. */
export function itkDirectionFromMat3(d: Mat3): Float64Array {
  return new Float64Array([d[0], d[3], d[6], d[1], d[4], d[7], d[2], d[5], d[8]]);
}

/** Delineo's column-major direction from itk-wasm's row-major one. */
export function mat3FromItkDirection(dir: ArrayLike<number>): Mat3 {
  if (dir.length !== 9) throw new RangeError(`a 3D direction has 9 values, got ${dir.length}`);
  return [dir[0], dir[3], dir[6], dir[1], dir[4], dir[7], dir[2], dir[5], dir[8]];
}

function scalarImage(geometry: ImageGeometry, data: VoxelArray | Uint32Array, name: string): Image {
  return {
    imageType: { dimension: 3, componentType: componentTypeOf(data), pixelType: 'Scalar', components: 1 },
    name,
    origin: [...geometry.origin],
    spacing: [...geometry.spacing],
    direction: itkDirectionFromMat3(geometry.direction),
    size: [...geometry.dimensions],
    metadata: new Map(),
    data,
  };
}

/**
 * An itk-wasm Image holding a Volume's voxels (shared, not copied) on the same patient-space grid. Both store
 * voxels i-fastest and use LPS patient coordinates, so only the direction needs reordering.
 */
export function volumeToItkImage(volume: Volume): Image {
  return scalarImage(volume, volume.data, volume.name || 'volume');
}

/** A binary mask as an unsigned 8-bit itk-wasm Image (1 inside, 0 outside) on `geometry`. */
export function maskToItkImage(mask: BinaryMask, geometry: ImageGeometry, name = 'mask'): Image {
  if (mask.dimensions.some((n, a) => n !== geometry.dimensions[a])) {
    throw new RangeError(`mask [${mask.dimensions.join('×')}] is not on the grid [${geometry.dimensions.join('×')}]`);
  }
  return scalarImage(geometry, mask.toDense(), name);
}

/** One structure of a label map: its mask and the integer label written where it is inside. */
export interface LabelEntry {
  readonly mask: BinaryMask;
  readonly label: number;
}

/**
 * A label map (one integer per voxel) from several masks. Masks are painted in the order given, so where
 * structures overlap the later one's label wins: list large containers (External) first and nested
 * structures (GTV) last. 8-bit labels when every label fits, else 16-bit.
 */
export function labelMapToItkImage(entries: readonly LabelEntry[], geometry: ImageGeometry, name = 'labels'): Image {
  const maxLabel = Math.max(0, ...entries.map((e) => e.label));
  for (const e of entries) {
    if (!Number.isInteger(e.label) || e.label < 1 || e.label > 65535) throw new RangeError(`label ${e.label} must be an integer 1–65535`);
  }
  const [nx, ny, nz] = geometry.dimensions;
  const plane = nx * ny;
  const data = maxLabel <= 255 ? new Uint8Array(plane * nz) : new Uint16Array(plane * nz);
  const slice = new Uint8Array(plane);
  for (const e of entries) {
    if (e.mask.dimensions.some((n, a) => n !== geometry.dimensions[a])) throw new RangeError('a label mask is not on the label map grid');
    const box = e.mask.bounds();
    if (!box) continue;
    for (let k = box.min[2]; k <= box.max[2]; k++) {
      e.mask.readAxial(k, slice);
      const base = k * plane;
      for (let p = 0; p < plane; p++) if (slice[p]) data[base + p] = e.label;
    }
  }
  return scalarImage(geometry, data, name);
}

/**
 * A Volume from an itk-wasm scalar 3D Image (e.g. what image-io read from NIfTI, NRRD or MetaImage). The voxel
 * buffer is shared. itk-wasm already reports every format in LPS, so NIfTI's RAS affine arrives converted.
 */
export function itkImageToVolume(image: Image, modality = 'CT'): Volume {
  if (image.imageType.dimension !== 3 || image.imageType.components !== 1) {
    throw new RangeError(`expected a scalar 3D image, got ${image.imageType.dimension}D with ${image.imageType.components} components`);
  }
  if (!image.data) throw new RangeError('image has no pixel data');
  const data = image.data as unknown as VoxelArray;
  if (data instanceof Uint32Array || data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new RangeError(`unsupported voxel type ${image.imageType.componentType}`);
  }
  return new Volume({
    dimensions: [image.size[0], image.size[1], image.size[2]],
    spacing: [image.spacing[0], image.spacing[1], image.spacing[2]],
    origin: [image.origin[0], image.origin[1], image.origin[2]],
    direction: mat3FromItkDirection(image.direction as unknown as ArrayLike<number>),
    data,
    modality,
    name: image.name,
  });
}
