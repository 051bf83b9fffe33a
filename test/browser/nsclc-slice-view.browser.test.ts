// The slice views on a real CT: patient LUNG1-001 of NSCLC-Radiomics (CC BY-NC 3.0, read from
// ../shared/data, served under /raw/test-data by the test runner's raw-asset middleware, never copied into
// the repository). Loaded with the application's DICOM loader, shown with the series' own window and the
// lung preset, compared with committed screenshots.
import '../helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { ViewerSession } from '../../src/index.ts';
import type { DelineoSliceView } from '../../components/delineo-slice-view/delineo-slice-view.ts';
import type { Volume } from '../../src/index.ts';
import dcmjs from 'dcmjs';
import { importRtstruct, loadDicomSeries } from '../../src/index.ts';
import { expectScreenshot } from '../helpers/screenshot.ts';
import { mountView, partOf } from '../helpers/viewer.ts';

const DIR = '/raw/test-data/nsclc-lung1-001/dicom';

/** The 134 CT files (3.dcm … 136.dcm; 1, 2 and 137 are the RTDOSE, RTSTRUCT and RTPLAN). */
async function loadNsclc(): Promise<Volume> {
  const files = await Promise.all(
    Array.from({ length: 134 }, async (_, n) => {
      const name = `${n + 3}.dcm`;
      const r = await fetch(`${DIR}/${name}`);
      if (!r.ok) throw new Error(`${name}: HTTP ${r.status} (is ../shared/data/nsclc-lung1-001 present?)`);
      return new File([await r.arrayBuffer()], name);
    }),
  );
  const result = await loadDicomSeries(files);
  if (result.kind !== 'volume') throw new Error('expected one CT series');
  return result.volume;
}

describe('loading the NSCLC study (LUNG1-001) as a clinician drops its folder', () => {
  it('logs no console error or warning: CT, structure set, plan and dose', async () => {
    const logged: string[] = [];
    const spied = { error: console.error, warn: console.warn };
    console.error = (...a: unknown[]) => logged.push(`error: ${a.join(' ')}`);
    console.warn = (...a: unknown[]) => logged.push(`warn: ${a.join(' ')}`);
    // dcmjs logs through loglevel, which binds the console's methods when its level is set: rebind to the spies.
    const validation = dcmjs.log.getLogger('validation.dcmjs');
    validation.setLevel(validation.getLevel(), false);
    try {
      const files = await Promise.all(
        Array.from({ length: 137 }, async (_, n) => new File([await (await fetch(`${DIR}/${n + 1}.dcm`)).arrayBuffer()], `${n + 1}.dcm`)),
      );
      const result = await loadDicomSeries(files);
      expect(result.kind).to.equal('volume');
      if (result.kind !== 'volume') return;
      const rtstruct = result.rtObjects.find((o) => o.kind === 'RTSTRUCT')!;
      expect(importRtstruct(rtstruct.bytes, result.volume, { file: rtstruct.file }).structures.length).to.be.greaterThan(3);
    } finally {
      Object.assign(console, spied);
      validation.setLevel(validation.getLevel(), false);
    }
    expect(logged).to.deep.equal([]);
  });
});

describe('slice views on the NSCLC CT (LUNG1-001)', () => {
  let session: ViewerSession;
  let view: DelineoSliceView | null = null;

  before(async () => {
    const volume = await loadNsclc();
    session = new ViewerSession(volume);
  });

  afterEach(() => {
    view?.remove();
    view = null;
  });

  it('loads as a 512 × 512 × 134 HFS axial CT and starts in the series’ own window', () => {
    expect([...session.volume.dimensions]).to.deep.equal([512, 512, 134]);
    expect(session.volume.defaultWindow).to.deep.equal({ window: 400, level: 40 });
    expect(session.windowLevel).to.deep.equal({ window: 400, level: 40 });
  });

  it('matches the committed axial screenshot in the lung window (key 2: the DICOM window is key 1)', async () => {
    // Slice through the tumour region of the right lung (upper lobe).
    session.setCrosshair(session.volume.indexToPatient([256, 256, 95]));
    view = await mountView(session, 'axial', { width: 360, height: 380 });
    expect(view.orientationLabels).to.deep.equal({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    view.focus();
    await sendKeys({ press: '1' });
    expect(session.windowLevel).to.deep.equal({ window: 400, level: 40 });
    await view.updateComplete;
    expect(partOf(view, 'window').textContent).to.equal('DICOM · W 400 · L 40');
    await sendKeys({ press: '2' });
    expect(session.windowLevel).to.deep.equal({ window: 400, level: 40 });
    await sendKeys({ press: '3' });
    expect(session.windowLevel).to.deep.equal({ window: 1500, level: -600 });
    await view.frame();
    await expectScreenshot(view, 'slice-view-nsclc-axial-lung');
  });

  it('matches the committed coronal screenshot in the soft-tissue window', async () => {
    session.setWindowLevel({ window: 400, level: 40 });
    session.setCrosshair(session.volume.indexToPatient([256, 300, 67]));
    view = await mountView(session, 'coronal', { width: 360, height: 380 });
    expect(view.orientationLabels).to.deep.equal({ left: 'R', right: 'L', top: 'S', bottom: 'I' });
    await expectScreenshot(view, 'slice-view-nsclc-coronal');
  });
});
