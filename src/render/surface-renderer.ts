// The 3D view. Like the slice renderer it imports both rendering profiles (Geometry: polygon mappers,
// renderer, camera; Volume: the volume mapper) and names vtk.js deep imports with `.js` so the module also
// loads in Node, where the public API is shared with the CLI. Nothing here touches the DOM at import time.
import '@kitware/vtk.js/Rendering/Profiles/Geometry.js';
import '@kitware/vtk.js/Rendering/Profiles/Volume.js';
import vtkCellArray from '@kitware/vtk.js/Common/Core/CellArray.js';
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray.js';
import vtkPoints from '@kitware/vtk.js/Common/Core/Points.js';
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction.js';
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData.js';
import vtkInteractorStyleTrackballCamera from '@kitware/vtk.js/Interaction/Style/InteractorStyleTrackballCamera.js';
import vtkOrientationMarkerWidget from '@kitware/vtk.js/Interaction/Widgets/OrientationMarkerWidget.js';
import vtkActor from '@kitware/vtk.js/Rendering/Core/Actor.js';
import vtkAnnotatedCubeActor from '@kitware/vtk.js/Rendering/Core/AnnotatedCubeActor.js';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction.js';
import vtkMapper from '@kitware/vtk.js/Rendering/Core/Mapper.js';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow.js';
import vtkRenderWindowInteractor from '@kitware/vtk.js/Rendering/Core/RenderWindowInteractor.js';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer.js';
import vtkVolume from '@kitware/vtk.js/Rendering/Core/Volume.js';
import vtkVolumeMapper from '@kitware/vtk.js/Rendering/Core/VolumeMapper.js';
import vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js';
import type { Vec3 } from '../domain/geometry.ts';
import type { Rgb } from '../domain/structure.ts';
import type { Volume } from '../domain/volume.ts';
import type { SurfaceMesh } from '../mesh/surface.ts';
import { volumeToImageData, type VtkVolumeImage } from './image-data.ts';
import {
  anteriorCamera,
  geometryBounds,
  pointBounds,
  SLICE_PLANES,
  slicePlaneCorners,
  unionBounds,
  type Bounds,
  type SlicePositions,
} from './surface-scene.ts';
import type { ViewOrientation } from '../domain/view-axes.ts';
import { VOLUME_PRESETS, type VolumePresetName } from './volume-presets.ts';
import { FrameRequest, fitToContainer, pixelsToPng, readWindowPixels } from './render-window.ts';

/** How one structure's surface is drawn in the 3D view. */
export interface SurfaceAppearance {
  /** sRGB 0–255, the structure's colour. */
  readonly color: Rgb;
  /** 0 (invisible) to 1 (opaque). */
  readonly opacity: number;
  readonly visible: boolean;
}

/**
 * Colours of the MPR planes in the 3D view (sRGB 0–1), those of 3D Slicer's slice views: red axial, green
 * coronal, yellow sagittal, so a plane in 3D is recognised by the colour of its 2D view's frame.
 */
export const SLICE_PLANE_COLORS: Readonly<Record<ViewOrientation, readonly [number, number, number]>> = {
  axial: [0.95, 0.33, 0.3],
  coronal: [0.43, 0.69, 0.33],
  sagittal: [0.93, 0.84, 0.33],
};

/** Options of {@link createSurfaceRenderer}. */
export interface SurfaceRendererOptions {
  /** Background colour, RGB 0–1; default a dark blue-grey that black CT air and all structure colours stand out from. */
  readonly background?: readonly [number, number, number];
  /** Show the L/R/A/P/S/I orientation cube in the lower-left corner. Default true. */
  readonly orientationMarker?: boolean;
}

interface SurfaceEntry {
  readonly actor: vtkActor;
  readonly mapper: vtkMapper;
  readonly polyData: vtkPolyData;
  /** The vtk.js arrays wrapping the current mesh; replaced (and deleted) when the mesh changes. */
  arrays: { points: vtkPoints; polys: vtkCellArray; normals: vtkDataArray } | null;
  bounds: Bounds | null;
  appearance: SurfaceAppearance;
}

interface PlaneActors {
  readonly fill: vtkActor;
  readonly outline: vtkActor;
  readonly polyData: vtkPolyData;
  readonly outlineData: vtkPolyData;
  readonly mappers: [vtkMapper, vtkMapper];
}

