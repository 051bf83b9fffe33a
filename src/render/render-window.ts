/**
 * What the slice and surface renderers share about their vtk.js OpenGL window: one render per animation
 * frame however often it is requested, a drawing buffer sized to the container in device pixels, and
 * reading the drawn pixels back (for tests, screenshots and image capture).
 */
import type vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js';
import { imageDataFromBottomUp } from './pixels.ts';

/** Coalesces render requests into one call of `run` on the next animation frame. */
export class FrameRequest {
  readonly #run: () => void;
  #frame = 0;

  constructor(run: () => void) {
    this.#run = run;
  }

  /** Schedules `run` on the next animation frame unless it is already scheduled. */
  request(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#run();
    });
  }

  /** Drops the scheduled call, if any (the owner is rendering now, or is disposed). */
  cancel(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }
}

/** Sizes the window's drawing buffer to `container`'s laid-out size in device pixels; true when it changed. */
export function fitToContainer(glWindow: vtkOpenGLRenderWindow, container: HTMLElement): boolean {
  const { width, height } = container.getBoundingClientRect();
  const dpr = globalThis.devicePixelRatio || 1;
  const size: [number, number] = [Math.max(1, Math.floor(width * dpr)), Math.max(1, Math.floor(height * dpr))];
  const [w, h] = glWindow.getSize();
  if (size[0] === w && size[1] === h) return false;
  glWindow.setSize(size);
  return true;
}

/**
 * The window's pixels as drawn: RGBA, rows top to bottom, in device pixels. Call it right after rendering,
 * in the same task, which is what makes it work without `preserveDrawingBuffer` (that would cost every
 * frame a copy).
 */
export function readWindowPixels(glWindow: vtkOpenGLRenderWindow): ImageData {
  const [width, height] = glWindow.getSize();
  return imageDataFromBottomUp(glWindow.getPixelData(0, 0, width - 1, height - 1), width, height);
}

/** Pixels as a PNG image. */
export async function pixelsToPng(pixels: ImageData): Promise<Blob> {
  const canvas = new OffscreenCanvas(pixels.width, pixels.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas context for image capture');
  context.putImageData(pixels, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
