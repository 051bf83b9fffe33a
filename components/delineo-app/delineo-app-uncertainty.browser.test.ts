// Uncertainty-guided review in the app: with a model run's uncertainty map on a structure, J takes the reviewer to
// the slice the model doubts most (then the next), and M draws the map over the views (screenshot baseline).
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { createStructure, generatePhantom, ViewerSession } from '../../src/index.ts';
import { expectScreenshot } from '../../test/helpers/screenshot.ts';
import './delineo-app.ts';
import type { DelineoApp } from './delineo-app.ts';

const sliceOf = (session: ViewerSession): number => Math.round(session.volume.patientToIndex(session.crosshair.position)[2]);

describe('<delineo-app>: where the model is unsure', function () {
  this.timeout(120_000);
  let el: DelineoApp;
  let session: ViewerSession;
  let heartId: string;
  let doubted: number;

  before(async () => {
    el = document.createElement('delineo-app');
    el.style.cssText = 'position: fixed; left: 0; top: 0; width: 1000px; height: 600px;';
    el.autosaveStorage = null;
    el.demo = 'none';
    el.modelPreload = 'none';
    el.append(Object.assign(document.createElement('div'), { slot: '3d' }));
    const ph = generatePhantom({ dimensions: [96, 96, 32], spacing: [5.2, 5.2, 8.8] });
    const structures = ph.structures
      .filter((s) => ['GTV', 'Heart', 'SpinalCord'].includes(s.name))
      .map((s) => (s.name === 'Heart' ? createStructure({ ...s, provenance: { algorithm: 'AUTOMATIC', source: 'test-model', version: '1' } }) : s));
    session = ViewerSession.withStructures(ph.volume, structures);
    heartId = session.store.state.structures.find((s) => s.name === 'Heart')!.id;
    // The model's map: a little unsure over the whole heart, very unsure on one slice near its lower end.
    const [nx, ny, nz] = ph.volume.dimensions;
    const data = new Uint8Array(nx * ny * nz);
    const mask = session.store.mask(heartId);
    const box = mask.bounds()!;
    doubted = box.min[2] + 1;
    mask.forEach((i, j, k) => (data[i + nx * (j + ny * k)] = k === doubted ? 240 : 30));
    session.uncertainty.attach({ data, dimensions: [nx, ny, nz], measure: 'entropy' }, [heartId]);
    el.session = session;
    document.body.append(el);
    await el.updateComplete;
    session.store.setActive(heartId);
    session.setCrosshair(ph.volume.indexToPatient([48, 48, box.max[2]]));
  });

  after(() => el.remove());

  it('J goes to the slice the model doubts most, then to the next one', async () => {
    expect(sliceOf(session)).to.not.equal(doubted);
    el.focus();
    await sendKeys({ press: 'j' });
    expect(sliceOf(session)).to.equal(doubted);
    await sendKeys({ press: 'j' });
    expect(sliceOf(session)).to.not.equal(doubted);
    await sendKeys({ press: 'j' });
    expect(sliceOf(session), 'the ranking goes round').to.not.equal(doubted);
  });

  it('M draws the selected structure’s uncertainty over the views, and takes it off again', async () => {
    session.setCrosshair(session.volume.indexToPatient([48, 48, doubted]));
    el.focus();
    await sendKeys({ press: 'm' });
    expect(session.uncertainty.overlay).to.equal(true);
    const axial = el.shadowRoot!.querySelector('delineo-mpr')!.shadowRoot!.querySelector('delineo-slice-view')!;
    await axial.frame();
    await expectScreenshot(axial, 'uncertainty-overlay-axial');
    await sendKeys({ press: 'm' });
    expect(session.uncertainty.overlay).to.equal(false);
  });
});
