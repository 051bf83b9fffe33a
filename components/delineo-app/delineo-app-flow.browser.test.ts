// The whole clinical flow in <delineo-app>, driven as a user drives it (buttons, keys, mouse strokes) on the
// built-in phantom: demo → auto-contour (rules, in the worker, with progress) → review (QA, change measures) →
// edit with the brush → approve every structure → export the RTSTRUCT, checked with dciodvfy (dicom3tools, run
// by a server command) and imported back onto the CT. Also: cancel, a bad file, the help panel. With
// DOC_SCREENSHOTS=1 each stage is written to docs/screenshots/flow-*.png for the README. Also: the execution
// provider settings (inference-provider, inference-threads) with a small ONNX test network.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { executeServerCommand, sendKeys, sendMouse } from '@web/test-runner-commands';
import { dice, generatePhantom, importRtstruct, Volume, type Vec3, ViewerSession } from '../../src/index.ts';
import { boxCtInit } from '../../test/helpers/box-ct.ts';
import { captureElement } from '../../test/helpers/screenshot.ts';
import { chord, frames, nextEvent as next, partOf as part } from '../../test/helpers/viewer.ts';
import type { DelineoSliceView } from '../delineo-slice-view/delineo-slice-view.component.ts';
import type { DelineoReviewPanel } from '../delineo-review-panel/delineo-review-panel.component.ts';
import type { DelineoAutoContourEvent } from '../events/delineo-auto-contour.ts';
import type { DelineoExportEvent } from '../events/delineo-export.ts';
import type { DelineoJobProgressDetail } from '../events/delineo-job-progress.ts';
import type { DelineoErrorEvent } from '../events/delineo-error.ts';
import type { DelineoModelReadyEvent } from '../events/delineo-model-ready.ts';
import type { AppModel } from './app-models.ts';
import { SHORTCUTS } from './shortcuts.ts';
import './delineo-app.ts';
import type { DelineoApp } from './delineo-app.ts';

async function mountDemo(): Promise<DelineoApp> {
  const withSurfaces = await docScreenshotsEnabled();
  const el = document.createElement('delineo-app');
  el.style.cssText = 'position: fixed; left: 0; top: 0; width: 1000px; height: 600px;';
  el.autosaveStorage = null; // the test must not leave IndexedDB entries behind, nor find earlier ones
  if (!withSurfaces) el.append(Object.assign(document.createElement('div'), { slot: '3d' }));
  const loaded = next(el, 'delineo-volume-load');
  document.body.append(el);
  await loaded;
  await el.updateComplete;
  return el;
}

/**
 * The 3D view (every structure re-meshed after each edit, rendered by SwiftShader on the CPU) has its own tests
 * (delineo-3d-view.browser.test.ts); here it would only add minutes of CPU on a 2-core CI machine, so the flow
 * runs with an empty element in the app's `3d` slot — except when the README's screenshots are made
 * (`DOC_SCREENSHOTS=1 WTR_FILES=components/delineo-app/delineo-app-flow.browser.test.ts npx wtr`).
 */
async function docScreenshotsEnabled(): Promise<boolean> {
  return ((await executeServerCommand('delineo-doc-screenshot', { query: true })) as { enabled: boolean }).enabled;
}

/** An app on a smaller phantom (the same structures as the demo), for the tests that need no full-size CT. */
async function mountSmall(): Promise<DelineoApp> {
  const el = document.createElement('delineo-app');
  el.style.cssText = 'position: fixed; left: 0; top: 0; width: 1000px; height: 600px;';
  el.autosaveStorage = null;
  el.demo = 'none';
  el.append(Object.assign(document.createElement('div'), { slot: '3d' }));
  const ph = generatePhantom({ dimensions: [192, 192, 64], spacing: [2.6, 2.6, 4.4] });
  el.session = ViewerSession.withStructures(ph.volume, ph.structures.filter((s) => ['GTV', 'Heart', 'SpinalCord', 'Esophagus'].includes(s.name)));
  document.body.append(el);
  await el.updateComplete;
  return el;
}

/** The tiny 3D test network (soft tissue and bone), as an app offers a model. */
const TINY_3D: AppModel = { id: 'tiny-3d', name: 'Tiny 3D test network', description: 'Soft tissue and bone (a test network)', manifestUrl: '/test/fixtures/models/tiny-3d/manifest.json' };

