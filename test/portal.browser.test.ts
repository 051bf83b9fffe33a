// examples/portal.html, the embedding example, loaded as a page of its own in an iframe (the test server
// serves the repository root, as `npm start` does, and gives /examples/ pages the recommended CSP): its event
// log hears the elements' events when the user clicks in a slice view or on a structure, its own controls move
// the crosshair, the slice, the selection and the tool, and its theme (custom properties and ::part rules)
// reaches the elements' shadow trees.
import './helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendMouse, setViewport } from '@web/test-runner-commands';
import type { DelineoMpr, DelineoStructureList, DelineoToolbar } from '../components/index.ts';
import type { ViewerSession } from '../src/index.ts';

const WIDTH = 1280;
const HEIGHT = 800;

async function waitFor<T>(read: () => T | null | undefined | false, what: string, timeoutMs = 60000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = read();
    if (v) return v;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('examples/portal.html', function () {
  this.timeout(180000);
  let frame: HTMLIFrameElement;
  let doc: Document;
  let session: ViewerSession;
  let mpr: DelineoMpr;
  const errors: string[] = [];

  /** The log lines of one event type, newest first. */
  const logged = (type: string) => [...doc.querySelectorAll<HTMLLIElement>(`#log li[data-type="${type}"]`)];
  /** Clicks at a point of the portal page (client coordinates inside the iframe). */
  const clickAt = (x: number, y: number) => {
    const r = frame.getBoundingClientRect();
    return sendMouse({ type: 'click', position: [Math.round(r.left + x), Math.round(r.top + y)] });
  };
  const change = (select: HTMLSelectElement, value: string) => {
    select.value = value;
    select.dispatchEvent(new Event('change'));
  };

  before(async () => {
    await setViewport({ width: WIDTH, height: HEIGHT });
    // The test server serves /examples/ with the recommended Content-Security-Policy (scripts/wtr-csp.js).
    await fetch('/__csp-reports', { method: 'DELETE' });
    frame = document.createElement('iframe');
    frame.style.cssText = `position: fixed; left: 0; top: 0; width: ${WIDTH}px; height: ${HEIGHT}px; border: 0;`;
    frame.src = '/examples/portal.html';
    document.body.append(frame);
    await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    const win = frame.contentWindow!;
    win.addEventListener('error', (e) => errors.push(e.message));
    win.addEventListener('unhandledrejection', (e) => errors.push(String(e.reason)));
    doc = frame.contentDocument!;
    await waitFor(() => doc.body.dataset.ready === 'true' || errors.length > 0, 'the portal to start');
    expect(errors).to.deep.equal([]);
    mpr = doc.querySelector('delineo-mpr')!;
    session = mpr.session!;
  });

  after(() => frame?.remove());

  it('gives its own session to every element it placed', () => {
    expect(session.store.state.structures.map((s) => s.name)).to.include('GTV');
    for (const tag of ['delineo-toolbar', 'delineo-structure-list', 'delineo-3d-view'] as const) expect(doc.querySelector(tag)!.session, tag).to.equal(session);
    expect(mpr.views.axial.session).to.equal(session);
  });

  it('logs the slice views\' events when the user clicks in the axial view', async () => {
    expect(session.tool.tool).to.equal('navigate');
    const before = { crosshair: logged('delineo-crosshair-change').length, slice: logged('delineo-slice-change').length };
    const viewport = mpr.views.axial.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!;
    const r = viewport.getBoundingClientRect();
    await clickAt(r.left + r.width * 0.35, r.top + r.height * 0.6);
    await mpr.frame();
    const crosshair = await waitFor(() => logged('delineo-crosshair-change').length > before.crosshair && logged('delineo-crosshair-change')[0], 'a crosshair-change line');
    // Heard on the portal's document: bubbled out of the slice view and, composed, out of <delineo-mpr>'s shadow root.
    expect(crosshair.dataset.origin).to.equal('delineo-slice-view');
    expect(crosshair.dataset.target).to.equal('delineo-mpr');
    expect(crosshair.textContent).to.match(/"position":\[/);
    // The click moved the crosshair in-plane, so the sagittal and coronal views changed slice.
    expect(logged('delineo-slice-change').length).to.be.greaterThan(before.slice);
    expect(logged('delineo-slice-change')[0].textContent).to.match(/"orientation":"(sagittal|coronal)"/);
    expect(session.crosshair.source).to.equal('user');
  });

  it('logs delineo-structure-select when the user clicks a structure, and its own menu follows', async () => {
    const list = doc.querySelector<DelineoStructureList>('delineo-structure-list')!;
    const heart = session.store.state.structures.find((s) => s.name === 'Heart')!;
    const row = [...list.shadowRoot!.querySelectorAll<HTMLElement>('[part~="item"]')].find((el) => el.querySelector('[part="name"]')?.textContent?.trim() === 'Heart')!;
    const r = row.querySelector<HTMLElement>('[part="name"]')!.getBoundingClientRect();
    const count = logged('delineo-structure-select').length;
    await clickAt(r.left + 8, r.top + r.height / 2);
    const line = await waitFor(() => logged('delineo-structure-select').length > count && logged('delineo-structure-select')[0], 'a structure-select line');
    expect(line.dataset.target).to.equal('delineo-structure-list');
    expect(line.textContent).to.contain(`"id":"${heart.id}"`).and.contain('"name":"Heart"');
    expect(session.store.state.activeId).to.equal(heart.id);
    expect(doc.querySelector<HTMLSelectElement>('#structure-select')!.value).to.equal(heart.id);
  });

  it('moves the slice and the crosshair from its own buttons', async () => {
    const axial = mpr.views.axial;
    doc.querySelector<HTMLButtonElement>('#to-tumour')!.click();
    await mpr.frame();
    const start = axial.sliceIndex;
    const position = [...session.crosshair.position] as [number, number, number];
    expect(session.crosshair.source).to.equal('program');
    doc.querySelector<HTMLButtonElement>('#next-slice')!.click();
    doc.querySelector<HTMLButtonElement>('#next-slice')!.click();
    await mpr.frame();
    expect(axial.sliceIndex).to.equal(start + 2);
    expect(doc.querySelector<HTMLOutputElement>('#position')!.dataset.slice).to.equal(String(start + 2));
    // On the centre of slice start + 2, the in-plane position kept.
    const was = session.volume.patientToIndex(position);
    const now = session.volume.patientToIndex(session.crosshair.position);
    expect(now[2]).to.be.closeTo(start + 2, 1e-6);
    expect(now[0]).to.be.closeTo(was[0], 1e-6);
    expect(now[1]).to.be.closeTo(was[1], 1e-6);
    expect(axial.shadowRoot!.querySelector('[part="info"]')!.textContent).to.contain(String(start + 3));
    doc.querySelector<HTMLButtonElement>('#previous-slice')!.click();
    await mpr.frame();
    expect(axial.sliceIndex).to.equal(start + 1);
    doc.querySelector<HTMLButtonElement>('#to-tumour')!.click();
    await mpr.frame();
    expect(axial.sliceIndex).to.equal(start);
    expect([...session.crosshair.position]).to.deep.equal(position);
  });

  it('selects a structure and a tool from its own menus', async () => {
    const list = doc.querySelector<DelineoStructureList>('delineo-structure-list')!;
    const toolbar = doc.querySelector<DelineoToolbar>('delineo-toolbar')!;
    const lung = session.store.state.structures.find((s) => s.name === 'Lung_L')!;
    change(doc.querySelector<HTMLSelectElement>('#structure-select')!, lung.id);
    await list.updateComplete;
    expect(session.store.state.activeId).to.equal(lung.id);
    expect(list.shadowRoot!.querySelector('[part~="item"][part~="active"] [part="name"]')!.textContent!.trim()).to.equal('Lung_L');
    change(doc.querySelector<HTMLSelectElement>('#tool-select')!, 'brush');
    await toolbar.updateComplete;
    expect(session.tool.tool).to.equal('brush');
    expect(toolbar.shadowRoot!.querySelector<HTMLElement>('[part~="tool"][part~="active"]')!.dataset.tool).to.equal('brush');
    change(doc.querySelector<HTMLSelectElement>('#tool-select')!, 'navigate');
    await toolbar.updateComplete;
    expect(session.tool.tool).to.equal('navigate');
  });

  it('themes the elements through their custom properties and parts', async () => {
    const win = frame.contentWindow!;
    const style = (el: Element) => win.getComputedStyle(el);
    const gold = 'rgb(224, 165, 38)';
    const toolbar = doc.querySelector<DelineoToolbar>('delineo-toolbar')!;
    const list = doc.querySelector<DelineoStructureList>('delineo-structure-list')!;
    await Promise.all([toolbar.updateComplete, list.updateComplete]);
    // Custom properties set on the element reach rules inside its shadow root.
    const activeTool = toolbar.shadowRoot!.querySelector<HTMLElement>('[part~="tool"][part~="active"]')!;
    expect(style(activeTool).backgroundColor).to.equal(gold);
    expect(style(toolbar).backgroundColor).to.equal('rgb(36, 50, 58)');
    const activeRow = list.shadowRoot!.querySelector('[part~="item"][part~="active"]')!;
    expect(style(activeRow).backgroundColor).to.equal('rgb(246, 231, 193)');
    expect(style(mpr).rowGap).to.equal('6px');
    // ::part rules style the parts themselves…
    expect(style(list.shadowRoot!.querySelector('[part="name"]')!).fontWeight).to.equal('600');
    expect(style(activeTool).borderTopLeftRadius).to.equal('12px');
    // …and set custom properties of elements nested in a shadow root (the slice views in <delineo-mpr>).
    const label = mpr.views.axial.shadowRoot!.querySelector('[part~="orientation-label"]')!;
    expect(style(label).color).to.equal(gold);
  });

  it('reported no errors, and no violation of the recommended Content-Security-Policy', async () => {
    expect(errors).to.deep.equal([]);
    const header = (await fetch('/examples/portal.html')).headers.get('Content-Security-Policy');
    expect(header).to.contain("script-src 'self' 'wasm-unsafe-eval'");
    const { reports } = (await (await fetch('/__csp-reports')).json()) as { reports: { 'csp-report'?: Record<string, string> }[] };
    const fromPortal = reports.filter((r) => /\/examples\//.test(r['csp-report']?.['document-uri'] ?? ''));
    expect(fromPortal).to.deep.equal([]);
  });
});
