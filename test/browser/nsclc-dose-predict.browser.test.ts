// Predict dose in the app on the NSCLC study (LUNG1-001: CT, structure set, plan and dose, read from ../shared/data)
// with the tiny random-weight dose network of test/fixtures/models/tiny-dose (its doses mean nothing; what is tested
// is the app around it): PTV-1's name carries no dose, so the Dose section asks for its prescription and a run
// without one fails naming it; Cancel (button and Escape) leaves the case as it was; a prediction lands beside the
// plan's dose in the DVH panel (dashed curves, Predicted rows that are the prediction's own DVHs, constraints
// "likely"; screenshot baseline), and, chosen in the menu, is marked PREDICTED on the views and in the read-out;
// an edit of PTV-1 marks it stale and recomputes it once, 1.5 s after the last edit.
import '../helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../components/index.ts';
import type { DelineoApp, DelineoDosePredictedDetail, DelineoErrorDetail } from '../../components/index.ts';
import { CONSTRAINT_TEMPLATES, computeDvh, dvhMetrics, valueAtPoint } from '../../src/index.ts';
import { expectScreenshot } from '../helpers/screenshot.ts';

const DIR = '/raw/test-data/nsclc-lung1-001/dicom';
const TINY_DOSE = '/test/fixtures/models/tiny-dose/manifest.json';

