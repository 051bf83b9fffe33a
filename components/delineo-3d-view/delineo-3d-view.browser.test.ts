import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { BehaviorSubject } from 'rxjs';
import {
  BinaryMask,
  generatePhantom,
  GridTransform,
  rotation,
  SLICE_PLANE_COLORS,
  StructureSetStore,
  Volume,
  type DoseDisplay,
  type ImageGeometry,
  type Phantom,
  type Vec3,
} from '../../src/index.ts';
import { countShadePixels, shadeCentroid } from '../../test/helpers/colour-pixels.ts';
import { pixelDiff } from '../../test/helpers/pixel-diff.ts';
import { expectMatchesBaseline } from '../../test/helpers/screenshot.ts';
import type { DelineoSurfaceUpdateEvent } from '../events/delineo-surface-update.ts';
import type { DelineoVolumePresetChangeEvent } from '../events/delineo-volume-preset-change.ts';
import { Delineo3dView } from './delineo-3d-view.ts';

const SIZE = 320;
// Meshing in the worker is the point of these tests; a coarse phantom (3.1 × 3.1 × 5 mm) keeps them quick.
let coarse: Phantom;

function session(phantom: Phantom) {
  const store = new StructureSetStore(phantom.volume.geometry);
  store.load(phantom.structures.map((s) => ({ ...s, mask: s.mask.clone() })));
  return { volume: phantom.volume, store };
}

const idOf = (store: StructureSetStore, name: string) =>
  store.state.structures.find((s) => s.name === name)!.id;
const colourOf = (store: StructureSetStore, name: string) =>
  store.state.structures.find((s) => s.name === name)!.color;

function mount(init: (el: Delineo3dView) => void): Delineo3dView {
  const el = document.createElement('delineo-3d-view');
  el.style.cssText = `width: ${SIZE}px; height: ${SIZE}px; position: fixed; left: 0; top: 0;`;
  init(el);
  document.body.append(el);
  return el;
}

async function ready(el: Delineo3dView): Promise<void> {
  await el.updateComplete;
  await el.whenSurfacesReady();
  await el.updateComplete;
}

