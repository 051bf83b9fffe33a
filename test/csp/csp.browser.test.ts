// <delineo-app> and the library's browser paths under the Content-Security-Policy we recommend (docs/security.md):
// test/csp/app.html is served with RECOMMENDED_CSP (scripts/wtr-csp.js) — no 'unsafe-eval', no inline script or
// style — and its workers get the same policy. In an iframe, the page renders the phantom in the slice views and
// the 3D view, interpolates with itk-wasm, reads a file in the io worker and segments with onnxruntime-web, with
// no violation reported by the page or (through report-uri) by its workers, and fetches nothing from another origin.
import '../helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { RECOMMENDED_CSP } from '../../scripts/wtr-csp.js';
import type { CspPageReport, Violation } from './app.ts';

/** A report as Chromium posts it to report-uri. */
interface PostedReport {
  'csp-report'?: { 'blocked-uri'?: string; 'source-file'?: string; 'violated-directive'?: string; 'effective-directive'?: string };
}

const PAGE = '/test/csp/app.html';

async function waitFor<T>(read: () => T | null | undefined | false, what: string, timeoutMs: number): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = read();
    if (v) return v;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The eval probes of the page and of its probe worker: the violations that must happen. */
const isEvalProbe = (v: { blocked: string; source: string }) => v.blocked === 'eval' && /\/test\/csp\/(app\.ts|eval-probe\.worker\.ts)/.test(v.source);

describe('under a strict Content-Security-Policy', function () {
  this.timeout(300000);
  let frame: HTMLIFrameElement;
  let page: CspPageReport;

  before(async () => {
    await fetch('/__csp-reports', { method: 'DELETE' });
    frame = document.createElement('iframe');
    frame.style.cssText = 'position: fixed; left: 0; top: 0; width: 1000px; height: 600px; border: 0;';
    frame.src = PAGE;
    document.body.append(frame);
    page = await waitFor(() => {
      const r = (frame.contentWindow as (Window & { cspPage?: CspPageReport }) | null)?.cspPage;
      return r?.done ? r : null;
    }, 'the CSP page', 240000);
  });

  after(() => frame?.remove());

  it('serves the page with the recommended policy, which has no unsafe-eval and no unsafe-inline', async () => {
    const res = await fetch(PAGE);
    const header = res.headers.get('Content-Security-Policy')!;
    expect(header.startsWith(RECOMMENDED_CSP)).to.equal(true);
    expect(header).to.not.match(/'unsafe-eval'|'unsafe-inline'/);
    expect(header).to.contain("'wasm-unsafe-eval'");
  });

  it('is in force: eval is blocked in the page and in its workers, WebAssembly compiles in both', () => {
    expect(page.evalBlocked).to.equal(true);
    expect(page.steps.wasm.value).to.equal(true);
    expect(page.steps['worker-probe'].value).to.deep.equal({ evalBlocked: true, wasm: true });
  });

  it('runs every step', () => {
    for (const [name, r] of Object.entries(page.steps)) expect(r.ok, `${name}: ${r.error}`).to.equal(true);
    expect(Object.keys(page.steps)).to.include.members(['mpr', 'status', 'surfaces', 'interpolation', 'io-worker', 'segmentation']);
  });

  it('renders the phantom: the status line shows its voxel grid, the views their slices', () => {
    expect(page.steps.status.value).to.contain('160 × 160 × 56 voxels');
    expect(page.steps.mpr.value).to.deep.include({ slices: 56 });
  });

  it('draws the structures\' surfaces with vtk.js (WebGL) from the meshing worker', () => {
    const { differing, pixels } = page.steps.surfaces.value as { differing: number; pixels: number };
    expect(differing / pixels).to.be.greaterThan(0.02);
  });

  it('runs itk-wasm on the main thread and in the io worker', () => {
    expect(page.steps.interpolation.value).to.deep.include({ changed: true });
    expect((page.steps.interpolation.value as { middle: number }).middle).to.be.greaterThan(20);
    expect(page.steps['io-worker'].value).to.deep.equal({ dimensions: [8, 8, 4], first: -100 });
  });

  it('runs onnxruntime-web in the segmentation worker', () => {
    const { provider, structures } = page.steps.segmentation.value as { provider: string; structures: [string, number][] };
    // Under the policy too the segmentation worker starts its tile workers (worker-src 'self'), not the fallback.
    expect(provider).to.match(/^onnxruntime-web wasm \(\d+ threads: \d+ tile workers\)$/);
    expect(structures.find(([name]) => name === 'Bone')![1]).to.be.greaterThan(100);
  });

  it('reports no violation in the page other than the eval probe', () => {
    const unexpected = page.violations.filter((v: Violation) => !isEvalProbe({ blocked: v.blockedURI, source: v.sourceFile }));
    expect(unexpected, JSON.stringify(unexpected)).to.deep.equal([]);
    expect(page.violations.length, 'the probe itself was reported').to.equal(1);
  });

  it('gave the policy to every worker the page started', async () => {
    const { served } = (await (await fetch('/__csp-reports')).json()) as { served: { url: string; dest: string }[] };
    const workers = served.filter((s) => s.dest === 'worker').map((s) => s.url);
    expect(workers).to.include.members(['/test/csp/eval-probe.worker.ts', '/src/mesh/mesh.worker.ts', '/src/io/io.worker.ts', '/src/inference/segment.worker.ts']);
  });

  it('receives no violation report from the page or its workers other than the eval probes', async () => {
    const { reports } = (await (await fetch('/__csp-reports')).json()) as { reports: PostedReport[] };
    const summary = reports.map((r) => ({ blocked: r['csp-report']?.['blocked-uri'] ?? '', source: r['csp-report']?.['source-file'] ?? '', directive: r['csp-report']?.['effective-directive'] ?? '' }));
    const unexpected = summary.filter((r) => !isEvalProbe(r));
    expect(unexpected, JSON.stringify(unexpected)).to.deep.equal([]);
    // report-uri works, from the page and from a worker (the probes' reports arrived).
    expect(summary.filter((r) => isEvalProbe(r) && /app\.ts/.test(r.source)).length, 'the page probe').to.be.greaterThan(0);
    expect(summary.filter((r) => isEvalProbe(r) && /eval-probe\.worker\.ts/.test(r.source)).length, 'the worker probe').to.be.greaterThan(0);
  });

  it('fetches only from its own origin', () => {
    const origin = frame.contentWindow!.location.origin;
    expect(page.resources.length).to.be.greaterThan(20);
    const foreign = page.resources.filter((url) => new URL(url).origin !== origin);
    expect(foreign).to.deep.equal([]);
    // The itk-wasm pipeline came from the origin, not from itk-wasm's default CDN. (What workers fetch is not
    // in the page's Resource Timing; a fetch elsewhere would have been refused by connect-src and reported.)
    expect(page.resources.some((url) => /\/raw\/itk\/morphological-contour-interpolation\//.test(url)), 'itk-wasm pipeline').to.equal(true);
  });
});
