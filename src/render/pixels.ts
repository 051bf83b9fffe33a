/**
 * WebGL reads pixels bottom row first; DOM images (and display coordinates) are top row first. Turns a
 * bottom-up RGBA readback of `width`×`height` into an ImageData, top row first — the form the tests and
 * screenshots compare.
 */
export function imageDataFromBottomUp(bottomUp: Uint8Array, width: number, height: number): ImageData {
  const pixels = new ImageData(width, height);
  const row = width * 4;
  for (let y = 0; y < height; y++) pixels.data.set(bottomUp.subarray((height - 1 - y) * row, (height - y) * row), y * row);
  return pixels;
}
