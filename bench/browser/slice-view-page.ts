// The page of bench/slice-view.bench.ts: one <delineo-slice-view> (axial) on a 512×512 CT, stepped through
// slices; reports how long each slice change takes to reach a finished frame (image + structure overlay).
import '../../components/delineo-slice-view/delineo-slice-view.ts';
import type { DelineoSliceView } from '../../components/delineo-slice-view/delineo-slice-view.component.ts';
import { ViewerSession } from '../../src/index.ts';
import { generatePhantom, importRtstruct, loadDicomSeries, type Structure, type Volume } from '../../src/index.ts';

interface CaseFigures {
  readonly ct: string;
  readonly structures: number;
  readonly canvas: string;
  /** setSlice + synchronous draw (vtk.js render + overlay) + gl.finish(): the work a slice change costs. */
  readonly workMs: number[];
  /** The same with every structure hidden: the image alone. */
  readonly imageOnlyMs: number[];
  /** ArrowUp key event → the view's next animation-frame draw done + gl.finish(): what a user waits for. */
  readonly keyToFrameMs: number[];
}

async function fetchFiles(names: readonly string[]): Promise<File[]> {
  return Promise.all(
    names.map(async (name) => {
      const r = await fetch(`/data/${name}`);
      if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
      return new File([await r.arrayBuffer()], name);
    }),
  );
}

async function nsclc(ctNames: readonly string[], rtstructName: string | null): Promise<{ volume: Volume; structures: Structure[] }> {
  const result = await loadDicomSeries(await fetchFiles(ctNames));
  if (result.kind !== 'volume') throw new Error('expected one CT series');
  let structures: Structure[] = [];
  if (rtstructName) {
    const [rt] = await fetchFiles([rtstructName]);
    structures = importRtstruct(new Uint8Array(await rt.arrayBuffer()), result.volume).structures;
  }
  return { volume: result.volume, structures };
}

function gl(view: DelineoSliceView): WebGL2RenderingContext {
  const canvas = view.shadowRoot!.querySelector<HTMLCanvasElement>('[part="viewport"] canvas:not([part="overlay"])')!;
  return canvas.getContext('webgl2')!;
}

async function measure(volume: Volume, structures: Structure[], label: string, steps: number): Promise<CaseFigures> {
  const session = ViewerSession.withStructures(volume, structures);
  session.setWindowLevel({ window: 1500, level: -600 });
  const view = document.createElement('delineo-slice-view');
  view.session = session;
  view.style.cssText = 'position: fixed; left: 0; top: 0; width: 600px; height: 620px;';
  document.body.append(view);
  await view.updateComplete;
  await view.frame();
  const context = gl(view);
  const nz = volume.dimensions[2];
  const first = Math.max(0, Math.floor(nz / 2) - Math.floor(steps / 2));
  const run = (): number[] => {
    const times: number[] = [];
    for (let n = 0; n < steps; n++) {
      const t0 = performance.now();
      view.setSlice(first + n);
      view.drawNow();
      context.finish();
      times.push(performance.now() - t0);
    }
    return times;
  };
  run(); // warm-up: JIT, first texture sampling paths
  const workMs = run();
  const keyToFrameMs: number[] = [];
  view.setSlice(first);
  await view.frame();
  for (let n = 0; n < steps; n++) {
    const t0 = performance.now();
    const drawn = view.frame();
    view.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true, composed: true, cancelable: true }));
    await drawn;
    context.finish();
    keyToFrameMs.push(performance.now() - t0);
  }
  for (const s of session.store.state.structures) session.store.update(s.id, { visible: false });
  const imageOnlyMs = run();
  const canvas = view.overlayCanvas;
  view.remove();
  return { ct: label, structures: structures.length, canvas: `${canvas.width}x${canvas.height}`, workMs, imageOnlyMs, keyToFrameMs };
}

/** Runs the benchmark; `ctNames` empty means no NSCLC data: only the phantom case runs. */
async function runBench(ctNames: string[], rtstructName: string | null, steps: number): Promise<CaseFigures[]> {
  const out: CaseFigures[] = [];
  if (ctNames.length) {
    const { volume, structures } = await nsclc(ctNames, rtstructName);
    out.push(await measure(volume, structures, `NSCLC LUNG1-001 ${volume.dimensions.join('x')}`, steps));
  }
  const phantom = generatePhantom({ dimensions: [512, 512, 134], spacing: [0.9765625, 0.9765625, 3] });
  out.push(await measure(phantom.volume, phantom.structures, 'phantom 512x512x134', steps));
  return out;
}

Object.assign(globalThis, { runBench, benchReady: true });
