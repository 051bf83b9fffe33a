import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { CONSTRAINT_TEMPLATES, DoseReview, StructureSetStore, Volume, createDvhCalculator, generatePhantom, mainThreadDvhCalculator, type Vec3 } from '../../src/index.ts';
import './delineo-dvh-panel.ts';
import type { DelineoDvhPanel } from './delineo-dvh-panel.component.ts';

/** The phantom with a dose that falls off from the GTV's centre: 66 Gy there, 2 Gy per cm less outwards. */
function phantomWithDose() {
  const phantom = generatePhantom();
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
  const dose = new Volume({ ...v.geometry, data, modality: 'RTDOSE' });
  const store = new StructureSetStore(v.geometry);
  store.load(phantom.structures);
  return { store, dose };
}

async function mount(review: DoseReview): Promise<DelineoDvhPanel> {
  const el = document.createElement('delineo-dvh-panel');
  el.style.width = '600px';
  el.review = review;
  document.body.append(el);
  await review.settled();
  await el.updateComplete;
  return el;
}

describe('<delineo-dvh-panel>', () => {
  afterEach(() => document.querySelectorAll('delineo-dvh-panel').forEach((e) => e.remove()));

  it('lists each structure with the metrics the review computed, draws the curves and checks a template (built to fail on the heart)', async () => {
    const { store, dose } = phantomWithDose();
    const review = new DoseReview(store, { calculator: createDvhCalculator(), debounceMs: 0 });
    await review.setDose({ volume: dose, label: 'Test plan', predicted: false });
    review.setTemplate(CONSTRAINT_TEMPLATES.find((t) => t.id === 'thorax')!);
    const el = await mount(review);
    const rows = [...el.shadowRoot!.querySelectorAll('tbody tr')] as HTMLElement[];
    expect(rows.length).to.equal(store.state.structures.filter((s) => !store.mask(s.id).isEmpty()).length);
    const gtvId = store.state.structures.find((s) => s.name === 'GTV')!.id;
    const gtvRow = rows.find((r) => r.dataset.id === gtvId)!;
    const cells = [...gtvRow.querySelectorAll('td')].map((td) => td.textContent!.trim());
    const m = review.dvhs$.value.get(gtvId)!.metrics;
    expect(cells.slice(1, 5)).to.deep.equal([m.volumeCc, m.minGy, m.meanGy, m.maxGy].map((v) => v.toFixed(2)));
    expect(m.maxGy).to.be.closeTo(66, 0.5);
    // The worker computed the same DVH as the calling thread would.
    const local = new DoseReview(store, { calculator: mainThreadDvhCalculator(), debounceMs: 0 });
    await local.setDose({ volume: dose, label: 'x', predicted: false });
    await local.settled();
    expect(local.dvhs$.value.get(gtvId)!.metrics).to.deep.equal(m);
    local.dispose();

    const heart = [...el.shadowRoot!.querySelectorAll('[part~="constraint"]')].find((li) => li.textContent!.includes('Heart Dmean'))!;
    expect(heart.getAttribute('part')).to.equal('constraint fail');
    expect(heart.textContent).to.match(/Heart Dmean \d+\.\d Gy exceeds 26 Gy/);
    (heart.querySelector('button') as HTMLButtonElement).click();
    expect(store.state.activeId).to.equal(store.state.structures.find((s) => s.name === 'Heart')!.id);

    // The GTV's red curve is on the plot.
    const canvas = el.shadowRoot!.querySelector('canvas')!;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let red = 0;
    for (let n = 0; n < img.length; n += 4) if (img[n]! > 200 && img[n + 1]! < 40 && img[n + 2]! < 40) red++;
    expect(red, 'red GTV curve pixels').to.be.greaterThan(50);
    review.dispose();
  });

  it('fits a narrow sidebar: the controls shrink and the metrics table scrolls instead of being cut', async () => {
    const { store, dose } = phantomWithDose();
    const review = new DoseReview(store, { debounceMs: 0 });
    await review.setDose({ volume: dose, label: 'Test plan', predicted: false });
    // The app's sidebar: a 330 px scrolling flex column.
    const sidebar = document.createElement('div');
    sidebar.style.cssText = 'display: flex; flex-direction: column; width: 330px; height: 600px; overflow: auto;';
    document.body.append(sidebar);
    const el = document.createElement('delineo-dvh-panel');
    el.review = review;
    sidebar.append(el);
    await review.settled();
    await el.updateComplete;
    try {
      expect(el.getBoundingClientRect().width).to.be.at.most(330);
      for (const part of ['template-select', 'volume-unit']) {
        const r = el.shadowRoot!.querySelector(`[part~="${part}"]`)!.getBoundingClientRect();
        expect(r.right, part).to.be.at.most(el.getBoundingClientRect().right + 0.5);
      }
      expect(sidebar.scrollWidth, 'nothing wider than the sidebar').to.be.at.most(sidebar.clientWidth);
      const wrap = el.shadowRoot!.querySelector('[part~="table"]')!.parentElement!;
      expect(wrap.scrollWidth, 'the table scrolls in its own box').to.be.greaterThan(wrap.clientWidth);
    } finally {
      sidebar.remove();
      review.dispose();
    }
  });

  it('shows doses as % of the prescription when the plan states one, and only then', async () => {
    const { store, dose } = phantomWithDose();
    const review = new DoseReview(store, { debounceMs: 0 });
    await review.setDose({ volume: dose, label: 'Test plan', predicted: false });
    const el = await mount(review);
    expect(el.shadowRoot!.querySelector('[part~="dose-unit"]'), 'no prescription, no % choice').to.equal(null);
    review.dispose();

    const withRx = new DoseReview(store, { debounceMs: 0 });
    await withRx.setDose({ volume: dose, label: 'Test plan', predicted: false, prescriptionGy: 60 });
    el.review = withRx;
    await withRx.settled();
    await el.updateComplete;
    const gtvId = store.state.structures.find((s) => s.name === 'GTV')!.id;
    const m = withRx.dvhs$.value.get(gtvId)!.metrics;
    const cells = () => [...el.shadowRoot!.querySelector(`tbody tr[data-id="${gtvId}"]`)!.querySelectorAll('td')].map((td) => td.textContent!.trim());
    expect(cells().slice(1, 5)).to.deep.equal([m.volumeCc, m.minGy, m.meanGy, m.maxGy].map((v) => v.toFixed(2)));
    const unit = el.shadowRoot!.querySelector<HTMLSelectElement>('[part~="dose-unit"]')!;
    unit.value = '%';
    unit.dispatchEvent(new Event('change'));
    await el.updateComplete;
    // Volume stays in cc; every dose is a percentage of 60 Gy.
    expect(cells().slice(1, 5)).to.deep.equal([m.volumeCc.toFixed(2), ...[m.minGy, m.meanGy, m.maxGy].map((v) => ((100 * v) / 60).toFixed(1))]);
    expect(el.shadowRoot!.querySelector('thead')!.textContent).to.contain('Mean %');
    withRx.dispose();
  });

  it('shows an edited structure’s new DVH, and marks a predicted dose', async () => {
    const { store, dose } = phantomWithDose();
    const review = new DoseReview(store, { debounceMs: 0 });
    await review.setDose({ volume: dose, label: 'hn-dose 0.1', predicted: true });
    const el = await mount(review);
    expect(el.shadowRoot!.querySelector('[part="predicted"]')?.textContent).to.equal('PREDICTED');
    const cord = store.state.structures.find((s) => s.name === 'SpinalCord')!;
    const before = review.dvhs$.value.get(cord.id)!.metrics.volumeCc;
    store.editMask(cord.id, 'Erase', (mask) => {
      const even: [number, number, number][] = [];
      mask.forEach((i, j, k) => k % 2 === 0 && even.push([i, j, k]));
      for (const [i, j, k] of even) mask.set(i, j, k, false);
    });
    await review.settled();
    await el.updateComplete;
    expect(review.dvhs$.value.get(cord.id)!.metrics.volumeCc).to.be.closeTo(before / 2, before * 0.1);
    const row = el.shadowRoot!.querySelector(`tbody tr[data-id="${cord.id}"]`)!;
    expect(row.querySelectorAll('td')[1]!.textContent).to.equal(review.dvhs$.value.get(cord.id)!.metrics.volumeCc.toFixed(2));
    review.dispose();
  });

  it('draws a comparison dose dashed beside the plan, with a Predicted row per structure and its constraints, marked stale while it is recomputed', async () => {
    const { store, dose } = phantomWithDose();
    const review = new DoseReview(store, { debounceMs: 0 });
    await review.setDose({ volume: dose, label: 'Test plan', predicted: false });
    review.setTemplate(CONSTRAINT_TEMPLATES.find((t) => t.id === 'thorax')!);
    const half = new Volume({ ...dose.geometry, data: dose.data.map((v) => v / 2), modality: 'RTDOSE' });
    await review.setComparison({ volume: half, label: 'hn-dose 0.1', predicted: true });
    const el = await mount(review);
    const root = el.shadowRoot!;
    expect(root.querySelector('[part="comparison"]')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('vs PREDICTED hn-dose 0.1 (dashed)');
    const gtvId = store.state.structures.find((s) => s.name === 'GTV')!.id;
    const cells = (sel: string) => [...root.querySelector(sel)!.querySelectorAll('td')].map((td) => td.textContent!.trim());
    const plan = review.dvhs$.value.get(gtvId)!.metrics;
    const predicted = review.comparison$.value!.dvhs$.value.get(gtvId)!.metrics;
    expect(predicted.meanGy).to.be.closeTo(plan.meanGy / 2, 0.01);
    expect(cells(`tr[data-id="${gtvId}"]`).slice(1, 5)).to.deep.equal([plan.volumeCc, plan.minGy, plan.meanGy, plan.maxGy].map((v) => v.toFixed(2)));
    expect(cells(`tr[data-predicted-for="${gtvId}"]`)).to.deep.equal(['Predicted', ...[predicted.volumeCc, predicted.minGy, predicted.meanGy, predicted.maxGy, predicted.d98Gy, predicted.d95Gy, predicted.d50Gy, predicted.d2Gy, predicted.d0_1ccGy, predicted.d2ccGy].map((v) => v.toFixed(2))]);
    // The plan fails the heart's mean; the prediction, at half the dose, likely passes it.
    const heartLine = (part: string) => [...root.querySelectorAll(`[part~="${part}"] [part~="constraint"]`)].find((li) => li.textContent!.includes('Heart Dmean'))!;
    expect(heartLine('constraints').getAttribute('part')).to.equal('constraint fail');
    expect(heartLine('predicted-constraints').getAttribute('part')).to.equal('constraint pass');
    expect(heartLine('predicted-constraints').textContent!.trim()).to.match(/^✓ likely Heart Dmean/);
    // The GTV's red curve twice: solid and, at half the dose, dashed.
    const red = () => {
      const canvas = root.querySelector('canvas')!;
      const img = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let o = 0; o < img.length; o += 4) if (img[o]! > 200 && img[o + 1]! < 40 && img[o + 2]! < 40) n++;
      return n;
    };
    const both = red();
    await review.setComparison(null);
    await el.updateComplete;
    expect(root.querySelector('tr[data-predicted-for]'), 'no comparison, no Predicted rows').to.equal(null);
    expect(both - red(), 'red pixels of the predicted curve').to.be.greaterThan(150);

    await review.setComparison({ volume: half, label: 'hn-dose 0.1', predicted: true, stale: true });
    await review.settled();
    await el.updateComplete;
    expect(root.querySelector('[part="stale"]')!.textContent).to.equal('stale');
    review.dispose();
  });
});
