import { morphologicalContourInterpolationNode } from '@itk-wasm/morphological-contour-interpolation';
import type { ImageGeometry } from '../../domain/geometry.ts';
import type { BinaryMask, SliceAxis } from '../../domain/mask.ts';
import { interpolateBetweenSlices } from './contour-interpolation.ts';

/** Node build of interpolateBetweenSlices (CLI and tests). */
export function interpolateBetweenSlicesNode(mask: BinaryMask, geometry: ImageGeometry, axis: SliceAxis): Promise<BinaryMask> {
  return interpolateBetweenSlices(mask, geometry, axis, (image, options) => morphologicalContourInterpolationNode(image, options));
}
