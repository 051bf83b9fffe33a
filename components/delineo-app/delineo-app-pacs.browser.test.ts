// <delineo-app>'s clinical flow against a real PACS: Debian's Orthanc with its DICOMweb plugin and basic auth,
// seeded with a phantom CT and started by the `delineo-orthanc-start` server command (scripts/wtr-orthanc.js),
// reached only through the test server's same-origin proxy at /dicomweb (scripts/dicomweb-proxy.js).
// Driven as a user drives it: Open from PACS → pick the study and its CT series in the dialog → Open →
// auto-contour (rules) → Send to PACS before approving (asked first: Cancel stores nothing; confirmed, the stored
// file says UNAPPROVED) → approve every structure → Send to PACS (STOW-RS); then the test itself finds the new
// RTSTRUCT series in the study over QIDO-RS, retrieves it over WADO-RS and imports it back onto the CT.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { DicomWebClient, dice, importRtstruct, parseRtstruct } from '../../src/index.ts';
import type { DelineoDicomwebBrowser } from '../delineo-dicomweb-browser/delineo-dicomweb-browser.ts';
import type { DelineoAutoContourEvent } from '../events/delineo-auto-contour.ts';
import type { DelineoExportEvent } from '../events/delineo-export.ts';
import type { DelineoVolumeLoadEvent } from '../events/delineo-volume-load.ts';
import './delineo-app.ts';
import type { DelineoApp } from './delineo-app.ts';
import { seededOrthanc, until } from '../../test/helpers/orthanc-browser.ts';
import { nextEvent as next, partOf as part } from '../../test/helpers/viewer.ts';

const studyRows = (el: DelineoDicomwebBrowser) => [
  ...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="studies"] [role="option"]'),
];
const seriesRows = (el: DelineoDicomwebBrowser) => [
  ...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="series"] [role="option"]'),
];

