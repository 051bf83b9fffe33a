/**
 * Screenshot assertions against committed baselines in test/fixtures/screenshots/<name>.png, through the
 * `delineo-screenshot` command of screenshot-plugin.js (the browser cannot read the environment or write
 * into the repository). Two entry points:
 *
 * - `expectMatchesBaseline(name, image)` for pixels a test already holds (a renderer's readPixels);
 * - `expectScreenshot(element, name)` for a real screenshot of an element's box as the page shows it —
 *   WebGL canvas, 2D overlay and HTML annotations composited together, at device-pixel ratio 1.
 *
 * Comparison is tolerant (diffImages). Run with UPDATE_BASELINES=1 to write new baselines, then look at
 * them before committing; without it a missing baseline fails. On a mismatch the actual image and a diff
 * are written to test/.out/screenshots for a person to look at.
 */
import { executeServerCommand } from '@web/test-runner-commands';
import { diffImages, type RgbaImage } from './pixel-diff.ts';

/** Tolerances of a baseline comparison; see diffImages. */
export interface BaselineOptions {
  /** Largest channel difference (0–255) a pixel may have and still match. Default 32. */
  readonly threshold?: number;
  /** Largest fraction of pixels that may differ. Default 0.005. */
  readonly maxFraction?: number;
}

async function decode(base64: string): Promise<ImageData> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
}

async function encode(image: RgbaImage): Promise<string> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d')!.putImageData(new ImageData(Uint8ClampedArray.from(image.data), image.width, image.height), 0, 0);
  const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Waits two animation frames, so that what was drawn last has been composited. */
export const composited = () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));

/**
 * Compares `image` with the baseline `name`; throws an Error describing the difference when they do not
 * match, or when the baseline is missing and UPDATE_BASELINES is not set. With UPDATE_BASELINES=1 the
 * image becomes the baseline.
 */
export async function expectMatchesBaseline(name: string, image: RgbaImage, options: BaselineOptions = {}, png?: string): Promise<void> {
  const read = (await executeServerCommand('delineo-screenshot', { action: 'read', name })) as { update: boolean; baseline: string | null; path: string };
  if (read.update) {
    await executeServerCommand('delineo-screenshot', { action: 'write-baseline', name, png: png ?? (await encode(image)) });
    return;
  }
  if (!read.baseline) throw new Error(`no baseline ${read.path}: run the test with UPDATE_BASELINES=1 to create it, then look at it`);
  const result = diffImages(image, await decode(read.baseline), { channelTolerance: options.threshold, maxFraction: options.maxFraction });
  if (result.match) return;
  await executeServerCommand('delineo-screenshot', {
    action: 'write-failure',
    name,
    png: png ?? (await encode(image)),
    diff: result.diff ? await encode({ width: image.width, height: image.height, data: result.diff }) : undefined,
  });
  throw new Error(`screenshot ${name} does not match ${read.path}: ${result.reason} (actual and diff in test/.out/screenshots)`);
}

/** A real screenshot of `element`'s box (CSS pixels = device pixels at DPR 1), as PNG base64 and pixels. */
export async function captureElement(element: Element): Promise<{ png: string; image: ImageData }> {
  await composited();
  const r = element.getBoundingClientRect();
  const clip = { x: Math.round(r.left), y: Math.round(r.top), width: Math.round(r.width), height: Math.round(r.height) };
  const { png } = (await executeServerCommand('delineo-screenshot', { action: 'capture', name: 'capture', clip })) as { png: string };
  return { png, image: await decode(png) };
}

/** Screenshots `element` and compares it with the baseline `name` (see expectMatchesBaseline). */
export async function expectScreenshot(element: Element, name: string, options: BaselineOptions = {}): Promise<void> {
  const { png, image } = await captureElement(element);
  await expectMatchesBaseline(name, image, options, png);
}
