// The page of bench/layout-freeze.bench.ts: a <delineo-3d-view> showing the NSCLC chest's structures as surfaces,
// under a notice that appears and disappears (what the app's notices and progress row do); reports how long the
// main thread is held from each layout change to the next frame, and the longest task after it.
import '../../components/delineo-3d-view/delineo-3d-view.ts';
import { ViewerSession, importRtstruct, loadDicomSeries } from '../../src/index.ts';

async function fetchFile(name: string): Promise<File> {
  const r = await fetch(`/data/${name}`);
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
  return new File([await r.arrayBuffer()], name);
}

const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

async function runBench(ctNames: string[], rtstructName: string, toggles: number): Promise<{ structures: number; triangles: number; layoutToFrameMs: number[]; longestTaskAfterMs: number[] }> {
  const result = await loadDicomSeries(await Promise.all(ctNames.map(fetchFile)));
  if (result.kind !== 'volume') throw new Error('expected one CT series');
  const rt = await fetchFile(rtstructName);
  const structures = importRtstruct(new Uint8Array(await rt.arrayBuffer()), result.volume).structures;
  const session = ViewerSession.withStructures(result.volume, structures);
  const column = document.createElement('div');
  column.style.cssText = 'position: fixed; inset: 0; display: flex; flex-direction: column;';
  const notice = document.createElement('div');
  notice.textContent = 'A notice above the views';
  notice.style.cssText = 'height: 40px; flex: none; background: #333; color: #fff;';
  notice.hidden = true;
  const view = document.createElement('delineo-3d-view');
  view.style.cssText = 'flex: 1; min-height: 0;';
  column.append(notice, view);
  document.body.append(column);
  let triangles = 0;
  const meshed = new Promise<void>((resolve) =>
    view.addEventListener('delineo-surface-update', (e) => {
      triangles += e.detail.triangles;
      if (e.detail.pending === 0) resolve();
    }),
  );
  view.session = session;
  await meshed;
  for (let quick = 0; quick < 2; ) {
    const f0 = performance.now();
    await frame();
    quick = performance.now() - f0 < 100 ? quick + 1 : 0;
  }
  const longTasks: PerformanceEntry[] = [];
  new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({ entryTypes: ['longtask'] });
  const layoutToFrameMs: number[] = [];
  const longestTaskAfterMs: number[] = [];
  for (let n = 0; n < toggles; n++) {
    const seen = longTasks.length;
    const t0 = performance.now();
    notice.hidden = !notice.hidden;
    await frame();
    layoutToFrameMs.push(performance.now() - t0);
    // What happens after: the view's redraw once the size has settled.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    longestTaskAfterMs.push(Math.max(0, ...longTasks.slice(seen).map((t) => t.duration)));
    // Let the redraw finish on the (software) GPU before the next change: two quick frames in a row.
    for (let quick = 0; quick < 2; ) {
      const f0 = performance.now();
      await frame();
      quick = performance.now() - f0 < 100 ? quick + 1 : 0;
    }
  }
  return { structures: structures.length, triangles, layoutToFrameMs, longestTaskAfterMs };
}

Object.assign(globalThis, { runBench, benchReady: true });
