/**
 * Browser build of {@link interpolateBetweenSlices}: @itk-wasm/morphological-contour-interpolation's
 * browser pipeline, fetched from the page's origin instead of itk-wasm's default CDN (which a clinic's
 * network, and our test machines, cannot reach). The dev server, the test runner and the production build
 * serve the package's `dist/pipelines` at {@link DEFAULT_CONTOUR_INTERPOLATION_PIPELINES_PATH}.
 *
 * The package is imported lazily: src/index.ts is shared with Node, where the package's "node" export has
 * no browser pipeline, and the app should not fetch the module before a user first interpolates.
 */
import type { ImageGeometry } from '../../domain/geometry.ts';
import type { BinaryMask, SliceAxis } from '../../domain/mask.ts';
import { interpolateBetweenSlices, type ContourInterpolationRunner } from './contour-interpolation.ts';

/** Where the app serves the interpolation pipelines, relative to the page's origin. */
export const DEFAULT_CONTOUR_INTERPOLATION_PIPELINES_PATH = '/raw/itk/morphological-contour-interpolation';

/** Options of {@link interpolateBetweenSlicesBrowser}. */
export interface BrowserInterpolationOptions {
  /** Absolute URL or origin-relative path of the folder holding the pipeline's `.js` and `.wasm.zst`. */
  readonly pipelinesBaseUrl?: string | URL;
}

/**
 * A runner for the browser pipeline. It runs on the calling thread (`webWorker: false`): the input is
 * cropped to the structure, so a run takes tens of milliseconds once the pipeline is loaded, and a worker
 * would need its own URL served next to the pipelines.
 */
export function browserContourInterpolationRunner(options: BrowserInterpolationOptions = {}): ContourInterpolationRunner {
  const base = new URL(String(options.pipelinesBaseUrl ?? DEFAULT_CONTOUR_INTERPOLATION_PIPELINES_PATH), globalThis.location?.href).href.replace(/\/$/, '');
  return async (image, runOptions) => {
    const itk = await import('@itk-wasm/morphological-contour-interpolation');
    // Per call, not once: a second itk-wasm package on the page must not be pointed elsewhere meanwhile.
    itk.setPipelinesBaseUrl(base);
    const { outputImage } = await itk.morphologicalContourInterpolation(image, { ...runOptions, webWorker: false });
    return { outputImage };
  };
}

/** Fills the slices between the contoured slices of a mask along `axis`, in the browser; see interpolateBetweenSlices. */
export function interpolateBetweenSlicesBrowser(mask: BinaryMask, geometry: ImageGeometry, axis: SliceAxis, options: BrowserInterpolationOptions = {}): Promise<BinaryMask> {
  return interpolateBetweenSlices(mask, geometry, axis, browserContourInterpolationRunner(options));
}
