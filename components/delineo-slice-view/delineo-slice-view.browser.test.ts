import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import { add, cross, dot, gridSlicePlane, norm, normalize, orientationLabel, rotation, scale, sub, type Vec3 } from '../../src/index.ts';
import { expectScreenshot } from '../../test/helpers/screenshot.ts';
import { centreOn, mountView, partOf, phantomSession, viewportOf } from '../../test/helpers/viewer.ts';
import type { ViewerSession } from '../../src/index.ts';
import { DelineoSliceView } from './delineo-slice-view.ts';
import { scaleBarFor } from './scale-bar.ts';
import type { Phantom } from '../../src/index.ts';

const SIZE = { width: 320, height: 340 };

/** Visible structures drawn by the view: hides all but `names`. */
function showOnly(session: ViewerSession, names: readonly string[]): void {
  for (const s of session.store.state.structures) session.store.update(s.id, { visible: names.includes(s.name) });
}

const idOf = (session: ViewerSession, name: string) => session.store.state.structures.find((s) => s.name === name)!.id;

/** Overlay pixels (device px = CSS px at DPR 1) that are opaque enough and match a colour predicate. */
function overlayPixels(view: DelineoSliceView, match: (r: number, g: number, b: number, a: number) => boolean): [number, number][] {
  const c = view.overlayCanvas;
  const img = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
  const out: [number, number][] = [];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const o = 4 * (y * img.width + x);
      if (match(img.data[o], img.data[o + 1], img.data[o + 2], img.data[o + 3])) out.push([x, y]);
    }
  }
  return out;
}

/** Client → overlay-canvas pixel coordinates (device px; DPR 1 here). */
function toCanvas(view: DelineoSliceView, client: readonly [number, number]): [number, number] {
  const r = view.overlayCanvas.getBoundingClientRect();
  return [client[0] - r.left, client[1] - r.top];
}

/**
 * Checks that the GTV outline drawn on the current slice lies within half a voxel (plus half the line
 * width and one pixel of anti-aliasing) of the analytic circle where the plane cuts the sphere, and that it
 * goes all the way round. Returns the worst distance in pixels and the bound.
 */
function checkSphereOutline(view: DelineoSliceView, session: ViewerSession, phantom: Phantom): { worst: number; bound: number; pixels: number } {
  const volume = session.volume;
  const plane = view.plane!;
  const p = gridSlicePlane(volume, plane.axis, plane.index);
  const n = p.normal;
  const C = phantom.anatomy.gtvCenter;
  const R = phantom.anatomy.gtvRadiusMm;
  const d = dot(sub(C, p.origin), n);
  expect(Math.abs(d), 'the slice cuts the sphere').to.be.below(R - 3);
  const r = Math.sqrt(R * R - d * d);
  const centre = sub(C, scale(n, d));
  const inPlane = normalize(cross(n, [0.3, 0.5, 0.8]));
  const c = toCanvas(view, view.patientToClient(centre)!);
  const e = toCanvas(view, view.patientToClient(add(centre, scale(inPlane, r)))!);
  const rPx = Math.hypot(e[0] - c[0], e[1] - c[1]);
  const pxPerMm = rPx / r;
  // Half a voxel in screen pixels: the larger in-plane spacing (the two in-plane axes may differ).
  const inPlaneAxes = plane.axis === 2 ? [0, 1] : plane.axis === 1 ? [0, 2] : [1, 2];
  const halfVoxelPx = 0.5 * Math.max(...inPlaneAxes.map((a) => volume.spacing[a])) * pxPerMm;
  const bound = halfVoxelPx + 0.5 * view.lineWidth + 1;
  // Red by hue: where the thin line's anti-aliased edge blends into its dark halo it is a darker red.
  const red = overlayPixels(view, (r8, g, b, a) => a > 40 && r8 > 110 && r8 > 2.5 * Math.max(g, b));
  expect(red.length, 'the GTV outline is drawn').to.be.greaterThan(50);
  let worst = 0;
  const bins = new Set<number>();
  for (const [x, y] of red) {
    // Pixel centres.
    const dx = x + 0.5 - c[0];
    const dy = y + 0.5 - c[1];
    worst = Math.max(worst, Math.abs(Math.hypot(dx, dy) - rPx));
    bins.add(Math.floor(((Math.atan2(dy, dx) + Math.PI) / (2 * Math.PI)) * 72) % 72);
  }
  expect(bins.size, 'the outline goes all the way round (72 angular bins)').to.equal(72);
  return { worst, bound, pixels: red.length };
}

