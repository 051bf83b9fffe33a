import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { phantomSession } from '../../test/helpers/viewer.ts';
import { TOOLS, type ToolDescriptor, type ViewerSession } from '../../src/index.ts';
import { DelineoToolbar } from './delineo-toolbar.ts';

const part = (el: Element, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;
const toolButton = (bar: DelineoToolbar, tool: string) => bar.shadowRoot!.querySelector<HTMLButtonElement>(`[data-tool="${tool}"]`)!;

describe('<delineo-toolbar>', () => {
  let session: ViewerSession;
  let bar: DelineoToolbar;

  beforeEach(async () => {
    ({ session } = phantomSession({ dimensions: [96, 96, 40], spacing: [5.2, 5.2, 7] }));
    bar = document.createElement('delineo-toolbar');
    bar.session = session;
    document.body.append(bar);
    await bar.updateComplete;
  });

  afterEach(() => bar.remove());

  it('picks tools with the buttons and moves between them with the arrow keys (roving tabindex)', async () => {
    expect(customElements.get('delineo-toolbar')).to.equal(DelineoToolbar);
    const changes: string[] = [];
    bar.addEventListener('delineo-tool-change', (e) => changes.push(e.detail.tool));
    expect(part(bar, 'tools').getAttribute('role')).to.equal('toolbar');
    toolButton(bar, 'brush').click();
    await bar.updateComplete;
    expect(session.tool.tool).to.equal('brush');
    expect(toolButton(bar, 'brush').getAttribute('aria-pressed')).to.equal('true');
    expect([...bar.shadowRoot!.querySelectorAll('[data-tool]')].filter((b) => (b as HTMLElement).tabIndex === 0)).to.have.length(1);
    toolButton(bar, 'brush').focus();
    await sendKeys({ press: 'ArrowRight' });
    await bar.updateComplete;
    expect(bar.shadowRoot!.activeElement).to.equal(toolButton(bar, 'eraser'));
    await sendKeys({ press: 'Enter' });
    await bar.updateComplete;
    expect(session.tool.tool).to.equal('eraser');
    expect(changes).to.deep.equal(['brush', 'eraser']);
  });

  it('offers a tool added to the registry with its words, key and settings, from its descriptor alone', async () => {
    const contour: ToolDescriptor = {
      id: 'test-contour',
      label: 'Trace',
      description: 'Trace a contour',
      help: 'Trace a contour',
      shortcut: 'r',
      cursor: 'crosshair',
      edits: true,
      undoLabel: 'Trace',
      settings: ['radius', 'contour-mode'],
      pointer: { kind: 'handler', create: () => ({ down: () => false, cancel: () => false }) },
    };
    bar.tools = [...TOOLS, contour];
    await bar.updateComplete;
    const button = toolButton(bar, 'test-contour');
    expect(button.textContent!.trim()).to.equal('Trace');
    expect(button.title).to.equal('Trace a contour (R)');
    expect(bar.shadowRoot!.querySelectorAll('[data-tool]')).to.have.length(TOOLS.length + 1);
    button.click();
    await bar.updateComplete;
    expect(session.tool.tool).to.equal('test-contour');
    expect(part(bar, 'radius'), 'its radius setting').to.not.equal(null);
    expect(part(bar, 'settings').querySelector('[data-setting="contourMode"]'), 'its contour mode').to.not.equal(null);
    expect(part(bar, 'settings').querySelector('[data-setting="shape"]'), 'nothing it did not ask for').to.equal(null);
  });

  it('shows the settings of the current tool and applies them to the session', async () => {
    toolButton(bar, 'brush').click();
    await bar.updateComplete;
    const radius = part(bar, 'radius') as HTMLInputElement;
    radius.value = '12.5';
    radius.dispatchEvent(new Event('input'));
    expect(session.tool.radiusMm).to.equal(12.5);
    bar.shadowRoot!.querySelector<HTMLButtonElement>('[data-setting="shape"][data-value="sphere"]')!.click();
    expect(session.tool.shape).to.equal('sphere');
    toolButton(bar, 'hu-brush').click();
    await bar.updateComplete;
    const min = bar.shadowRoot!.querySelector<HTMLInputElement>('[data-setting="huMin"]')!;
    min.value = '-500';
    min.dispatchEvent(new Event('change'));
    expect(session.tool.huMin).to.equal(-500);
    toolButton(bar, 'polygon').click();
    await bar.updateComplete;
    bar.shadowRoot!.querySelector<HTMLButtonElement>('[data-setting="contourMode"][data-value="subtract"]')!.click();
    expect(session.tool.contourMode).to.equal('subtract');
    toolButton(bar, 'region-grow').click();
    await bar.updateComplete;
    const tol = bar.shadowRoot!.querySelector<HTMLInputElement>('[data-setting="toleranceHu"]')!;
    tol.value = '150';
    tol.dispatchEvent(new Event('input'));
    expect(session.tool.toleranceHu).to.equal(150);
    expect(bar.shadowRoot!.querySelector<HTMLButtonElement>('[data-action="grow-commit"]')!.disabled, 'no preview to add yet').to.equal(true);
  });

  it('applies a window preset and announces it', async () => {
    const events: unknown[] = [];
    bar.addEventListener('delineo-window-change', (e) => events.push(e.detail));
    const select = part(bar, 'window-preset') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).to.deep.equal(['soft-tissue', 'lung', 'bone', 'brain', 'mediastinum']);
    select.value = 'bone';
    select.dispatchEvent(new Event('change'));
    expect(session.windowLevel).to.deep.equal({ window: 1800, level: 400 });
    expect(events).to.deep.equal([{ window: 1800, level: 400, preset: 'bone' }]);
  });

  it('interpolates the active structure between contoured slices with itk-wasm, as one undo step', async () => {
    const id = session.store.add({ name: 'Target', color: [255, 128, 0] });
    const [nx, ny] = session.volume.dimensions;
    const disc = (k: number, r: number) =>
      session.store.editMask(id, `Disc ${k}`, (m) => {
        for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) if ((i - 48) ** 2 + (j - 48) ** 2 <= r * r) m.set(i, j, k, true);
      });
    disc(12, 10);
    disc(20, 6);
    const edits: string[] = [];
    bar.addEventListener('delineo-structure-edit', (e) => edits.push(e.detail.label));
    await bar.interpolate();
    const mask = session.store.mask(id);
    const area = (k: number) => mask.readAxial(k).reduce((a, b) => a + b, 0);
    for (let k = 13; k < 20; k++) expect(area(k), `slice ${k} filled`).to.be.within(area(20), area(12));
    expect(area(11)).to.equal(0);
    expect(area(21)).to.equal(0);
    expect(session.store.state.undoLabel).to.equal('Interpolate');
    expect(edits).to.deep.equal(['Interpolate']);
    await bar.updateComplete;
    expect(part(bar, 'message').textContent).to.match(/Interpolated Target/);
    session.store.undo();
    expect(area(16)).to.equal(0);
  });

  it('shows why interpolation is refused (nothing between slices, locked structure)', async () => {
    const refusals: string[] = [];
    bar.addEventListener('delineo-edit-refuse', (e) => refusals.push(e.detail.reason));
    const id = session.store.add({ name: 'Flat', color: [0, 128, 255] });
    session.store.editMask(id, 'One slice', (m) => m.set(40, 40, 10, true));
    await bar.interpolate();
    await bar.updateComplete;
    const message = part(bar, 'message');
    expect(message.classList.contains('error')).to.equal(true);
    expect(message.textContent).to.match(/no gap|draw on/);
    session.store.update(id, { locked: true });
    await bar.interpolate();
    await bar.updateComplete;
    expect(message.textContent).to.match(/locked/);
    expect(refusals.slice(-1)).to.deep.equal(['locked']);
    expect(refusals[0]).to.equal('nothing');
  });

  it('undo and redo follow the structure set’s history', async () => {
    const undo = part(bar, 'undo') as HTMLButtonElement;
    const redo = part(bar, 'redo') as HTMLButtonElement;
    expect(undo.disabled).to.equal(true);
    const id = session.store.state.structures[1].id;
    session.store.update(id, { visible: false });
    await bar.updateComplete;
    expect(undo.disabled).to.equal(false);
    expect(undo.title).to.match(/^Undo Change visible/);
    undo.click();
    await bar.updateComplete;
    expect(session.store.record(id).visible).to.equal(true);
    expect(redo.disabled).to.equal(false);
    redo.click();
    expect(session.store.record(id).visible).to.equal(false);
  });
});
