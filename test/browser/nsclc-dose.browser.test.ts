// Dose review in the app on the NSCLC study (LUNG1-001: CT, structure set, plan and dose; read from
// ../shared/data, served under /raw/test-data): the folder opened as a clinician drops it shows the plan dose as a
// wash with isodose lines on the CT, and the DVH panel lists the structures with the numbers `delineo dvh` writes
// for the same files (src/cli/dvh.test.ts checks those against plastimatch and numpy); the plan's summary is shown.
import '../helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import '../../components/index.ts';
import type { DelineoApp } from '../../components/index.ts';
import { expectScreenshot } from '../helpers/screenshot.ts';

const DIR = '/raw/test-data/nsclc-lung1-001/dicom';

async function until(check: () => boolean, what: string, timeoutMs = 120000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('dose review in <delineo-app> on the NSCLC study', function () {
  this.timeout(240000);
  let app: DelineoApp;

  before(async () => {
    const files = await Promise.all(Array.from({ length: 137 }, async (_, n) => new File([await (await fetch(`${DIR}/${n + 1}.dcm`)).arrayBuffer()], `${n + 1}.dcm`)));
    app = document.createElement('delineo-app');
    app.demo = 'none';
    app.autosaveStorage = null;
    app.modelPreload = 'none';
    app.style.cssText = 'position: fixed; left: 0; top: 0; width: 1280px; height: 800px;';
    document.body.append(app);
    await app.openFiles(files);
  });

  after(() => app?.remove());

  it('lists every structure in the DVH panel with the numbers delineo dvh writes', async () => {
    const panel = app.shadowRoot!.querySelector('delineo-dvh-panel')!;
    expect(panel, 'the dose section is shown').to.not.equal(null);
    await until(() => (panel.shadowRoot?.querySelectorAll('tbody tr').length ?? 0) >= 8, 'the DVHs');
    const row = (name: string) => [...panel.shadowRoot!.querySelectorAll('tbody tr')].find((r) => r.querySelector('td')!.textContent!.trim() === name)!;
    const cells = (name: string) => [...row(name).querySelectorAll('td')].slice(1).map((td) => Number(td.textContent));
    // `delineo dvh --ct nsclc-lung1-001/dicom --out dvh.csv`: volume, min, mean, max, D98, D95, D50, D2 (Gy, cc).
    const cli: Record<string, number[]> = {
      'GTV-1': [155.7798, 30.3710, 31.3954, 32.7421, 30.6750, 30.7550, 31.3470, 32.3720],
      'Lung L': [2221.6387, 0.0921, 15.6059, 32.8339, 0.1710, 0.2600, 18.0950, 31.8740],
      'Spinal cord': [44.5375, 0.0872, 1.0623, 15.9992, 0.0980, 0.1040, 0.5700, 6.8680],
    };
    for (const [name, expected] of Object.entries(cli)) {
      const got = cells(name).slice(0, 8);
      expected.forEach((v, n) => expect(got[n], `${name} column ${n + 1}`).to.be.closeTo(v, 0.006));
    }
  });

  it('shows the plan opened with the CT in the dose section: label, fractions, beams with their gantry angles', () => {
    const summary = app.shadowRoot!.querySelector('[part="plan-summary"]')!;
    expect(summary, 'the plan summary').to.not.equal(null);
    const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    expect(text(summary.querySelector('h3'))).to.equal('Plan 1p2b1d1a 137.dcm');
    expect(text(summary.querySelector('.plan-prescription'))).to.equal('No prescription stated; 10 fractions');
    const beams = [...summary.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].map(text));
    expect(beams.map((b) => b[0])).to.deep.equal(['p2b1d1v1ap', 'p2b1d1v2pa', 'p2b1d1v3ll', 'p2b1d1v4epi ap', 'p2b1d1v5epi ll']);
    expect(beams.map((b) => b[2])).to.deep.equal(['354°', '180°', '97°', '0°', '90°']);
    // MU as the plan's fraction group states them (pydicom: 126.511848 for the first beam).
    expect(beams[0]![3]).to.equal('126.5');
  });

  it('draws the plan dose as a wash with isodose lines on the axial view', async () => {
    const session = app.session!;
    expect(session.dose, 'the dose is shown in the views').to.not.equal(null);
    session.setCrosshair(session.volume.indexToPatient([256, 256, 95]));
    const axial = app.shadowRoot!.querySelector('delineo-mpr')!.shadowRoot!.querySelector('delineo-slice-view')!;
    await axial.frame();
    await expectScreenshot(axial, 'nsclc-dose-axial');
  });
});
