#!/usr/bin/env node
// Adaptive RT on the 512×512×134 NSCLC chest in the real app (Vite dev server, headless Chromium): the planning CT
// is the clinical study (../shared/data/nsclc-lung1-001), the new CT that CT moved by a known rigid transform
// (1.5°, −1°, 3°; (6, −4, 3) mm, as src/cli/propagate.test.ts) and written as a DICOM series in the page. The new
// CT is opened, then "Adaptive → Load reference" with the study's files: registration in the browser, propagation,
// review view. Prints the job's time, the registration quality, the peak memory of Chromium's processes (the sum
// of their resident sets, sampled every 100 ms: an upper bound, shared pages counted once per process; it covers the
// workers and elastix's WebAssembly memory, which no JS heap figure does) and the page's JS heap; saves
// docs/screenshots/adaptive-review.png.
// Run: `node scripts/adaptive-nsclc.mjs`. scripts/doc-screenshots.mjs runs the same (runAdaptiveNsclc) for the docs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Sum of the resident sets (bytes) of `root` and every process below it. */
function treeRss(root) {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const children = new Map();
  for (const [pid, ppid] of rows) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const rss = new Map(rows.map(([pid, , kb]) => [pid, kb * 1024]));
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop();
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/**
 * Runs the adaptive flow on NSCLC in `page` (the app already shown); `browserPid` for the memory samples; `shot`
 * takes the picture. Resolves with the figures.
 */
export async function runAdaptiveNsclc(page, browserPid, shot) {
  await page.evaluate(async () => {
    const m = await import('/src/index.ts');
    const app = document.querySelector('delineo-app');
    const names = Array.from({ length: 137 }, (_, n) => `${n + 1}.dcm`);
    const planning = await Promise.all(names.map(async (n) => new File([await (await fetch(`/raw/test-data/nsclc-lung1-001/dicom/${n}`)).arrayBuffer()], n)));
    const io = m.createIoWorker();
    const ref = (await io.loadDicom(planning)).volume;
    io.dispose();
    const centre = ref.indexToPatient(ref.dimensions.map((n) => (n - 1) / 2));
    const deg = Math.PI / 180;
    const known = { mode: 'rigid', rigid: m.eulerMatrix([1.5 * deg, -1 * deg, 3 * deg], [6, -4, 3], centre) };
    const moved = m.resampleReference(ref, ref.geometry, known);
    const id = ref.identity;
    const written = m.writeCtSeries(new m.Volume({ ...moved.geometry, data: moved.data, identity: { patientId: id.patientId, patientName: id.patientName } }), { seriesDescription: 'Week 3 CT (planning CT moved)', bodyPartExamined: 'CHEST', date: new Date(2024, 1, 12) });
    await app.openFiles(written.files.map((b, n) => new File([b], `new${n}.dcm`)));
    window.__planning = planning;
  });
  const before = treeRss(browserPid);
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(browserPid))), 100);
  const started = Date.now();
  let result;
  try {
    result = await page.evaluate(async () => {
      const app = document.querySelector('delineo-app');
      const heap = () => performance.memory?.usedJSHeapSize ?? 0;
      let pageHeap = heap();
      const t = setInterval(() => (pageHeap = Math.max(pageHeap, heap())), 100);
      const event = new Promise((resolve) => app.addEventListener('delineo-propagate', (e) => resolve(e.detail), { once: true }));
      const ok = await app.adaptive.loadReference(window.__planning);
      clearInterval(t);
      delete window.__planning;
      if (!ok) throw new Error(`the adaptive job did not complete: ${app.shadowRoot.querySelector('[part~="notice"]')?.textContent ?? ''}`);
      const detail = await event;
      return { detail, pageHeap };
    });
  } finally {
    clearInterval(timer);
  }
  const seconds = (Date.now() - started) / 1000;
  await page.evaluate(() => {
    const app = document.querySelector('delineo-app');
    const { store, volume } = app.session;
    const gtv = store.state.structures.find((s) => s.name === 'GTV-1');
    store.setActive(gtv.id);
    const box = store.mask(gtv.id).bounds();
    app.session.setCrosshair(volume.indexToPatient(box.min.map((lo, a) => Math.round((lo + box.max[a]) / 2))));
    app.adaptive.setFusion({ mode: 'checkerboard', checkerMm: 30 });
    // The sidebar scrolls to the Adaptive section; the page itself stays at the top.
    const aside = app.shadowRoot.querySelector('[part~="sidebar"]');
    aside.scrollTop = aside.scrollHeight;
    window.scrollTo(0, 0);
  });
  await shot('adaptive-review');
  return { seconds, beforeBytes: before, peakBytes: peak, ...result };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { default: puppeteer } = await import('puppeteer-core');
  const { createServer } = await import('vite');
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
  const server = await createServer({ server: { port: 5199, strictPort: true, open: false }, logLevel: 'error' });
  await server.listen();
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, protocolTimeout: 900000, args: ['--no-sandbox', '--enable-unsafe-swiftshader', '--force-device-scale-factor=1', '--disable-gpu', '--enable-precise-memory-info'] });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto('http://localhost:5199/', { waitUntil: 'load', timeout: 180000 });
    await page.waitForFunction(() => document.querySelector('delineo-app')?.session?.store.state.structures.length === 4, { timeout: 180000 });
    const r = await runAdaptiveNsclc(page, browser.process().pid, async (name) => {
      await new Promise((res) => setTimeout(res, 4000));
      await page.screenshot({ path: `docs/screenshots/${name}.png` });
      console.log(`docs/screenshots/${name}.png`);
    });
    const mb = (b) => (b / 1024 / 1024).toFixed(0);
    const d = r.detail;
    console.log(`adaptive job (load planning CT, register, propagate ${d.structureIds.length} structures): ${r.seconds.toFixed(1)} s wall; the job's own clock ${d.seconds.toFixed(1)} s`);
    console.log(`mean |ΔHU| in the body ${d.meanAbsHuBefore.toFixed(1)} → ${d.meanAbsHuAfter.toFixed(1)} HU`);
    console.log(`Chromium processes' resident memory: ${mb(r.beforeBytes)} MB before, peak ${mb(r.peakBytes)} MB; the page's JS heap peak ${mb(r.pageHeap)} MB`);
    console.log(`volumes: ${d.volumes.map((v) => `${v.name} ${v.beforeCc.toFixed(1)}→${v.afterCc.toFixed(1)} cc`).join('; ')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}
