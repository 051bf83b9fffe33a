// The meshing worker: serves meshStructure over the worker RPC (src/jobs/worker-rpc.ts). A module Web
// Worker spawned by createSurfaceMesher(); the surfaces go back by transfer, not by copy, since a lung's
// surface is a few megabytes of typed arrays and the main thread only hands them to vtk.js.
import type { JobOptions } from '../jobs/job.ts';
import { exposeJobs, withTransfer } from '../jobs/worker-rpc.ts';
import { meshIsodoses, type IsodoseRequest } from './isodose.ts';
import { EMPTY_SURFACE, meshStructure, type MeshRequest, type SurfaceMesh } from './surface.ts';

const meshJobs = {
  /** One structure's serialised mask → its closed surface in patient coordinates. */
  async meshStructure(request: MeshRequest, options: JobOptions): Promise<SurfaceMesh> {
    const mesh = await meshStructure(request, options);
    // The shared empty constant goes by (zero-byte) copy: transferring would detach its buffers here.
    if (mesh === EMPTY_SURFACE) return mesh;
    return withTransfer(mesh, [mesh.points.buffer, mesh.normals.buffer, mesh.polys.buffer]);
  },
  /** A dose grid → its isodose surfaces at the levels asked for, in patient coordinates. */
  async meshIsodoses(request: IsodoseRequest, options: JobOptions): Promise<SurfaceMesh[]> {
    const meshes = await meshIsodoses(request, options);
    const owned = meshes.filter((m) => m !== EMPTY_SURFACE);
    return withTransfer(meshes, owned.flatMap((m) => [m.points.buffer, m.normals.buffer, m.polys.buffer]));
  },
};

/** The jobs this worker exposes, for `createWorkerClient<MeshWorkerApi>`. */
export type MeshWorkerApi = typeof meshJobs;

exposeJobs(meshJobs);
