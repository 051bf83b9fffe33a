// "Auto-contour on server" end to end, nothing faked: the seeded Orthanc (scripts/wtr-orthanc.js, reached by the
// app through the same-origin proxy) and the auto-contouring service on loopback — redis-server, `delineo worker`
// and `delineo api` as separate processes (scripts/wtr-contour-service.js), the API on another origin with CORS
// for this page only and a bearer token. The app opens the CT from the PACS, the service is asked to contour it
// (a request without the token is refused first: a notice with the server's reason, nothing drawn lost), the
// progress row shows the server's stages, and the structure set the worker stored into the PACS comes back
// onto the CT as AUTO structures to review.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import { ContourServiceClient, DicomWebClient, structureStatus } from '../../src/index.ts';
import type { DelineoAutoContourEvent } from '../events/delineo-auto-contour.ts';
import type { DelineoJobProgressDetail } from '../events/delineo-job-progress.ts';
import './delineo-app.ts';
import type { DelineoApp } from './delineo-app.ts';
import { seededOrthanc, until } from '../../test/helpers/orthanc-browser.ts';
import { nextEvent as next, partOf as part } from '../../test/helpers/viewer.ts';

interface ContourService {
  readonly apiUrl: string;
  readonly token: string;
  readonly model: string;
}

async function contourService(authorization: string): Promise<ContourService> {
  for (;;) {
    const r = await executeServerCommand<ContourService | { pending: true }, { authorization: string; origin: string }>('delineo-contour-service-start', { authorization, origin: location.origin });
    if (!('pending' in r)) return r;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const noticeTexts = (app: DelineoApp) => [...app.shadowRoot!.querySelectorAll('[part~="notice"] .notice-text')].map((n) => n.textContent ?? '');

describe('<delineo-app> Auto-contour on server', function () {
  this.timeout(300_000);
  let el: DelineoApp | null = null;
  afterEach(() => {
    el?.remove();
    el = null;
  });

  it('sends the PACS CT to the service, shows its progress, and adds the stored structures as AUTO', async function () {
    this.timeout(300_000);
    const seeded = await seededOrthanc();
    const service = await contourService(seeded.authorization);
    expect(new URL(service.apiUrl).origin, 'the API is another origin than the page').to.not.equal(location.origin);

    el = document.createElement('delineo-app');
    el.style.cssText = 'position: fixed; left: 0; top: 0; width: 1000px; height: 600px;';
    el.demo = 'none';
    el.autosaveStorage = null;
    el.modelPreload = 'none';
    el.dicomWebClient = new DicomWebClient({ baseUrl: seeded.dicomWebRoot, headers: () => ({ Authorization: seeded.authorization }) });
    // First the attribute alone, as a portal without a token would configure it.
    el.setAttribute('contour-service', service.apiUrl);
    el.append(Object.assign(document.createElement('div'), { slot: '3d' }));
    document.body.append(el);
    await el.updateComplete;
    const app = el;
    expect(part(app, 'server-run-button'), 'no server button before a CT from the PACS is open').to.equal(null);

    const loaded = next(app, 'delineo-volume-load');
    await app.openDicomWebSeries({ studyInstanceUid: seeded.studyInstanceUid, seriesInstanceUid: seeded.seriesInstanceUid });
    await loaded;
    await app.updateComplete;
    const session = app.session!;
    const store = session.store;
    const select = part<HTMLSelectElement>(app, 'model-select');
    select.value = service.model;
    select.dispatchEvent(new Event('change'));
    await app.updateComplete;
    const button = part<HTMLButtonElement>(app, 'server-run-button');
    expect(button, 'the server button is offered for the PACS CT').to.not.equal(null);
    expect(button.textContent).to.equal('Auto-contour on server');
    await until(() => !button.disabled, 'the button is enabled once the open job has ended');

    // Something drawn before the runs: it must survive a failure and the result.
    const gtv = app.newStructure('GTV_drawn')!;
    const before = store.state.structures.map((s) => s.id);
    const gtvName = store.state.structures.find((s) => s.id === gtv)!.name;

    // Without the token the service refuses: a notice with its reason, and the structures are as they were.
    const failed = next(app, 'delineo-error');
    button.click();
    const { detail: error } = await failed;
    expect(error.operation).to.equal('auto-contour');
    expect(error.message).to.match(/a valid bearer token is required/);
    await app.updateComplete;
    expect(noticeTexts(app).some((t) => /Auto-contouring failed: .*bearer token is required/.test(t)), noticeTexts(app).join(' | ')).to.equal(true);
    expect(store.state.structures.map((s) => s.id)).to.deep.equal(before);

    // With the token (a configured client, as a portal that holds one does); run from the keyboard.
    app.contourServiceClient = new ContourServiceClient({ baseUrl: service.apiUrl, headers: () => ({ Authorization: `Bearer ${service.token}` }) });
    await app.updateComplete;
    const progress: DelineoJobProgressDetail[] = [];
    const rows: string[] = [];
    const onProgress = (e: Event) => progress.push((e as CustomEvent<DelineoJobProgressDetail>).detail);
    app.addEventListener('delineo-job-progress', onProgress);
    const contoured = next(app, 'delineo-auto-contour', 240_000);
    const serverButton = part<HTMLButtonElement>(app, 'server-run-button');
    await until(() => !serverButton.disabled, 'the button is enabled again after the failure');
    serverButton.focus();
    expect(app.shadowRoot!.activeElement).to.equal(serverButton);
    await sendKeys({ press: 'Enter' });
    // The progress row shows the server's stages while the job runs.
    await until(() => {
      const row = part(app, 'progress');
      if (row) rows.push(row.textContent!.replace(/\s+/g, ' ').trim());
      return rows.some((r) => r.includes('Auto-contouring on server') && r.includes('server:'));
    }, 'the progress row shows the server job', 120_000);
    const { detail } = (await contoured) as DelineoAutoContourEvent;
    app.removeEventListener('delineo-job-progress', onProgress);
    await app.updateComplete;

    expect(detail.source).to.equal('server');
    expect(detail.modelId).to.equal(service.model);
    expect(detail.jobId).to.equal(`${seeded.seriesInstanceUid}~${detail.modelId}~${detail.modelVersion}`);
    const stages = progress.filter((p) => p.state === 'running').map((p) => p.stage);
    expect(stages[0]).to.equal('starting');
    expect(stages).to.include('server: submitting');
    // What the server reported after the submit: its queue, then the worker's own stages (which depend on its speed).
    expect(stages.filter((s) => s.startsWith('server: ') && s !== 'server: submitting').length, stages.join(', ')).to.be.greaterThan(0);
    expect(stages).to.include('retrieving the structure set from PACS');
    expect(progress.at(-1)!.state).to.equal('done');

    const added = detail.structureIds.map((id) => store.state.structures.find((s) => s.id === id)!);
    const names = added.map((s) => s.name);
    expect(names, 'the rules found the body, both lungs and bone on the phantom').to.include.members(['External', 'Lung_L', 'Lung_R']);
    for (const s of added) {
      expect(s.provenance, s.name).to.deep.include({ algorithm: 'AUTOMATIC', source: detail.modelId, version: detail.modelVersion });
      expect(structureStatus(s), s.name).to.equal('auto');
      expect(store.mask(s.id).isEmpty(), `${s.name} has voxels`).to.equal(false);
    }
    const external = added.find((s) => s.name === 'External')!;
    expect(store.mask(external.id).count() / session.volume.dimensions.reduce((a, b) => a * b), 'the body covers a good part of the phantom').to.be.greaterThan(0.2);
    expect(store.state.structures.some((s) => s.id === gtv && s.name === gtvName), 'the drawn structure is still there').to.equal(true);
    expect(part(app, 'message').textContent).to.match(/from .* on the server in/);
  });
});