const part = (el: Delineo3dView, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part="${name}"]`)!;

/** Drags with the left button across the viewport, as a user rotating the view would. */
function drag(el: Delineo3dView, from: [number, number], to: [number, number]): void {
  const target = part(el, 'viewport');
  const at = (type: string, x: number, y: number, buttons: number) =>
    target.dispatchEvent(
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
  at('pointerdown', ...from, 1);
  for (let s = 1; s <= 8; s++)
    at('pointermove', from[0] + ((to[0] - from[0]) * s) / 8, from[1] + ((to[1] - from[1]) * s) / 8, 1);
  at('pointerup', ...to, 0);
}

describe('<delineo-3d-view>', () => {
  let el: Delineo3dView | null = null;

  before(() => {
    coarse = generatePhantom({ dimensions: [160, 160, 56], spacing: [3.125, 3.125, 5], noiseHu: 0 });
  });

  afterEach(() => {
    el?.remove();
    el = null;
  });

  it('is defined under its tag', () => {
    expect(customElements.get('delineo-3d-view')).to.equal(Delineo3dView);
    expect(document.createElement('delineo-3d-view')).to.be.instanceOf(Delineo3dView);
  });

  it('meshes every structure in the worker and shows each in its colour', async () => {
    const s = session(coarse);
    const updates: DelineoSurfaceUpdateEvent[] = [];
    const record = (e: DelineoSurfaceUpdateEvent) => updates.push(e);
    document.addEventListener('delineo-surface-update', record);
    el = mount((e) => {
      e.session = s;
      e.hideOrientationMarker = true;
      e.hideSlicePlanes = true;
    });
    await ready(el);
    expect(updates.map((u) => u.detail.structureId).sort()).to.deep.equal(
      s.store.state.structures.map((r) => r.id).sort(),
    );
    for (const u of updates) {
      expect(u.bubbles && u.composed).to.equal(true);
      expect(u.detail.triangles).to.be.greaterThan(100);
      expect(u.detail.maskVersion).to.equal(s.store.record(u.detail.structureId).maskVersion);
      expect(structuredClone(u.detail)).to.deep.equal(u.detail);
    }
    expect(updates.at(-1)!.detail.pending).to.equal(0);
    document.removeEventListener('delineo-surface-update', record);
    expect(part(el, 'status').textContent!.trim()).to.equal('');

    // Without the body outline, the lungs and the heart face the viewer; the others are behind them.
    el.structureOpacity = { [idOf(s.store, 'External')]: 0 };
    await el.updateComplete;
    const img = el.readPixels();
    expect([img.width, img.height]).to.deep.equal([SIZE, SIZE]);
    for (const name of ['Lung_L', 'Lung_R', 'Heart'])
      expect(countShadePixels(img, colourOf(s.store, name)), name).to.be.greaterThan(400);
    expect(
      shadeCentroid(img, colourOf(s.store, 'Lung_L'))![0],
      'left lung on screen right',
    ).to.be.greaterThan(SIZE / 2);
    // Each hidden organ shows on its own.
    for (const name of ['SpinalCord', 'Esophagus', 'GTV']) {
      for (const r of s.store.state.structures) s.store.update(r.id, { visible: r.name === name });
      expect(countShadePixels(el.readPixels(), colourOf(s.store, name)), name).to.be.greaterThan(40);
    }
  });

  it('removes a structure’s colour when its visibility is toggled off, without re-meshing', async () => {
    const s = session(coarse);
    el = mount((e) => {
      e.session = s;
      e.hideSlicePlanes = true;
    });
    await ready(el);
    const heart = idOf(s.store, 'Heart');
    el.structureOpacity = { [idOf(s.store, 'External')]: 0 };
    await el.updateComplete;
    const magenta = colourOf(s.store, 'Heart');
    expect(countShadePixels(el.readPixels(), magenta)).to.be.greaterThan(400);
    let remeshed = 0;
    el.addEventListener('delineo-surface-update', () => remeshed++);
    s.store.update(heart, { visible: false });
    expect(countShadePixels(el.readPixels(), magenta)).to.equal(0);
    s.store.update(heart, { visible: true });
    expect(countShadePixels(el.readPixels(), magenta)).to.be.greaterThan(400);
    // A colour change in the structure set shows at once.
    s.store.update(heart, { color: [255, 255, 0] });
    expect(countShadePixels(el.readPixels(), [255, 255, 0])).to.be.greaterThan(400);
    await new Promise((r) => setTimeout(r, 400));
    expect(remeshed, 'colour and visibility are not in the mask').to.equal(0);
  });

  it('re-meshes a structure when its mask changes, and shows only the latest mask', async () => {
    const s = session(coarse);
    el = mount((e) => {
      e.session = s;
      e.remeshDelay = 50;
      e.hideSlicePlanes = true;
    });
    await ready(el);
    const gtv = idOf(s.store, 'GTV');
    for (const r of s.store.state.structures) s.store.update(r.id, { visible: r.id === gtv });
    const red = colourOf(s.store, 'GTV');
    const before = countShadePixels(el.readPixels(), red);
    expect(before).to.be.greaterThan(100);
    const updated = new Promise<DelineoSurfaceUpdateEvent>((resolve) =>
      el!.addEventListener('delineo-surface-update', resolve, { once: true }),
    );
    // Two quick edits: grow the GTV, then grow it more. Only the last one is meshed and shown.
    const [nx, ny, nz] = coarse.volume.dimensions;
    const centre = coarse.volume.patientToIndex(coarse.anatomy.gtvCenter).map(Math.round) as unknown as Vec3;
    const ball = (r: number) =>
      BinaryMask.fromPredicate(
        [nx, ny, nz],
        (i, j, k) => (i - centre[0]) ** 2 + (j - centre[1]) ** 2 + ((k - centre[2]) * 1.6) ** 2 <= r * r,
      );
    s.store.replaceMask(gtv, 'grow', ball(9));
    s.store.replaceMask(gtv, 'grow more', ball(12));
    const { detail } = await updated;
    expect(detail.structureId).to.equal(gtv);
    expect(detail.maskVersion).to.equal(s.store.record(gtv).maskVersion);
    await ready(el);
    const after = countShadePixels(el.readPixels(), red);
    expect(after, 'a bigger GTV covers more of the screen').to.be.greaterThan(before * 1.5);
    s.store.replaceMask(gtv, 'clear', new BinaryMask([nx, ny, nz]));
    await new Promise((r) => setTimeout(r, 60));
    await ready(el);
    expect(countShadePixels(el.readPixels(), red), 'an emptied structure has no surface').to.equal(0);
  });

  it('rotates with the mouse and returns to the anterior view with the Reset button', async () => {
    const s = session(coarse);
    el = mount((e) => (e.session = s));
    await ready(el);
    const reference = el.readPixels();
    drag(el, [160, 160], [260, 180]);
    const rotated = el.readPixels();
    expect(pixelDiff(rotated, reference).fraction, 'the drag rotated the view').to.be.greaterThan(0.05);
    (part(el, 'reset-button') as HTMLButtonElement).click();
    const reset = el.readPixels();
    expect(pixelDiff(reset, reference, 8).differing).to.equal(0);
  });

  it('matches the committed screenshot of the phantom (DPR 1)', async () => {
    expect(devicePixelRatio).to.equal(1);
    const phantom = generatePhantom({ noiseHu: 0, seed: 3 });
    const s = session(phantom);
    el = mount((e) => {
      e.session = s;
      e.slicePositions = { axial: 60, coronal: 150, sagittal: 170 };
    });
    await ready(el);
    const img = el.readPixels();
    await expectMatchesBaseline('delineo-3d-view-phantom', img, { threshold: 24, maxFraction: 0.01 });
  });

  it('volume renders the CT with the preset picked in its menu, announcing the user’s choice', async () => {
    const s = session(coarse);
    el = mount((e) => {
      e.session = s;
      e.hideSlicePlanes = true;
    });
    await ready(el);
    for (const r of s.store.state.structures) s.store.update(r.id, { visible: false });
    const surfacesOff = el.readPixels();
    const select = part(el, 'preset-select') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).to.deep.equal([
      'none',
      'ct-bone',
      'ct-soft-tissue',
      'ct-lung',
    ]);
    const picked = new Promise<DelineoVolumePresetChangeEvent>((resolve) =>
      el!.addEventListener('delineo-volume-preset-change', resolve, { once: true }),
    );
    select.value = 'ct-bone';
    select.dispatchEvent(new Event('change'));
    expect((await picked).detail).to.deep.equal({ preset: 'ct-bone' });
    await el.updateComplete;
    expect(el.getAttribute('volume-preset')).to.equal('ct-bone');
    const bone = el.readPixels();
    expect(pixelDiff(bone, surfacesOff).fraction, 'the skeleton appears').to.be.greaterThan(0.01);
    // With the structures back on, the translucent body outline is held back and the status line says why.
    for (const r of s.store.state.structures) s.store.update(r.id, { visible: true });
    el.requestUpdate();
    await el.updateComplete;
    expect(part(el, 'status').textContent!.trim()).to.match(/translucent surfaces are hidden/i);
    let announced = 0;
    el.addEventListener('delineo-volume-preset-change', () => announced++);
    el.volumePreset = 'none';
    await el.updateComplete;
    expect(part(el, 'status').textContent!.trim()).to.equal('');
    for (const r of s.store.state.structures) s.store.update(r.id, { visible: false });
    expect(pixelDiff(el.readPixels(), surfacesOff).differing).to.equal(0);
    expect(announced, 'setting the property is not a user choice').to.equal(0);
  });

  it('draws the MPR planes where they are set, or through the session’s crosshair', async () => {
    const s = session(coarse);
    const crosshair$ = new BehaviorSubject({ position: coarse.volume.indexToPatient([80, 80, 28]) });
    el = mount((e) => {
      e.session = { ...s, crosshair$ };
      e.hideOrientationMarker = true;
    });
    await ready(el);
    for (const r of s.store.state.structures) s.store.update(r.id, { visible: false });
    const axialColour = SLICE_PLANE_COLORS.axial.map((x) => Math.round(x * 255)) as [number, number, number];
    const yOf = () => shadeCentroid(el!.readPixels(), axialColour)![1];
    // The axial frame is a thin horizontal band seen edge-on from the front; it moves up with the crosshair.
    const middle = yOf();
    crosshair$.next({ position: coarse.volume.indexToPatient([80, 80, 48]) });
    expect(yOf()).to.be.lessThan(middle - 20);
    // An explicit position wins over the crosshair.
    el.slicePositions = { axial: 5, coronal: 80, sagittal: 80 };
    await el.updateComplete;
    expect(yOf()).to.be.greaterThan(middle + 20);
    el.hideSlicePlanes = true;
    await el.updateComplete;
    expect(countShadePixels(el.readPixels(), axialColour)).to.equal(0);
  });

  it('shows the isodose surfaces of the session’s dose while toggled on, in the isodose lines’ colours', async () => {
    const s = session(coarse);
    // A dose falling off from the GTV's centre on its own oblique 5 mm grid: 60 Gy there, 45 Gy 22.5 mm away.
    const centre = coarse.anatomy.gtvCenter;
    const base: ImageGeometry = { dimensions: [24, 24, 24], spacing: [5, 5, 5], origin: [0, 0, 0], direction: rotation([1, 1, 0], 15) };
    const corner = new GridTransform(base).toPatient([11.5, 11.5, 11.5]);
    const geometry = { ...base, origin: [centre[0] - corner[0], centre[1] - corner[1], centre[2] - corner[2]] as Vec3 };
    const t = new GridTransform(geometry);
    const data = new Float32Array(24 ** 3).map((_, n) => {
      const p = t.toPatient([n % 24, Math.floor(n / 24) % 24, Math.floor(n / 576)]);
      return Math.max(0, 60 - Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) / 1.5);
    });
    const display: DoseDisplay = { volume: new Volume({ ...geometry, data, modality: 'RTDOSE' }), predicted: false, wash: { minGy: 6, maxGy: 45, opacity: 0.35 }, isodosesGy: [45] };
    const dose$ = new BehaviorSubject<DoseDisplay | null>(null);
    el = mount((e) => {
      e.session = { ...s, dose$ };
      e.hideSlicePlanes = true;
      e.hideOrientationMarker = true;
    });
    await ready(el);
    for (const r of s.store.state.structures) s.store.update(r.id, { visible: false });
    const nothingShown = el.readPixels();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="isodose-toggle"]'), 'no toggle without a dose').to.equal(null);
    dose$.next(display);
    await el.updateComplete;
    const toggle = part(el, 'isodose-toggle') as HTMLButtonElement;
    expect(toggle.getAttribute('aria-pressed')).to.equal('false');
    expect(el.isodoseLevelsShown).to.deep.equal([]);
    expect(pixelDiff(el.readPixels(), nothingShown).differing, 'off until the user turns them on').to.equal(0);
    // Translucent red (45 Gy is the top of the wash, as its line in the slice views) over the dark background.
    const tinted = (img: ImageData, main: 0 | 1) => {
      let n = 0;
      for (let o = 0; o < img.data.length; o += 4) {
        const c = [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
        if (c[main]! > c[(main + 1) % 3]! + 25 && c[main]! > c[(main + 2) % 3]! + 25) n++;
      }
      return n;
    };
    toggle.click();
    await el.updateComplete;
    expect(el.getAttribute('isodose-surfaces')).to.equal('');
    await el.whenSurfacesReady();
    expect(el.isodoseLevelsShown).to.deep.equal([45]);
    const on = el.readPixels();
    expect(tinted(on, 0), 'a red surface (a sphere 45 mm across)').to.be.greaterThan(300);
    // A new wash range recolours the surface as it recolours the line (45 Gy halfway up a 0–90 Gy wash: green).
    dose$.next({ ...display, wash: { minGy: 0, maxGy: 90, opacity: 0.35 } });
    await el.whenSurfacesReady();
    const recoloured = el.readPixels();
    expect(tinted(recoloured, 1), 'green').to.be.greaterThan(300);
    expect(tinted(recoloured, 0), 'no red left').to.be.lessThan(20);
    // Off with the keyboard: Space on the focused toggle.
    toggle.focus();
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    expect(toggle.getAttribute('aria-pressed')).to.equal('false');
    expect(el.isodoseLevelsShown).to.deep.equal([]);
    expect(pixelDiff(el.readPixels(), nothingShown).differing, 'the surface is gone').to.equal(0);
    // Back on, then the dose goes: so do its surfaces and the toggle.
    await sendKeys({ press: 'Space' });
    await el.whenSurfacesReady();
    expect(el.isodoseLevelsShown).to.deep.equal([45]);
    dose$.next(null);
    await el.updateComplete;
    expect(el.isodoseLevelsShown).to.deep.equal([]);
    expect(el.shadowRoot!.querySelector('[part="isodose-toggle"]')).to.equal(null);
    expect(pixelDiff(el.readPixels(), nothingShown).differing).to.equal(0);
  });

  it('shows the orientation cube in the lower-left corner unless hidden', async () => {
    // A CT without a structure set: nothing to mesh, the cube alone in the corner.
    el = mount((e) => (e.volume = coarse.volume));
    await ready(el);
    const corner = { x: 0, y: SIZE - 60, width: 60, height: 60 };
    const lit = (img: ImageData) => {
      let n = 0;
      for (let y = corner.y; y < corner.y + corner.height; y++)
        for (let x = 0; x < corner.width; x++) if (img.data[4 * (y * SIZE + x)] > 150) n++;
      return n;
    };
    expect(lit(el.readPixels()), 'the light grey cube').to.be.greaterThan(500);
    el.hideOrientationMarker = true;
    await el.updateComplete;
    expect(lit(el.readPixels())).to.be.lessThan(50);
  });

  it('says when the structure set does not belong to the CT', async () => {
    const other = new StructureSetStore({ ...coarse.volume.geometry, dimensions: [10, 10, 10] });
    el = mount((e) => {
      e.volume = coarse.volume;
      e.store = other;
    });
    await el.updateComplete;
    expect(part(el, 'status').textContent!.trim()).to.match(/does not match the CT/);
    expect(part(el, 'status').classList.contains('error')).to.equal(true);
  });

  it('releases its canvas and worker when removed, and rebuilds both when put back', async () => {
    const s = session(coarse);
    el = mount((e) => (e.session = s));
    await ready(el);
    const canvas = part(el, 'viewport').querySelector('canvas')!;
    const before = el.readPixels();
    const gl = canvas.getContext('webgl2')!;
    el.remove();
    expect(part(el, 'viewport').querySelector('canvas')).to.equal(null);
    expect(gl.isContextLost()).to.equal(true);
    let rebuilt = 0;
    el.addEventListener('delineo-surface-update', () => rebuilt++);
    document.body.append(el);
    await ready(el);
    expect(rebuilt).to.equal(s.store.state.structures.length);
    expect(part(el, 'viewport').querySelector('canvas')).to.not.equal(canvas);
    expect(pixelDiff(el.readPixels(), before, 8).differing, 'the same picture as before').to.equal(0);
  });
});
