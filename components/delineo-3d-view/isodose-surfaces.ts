import { displayedIsodoses, isAbortError, type DoseDisplay, type SurfaceMesher, type SurfaceRenderer, type Volume } from '../../src/index.ts';

/**
 * Prefix of the isodose surfaces' ids in the renderer, which holds them beside the structures' surfaces. A
 * structure id is whatever its source gave (ROI numbers, UUIDs, names); none starts with this.
 */
export const ISODOSE_SURFACE_PREFIX = 'delineo-isodose:';

/** Opacity of the isodose surfaces: translucent, so nested levels and the organs inside them stay visible. */
export const ISODOSE_OPACITY = 0.3;

/** Where the isodose surfaces stand, for the view's status line. */
export type IsodoseStatus = { readonly kind: 'idle' } | { readonly kind: 'building' } | { readonly kind: 'failed'; readonly message: string };

/**
 * The 3D view's isodose surfaces: while they are switched on and the session shows a dose with isodose levels, one
 * translucent surface per level, coloured like the slice views' isodose lines. They are built in the meshing worker
 * (the structures' worker) when the dose or its levels change; a change of the wash range only recolours them. A
 * build that a newer dose or levels overtook is cancelled, and its result never shown.
 */
export class IsodoseSurfaces {
  readonly #renderer: () => SurfaceRenderer | null;
  readonly #mesher: () => SurfaceMesher | null;
  readonly #changed: () => void;
  #dose: DoseDisplay | null = null;
  #enabled = false;
  /** What the renderer shows: the dose volume and levels the surfaces were built from. */
  #shown: { readonly volume: Volume; readonly levels: string; readonly levelsGy: readonly number[] } | null = null;
  #job: { readonly volume: Volume; readonly levels: string; readonly controller: AbortController; readonly done: Promise<void> } | null = null;
  #status: IsodoseStatus = { kind: 'idle' };

  /** `changed`: the status or the levels shown changed (the host re-renders its controls and status). */
  constructor(host: { renderer: () => SurfaceRenderer | null; mesher: () => SurfaceMesher | null; changed: () => void }) {
    this.#renderer = host.renderer;
    this.#mesher = host.mesher;
    this.#changed = host.changed;
  }

  get status(): IsodoseStatus {
    return this.#status;
  }

  /** Whether the session shows a dose with isodose levels (what the surfaces would be built from). */
  get available(): boolean {
    return (this.#dose?.isodosesGy.length ?? 0) > 0;
  }

  /** The levels (Gy) whose surfaces are in the view, highest first as the dose display lists them. */
  get levelsShown(): readonly number[] {
    return this.#shown?.levelsGy ?? [];
  }

  /** Resolves when the surfaces match the dose and the switch (nothing is being built). */
  async settled(): Promise<void> {
    while (this.#job) await this.#job.done;
  }

  setDose(dose: DoseDisplay | null): void {
    this.#dose = dose;
    this.#sync();
  }

  setEnabled(on: boolean): void {
    this.#enabled = on;
    this.#sync();
  }

  /** Forgets the surfaces (the renderer removed every surface, or the view is unbound) and stops a build. */
  reset(): void {
    this.#job?.controller.abort();
    this.#job = null;
    this.#shown = null;
    this.#dose = null;
    this.#status = { kind: 'idle' };
  }

  #sync(): void {
    const dose = this.#dose;
    const wanted = this.#enabled && dose && dose.isodosesGy.length > 0 ? { volume: dose.volume, levels: dose.isodosesGy.join(',') } : null;
    const same = (x: { volume: Volume; levels: string } | null) => !!x && !!wanted && x.volume === wanted.volume && x.levels === wanted.levels;
    if (same(this.#shown) && !this.#job) {
      this.#recolour();
      return;
    }
    if (same(this.#job)) return;
    this.#job?.controller.abort();
    this.#job = null;
    if (!wanted || !dose) {
      this.#remove();
      this.#setStatus({ kind: 'idle' });
      return;
    }
    this.#build(dose, wanted.levels);
  }

  #build(dose: DoseDisplay, levels: string): void {
    const mesher = this.#mesher();
    if (!mesher) return;
    const controller = new AbortController();
    const volume = dose.volume;
    const levelsGy = dose.isodosesGy;
    // The worker gets a copy (structured clone): the dose stays with the slice views and the DVHs.
    const data = volume.data instanceof Float32Array ? volume.data : Float32Array.from(volume.data);
    const done = mesher
      .isodoses({ dose: data, geometry: volume.geometry, levelsGy }, { signal: controller.signal })
      .then(
        (meshes) => {
          if (this.#job?.controller !== controller) return;
          const renderer = this.#renderer();
          if (!renderer) return;
          this.#remove();
          meshes.forEach((mesh, n) => renderer.setSurface(`${ISODOSE_SURFACE_PREFIX}${n}`, mesh, { color: [255, 255, 255], opacity: ISODOSE_OPACITY, visible: true }));
          this.#shown = { volume, levels, levelsGy };
          this.#recolour();
          this.#status = { kind: 'idle' };
        },
        (error: unknown) => {
          if (this.#job?.controller !== controller || isAbortError(error)) return;
          this.#status = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
        },
      )
      .finally(() => {
        if (this.#job?.controller === controller) this.#job = null;
        this.#changed();
      });
    this.#job = { volume, levels, controller, done };
    this.#setStatus({ kind: 'building' });
  }

  /** Colours the surfaces shown like the slice views' isodose lines of the current display (its wash range). */
  #recolour(): void {
    const renderer = this.#renderer();
    const dose = this.#dose;
    if (!renderer || !dose || !this.#shown) return;
    displayedIsodoses(dose).forEach((level, n) => renderer.setAppearance(`${ISODOSE_SURFACE_PREFIX}${n}`, { color: level.color, opacity: ISODOSE_OPACITY, visible: true }));
  }

  #remove(): void {
    const renderer = this.#renderer();
    if (renderer) for (const id of renderer.surfaceIds) if (id.startsWith(ISODOSE_SURFACE_PREFIX)) renderer.removeSurface(id);
    if (this.#shown) {
      this.#shown = null;
      this.#changed();
    }
  }

  #setStatus(status: IsodoseStatus): void {
    this.#status = status;
    this.#changed();
  }
}