interface VolumeRendering {
  readonly image: VtkVolumeImage;
  readonly actor: vtkVolume;
  readonly mapper: vtkVolumeMapper;
  readonly color: vtkColorTransferFunction;
  readonly opacity: vtkPiecewiseFunction;
}

const DEFAULT_APPEARANCE: SurfaceAppearance = { color: [255, 255, 255], opacity: 1, visible: true };

/** How long the container's size must stay unchanged before the view is redrawn at the new size. */
export const RESIZE_SETTLE_MS = 200;

/**
 * The 3D view of a structure set, rendered by vtk.js with WebGL2: each structure's closed surface (from
 * src/mesh) with its own colour, opacity and visibility; optionally the CT as a volume rendering through a
 * preset transfer function; the three MPR planes as coloured frames; an orientation cube labelled in LPS
 * (L/R, A/P, S/I on the faces the patient's left, anterior and head point to). The mouse rotates (left),
 * pans (middle or shift-left) and zooms (right or wheel) with vtk.js's trackball-camera style; `resetCamera`
 * (or R with the view focused) returns to the anterior view fitted to what is shown. vtk.js's own keys stay:
 * W and S switch everything to wireframe and back.
 *
 * Surfaces are data handed in (`setSurface`), not computed here: meshing runs in a worker (src/mesh), and
 * the renderer only wraps the typed arrays for vtk.js without copying them. The renderer owns a canvas
 * appended to `container` and follows the container's size; setters schedule one render on the next
 * animation frame. `dispose()` deletes every vtk.js object, unbinds the mouse, releases the WebGL context and
 * removes the canvas.
 */
