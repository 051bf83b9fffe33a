// Two <delineo-app> on one page, each with its own session: nothing an app holds is global. Edits, undo,
// selection, tools and keyboard shortcuts in one app leave the other's session untouched, and every event
// names the app it came from as its target. Importing the components entry defines only the delineo-*
// elements and puts nothing of Delineo's on `window`.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import type * as Components from '../index.ts';
import type * as Core from '../../src/index.ts';
import type { DelineoApp } from './delineo-app.component.ts';

/** Globals that Lit adds to `window` on import, by design: its version registries and the decorator metadata map. */
const THIRD_PARTY_GLOBALS = new Set(['litHtmlVersions', 'litElementVersions', 'reactiveElementVersions', 'litPropertyMetadata']);

let components: typeof Components;
let core: typeof Core;
const defined: string[] = [];
let addedGlobals: string[] = [];

before(async () => {
  // Imported here, not at the top, so that what the components entry adds to the page can be observed.
  const globalsBefore = new Set(Object.getOwnPropertyNames(window));
  const define = customElements.define;
  customElements.define = function (this: CustomElementRegistry, name: string, ...rest: [CustomElementConstructor, ElementDefinitionOptions?]) {
    defined.push(name);
    return define.call(this, name, ...rest);
  };
  try {
    components = await import('../index.ts');
    core = await import('../../src/index.ts');
  } finally {
    customElements.define = define;
  }
  addedGlobals = Object.getOwnPropertyNames(window).filter((name) => !globalsBefore.has(name));
});

