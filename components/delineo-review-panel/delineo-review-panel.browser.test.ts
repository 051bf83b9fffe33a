import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { CONSTRAINT_TEMPLATES, DoseReview, Volume, ViewerSession, createStructure, generatePhantom, type QaFinding, type Vec3 } from '../../src/index.ts';
import './delineo-review-panel.ts';
import type { DelineoReviewPanel } from './delineo-review-panel.component.ts';

/** Resolves when the panel has run its checks (its analysis runs `settle-ms` after the structures change). */
async function checked(el: DelineoReviewPanel): Promise<readonly QaFinding[]> {
  for (let n = 0; n < 200 && !el.qaResults; n++) await new Promise((r) => setTimeout(r, 10));
  await el.updateComplete;
  return el.qaResults!;
}

describe('<delineo-review-panel> QA', () => {
  afterEach(() => document.querySelectorAll('delineo-review-panel').forEach((e) => e.remove()));

  it('lists a contour dragged into the air, with no External in the set, and goes to it on click', async () => {
    const phantom = generatePhantom({ dimensions: [96, 96, 40], spacing: [5.2, 5.2, 7] });
    const [nx, ny] = phantom.volume.dimensions;
    // The heart as a brush stroke left it: dragged on three slices from inside the body to the left edge of the
    // field of view, through the air beside the patient.
    const heart = phantom.structures.find((s) => s.name === 'Heart')!;
    const mask = heart.mask.clone();
    const box = mask.bounds()!;
    const k0 = Math.round((box.min[2] + box.max[2]) / 2);
    const j0 = Math.round(ny / 2);
    for (let k = k0 - 1; k <= k0 + 1; k++) for (let j = j0 - 1; j <= j0 + 1; j++) for (let i = box.max[0]; i < nx; i++) mask.set(i, j, k, true);
    const structures = phantom.structures.filter((s) => s.name !== 'External').map((s) => (s === heart ? createStructure({ ...s, mask }) : s));
    const session = ViewerSession.withStructures(phantom.volume, structures);
    const el = document.createElement('delineo-review-panel');
    el.settleMs = 0;
    el.session = session;
    document.body.append(el);

    const findings = await checked(el);
    const inAir = findings.filter((f) => f.kind === 'in-air');
    expect(inAir.map((f) => f.structureName)).to.deep.equal(['Heart']);
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="finding"][data-kind="in-air"]')!;
    expect(button.textContent).to.contain('In air').and.to.contain('Heart').and.to.contain('on 3 slices');
    expect(button.getAttribute('part')).to.equal('finding error');

    const heartId = session.store.state.structures.find((s) => s.name === 'Heart')!.id;
    const selected = new Promise<CustomEvent>((resolve) => el.addEventListener('delineo-structure-select', (e) => resolve(e as CustomEvent), { once: true }));
    button.click();
    expect((await selected).detail.id).to.equal(heartId);
    expect(session.store.state.activeId).to.equal(heartId);
    expect(session.crosshair.position).to.deep.equal(inAir[0].location);
    const [, , kz] = phantom.volume.patientToIndex(inAir[0].location);
    expect(Math.round(kz)).to.equal(k0);
  });
});

/** The phantom with a dose falling off from the GTV's centre (66 Gy there, 2 Gy per cm less): the heart's mean fails the thorax template. */
function phantomCase() {
  const phantom = generatePhantom({ dimensions: [96, 96, 32], spacing: [5.2, 5.2, 8.8] });
  const v = phantom.volume;
  const c = phantom.anatomy.gtvCenter;
  const data = new Float32Array(v.data.length);
  const [nx, ny, nz] = v.dimensions;
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++) {
        const p: Vec3 = v.indexToPatient([i, j, k]);
        data[o] = Math.max(0, 66 - 0.2 * Math.hypot(p[0] - c[0], p[1] - c[1], p[2] - c[2]));
      }
  return { session: ViewerSession.withStructures(v, phantom.structures), dose: new Volume({ ...v.geometry, data, modality: 'RTDOSE' }) };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 20000;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('<delineo-review-panel> dose constraints', () => {
  afterEach(() => document.querySelectorAll('delineo-review-panel').forEach((e) => e.remove()));

  it('lists the constraints the dose fails among the checks, each a click away from its structure', async () => {
    const { session, dose } = phantomCase();
    const review = new DoseReview(session.store, { debounceMs: 0 });
    review.setTemplate(CONSTRAINT_TEMPLATES.find((t) => t.id === 'thorax')!);
    await review.setDose({ volume: dose, label: 'plan', predicted: false });
    await review.settled();
    const el = document.createElement('delineo-review-panel') as DelineoReviewPanel;
    el.settleMs = 0;
    el.session = session;
    el.doseReview = review;
    document.body.append(el);
    const findings = () => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="constraint-finding"]')];
    await until(() => findings().length > 0, 'the constraint findings');
    const failed = review.results$.value.filter((r) => r.status === 'fail');
    expect(failed.length, 'the case fails at least one constraint').to.be.greaterThan(0);
    expect(findings().filter((b) => b.getAttribute('part') === 'constraint-finding error').length).to.equal(failed.length);
    // Passed constraints are not findings; the DVH panel lists them.
    expect(findings().length).to.equal(review.results$.value.filter((r) => r.status !== 'pass').length);
    const heart = findings().find((b) => b.textContent!.includes('Heart Dmean'))!;
    expect(heart.textContent).to.match(/Heart Dmean \d+\.\d Gy exceeds 26 Gy/);
    expect(el.shadowRoot!.querySelector('.count')!.classList.contains('has-errors')).to.equal(true);

    const selected = new Promise<CustomEvent>((resolve) => el.addEventListener('delineo-structure-select', (e) => resolve(e as CustomEvent), { once: true }));
    heart.click();
    const heartId = session.store.state.structures.find((s) => s.name === 'Heart')!.id;
    expect(session.store.state.activeId).to.equal(heartId);
    expect((await selected).detail.id).to.equal(heartId);

    // Without the dose review the constraints leave the checks.
    el.doseReview = null;
    await el.updateComplete;
    expect(findings().length).to.equal(0);
    review.dispose();
  });

  it('says "likely" for a predicted dose', async () => {
    const { session, dose } = phantomCase();
    const review = new DoseReview(session.store, { debounceMs: 0 });
    review.setTemplate(CONSTRAINT_TEMPLATES.find((t) => t.id === 'thorax')!);
    await review.setDose({ volume: dose, label: 'hn-dose', predicted: true });
    await review.settled();
    const el = document.createElement('delineo-review-panel') as DelineoReviewPanel;
    el.session = session;
    el.doseReview = review;
    document.body.append(el);
    await until(() => !!el.shadowRoot!.querySelector('[part~="constraint-finding"]'), 'the constraint findings');
    const heart = [...el.shadowRoot!.querySelectorAll('[part~="constraint-finding"]')].find((b) => b.textContent!.includes('Heart Dmean'))!;
    expect(heart.textContent).to.match(/Predicted dose\s+likely Heart Dmean/);
    review.dispose();
  });
});
