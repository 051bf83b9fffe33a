/**
 * Interpolation between contoured slices (the editing issue): a clinician contours every few slices and
 * the slices between are filled by ITK's morphological contour interpolation (Albu et al. 2008; the same
 * filter 3D Slicer's "Fill between slices" builds on), run through itk-wasm. The pipeline runs over the
 * structure's bounding box only, so interpolating a small target on a 512×512×N CT costs its size.
 */
import type { Image } from 'itk-wasm';
import type { ImageGeometry, Vec3 } from '../../domain/geometry.ts';
import type { BinaryMask} from '../../domain/mask.ts';
import { type SliceAxis } from '../../domain/mask.ts';
import { cropMask, uncropMask } from '../../domain/ops/components.ts';

/** The pipeline call, injected so the same code runs on the Node and the browser builds of itk-wasm. */
export type ContourInterpolationRunner = (image: Image, options: { label: number; axis: number }) => Promise<{ outputImage: Image }>;

/** Thrown when there is nothing to interpolate between. */
export class InterpolationError extends Error {
  override readonly name = 'InterpolationError';
}

/**
 * Fills the slices between the contoured slices of a structure along `axis` (2 = between axial slices).
 * Contoured slices are kept exactly as drawn; the result is the union of the drawing and the
 * interpolated slices. Needs at least two contoured slices with a gap between them.
 */
export async function interpolateBetweenSlices(mask: BinaryMask, geometry: ImageGeometry, axis: SliceAxis, run: ContourInterpolationRunner): Promise<BinaryMask> {
  const crop = cropMask(mask, 1);
  if (!crop) throw new InterpolationError('the structure is empty: draw on at least two slices first');
  const [w, h] = crop.size;
  const n = crop.size[axis];
  const present = new Uint8Array(n);
  for (let o = 0; o < crop.data.length; o++) {
    if (!crop.data[o]) continue;
    const at = axis === 0 ? o % w : axis === 1 ? Math.floor(o / w) % h : Math.floor(o / (w * h));
    present[at] = 1;
  }
  const contoured = [...present.keys()].filter((s) => present[s]);
  const gaps = contoured.some((s, idx) => idx > 0 && s - contoured[idx - 1] > 1);
  if (contoured.length < 2 || !gaps) throw new InterpolationError('there is no gap between contoured slices to fill: draw on two slices with empty slices between them');
  const image: Image = {
    imageType: { dimension: 3, componentType: 'uint8', pixelType: 'Scalar', components: 1 },
    name: 'contours',
    origin: [0, 0, 0],
    spacing: [...geometry.spacing],
    direction: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
    size: [...crop.size],
    metadata: new Map(),
    data: crop.data.slice(),
  };
  const { outputImage } = await run(image, { label: 1, axis });
  const out = outputImage.data as Uint8Array;
  if (!out || out.length !== crop.data.length) throw new InterpolationError('the interpolation pipeline returned an image of the wrong size');
  const data = new Uint8Array(out.length);
  for (let o = 0; o < out.length; o++) data[o] = out[o] || crop.data[o] ? 1 : 0;
  const result = uncropMask(mask.dimensions, { box: crop.box, size: crop.size as Vec3, data });
  return result;
}
