/**
 * Detail of `delineo-surface-update`: one structure's surface in the 3D view was rebuilt from its current
 * mask and is now shown. Small and serialisable — the mesh itself stays in the view.
 */
export interface DelineoSurfaceUpdateDetail {
  /** The structure's id in the structure set. */
  readonly structureId: string;
  /** The mask version the surface was built from (StructureRecord.maskVersion). */
  readonly maskVersion: number;
  /** Triangles of the surface; 0 for an empty structure. */
  readonly triangles: number;
  /** Time from the meshing request to the result, ms. */
  readonly elapsedMs: number;
  /** Structures still waiting for their surface after this one. */
  readonly pending: number;
}

/** Fired by `<delineo-3d-view>` when a structure's surface has been (re)built and is shown. Bubbles and crosses shadow roots. */
export type DelineoSurfaceUpdateEvent = CustomEvent<DelineoSurfaceUpdateDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-surface-update': DelineoSurfaceUpdateEvent;
  }
}
