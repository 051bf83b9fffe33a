import type { WorkerLike } from '../jobs/worker-rpc.ts';
import { createWorkerClient } from '../jobs/worker-rpc.ts';
import type { DvhCalculator } from './dose-review.ts';
import { mainThreadDvhCalculator } from './dose-review.ts';
import type { DvhWorkerApi } from './dvh.worker.ts';

/** The default worker, written so that bundlers find and bundle dvh.worker.ts. */
const spawnDvhWorker = (): WorkerLike => new Worker(new URL('./dvh.worker.ts', import.meta.url), { type: 'module', name: 'delineo-dvh' });

/**
 * A {@link DvhCalculator} in a Web Worker (where the platform has them; else on the calling thread). The dose
 * is copied to the worker once per `setDose`; each DVH sends only the structure's bricked mask.
 */
export function createDvhCalculator(options: { readonly spawn?: () => WorkerLike; readonly mainThread?: boolean } = {}): DvhCalculator {
  if (options.mainThread || (typeof Worker !== 'function' && !options.spawn)) return mainThreadDvhCalculator();
  const client = createWorkerClient<DvhWorkerApi>(options.spawn ?? spawnDvhWorker);
  return {
    setDose: async (dose) => {
      await client.call('setDose', dose ? { ...dose.geometry, data: dose.data.slice(), modality: dose.modality } : null, {});
    },
    dvh: (mask, ct) => {
      const serialized = mask.serialize();
      return client.call('dvh', { mask: serialized, ct }, { transfer: [serialized.index.buffer, serialized.pool.buffer] });
    },
    dispose: () => client.dispose(),
  };
}
