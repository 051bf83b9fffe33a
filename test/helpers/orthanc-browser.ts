// Browser-side access to the seeded Orthanc of scripts/wtr-orthanc.js, shared by the DICOMweb browser tests.
import { executeServerCommand } from '@web/test-runner-commands';
import type { Vec3 } from '../../src/index.ts';

/** The answer of `delineo-orthanc-start` (test/helpers/orthanc-seeded-node.ts). */
export interface SeededOrthanc {
  readonly dicomWebRoot: string;
  readonly username: string;
  readonly authorization: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly patientName: string;
  readonly patientId: string;
  readonly studyDescription: string;
  readonly seriesDescription: string;
  readonly instances: number;
  readonly phantom: { readonly dimensions: Vec3; readonly spacing: Vec3; readonly seed: number; readonly noiseHu: number };
  readonly timings: { readonly startMs: number; readonly seedMs: number };
}

/** Starts (or finds) the seeded Orthanc; the command answers `{ pending: true }` while start-up takes long. */
export async function seededOrthanc(): Promise<SeededOrthanc> {
  const t0 = performance.now();
  for (;;) {
    const r = await executeServerCommand<SeededOrthanc | { pending: true }, undefined>('delineo-orthanc-start');
    if (!('pending' in r)) {
      console.log(`Orthanc ready for the browser in ${(performance.now() - t0).toFixed(0)} ms (start ${r.timings.startMs} ms, seed ${r.timings.seedMs} ms)`);
      return r;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Polls `condition` every 25 ms until it holds, failing with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
