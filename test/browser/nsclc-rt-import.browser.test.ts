// The NSCLC study (LUNG1-001, ../shared/data served under /raw/test-data) taken in two steps, as a clinician who
// opened the CT and drew on it, then opened the study's RT objects: the structure set's structures join the drawn
// one (its name clash numbered, one undo step), the plan dose is shown with the DVHs `delineo dvh` writes, the
// plan's summary is in the dose section. Then the same dose stated RELATIVE with a plan stating a 60 Gy
// prescription (both edited here): the dose in Gy is unchanged, and the isodoses become % of the prescription.
import '../helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import dcmjs from 'dcmjs';
import type { DenaturalizedDataset } from 'dcmjs';
import '../../components/index.ts';
import type { DelineoApp } from '../../components/index.ts';
import { chord } from '../helpers/viewer.ts';

const DIR = '/raw/test-data/nsclc-lung1-001/dicom';
/** The plan the NSCLC dose refers to (the study's plan file carries another SOP Instance UID). */
const DOSE_PLAN = '2.16.840.1.114337.208007648783.1396.1233830148.0';

async function until(check: () => boolean, what: string, timeoutMs = 120000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const bytesOf = async (n: number) => new Uint8Array(await (await fetch(`${DIR}/${n}.dcm`)).arrayBuffer());

/** A DICOM file's elements edited with dcmjs, as a new File. */
function edited(bytes: Uint8Array, name: string, edit: (ds: DenaturalizedDataset, meta: DenaturalizedDataset) => void): File {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  edit(dict.dict, dict.meta);
  return new File([dict.write()], name);
}

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('RT objects added to the open NSCLC CT', function () {
  this.timeout(300000);
  let app: DelineoApp;
  const part = (name: string) => app.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
  const panel = () => part('dvh-panel')!;
  const row = (name: string) => [...panel().shadowRoot!.querySelectorAll('tbody tr')].find((r) => text(r.querySelector('td')) === name);
  const cells = (name: string) => [...row(name)!.querySelectorAll('td')].slice(1, 9).map((td) => Number(td.textContent));

  before(async () => {
    const ct = await Promise.all(Array.from({ length: 134 }, async (_, n) => new File([await bytesOf(n + 3)], `${n + 3}.dcm`)));
    app = document.createElement('delineo-app');
    app.demo = 'none';
    app.autosaveStorage = null;
    app.modelPreload = 'none';
    app.style.cssText = 'position: fixed; left: 0; top: 0; width: 1280px; height: 800px;';
    document.body.append(app);
    await app.openFiles(ct);
  });

  after(() => app?.remove());

  it('adds the structure set beside a drawn structure (name clash numbered, one undo step), the dose with its DVHs and the plan summary', async () => {
    const session = app.session!;
    expect(session.store.state.structures).to.have.length(0);
    const drawn = session.store.add({ name: 'GTV-1' });
    session.store.editMask(drawn, 'Brush', (m) => {
      for (let j = 250; j < 260; j++) for (let i = 250; i < 260; i++) m.set(i, j, 60, true);
    });
    await app.openFiles([new File([await bytesOf(2)], '2.dcm'), new File([await bytesOf(1)], '1.dcm'), new File([await bytesOf(137)], '137.dcm')]);
    await app.updateComplete;
    expect(app.session).to.equal(session);
    const names = session.store.state.structures.map((s) => s.name);
    expect(names[0]).to.equal('GTV-1');
    expect(names).to.include.members(['GTV-1_2', 'Lung L', 'Spinal cord']);
    expect(session.store.mask(drawn).count(), 'the drawn GTV-1 is untouched').to.equal(100);
    const notice = [...app.shadowRoot!.querySelectorAll('[part~="notice"]')].at(-1)!;
    expect(text(notice.querySelector('.notice-text'))).to.match(/^Added to .*: \d+ structures from 2\.dcm \(names taken, renamed: GTV-1 → GTV-1_2\); the dose PLAN · max 32\.9 Gy; the plan 1p2b1d1a$/);

    // The DVH panel: the study's GTV-1, imported as GTV-1_2, with the numbers `delineo dvh` writes for it.
    await until(() => !!row('GTV-1_2') && !!row('Lung L'), 'the DVHs');
    const cli = [155.7798, 30.371, 31.3954, 32.7421, 30.675, 30.755, 31.347, 32.372];
    cells('GTV-1_2').forEach((v, n) => expect(v, `GTV-1_2 column ${n + 1}`).to.be.closeTo(cli[n]!, 0.006));

    // The plan summary.
    const summary = part('plan-summary')!;
    expect(text(summary.querySelector('h3'))).to.equal('Plan 1p2b1d1a 137.dcm');
    expect(text(summary.querySelector('.plan-prescription'))).to.equal('No prescription stated; 10 fractions');
    const beams = [...summary.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].slice(0, 3).map(text));
    expect(beams).to.deep.equal([
      ['p2b1d1v1ap', 'PHOTON · STATIC', '354°'],
      ['p2b1d1v2pa', 'PHOTON · STATIC', '180°'],
      ['p2b1d1v3ll', 'PHOTON · STATIC', '97°'],
      ['p2b1d1v4epi ap', 'PHOTON · STATIC', '0°'],
      ['p2b1d1v5epi ll', 'PHOTON · STATIC', '90°'],
    ]);
    expect(text(part('isodose-levels'))).to.equal('95, 80, 50, 30 % of the maximum');

    // One undo takes the whole structure set back; the drawn structure stays as it was.
    app.focus();
    await chord(['Control'], 'z');
    expect(session.store.state.structures.map((s) => s.name)).to.deep.equal(['GTV-1']);
    expect(session.store.mask(drawn).count()).to.equal(100);
    await chord(['Control', 'Shift'], 'Z');
    expect(session.store.state.structures.map((s) => s.name)).to.deep.equal(names);
  });

  it('takes a RELATIVE dose with the plan stating its prescription: the same Gy, isodoses in % of the prescription', async () => {
    const session = app.session!;
    const relative = edited(await bytesOf(1), 'RD.relative.dcm', (ds) => {
      ds['30040002'] = { vr: 'CS', Value: ['RELATIVE'] };
      ds['3004000E'] = { vr: 'DS', Value: [Number(ds['3004000E']!.Value![0]) / 60] };
    });
    const plan = edited(await bytesOf(137), 'RP.rx60.dcm', (ds, meta) => {
      ds['00080018'] = { vr: 'UI', Value: [DOSE_PLAN] };
      meta['00020003'] = { vr: 'UI', Value: [DOSE_PLAN] };
      ds['300A0010'] = { vr: 'SQ', Value: [{ '300A0012': { vr: 'IS', Value: [1] }, '300A0020': { vr: 'CS', Value: ['TARGET'] }, '300A0026': { vr: 'DS', Value: [60] } }] };
    });
    const before = session.dose!.volume;
    await app.openFiles([relative, plan]);
    await app.updateComplete;
    expect(session.dose!.volume, 'the RELATIVE dose is shown').to.not.equal(before);
    const select = part('dose-select') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent!.trim())).to.deep.equal(['PLAN · max 32.9 Gy · 1.dcm', 'PLAN · max 32.9 Gy · RD.relative.dcm']);
    expect(select.selectedIndex).to.equal(1);
    const prescriptions = [...app.shadowRoot!.querySelectorAll('[part="plan-summary"] .plan-prescription')].map(text);
    expect(prescriptions).to.deep.equal(['No prescription stated; 10 fractions', '60 Gy in 10 fractions (6 Gy per fraction)']);
    expect(text(part('isodose-levels'))).to.equal('107, 100, 95, 80, 50, 30 % of the 60 Gy prescription');
    expect(session.dose!.isodosesGy.map((g) => Math.round(g * 1000) / 1000)).to.deep.equal([64.2, 60, 57, 48, 30, 18]);
    await until(() => text(panel().shadowRoot!.querySelector('.dose-label')).endsWith('RD.relative.dcm') && !!row('GTV-1_2'), 'the DVHs of the RELATIVE dose');
    const cli = [155.7798, 30.371, 31.3954, 32.7421, 30.675, 30.755, 31.347, 32.372];
    cells('GTV-1_2').forEach((v, n) => expect(v, `GTV-1_2 column ${n + 1}`).to.be.closeTo(cli[n]!, 0.006));
  });
});
