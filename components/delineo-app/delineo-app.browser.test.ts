import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { DEFAULT_PHANTOM_DIMENSIONS, generatePhantom, ViewerSession } from '../../src/index.ts';
import { discVolume } from '../../test/helpers/synthetic-volume.ts';
import { chord } from '../../test/helpers/viewer.ts';
import type { DelineoVolumeLoadEvent } from '../events/delineo-volume-load.ts';
import { DelineoApp } from './delineo-app.ts';

/** Resolves with the next `delineo-volume-load` heard on `document` (so it must bubble and be composed). */
function nextVolumeLoad(timeoutMs = 60000): Promise<DelineoVolumeLoadEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no delineo-volume-load event')), timeoutMs);
    document.addEventListener(
      'delineo-volume-load',
      (event) => {
        clearTimeout(timer);
        resolve(event);
      },
      { once: true },
    );
  });
}

function mount(init?: (el: DelineoApp) => void): DelineoApp {
  const el = document.createElement('delineo-app');
  el.style.cssText = 'position: fixed; left: 0; top: 0; width: 1000px; height: 600px;';
  init?.(el);
  document.body.append(el);
  return el;
}

const part = (el: DelineoApp, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;

describe('<delineo-app>', () => {
  let el: DelineoApp | null = null;

  afterEach(() => {
    el?.remove();
    el = null;
  });

  it('is defined under its tag', () => {
    expect(customElements.get('delineo-app')).to.equal(DelineoApp);
    expect(document.createElement('delineo-app')).to.be.instanceOf(DelineoApp);
  });

  it('generates the phantom with its structures and shows it in the MPR views, the list and the tools, sharing one session', async () => {
    const loaded = nextVolumeLoad();
    el = mount();
    await el.updateComplete;
    expect(part(el, 'status').textContent).to.match(/generating/i);
    const { detail } = await loaded;
    expect(detail.dimensions).to.deep.equal([...DEFAULT_PHANTOM_DIMENSIONS]);
    expect(detail.name).to.match(/phantom/i);
    expect(structuredClone(detail)).to.deep.equal(detail);
    await el.updateComplete;
    const session = el.session!;
    expect(session).to.be.instanceOf(ViewerSession);
    // The demo holds what a clinician would have drawn; body, lungs and bones are left to auto-contouring.
    expect(session.store.state.structures.map((s) => s.name)).to.deep.equal(['SpinalCord', 'Heart', 'Esophagus', 'GTV']);
    expect(session.store.record(session.store.state.activeId!).name, 'the demo starts on the tumour').to.equal('GTV');
    const mpr = part(el, 'viewport') as HTMLElement & { session: unknown; frame(): Promise<void> };
    expect(mpr.tagName).to.equal('DELINEO-MPR');
    for (const name of ['viewport', 'structure-list', 'toolbar']) expect((part(el, name) as unknown as { session: unknown }).session, name).to.equal(session);
    await mpr.frame();
    const [nx, ny, nz] = DEFAULT_PHANTOM_DIMENSIONS;
    expect(part(el, 'status').textContent).to.contain(detail.name).and.contain(`${nx} × ${ny} × ${nz} voxels`);
  });

  it('shows a given volume with an empty structure set, describing it in the status line', async () => {
    el = mount((e) => (e.volume = discVolume({ patientName: 'DOE^JANE', seriesInstanceUid: '2.25.42' })));
    await el.updateComplete;
    expect(el.session!.volume).to.equal(el.volume);
    expect(el.session!.store.state.structures).to.have.length(0);
    expect(part(el, 'status').textContent).to.equal('DOE, JANE · disc · 64 × 64 × 9 voxels · 2.00 × 2.00 × 3.00 mm');
    el.session!.store.add({ name: 'GTV' });
    await el.updateComplete;
    expect(part(el, 'status').textContent).to.match(/ · 0 of 1 structures approved$/);
  });

  it('gives its session to an element slotted as the 3D view', async () => {
    const { volume, structures } = generatePhantom({ dimensions: [96, 96, 40], spacing: [5.2, 5.2, 7] });
    const session = ViewerSession.withStructures(volume, structures);
    const third = Object.assign(document.createElement('div'), { session: null as unknown });
    third.slot = '3d';
    el = mount((e) => {
      e.session = session;
      e.append(third);
    });
    await el.updateComplete;
    expect(el.volume).to.equal(volume);
    expect(third.session).to.equal(session);
  });

  it('with autofocus takes keyboard focus itself, so the tool keys work before anything is clicked', async () => {
    (document.activeElement as HTMLElement | null)?.blur();
    const { volume, structures } = generatePhantom({ dimensions: [96, 96, 40], spacing: [5.2, 5.2, 7] });
    const session = ViewerSession.withStructures(volume, structures);
    el = mount((e) => {
      e.session = session;
      e.setAttribute('autofocus', '');
    });
    await el.updateComplete;
    expect(el.tabIndex).to.equal(-1);
    expect(document.activeElement).to.equal(el);
    await sendKeys({ press: 'e' });
    expect(session.tool.tool).to.equal('eraser');
  });

  it('binds tool keys and undo/redo across the app, reporting them in the status bar', async () => {
    const { volume, structures } = generatePhantom({ dimensions: [96, 96, 40], spacing: [5.2, 5.2, 7] });
    const session = ViewerSession.withStructures(volume, structures);
    el = mount((e) => (e.session = session));
    await el.updateComplete;
    const list = part(el, 'structure-list');
    await (list as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    // Focus a row of the structure list, then use app-wide keys from there.
    list.shadowRoot!.querySelector<HTMLElement>('[role="option"]')!.focus();
    await sendKeys({ press: 'b' });
    expect(session.tool.tool).to.equal('brush');
    await sendKeys({ press: 'g' });
    expect(session.tool.tool).to.equal('region-grow');
    await sendKeys({ press: 'v' }); // the list's own key: hides External, an undoable change
    expect(session.store.state.structures[0].visible).to.equal(false);
    await chord(['Control'], 'z');
    expect(session.store.state.structures[0].visible).to.equal(true);
    await el.updateComplete;
    expect(part(el, 'message').textContent).to.equal('Undo: Change visible of External');
    await chord(['Control'], 'y');
    expect(session.store.state.structures[0].visible).to.equal(false);
  });
});
