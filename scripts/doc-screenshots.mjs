#!/usr/bin/env node
// The README's pictures of each stage of the clinical flow, taken from the real app (`vite` dev server, the 3D
// view included) in Debian's headless Chromium driven through puppeteer-core (the driver @web/test-runner-chrome
// already brings). The same flow is asserted step by step by components/delineo-app/delineo-app-flow.browser.test.ts;
// this script only photographs it, and then the dose review on the NSCLC study (test/browser/nsclc-dose.browser.test.ts
// asserts it), and the adaptive review on the same study (scripts/adaptive-nsclc.mjs; components/delineo-app/
// delineo-app-adaptive.browser.test.ts asserts it on OpenKBP). Run: `node scripts/doc-screenshots.mjs` →
// docs/screenshots/flow-*.png, dose-review.png and adaptive-review.png.
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { createServer } from 'vite';
import { runAdaptiveNsclc } from './adaptive-nsclc.mjs';

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const server = await createServer({ server: { port: 5198, strictPort: true, open: false }, logLevel: 'error' });
await server.listen();
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  protocolTimeout: 900000,
  args: ['--no-sandbox', '--enable-unsafe-swiftshader', '--force-device-scale-factor=1', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto('http://localhost:5198/', { waitUntil: 'load', timeout: 180000 });
  // Vite may re-optimise dependencies on the first visit and reload the page once: wait for a settled session.
  await page.waitForFunction(() => document.querySelector('delineo-app')?.session?.store.state.structures.length === 4, { timeout: 180000 });
  await new Promise((r) => setTimeout(r, 5000));
  const shot = async (name) => {
    await new Promise((r) => setTimeout(r, 4000)); // surfaces re-mesh in their worker, then render
    await page.screenshot({ path: `docs/screenshots/${name}.png` });
    console.log(`docs/screenshots/${name}.png`);
  };
  await shot('flow-1-demo');
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        const app = document.querySelector('delineo-app');
        app.addEventListener('delineo-auto-contour', resolve, { once: true });
        app.shadowRoot.querySelector('[part~="run-button"]').click();
      }),
  );
  await shot('flow-2-auto-contoured');
  // A clinician's correction of Lung_L (the test does it with the brush; here through the store, for a fixed picture).
  await page.evaluate(() => {
    const app = document.querySelector('delineo-app');
    const { store, volume } = app.session;
    const id = store.state.structures.find((s) => s.name === 'Lung_L').id;
    store.setActive(id);
    const slices = store.mask(id).axialSlicesWithData();
    const k = slices[Math.floor(slices.length / 2)];
    const [nx, ny] = volume.dimensions;
    const plane = store.mask(id).readAxial(k);
    let edge = -1;
    let edgeJ = 0;
    for (let p = 0; p < plane.length; p++) if (plane[p] && p % nx > edge) [edge, edgeJ] = [p % nx, Math.floor(p / nx)];
    store.editMask(id, 'Brush', (m) => {
      for (let j = Math.max(0, edgeJ - 8); j < Math.min(ny, edgeJ + 8); j++) for (let i = edge - 4; i < Math.min(nx, edge + 5); i++) if ((i - edge) ** 2 + (j - edgeJ) ** 2 < 64) m.set(i, j, k, true);
    });
    app.session.setCrosshair(volume.indexToPatient([edge, edgeJ, k]));
  });
  await shot('flow-3-review');
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        const app = document.querySelector('delineo-app');
        for (const s of app.session.store.state.structures) if (!s.approved) app.toggleApproval(s.id);
        app.addEventListener('delineo-export', resolve, { once: true });
        app.shadowRoot.querySelector('[part~="export-button"]').click();
      }),
  );
  await shot('flow-4-exported');
  await page.evaluate(() => document.querySelector('delineo-app').toggleHelp());
  await shot('flow-5-shortcuts');
  await page.evaluate(() => document.querySelector('delineo-app').toggleHelp());
  // Dose review: the NSCLC study (CT, structure set, plan, dose; ../shared/data) opened through the app's file
  // picker as a clinician would, the views centred on the GTV.
  const study = new URL('../../shared/data/nsclc-lung1-001/dicom/', import.meta.url).pathname;
  const picker = await page.evaluateHandle(() => document.querySelector('delineo-app').shadowRoot.querySelector('input[data-pick="files"]'));
  await picker.uploadFile(...Array.from({ length: 137 }, (_, n) => `${study}${n + 1}.dcm`));
  await page.waitForFunction(
    () => {
      const panel = document.querySelector('delineo-app').shadowRoot.querySelector('delineo-dvh-panel');
      return (panel?.shadowRoot?.querySelectorAll('tbody tr').length ?? 0) >= 8;
    },
    { timeout: 300000 },
  );
  await page.evaluate(() => {
    const app = document.querySelector('delineo-app');
    const { store, volume } = app.session;
    const gtv = store.state.structures.find((s) => s.name === 'GTV-1');
    store.setActive(gtv.id);
    const box = store.mask(gtv.id).bounds();
    app.session.setCrosshair(volume.indexToPatient(box.min.map((lo, a) => Math.round((lo + box.max[a]) / 2))));
    // The notice of the files' defects is read; the sidebar shows the dose section (DVHs, plan) in the picture.
    app.shadowRoot.querySelector('[part~="dvh-panel"]').scrollIntoView({ block: 'end' });
  });
  await shot('dose-review');
  await runAdaptiveNsclc(page, browser.process().pid, shot);
} finally {
  await browser.close();
  await server.close();
}
