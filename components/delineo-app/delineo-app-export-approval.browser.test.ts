// Exporting structures nobody approved asks first, as a user meets it (Ctrl+S and the keyboard): the question names
// how many and which; Escape cancels and nothing is written (no export job, no file, no event); Enter exports them,
// and the RT Structure Set says UNAPPROVED (dciodvfy-clean); with every structure approved nothing is asked and it
// says APPROVED. The STOW-RS path asks the same (delineo-app-pacs.browser.test.ts).
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import { generatePhantom, parseRtstruct, ViewerSession } from '../../src/index.ts';
import { chord, nextEvent } from '../../test/helpers/viewer.ts';
import type { DelineoExportEvent } from '../events/delineo-export.ts';
import type { DelineoJobProgressDetail } from '../events/delineo-job-progress.ts';
import './delineo-app.ts';
import type { DelineoApp } from './delineo-app.ts';

const part = (el: DelineoApp, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function until(check: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The exported file, checked by dciodvfy, as its parsed Approval module status. */
async function approvalOf(ex: DelineoExportEvent): Promise<string> {
  const bytes = new Uint8Array(await ex.detail.file.arrayBuffer());
  const report = (await executeServerCommand('delineo-dciodvfy', { base64: toBase64(bytes), name: ex.detail.fileName })) as { errors: string[] };
  expect(report.errors, report.errors.join('\n')).to.deep.equal([]);
  return parseRtstruct(bytes, ex.detail.fileName).approval.status;
}

describe('<delineo-app>: exporting structures that are not approved', function () {
  this.timeout(120_000);
  let el: DelineoApp;
  const jobs: DelineoJobProgressDetail[] = [];
  let exports = 0;
  let unapprovedFile: File | null = null;

  before(async () => {
    el = document.createElement('delineo-app');
    el.style.cssText = 'position: fixed; left: 0; top: 0; width: 1000px; height: 600px;';
    el.autosaveStorage = null;
    el.demo = 'none';
    el.modelPreload = 'none';
    el.append(Object.assign(document.createElement('div'), { slot: '3d' }));
    const ph = generatePhantom({ dimensions: [96, 96, 32], spacing: [5.2, 5.2, 8.8] });
    el.session = ViewerSession.withStructures(ph.volume, ph.structures.filter((s) => ['GTV', 'Heart', 'SpinalCord', 'Esophagus'].includes(s.name)));
    el.addEventListener('delineo-job-progress', (e) => jobs.push(e.detail));
    el.addEventListener('delineo-export', () => exports++);
    document.body.append(el);
    await el.updateComplete;
  });

  after(() => el.remove());

  it('asks, naming them; Escape cancels and nothing is written', async () => {
    el.focus();
    await chord(['Control'], 's');
    await until(() => !!part(el, 'confirm'), 'the question');
    const dialog = part(el, 'confirm') as HTMLDialogElement;
    expect(dialog.open).to.equal(true);
    expect(text(dialog.querySelector('.confirm-text'))).to.equal('4 of the 4 structures to export are not approved: export anyway?');
    const names = el.session!.store.state.structures.map((s) => s.name);
    expect(names).to.have.members(['GTV', 'Heart', 'SpinalCord', 'Esophagus']);
    expect(text(dialog)).to.contain(`Not approved: ${names.join(', ')}.`).and.contain('UNAPPROVED');
    expect(el.shadowRoot!.activeElement, 'Enter answers the export button').to.equal(part(el, 'confirm-ok'));
    expect(text(part(el, 'confirm-ok'))).to.equal('Export as UNAPPROVED');
    await sendKeys({ press: 'Escape' });
    await until(() => !part(el, 'confirm'), 'the question to close');
    await el.updateComplete;
    expect(jobs.filter((j) => j.operation === 'export'), 'no export job ran').to.deep.equal([]);
    expect(exports, 'no file was written').to.equal(0);
    expect(text(part(el, 'message'))).to.equal('Export cancelled: nothing was written');
  });

  it('exports as UNAPPROVED when confirmed with Enter, naming only those not approved', async () => {
    const store = el.session!.store;
    for (const name of ['GTV', 'Heart']) store.approve(store.state.structures.find((s) => s.name === name)!.id);
    const exported = nextEvent(el, 'delineo-export');
    const result = el.exportRtstruct();
    await until(() => !!part(el, 'confirm'), 'the question');
    expect(text(part(el, 'confirm')!.querySelector('.confirm-text'))).to.equal('2 of the 4 structures to export are not approved: export anyway?');
    const unapproved = store.state.structures.filter((s) => !s.approved).map((s) => s.name);
    expect(unapproved).to.have.members(['SpinalCord', 'Esophagus']);
    expect(text(part(el, 'confirm'))).to.contain(`Not approved: ${unapproved.join(', ')}.`);
    await sendKeys({ press: 'Enter' });
    const ex = (await exported) as DelineoExportEvent;
    expect(await result).to.not.equal(null);
    expect(ex.detail.unapprovedNames).to.deep.equal(unapproved);
    expect(await approvalOf(ex)).to.equal('UNAPPROVED');
    unapprovedFile = new File([ex.detail.file], ex.detail.fileName);
  });

  it('asks nothing when every structure is approved, and the file says APPROVED', async () => {
    const store = el.session!.store;
    for (const s of store.state.structures) if (!s.approved) store.approve(s.id);
    const exported = nextEvent(el, 'delineo-export');
    const result = el.exportRtstruct();
    const ex = (await exported) as DelineoExportEvent;
    await result;
    expect(part(el, 'confirm')).to.equal(null);
    expect(ex.detail.unapprovedNames).to.deep.equal([]);
    expect(await approvalOf(ex)).to.equal('APPROVED');
  });

  it('the file exported as UNAPPROVED, opened onto the same CT, adds its structures beside the originals, not approved', async () => {
    const store = el.session!.store;
    const names = store.state.structures.map((s) => s.name);
    await el.openFiles([unapprovedFile!]);
    await el.updateComplete;
    const added = store.state.structures.slice(names.length);
    expect(added.map((s) => s.name)).to.deep.equal(names.map((n) => `${n}_2`));
    expect(added.every((s) => !s.approved), 'an UNAPPROVED file gives structures to review').to.equal(true);
    for (const [n, s] of added.entries()) expect(store.mask(s.id).count(), s.name).to.be.greaterThan(0.98 * store.mask(store.state.structures[n]!.id).count());
    const notice = [...el.shadowRoot!.querySelectorAll('[part~="notice"]')].at(-1)!;
    expect(text(notice.querySelector('.notice-text'))).to.equal(`Added to ${text(part(el, 'subtitle'))}: 4 structures from ${unapprovedFile!.name} (names taken, renamed: ${names.map((n) => `${n} → ${n}_2`).join(', ')})`);
  });
});
