/**
 * Tolerant comparison of two RGBA images, for screenshot tests against committed baselines. Pure (no DOM),
 * so it is unit-tested in Node and used in the browser on ImageData.
 *
 * Why a tolerance at all: the same scene drawn by SwiftShader on another CPU, or with another build of
 * Chromium's text rasteriser, differs by a few levels on anti-aliased edges. A change that matters — an
 * outline in the wrong place, a wrong window, a missing label — changes many pixels by a lot, so the test
 * counts pixels whose largest channel difference exceeds `channelTolerance` and fails when more than
 * `maxFraction` of the pixels do.
 */

/** RGBA pixels, row-major, top row first (the layout of ImageData). */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: ArrayLike<number>;
}

export interface DiffOptions {
  /** A pixel differs when some channel (R, G, B or A) differs by more than this (0–255). Default 32. */
  readonly channelTolerance?: number;
  /** The images match when at most this fraction of the pixels differ. Default 0.005 (0.5 %). */
  readonly maxFraction?: number;
}

export interface DiffResult {
  readonly match: boolean;
  /** Why they do not match, in words; empty when they match. */
  readonly reason: string;
  readonly differingPixels: number;
  readonly fraction: number;
  /** Largest channel difference seen. */
  readonly maxDelta: number;
  /** A visualisation: differing pixels red, the rest the baseline dimmed; null when the sizes differ. */
  readonly diff: Uint8ClampedArray | null;
}

/** Compares `actual` with `expected`; see the module comment for the rule. */
export function diffImages(actual: RgbaImage, expected: RgbaImage, options: DiffOptions = {}): DiffResult {
  const tol = options.channelTolerance ?? 32;
  const maxFraction = options.maxFraction ?? 0.005;
  if (actual.width !== expected.width || actual.height !== expected.height) {
    return {
      match: false,
      reason: `size ${actual.width}×${actual.height} differs from the baseline's ${expected.width}×${expected.height}`,
      differingPixels: NaN,
      fraction: 1,
      maxDelta: 255,
      diff: null,
    };
  }
  const n = actual.width * actual.height;
  if (actual.data.length !== 4 * n || expected.data.length !== 4 * n) throw new RangeError('image data does not hold width × height RGBA pixels');
  const diff = new Uint8ClampedArray(4 * n);
  let differing = 0;
  let maxDelta = 0;
  for (let p = 0; p < n; p++) {
    const o = 4 * p;
    let d = 0;
    for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(actual.data[o + c] - expected.data[o + c]));
    if (d > maxDelta) maxDelta = d;
    if (d > tol) {
      differing++;
      diff[o] = 255;
      diff[o + 1] = 0;
      diff[o + 2] = 0;
    } else {
      const grey = (expected.data[o] + expected.data[o + 1] + expected.data[o + 2]) / 12;
      diff[o] = diff[o + 1] = diff[o + 2] = grey;
    }
    diff[o + 3] = 255;
  }
  const fraction = differing / n;
  const match = fraction <= maxFraction;
  return {
    match,
    reason: match ? '' : `${differing} of ${n} pixels (${(100 * fraction).toFixed(2)} %) differ by more than ${tol} levels (at most ${(100 * maxFraction).toFixed(2)} % may)`,
    differingPixels: differing,
    fraction,
    maxDelta,
    diff,
  };
}

/**
 * Counts the pixels of two same-sized images whose largest channel difference exceeds `threshold`
 * (default 16): `differing` and the `fraction` of all pixels. The quick form for "did the picture change?"
 * assertions; throws on a size mismatch.
 */
export function pixelDiff(actual: RgbaImage, expected: RgbaImage, threshold = 16): { differing: number; fraction: number; maxDelta: number } {
  if (actual.width !== expected.width || actual.height !== expected.height) {
    throw new RangeError(`cannot compare a ${actual.width}×${actual.height} image with a ${expected.width}×${expected.height} one`);
  }
  const r = diffImages(actual, expected, { channelTolerance: threshold, maxFraction: 1 });
  return { differing: r.differingPixels, fraction: r.fraction, maxDelta: r.maxDelta };
}
