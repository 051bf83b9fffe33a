import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { discVolume } from '../../test/helpers/synthetic-volume.ts';
import { createSliceRenderer, type SliceRenderer } from './index.ts';

// The disc volume (see discVolume) has a 128 mm square axial field centred on x = y = 0. In a 256 px
// square canvas, fitted to the field, one millimetre is two pixels and the canvas centre is x = y = 0, so
// the expected position of every feature follows by hand:  px = 128 + 2·x,  py = 128 + 2·y  (anterior,
// −y, is up; the patient's left, +x, is on the right).
const SIZE = 256;
const px = (x: number) => Math.round(SIZE / 2 + 2 * x);
const py = (y: number) => Math.round(SIZE / 2 + 2 * y);

/** Expected grey (0–255) of a value under a linear window: black below L − W/2, white above L + W/2. */
const expectedGrey = (hu: number, window: number, level: number) => 255 * Math.min(1, Math.max(0, (hu - (level - window / 2)) / window));

function pixel(img: ImageData, x: number, y: number): [number, number, number, number] {
  const o = (y * img.width + x) * 4;
  return [img.data[o], img.data[o + 1], img.data[o + 2], img.data[o + 3]];
}

/**
 * Grey level at a pixel, asserting that the pixel is grey as a window/level image must be. vtk.js builds
 * its grey ramp with R, G and B one table column apart, so the channels may differ by one.
 */
function grey(img: ImageData, x: number, y: number): number {
  const [r, g, b, a] = pixel(img, x, y);
  const spread = Math.max(r, g, b) - Math.min(r, g, b);
  expect(spread, `pixel (${x}, ${y}) should be grey, got rgb(${r}, ${g}, ${b})`).to.be.at.most(1);
  expect(a, `pixel (${x}, ${y}) should be opaque`).to.equal(255);
  return g;
}

describe('SliceRenderer (vtk.js, WebGL2)', () => {
  let container: HTMLDivElement;
  let view: SliceRenderer;

  beforeEach(() => {
    container = document.createElement('div');
    container.style.cssText = `width: ${SIZE}px; height: ${SIZE}px; position: fixed; left: 0; top: 0;`;
    document.body.append(container);
    view = createSliceRenderer(container, { volume: discVolume(), windowLevel: { window: 400, level: 40 } });
  });

  afterEach(() => {
    view.dispose();
    container.remove();
  });

  it('renders through a WebGL2 context into a canvas the size of its container', () => {
    view.render();
    const gl = view.gl;
    expect(gl).to.be.instanceOf(WebGL2RenderingContext);
    expect(gl!.getParameter(gl!.VERSION)).to.match(/^WebGL 2\.0/);
    expect(view.canvas.parentElement).to.equal(container);
    expect([view.canvas.width, view.canvas.height]).to.deep.equal([SIZE, SIZE]);
  });

  it('starts on the middle slice with a bright disc in the centre and dark air and background around it', () => {
    expect(view.slice).to.equal(4);
    expect(view.sliceCount).to.equal(9);
    const img = view.readPixels();
    expect([img.width, img.height]).to.deep.equal([SIZE, SIZE]);
    expect(grey(img, px(0), py(0))).to.equal(255); // disc, 1000 HU, above the window
    expect(grey(img, px(20), py(-20))).to.equal(255); // inside the 30 mm disc
    expect(grey(img, px(-50), py(50))).to.equal(0); // air inside the volume
    expect(grey(img, 0, 0)).to.equal(0); // corner: air at the field's edge
    expect(grey(img, px(40), py(0))).to.equal(0); // where slice 6 has a marker, slice 4 has none
  });

  it('maps values through the window/level linearly', () => {
    for (const [window, level] of [
      [2000, 1000],
      [4000, 0],
      [1000, 500],
    ]) {
      view.setWindowLevel(window, level);
      expect(view.windowLevel).to.deep.equal({ window, level });
      const img = view.readPixels();
      expect(grey(img, px(0), py(0)), `disc at W ${window} / L ${level}`).to.be.closeTo(expectedGrey(1000, window, level), 2);
      expect(grey(img, px(-50), py(50)), `air at W ${window} / L ${level}`).to.be.closeTo(expectedGrey(-1000, window, level), 2);
    }
  });

  it('shows the chosen slice in the radiological orientation: patient left on screen right, anterior up', () => {
    view.setSlice(6);
    view.setWindowLevel(2000, 1000); // left marker (1000 HU) → mid grey, anterior marker (500 HU) → quarter grey
    const img = view.readPixels();
    expect(grey(img, px(45), py(0)), 'left marker on the right').to.be.closeTo(128, 2);
    expect(grey(img, px(-45), py(0)), 'nothing on the left').to.equal(0);
    expect(grey(img, px(0), py(-45)), 'anterior marker at the top').to.be.closeTo(64, 2);
    expect(grey(img, px(0), py(45)), 'nothing at the bottom').to.equal(0);

    view.setSlice(2);
    const other = view.readPixels();
    expect(grey(other, px(45), py(0))).to.equal(0);
    expect(grey(other, px(0), py(-45))).to.equal(0);
  });

  it('maps patient points to the canvas pixels they are drawn at', () => {
    view.setSlice(6);
    const z = view.volume!.indexToPatient([0, 0, 6])[2];
    for (const [x, y] of [
      [45, 0],
      [0, -45],
      [-30, 20],
    ]) {
      const [dx, dy] = view.patientToDisplay([x, y, z]);
      expect(dx).to.be.closeTo(SIZE / 2 + 2 * x, 0.5);
      expect(dy).to.be.closeTo(SIZE / 2 + 2 * y, 0.5);
    }
  });

  it('refuses slices outside the volume and non-positive windows', () => {
    expect(() => view.setSlice(9)).to.throw(RangeError);
    expect(() => view.setSlice(-1)).to.throw(RangeError);
    expect(() => view.setSlice(1.5)).to.throw(RangeError);
    expect(() => view.setWindowLevel(0, 40)).to.throw(RangeError);
    expect(view.slice).to.equal(4);
  });

  it('follows its container when it is resized, keeping the field centred', async () => {
    container.style.width = `${2 * SIZE}px`;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const img = view.readPixels();
    expect([img.width, img.height]).to.deep.equal([2 * SIZE, SIZE]);
    // Height still limits the zoom: 2 px/mm, centre moved to x = 256.
    expect(grey(img, SIZE + 2 * 25, py(0))).to.equal(255);
    expect(grey(img, SIZE + 2 * 35, py(0))).to.equal(0);
  });

  it('shows nothing but the background without a volume, and can take a new one', () => {
    view.setVolume(null);
    expect(view.sliceCount).to.equal(0);
    const empty = view.readPixels();
    expect(grey(empty, px(0), py(0))).to.equal(0);
    view.setVolume(discVolume(), 6);
    expect(view.slice).to.equal(6);
    expect(grey(view.readPixels(), px(45), py(0))).to.equal(255);
  });

  it('captures the view as a PNG', async () => {
    const png = await view.captureImage();
    expect(png.type).to.equal('image/png');
    const bitmap = await createImageBitmap(png);
    expect([bitmap.width, bitmap.height]).to.deep.equal([SIZE, SIZE]);
  });

  it('releases the canvas and the WebGL context on dispose', () => {
    view.render();
    const gl = view.gl!;
    const canvas = view.canvas;
    view.dispose();
    expect(canvas.isConnected).to.equal(false);
    expect(gl.isContextLost()).to.equal(true);
    expect(() => view.render()).to.throw(/dispose/);
    view.dispose(); // a second dispose (afterEach) is harmless
  });
});
