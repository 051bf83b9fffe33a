import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { createStructure, type Structure } from '../../src/index.ts';
import { phantomSession } from '../../test/helpers/viewer.ts';
import { ViewerSession } from '../../src/index.ts';
import { structureStatus } from '../../src/index.ts';
import { DelineoStructureList } from './delineo-structure-list.ts';

const rows = (list: DelineoStructureList) => [...list.shadowRoot!.querySelectorAll<HTMLElement>('[role="option"]')];
const row = (list: DelineoStructureList, name: string) => rows(list).find((r) => r.querySelector('[part="name"]')?.textContent === name)!;
const text = (el: Element, part: string) => el.querySelector(`[part~="${part}"]`)!.textContent!.trim();

describe('<delineo-structure-list>', () => {
  let session: ViewerSession;
  let list: DelineoStructureList;

  beforeEach(async () => {
    const { phantom } = phantomSession({ dimensions: [96, 96, 40], spacing: [5.2, 5.2, 7] });
    // One structure as a model would deliver it, to show the "auto" status.
    const structures: Structure[] = phantom.structures.map((s) => (s.name === 'Heart' ? createStructure({ ...s, provenance: { algorithm: 'AUTOMATIC', source: 'test-model' } }) : s));
    session = ViewerSession.withStructures(phantom.volume, structures);
    list = document.createElement('delineo-structure-list');
    list.session = session;
    document.body.append(list);
    await list.updateComplete;
  });

  afterEach(() => list.remove());

  it('lists every structure with name, type, status and volume in cc, the active one selected', () => {
    expect(customElements.get('delineo-structure-list')).to.equal(DelineoStructureList);
    const r = rows(list);
    expect(r.map((x) => text(x, 'name'))).to.deep.equal(['External', 'Lung_L', 'Lung_R', 'SpinalCord', 'Heart', 'Esophagus', 'GTV']);
    expect(list.shadowRoot!.querySelector('[role="listbox"]')).to.not.equal(null);
    for (const [n, s] of session.store.state.structures.entries()) {
      expect(text(r[n], 'type')).to.equal(s.interpretedType);
      expect(text(r[n], 'volume')).to.equal(`${session.store.volumeCc(s.id).toFixed(1)} cc`);
      expect(r[n].getAttribute('aria-selected')).to.equal(n === 0 ? 'true' : 'false');
      const swatch = r[n].querySelector<HTMLElement>('[part="swatch"]')!;
      expect(swatch.style.background).to.equal(`rgb(${s.color.join(', ')})`);
    }
    expect(text(row(list, 'Heart'), 'status')).to.equal('Auto');
    expect(text(row(list, 'GTV'), 'status')).to.equal('Manual');
    // Exactly one row is in the tab order (roving tabindex).
    expect(r.filter((x) => x.tabIndex === 0)).to.have.length(1);
  });

  it('reports status as approved, auto, edited or manual', () => {
    expect(structureStatus({ approved: true, provenance: { algorithm: 'AUTOMATIC' } })).to.equal('approved');
    expect(structureStatus({ approved: false, provenance: { algorithm: 'AUTOMATIC' } })).to.equal('auto');
    expect(structureStatus({ approved: false, provenance: { algorithm: 'SEMIAUTOMATIC' } })).to.equal('edited');
    expect(structureStatus({ approved: false, provenance: { algorithm: 'MANUAL' } })).to.equal('manual');
  });

  it('updates a row when its structure is edited (status, volume) or approved', async () => {
    const heart = session.store.state.structures.find((s) => s.name === 'Heart')!.id;
    session.store.editMask(heart, 'Trim', (m) => m.set(48, 48, 20, !m.get(48, 48, 20)));
    await list.updateComplete;
    expect(text(row(list, 'Heart'), 'status')).to.equal('Edited');
    expect(text(row(list, 'Heart'), 'volume')).to.equal(`${session.store.volumeCc(heart).toFixed(1)} cc`);
    session.store.approve(heart);
    await list.updateComplete;
    expect(text(row(list, 'Heart'), 'status')).to.equal('Approved');
  });

  it('selects with a click and with the arrow keys, announcing each selection', async () => {
    const selected: (string | null)[] = [];
    list.addEventListener('delineo-structure-select', (e) => selected.push(e.detail.name));
    row(list, 'Heart').click();
    await list.updateComplete;
    expect(session.store.state.activeId).to.equal(row(list, 'Heart').dataset.id);
    expect(row(list, 'Heart').getAttribute('aria-selected')).to.equal('true');
    expect(list.shadowRoot!.activeElement).to.equal(row(list, 'Heart'));
    await sendKeys({ press: 'ArrowDown' });
    await list.updateComplete;
    expect(list.shadowRoot!.activeElement).to.equal(row(list, 'Esophagus'));
    await sendKeys({ press: 'End' });
    await sendKeys({ press: 'ArrowUp' });
    await list.updateComplete;
    expect(selected).to.deep.equal(['Heart', 'Esophagus', 'GTV', 'Esophagus']);
    expect(rows(list).filter((x) => x.tabIndex === 0).map((x) => text(x, 'name'))).to.deep.equal(['Esophagus']);
  });

  it('renames with Enter (Enter keeps, Escape abandons) and shows a refusal for an approved structure', async () => {
    row(list, 'GTV').click();
    await list.updateComplete;
    await sendKeys({ press: 'Enter' });
    await list.updateComplete;
    const input = list.shadowRoot!.querySelector<HTMLInputElement>('[part="rename-input"]')!;
    expect(list.shadowRoot!.activeElement).to.equal(input);
    await sendKeys({ type: 'GTVp' });
    await sendKeys({ press: 'Enter' });
    await list.updateComplete;
    const gtv = session.store.state.activeId!;
    expect(session.store.record(gtv).name).to.equal('GTVp');
    expect(session.store.state.undoLabel).to.equal('Rename GTV to GTVp');
    expect(list.shadowRoot!.activeElement, 'focus back on the row').to.equal(row(list, 'GTVp'));

    await sendKeys({ press: 'F2' });
    await list.updateComplete;
    await sendKeys({ type: 'Nope' });
    await sendKeys({ press: 'Escape' });
    await list.updateComplete;
    expect(session.store.record(gtv).name).to.equal('GTVp');

    session.store.approve(gtv);
    await sendKeys({ press: 'Enter' });
    await list.updateComplete;
    await sendKeys({ type: 'X' });
    await sendKeys({ press: 'Enter' });
    await list.updateComplete;
    expect(session.store.record(gtv).name).to.equal('GTVp');
    const error = list.shadowRoot!.querySelector<HTMLElement>('[part="error"]')!;
    expect(error.hidden).to.equal(false);
    expect(error.textContent).to.match(/approved/);
  });

  it('deletes with Delete after confirmation, Cancel keeps it, a portal may veto, and undo restores it', async () => {
    row(list, 'Esophagus').click();
    await list.updateComplete;
    await sendKeys({ press: 'Delete' });
    await list.updateComplete;
    const confirm = list.shadowRoot!.querySelector<HTMLElement>('[part="confirm"]')!;
    expect(confirm.getAttribute('role')).to.equal('alertdialog');
    expect(confirm.textContent).to.contain('Delete Esophagus');
    expect(list.shadowRoot!.activeElement!.textContent, 'focus on Cancel, the safe choice').to.equal('Cancel');
    await sendKeys({ press: 'Enter' }); // presses the focused Cancel
    await list.updateComplete;
    expect(session.store.state.structures.map((s) => s.name)).to.include('Esophagus');
    expect(list.shadowRoot!.querySelector('[part="confirm"]')).to.equal(null);

    const veto = (e: Event) => e.preventDefault();
    list.addEventListener('delineo-structure-delete', veto, { once: true });
    await sendKeys({ press: 'Delete' });
    await list.updateComplete;
    list.shadowRoot!.querySelector<HTMLButtonElement>('[part="confirm"] [data-action="delete"]')!.click();
    await list.updateComplete;
    expect(session.store.state.structures.map((s) => s.name), 'vetoed').to.include('Esophagus');

    const deleted: string[] = [];
    list.addEventListener('delineo-structure-delete', (e) => deleted.push(e.detail.name));
    row(list, 'Esophagus').querySelector<HTMLButtonElement>('[part="delete-button"]')!.click();
    await list.updateComplete;
    list.shadowRoot!.querySelector<HTMLButtonElement>('[part="confirm"] [data-action="delete"]')!.click();
    await list.updateComplete;
    expect(deleted).to.deep.equal(['Esophagus']);
    expect(session.store.state.structures.map((s) => s.name)).to.not.include('Esophagus');
    expect(list.shadowRoot!.activeElement, 'focus moves to the next row').to.equal(row(list, 'GTV'));
    session.store.undo();
    await list.updateComplete;
    expect(rows(list).map((x) => text(x, 'name'))).to.include('Esophagus');
  });

  it('toggles visibility (V) and lock (L) from the keyboard and the buttons, and recolours from the swatch', async () => {
    row(list, 'Lung_L').click();
    await list.updateComplete;
    const id = session.store.state.activeId!;
    await sendKeys({ press: 'v' });
    expect(session.store.record(id).visible).to.equal(false);
    await list.updateComplete;
    const eye = row(list, 'Lung_L').querySelector<HTMLButtonElement>('[part="visibility-toggle"]')!;
    expect(eye.getAttribute('aria-pressed')).to.equal('false');
    eye.click();
    expect(session.store.record(id).visible).to.equal(true);
    await sendKeys({ press: 'l' });
    expect(session.store.record(id).locked).to.equal(true);
    await list.updateComplete;
    expect(row(list, 'Lung_L').querySelector('[part~="lock-toggle"]')!.getAttribute('aria-pressed')).to.equal('true');
    const colour = row(list, 'Lung_L').querySelector<HTMLInputElement>('[part="swatch"] input')!;
    colour.value = '#123456';
    colour.dispatchEvent(new Event('change'));
    expect(session.store.record(id).color).to.deep.equal([0x12, 0x34, 0x56]);
  });

  it('sorts by attention once a model run left its uncertainty map: the structure the model doubts most first, keys follow', async () => {
    expect(list.shadowRoot!.querySelector('[part~="sort-toggle"]'), 'no map, no toggle').to.equal(null);
    const records = session.store.state.structures;
    const id = (name: string) => records.find((r) => r.name === name)!.id;
    // A model's map: certain everywhere except the oesophagus (very unsure) and the heart (a little unsure).
    const [nx, ny, nz] = session.volume.dimensions;
    const data = new Uint8Array(nx * ny * nz);
    session.store.mask(id('Heart')).forEach((i, j, k) => (data[i + nx * (j + ny * k)] = 60));
    session.store.mask(id('Esophagus')).forEach((i, j, k) => (data[i + nx * (j + ny * k)] = 220));
    session.uncertainty.attach({ data, dimensions: [nx, ny, nz], measure: 'entropy' }, [id('Heart'), id('Esophagus'), id('SpinalCord')]);
    await list.updateComplete;
    const toggle = list.shadowRoot!.querySelector<HTMLButtonElement>('[part~="sort-toggle"]')!;
    expect(toggle.getAttribute('aria-pressed')).to.equal('false');
    toggle.click();
    await list.updateComplete;
    expect(list.sort).to.equal('attention');
    expect(toggle.getAttribute('aria-pressed')).to.equal('true');
    const names = rows(list).map((r) => text(r, 'name'));
    // The three with a map by attention (oesophagus, heart, then the cord the model was sure of), then the rest in list order.
    expect(names).to.deep.equal(['Esophagus', 'Heart', 'SpinalCord', 'External', 'Lung_L', 'Lung_R', 'GTV']);
    // The keys walk the rows as shown.
    session.store.setActive(id('Esophagus'));
    await list.updateComplete;
    row(list, 'Esophagus').focus();
    await sendKeys({ press: 'ArrowDown' });
    expect(session.store.state.activeId).to.equal(id('Heart'));
    toggle.click();
    await list.updateComplete;
    expect(rows(list).map((r) => text(r, 'name'))).to.deep.equal(['External', 'Lung_L', 'Lung_R', 'SpinalCord', 'Heart', 'Esophagus', 'GTV']);
  });
});
