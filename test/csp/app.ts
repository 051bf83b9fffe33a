// The CSP page's script (app.html): records every Content-Security-Policy violation, checks that the policy is
// really in force (eval is blocked), then runs what the app and the library do in a browser — Lit elements,
// vtk.js WebGL slice views and 3D surfaces (meshing worker), itk-wasm on the main thread (interpolation) and
// in the io worker (reading an image file), onnxruntime-web in the segmentation worker — and reports to the
// test (csp.browser.test.ts) through `window.cspPage`.
import type { Delineo3dView, DelineoMpr } from '../../components/index.ts';
import { boxCtInit } from '../helpers/box-ct.ts';

/** A `securitypolicyviolation` event, in the fields worth reporting. */
export interface Violation {
  readonly directive: string;
  readonly blockedURI: string;
  readonly sourceFile: string;
  readonly line: number;
  readonly sample: string;
  /** The element an inline violation came from (its opening tag), if any. */
  readonly element: string | null;
}

/** What the page reports. */
export interface CspPageReport {
  violations: Violation[];
  /** `new Function(…)` threw an EvalError: the policy is in force. */
  evalBlocked: boolean | null;
  /** Each step's result, or its error message. */
  steps: Record<string, { ok: boolean; value?: unknown; error?: string }>;
  /** URLs of every resource the page fetched (Resource Timing), after all steps. */
  resources: string[];
  done: boolean;
}

// The dev server serves every module separately, many more than Resource Timing keeps by default (250).
performance.setResourceTimingBufferSize(100000);

const report: CspPageReport = { violations: [], evalBlocked: null, steps: {}, resources: [], done: false };
(window as unknown as { cspPage: CspPageReport }).cspPage = report;

document.addEventListener('securitypolicyviolation', (e) => {
  const origin = e.composedPath()[0];
  const element = origin instanceof Element ? origin.outerHTML.slice(0, origin.outerHTML.indexOf('>') + 1) : null;
  report.violations.push({ directive: e.effectiveDirective, blockedURI: e.blockedURI, sourceFile: e.sourceFile, line: e.lineNumber, sample: e.sample, element });
});

async function step(name: string, run: () => Promise<unknown> | unknown): Promise<void> {
  try {
    report.steps[name] = { ok: true, value: await run() };
  } catch (e) {
    report.steps[name] = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/** A small NRRD (8 × 8 × 4 shorts, LPS), to read through the io worker's itk-wasm pipeline. */
function nrrd(): Uint8Array {
  const header = ['NRRD0004', 'type: short', 'dimension: 3', 'space: left-posterior-superior', 'sizes: 8 8 4', 'space directions: (1.5,0,0) (0,1.5,0) (0,0,3)', 'space origin: (-6,-6,10)', 'encoding: raw', 'endian: little', '', ''].join('\n');
  const head = new TextEncoder().encode(header);
  const voxels = new Int16Array(8 * 8 * 4).map((_, n) => n - 100);
  const out = new Uint8Array(head.length + voxels.byteLength);
  out.set(head);
  out.set(new Uint8Array(voxels.buffer), head.length);
  return out;
}

async function main(): Promise<void> {
  // 1. The policy is in force: eval is refused (the violation this causes is expected; the test excludes it).
  try {
    report.evalBlocked = new Function('return 1')() !== 1;
  } catch (e) {
    report.evalBlocked = e instanceof EvalError;
  }

  // …in the page and in a worker it starts (the test server gives workers their creator's policy), while
  // WebAssembly compiles in both ('wasm-unsafe-eval').
  await step('wasm', async () => (await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))) instanceof WebAssembly.Module);
  await step('worker-probe', () => new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./eval-probe.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e) => {
      worker.terminate();
      resolve(e.data);
    };
    worker.onerror = (e) => reject(new Error(e.message || 'the probe worker failed'));
  }));

  // 2. The components and the core, loaded after the listener above so that nothing they do goes unseen.
  await import('../../components/index.ts');
  const core = await import('../../src/index.ts');

  // 3. The app on a phantom: Lit rendering, three vtk.js slice views.
  const phantom = core.generatePhantom({ dimensions: [160, 160, 56], spacing: [3.125, 3.125, 5] });
  const session = core.ViewerSession.withStructures(phantom.volume, phantom.structures);
  session.setCrosshair(phantom.anatomy.gtvCenter);
  const app = document.querySelector('delineo-app')!;
  app.session = session;
  await app.updateComplete;
  const part = (name: string) => app.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
  await step('mpr', async () => {
    const mpr = part('viewport') as unknown as DelineoMpr;
    await mpr.frame();
    return { axialSlice: mpr.views.axial.sliceIndex, slices: mpr.views.axial.slices };
  });
  await step('status', () => part('status')?.textContent?.trim() ?? null);

  // 4. The 3D view: surfaces meshed in a worker, drawn with WebGL, read back.
  await step('surfaces', async () => {
    const view = part('3d-view') as unknown as Delineo3dView;
    await view.whenSurfacesReady();
    const { data } = view.readPixels();
    const first = [data[0], data[1], data[2]];
    let differing = 0;
    for (let n = 0; n < data.length; n += 4) if (data[n] !== first[0] || data[n + 1] !== first[1] || data[n + 2] !== first[2]) differing++;
    return { differing, pixels: data.length / 4 };
  });

  // 5. itk-wasm on the main thread: morphological contour interpolation between two drawn slices.
  await step('interpolation', async () => {
    const id = session.store.add({ name: 'CSP test', color: [255, 160, 0] });
    const [cx, cy, cz] = session.volume.patientToIndex(phantom.anatomy.center).map(Math.round);
    session.store.editMask(id, 'Brush', (m) => {
      for (const k of [cz - 3, cz + 3]) for (let j = cy - 6; j <= cy + 6; j++) for (let i = cx - 6; i <= cx + 6; i++) if ((i - cx) ** 2 + (j - cy) ** 2 <= 36) m.set(i, j, k, true);
    });
    session.store.setActive(id);
    const r = await session.interpolateActive(2);
    return { changed: r.changed, middle: session.store.structure(id).mask.readAxial(cz).reduce((a, b) => a + b, 0) };
  });

  // 6. itk-wasm in the io worker: reading an image file.
  await step('io-worker', async () => {
    const io = core.createIoWorker();
    try {
      const r = await io.loadVolumeFile({ name: 'tiny.nrrd', data: nrrd() });
      return { dimensions: [...r.volume.dimensions], first: r.volume.data[0] };
    } finally {
      io.dispose();
    }
  });

  // 7. onnxruntime-web (WASM) in the segmentation worker: the tiny 3D test network on a small CT.
  await step('segmentation', async () => {
    const base = '/test/fixtures/models/tiny-3d/';
    const manifest = core.validateManifest(await (await fetch(`${base}manifest.json`)).json());
    const ct = new core.Volume(boxCtInit());
    const client = core.createSegmentClient(core.defaultSegmentWorker, '/raw/ort/');
    try {
      const r = await client.segment(ct, { manifest, url: `${base}model.onnx` });
      return { provider: r.provider, structures: r.structures.map((s) => [s.name, s.mask.count()]) };
    } finally {
      client.dispose();
    }
  });

  // Let late violation events and reports arrive before the page says it is done.
  await new Promise((resolve) => setTimeout(resolve, 300));
  report.resources = performance.getEntriesByType('resource').map((e) => e.name);
  report.done = true;
}

main().catch((e: Error) => {
  report.steps.main = { ok: false, error: `${e.name}: ${e.message}` };
  report.done = true;
});
