// The page of bench/load-nsclc.bench.ts: loads the files of an <input type=file> (set by puppeteer, so they
// are real disk-backed File objects as a file picker gives) with the app's loaders and reports timings.
import { createIoWorker, loadDicomSeries, type DicomLoadResult, type WorkerLike } from '../../src/index.ts';

interface Timing {
  readonly ms: number;
  readonly slices: number;
  readonly dims: string;
  readonly checksum: number;
}

const io = createIoWorker({ spawn: () => new Worker('./io.worker.js', { type: 'module' }) as unknown as WorkerLike });

function summarise(r: DicomLoadResult, ms: number): Timing {
  if (r.kind !== 'volume') throw new Error(`expected a volume, got ${r.kind}`);
  let h = 0;
  const d = r.volume.data;
  for (let x = 0; x < d.length; x += 97) h = (h * 31 + d[x]) | 0;
  return { ms, slices: r.volume.dimensions[2], dims: r.volume.dimensions.join('x'), checksum: h };
}

const files = (): File[] => [...((document.getElementById('files') as HTMLInputElement).files ?? [])];

/** Loads the picked files in the io worker (the app's path). */
async function loadInWorker(): Promise<Timing> {
  const t0 = performance.now();
  const r = await io.loadDicom(files());
  return summarise(r, performance.now() - t0);
}

/** Loads them on the main thread (for comparison: no worker hop, but the page is blocked). */
async function loadOnMainThread(): Promise<Timing> {
  const t0 = performance.now();
  const r = await loadDicomSeries(files());
  return summarise(r, performance.now() - t0);
}

Object.assign(globalThis, { loadInWorker, loadOnMainThread, benchReady: true });
