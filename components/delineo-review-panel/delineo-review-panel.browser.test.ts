import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { ViewerSession, createStructure, generatePhantom, type QaFinding } from '../../src/index.ts';
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