export class SurfaceRenderer {
  readonly container: HTMLElement;
  readonly #glWindow: vtkOpenGLRenderWindow;
  readonly #renderWindow: vtkRenderWindow;
  readonly #renderer: vtkRenderer;
  readonly #interactor: vtkRenderWindowInteractor;
  readonly #style: vtkInteractorStyleTrackballCamera;
  readonly #marker: { widget: vtkOrientationMarkerWidget; cube: vtkAnnotatedCubeActor };
  readonly #surfaces = new Map<string, SurfaceEntry>();
  readonly #planes: Record<ViewOrientation, PlaneActors>;
  readonly #resizeObserver: ResizeObserver;
  #volume: Volume | null = null;
  #volumeRendering: VolumeRendering | null = null;
  #preset: VolumePresetName | null = null;
  #slicePositions: SlicePositions | null = null;
  #cameraPlaced = false;
  #cameraMovedByUser = false;
  readonly #onKeyPress = (event: KeyboardEvent): void => {
    if (event.key !== 'r' && event.key !== 'R') return;
    event.stopImmediatePropagation();
    this.resetCamera();
  };
  readonly #interactionSubscription: { unsubscribe(): void };
  readonly #frame = new FrameRequest(() => {
    if (!this.#disposed) this.render();
  });
  #contextCreated = false;
  #disposed = false;
  #resizeTimer: ReturnType<typeof setTimeout> | undefined;
  /** The container's own overflow style, given back on dispose. */
  #containerOverflow = '';

  constructor(container: HTMLElement, options: SurfaceRendererOptions = {}) {
    this.container = container;
    this.#renderWindow = vtkRenderWindow.newInstance();
    this.#renderer = vtkRenderer.newInstance();
    this.#renderer.setBackground([...(options.background ?? [0.07, 0.08, 0.1]), 1]);
    this.#renderWindow.addRenderer(this.#renderer);
    this.#glWindow = vtkOpenGLRenderWindow.newInstance();
    this.#renderWindow.addView(this.#glWindow);
    this.#glWindow.setContainer(container);
    // The canvas has the size of the last drawing, in pixels, not 100 % of the container: vtk.js's orientation
    // widget redraws the whole scene whenever the canvas changes size, so the canvas changes size only when the
    // view is redrawn at the settled size (see the ResizeObserver below); meanwhile the container clips it.
    const canvas = this.canvas;
    canvas.style.display = 'block';
    this.#containerOverflow = container.style.overflow;
    container.style.overflow = 'hidden';

    this.#interactor = vtkRenderWindowInteractor.newInstance();
    this.#interactor.setView(this.#glWindow);
    this.#interactor.initialize();
    this.#interactor.bindEvents(container);
    this.#style = vtkInteractorStyleTrackballCamera.newInstance();
    this.#interactor.setInteractorStyle(this.#style);
    // Rotate, pan, dolly and wheel-zoom all start with the style's StartInteraction event.
    this.#interactionSubscription = this.#style.onStartInteractionEvent(() => {
      this.#cameraMovedByUser = true;
    });
    // vtk.js answers R (with the view focused) with its own reset, which keeps the current direction; R here
    // means the anterior view, like the Reset button. A capture listener on the same element runs first.
    container.addEventListener('keypress', this.#onKeyPress, { capture: true });

    const cube = vtkAnnotatedCubeActor.newInstance();
    // vtk.js's 'lps' preset labels the faces the way LPS axes point: +x L, −x R, +y P, −y A, +z S, −z I.
    applyLpsLabels(cube);
    const widget = vtkOrientationMarkerWidget.newInstance({
      actor: cube,
      interactor: this.#interactor,
      parentRenderer: this.#renderer,
    });
    widget.setViewportCorner(vtkOrientationMarkerWidget.Corners.BOTTOM_LEFT);
    widget.setViewportSize(0.18);
    widget.setMinPixelSize(64);
    widget.setMaxPixelSize(160);
    this.#marker = { widget, cube };

    this.#planes = {
      sagittal: createPlaneActors(SLICE_PLANE_COLORS.sagittal),
      coronal: createPlaneActors(SLICE_PLANE_COLORS.coronal),
      axial: createPlaneActors(SLICE_PLANE_COLORS.axial),
    };

    this.#resize();
    // A layout change (a notice above the views, the progress row) must not stall the page: rendering thousands
    // of triangles costs far more than a frame on a software renderer. The canvas keeps its last picture and
    // size (the container clips it) until the size has settled; then the buffer is resized and drawn once.
    this.#resizeObserver = new ResizeObserver(() => {
      clearTimeout(this.#resizeTimer);
      this.#resizeTimer = setTimeout(() => {
        if (!this.#disposed && this.#resize()) this.requestRender();
      }, RESIZE_SETTLE_MS);
    });
    this.#resizeObserver.observe(container);
    this.#placeCamera(null);
    // Enabled after the first resize: the widget sizes its viewport from the window's size.
    if (options.orientationMarker ?? true) widget.setEnabled(true);
  }

  /** The canvas vtk.js draws into (a child of `container`). */
  get canvas(): HTMLCanvasElement {
    const canvas = this.#glWindow.getCanvas();
    if (!canvas) throw new Error('vtk.js render window has no canvas');
    return canvas;
  }

  /** Ids of the structures that have a surface here, in insertion order. */
  get surfaceIds(): string[] {
    return [...this.#surfaces.keys()];
  }

  /** The volume the view belongs to (slice planes, volume rendering), or null. */
  get volume(): Volume | null {
    return this.#volume;
  }

  /** The active volume-rendering preset, or null when the CT is not volume rendered. */
  get volumePreset(): VolumePresetName | null {
    return this.#preset;
  }

  /** True while translucent surfaces are held back because the CT is volume rendered (see setVolumePreset). */
  get translucentSurfacesHidden(): boolean {
    return (
      this.#volumeRendering !== null &&
      [...this.#surfaces.values()].some(
        (e) => e.appearance.visible && e.appearance.opacity > 0 && e.appearance.opacity < 1,
      )
    );
  }

  /** Whether the orientation cube is shown. */
  get orientationMarker(): boolean {
    return this.#marker.widget.getEnabled();
  }

  /** Shows or hides the orientation cube. */
  set orientationMarker(on: boolean) {
    this.#assertLive();
    this.#marker.widget.setEnabled(on);
    this.requestRender();
  }

  /**
   * Shows `mesh` as the surface of structure `id` (replacing its previous surface), drawn with `appearance`
   * or, for a structure already shown, its current appearance. The mesh's typed arrays are wrapped, not
   * copied: do not modify them afterwards. An empty mesh keeps the structure but draws nothing.
   */
  setSurface(id: string, mesh: SurfaceMesh, appearance?: SurfaceAppearance): void {
    this.#assertLive();
    let entry = this.#surfaces.get(id);
    if (!entry) {
      const polyData = vtkPolyData.newInstance();
      const mapper = vtkMapper.newInstance({ scalarVisibility: false });
      mapper.setInputData(polyData);
      const actor = vtkActor.newInstance();
      actor.setMapper(mapper);
      const property = actor.getProperty();
      // A little specular light shows the curvature of an organ; more would wash out its colour.
      property.setAmbient(0.15);
      property.setDiffuse(0.8);
      property.setSpecular(0.15);
      property.setSpecularPower(20);
      entry = {
        actor,
        mapper,
        polyData,
        arrays: null,
        bounds: null,
        appearance: appearance ?? DEFAULT_APPEARANCE,
      };
      this.#surfaces.set(id, entry);
      this.#renderer.addActor(actor);
    } else if (appearance) {
      entry.appearance = appearance;
    }
    const previous = entry.arrays;
    if (mesh.polys.length > 0) {
      const points = vtkPoints.newInstance();
      points.setData(mesh.points, 3);
      const polys = vtkCellArray.newInstance({ values: mesh.polys });
      const normals = vtkDataArray.newInstance({
        name: 'Normals',
        numberOfComponents: 3,
        values: mesh.normals,
      });
      entry.polyData.setPoints(points);
      entry.polyData.setPolys(polys);
      entry.polyData.getPointData().setNormals(normals);
      entry.arrays = { points, polys, normals };
      entry.bounds = pointBounds(mesh.points);
    } else {
      entry.arrays = null;
      entry.bounds = null;
    }
    entry.polyData.modified();
    previous?.points.delete();
    previous?.polys.delete();
    previous?.normals.delete();
    this.#applyAppearance(entry);
    if (!this.#cameraPlaced && entry.bounds) this.resetCamera();
    this.requestRender();
  }

  /** Changes how structure `id` is drawn; ignored for a structure without a surface. */
  setAppearance(id: string, appearance: SurfaceAppearance): void {
    this.#assertLive();
    const entry = this.#surfaces.get(id);
    if (!entry) return;
    entry.appearance = appearance;
    this.#applyAppearance(entry);
    this.requestRender();
  }

  /** The appearance of structure `id`, or undefined when it has no surface here. */
  appearance(id: string): SurfaceAppearance | undefined {
    return this.#surfaces.get(id)?.appearance;
  }

  /** Removes the surface of structure `id` and deletes its vtk.js objects. */
  removeSurface(id: string): void {
    this.#assertLive();
    const entry = this.#surfaces.get(id);
    if (!entry) return;
    this.#surfaces.delete(id);
    this.#renderer.removeActor(entry.actor);
    deleteSurface(entry);
    this.requestRender();
  }

  /**
   * Sets the volume the view belongs to: the grid the slice planes are drawn on and the CT that a preset
   * volume-renders. A different volume drops the volume rendering's GPU copy of the previous one and lets
   * the next surfaces place the camera afresh.
   */
  setVolume(volume: Volume | null): void {
    this.#assertLive();
    if (volume === this.#volume) return;
    this.#volume = volume;
    this.#disposeVolumeRendering();
    if (this.#preset && volume) this.#volumeRendering = this.#createVolumeRendering(volume, this.#preset);
    this.#applyAllAppearances();
    this.#updatePlanes();
    this.#cameraPlaced = false;
    this.#placeCamera(null);
    this.requestRender();
  }

  /**
   * Volume-renders the CT with a preset transfer function, or stops (null). The CT goes to the GPU only while
   * a preset is on: a 512 × 512 × 200 CT is a 100 MB texture the surfaces alone do not need. Meanwhile
   * translucent surfaces (opacity < 1) and the planes' tints are not drawn: vtk.js cannot blend translucent
   * geometry into a volume, and drawn they would clip it at their front face.
   */
  setVolumePreset(preset: VolumePresetName | null): void {
    this.#assertLive();
    if (preset !== null && !Object.hasOwn(VOLUME_PRESETS, preset))
      throw new RangeError(`unknown volume-rendering preset "${preset}"`);
    if (preset === this.#preset) return;
    this.#preset = preset;
    if (!preset) this.#disposeVolumeRendering();
    else if (this.#volumeRendering) applyPreset(this.#volumeRendering, preset);
    else if (this.#volume) this.#volumeRendering = this.#createVolumeRendering(this.#volume, preset);
    this.#applyAllAppearances();
    this.requestRender();
  }

  /** Shows the MPR planes at these index positions of the volume's grid, or hides them (null). */
  setSlicePositions(positions: SlicePositions | null): void {
    this.#assertLive();
    this.#slicePositions = positions ? { ...positions } : null;
    this.#updatePlanes();
    this.requestRender();
  }

  /**
   * Returns the camera to the anterior view (patient's left on screen right, head up) fitted to the visible
   * surfaces — plus the CT when it is volume rendered, or the CT alone when no surface is visible.
   */
  resetCamera(): void {
    this.#assertLive();
    const visible = [...this.#surfaces.values()]
      .filter((e) => e.appearance.visible && e.appearance.opacity > 0)
      .map((e) => e.bounds);
    const volumeBounds = this.#volume ? geometryBounds(this.#volume) : null;
    let bounds = unionBounds(visible);
    if (this.#volumeRendering || !bounds) bounds = unionBounds([bounds, volumeBounds]);
    this.#placeCamera(bounds);
    this.#cameraPlaced = bounds !== null;
    this.#cameraMovedByUser = false;
    this.requestRender();
  }

  /** True once the user has rotated, panned or zoomed since the camera was last reset. */
  get cameraMovedByUser(): boolean {
    return this.#cameraMovedByUser;
  }

  /** The current camera (LPS, mm), for tests and for views that follow this one. */
  get camera(): { position: Vec3; focalPoint: Vec3; viewUp: Vec3 } {
    const c = this.#renderer.getActiveCamera();
    return {
      position: [...c.getPosition()] as unknown as Vec3,
      focalPoint: [...c.getFocalPoint()] as unknown as Vec3,
      viewUp: [...c.getViewUp()] as unknown as Vec3,
    };
  }

  /** Schedules one render on the next animation frame; repeated calls before it coalesce. */
  requestRender(): void {
    if (!this.#disposed) this.#frame.request();
  }

  /** Renders now, synchronously, at the container's current size. */
  render(): void {
    this.#assertLive();
    this.#frame.cancel();
    this.#resize();
    this.#renderer.resetCameraClippingRange();
    this.#renderWindow.render();
    this.#contextCreated = true;
  }

  /** Renders and reads the canvas back: RGBA, rows top to bottom, in device pixels. */
  readPixels(): ImageData {
    this.render();
    return readWindowPixels(this.#glWindow);
  }

  /** The current view as a PNG image, as drawn (device pixels). */
  captureImage(): Promise<Blob> {
    return pixelsToPng(this.readPixels());
  }

  /** The WebGL context vtk.js renders with; null before the first render. */
  get gl(): WebGL2RenderingContext | null {
    if (!this.#contextCreated) return null;
    return this.canvas.getContext('webgl2');
  }

  /** Deletes every vtk.js object, unbinds the mouse, frees the WebGL context and removes the canvas. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#frame.cancel();
    this.#resizeObserver.disconnect();
    clearTimeout(this.#resizeTimer);
    this.container.style.overflow = this.#containerOverflow;
    const gl = this.gl;
    this.#marker.widget.setEnabled(false);
    this.#marker.widget.delete();
    this.#marker.cube.delete();
    this.#interactionSubscription.unsubscribe();
    this.container.removeEventListener('keypress', this.#onKeyPress, { capture: true });
    this.#interactor.unbindEvents();
    this.#interactor.delete();
    this.#style.delete();
    this.#renderer.removeAllViewProps();
    for (const entry of this.#surfaces.values()) deleteSurface(entry);
    this.#surfaces.clear();
    for (const plane of Object.values(this.#planes)) deletePlane(plane);
    this.#disposeVolumeRendering();
    this.#renderWindow.removeRenderer(this.#renderer);
    this.#renderer.delete();
    this.#glWindow.delete();
    this.#renderWindow.delete();
    // Browsers cap live WebGL contexts; a layout that opens and closes 3D views must give them back now.
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  }

  #applyAppearance(entry: SurfaceEntry): void {
    const { color, opacity, visible } = entry.appearance;
    const property = entry.actor.getProperty();
    property.setColor(color[0] / 255, color[1] / 255, color[2] / 255);
    property.setOpacity(Math.min(1, Math.max(0, opacity)));
    // vtk.js stops the volume's rays at every visible surface, translucent or not (its depth pre-pass draws
    // them all), so a translucent body outline would hide the whole volume rendering; while the CT is volume
    // rendered only opaque surfaces are drawn, which keeps what is shown depth-correct.
    const translucentHidden = opacity < 1 && this.#volumeRendering !== null;
    entry.actor.setVisibility(visible && opacity > 0 && entry.arrays !== null && !translucentHidden);
  }

  /** Re-applies every surface's appearance and the planes' fills (after volume rendering starts or stops). */
  #applyAllAppearances(): void {
    for (const entry of this.#surfaces.values()) this.#applyAppearance(entry);
    for (const plane of Object.values(this.#planes)) plane.fill.setVisibility(this.#volumeRendering === null);
  }

  #createVolumeRendering(volume: Volume, preset: VolumePresetName): VolumeRendering {
    const image = volumeToImageData(volume);
    const mapper = vtkVolumeMapper.newInstance();
    mapper.setInputData(image.imageData);
    mapper.setBlendModeToComposite();
    // One sample per (smallest) voxel is what the data holds; vtk.js coarsens it while the user rotates.
    mapper.setSampleDistance(Math.max(0.5, Math.min(...volume.spacing)));
    mapper.setMaximumSamplesPerRay(2000);
    mapper.setAutoAdjustSampleDistances(true);
    const actor = vtkVolume.newInstance();
    actor.setMapper(mapper);
    const color = vtkColorTransferFunction.newInstance();
    const opacity = vtkPiecewiseFunction.newInstance();
    const property = actor.getProperty();
    property.setRGBTransferFunction(0, color);
    property.setScalarOpacity(0, opacity);
    property.setInterpolationTypeToLinear();
    const rendering = { image, actor, mapper, color, opacity };
    applyPreset(rendering, preset);
    this.#renderer.addVolume(actor);
    return rendering;
  }

  #disposeVolumeRendering(): void {
    const r = this.#volumeRendering;
    if (!r) return;
    this.#volumeRendering = null;
    this.#renderer.removeVolume(r.actor);
    r.actor.delete();
    r.mapper.delete();
    r.color.delete();
    r.opacity.delete();
    r.image.dispose();
  }

  #updatePlanes(): void {
    const volume = this.#volume;
    const positions = this.#slicePositions;
    for (const name of SLICE_PLANES) {
      const plane = this.#planes[name];
      const corners = volume && positions ? slicePlaneCorners(volume, name, positions[name]) : null;
      if (!corners) {
        this.#renderer.removeActor(plane.fill);
        this.#renderer.removeActor(plane.outline);
        continue;
      }
      const flat = new Float32Array(corners.flat());
      for (const data of [plane.polyData, plane.outlineData]) {
        data.getPoints().setData(flat.slice(), 3);
        data.getPoints().modified();
        data.modified();
      }
      if (!this.#renderer.getActors().includes(plane.fill)) {
        this.#renderer.addActor(plane.fill);
        this.#renderer.addActor(plane.outline);
      }
    }
  }

  #placeCamera(bounds: Bounds | null): void {
    const [w, h] = this.#glWindow.getSize();
    const camera = anteriorCamera(bounds ?? [-100, 100, -100, 100, -100, 100], w / h);
    const vtkCamera = this.#renderer.getActiveCamera();
    // Setting position, focal point and view-up one after the other passes through states where the view-up
    // is parallel to the direction of projection; the orientation marker follows every camera change and
    // resets its own camera in each, which vtk.js answers with a warning per step. Detach it meanwhile.
    const widget = this.#marker?.widget;
    const markerOn = widget?.getEnabled() ?? false;
    if (markerOn) widget!.setEnabled(false);
    vtkCamera.setViewAngle(camera.viewAngle);
    vtkCamera.setFocalPoint(...camera.focalPoint);
    vtkCamera.setPosition(...camera.position);
    vtkCamera.setViewUp(...camera.viewUp);
    this.#renderer.resetCameraClippingRange();
    if (markerOn) widget!.setEnabled(true);
  }

  /** Matches the drawing buffer to the container's laid-out size; true when it changed. */
  #resize(): boolean {
    if (!fitToContainer(this.#glWindow, this.container)) return false;
    const { width, height } = this.container.getBoundingClientRect();
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    if (this.#marker?.widget.getEnabled()) this.#marker.widget.updateViewport();
    return true;
  }

  #assertLive(): void {
    if (this.#disposed) throw new Error('SurfaceRenderer used after dispose()');
  }
}

/**
 * Creates a {@link SurfaceRenderer} in `container` (which should have a laid-out size; the view follows it).
 * This is the entry point the UI uses; the class is exported for its type.
 */
export function createSurfaceRenderer(
  container: HTMLElement,
  options: SurfaceRendererOptions = {},
): SurfaceRenderer {
  return new SurfaceRenderer(container, options);
}

function applyLpsLabels(cube: vtkAnnotatedCubeActor): void {
  const presets = (
    vtkAnnotatedCubeActor as unknown as {
      Presets: { applyPreset(name: string, actor: vtkAnnotatedCubeActor): void };
    }
  ).Presets;
  presets.applyPreset('lps', cube);
  cube.setDefaultStyle({
    fontStyle: 'bold',
    fontFamily: 'Arial',
    fontColor: 'black',
    faceColor: '#d9dde2',
    edgeThickness: 0.08,
    edgeColor: '#2a2f34',
    resolution: 256,
  });
}

function applyPreset(rendering: VolumeRendering, name: VolumePresetName): void {
  const preset = VOLUME_PRESETS[name];
  rendering.color.removeAllPoints();
  for (const [hu, r, g, b] of preset.colors) rendering.color.addRGBPoint(hu, r, g, b);
  rendering.opacity.removeAllPoints();
  for (const [hu, a] of preset.opacities) rendering.opacity.addPoint(hu, a);
  const property = rendering.actor.getProperty();
  property.setScalarOpacityUnitDistance(0, preset.unitDistanceMm);
  property.setShade(preset.shade);
  property.setAmbient(preset.ambient);
  property.setDiffuse(preset.diffuse);
  property.setSpecular(preset.specular);
}

function createPlaneActors(color: readonly [number, number, number]): PlaneActors {
  const polyData = vtkPolyData.newInstance();
  polyData.getPoints().setData(new Float32Array(12), 3);
  polyData.getPolys().setData(new Uint32Array([4, 0, 1, 2, 3]));
  const outlineData = vtkPolyData.newInstance();
  outlineData.getPoints().setData(new Float32Array(12), 3);
  outlineData.getLines().setData(new Uint32Array([5, 0, 1, 2, 3, 0]));
  const fillMapper = vtkMapper.newInstance({ scalarVisibility: false });
  fillMapper.setInputData(polyData);
  const outlineMapper = vtkMapper.newInstance({ scalarVisibility: false });
  outlineMapper.setInputData(outlineData);
  const fill = vtkActor.newInstance();
  fill.setMapper(fillMapper);
  // A barely visible, unlit tint: enough to read the plane's extent when it is seen at an angle, little
  // enough that a plane seen face-on (the coronal one in the anterior view) does not veil the organs.
  fill.getProperty().setColor(...color);
  fill.getProperty().setOpacity(0.04);
  fill.getProperty().setLighting(false);
  fill.setPickable(false);
  const outline = vtkActor.newInstance();
  outline.setMapper(outlineMapper);
  outline.getProperty().setColor(...color);
  outline.getProperty().setLighting(false);
  outline.getProperty().setLineWidth(2);
  outline.setPickable(false);
  return { fill, outline, polyData, outlineData, mappers: [fillMapper, outlineMapper] };
}

function deletePlane(plane: PlaneActors): void {
  plane.fill.delete();
  plane.outline.delete();
  plane.mappers[0].delete();
  plane.mappers[1].delete();
  plane.polyData.delete();
  plane.outlineData.delete();
}

function deleteSurface(entry: SurfaceEntry): void {
  entry.actor.delete();
  entry.mapper.delete();
  entry.polyData.delete();
  entry.arrays?.points.delete();
  entry.arrays?.polys.delete();
  entry.arrays?.normals.delete();
}
