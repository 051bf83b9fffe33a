/**
 * The main thread's handle on surface meshing: a {@link Job} that meshes one structure (and one that builds a
 * dose's isodose surfaces) in a module Web
 * Worker (mesh.worker.ts) when the platform has Web Workers, and on the calling thread otherwise (Node: the
 * CLI and unit tests). Meshing yields between phases, so a cancel is honoured cooperatively; a worker that
 * ignores it for `hardCancelMs` is terminated and respawned on the next call.
 */
import type { Job } from '../jobs/job.ts';
import { createWorkerClient, type WorkerLike } from '../jobs/worker-rpc.ts';
import type { MeshWorkerApi } from './mesh.worker.ts';
import { meshIsodoses, type IsodoseRequest } from './isodose.ts';
import { meshStructure, type MeshRequest, type SurfaceMesh } from './surface.ts';

/** A meshing service; see {@link createSurfaceMesher}. */
export interface SurfaceMesher {
  /**
   * Meshes one structure. In worker mode the request's mask buffers (`mask.index`, `mask.pool`) are
   * transferred, not copied, and so are detached afterwards: pass a fresh `BinaryMask.serialize()`.
   */
  readonly mesh: Job<MeshRequest, SurfaceMesh>;
  /**
   * Builds the isodose surfaces of a dose grid (one per level). The request's dose is copied to the worker, not
   * transferred: the caller keeps showing it. A cancelled call stops after the level in progress and never
   * terminates the worker the structures share.
   */
  readonly isodoses: Job<IsodoseRequest, SurfaceMesh[]>;
  /** Where meshing runs. */
  readonly mode: 'worker' | 'main-thread';
  /** Terminates the worker; calls in flight reject with an AbortError. */
  dispose(): void;
}

/** Options of {@link createSurfaceMesher}. */
export interface SurfaceMesherOptions {
  /**
   * Starts the worker. The default loads mesh.worker.ts next to this module, which the dev server and Vite
   * (which bundles it) understand; an application that bundles differently passes its own.
   */
  readonly spawn?: () => WorkerLike;
  /** Mesh on the calling thread even where Web Workers exist (for debugging and profiling). */
  readonly mainThread?: boolean;
  /** How long a cancelled job may keep the worker busy before the worker is terminated. Default 2000 ms. */
  readonly hardCancelMs?: number;
}

/** The default worker: written as `new Worker(new URL(…, import.meta.url))` so bundlers find and bundle it. */
function spawnMeshWorker(): WorkerLike {
  return new Worker(new URL('./mesh.worker.ts', import.meta.url), { type: 'module', name: 'delineo-mesh' });
}

/**
 * Creates a {@link SurfaceMesher}. The worker starts lazily on the first call; create the mesher with the
 * view that needs it and dispose of it with the view.
 */
export function createSurfaceMesher(options: SurfaceMesherOptions = {}): SurfaceMesher {
  const canUseWorker = typeof Worker === 'function' || options.spawn !== undefined;
  if (options.mainThread || !canUseWorker) {
    return { mesh: meshStructure, isodoses: meshIsodoses, mode: 'main-thread', dispose() {} };
  }
  const client = createWorkerClient<MeshWorkerApi>(options.spawn ?? spawnMeshWorker, {
    hardCancel: { afterMs: options.hardCancelMs ?? 2000 },
  });
  return {
    mode: 'worker',
    mesh: (request, jobOptions) =>
      client.call('meshStructure', request, {
        ...jobOptions,
        transfer: [request.mask.index.buffer, request.mask.pool.buffer],
      }),
    isodoses: (request, jobOptions) => client.call('meshIsodoses', request, { ...jobOptions, hardCancel: false }),
    dispose: () => client.dispose(),
  };
}
