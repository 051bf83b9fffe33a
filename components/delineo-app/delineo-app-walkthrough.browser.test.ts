// The defects a clinician's walk-through found (issue "Nothing lost, nothing surprising"), each reproduced with
// the app as a user drives it: a CT written as DICOM files in the page (the phantom, with a patient and a series
// description), opened through the app's own file opening, in a storage the test can inspect and share between
// two elements (a reload).
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { Autosave, MemoryStorage, autosaveKey, generatePhantom, writeCtSeries } from '../../src/index.ts';
import type { DelineoJobProgressEvent } from '../events/delineo-job-progress.ts';
import './delineo-app.ts';
import type { DelineoApp } from './delineo-app.ts';

const phantom = generatePhantom({ dimensions: [64, 64, 24], spacing: [6, 6, 8] });
const written = writeCtSeries(phantom.volume, { patientName: 'Doe^Jane', patientId: 'P-17', seriesDescription: 'Thorax CT 3 mm' });
const files = written.files.map((b, n) => new File([b], `CT${String(n).padStart(3, '0')}.dcm`));

const part = (el: DelineoApp, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const notices = (el: DelineoApp) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="notice"]')];
const noticeButton = (el: DelineoApp, label: string) => el.shadowRoot!.querySelector<HTMLElement>('[part~="notice"]') && [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="notice"] button')].find((b) => b.textContent!.trim() === label);
const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await settle(50);
  }
}

function mount(storage: MemoryStorage, init?: (el: DelineoApp) => void): DelineoApp {
  const el = document.createElement('delineo-app');
  el.demo = 'none';
  el.autosaveStorage = storage;
  el.style.cssText = 'position: fixed; left: 0; top: 0; width: 1100px; height: 700px;';
  init?.(el);
  document.body.append(el);
  return el;
}

/** Draws a structure as a clinician would: a new structure with a committed edit. */
function draw(el: DelineoApp, name: string): void {
  const store = el.session!.store;
  const id = store.add({ name });
  store.editMask(id, 'Brush', (m) => {
    for (let j = 20; j < 30; j++) for (let i = 20; i < 30; i++) m.set(i, j, 10, true);
  });
}