describe('the components entry', () => {
  it('defines only delineo-* elements', () => {
    for (const name of defined) expect(name).to.match(/^delineo-[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(defined).size, 'each once').to.equal(defined.length);
    expect(defined).to.include.members(['delineo-3d-view', 'delineo-app', 'delineo-mpr', 'delineo-slice-view', 'delineo-structure-list', 'delineo-toolbar']);
    expect(customElements.get('delineo-app')).to.equal(components.DelineoApp);
  });

  it('adds no globals of its own to window', () => {
    const ours = addedGlobals.filter((name) => !THIRD_PARTY_GLOBALS.has(name));
    expect(ours, `globals added by importing the components: ${addedGlobals.join(', ')}`).to.deep.equal([]);
  });
});

describe('two <delineo-app> on one page', function () {
  this.timeout(180000);
  type Session = InstanceType<typeof Core.ViewerSession>;
  let apps: [DelineoApp, DelineoApp];
  let sessions: [Session, Session];
  /** Every delineo-* event heard on document, with the target it had there. */
  const heard: { type: string; target: EventTarget | null; bubbles: boolean; composed: boolean }[] = [];
  const record = (e: Event) => heard.push({ type: e.type, target: e.target, bubbles: e.bubbles, composed: e.composed });
  const EVENTS = ['delineo-volume-load', 'delineo-slice-change', 'delineo-crosshair-change', 'delineo-window-change', 'delineo-structure-select', 'delineo-structure-delete', 'delineo-structure-edit', 'delineo-tool-change', 'delineo-edit-refuse', 'delineo-surface-update', 'delineo-volume-preset-change'];

  const part = (app: DelineoApp, name: string) => app.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;
  const mpr = (app: DelineoApp) => part(app, 'viewport') as unknown as InstanceType<typeof Components.DelineoMpr>;
  const list = (app: DelineoApp) => part(app, 'structure-list') as unknown as InstanceType<typeof Components.DelineoStructureList>;
  /** What of a session could leak: its structures (names, mask sizes and versions), selection, undo depth, tool, crosshair, window. */
  const snapshot = (s: Session) =>
    JSON.stringify({
      structures: s.store.state.structures.map((r) => [r.name, r.maskVersion, s.store.structure(r.id).mask.count()]),
      active: s.store.state.activeId,
      undo: s.store.state.undoLabel,
      redo: s.store.state.redoLabel,
      tool: s.tool,
      crosshair: s.crosshair,
      window: s.windowLevel,
    });
  /** Structure ids differ between sessions (each store numbers its own); find them by name. */
  const idOf = (s: Session, name: string) => s.store.state.structures.find((r) => r.name === name)!.id;

  before(async () => {
    await setViewport({ width: 1300, height: 720 });
    for (const type of EVENTS) document.addEventListener(type, record);
    const make = () => {
      const phantom = core.generatePhantom({ dimensions: [96, 96, 40], spacing: [5.2, 5.2, 7] });
      const session = core.ViewerSession.withStructures(phantom.volume, phantom.structures);
      session.setCrosshair(phantom.anatomy.gtvCenter);
      return session;
    };
    sessions = [make(), make()];
    apps = sessions.map((session, n) => {
      const app = document.createElement('delineo-app');
      app.style.cssText = `position: fixed; top: 0; left: ${n * 650}px; width: 640px; height: 700px;`;
      app.session = session;
      document.body.append(app);
      return app;
    }) as [DelineoApp, DelineoApp];
    await Promise.all(apps.map((app) => app.updateComplete));
    await Promise.all(apps.map((app) => mpr(app).frame()));
  });

  after(() => {
    for (const type of EVENTS) document.removeEventListener(type, record);
    for (const app of apps ?? []) app.remove();
  });

  beforeEach(() => {
    heard.length = 0;
  });

  it('keeps two sessions apart: separate stores, and acting on one emits nothing from the other', () => {
    const [a, b] = sessions;
    expect(a.store).to.not.equal(b.store);
    expect(apps[0].session).to.equal(a);
    expect(apps[1].session).to.equal(b);
    expect(mpr(apps[1]).views.axial.session).to.equal(b);
    let fromB = 0;
    const observables: { subscribe(next: () => void): { unsubscribe(): void } }[] = [b.crosshair$, b.tool$, b.windowLevel$, b.preview$, b.store.state$];
    const subscriptions = observables.map((o$) => o$.subscribe(() => fromB++));
    const initial = fromB;
    const before = snapshot(b);
    a.setCrosshair(a.volume.indexToPatient([10, 20, 5]));
    a.setTool({ tool: 'polygon', radiusMm: 12 });
    a.setWindowLevel({ window: 1500, level: -600 });
    a.store.setActive(idOf(a, 'Heart'));
    a.store.update(idOf(a, 'Heart'), { name: 'Heart_A' });
    a.undo();
    a.setTool({ tool: 'navigate' });
    for (const s of subscriptions) s.unsubscribe();
    expect(fromB - initial, 'emissions from the other session').to.equal(0);
    expect(snapshot(b)).to.equal(before);
  });

  it('selects a structure clicked in one app only in that app', async () => {
    const [a, b] = sessions;
    const bBefore = snapshot(b);
    const row = [...list(apps[0]).shadowRoot!.querySelectorAll<HTMLElement>('[part~="item"]')].find((el) => el.querySelector('[part="name"]')?.textContent?.trim() === 'GTV')!;
    row.scrollIntoView({ block: 'center' });
    const r = row.querySelector('[part="name"]')!.getBoundingClientRect();
    await sendMouse({ type: 'click', position: [Math.round(r.left + 6), Math.round(r.top + r.height / 2)] });
    expect(a.store.state.activeId).to.equal(idOf(a, 'GTV'));
    expect(snapshot(b)).to.equal(bBefore);
    const select = heard.filter((h) => h.type === 'delineo-structure-select');
    expect(select).to.have.length(1);
    expect(select[0].target).to.equal(apps[0]);
  });

  it('applies tool keys typed into one app to that app only, and says which app in the event', async () => {
    const [a, b] = sessions;
    apps[0].focus();
    await sendKeys({ press: 'b' });
    expect(a.tool.tool).to.equal('brush');
    expect(b.tool.tool).to.equal('navigate');
    apps[1].focus();
    await sendKeys({ press: 'e' });
    expect(b.tool.tool).to.equal('eraser');
    expect(a.tool.tool).to.equal('brush');
    const tools = heard.filter((h) => h.type === 'delineo-tool-change');
    expect(tools.map((h) => h.target)).to.deep.equal([apps[0], apps[1]]);
    await sendKeys({ press: 'n' });
    expect(b.tool.tool).to.equal('navigate');
  });

  it('commits and undoes a brush stroke in one app without touching the other', async () => {
    const [a, b] = sessions;
    const gtv = idOf(a, 'GTV');
    a.store.setActive(gtv);
    a.setTool({ tool: 'brush', radiusMm: 8, shape: 'disc' });
    await mpr(apps[0]).frame();
    const bBefore = snapshot(b);
    const countBefore = a.store.structure(gtv).mask.count();
    const axial = mpr(apps[0]).views.axial;
    const [x, y] = axial.patientToClient(a.crosshair.position)!.map(Math.round);
    await sendMouse({ type: 'move', position: [x - 25, y] });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [x, y + 10] });
    await sendMouse({ type: 'move', position: [x + 25, y] });
    await sendMouse({ type: 'up' });
    const painted = a.store.structure(gtv).mask.count();
    expect(painted).to.be.greaterThan(countBefore);
    expect(snapshot(b)).to.equal(bBefore);
    const edits = heard.filter((h) => h.type === 'delineo-structure-edit');
    expect(edits).to.have.length(1);
    expect(edits[0].target).to.equal(apps[0]);
    // Undo with the app's key, typed into that app; the other app's history is empty and stays so.
    apps[0].focus();
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'z' });
    await sendKeys({ up: 'Control' });
    expect(a.store.structure(gtv).mask.count()).to.equal(countBefore);
    expect(snapshot(b)).to.equal(bBefore);
    await apps[0].updateComplete;
    expect(part(apps[0], 'message').textContent).to.match(/^Undo: /);
    expect(part(apps[1], 'message')).to.equal(null);
    // Undo typed into the other app finds nothing of the first app's to undo.
    apps[1].focus();
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'z' });
    await sendKeys({ up: 'Control' });
    expect(snapshot(b)).to.equal(bBefore);
    a.setTool({ tool: 'navigate' });
  });

  it('sends every event bubbling and composed, with its own app as the target', () => {
    // Everything heard in this file so far went to document from inside an app's shadow tree.
    heard.length = 0;
    sessions[0].setTool({ tool: 'navigate' });
    apps[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'w', bubbles: true, composed: true }));
    apps[1].dispatchEvent(new KeyboardEvent('keydown', { key: 'h', bubbles: true, composed: true }));
    expect(sessions[0].tool.tool).to.equal('window-level');
    expect(sessions[1].tool.tool).to.equal('hu-brush');
    expect(heard.map((h) => [h.type, h.target, h.bubbles, h.composed])).to.deep.equal([
      ['delineo-tool-change', apps[0], true, true],
      ['delineo-tool-change', apps[1], true, true],
    ]);
  });
});
