/**
 * Finds a lit surface's colour in a rendered image. A Phong-lit surface of colour c shows as shades s·c
 * (ambient + diffuse) plus a little white where the specular highlight falls; so a pixel "is" colour c when
 * it is close to the shade of c that best explains it. Used by the 3D-view tests to ask "is the heart on
 * screen?" without depending on exact lighting.
 */
import type { RgbaImage } from './pixel-diff.ts';

/** True when rgb (0–255) is a shade of `colour` (0–255) brighter than `minShade`, within `tolerance`. */
export function isShadeOf(
  r: number,
  g: number,
  b: number,
  colour: readonly [number, number, number],
  tolerance = 18,
  minShade = 0.2,
): boolean {
  const [cr, cg, cb] = colour;
  const s = (r * cr + g * cg + b * cb) / (cr * cr + cg * cg + cb * cb);
  if (!(s >= minShade)) return false;
  return Math.hypot(r - s * cr, g - s * cg, b - s * cb) <= tolerance;
}

/** Number of pixels of `image` (optionally inside a rectangle) that are a shade of `colour`. */
export function countShadePixels(
  image: RgbaImage,
  colour: readonly [number, number, number],
  region: { x: number; y: number; width: number; height: number } = {
    x: 0,
    y: 0,
    width: image.width,
    height: image.height,
  },
): number {
  let n = 0;
  const d = image.data;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const o = 4 * (y * image.width + x);
      if (isShadeOf(d[o], d[o + 1], d[o + 2], colour)) n++;
    }
  }
  return n;
}

/** The centroid (x, y, in pixels) of the pixels that are a shade of `colour`, or null when there are none. */
export function shadeCentroid(
  image: RgbaImage,
  colour: readonly [number, number, number],
): [number, number] | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  const d = image.data;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const o = 4 * (y * image.width + x);
      if (isShadeOf(d[o], d[o + 1], d[o + 2], colour)) {
        n++;
        sx += x;
        sy += y;
      }
    }
  }
  return n ? [sx / n, sy / n] : null;
}
