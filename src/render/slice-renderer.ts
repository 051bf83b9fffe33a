// Image slices need the Volume profile (it registers the OpenGL image mappers); the Geometry profile
// registers the renderer, camera and render window themselves. Imports name the `.js` files because
// vtk.js has no package `exports` map: with the extension the module also loads in Node (the public API
// in src/index.ts is shared with the CLI), where extensionless deep imports fail.
import '@kitware/vtk.js/Rendering/Profiles/Geometry.js';
import '@kitware/vtk.js/Rendering/Profiles/Volume.js';
import vtkPlane from '@kitware/vtk.js/Common/DataModel/Plane.js';
import vtkImageResliceMapper from '@kitware/vtk.js/Rendering/Core/ImageResliceMapper.js';
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice.js';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow.js';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer.js';
import vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js';
import type { Vec3 } from '../domain/geometry.ts';
import type { SliceAxis } from '../domain/mask.ts';
import type { Volume } from '../domain/volume.ts';
import type { SlicePlane } from '../domain/tools/paint.ts';
import { volumeToImageData, type VtkVolumeImage } from './image-data.ts';
import { planeAffine, type PlaneAffine } from './slice-overlay.ts';
import { gridAxisForView, type ViewOrientation } from '../domain/view-axes.ts';
import {
  gridSlicePlane,
  mmPerPixel,
  orientationLabels,
  patientToViewport,
  sliceCamera,
  viewportToPatient,
  type OrientationLabels,
  type SliceCamera,
  type ViewportSize,
} from './slice-camera.ts';
import { FrameRequest, fitToContainer, pixelsToPng, readWindowPixels } from './render-window.ts';
import { SOFT_TISSUE_WINDOW, type WindowLevel } from '../domain/window.ts';


/** Options of {@link createSliceRenderer}. */
export interface SliceRendererOptions {
  /** The volume to show; a renderer without one draws only its background until `setVolume`. */
  readonly volume?: Volume | null;
  /** Stored slice index to show first; defaults to the middle slice. */
  readonly slice?: number;
  /** Defaults to {@link SOFT_TISSUE_WINDOW}. */
  readonly windowLevel?: WindowLevel;
  /** Background colour, RGB in 0–1; defaults to black, which reads as air in a CT window. */
  readonly background?: readonly [number, number, number];
  /**
   * The standard view to show: the grid's index planes closest to it (see `gridAxisForView`), in that
   * view's radiological convention. Without it the view shows the stored (acquisition) slices, k planes,
   * in the convention of the nearest standard view.
   */
  readonly orientation?: ViewOrientation;
  /**
   * Called instead of scheduling a frame when the view needs redrawing (a setter, a resize). An owner
   * that draws more on top (an overlay canvas) passes it so both are drawn in one frame by `render()`,
   * never the image in one frame and its overlay in the next.
   */
  readonly onInvalidate?: () => void;
}

/** Zoom and pan of a view; see {@link SliceCameraOptions}. */
export interface ViewTransform {
  /** Magnification relative to fitting the whole volume (1 = fit). */
  readonly zoom: number;
  /** Image displacement in mm along the screen's right and up directions. */
  readonly pan: readonly [number, number];
}

/** A point on the canvas in CSS-independent device pixels: x to the right, y down, origin top-left. */
export type DisplayPoint = readonly [x: number, y: number];

/**
 * A 2D slice view of a Volume rendered by vtk.js with WebGL2: one index plane of the grid (a stored,
 * acquisition-plane slice by default; with `orientation` the grid's planes closest to an axial, coronal or
 * sagittal view), shown through an orthographic camera that looks along the slice normal in the
 * radiological convention (for an axial CT: seen from the feet, patient right on screen left, anterior
 * up), grey-scale through a window/level, nearest-neighbour so each voxel stays a visible square for
 * contouring. The slice is cut by vtkImageResliceMapper on a patient-space plane, so oblique and sheared
 * grids are shown exactly as acquired; the view geometry itself lives in the pure `slice-camera.ts`, and
 * `patientToDisplay`/`displayToPatient` use that same math, which is what lets overlays be drawn on a 2D
 * canvas on top with sub-pixel agreement.
 *
 * The renderer owns a canvas appended to `container` and tracks the container's size. Setters schedule one
 * render on the next animation frame; `render()` draws immediately. `dispose()` deletes every vtk.js object,
 * releases the WebGL context and removes the canvas; the instance is unusable afterwards.
 */