/** An app (not yet on the page) without demo or autosave, offering one model, with these attributes. */
function appWithModel(model: AppModel, attributes: Record<string, string> = {}): DelineoApp {
  const app = document.createElement('delineo-app');
  app.style.cssText = 'position: fixed; left: 0; top: 0; width: 1000px; height: 600px;';
  app.autosaveStorage = null;
  app.demo = 'none';
  for (const [name, value] of Object.entries(attributes)) app.setAttribute(name, value);
  app.append(Object.assign(document.createElement('div'), { slot: '3d' }));
  app.models = [model];
  return app;
}

/** Writes a README screenshot when DOC_SCREENSHOTS=1; otherwise takes none (a page screenshot costs seconds). */
async function docScreenshot(el: Element, name: string): Promise<void> {
  if (!(await docScreenshotsEnabled())) return;
  const { png } = await captureElement(el);
  await executeServerCommand('delineo-doc-screenshot', { name, png });
}

function axialView(el: DelineoApp): DelineoSliceView {
  const mpr = part(el, 'viewport');
  return mpr.shadowRoot!.querySelector<DelineoSliceView>('delineo-slice-view[orientation="axial"]')!;
}

async function panelSettled(panel: DelineoReviewPanel): Promise<void> {
  await new Promise((r) => setTimeout(r, panel.settleMs + 50));
  await panel.updateComplete;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

describe('<delineo-app> clinical flow on the phantom', function () {
  this.timeout(300000);
  let el: DelineoApp | null = null;
  afterEach(() => {
    el?.remove();
    el = null;
  });

  it('demo → auto-contour → review → edit → approve → export, and the RTSTRUCT validates and imports back', async () => {
    el = await mountDemo();
    const session = el.session!;
    const store = session.store;
    expect(store.state.structures.map((s) => s.name)).to.deep.equal(['SpinalCord', 'Heart', 'Esophagus', 'GTV']);
    expect(part<HTMLSelectElement>(el, 'model-select').value, 'the demo offers the rule-based model').to.equal('ct-external-lungs-bones');
    await docScreenshot(el, 'flow-1-demo');

    // Auto-contour: progress is shown and reported, the structures arrive as one undo step for review.
    const states: DelineoJobProgressDetail[] = [];
    let progressShown = false;
    el.addEventListener('delineo-job-progress', (e) => {
      states.push(e.detail);
      if (e.detail.state === 'running' && el!.shadowRoot!.querySelector('[part~="progress"]')) progressShown = true;
    });
    const done = next(el, 'delineo-auto-contour');
    // The result is announced after the job has ended, so a listener may start the next operation at once.
    let stateWhenAnnounced = '';
    el.addEventListener('delineo-auto-contour', () => (stateWhenAnnounced = states.at(-1)!.state), { once: true });
    part(el, 'run-button').click();
    await el.updateComplete;
    expect(part(el, 'progress'), 'a progress row with Cancel while it runs').to.not.equal(null);
    expect(part(el, 'cancel-button').textContent).to.contain('Cancel');
    const { detail } = (await done) as DelineoAutoContourEvent;
    expect(detail.modelId).to.equal('ct-external-lungs-bones');
    expect(progressShown).to.equal(true);
    await el.updateComplete;
    expect(states.at(-1)!.state).to.equal('done');
    expect(stateWhenAnnounced, 'delineo-auto-contour comes after the job reported done').to.equal('done');
    expect(part(el, 'progress'), 'the progress row is gone').to.equal(null);
    expect(states.some((s) => s.stage === 'rules' && s.total > 0)).to.equal(true);
    const names = store.state.structures.map((s) => s.name);
    expect(names).to.deep.equal(['SpinalCord', 'Heart', 'Esophagus', 'GTV', 'External', 'Lung_L', 'Lung_R', 'Bone']);
    expect(detail.structureIds).to.have.length(4);
    for (const id of detail.structureIds) {
      expect(store.record(id).provenance).to.deep.include({ algorithm: 'AUTOMATIC', source: 'ct-external-lungs-bones' });
      expect(session.review.status(id)).to.equal('auto');
    }
    expect(store.state.undoLabel).to.match(/^Auto-contour/);
    await el.updateComplete;
    expect(part(el, 'message').textContent).to.match(/4 structures from .* in [\d.]+ s .*review each, then approve/);

    // Review aids: the QA checks run over the whole set; nothing on the phantom is outside the body or on the wrong side.
    const panel = part<DelineoReviewPanel>(el, 'review-panel');
    await panelSettled(panel);
    const findings = panel.qaResults!;
    expect(findings, 'QA ran').to.not.equal(null);
    expect(findings.filter((f) => f.kind === 'wrong-side' || f.kind === 'outside-external'), JSON.stringify(findings.map((f) => f.message))).to.deep.equal([]);
    await docScreenshot(el, 'flow-2-auto-contoured');

    // Edit: select Lung_L in the list (the app jumps to it), take the brush (key B) and paint outward from inside it.
    const lungL = store.state.structures.find((s) => s.name === 'Lung_L')!.id;
    const list = part(el, 'structure-list');
    const row = [...list.shadowRoot!.querySelectorAll<HTMLElement>('[role="option"]')].find((r) => r.textContent!.includes('Lung_L'))!;
    row.click();
    await el.updateComplete;
    expect(store.state.activeId).to.equal(lungL);
    row.focus();
    await sendKeys({ press: 'b' });
    expect(session.tool.tool).to.equal('brush');
    session.setTool({ radiusMm: 6 });
    const view = axialView(el);
    await view.frame();
    const k = Math.round(session.volume.patientToIndex(session.crosshair.position)[2]);
    const plane = store.mask(lungL).readAxial(k);
    // The lateral edge of the lung on this slice (largest i: patient left is +x, and i runs along +x here).
    const [nx] = session.volume.dimensions;
    let edge = -1;
    let edgeJ = 0;
    for (let p = 0; p < plane.length; p++) if (plane[p] && p % nx > edge) [edge, edgeJ] = [p % nx, Math.floor(p / nx)];
    const inside: Vec3 = session.volume.indexToPatient([edge - 6, edgeJ, k]);
    const outside: Vec3 = session.volume.indexToPatient([edge + 6, edgeJ, k]);
    const a = view.patientToClient(inside)!;
    const b = view.patientToClient(outside)!;
    const before = store.mask(lungL).count();
    await sendMouse({ type: 'move', position: [Math.round(a[0]), Math.round(a[1])] });
    await sendMouse({ type: 'down' });
    for (let t = 1; t <= 6; t++) await sendMouse({ type: 'move', position: [Math.round(a[0] + ((b[0] - a[0]) * t) / 6), Math.round(a[1] + ((b[1] - a[1]) * t) / 6)] });
    await sendMouse({ type: 'up' });
    await frames(2);
    expect(store.mask(lungL).count(), 'the stroke added voxels').to.be.greaterThan(before);
    expect(store.record(lungL).provenance.algorithm).to.equal('SEMIAUTOMATIC');
    expect(session.review.status(lungL)).to.equal('edited');
    await panelSettled(panel);
    const metrics = session.review.metrics(lungL);
    expect(metrics.addedPathLengthMm!).to.be.greaterThan(5).and.lessThan(200);
    expect(metrics.addedSlices).to.equal(1);
    expect(metrics.surfaceDice!).to.be.lessThan(1).and.greaterThan(0.9);
    expect(part(panel, 'status').textContent).to.match(/Edited/);
    expect(part(panel, 'metrics').textContent).to.match(/Added path length\s*\d+ mm on 1 slice/);
    await docScreenshot(el, 'flow-3-review');

    // Approve every structure from the keyboard: A approves the selected one, "." goes to the next to review.
    for (let n = 0; n < names.length; n++) {
      await sendKeys({ press: 'a' });
      await sendKeys({ press: '.' });
    }
    expect(store.state.structures.every((s) => s.approved), 'all approved').to.equal(true);
    await el.updateComplete;
    expect(part(el, 'status').textContent).to.match(/ · 8 of 8 structures approved$/);
    expect(part(el, 'message').textContent).to.equal('Every structure is approved');

    // An approved structure refuses edits, with the reason shown.
    store.setActive(lungL);
    const refused = next(el, 'delineo-edit-refuse', 10000);
    await sendMouse({ type: 'click', position: [Math.round(a[0]), Math.round(a[1])] });
    expect((await refused).detail.message).to.match(/Lung_L is approved/);

    // Export: the download's bytes are a valid RT Structure Set that imports back onto the CT.
    const exported = next(el, 'delineo-export');
    await chord(['Control'], 's');
    const ex = (await exported) as DelineoExportEvent;
    expect(ex.detail.destination).to.equal('download');
    expect(ex.detail.fileName).to.match(/^RS_DELINEO-PHANTOM-\d+_\d{8}-\d{6}\.dcm$/);
    expect(ex.detail.structureNames).to.deep.equal(names);
    expect(ex.detail.unapprovedNames).to.deep.equal([]);
    const bytes = new Uint8Array(await ex.detail.file.arrayBuffer());
    const report = (await executeServerCommand('delineo-dciodvfy', { base64: toBase64(bytes), name: ex.detail.fileName })) as { errors: string[]; warnings: string[] };
    expect(report.errors, report.errors.join('\n')).to.deep.equal([]);
    const back = importRtstruct(bytes, session.volume, { file: ex.detail.fileName });
    expect(back.structures.map((s) => s.name)).to.deep.equal(names);
    for (const s of back.structures) {
      const mine = store.structures().find((x) => x.name === s.name)!;
      expect(dice(s.mask.toDense(), mine.mask.toDense()), s.name).to.be.greaterThan(0.999);
    }
    await el.updateComplete;
    const notices = [...el.shadowRoot!.querySelectorAll('[part~="notice"]')].map((n) => n.textContent);
    expect(notices.at(-1)).to.contain(`Exported 8 structures as ${ex.detail.fileName}`);
    await docScreenshot(el, 'flow-4-exported');
  });

  it('cancels an auto-contouring run: nothing is added and the app says so', async () => {
    el = await mountSmall();
    const store = el.session!.store;
    const before = store.state.structures.map((s) => s.id);
    const cancelled = new Promise<void>((resolve) => el!.addEventListener('delineo-job-progress', (e) => e.detail.state === 'cancelled' && resolve()));
    const started = new Promise<void>((resolve) => el!.addEventListener('delineo-job-progress', (e) => e.detail.state === 'running' && resolve(), { once: true }));
    part(el, 'run-button').click();
    await started;
    await el.updateComplete;
    part(el, 'cancel-button').click();
    await cancelled;
    await el.updateComplete;
    expect(store.state.structures.map((s) => s.id)).to.deep.equal(before);
    expect(part(el, 'progress')).to.equal(null);
    expect(part(el, 'message').textContent).to.match(/^Cancelled: Auto-contouring/);
  });

  it('runs ONNX models where inference-provider and inference-threads say, a changed setting taking effect on the next run, and says why WebGPU was not used', async () => {
    const app = appWithModel(TINY_3D, { 'inference-provider': 'wasm', 'inference-threads': '1' });
    el = app;
    app.volume = new Volume(boxCtInit());
    document.body.append(app);
    await app.updateComplete;
    const run = async () => {
      const done = next(app, 'delineo-auto-contour');
      await app.autoContour('tiny-3d');
      return ((await done) as DelineoAutoContourEvent).detail.provider;
    };
    expect(await run()).to.equal('onnxruntime-web wasm (1 thread)');
    app.inferenceThreads = 2;
    expect(await run()).to.equal('onnxruntime-web wasm (2 threads: 2 tile workers)');
    await app.updateComplete;
    expect(part(app, 'message').textContent).to.contain('(onnxruntime-web wasm (2 threads: 2 tile workers))');
    expect(app.session!.store.state.structures.map((s) => s.name)).to.include('Bone');
    // WebGPU asked for where it cannot start (this Chromium has no adapter): the run is on WASM, and the status says why.
    app.inferenceProvider = 'webgpu';
    expect(await run()).to.match(/^onnxruntime-web wasm \(\d+ threads: \d+ tile workers\)$/);
    await app.updateComplete;
    expect(part(app, 'message').textContent).to.match(/tile workers\): WebGPU could not start \(.+\), so WASM with \d+ threads as \d+ single-threaded tile workers\)/);
  });

  it('preloads the selected ONNX model once a CT is open, and the first auto-contour runs on the preloaded network', async () => {
    const app = appWithModel(TINY_3D, { 'inference-provider': 'wasm', 'inference-threads': '2' });
    el = app;
    document.body.append(app);
    await app.updateComplete;
    const ready = next(app, 'delineo-model-ready');
    app.volume = new Volume(boxCtInit());
    const { detail } = (await ready) as DelineoModelReadyEvent;
    expect(detail.modelId).to.equal('tiny-3d');
    expect(detail.modelVersion).to.equal('1.0.0');
    expect(detail.provider).to.equal('onnxruntime-web wasm (2 threads: 2 tile workers)');
    expect(detail.seconds).to.be.greaterThan(0);
    // The network's file is no longer where it was: a run that downloaded and started it again would fail.
    app.models = [{ ...TINY_3D, modelUrl: '/test/fixtures/models/tiny-3d/no-such-file.onnx' }];
    const done = next(app, 'delineo-auto-contour');
    let failed = '';
    app.addEventListener('delineo-error', (e) => (failed = e.detail.message), { once: true });
    await app.autoContour('tiny-3d');
    expect(failed).to.equal('');
    expect(((await done) as DelineoAutoContourEvent).detail.provider).to.equal(detail.provider);
    expect(app.session!.store.state.structures.map((s) => s.name)).to.include('Bone');
  });

  it('with model-preload="none" fetches nothing of a model until the user runs it', async () => {
    const manifestUrl = `/test/fixtures/models/tiny-3d/manifest.json?none=${Date.now()}`;
    // The app fetches the manifest on the main thread, as the first step of a preload or a run.
    const requested: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      requested.push(String(input instanceof Request ? input.url : input));
      return realFetch(input, init);
    };
    try {
      const app = appWithModel({ ...TINY_3D, manifestUrl }, { 'model-preload': 'none' });
      el = app;
      app.volume = new Volume(boxCtInit());
      document.body.append(app);
      await app.updateComplete;
      expect(app.session, 'a CT is open').to.not.equal(null);
      expect(requested.filter((u) => u.endsWith(manifestUrl))).to.deep.equal([]);
      const done = next(app, 'delineo-auto-contour');
      await app.autoContour('tiny-3d');
      await done;
      await app.updateComplete;
      expect(requested.filter((u) => u.endsWith(manifestUrl)), 'the run fetched it, and nothing preloaded it after the run').to.have.length(1);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('reports a file that is not an image as a notice naming it, keeping the case on screen', async () => {
    el = await mountSmall();
    const session = el.session!;
    const failed = next(el, 'delineo-error');
    await el.openFiles([new File([new Uint8Array(4000).fill(7)], 'notes.dcm')]);
    const { detail } = (await failed) as DelineoErrorEvent;
    expect(detail.operation).to.equal('open');
    expect(detail.message).to.contain('notes.dcm');
    await el.updateComplete;
    expect(el.session).to.equal(session);
    const notice = part(el, 'notice-error');
    expect(notice.getAttribute('role')).to.equal('alert');
    expect(notice.textContent).to.contain('Opening failed').and.contain('notes.dcm');
    notice.querySelector<HTMLButtonElement>('.dismiss')!.click();
    await el.updateComplete;
    expect(part(el, 'notice-error')).to.equal(null);
  });

  it('lists every shortcut in a help panel opened with ? and closed with Escape', async () => {
    el = await mountSmall();
    el.focus();
    await sendKeys({ press: '?' });
    const dialog = part<HTMLDialogElement>(el, 'help');
    expect(dialog.open).to.equal(true);
    expect(dialog.querySelectorAll('tbody tr')).to.have.length(SHORTCUTS.length);
    expect(dialog.textContent).to.contain('Approve the selected structure').and.contain('Next structure to review');
    await sendKeys({ press: 'Escape' });
    expect(dialog.open).to.equal(false);
  });

  it('adds a new structure ready to draw and to name', async () => {
    el = await mountSmall();
    const store = el.session!.store;
    part(el, 'new-structure-button').click();
    await el.updateComplete;
    const active = store.record(store.state.activeId!);
    expect(active.name).to.equal('Structure');
    expect(active.provenance.algorithm).to.equal('MANUAL');
    expect(el.session!.tool.tool).to.equal('brush');
    const list = part(el, 'structure-list');
    await (list as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    await frames(1);
    const input = list.shadowRoot!.querySelector<HTMLInputElement>('[part="rename-input"]');
    expect(input, 'its name is open for editing').to.not.equal(null);
    // A name given by an embedder is kept as it is while free, and made unique when taken.
    expect(store.record(el.newStructure('GTV_boost')!).name).to.equal('GTV_boost');
    expect(store.record(el.newStructure('GTV_boost')!).name).to.equal('GTV_boost_2');
  });
});
