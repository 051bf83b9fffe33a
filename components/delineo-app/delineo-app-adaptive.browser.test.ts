// Adaptive RT in the app, on real anatomy: an OpenKBP head-and-neck CT (128³) is the planning CT with its clinical
// OARs; the "new CT" is that CT moved by a known rigid transform (2° and (6, −4, 3) mm), written as a DICOM series
// on another Frame of Reference. With the new CT open, loading the planning CT registers in the browser (elastix
// from the app's own files), adds every planning structure as AUTO with its provenance, shows the planning CT fused
// (Blend, Checkerboard: screenshot baselines), and the result can be approved and exported. Escape during the
// registration, and declining a different PatientID, leave the case as it was.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import { createIoWorker, createStructure, dice, eulerMatrix, parseRtstruct, resampleReference, Volume, warpMaskRigid, writeCtSeries, writeRtstruct, BinaryMask, type RegistrationTransform, type Structure } from '../../src/index.ts';
import { expectScreenshot } from '../../test/helpers/screenshot.ts';
import { centreOn, nextEvent } from '../../test/helpers/viewer.ts';
import type { DelineoJobProgressDetail } from '../events/delineo-job-progress.ts';
import './delineo-app.ts';
import type { DelineoApp } from './delineo-app.ts';

const KBP = '/raw/test-data/openkbp/validation/pt_201';
const OARS = ['Brainstem', 'SpinalCord', 'RightParotid', 'LeftParotid', 'Esophagus', 'Larynx', 'Mandible'];
const part = (el: DelineoApp, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

const fileOf = async (url: string) => new File([await (await fetch(url)).arrayBuffer()], url.split('/').pop()!);
const files = (buffers: readonly ArrayBuffer[], prefix: string) => buffers.map((b, n) => new File([b], `${prefix}${String(n).padStart(3, '0')}.dcm`));

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

describe('<delineo-app>: adaptive — register to the planning CT and propagate its structures', function () {
  this.timeout(240_000);
  let el: DelineoApp;
  let planning: File[];
  let otherPatient: File[];
  let newCt: File[];
  let known: RegistrationTransform;
  let truth: Map<string, BinaryMask>;
  const jobs: DelineoJobProgressDetail[] = [];

  before(async () => {
    const io = createIoWorker();
    const ct = (await io.loadVolumeFile(await fileOf(`${KBP}/ct.nii.gz`))).volume;
    const oar = (await io.loadVolumeFile(await fileOf(`${KBP}/oar.nii.gz`), { modality: 'SEG' })).volume;
    io.dispose();
    const reference = new Volume({ ...ct.geometry, data: ct.data, modality: 'CT', name: 'planning' });
    const written = writeCtSeries(reference, { patientId: 'KBP-201', patientName: 'Test^Adaptive', seriesDescription: 'Planning CT', studyDescription: 'Planning', date: new Date(2024, 0, 5), bodyPartExamined: 'HEADNECK' });
    const onRef = new Volume({ ...reference.geometry, data: reference.data, identity: written.identity });
    const structures: Structure[] = OARS.map((name, n) => createStructure({ name, color: [60 + 25 * n, 200 - 20 * n, 120], interpretedType: 'ORGAN', mask: BinaryMask.fromPredicate(oar.dimensions, (i, j, k) => oar.data[i + 128 * (j + 128 * k)] === n + 1) })).filter((s) => s.mask.count() > 0);
    const rs = writeRtstruct(onRef, structures, { seriesDescription: 'Planning structures' });
    planning = [...files(written.files, 'ref'), new File([rs.buffer], 'rs.dcm')];
    const other = writeCtSeries(reference, { patientId: 'SOMEONE-ELSE', seriesDescription: 'Planning CT', date: new Date(2024, 0, 5), bodyPartExamined: 'HEADNECK' });
    otherPatient = [...files(other.files, 'other'), new File([writeRtstruct(new Volume({ ...reference.geometry, data: reference.data, identity: other.identity }), structures).buffer], 'rs-other.dcm')];
    // The new CT: point p of it shows the planning CT at known(p).
    const centre = reference.indexToPatient([63.5, 63.5, 63.5]);
    known = { mode: 'rigid', rigid: eulerMatrix([0, 0, (2 * Math.PI) / 180], [6, -4, 3], centre) };
    const moved = resampleReference(reference, reference.geometry, known);
    newCt = files(writeCtSeries(moved, { patientId: 'KBP-201', patientName: 'Test^Adaptive', seriesDescription: 'Week 3 CT', date: new Date(2024, 1, 12), bodyPartExamined: 'HEADNECK' }).files, 'new');
    truth = new Map(structures.map((s) => [s.name, warpMaskRigid(s.mask, reference.geometry, reference.geometry, known.rigid)]));

    el = document.createElement('delineo-app');
    el.style.cssText = 'position: fixed; left: 0; top: 0; width: 1100px; height: 640px;';
    el.autosaveStorage = null;
    el.demo = 'none';
    el.modelPreload = 'none';
    el.append(Object.assign(document.createElement('div'), { slot: '3d' }));
    el.addEventListener('delineo-job-progress', (e) => jobs.push(e.detail));
    document.body.append(el);
    await el.updateComplete;
    await el.openFiles(newCt);
    expect(el.session?.volume.identity.seriesDescription).to.equal('Week 3 CT');
  });

  after(() => el.remove());

  it('Escape during the registration cancels it and leaves the case unchanged', async () => {
    const session = el.session!;
    const before = session.store.state.structures.length;
    jobs.length = 0;
    const loading = el.adaptive.loadReference(planning);
    const end = performance.now() + 60_000;
    while (!jobs.some((j) => j.operation === 'propagate' && j.stage === 'rigid')) {
      if (performance.now() > end) throw new Error(`no registration level reported: ${JSON.stringify(jobs.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    el.focus();
    await sendKeys({ press: 'Escape' });
    expect(await loading).to.equal(false);
    expect(jobs.at(-1)?.state).to.equal('cancelled');
    expect(el.session).to.equal(session);
    expect(session.store.state.structures.length).to.equal(before);
    expect(session.fusion).to.equal(null);
    expect(part(el, 'adaptive')).to.equal(null);
  });

  it('a planning CT of another PatientID asks first; declining changes nothing', async () => {
    const session = el.session!;
    const loading = el.adaptive.loadReference(otherPatient);
    const end = performance.now() + 60_000;
    let dialog: HTMLDialogElement | null = null;
    while (!(dialog = el.shadowRoot!.querySelector<HTMLDialogElement>('dialog[open]'))) {
      if (performance.now() > end) throw new Error('no question about the PatientID');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(dialog.textContent).to.contain('SOMEONE-ELSE').and.contain('KBP-201');
    [...dialog.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Cancel')!.click();
    expect(await loading).to.equal(false);
    expect(session.store.state.structures.length).to.equal(0);
    expect(session.fusion).to.equal(null);
  });

  it('adds every planning structure as AUTO with its provenance, fused in Blend and Checkerboard; approve and export', async () => {
    const session = el.session!;
    const propagated = nextEvent(el, 'delineo-propagate');
    expect(await el.adaptive.loadReference(planning)).to.equal(true);
    const detail = (await propagated).detail;
    const records = session.store.state.structures;
    expect(records.map((r) => r.name)).to.deep.equal([...truth.keys()]);
    for (const r of records) {
      expect(session.review.status(r.id), r.name).to.equal('auto');
      expect(r.provenance.source).to.equal('propagated from Planning CT, 20240105');
      const d = dice(session.store.mask(r.id).toDense(), truth.get(r.name)!.toDense());
      expect(d, `${r.name} against the planning structure moved by the known transform`).to.be.greaterThan(r.name === 'Esophagus' || r.name === 'SpinalCord' ? 0.7 : 0.8);
    }
    expect(detail.structureIds).to.deep.equal(records.map((r) => r.id));
    expect(detail.meanAbsHuAfter).to.be.lessThan(0.5 * detail.meanAbsHuBefore);
    expect(part(el, 'structure-list')!.shadowRoot!.textContent).to.match(/auto/i);
    const rows = part(el, 'propagated-volumes')!.querySelectorAll('tbody tr');
    expect(rows.length).to.equal(records.length);
    expect(part(el, 'registration-quality')!.textContent).to.match(/Mean \|ΔHU\| in the body\s*\d+ → \d+ HU/);

    // The review view: the axial slice through the mandible, Blend at 50 %, then a 15 mm checkerboard.
    const mandible = session.store.mask(records.find((r) => r.name === 'Mandible')!.id).bounds()!;
    const centre = session.volume.indexToPatient(mandible.min.map((lo, a) => Math.round((lo + mandible.max[a]) / 2)) as [number, number, number]);
    session.setCrosshair(centre);
    const axial = el.shadowRoot!.querySelector('delineo-mpr')!.shadowRoot!.querySelector('delineo-slice-view')!;
    await centreOn(axial, centre, 3);
    expect(session.fusion?.mode).to.equal('blend');
    await axial.frame();
    const overlay = () => axial.overlayCanvas.getContext('2d')!.getImageData(0, 0, axial.overlayCanvas.width, axial.overlayCanvas.height).data;
    const blended = overlay();
    await expectScreenshot(axial, 'adaptive-blend-axial');
    const checker = part(el, 'fusion-controls')!.querySelector<HTMLInputElement>('input[value="checkerboard"]')!;
    checker.focus();
    checker.click();
    await el.updateComplete;
    const square = part(el, 'fusion-square') as HTMLInputElement;
    square.value = '15';
    square.dispatchEvent(new Event('change'));
    expect(session.fusion?.mode).to.equal('checkerboard');
    expect(session.fusion?.checkerMm).to.equal(15);
    await axial.frame();
    const squares = overlay();
    let differing = 0;
    for (let n = 3; n < squares.length; n += 4) if (Math.abs(squares[n]! - blended[n]!) > 64) differing++;
    expect(differing / (squares.length / 4), 'the checkerboard draws the planning CT opaque in every other square, the blend translucent everywhere').to.be.greaterThan(0.1);
    await expectScreenshot(axial, 'adaptive-checkerboard-axial');

    // Approve each propagated structure, then export: no question, a dciodvfy-clean APPROVED structure set.
    for (const r of records) el.toggleApproval(r.id);
    expect(session.store.state.structures.every((r) => session.review.status(r.id) === 'approved')).to.equal(true);
    const exported = nextEvent(el, 'delineo-export');
    await el.exportRtstruct();
    const ex = (await exported).detail;
    const bytes = new Uint8Array(await ex.file.arrayBuffer());
    const report = (await executeServerCommand('delineo-dciodvfy', { base64: toBase64(bytes), name: ex.fileName })) as { errors: string[] };
    expect(report.errors, report.errors.join('\n')).to.deep.equal([]);
    const parsed = parseRtstruct(bytes, ex.fileName);
    expect(parsed.approval.status).to.equal('APPROVED');
    expect(parsed.frameOfReferenceUids).to.deep.equal([session.volume.identity.frameOfReferenceUid]);
    expect(parsed.rois.map((r) => r.name)).to.deep.equal([...truth.keys()]);
  });
});