/** The oblique phantom (tilted 40° about the patient's x axis), generated once for the file. */
let obliqueCache: ReturnType<typeof phantomSession> | null = null;
const obliquePhantom = () => (obliqueCache ??= phantomSession({ direction: rotation([1, 0, 0], 40), dimensions: [200, 256, 96], spacing: [2.5, 2.5, 3] }));

describe('<delineo-slice-view>', () => {
  let phantom: Phantom;
  let session: ViewerSession;
  let view: DelineoSliceView | null = null;

  before(() => {
    ({ phantom, session } = phantomSession());
  });

  beforeEach(() => {
    // Each test starts from the same state: everything visible, GTV active, crosshair on the tumour.
    for (const s of session.store.state.structures) if (!s.visible) session.store.update(s.id, { visible: true });
    session.store.setActive(idOf(session, 'GTV'));
    session.setCrosshair(phantom.anatomy.gtvCenter);
    session.setWindowLevel({ window: 400, level: 40 });
    session.setTool({ tool: 'navigate' });
  });

  afterEach(() => {
    view?.remove();
    view = null;
  });

  it('is defined under its tag', () => {
    expect(customElements.get('delineo-slice-view')).to.equal(DelineoSliceView);
  });

  for (const orientation of ['axial', 'sagittal', 'coronal'] as const) {
    it(`matches the committed ${orientation} screenshot of the phantom with its structures`, async () => {
      view = await mountView(session, orientation, SIZE);
      expect(view.orientationLabels).to.deep.equal(
        { axial: { left: 'R', right: 'L', top: 'A', bottom: 'P' }, sagittal: { left: 'A', right: 'P', top: 'S', bottom: 'I' }, coronal: { left: 'R', right: 'L', top: 'S', bottom: 'I' } }[orientation],
      );
      const shown = [...view.shadowRoot!.querySelectorAll('[part="orientation-label"]')].map((l) => l.textContent);
      expect(shown).to.have.length(4);
      await expectScreenshot(view, `slice-view-phantom-${orientation}`);
    });
  }

  it('labels an oblique series from its screen axes (mixed labels) and shows the anatomy on the labelled sides', async () => {
    // Tilted 40° about the patient's x axis: axial and coronal planes mix anterior-posterior with superior-inferior.
    const oblique = obliquePhantom();
    for (const s of oblique.session.store.state.structures) if (!s.visible) oblique.session.store.update(s.id, { visible: true });
    const { anatomy } = oblique.phantom;
    oblique.session.setCrosshair(anatomy.center);
    // Worked out by hand from the rotation: axial up = (0, −cos 40°, −sin 40°) → 'AI'; coronal up = (0, −sin 40°, cos 40°) → 'SA'.
    const expected = {
      axial: { left: 'R', right: 'L', top: 'AI', bottom: 'PS' },
      coronal: { left: 'R', right: 'L', top: 'SA', bottom: 'IP' },
      sagittal: { left: 'A', right: 'P', top: 'S', bottom: 'I' },
    } as const;
    for (const orientation of ['axial', 'coronal', 'sagittal'] as const) {
      view = await mountView(oblique.session, orientation, SIZE);
      expect(view.orientationLabels, orientation).to.deep.equal(expected[orientation]);
      const text = Object.fromEntries([...view.shadowRoot!.querySelectorAll<HTMLElement>('[part="orientation-label"]')].map((l) => [l.dataset.edge, l.textContent]));
      expect(text).to.deep.equal(expected[orientation]);
      // Independently of the camera: the patient direction between two screen points, through the inverse map.
      const rect = viewportOf(view).getBoundingClientRect();
      const mid: [number, number] = [rect.left + rect.width / 2, rect.top + rect.height / 2];
      const dirTo = (dx: number, dy: number) => orientationLabel(normalize(sub(view!.clientToPatient(mid[0] + dx, mid[1] + dy)!, view!.clientToPatient(mid[0], mid[1])!)));
      expect({ left: dirTo(-50, 0), right: dirTo(50, 0), top: dirTo(0, -50), bottom: dirTo(0, 50) }).to.deep.equal(expected[orientation]);
      if (orientation !== 'sagittal') {
        // The left lung is drawn on the side labelled L, the right lung on the side labelled R.
        const lungL = view.patientToClient(anatomy.lungLeft.center)!;
        const lungR = view.patientToClient(anatomy.lungRight.center)!;
        expect(lungL[0]).to.be.greaterThan(lungR[0]);
      }
      if (orientation === 'axial') {
        // The spinal cord is posterior: towards the bottom ('PS') edge.
        const cord = view.patientToClient(anatomy.spinalCord.center)!;
        expect(cord[1]).to.be.greaterThan(mid[1]);
      }
      if (orientation !== 'sagittal') await expectScreenshot(view, `slice-view-oblique-${orientation}`);
      view.remove();
      view = null;
    }
  });

  it('draws the outline of the phantom sphere within half a voxel of the analytic circle (axial, sagittal, oblique)', async () => {
    showOnly(session, ['GTV']);
    // Not the active structure, which is drawn half as thick again: the bound below uses the plain width.
    session.store.setActive(idOf(session, 'External'));
    for (const [orientation, offsetMm] of [
      ['axial', 0],
      ['axial', 11],
      ['sagittal', -7],
    ] as const) {
      const centre = [...phantom.anatomy.gtvCenter] as [number, number, number];
      const axis = orientation === 'axial' ? 2 : 0;
      centre[axis] += offsetMm;
      session.setCrosshair(centre);
      view = await mountView(session, orientation, SIZE, (v) => {
        v.fillOpacity = 0;
        v.lineWidth = 1;
      });
      await centreOn(view, phantom.anatomy.gtvCenter, 5);
      const { worst, bound, pixels } = checkSphereOutline(view, session, phantom);
      expect(worst, `${orientation} ${offsetMm} mm: worst distance of ${pixels} outline pixels from the circle`).to.be.at.most(bound);
      view.remove();
      view = null;
    }
    // The oblique grid: the plane is tilted, voxels are rotated on screen, the cut is still a circle.
    const oblique = obliquePhantom();
    showOnly(oblique.session, ['GTV']);
    oblique.session.store.setActive(idOf(oblique.session, 'External'));
    oblique.session.setCrosshair(oblique.phantom.anatomy.gtvCenter);
    view = await mountView(oblique.session, 'axial', SIZE, (v) => {
      v.fillOpacity = 0;
      v.lineWidth = 1;
    });
    await centreOn(view, oblique.phantom.anatomy.gtvCenter, 3);
    const { worst, bound } = checkSphereOutline(view, oblique.session, oblique.phantom);
    expect(worst, 'oblique axial').to.be.at.most(bound);
  });

  it('changes window and level by right-drag and by preset keys, announcing the user’s change', async () => {
    view = await mountView(session, 'axial', SIZE);
    const events: { window: number; level: number; preset: string | null }[] = [];
    view.addEventListener('delineo-window-change', (e) => events.push(e.detail));
    const rect = viewportOf(view).getBoundingClientRect();
    const x = Math.round(rect.left + 100);
    const y = Math.round(rect.top + 100);
    await sendMouse({ type: 'move', position: [x, y] });
    await sendMouse({ type: 'down', button: 'right' });
    await sendMouse({ type: 'move', position: [x + 50, y + 20] });
    await sendMouse({ type: 'up', button: 'right' });
    // Sensitivity 2 HU per pixel at W 400: +100 window, +20 level.
    expect(session.windowLevel).to.deep.equal({ window: 500, level: 60 });
    expect(events).to.deep.equal([{ window: 500, level: 60, preset: null }]);
    await view.updateComplete;
    expect(partOf(view, 'window').textContent).to.equal('W 500 · L 60');

    view.focus();
    await sendKeys({ press: '2' });
    expect(session.windowLevel).to.deep.equal({ window: 1500, level: -600 });
    expect(events[1]).to.deep.equal({ window: 1500, level: -600, preset: 'lung' });
    await view.updateComplete;
    expect(partOf(view, 'window').textContent).to.equal('Lung · W 1500 · L -600');
  });

  it('scrolls through slices with the wheel, keys and slider, moving the shared crosshair along its axis only', async () => {
    view = await mountView(session, 'axial', SIZE);
    const changes: number[] = [];
    view.addEventListener('delineo-slice-change', (e) => changes.push(e.detail.index));
    const k0 = view.sliceIndex;
    const before = session.volume.patientToIndex(session.crosshair.position);
    const rect = viewportOf(view).getBoundingClientRect();
    viewportOf(view).dispatchEvent(new WheelEvent('wheel', { deltaY: 100, clientX: rect.left + 50, clientY: rect.top + 50, bubbles: true, cancelable: true }));
    expect(view.sliceIndex).to.equal(k0 + 1);
    view.focus();
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' });
    expect(view.sliceIndex).to.equal(k0 - 1);
    await sendKeys({ press: 'PageUp' });
    expect(view.sliceIndex).to.equal(k0 + 9);
    await sendKeys({ press: 'End' });
    expect(view.sliceIndex).to.equal(view.slices - 1);
    const slider = partOf(view, 'slice-slider') as HTMLInputElement;
    slider.value = '20';
    slider.dispatchEvent(new Event('input'));
    expect(view.sliceIndex).to.equal(20);
    expect(changes).to.deep.equal([k0 + 1, k0, k0 - 1, k0 + 9, view.slices - 1, 20]);
    const after = session.volume.patientToIndex(session.crosshair.position);
    expect(after[2]).to.be.closeTo(20, 1e-9);
    expect(after[0]).to.be.closeTo(before[0], 1e-9);
    expect(after[1]).to.be.closeTo(before[1], 1e-9);
    await view.updateComplete;
    expect(partOf(view, 'info').textContent).to.equal(`Axial · 21 / ${view.slices}`);
    // Setting the slice from code moves the view but is not a user change.
    view.setSlice(30);
    expect(view.sliceIndex).to.equal(30);
    expect(changes).to.have.length(6);
  });

  it('shows the HU and patient position under the pointer', async () => {
    view = await mountView(session, 'axial', SIZE);
    const target: Vec3 = [phantom.anatomy.heart.center[0], phantom.anatomy.heart.center[1], session.crosshair.position[2]];
    const [cx, cy] = view.patientToClient(target)!;
    await sendMouse({ type: 'move', position: [Math.round(cx), Math.round(cy)] });
    await view.updateComplete;
    const p = view.clientToPatient(Math.round(cx), Math.round(cy))!;
    const [i, j, k] = session.volume.patientToIndex(p).map(Math.round);
    const text = partOf(view, 'readout').textContent!;
    expect(text).to.equal(`${session.volume.at(i, j, k)} HU · ${p.map((v) => v.toFixed(1)).join(', ')} mm`);
    await sendMouse({ type: 'move', position: [0, 600] });
  });

  it('zooms about the pointer with Ctrl+wheel and the keys, pans with a middle drag, and resizes the scale bar', async () => {
    view = await mountView(session, 'axial', SIZE);
    const vp = viewportOf(view);
    const rect = vp.getBoundingClientRect();
    const at: [number, number] = [rect.left + 90, rect.top + 120];
    const before = view.clientToPatient(...at)!;
    const barOf = () => ({ text: partOf(view!, 'scale-bar').textContent!.trim(), px: parseFloat((partOf(view!, 'scale-bar').querySelector('.bar') as HTMLElement).style.width) });
    const bar0 = barOf();
    vp.dispatchEvent(new WheelEvent('wheel', { deltaY: -300, ctrlKey: true, clientX: at[0], clientY: at[1], bubbles: true, cancelable: true }));
    await view.frame();
    await view.updateComplete;
    expect(view.viewTransform.zoom).to.be.closeTo(Math.exp(300 / 500), 1e-9);
    expect(norm(sub(view.clientToPatient(...at)!, before)), 'the point under the pointer stays put').to.be.below(1e-6);
    // The bar follows the zoom: a longer bar for the same length, or the next shorter length.
    const bar1 = barOf();
    const mm = (t: string) => parseFloat(t);
    expect((bar1.px / mm(bar1.text)) / (bar0.px / mm(bar0.text))).to.be.closeTo(Math.exp(300 / 500), 1e-3);
    // Middle-drag pans by the drag: the point moves with the pointer.
    const grab: [number, number] = [Math.round(rect.left + 160), Math.round(rect.top + 160)];
    const p = view.clientToPatient(...grab)!;
    await sendMouse({ type: 'move', position: grab });
    await sendMouse({ type: 'down', button: 'middle' });
    await sendMouse({ type: 'move', position: [grab[0] + 30, grab[1] - 20] });
    await sendMouse({ type: 'up', button: 'middle' });
    const moved = view.patientToClient(p)!;
    expect(moved[0]).to.be.closeTo(grab[0] + 30, 1e-6);
    expect(moved[1]).to.be.closeTo(grab[1] - 20, 1e-6);
    view.focus();
    await sendKeys({ press: '0' });
    expect(view.viewTransform).to.deep.equal({ zoom: 1, pan: [0, 0] });
  });

  it('picks a round scale-bar length no longer than about 110 px', () => {
    expect(scaleBarFor(1)).to.deep.equal({ mm: 100, px: 100 });
    expect(scaleBarFor(0.05)).to.deep.equal({ mm: 5, px: 100 });
    expect(scaleBarFor(0.3)!.mm).to.equal(20);
    expect(scaleBarFor(NaN)).to.equal(null);
    // A view that grows or shrinks a little keeps its bar (a notice appearing above the views changes their height).
    expect(scaleBarFor(1.75)!.mm).to.equal(100);
    expect(scaleBarFor(1.75, 200)).to.deep.equal({ mm: 200, px: 200 / 1.75 }, '114 px: within 15 % of the threshold, kept');
    expect(scaleBarFor(0.95, 200)!.mm, '200 mm would be 210 px: too long to keep').to.equal(100);
    expect(scaleBarFor(1.9, 100)).to.deep.equal({ mm: 100, px: 100 / 1.9 }, '200 mm would be 105 px: not short enough to switch up');
    expect(scaleBarFor(2.2, 100)!.mm, '200 mm is now 91 px').to.equal(200);
  });

  it('hides a structure made invisible and redraws a structure whose mask changed', async () => {
    showOnly(session, ['GTV', 'Lung_R']);
    view = await mountView(session, 'axial', SIZE, (v) => (v.fillOpacity = 0));
    const cyan = (r: number, g: number, b: number, a: number) => a > 160 && r < 60 && g > 180 && b > 180;
    expect(overlayPixels(view, cyan).length, 'Lung_R drawn').to.be.greaterThan(100);
    session.store.update(idOf(session, 'Lung_R'), { visible: false });
    await view.frame();
    expect(overlayPixels(view, cyan).length, 'Lung_R hidden').to.equal(0);

    // A disc added to the GTV far from the tumour appears on the next frame, on this slice only.
    const gtv = idOf(session, 'GTV');
    const plane = view.plane!;
    const red = (r: number, g: number, b: number, a: number) => a > 160 && r > 190 && g < 70 && b < 70;
    const before = overlayPixels(view, red).length;
    const corner = session.volume.indexToPatient([60, 60, plane.index]);
    session.store.editMask(gtv, 'Test disc', (m) => {
      for (let j = 50; j <= 70; j++) for (let i = 50; i <= 70; i++) if ((i - 60) ** 2 + (j - 60) ** 2 <= 100) m.set(i, j, plane.index, true);
    });
    await view.frame();
    const after = overlayPixels(view, red);
    expect(after.length).to.be.greaterThan(before + 30);
    const [dx, dy] = toCanvas(view, view.patientToClient(corner)!);
    expect(after.some(([x, y]) => Math.hypot(x - dx, y - dy) < 12), 'new outline around the disc').to.equal(true);
    session.store.undo();
    await view.frame();
    expect(overlayPixels(view, red).length).to.equal(before);
  });

  it('releases its WebGL context when removed and shows the same slice when put back', async () => {
    view = await mountView(session, 'coronal', SIZE);
    const canvas = viewportOf(view).querySelector('canvas:not([part="overlay"])') as HTMLCanvasElement;
    const gl = canvas.getContext('webgl2')!;
    const k = view.sliceIndex;
    view.remove();
    expect(gl.isContextLost()).to.equal(true);
    document.body.append(view);
    await view.frame();
    expect(view.sliceIndex).to.equal(k);
    expect(viewportOf(view).querySelector('canvas:not([part="overlay"])')).to.not.equal(canvas);
  });
});
