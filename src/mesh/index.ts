/**
 * Labelmap → surface: the closed-surface representation of structures for the 3D view (marching cubes with
 * vtk.js's case table, windowed-sinc smoothing, normals, in patient coordinates), the isodose surfaces of a dose
 * grid, the worker-backed mesher and the controller that keeps surfaces current as masks change. The worker module
 * (mesh.worker.ts) is not exported: createSurfaceMesher starts it.
 */
export * from './marching-cubes.ts';
export * from './windowed-sinc.ts';
export * from './surface.ts';
export * from './isodose.ts';
export * from './mesher.ts';
export * from './surface-sync.ts';
