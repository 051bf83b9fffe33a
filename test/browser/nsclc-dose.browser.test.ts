// Dose review in the app on the NSCLC study (LUNG1-001: CT, structure set, plan and dose; read from
// ../shared/data, served under /raw/test-data): the folder opened as a clinician drops it shows the plan dose as a
// wash with isodose lines on the CT, the dose under the pointer, and its isodose surfaces in the 3D view; the DVH
// panel lists the structures with the numbers `delineo dvh` writes for the same files (src/cli/dvh.test.ts checks
// those against plastimatch and numpy); the plan's summary is shown.
import '../helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../components/index.ts';
import type { DelineoApp } from '../../components/index.ts';
import { readRtDose, type Vec3, type Volume } from '../../src/index.ts';
import { expectScreenshot } from '../helpers/screenshot.ts';

const DIR = '/raw/test-data/nsclc-lung1-001/dicom';

async function until(check: () => boolean, what: string, timeoutMs = 120000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The dose at a patient point, interpolated here from the eight dose voxels around it (the test's own trilinear
 * interpolation, not the app's); null off the grid.
 */
function doseAt(dose: Volume, p: Vec3): number | null {
  const [x, y, z] = dose.patientToIndex(p);
  const [nx, ny, nz] = dose.dimensions;
  if ([x, y, z].some((c, a) => c < 0 || c > [nx, ny, nz][a]! - 1)) return null;
  const i = Math.min(nx - 2, Math.floor(x));
  const j = Math.min(ny - 2, Math.floor(y));
  const k = Math.min(nz - 2, Math.floor(z));
  let sum = 0;
  for (const [di, dj, dk] of [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1]] as const) {
    const w = (di ? x - i : 1 - (x - i)) * (dj ? y - j : 1 - (y - j)) * (dk ? z - k : 1 - (z - k));
    sum += w * dose.at(i + di, j + dj, k + dk);
  }
  return sum;
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

  it('reads out the dose under the pointer, and says so off the dose grid', async () => {
    const session = app.session!;
    const dose = readRtDose(new Uint8Array(await (await fetch(`${DIR}/1.dcm`)).arrayBuffer()), '1.dcm').volume;
    // The hottest voxel of the plan (32.9 Gy), on the axial slice through it.
    let hottest = 0;
    for (let n = 1; n < dose.data.length; n++) if (dose.data[n]! > dose.data[hottest]!) hottest = n;
    const [nx, ny] = dose.dimensions;
    const peak = dose.indexToPatient([hottest % nx, Math.floor(hottest / nx) % ny, Math.floor(hottest / (nx * ny))]);
    session.setCrosshair(peak);
    const axial = app.shadowRoot!.querySelector('delineo-mpr')!.shadowRoot!.querySelector('delineo-slice-view')!;
    await axial.frame();
    const readout = () => axial.shadowRoot!.querySelector('[part="readout"]')!.textContent!;
    const hover = async (p: Vec3) => {
      const [cx, cy] = axial.patientToClient(p)!.map(Math.round) as [number, number];
      await sendMouse({ type: 'move', position: [cx, cy] });
      await axial.updateComplete;
      return axial.clientToPatient(cx, cy)!;
    };
    // Near the peak and 2 cm off it, where the dose falls steeply: the read-out is the interpolated dose there.
    const shown: number[] = [];
    for (const p of [peak, [peak[0] + 20, peak[1] - 7, peak[2]] as Vec3]) {
      const at = await hover(p);
      const expected = doseAt(dose, at);
      expect(expected, 'the point is on the dose grid').to.not.equal(null);
      const [doseLine, ctLine] = readout().split('\n');
      expect(doseLine).to.equal(`Dose ${expected!.toFixed(2)} Gy`);
      expect(ctLine).to.match(new RegExp(`HU · ${at.map((x) => x.toFixed(1)).join(', ')} mm$`));
      shown.push(expected!);
    }
    expect(shown[0]).to.be.closeTo(32.9, 0.5);
    expect(shown[0]! - shown[1]!, 'a different dose 2 cm away').to.be.greaterThan(1);
    // In front of the patient, on the CT but beyond the dose grid's anterior edge (y = −56.5 mm).
    const at = await hover([peak[0], -20, peak[2]]);
    expect(doseAt(dose, at)).to.equal(null);
    expect(readout().split('\n')[0]).to.equal('Dose: outside the dose grid');
    await sendMouse({ type: 'move', position: [0, 799] });
  });

  it('shows the isodose levels as surfaces in the 3D view when the user turns them on', async () => {
    const session = app.session!;
    const view = app.shadowRoot!.querySelector('delineo-3d-view')!;
    await view.whenSurfacesReady();
    for (const s of session.store.state.structures) session.store.update(s.id, { visible: false });
    const before = view.readPixels();
    const toggle = view.shadowRoot!.querySelector<HTMLButtonElement>('[part="isodose-toggle"]')!;
    expect(toggle, 'the toggle is offered with a dose').to.not.equal(null);
    toggle.focus();
    await sendKeys({ press: 'Enter' });
    await view.updateComplete;
    await view.whenSurfacesReady();
    expect(view.isodoseLevelsShown).to.deep.equal(session.dose!.isodosesGy);
    const after = view.readPixels();
    let changed = 0;
    for (let o = 0; o < after.data.length; o += 4) if (Math.abs(after.data[o]! - before.data[o]!) + Math.abs(after.data[o + 1]! - before.data[o + 1]!) + Math.abs(after.data[o + 2]! - before.data[o + 2]!) > 30) changed++;
    expect(changed, 'the surfaces are drawn').to.be.greaterThan(2000);
    for (const s of session.store.state.structures) session.store.update(s.id, { visible: true });
  });
});