describe('<delineo-app> with Orthanc behind the same-origin proxy', function () {
  this.timeout(300_000);
  let el: DelineoApp | null = null;
  afterEach(() => {
    el?.remove();
    el = null;
  });

  it('opens the seeded CT from PACS, auto-contours, approves, sends the RTSTRUCT with STOW-RS, and the server has it', async function () {
    this.timeout(300_000);
    // Room for every request of this test, from here on, so the same-origin check at the end sees them all.
    performance.setResourceTimingBufferSize(10_000);
    performance.clearResourceTimings();
    const seeded = await seededOrthanc();
    const client = new DicomWebClient({
      baseUrl: seeded.dicomWebRoot,
      headers: () => ({ Authorization: seeded.authorization }),
    });

    // The app, with no demo case and no autosave, on the DICOMweb server (and without the 3D view).
    el = document.createElement('delineo-app');
    el.style.cssText = 'position: fixed; left: 0; top: 0; width: 1000px; height: 600px;';
    el.demo = 'none';
    el.autosaveStorage = null;
    el.dicomWebClient = new DicomWebClient({
      baseUrl: seeded.dicomWebRoot,
      headers: () => ({ Authorization: seeded.authorization }),
    });
    el.append(Object.assign(document.createElement('div'), { slot: '3d' }));
    document.body.append(el);
    await el.updateComplete;
    const app = el;
    expect(app.session).to.equal(null);

    // Open from PACS: the dialog lists the seeded study; select it, then its CT series, then Open.
    const dialog = part<HTMLDialogElement>(app, 'pacs-dialog');
    expect(dialog.open).to.equal(false);
    part<HTMLButtonElement>(app, 'pacs-button').click();
    expect(dialog.open, 'the PACS dialog is open').to.equal(true);
    const browser = dialog.querySelector<DelineoDicomwebBrowser>('delineo-dicomweb-browser')!;
    expect(browser).to.not.equal(null);
    await until(
      () => studyRows(browser).some((r) => r.dataset.uid === seeded.studyInstanceUid),
      'the seeded study is listed',
    );
    studyRows(browser)
      .find((r) => r.dataset.uid === seeded.studyInstanceUid)!
      .click();
    await until(
      () => seriesRows(browser).some((r) => r.dataset.uid === seeded.seriesInstanceUid),
      'the CT series is listed',
    );
    const ctRow = seriesRows(browser).find((r) => r.dataset.uid === seeded.seriesInstanceUid)!;
    expect(ctRow.dataset.modality).to.equal('CT');
    if (ctRow.getAttribute('aria-selected') !== 'true') ctRow.click();
    await browser.updateComplete;
    expect(ctRow.getAttribute('aria-selected')).to.equal('true');
    const openButton = browser.shadowRoot!.querySelector<HTMLButtonElement>('[part~="open-button"]')!;
    expect(openButton.disabled).to.equal(false);
    const loaded = next(app, 'delineo-volume-load');
    openButton.click();
    expect(dialog.open, 'the dialog closes on Open').to.equal(false);
    const { detail: load } = (await loaded) as DelineoVolumeLoadEvent;
    await app.updateComplete;
    expect([...load.dimensions]).to.deep.equal([...seeded.phantom.dimensions]);
    expect(load.seriesInstanceUid).to.equal(seeded.seriesInstanceUid);
    const session = app.session!;
    expect(session, 'the series is shown').to.not.equal(null);
    const volume = session.volume;
    expect([...volume.dimensions]).to.deep.equal([...seeded.phantom.dimensions]);
    for (const i of [0, 1, 2]) expect(volume.spacing[i]).to.be.closeTo(seeded.phantom.spacing[i], 1e-6);
    expect(volume.identity.studyInstanceUid).to.equal(seeded.studyInstanceUid);
    expect(volume.identity.seriesInstanceUid).to.equal(seeded.seriesInstanceUid);
    const store = session.store;
    expect(store.state.structures).to.have.length(0);

    // Auto-contour with the rule-based model, picked in the menu and run with the button.
    const select = part<HTMLSelectElement>(app, 'model-select');
    select.value = 'ct-external-lungs-bones';
    select.dispatchEvent(new Event('change'));
    await app.updateComplete;
    const runButton = part<HTMLButtonElement>(app, 'run-button');
    // (The open job ends just after the volume is announced.)
    await until(() => !runButton.disabled, 'Auto-contour is enabled once the open job has ended');
    const contoured = next(app, 'delineo-auto-contour');
    runButton.click();
    const { detail: auto } = (await contoured) as DelineoAutoContourEvent;
    await app.updateComplete;
    expect(auto.modelId).to.equal('ct-external-lungs-bones');
    const names = store.state.structures.map((s) => s.name);
    expect(names, 'the rules found the body, both lungs and bone').to.include.members([
      'External',
      'Lung_L',
      'Lung_R',
      'Bone',
    ]);
    expect(auto.structureIds).to.have.length(names.length);

    // Send before anything is approved: the app asks first, naming them; Cancel sends nothing.
    const sendButton = part<HTMLButtonElement>(app, 'send-button');
    // (The auto-contouring job ends just after its event: the button is enabled again once it has.)
    await until(() => !sendButton.disabled, 'Send to PACS is enabled once the auto-contouring job has ended');
    const confirm = () => app.shadowRoot!.querySelector<HTMLDialogElement>('[part="confirm"]');
    sendButton.click();
    await until(() => !!confirm(), 'the question before sending unapproved structures');
    expect(confirm()!.querySelector('.confirm-text')!.textContent).to.equal(`${names.length} of the ${names.length} structures to send are not approved: send anyway?`);
    expect(confirm()!.textContent).to.contain(`Not approved: ${names.join(', ')}.`);
    expect(part(app, 'confirm-ok').textContent!.trim()).to.equal('Send as UNAPPROVED');
    part<HTMLButtonElement>(app, 'confirm-cancel').click();
    await until(() => !confirm(), 'the question to close');
    expect(
      (await client.searchSeries(seeded.studyInstanceUid)).filter((s) => s.modality === 'RTSTRUCT'),
      'nothing was stored',
    ).to.deep.equal([]);

    // Confirmed with one structure still unapproved: stored, saying UNAPPROVED.
    for (const { id } of store.state.structures.slice(1)) app.toggleApproval(id);
    const unapprovedSent = next(app, 'delineo-export');
    sendButton.click();
    await until(() => !!confirm(), 'the question');
    expect(confirm()!.textContent).to.contain(`Not approved: ${names[0]}.`);
    part<HTMLButtonElement>(app, 'confirm-ok').click();
    const { detail: first } = (await unapprovedSent) as DelineoExportEvent;
    expect(first.unapprovedNames).to.deep.equal([names[0]]);
    const stored = await client.retrieveInstance(seeded.studyInstanceUid, first.seriesInstanceUid, first.sopInstanceUid);
    expect(parseRtstruct(stored.data, stored.name).approval.status).to.equal('UNAPPROVED');

    // Approve every structure.
    app.toggleApproval(store.state.structures[0]!.id);
    expect(
      store.state.structures.every((s) => s.approved),
      'all approved',
    ).to.equal(true);
    await app.updateComplete;

    // Send to PACS: STOW-RS into the CT's study.
    await until(() => !sendButton.disabled, 'Send to PACS is enabled once the previous send has ended');
    const exported = next(app, 'delineo-export');
    sendButton.click();
    const { detail: ex } = (await exported) as DelineoExportEvent;
    expect(ex.destination).to.equal('dicomweb');
    expect(ex.structureNames).to.deep.equal(names);
    expect(ex.unapprovedNames).to.deep.equal([]);
    expect(ex.sopInstanceUid).to.match(/^[\d.]+$/);

    // The server has it: QIDO-RS lists an RTSTRUCT series (the one just stored) in the study.
    const series = await client.searchSeries(seeded.studyInstanceUid);
    const rt = series.filter((s) => s.modality === 'RTSTRUCT');
    expect(
      rt.map((s) => s.seriesInstanceUid),
      'the stored RTSTRUCT series',
    ).to.include(ex.seriesInstanceUid);
    expect(series.find((s) => s.seriesInstanceUid === seeded.seriesInstanceUid)?.modality).to.equal('CT');

    // WADO-RS gives it back, and it imports onto the CT with the same structures and masks.
    const instance = await client.retrieveInstance(
      seeded.studyInstanceUid,
      ex.seriesInstanceUid,
      ex.sopInstanceUid,
    );
    const back = importRtstruct(instance.data, volume, { file: instance.name });
    expect(back.structures.map((s) => s.name)).to.deep.equal(names);
    const mine = store.structures();
    for (const s of back.structures) {
      const own = mine.find((x) => x.name === s.name)!;
      expect(dice(s.mask.toDense(), own.mask.toDense()), s.name).to.be.greaterThan(0.999);
    }

    // Every request of the page (the app's QIDO, WADO and STOW included) went to its own origin.
    const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const dicomweb = entries.filter((e) => new URL(e.name).pathname.startsWith('/dicomweb/'));
    expect(
      dicomweb.some((e) => /\/series\/[\d.]+$/.test(new URL(e.name).pathname)),
      'the WADO-RS retrieval went through the proxy',
    ).to.equal(true);
    expect(
      entries.filter((e) => new URL(e.name).origin !== location.origin).map((e) => e.name),
    ).to.deep.equal([]);
  });
});
