import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { countShadePixels, shadeCentroid } from '../../test/helpers/colour-pixels.ts';
import { generatePhantom, type Phantom } from '../phantom/phantom.ts';
import { surfaceFromMask, type SurfaceMesh } from '../mesh/surface.ts';
import { createSurfaceRenderer, RESIZE_SETTLE_MS, SLICE_PLANE_COLORS, type SurfaceRenderer } from './surface-renderer.ts';

// A coarse phantom (3.1 × 3.1 × 5 mm) keeps meshing in the test fast; the anatomy is the same.
let phantom: Phantom;
const meshes = new Map<string, SurfaceMesh>();
const colourOf = (name: string) => phantom.structures.find((s) => s.name === name)!.color;
const SIZE = 256;

describe('SurfaceRenderer (vtk.js, WebGL2)', () => {
  let container: HTMLDivElement;
  let view: SurfaceRenderer;

  before(async () => {
    phantom = generatePhantom({ dimensions: [160, 160, 56], spacing: [3.125, 3.125, 5], noiseHu: 0 });
    for (const s of phantom.structures)
      meshes.set(s.name, await surfaceFromMask(s.mask, phantom.volume.geometry));
  });

  beforeEach(() => {
    container = document.createElement('div');
    container.style.cssText = `width: ${SIZE}px; height: ${SIZE}px; position: fixed; left: 0; top: 0;`;
    document.body.append(container);
    view = createSurfaceRenderer(container, { orientationMarker: false });
  });

  afterEach(() => {
    view.dispose();
    container.remove();
  });

  /** Shows the named structures only, with their phantom colours, opaque. */
  function show(...names: string[]): void {
    for (const s of phantom.structures) {
      view.setSurface(s.name, meshes.get(s.name)!, {
        color: s.color,
        opacity: 1,
        visible: names.includes(s.name),
      });
    }
  }

  it('draws each structure in its colour, and the patient’s left on the right in the anterior view', () => {
    show('Lung_L', 'Lung_R', 'Heart');
    view.resetCamera();
    const img = view.readPixels();
    expect(view.gl).to.be.instanceOf(WebGL2RenderingContext);
    expect([img.width, img.height]).to.deep.equal([SIZE, SIZE]);
    for (const name of ['Lung_L', 'Lung_R', 'Heart']) {
      expect(countShadePixels(img, colourOf(name)), name).to.be.greaterThan(300);
    }
    // Lung_L is the patient's left lung (+x in LPS): on screen right when seen from the front.
    const left = shadeCentroid(img, colourOf('Lung_L'))!;
    const right = shadeCentroid(img, colourOf('Lung_R'))!;
    expect(left[0]).to.be.greaterThan(SIZE / 2);
    expect(right[0]).to.be.lessThan(SIZE / 2);
    // The heart is anterior: in front of the lungs, between them.
    const heart = shadeCentroid(img, colourOf('Heart'))!;
    expect(heart[0]).to.be.within(right[0], left[0]);
    // The head is up: the GTV (upper right lung, 25 mm above the centre) is drawn above the heart (below it).
    show('GTV', 'Heart');
    const gtv = shadeCentroid(view.readPixels(), colourOf('GTV'))!;
    expect(gtv[1]).to.be.lessThan(heart[1]);
  });

  it('hides a structure when it is made invisible or fully transparent, and removes it', () => {
    show('Heart', 'Lung_L');
    view.resetCamera();
    expect(countShadePixels(view.readPixels(), colourOf('Heart'))).to.be.greaterThan(300);
    view.setAppearance('Heart', { color: colourOf('Heart'), opacity: 1, visible: false });
    expect(countShadePixels(view.readPixels(), colourOf('Heart'))).to.equal(0);
    view.setAppearance('Heart', { color: colourOf('Heart'), opacity: 0, visible: true });
    expect(countShadePixels(view.readPixels(), colourOf('Heart'))).to.equal(0);
    view.setAppearance('Heart', { color: [255, 255, 0], opacity: 1, visible: true });
    expect(countShadePixels(view.readPixels(), [255, 255, 0])).to.be.greaterThan(300);
    view.removeSurface('Heart');
    expect(view.surfaceIds).to.not.include('Heart');
    expect(countShadePixels(view.readPixels(), [255, 255, 0])).to.equal(0);
  });

  it('draws the MPR planes in their colours and only inside the grid', () => {
    show();
    view.setVolume(phantom.volume);
    view.resetCamera();
    const none = view.readPixels();
    view.setSlicePositions({ axial: 28, coronal: 80, sagittal: 80 });
    const withPlanes = view.readPixels();
    for (const name of ['axial', 'coronal', 'sagittal'] as const) {
      const c = SLICE_PLANE_COLORS[name].map((x) => Math.round(x * 255)) as [number, number, number];
      expect(countShadePixels(none, c), `${name} before`).to.equal(0);
      expect(countShadePixels(withPlanes, c), `${name} frame`).to.be.greaterThan(50);
    }
    view.setSlicePositions({ axial: 200, coronal: 80, sagittal: 80 });
    const red = SLICE_PLANE_COLORS.axial.map((x) => Math.round(x * 255)) as [number, number, number];
    expect(
      countShadePixels(view.readPixels(), red),
      'an axial plane past the last slice is not drawn',
    ).to.equal(0);
    view.setSlicePositions(null);
    expect(countShadePixels(view.readPixels(), red)).to.equal(0);
  });

  it('volume renders the CT with a preset behind the opaque surfaces, and stops', () => {
    show('Heart', 'External');
    view.setAppearance('External', { color: colourOf('External'), opacity: 0.12, visible: true });
    view.setVolume(phantom.volume);
    view.resetCamera();
    const surfacesOnly = view.readPixels();
    expect(view.translucentSurfacesHidden).to.equal(false);
    view.setVolumePreset('ct-bone');
    expect(view.volumePreset).to.equal('ct-bone');
    const bone = view.readPixels();
    // The spine shows above and below the heart (the translucent body outline would otherwise clip it away).
    let changed = 0;
    for (let p = 0; p < bone.data.length; p += 4)
      if (Math.abs(bone.data[p] - surfacesOnly.data[p]) > 40) changed++;
    expect(changed, 'pixels of the spine').to.be.greaterThan(300);
    expect(view.translucentSurfacesHidden).to.equal(true);
    expect(
      countShadePixels(bone, colourOf('Heart')),
      'the opaque heart is in front of the spine',
    ).to.be.greaterThan(300);
    view.setVolumePreset(null);
    const after = view.readPixels();
    let left = 0;
    for (let p = 0; p < after.data.length; p += 4)
      if (Math.abs(after.data[p] - surfacesOnly.data[p]) > 8) left++;
    expect(left).to.equal(0);
    expect(() => view.setVolumePreset('mip' as never)).to.throw(RangeError);
  });

  it('puts the camera back to the anterior view on reset', () => {
    show('Heart', 'Lung_L', 'Lung_R');
    view.resetCamera();
    const before = view.camera;
    const reference = view.readPixels();
    const canvas = view.canvas;
    // Drag with the left button: the trackball style rotates the camera.
    const at = (type: string, x: number, y: number, buttons: number) =>
      canvas.parentElement!.dispatchEvent(
        new PointerEvent(type, {
          clientX: x,
          clientY: y,
          button: 0,
          buttons,
          pointerId: 1,
          pointerType: 'mouse',
          bubbles: true,
        }),
      );
    at('pointerdown', 128, 128, 1);
    for (let x = 130; x <= 200; x += 10) at('pointermove', x, 128, 1);
    at('pointerup', 200, 128, 0);
    const moved = view.camera;
    expect(moved.position).to.not.deep.equal(before.position);
    expect(view.cameraMovedByUser).to.equal(true);
    // R with the view focused is the same reset (not vtk.js's, which would keep the rotated direction).
    container.dispatchEvent(new KeyboardEvent('keypress', { key: 'r', bubbles: true }));
    expect(view.cameraMovedByUser).to.equal(false);
    expect(view.camera.position.map((x) => +x.toFixed(6))).to.deep.equal(
      before.position.map((x) => +x.toFixed(6)),
    );
    at('pointerdown', 128, 128, 1);
    at('pointermove', 60, 100, 1);
    at('pointerup', 60, 100, 0);
    view.resetCamera();
    expect(view.camera.position.map((x) => +x.toFixed(6))).to.deep.equal(
      before.position.map((x) => +x.toFixed(6)),
    );
    const again = view.readPixels();
    let differing = 0;
    for (let p = 0; p < again.data.length; p += 4)
      if (Math.abs(again.data[p] - reference.data[p]) > 8) differing++;
    expect(differing).to.equal(0);
  });

  it('releases everything on dispose', () => {
    show('Heart');
    view.render();
    const gl = view.gl!;
    view.dispose();
    expect(container.querySelector('canvas')).to.equal(null);
    expect(gl.isContextLost()).to.equal(true);
    expect(() => view.setSurface('x', meshes.get('GTV')!)).to.throw(/dispose/);
    view.dispose();
  });

  it('does not redraw while its container changes size (a notice appearing above it), only once the size has settled', async () => {
    show('Lung_L', 'Lung_R');
    view.render();
    const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    const before = view.canvas.height;
    container.style.height = `${SIZE - 40}px`;
    await nextFrame();
    expect(view.canvas.height, 'the buffer keeps its size during the layout change').to.equal(before);
    await new Promise((resolve) => setTimeout(resolve, RESIZE_SETTLE_MS + 50));
    await nextFrame();
    expect(view.canvas.height, 'then it follows the container').to.equal((SIZE - 40) * (devicePixelRatio || 1));
  });
});