async function until(check: () => boolean, what: string, timeoutMs = 120000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('Predict dose in <delineo-app> on the NSCLC study', function () {
  this.timeout(240000);
  let app: DelineoApp;
  const part = (name: string) => app.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
  const panel = () => app.shadowRoot!.querySelector('delineo-dvh-panel')!;
  const ptvId = () => app.session!.store.state.structures.find((s) => s.name === 'PTV-1')!.id;
  /** What Predict dose must not change unless it lands: the dose shown, the choices offered, the structures. */
  const snapshot = () =>
    JSON.stringify([app.session!.dose?.volume.name, app.session!.dose?.predicted, part('dose-select') ? [...part('dose-select')!.querySelectorAll('option')].map(text) : null, app.session!.store.state.structures.map((s) => [s.id, s.name, s.maskVersion])]);
  /** Runs `start` and resolves with the job's end state. */
  const job = (start: () => void) =>
    new Promise<string>((resolve) => {
      const listen = (e: Event) => {
        const state = (e as CustomEvent<{ state: string }>).detail.state;
        if (state === 'running') return;
        app.removeEventListener('delineo-job-progress', listen);
        resolve(state);
      };
      app.addEventListener('delineo-job-progress', listen);
      start();
    });
  const predicted = () => new Promise<DelineoDosePredictedDetail>((resolve) => app.addEventListener('delineo-dose-predicted', (e) => resolve(e.detail), { once: true }));

  before(async () => {
    const files = await Promise.all(Array.from({ length: 137 }, async (_, n) => new File([await (await fetch(`${DIR}/${n + 1}.dcm`)).arrayBuffer()], `${n + 1}.dcm`)));
    app = document.createElement('delineo-app');
    app.demo = 'none';
    app.autosaveStorage = null;
    app.modelPreload = 'none';
    app.setAttribute('dose-model', TINY_DOSE);
    app.style.cssText = 'position: fixed; left: 0; top: 0; width: 1280px; height: 800px;';
    document.body.append(app);
    await app.openFiles(files);
    await app.updateComplete;
  });

  after(() => app?.remove());

  it('asks for PTV-1’s prescription (its name carries none); without one, Predict fails naming it and changes nothing', async () => {
    const button = part('predict-button') as HTMLButtonElement;
    expect(button, 'Predict dose in the Dose section').to.not.equal(null);
    expect(button.disabled).to.equal(false);
    const field = part('prescription-input') as HTMLInputElement;
    expect(field.getAttribute('aria-label')).to.equal('Prescription of PTV-1 (Gy)');
    expect(text(part('predict-status'))).to.equal('No PTV has a prescription; enter a prescription for PTV-1');
    const before = snapshot();
    const errors: DelineoErrorDetail[] = [];
    app.addEventListener('delineo-error', (e) => errors.push(e.detail));
    expect(await job(() => button.click())).to.equal('failed');
    await app.updateComplete;
    expect(errors.map((e) => [e.operation, e.code])).to.deep.equal([['dose-prediction', 'no-target']]);
    const notice = [...app.shadowRoot!.querySelectorAll('[part~="notice-error"]')].at(-1);
    expect(text(notice)).to.contain('Dose prediction failed: no PTV has a prescription (PTVs found: "PTV-1"); enter a prescription for "PTV-1"');
    expect(snapshot()).to.equal(before);
  });

  it('Cancel and Escape stop a run and leave the case as it was', async () => {
    const field = part('prescription-input') as HTMLInputElement;
    field.value = '60';
    field.dispatchEvent(new Event('change'));
    await app.updateComplete;
    expect(text(part('predict-status'))).to.equal('Targets: PTV-1 60 Gy');
    const before = snapshot();
    const clickCancel = () => {
      part('predict-button')!.click();
      void app.updateComplete.then(() => part('cancel-button')!.click());
    };
    expect(await job(clickCancel)).to.equal('cancelled');
    expect(snapshot()).to.equal(before);
    expect(text(part('message'))).to.equal('Cancelled: Predicting dose');
    // The key D starts it, Escape cancels it.
    app.focus();
    expect(await job(() => void sendKeys({ press: 'd' }).then(() => sendKeys({ press: 'Escape' })))).to.equal('cancelled');
    await app.updateComplete;
    expect(snapshot()).to.equal(before);
    expect(part('progress')).to.equal(null);
  });

  it('puts the prediction beside the plan’s dose in the DVH panel: dashed curves, its own metrics, constraints “likely”', async () => {
    const session = app.session!;
    const plan = session.dose!.volume;
    const landed = predicted();
    expect(await job(() => part('predict-button')!.click())).to.equal('done');
    const detail = await landed;
    expect(detail.trigger).to.equal('user');
    expect(detail.modelId).to.equal('tiny-dose');
    expect(detail.targets.map((t) => [t.name, t.prescriptionGy])).to.deep.equal([['PTV-1', 60]]);
    expect(detail.missingOrgans, 'a lung case has no parotids').to.include('Parotid_L');
    expect(detail.dose.spacing).to.deep.equal([4, 4, 3]);
    expect(session.dose!.volume, 'the plan stays shown').to.equal(plan);
    const review = panel().review!;
    await review.settled();
    // The panel as the sidebar lays it out, lifted above the views so that the whole of it is on screen.
    const dvh = panel();
    dvh.style.cssText = 'position: fixed; left: 0; top: 0; width: 400px; z-index: 10; background: #16191c;';
    await dvh.updateComplete;
    await expectScreenshot(dvh, 'nsclc-dvh-plan-and-predicted');
    dvh.style.cssText = '';
    review.setTemplate(CONSTRAINT_TEMPLATES.find((t) => t.id === 'thorax')!);
    await review.settled();
    await panel().updateComplete;
    const root = panel().shadowRoot!;
    expect(text(root.querySelector('[part="comparison"]'))).to.equal(`vs PREDICTED ${detail.label} (dashed)`);
    // Each structure's Predicted row is the DVH of the predicted dose over that structure (computed here on this thread).
    const cord = session.store.state.structures.find((s) => s.name === 'Spinal cord')!;
    const row = [...root.querySelector(`tr[data-predicted-for="${cord.id}"]`)!.querySelectorAll('td')].map(text);
    const m = dvhMetrics(computeDvh(session.store.mask(cord.id), session.volume.geometry, detail.dose));
    expect(row[0]).to.equal('Predicted');
    expect(row.slice(1, 5)).to.deep.equal([m.volumeCc, m.minGy, m.meanGy, m.maxGy].map((v) => v.toFixed(2)));
    expect(root.querySelectorAll('tr[data-predicted-for]').length).to.equal(root.querySelectorAll('tr[data-id]').length);
    const likely = [...root.querySelectorAll('[part~="predicted-constraints"] [part~="constraint"]')].map(text);
    expect(likely.length).to.equal(CONSTRAINT_TEMPLATES.find((t) => t.id === 'thorax')!.constraints.length);
    for (const line of likely) expect(line).to.match(/^[✓✗–] likely /);
    review.setTemplate(null);
  });

  it('chosen in the menu, the prediction is shown on the views marked PREDICTED, and read out as such', async () => {
    const select = part('dose-select') as HTMLSelectElement;
    const options = [...select.options];
    expect(options.at(-1)!.textContent).to.match(/^PREDICTED: /);
    select.value = options.at(-1)!.value;
    select.dispatchEvent(new Event('change'));
    await app.updateComplete;
    const session = app.session!;
    expect(session.dose!.predicted).to.equal(true);
    expect(text(panel().shadowRoot!.querySelector('[part="predicted"]'))).to.equal('PREDICTED');
    const axial = app.shadowRoot!.querySelector('delineo-mpr')!.shadowRoot!.querySelector('delineo-slice-view')!;
    const ptv = session.store.mask(ptvId()).bounds()!;
    const centre = session.volume.indexToPatient([(ptv.min[0] + ptv.max[0]) / 2, (ptv.min[1] + ptv.max[1]) / 2, Math.round((ptv.min[2] + ptv.max[2]) / 2)]);
    session.setCrosshair(centre);
    await axial.frame();
    expect(text(axial.shadowRoot!.querySelector('[part="predicted"]'))).to.equal('PREDICTED DOSE');
    const [cx, cy] = axial.patientToClient(centre)!.map(Math.round) as [number, number];
    await sendMouse({ type: 'move', position: [cx, cy] });
    await axial.updateComplete;
    const at = axial.clientToPatient(cx, cy)!;
    expect(axial.shadowRoot!.querySelector('[part="readout"]')!.textContent!.split('\n')[0]).to.equal(`Predicted dose ${valueAtPoint(session.dose!.volume, at)!.toFixed(2)} Gy · ${((100 * valueAtPoint(session.dose!.volume, at)!) / 60).toFixed(1)} % of 60 Gy`);
    await sendMouse({ type: 'move', position: [0, 799] });
  });

  it('an edit of PTV-1 marks the prediction stale and recomputes it once, 1.5 s after the last edit', async () => {
    const session = app.session!;
    const shown = session.dose!.volume;
    const events: { detail: DelineoDosePredictedDetail; at: number }[] = [];
    app.addEventListener('delineo-dose-predicted', (e) => events.push({ detail: e.detail, at: performance.now() }));
    const grow = (k: number) =>
      session.store.editMask(ptvId(), 'Brush', (m) => {
        const b = m.bounds()!;
        for (let j = b.min[1]; j <= b.max[1]; j++) m.set(b.max[0] + 1, j, k, true);
      });
    const k = session.store.mask(ptvId()).bounds()!.min[2];
    grow(k);
    await app.updateComplete;
    await panel().updateComplete;
    expect(text(panel().shadowRoot!.querySelector('[part="stale"]'))).to.equal('stale');
    expect(text(part('predict-status'))).to.equal('Updating the prediction… (the one shown is stale)');
    expect(session.dose!.stale).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 700));
    grow(k + 1);
    const lastEdit = performance.now();
    await until(() => events.length > 0, 'the recomputed prediction');
    expect(events[0]!.detail.trigger).to.equal('edit');
    expect(events[0]!.at - lastEdit, 'not before the quiet time after the last edit').to.be.at.least(1500);
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(events.length, 'two edits, one recomputation').to.equal(1);
    await app.updateComplete;
    expect(session.dose!.volume, 'the new prediction replaces the one shown').to.equal(events[0]!.detail.dose);
    expect(session.dose!.volume).to.not.equal(shown);
    expect(session.dose!.stale ?? false).to.equal(false);
    await panel().updateComplete;
    expect(panel().shadowRoot!.querySelector('[part="stale"]')).to.equal(null);
  });
});
