// <delineo-dicomweb-browser> against a real PACS: Debian's Orthanc with its DICOMweb plugin and basic auth,
// seeded with a phantom CT and started by the `delineo-orthanc-start` server command (scripts/wtr-orthanc.js).
// The page reaches it only through the test server's same-origin proxy at /dicomweb (scripts/dicomweb-proxy.js),
// as the cross-origin-isolated app must: the last test checks that no request left the page's origin.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { DicomWebClient, generatePhantom, loadDicomWebSeries, sameGrid, storeRtstruct, type DicomVolumeResult } from '../../src/index.ts';
import type { DelineoSeriesOpenDetail } from '../events/delineo-series-open.ts';
import { DelineoDicomwebBrowser, dicomWebErrorText, displayDate, qidoPattern } from './delineo-dicomweb-browser.ts';
import { seededOrthanc, until, type SeededOrthanc } from '../../test/helpers/orthanc-browser.ts';


const shadow = (el: DelineoDicomwebBrowser) => el.shadowRoot!;
const studyRows = (el: DelineoDicomwebBrowser) => [...shadow(el).querySelectorAll<HTMLElement>('[part~="studies"] [role="option"]')];
const seriesRows = (el: DelineoDicomwebBrowser) => [...shadow(el).querySelectorAll<HTMLElement>('[part~="series"] [role="option"]')];
const text = (el: Element, part: string) => el.querySelector(`[part~="${part}"]`)?.textContent?.trim() ?? '';
const statusText = (el: DelineoDicomwebBrowser) => [...shadow(el).querySelectorAll('[part~="status"], [part~="error"]')].map((x) => x.textContent!.replace(/\s+/g, ' ').trim()).join(' | ');
const openButton = (el: DelineoDicomwebBrowser) => shadow(el).querySelector<HTMLButtonElement>('[part~="open-button"]')!;

