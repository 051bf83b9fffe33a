import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendMouse } from '@web/test-runner-commands';
import type { Phantom } from '../../src/index.ts';
import { expectScreenshot } from '../../test/helpers/screenshot.ts';
import { phantomSession, viewportOf } from '../../test/helpers/viewer.ts';
import type { ViewerSession } from '../../src/index.ts';
import { DelineoMpr } from './delineo-mpr.ts';

describe('<delineo-mpr>', () => {
  let phantom: Phantom;
  let session: ViewerSession;
  let mpr: DelineoMpr;

  before(async () => {
    ({ phantom, session } = phantomSession());
    session.store.setActive(session.store.state.structures.find((s) => s.name === 'GTV')!.id);
    session.setCrosshair(phantom.anatomy.gtvCenter);
    mpr = document.createElement('delineo-mpr');
    mpr.session = session;
    mpr.style.cssText = 'position: fixed; left: 0; top: 0; width: 640px; height: 580px;';
    const slotted = document.createElement('div');
    slotted.slot = '3d';
    slotted.textContent = 'slotted 3D';
    mpr.append(slotted);
    document.body.append(mpr);
    await mpr.frame();
  });

  after(() => mpr.remove());

  it('shows axial, sagittal and coronal views of one session with crosshairs, and the 3d slot', () => {
    expect(customElements.get('delineo-mpr')).to.equal(DelineoMpr);
    const { axial, sagittal, coronal } = mpr.views;
    expect([axial.orientation, sagittal.orientation, coronal.orientation]).to.deep.equal(['axial', 'sagittal', 'coronal']);
    for (const v of [axial, sagittal, coronal]) {
      expect(v.session).to.equal(session);
      expect(v.crosshair).to.equal(true);
    }
    expect([axial.axis, coronal.axis, sagittal.axis]).to.deep.equal([2, 1, 0]);
    const slot = mpr.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="3d"]')!;
    expect(slot.assignedElements()[0].textContent).to.equal('slotted 3D');
  });

  it('matches the committed screenshot of the linked views on the tumour', async () => {
    await mpr.frame();
    await expectScreenshot(mpr, 'mpr-phantom');
  });

  it('a click in one view moves the crosshair and the other two views to the slices through that point', async () => {
    const { axial, sagittal, coronal } = mpr.views;
    const changes: string[] = [];
    const listener = (e: Event) => changes.push(`${(e as CustomEvent).detail.orientation}:${(e as CustomEvent).detail.index}`);
    mpr.addEventListener('delineo-slice-change', listener);
    const k = axial.sliceIndex;
    const s0 = sagittal.sliceIndex;
    const c0 = coronal.sliceIndex;
    // Click on the heart's centre as seen in the axial view (navigate tool).
    const target = [phantom.anatomy.heart.center[0], phantom.anatomy.heart.center[1], session.crosshair.position[2]] as const;
    const [x, y] = axial.patientToClient(target)!;
    await sendMouse({ type: 'click', position: [Math.round(x), Math.round(y)] });
    await mpr.frame();
    const p = axial.clientToPatient(Math.round(x), Math.round(y))!;
    const index = session.volume.patientToIndex(p);
    expect(session.crosshair.position).to.deep.equal(p);
    expect(axial.sliceIndex, 'the clicked view stays on its slice').to.equal(k);
    expect(sagittal.sliceIndex).to.equal(Math.round(index[0]));
    expect(coronal.sliceIndex).to.equal(Math.round(index[1]));
    expect(sagittal.sliceIndex).to.not.equal(s0);
    expect(coronal.sliceIndex).to.not.equal(c0);
    expect(changes.sort()).to.deep.equal([`coronal:${coronal.sliceIndex}`, `sagittal:${sagittal.sliceIndex}`].sort());

    // The sagittal view's plane is drawn in the axial view as a (yellow) line through the point.
    const overlay = axial.overlayCanvas;
    const img = overlay.getContext('2d')!.getImageData(0, 0, overlay.width, overlay.height);
    const r = viewportOf(axial).getBoundingClientRect();
    const lineX = Math.floor(x - r.left);
    const probeY = Math.round(y - r.top) - 40; // outside the gap around the centre
    const yellowNear = [-1, 0, 1].some((dx) => {
      const o = 4 * (probeY * img.width + lineX + dx);
      return img.data[o + 3] > 60 && img.data[o] > 180 && img.data[o + 1] > 160 && img.data[o + 2] < 120;
    });
    expect(yellowNear, 'sagittal crosshair line in the axial view').to.equal(true);
    mpr.removeEventListener('delineo-slice-change', listener);
  });

  it('scrolling in the sagittal view moves the crosshair left–right only, and the window is shared', async () => {
    const { axial, sagittal, coronal } = mpr.views;
    const k = axial.sliceIndex;
    const c = coronal.sliceIndex;
    const before = session.volume.patientToIndex(session.crosshair.position);
    const rect = viewportOf(sagittal).getBoundingClientRect();
    viewportOf(sagittal).dispatchEvent(new WheelEvent('wheel', { deltaY: 300, clientX: rect.left + 40, clientY: rect.top + 40, bubbles: true, cancelable: true }));
    const after = session.volume.patientToIndex(session.crosshair.position);
    expect(after[0]).to.be.closeTo(Math.round(before[0]) + 3, 1e-9);
    expect(after[1]).to.be.closeTo(before[1], 1e-9);
    expect(after[2]).to.be.closeTo(before[2], 1e-9);
    expect([axial.sliceIndex, coronal.sliceIndex]).to.deep.equal([k, c]);
    session.setWindowLevel({ window: 1500, level: -600 });
    await mpr.frame();
    await Promise.all([axial.updateComplete, sagittal.updateComplete, coronal.updateComplete]);
    for (const v of [axial, sagittal, coronal]) expect(v.shadowRoot!.querySelector('[part="window"]')!.textContent).to.equal('Lung · W 1500 · L -600');
  });
});
