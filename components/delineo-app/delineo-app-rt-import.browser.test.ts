// RT objects and dose images opened while a CT is shown are added to it, as a user opens them (the app's own file
// opening, real files from ../shared/data served under /raw/test-data): a structure set or dose of another patient is
// refused with a notice naming the file and both Frames of Reference, and the case is left exactly as it was; a
// plan's summary appears in the dose section; a NIfTI dose (OpenKBP) becomes the dose shown, with the warning that
// its frame cannot be verified, and an image that is not a dose in Gy is refused. Opened together with its CT, a
// structure set of another patient is named as not loaded too.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import type { DelineoErrorDetail } from '../events/delineo-error.ts';
import './delineo-app.ts';
import type { DelineoApp } from './delineo-app.ts';

const DATA = '/raw/test-data';
const CT_SMALL_FRAME = '1.3.6.1.4.1.5962.1.4.1.1.20040119072730.12322';
const RTSTRUCT_FRAME = '1.2.826.0.1.3680043.8.498.2010020400001.2';
const RTDOSE_FRAME = '2.22.222.2.222222.2.2222222222222222222222222222.2';

async function file(path: string, name = path.split('/').pop()!): Promise<File> {
  const response = await fetch(`${DATA}/${path}`);
  expect(response.ok, path).to.equal(true);
  return new File([await response.arrayBuffer()], name);
}

function mount(): DelineoApp {
  const el = document.createElement('delineo-app');
  el.demo = 'none';
  el.autosaveStorage = null;
  el.modelPreload = 'none';
  el.style.cssText = 'position: fixed; left: 0; top: 0; width: 1200px; height: 800px;';
  el.append(Object.assign(document.createElement('div'), { slot: '3d' }));
  document.body.append(el);
  return el;
}

const part = (el: DelineoApp, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const notices = (el: DelineoApp) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="notice"]')];
const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** Draws a structure as a clinician would: a new structure and a committed edit. */
function draw(el: DelineoApp, name: string): string {
  const store = el.session!.store;
  const id = store.add({ name });
  store.editMask(id, 'Brush', (m) => {
    for (let j = 40; j < 60; j++) for (let i = 40; i < 60; i++) m.set(i, j, 0, true);
  });
  return id;
}

/** What a case holds that an import must not change: each structure's name, voxels and approval. */
const snapshot = (el: DelineoApp) => JSON.stringify(el.session!.store.state.structures.map((s) => [s.id, s.name, s.approved, el.session!.store.mask(s.id).count()]));