describe('<delineo-dicomweb-browser> with Orthanc behind the same-origin proxy', () => {
  let seeded: SeededOrthanc;
  let client: DicomWebClient;
  let el: DelineoDicomwebBrowser;
  let headerCalls = 0;

  before(async function () {
    this.timeout(120_000);
    // Room for every request of this file, from here on, so the same-origin check below sees them all.
    performance.setResourceTimingBufferSize(10_000);
    performance.clearResourceTimings();
    seeded = await seededOrthanc();
    client = new DicomWebClient({
      baseUrl: seeded.dicomWebRoot,
      headers: () => {
        headerCalls++;
        return { Authorization: seeded.authorization };
      },
    });
  });

  beforeEach(() => {
    el = document.createElement('delineo-dicomweb-browser');
    el.style.height = '480px';
    document.body.append(el);
  });
  afterEach(() => el.remove());

  it('lists the seeded study with its patient, finds it by name and ID, lists its CT series and opens it', async () => {
    expect(customElements.get('delineo-dicomweb-browser')).to.equal(DelineoDicomwebBrowser);
    el.client = client;
    await until(() => studyRows(el).some((r) => r.dataset.uid === seeded.studyInstanceUid), 'the seeded study is listed');
    const row = () => studyRows(el).find((r) => r.dataset.uid === seeded.studyInstanceUid)!;
    expect(text(row(), 'patient-name')).to.equal('Phantom, Delineo');
    expect(text(row(), 'patient-id')).to.equal(seeded.patientId);
    expect(text(row(), 'study-date')).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(text(row(), 'study-description')).to.equal(seeded.studyDescription);
    // CT, plus RTSTRUCT when another test file sharing this Orthanc has already stored a structure set.
    expect(text(row(), 'modalities').split(', ')[0]).to.equal('CT');
    expect(headerCalls).to.be.greaterThan(0);

    // A search that matches nothing says so; then part of the name as it is shown ("Family, Given"), typed and
    // submitted with Enter; then the ID with a wildcard. QIDO-RS matches the name case-insensitively.
    await el.search('NOBODY-AT-ALL');
    expect(studyRows(el)).to.have.length(0);
    expect(statusText(el)).to.contain('No studies match “NOBODY-AT-ALL”');
    const input = shadow(el).querySelector<HTMLInputElement>('[part~="search-input"]')!;
    input.select();
    input.focus();
    await sendKeys({ type: 'phantom, deli' });
    await sendKeys({ press: 'Enter' });
    await until(() => studyRows(el).length > 0, 'the name search answers');
    expect(el.query).to.equal('phantom, deli');
    expect(studyRows(el).map((r) => r.dataset.uid)).to.deep.equal([seeded.studyInstanceUid]);
    await el.search('NOBODY-AT-ALL');
    await el.search('delineo-phantom-?');
    expect(studyRows(el).map((r) => r.dataset.uid)).to.deep.equal([seeded.studyInstanceUid]);

    // Selecting the study lists its one CT series, selected at once because it is the only one.
    row().click();
    await until(() => seriesRows(el).length > 0, 'the series are listed');
    const [ct] = seriesRows(el);
    expect(ct.dataset.uid).to.equal(seeded.seriesInstanceUid);
    expect(text(ct, 'modality')).to.equal('CT');
    expect(text(ct, 'series-description')).to.equal(seeded.seriesDescription);
    expect(text(ct, 'instances')).to.equal(`${seeded.instances} instances`);
    expect(text(ct, 'kind')).to.equal('CT images');
    expect(ct.getAttribute('aria-selected')).to.equal('true');
    expect(row().getAttribute('aria-selected')).to.equal('true');

    const opened: DelineoSeriesOpenDetail[] = [];
    const onOpen = (e: Event) => opened.push((e as CustomEvent<DelineoSeriesOpenDetail>).detail);
    document.addEventListener('delineo-series-open', onOpen);
    try {
      expect(openButton(el).disabled).to.equal(false);
      openButton(el).click();
      const expected: DelineoSeriesOpenDetail = { studyInstanceUid: seeded.studyInstanceUid, seriesInstanceUid: seeded.seriesInstanceUid, modality: 'CT', description: seeded.seriesDescription };
      expect(opened).to.deep.equal([expected]);

      // The same with the keyboard: Enter on the study moves to its series, Enter there opens.
      row().focus();
      await sendKeys({ press: 'Enter' });
      await until(() => shadow(el).activeElement === seriesRows(el)[0], 'focus moves to the series');
      await sendKeys({ press: 'Enter' });
      expect(opened).to.deep.equal([expected, expected]);
      await sendKeys({ press: 'ArrowLeft' });
      await el.updateComplete;
      expect(shadow(el).activeElement).to.equal(row());
    } finally {
      document.removeEventListener('delineo-series-open', onOpen);
    }
  });

  it('loads the series over WADO-RS onto the seeded grid, stores an RTSTRUCT, and then lists it as such', async function () {
    this.timeout(120_000);
    const result = await loadDicomWebSeries(client, { studyInstanceUid: seeded.studyInstanceUid, seriesInstanceUid: seeded.seriesInstanceUid });
    expect(result.kind).to.equal('volume');
    const { volume, warnings } = result as DicomVolumeResult;
    expect(warnings.filter((w) => w.code === 'missing-slices')).to.deep.equal([]);
    expect([...volume.dimensions]).to.deep.equal(seeded.phantom.dimensions);
    for (const i of [0, 1, 2]) expect(volume.spacing[i]).to.be.closeTo(seeded.phantom.spacing[i], 1e-6);
    expect(volume.identity.studyInstanceUid).to.equal(seeded.studyInstanceUid);
    // The same phantom generated here: same grid, same HU, voxel for voxel.
    const phantom = generatePhantom(seeded.phantom);
    expect(sameGrid(volume, phantom.volume, 1e-3)).to.equal(true);
    expect(volume.data.length).to.equal(phantom.volume.data.length);
    let differing = 0;
    for (let i = 0; i < volume.data.length; i++) if (volume.data[i] !== phantom.volume.data[i]) differing++;
    expect(differing).to.equal(0);

    const { written, stored } = await storeRtstruct(client, volume, phantom.structures, { label: 'Phantom' });
    expect(stored.stored).to.deep.equal([written.sopInstanceUid]);
    const series = await client.searchSeries(seeded.studyInstanceUid);
    const rt = series.filter((s) => s.modality === 'RTSTRUCT');
    // (Other test files share this Orthanc and may have stored structure sets in the study too.)
    expect(rt.map((s) => s.seriesInstanceUid)).to.include(written.seriesInstanceUid);

    // The browser shows it as a structure set, which cannot be opened as an image series.
    el.client = client;
    await until(() => studyRows(el).length > 0, 'the studies are listed');
    await el.selectStudy(seeded.studyInstanceUid);
    const rows = seriesRows(el);
    expect([...new Set(rows.map((r) => r.dataset.modality))].sort()).to.deep.equal(['CT', 'RTSTRUCT']);
    const rtRow = rows.find((r) => r.dataset.uid === written.seriesInstanceUid)!;
    expect(text(rtRow, 'kind')).to.equal('RT Structure Set');
    expect(text(rtRow, 'instances')).to.equal('1 instance');
    expect(rtRow.getAttribute('aria-disabled')).to.equal('true');
    expect(rtRow.part.contains('unavailable')).to.equal(true);
    rtRow.click();
    await el.updateComplete;
    expect(rtRow.getAttribute('aria-selected')).to.equal('false');
    expect(el.selectedSeries?.modality).to.equal('CT');
    expect(text(studyRows(el).find((r) => r.dataset.uid === seeded.studyInstanceUid)!, 'modalities').split(', ').sort()).to.deep.equal(['CT', 'RTSTRUCT']);
  });

  it('says that the server refused the credentials for a wrong password, and recovers with the right one', async () => {
    el.client = new DicomWebClient({ baseUrl: seeded.dicomWebRoot, headers: () => ({ Authorization: `Basic ${btoa(`${seeded.username}:not-the-password`)}` }) });
    await until(() => !!shadow(el).querySelector('[part~="error"]'), 'the error is shown');
    const error = shadow(el).querySelector('[part~="error"]')!;
    expect(error.getAttribute('role')).to.equal('alert');
    expect(error.textContent).to.match(/the server refused the credentials/i);
    expect(studyRows(el)).to.have.length(0);
    expect(shadow(el).querySelector('[part~="retry-button"]')).to.not.equal(null);
    el.client = client;
    await until(() => studyRows(el).some((r) => r.dataset.uid === seeded.studyInstanceUid), 'the study is listed');
    expect(shadow(el).querySelector('[part~="error"]')).to.equal(null);
  });

  it('says when the server cannot be reached, and retries on request', async () => {
    let reachable = false;
    el.client = new DicomWebClient({
      baseUrl: seeded.dicomWebRoot,
      headers: () => ({ Authorization: seeded.authorization }),
      // What fetch does when the network or the proxy is down.
      fetch: (input, init) => (reachable ? fetch(input, init) : Promise.reject(new TypeError('Failed to fetch'))),
    });
    await until(() => !!shadow(el).querySelector('[part~="error"]'), 'the error is shown');
    expect(statusText(el)).to.contain('could not be reached');
    reachable = true;
    shadow(el).querySelector<HTMLButtonElement>('[part~="retry-button"]')!.click();
    await until(() => studyRows(el).length > 0, 'the retry lists the studies');
  });

  it('cancels the query in flight when a new search starts and when the element is removed', async () => {
    const signals: AbortSignal[] = [];
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        const signal = init!.signal!;
        signals.push(signal);
        signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    el.client = new DicomWebClient({ baseUrl: seeded.dicomWebRoot, fetch: hanging });
    await until(() => signals.length === 1, 'the first search is in flight');
    expect(statusText(el)).to.contain('Searching');
    void el.search('first');
    await until(() => signals.length === 3, 'the name and ID queries are in flight');
    expect(signals[0].aborted).to.equal(true);
    void el.search('second');
    await until(() => signals.length === 5, 'the new queries are in flight');
    expect(signals.slice(0, 3).map((s) => s.aborted)).to.deep.equal([true, true, true]);
    expect(signals.slice(3).map((s) => s.aborted)).to.deep.equal([false, false]);
    el.remove();
    expect(signals.map((s) => s.aborted)).to.deep.equal([true, true, true, true, true]);
    // Back in the document, it searches again.
    document.body.append(el);
    await until(() => signals.length === 7, 'the search runs again after reconnection');
    expect(el.query).to.equal('second');
  });

  it('turns what the user types into QIDO wildcards and dates into ISO dates', () => {
    expect(qidoPattern('smith')).to.equal('*smith*');
    expect(qidoPattern('Smith, John')).to.equal('*Smith^John*');
    expect(qidoPattern('LUNG1-0??')).to.equal('LUNG1-0??');
    expect(displayDate('20240131')).to.equal('2024-01-31');
    expect(displayDate('')).to.equal('');
    expect(dicomWebErrorText(new Error('boom'))).to.contain('boom');
  });

  it('sent every request to the page’s own origin', () => {
    const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const dicomweb = entries.filter((e) => new URL(e.name).pathname.startsWith('/dicomweb/'));
    // QIDO searches, the WADO-RS retrieval and the STOW-RS store above all went through the proxy.
    expect(dicomweb.length).to.be.greaterThan(10);
    expect(dicomweb.some((e) => /\/series\/[\d.]+$/.test(new URL(e.name).pathname))).to.equal(true, 'the WADO-RS retrieval');
    expect(entries.filter((e) => new URL(e.name).origin !== location.origin).map((e) => e.name)).to.deep.equal([]);
  });
});