export class SliceRenderer {
  readonly container: HTMLElement;
  readonly #glWindow: vtkOpenGLRenderWindow;
  readonly #renderWindow: vtkRenderWindow;
  readonly #renderer: vtkRenderer;
  readonly #plane: vtkPlane;
  readonly #mapper: vtkImageResliceMapper;
  readonly #actor: vtkImageSlice;
  readonly #resizeObserver: ResizeObserver;
  #image: VtkVolumeImage | null = null;
  #slice = 0;
  #axis: SliceAxis = 2;
  readonly #orientation: ViewOrientation | undefined;
  readonly #onInvalidate: (() => void) | undefined;
  #view: ViewTransform = { zoom: 1, pan: [0, 0] };
  #windowLevel: WindowLevel;
  #camera: SliceCamera | null = null;
  readonly #frame = new FrameRequest(() => {
    if (!this.#disposed) this.render();
  });
  #contextCreated = false;
  #disposed = false;

  constructor(container: HTMLElement, options: SliceRendererOptions = {}) {
    this.container = container;
    this.#orientation = options.orientation;
    this.#onInvalidate = options.onInvalidate;
    this.#windowLevel = checkedWindowLevel(options.windowLevel ?? SOFT_TISSUE_WINDOW);

    this.#renderWindow = vtkRenderWindow.newInstance();
    this.#renderer = vtkRenderer.newInstance();
    this.#renderer.setBackground([...(options.background ?? [0, 0, 0]), 1]);
    this.#renderWindow.addRenderer(this.#renderer);
    this.#glWindow = vtkOpenGLRenderWindow.newInstance();
    this.#renderWindow.addView(this.#glWindow);
    this.#glWindow.setContainer(container);
    const canvas = this.canvas;
    // vtk.js sizes the canvas width to 100% only; the view fills its container in both directions, and
    // the drawing buffer follows the laid-out size (see #resize).
    canvas.style.width = '100%';
    canvas.style.height = '100%';
    canvas.style.display = 'block';

    this.#plane = vtkPlane.newInstance();
    this.#mapper = vtkImageResliceMapper.newInstance();
    this.#mapper.setSlicePlane(this.#plane);
    this.#actor = vtkImageSlice.newInstance();
    this.#actor.setMapper(this.#mapper);
    // Nearest neighbour: contouring needs to see voxel boundaries, and interpolation would invent values.
    this.#actor.getProperty().setInterpolationTypeToNearest();
    this.#renderer.getActiveCamera().setParallelProjection(true);

    this.#resize();
    this.#resizeObserver = new ResizeObserver(() => {
      if (this.#resize()) this.requestRender();
    });
    this.#resizeObserver.observe(container);

    this.#applyWindowLevel();
    if (options.volume) this.#setVolume(options.volume, options.slice);
  }

  /** The canvas vtk.js draws into (a child of `container`). */
  get canvas(): HTMLCanvasElement {
    const canvas = this.#glWindow.getCanvas();
    if (!canvas) throw new Error('vtk.js render window has no canvas');
    return canvas;
  }

  /** The volume shown, or null. */
  get volume(): Volume | null {
    return this.#image?.volume ?? null;
  }

  /** Index of the slice shown along the view's grid axis (k for stored slices); 0 without a volume. */
  get slice(): number {
    return this.#slice;
  }

  /** Number of slices along the view's grid axis (k for stored slices); 0 without a volume. */
  get sliceCount(): number {
    return this.#image ? this.#image.volume.dimensions[this.#axis] : 0;
  }

  /** The grid axis the view slices along: 2 = k planes (stored slices), 1 = j planes, 0 = i planes. */
  get axis(): SliceAxis {
    return this.#axis;
  }

  /** The index plane shown, in the editing tools' terms; null without a volume. */
  get plane(): SlicePlane | null {
    return this.#image ? { axis: this.#axis, index: this.#slice } : null;
  }

  /**
   * The affine map from the shown plane's in-plane index coordinates (u, v) to canvas pixels: what the
   * overlay draws masks through. Throws without a volume.
   */
  planeAffine(): PlaneAffine {
    this.#assertLive();
    const camera = this.#liveCamera();
    return planeAffine(this.#image!.volume, this.plane!, camera, this.viewportSize);
  }

  /** The zoom and pan on top of the fitted view. */
  get viewTransform(): ViewTransform {
    return this.#view;
  }

  /** The drawing buffer's size in device pixels. */
  get viewportSize(): ViewportSize {
    const [width, height] = this.#glWindow.getSize();
    return { width, height };
  }

  /** Millimetres of patient per device pixel at the current zoom; NaN without a volume. */
  get mmPerPixel(): number {
    return this.#camera ? mmPerPixel(this.#camera, this.viewportSize) : NaN;
  }

  /** The anatomical direction at each edge of the view, from the camera; null without a volume. */
  get orientationLabels(): OrientationLabels | null {
    return this.#camera ? orientationLabels(this.#camera) : null;
  }

  /** The current display window. */
  get windowLevel(): WindowLevel {
    return this.#windowLevel;
  }

  /** The camera of the last layout (patient coordinates), or null without a volume. */
  get camera(): SliceCamera | null {
    return this.#camera;
  }

  /**
   * Shows another volume (or none), starting at `slice` (default: the middle one). The previous volume's
   * vtk.js image and its GPU texture are released. The window/level is kept: it is a display setting.
   */
  setVolume(volume: Volume | null, slice?: number): void {
    this.#assertLive();
    this.#setVolume(volume, slice);
  }

  /** Shows slice `k` along the view's grid axis (0 ≤ k < sliceCount). Throws a RangeError for any other value. */
  setSlice(k: number): void {
    this.#assertLive();
    if (!this.#image) throw new RangeError('no volume to slice');
    this.#slice = checkedSlice(k, this.sliceCount);
    this.#layout();
    this.requestRender();
  }

  /**
   * Sets zoom (> 0, 1 = the whole volume fits) and pan (mm along screen right and up). The camera moves;
   * the slice does not.
   */
  setViewTransform(view: ViewTransform): void {
    this.#assertLive();
    if (!(view.zoom > 0) || !Number.isFinite(view.zoom)) throw new RangeError(`zoom must be a positive number, got ${view.zoom}`);
    if (!view.pan.every(Number.isFinite)) throw new RangeError('pan must be two finite distances in mm');
    this.#view = { zoom: view.zoom, pan: [view.pan[0], view.pan[1]] };
    this.#layout();
    this.requestRender();
  }

  /** Sets the display window (window > 0) in the volume's units. */
  setWindowLevel(window: number, level: number): void {
    this.#assertLive();
    this.#windowLevel = checkedWindowLevel({ window, level });
    this.#applyWindowLevel();
    this.requestRender();
  }

  /**
   * Schedules one render on the next animation frame; repeated calls before it coalesce. With
   * `onInvalidate` the owner is told instead and renders itself.
   */
  requestRender(): void {
    if (this.#disposed) return;
    if (this.#onInvalidate) {
      this.#onInvalidate();
      return;
    }
    this.#frame.request();
  }

  /** Renders now, synchronously, at the container's current size. */
  render(): void {
    this.#assertLive();
    this.#frame.cancel();
    // The ResizeObserver reports a size only after layout; a render requested before that (a view created
    // in a detached or just-inserted container) would otherwise draw into a stale 1 × 1 buffer.
    this.#resize();
    this.#renderWindow.render();
    this.#contextCreated = true;
  }

  /**
   * Renders and reads the canvas back: RGBA, rows top to bottom, in device pixels. Reading right after
   * drawing, in the same task, is what makes this work without `preserveDrawingBuffer` (which would cost
   * every frame a copy).
   */
  readPixels(): ImageData {
    this.render();
    return readWindowPixels(this.#glWindow);
  }

  /** The current view as a PNG image, as drawn (device pixels). */
  captureImage(): Promise<Blob> {
    return pixelsToPng(this.readPixels());
  }

  /**
   * The canvas position (device pixels, origin top-left, pixel (0, 0) covering [0, 1)²) where a patient
   * point (LPS, mm) is drawn: its projection along the view direction. Throws without a volume.
   */
  patientToDisplay(point: Vec3): DisplayPoint {
    this.#assertLive();
    return patientToViewport(this.#liveCamera(), this.viewportSize, point);
  }

  /** The patient point (LPS, mm) on the current slice plane drawn at a canvas position (device pixels). */
  displayToPatient(point: DisplayPoint): Vec3 {
    this.#assertLive();
    return viewportToPatient(this.#liveCamera(), this.viewportSize, point);
  }

  #liveCamera(): SliceCamera {
    // The camera follows the buffer size; a resize not yet observed would map through a stale viewport.
    this.#resize();
    if (!this.#camera) throw new RangeError('no volume shown: nothing to map to');
    return this.#camera;
  }

  /** The WebGL context vtk.js renders with; vtk.js 37 renders only through WebGL2. Null before the first render. */
  get gl(): WebGL2RenderingContext | null {
    if (!this.#contextCreated) return null;
    return this.canvas.getContext('webgl2');
  }

  /** Deletes every vtk.js object, frees the WebGL context and removes the canvas. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#frame.cancel();
    this.#resizeObserver.disconnect();
    const gl = this.gl;
    this.#renderer.removeAllViewProps();
    this.#actor.delete();
    this.#mapper.delete();
    this.#plane.delete();
    this.#image?.dispose();
    this.#image = null;
    this.#renderWindow.removeRenderer(this.#renderer);
    this.#renderer.delete();
    // Deleting the OpenGL window also detaches its canvas from the container.
    this.#glWindow.delete();
    this.#renderWindow.delete();
    // Browsers cap live WebGL contexts (~16) and silently kill the oldest; an MPR layout that opens and
    // closes views must not wait for garbage collection to give its context back.
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  }

  #setVolume(volume: Volume | null, slice?: number): void {
    const previous = this.#image;
    this.#image = volume ? volumeToImageData(volume) : null;
    if (this.#image) {
      this.#axis = this.#orientation ? gridAxisForView(volume!, this.#orientation) : 2;
      this.#mapper.setInputData(this.#image.imageData);
      this.#slice = checkedSlice(slice ?? Math.floor((volume!.dimensions[this.#axis] - 1) / 2), this.sliceCount);
      this.#renderer.addViewProp(this.#actor);
    } else {
      this.#renderer.removeViewProp(this.#actor);
      this.#slice = 0;
    }
    previous?.dispose();
    this.#layout();
    this.requestRender();
  }

  /** Matches the drawing buffer to the container's laid-out size; true when it changed. */
  #resize(): boolean {
    if (!fitToContainer(this.#glWindow, this.container)) return false;
    this.#layout();
    return true;
  }

  /** Places the slice plane and the camera for the current volume, slice and viewport. */
  #layout(): void {
    const volume = this.#image?.volume;
    if (!volume) {
      this.#camera = null;
      return;
    }
    const plane = gridSlicePlane(volume, this.#axis, this.#slice);
    this.#plane.setOrigin([...plane.origin]);
    this.#plane.setNormal([...plane.normal]);
    const [w, h] = this.#glWindow.getSize();
    const camera = sliceCamera(volume, plane, w / h, { orientation: this.#orientation, zoom: this.#view.zoom, pan: this.#view.pan });
    const vtkCamera = this.#renderer.getActiveCamera();
    vtkCamera.setFocalPoint(...camera.focalPoint);
    vtkCamera.setPosition(...camera.position);
    vtkCamera.setViewUp(...camera.viewUp);
    vtkCamera.setParallelScale(camera.parallelScale);
    this.#renderer.resetCameraClippingRange();
    this.#camera = camera;
  }

  #applyWindowLevel(): void {
    const property = this.#actor.getProperty();
    property.setColorWindow(this.#windowLevel.window);
    property.setColorLevel(this.#windowLevel.level);
  }

  #assertLive(): void {
    if (this.#disposed) throw new Error('SliceRenderer used after dispose()');
  }
}

/**
 * Creates a {@link SliceRenderer} in `container` (which should have a laid-out size; the view follows it).
 * This is the entry point the UI uses; the class is exported for its type.
 */
export function createSliceRenderer(container: HTMLElement, options: SliceRendererOptions = {}): SliceRenderer {
  return new SliceRenderer(container, options);
}

function checkedSlice(k: number, count: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= count) throw new RangeError(`slice index must be an integer in [0, ${count - 1}], got ${k}`);
  return k;
}

function checkedWindowLevel(wl: WindowLevel): WindowLevel {
  if (!(wl.window > 0) || !Number.isFinite(wl.window) || !Number.isFinite(wl.level)) {
    throw new RangeError(`window must be a positive number and level finite, got W ${wl.window} / L ${wl.level}`);
  }
  return { window: wl.window, level: wl.level };
}