describe('<delineo-app>: RT objects added to the open CT', function () {
  this.timeout(180_000);
  let el: DelineoApp | null = null;
  afterEach(() => {
    el?.remove();
    el = null;
  });

  it('refuses a structure set and a dose of another patient, naming the files and both frames, and leaves the case as it was', async () => {
    el = mount();
    await el.openFiles([await file('pydicom-rt/CT_small.dcm')]);
    const session = el.session!;
    expect(session.volume.identity.frameOfReferenceUid).to.equal(CT_SMALL_FRAME);
    draw(el, 'GTV');
    const before = snapshot(el);
    const errors: DelineoErrorDetail[] = [];
    el.addEventListener('delineo-error', (e) => errors.push(e.detail));

    await el.openFiles([await file('pydicom-rt/rtstruct.dcm'), await file('pydicom-rt/rtdose.dcm')]);
    await el.updateComplete;
    expect(el.session, 'the CT stays open').to.equal(session);
    expect(snapshot(el), 'the structures are untouched').to.equal(before);
    expect(session.undo(), 'nothing was added to the undo history').to.equal('Brush');
    session.redo();
    expect(part(el, 'dose'), 'no dose section').to.equal(null);
    expect(session.dose).to.equal(null);
    const refusal = notices(el).find((n) => n.getAttribute('part')!.includes('notice-error'))!;
    expect(text(refusal.querySelector('.notice-text'))).to.equal('2 files were not loaded');
    const details = [...refusal.querySelectorAll('li')].map(text);
    expect(details[0]).to.match(new RegExp(`^rtstruct\\.dcm: the structure set is in Frame of Reference ${RTSTRUCT_FRAME.replace(/\./g, '\\.')} but the CT is in ${CT_SMALL_FRAME.replace(/\./g, '\\.')}`));
    expect(details[1]).to.match(new RegExp(`^rtdose\\.dcm: the dose is on Frame of Reference ${RTDOSE_FRAME.replace(/\./g, '\\.')}, the CT on ${CT_SMALL_FRAME.replace(/\./g, '\\.')}`));
    expect(errors.map((e) => [e.operation, e.code, e.file])).to.deep.equal([
      ['open', 'frame-of-reference-mismatch', 'rtstruct.dcm'],
      ['open', 'frame-of-reference', 'rtdose.dcm'],
    ]);

    // One file alone: the notice is the refusal itself.
    await el.openFiles([await file('pydicom-rt/rtstruct.dcm')]);
    await el.updateComplete;
    const last = notices(el).at(-1)!;
    expect(last.getAttribute('part')).to.contain('notice-error');
    expect(text(last.querySelector('.notice-text'))).to.contain(`Not loaded: rtstruct.dcm: the structure set is in Frame of Reference ${RTSTRUCT_FRAME} but the CT is in ${CT_SMALL_FRAME}`);
    expect(snapshot(el)).to.equal(before);
  });

  it('adds an RT Plan to the open CT: its label, prescription, fractions and beams in the dose section', async () => {
    el = mount();
    await el.openFiles([await file('pydicom-rt/CT_small.dcm')]);
    await el.openFiles([await file('pydicom-rt/rtplan.dcm')]);
    await el.updateComplete;
    const summary = part(el, 'plan-summary')!;
    expect(summary, 'the plan summary').to.not.equal(null);
    expect(text(summary.querySelector('h3'))).to.equal('Plan Plan1 rtplan.dcm');
    expect(text(summary.querySelector('.plan-prescription'))).to.equal('30.83 Gy in 30 fractions (1.03 Gy per fraction)');
    const rows = [...summary.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].map(text));
    expect(rows).to.deep.equal([['Field 1', 'PHOTON · STATIC', '0°', '116.0']]);
    expect(text(part(el, 'dose')!.querySelector('.no-dose'))).to.match(/No dose loaded/);
    const added = notices(el).at(-1)!;
    expect(text(added.querySelector('.notice-text'))).to.match(/^Added to .*: the plan Plan1$/);
    expect(text(added)).to.contain('rtplan.dcm: the plan states no Frame of Reference');
  });

  it('opened together with its CT, a structure set of another patient is named as not loaded, with both frames', async () => {
    el = mount();
    await el.openFiles([await file('pydicom-rt/CT_small.dcm'), await file('pydicom-rt/rtstruct.dcm')]);
    await el.updateComplete;
    expect(el.session!.store.state.structures).to.have.length(0);
    const refusal = notices(el).find((n) => n.getAttribute('part')!.includes('notice-error'))!;
    expect(text(refusal.querySelector('.notice-text'))).to.equal(`Not loaded: rtstruct.dcm: it is on another Frame of Reference (${RTSTRUCT_FRAME}), not this CT's (${CT_SMALL_FRAME})`);
  });

  it('adds a NIfTI dose in Gy (OpenKBP) to its CT, warning that its frame cannot be verified; refuses an image that is not a dose', async () => {
    el = mount();
    await el.openFiles([await file('openkbp/validation/pt_201/ct.nii.gz')]);
    const session = el.session!;
    expect([...session.volume.dimensions]).to.deep.equal([128, 128, 128]);
    await el.openFiles([await file('openkbp/validation/pt_201/dose.nii.gz')]);
    await el.updateComplete;
    expect(el.session).to.equal(session);
    expect(session.dose, 'the dose is shown on the CT').to.not.equal(null);
    // nibabel: the maximum of pt_201's dose.nii.gz is 72.2979965209961 Gy.
    let max = 0;
    for (const v of session.dose!.volume.data) max = Math.max(max, v);
    expect(max).to.be.closeTo(72.298, 1e-3);
    const added = notices(el).at(-1)!;
    expect(text(added.querySelector('.notice-text'))).to.match(/^Added to .*: the dose dose\.nii\.gz \(image, Gy\) · max 72\.3 Gy$/);
    expect(text(added)).to.contain('dose.nii.gz has no Frame of Reference (an image file states none): the dose is placed by its coordinates, and that it belongs to this CT could not be verified');
    const panel = part(el, 'dvh-panel')!;
    expect(text(panel.shadowRoot!.querySelector('.dose-label'))).to.equal('dose.nii.gz (image, Gy) · max 72.3 Gy');
    expect(text(part(el, 'isodose-levels'))).to.equal('95, 80, 50, 30 % of the maximum');

    // The CT itself, named as a dose: refused, and the dose shown stays.
    const shown = session.dose!.volume;
    await el.openFiles([await file('openkbp/validation/pt_201/ct.nii.gz', 'ct-dose.nii.gz')]);
    await el.updateComplete;
    expect(el.session).to.equal(session);
    expect(session.dose!.volume).to.equal(shown);
    expect(part(el, 'dose-select'), 'no second dose offered').to.equal(null);
    expect(text(notices(el).at(-1)!.querySelector('.notice-text'))).to.equal('Not loaded: ct-dose.nii.gz: its values go down to -1024: a dose in Gy is never negative (is it an image rather than a dose?)');
  });
});