describe('<delineo-app> walk-through defects', () => {
  let el: DelineoApp | null = null;
  afterEach(() => {
    el?.remove();
    el = null;
  });

  it('keeps the autosave through a one-slice open of the same series and a reload, and asks before replacing unexported work', async () => {
    const storage = new MemoryStorage();
    el = mount(storage);
    await el.openFiles(files);
    expect(el.session!.volume.dimensions).to.deep.equal([64, 64, 24]);
    draw(el, 'GTV');
    draw(el, 'Heart');
    await settle(300);
    const fullKey = autosaveKey(el.session!.volume.identity, [64, 64, 24]);
    expect((await Autosave.find(storage, fullKey))?.structureNames).to.deep.equal(['GTV', 'Heart']);

    // One slice of the same series: first the question, because the structures were never exported.
    const opening = el.openFiles([files[5]!]);
    await until(() => !!part(el!, 'confirm'), 'the confirmation');
    expect(part(el, 'confirm')!.textContent).to.match(/Open Doe, Jane .*\? The 2 structures on Doe, Jane .* have changes that were not exported\..*stay autosaved/s);
    (part(el, 'confirm-ok') as HTMLButtonElement).click();
    await opening;
    expect(el.session!.volume.dimensions).to.deep.equal([64, 64, 1]);
    await until(() => notices(el!).some((n) => /autosaved on a 64 × 64 × 24 grid/.test(n.textContent!)), 'the notice about the whole series');
    expect(noticeButton(el, 'Restore')).to.equal(undefined);
    draw(el, 'Scribble');
    await settle(300);
    expect((await Autosave.find(storage, fullKey))?.structureNames, 'the whole series’ record is untouched').to.deep.equal(['GTV', 'Heart']);

    // A reload: a new element on the same storage offers the last session.
    el.remove();
    el = mount(storage);
    await until(() => notices(el!).some((n) => /Your last session is autosaved/.test(n.textContent!)), 'the last-session offer');
    expect(noticeButton(el, 'Open its files…')).to.not.equal(undefined);

    // Reopening the whole series offers the structures back, and Restore brings them.
    await el.openFiles(files);
    await until(() => !!noticeButton(el!, 'Restore'), 'the restore offer');
    noticeButton(el, 'Restore')!.click();
    await until(() => el!.session!.store.state.structures.length === 2, 'the restored structures');
    expect(el.session!.store.state.structures.map((s) => s.name)).to.deep.equal(['GTV', 'Heart']);
  });

  it('"Keep working" keeps the session shown', async () => {
    el = mount(new MemoryStorage());
    await el.openFiles(files);
    const session = el.session;
    draw(el, 'GTV');
    const opening = el.openFiles([files[3]!]);
    await until(() => !!part(el!, 'confirm-cancel'), 'the confirmation');
    (part(el, 'confirm-cancel') as HTMLButtonElement).click();
    await opening;
    expect(el.session).to.equal(session);
  });

  it('shows the patient, study date and series in the header, and clears what the demo said', async () => {
    el = mount(new MemoryStorage(), (e) => (e.demo = 'phantom'));
    await until(() => !!el!.session, 'the demo');
    expect(notices(el).some((n) => /Demo:/.test(n.textContent!))).to.equal(true);
    await el.openFiles(files);
    expect(part(el, 'subtitle')!.textContent).to.match(/^Doe, Jane · \d{4}-\d{2}-\d{2} · Thorax CT 3 mm$/);
    expect(notices(el).some((n) => /Demo:/.test(n.textContent!))).to.equal(false);
  });

  it('refuses to auto-contour one slice of a series, saying why', async () => {
    el = mount(new MemoryStorage());
    await el.openFiles([files[7]!]);
    const errors: string[] = [];
    el.addEventListener('delineo-error', (e) => errors.push(e.detail.code));
    await el.autoContour('ct-external-lungs-bones');
    expect(errors).to.deep.equal(['incomplete-series']);
    expect(notices(el).some((n) => /Auto-contouring refused: .*slice/i.test(n.textContent!))).to.equal(true);
    expect(el.session!.store.state.structures).to.deep.equal([]);
  });

  it('cancels a running auto-contour with Escape right after the click, and keeps keyboard focus inside the app', async () => {
    // The model's download never finishes (a slow link), so the job is surely still running when Escape comes.
    const realFetch = window.fetch;
    window.fetch = (input, init) =>
      String(input instanceof Request ? input.url : input).includes('/models/hn-oar/')
        ? new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))
        : realFetch(input, init);
    try {
      el = mount(new MemoryStorage(), (e) => {
        e.demo = 'phantom';
        e.modelPreload = 'none';
      });
      await until(() => !!el!.session, 'the demo');
      const select = part(el, 'model-select') as HTMLSelectElement;
      select.value = 'hn-oar';
      select.dispatchEvent(new Event('change'));
      await el.updateComplete;
      const states: string[] = [];
      el.addEventListener('delineo-job-progress', (e: DelineoJobProgressEvent) => states.push(e.detail.state));
      // The button is pressed from the keyboard: it has focus when the job disables it.
      part(el, 'run-button')!.focus();
      await sendKeys({ press: 'Enter' });
      await until(() => states.includes('running'), 'the job');
      await el.updateComplete;
      await settle(50);
      expect(document.activeElement, 'focus stays in the app').to.equal(el);
      expect(el.shadowRoot!.activeElement?.getAttribute('part')).to.equal('cancel-button');
      await sendKeys({ press: 'Escape' });
      await until(() => states.includes('cancelled'), 'the cancellation', 30000);
      expect(el.session!.store.state.structures.length, 'nothing added').to.equal(4);
    } finally {
      window.fetch = realFetch;
    }
  });

  it('opens the shortcut help at its title, not scrolled to its Close button', async () => {
    el = mount(new MemoryStorage(), (e) => (e.demo = 'phantom'));
    await until(() => !!el!.session, 'the demo');
    el.focus();
    await sendKeys({ press: '?' });
    const dialog = part(el, 'help') as HTMLDialogElement;
    await until(() => dialog.open, 'the help dialog');
    expect(dialog.scrollTop).to.equal(0);
    expect(el.shadowRoot!.activeElement?.localName).to.equal('h2');
  });

  it('says why a picked folder gave nothing (browsers do not follow symbolic links)', async () => {
    el = mount(new MemoryStorage());
    await el.updateComplete;
    const folder = el.shadowRoot!.querySelector<HTMLInputElement>('input[data-pick="folder"]')!;
    folder.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(notices(el).some((n) => /Nothing was found in that folder\. Browsers do not follow symbolic links.*Open files…/.test(n.textContent!))).to.equal(true);
  });
});
