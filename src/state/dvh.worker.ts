// The DVH worker: holds one dose grid (sent once, by transfer) and computes structure DVHs against it, so that
// an edit's recomputation never blocks the page and never copies the dose again.
import { computeDvh, type Dvh } from '../domain/dvh.ts';
import type { ImageGeometry } from '../domain/geometry.ts';
import { BinaryMask, type SerializedMask } from '../domain/mask.ts';
import { Volume, type VolumeInit } from '../domain/volume.ts';
import { exposeJobs, withTransfer } from '../jobs/worker-rpc.ts';

let dose: Volume | null = null;

const dvhJobs = {
  async setDose(init: VolumeInit | null): Promise<Record<string, never>> {
    dose = init ? new Volume(init) : null;
    return {};
  },
  async dvh(request: { readonly mask: SerializedMask; readonly ct: ImageGeometry }): Promise<Dvh> {
    if (!dose) throw new Error('no dose is loaded in the DVH worker');
    const dvh = computeDvh(BinaryMask.deserialize(request.mask), request.ct, dose);
    const differentialCc = dvh.differentialCc.slice();
    return withTransfer({ ...dvh, differentialCc }, [differentialCc.buffer]);
  },
};

/** The jobs this worker exposes. */
export type DvhWorkerApi = typeof dvhJobs;

exposeJobs(dvhJobs);
