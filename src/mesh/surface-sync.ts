/**
 * Keeps one surface per structure of a structure set up to date, without blocking the UI: a structure is
 * (re)meshed when it appears and when its `maskVersion` changes, after the edits pause for `debounceMs` (a
 * brush stroke bumps the version on every pointer event; meshing each would waste the worker), one
 * structure at a time so the first surfaces show early. A newer version cancels the job of an older one, and
 * a result that comes back for a version that is no longer current is discarded, so the view never shows a
 * surface older than one it already showed. Colour, name or visibility changes do not re-mesh: they are not
 * in the mask.
 *
 * Framework-free (rxjs only); the source is anything shaped like StructureSetStore, and the meshing Job is
 * injected (a worker via createSurfaceMesher in the app, a function in tests).
 */
import { BehaviorSubject, Subject, type Observable, type Subscription } from 'rxjs';
import type { ImageGeometry } from '../domain/geometry.ts';
import type { BinaryMask } from '../domain/mask.ts';
import { isAbortError, type Job, type Progress } from '../jobs/job.ts';
import type { MeshRequest, SurfaceMesh, SurfaceOptions } from './surface.ts';

/** What SurfaceSync reads from a structure set; StructureSetStore has this shape. */
export interface SurfaceSource {
  readonly geometry: ImageGeometry;
  readonly state$: Observable<{
    readonly structures: readonly { readonly id: string; readonly maskVersion: number }[];
  }>;
  mask(id: string): BinaryMask;
}

/** A structure's current surface. */
export interface StructureSurface {
  readonly id: string;
  /** The mask version the surface was built from. */
  readonly maskVersion: number;
  readonly mesh: SurfaceMesh;
  /** Wall-clock time the meshing took, request to result (ms). */
  readonly elapsedMs: number;
}

/** A change of the surfaces: one structure's surface replaced, or removed with its structure. */
export type SurfaceChange =
  | { readonly kind: 'update'; readonly surface: StructureSurface }
  | { readonly kind: 'remove'; readonly id: string };

/** Where meshing stands. Small and serialisable, for a status line or a progress bar. */
export interface SurfaceSyncStatus {
  /** Structures whose surface is out of date: waiting for edits to pause, queued, or being meshed. */
  readonly pending: readonly string[];
  /** The structure being meshed now and its latest progress, or null. */
  readonly active: { readonly id: string; readonly progress: Progress | null } | null;
  /** Structures whose current mask could not be meshed, with the reason. */
  readonly errors: Readonly<Record<string, string>>;
}

/** Options of {@link SurfaceSync}. */
export interface SurfaceSyncOptions {
  /** The meshing Job; it may transfer (detach) the request's mask buffers: each request gets its own copy. */
  readonly mesh: Job<MeshRequest, SurfaceMesh>;
  /** Quiet time after a mask change before it is re-meshed. Default 250 ms. New structures start at once. */
  readonly debounceMs?: number;
  /** Passed to every meshing request. */
  readonly surfaceOptions?: SurfaceOptions;
}

interface Entry {
  /** The structure's current mask version. */
  wanted: number;
  /** Version of the surface delivered, or null before the first. */
  shown: number | null;
  /** Version whose meshing failed (not retried until the mask changes again), or null. */
  failed: number | null;
  timer: ReturnType<typeof setTimeout> | null;
  queued: boolean;
  running: { version: number; controller: AbortController } | null;
}

/** Keeps the surfaces of a structure set current; see the module comment. */
export class SurfaceSync {
  readonly #source: SurfaceSource;
  readonly #mesh: Job<MeshRequest, SurfaceMesh>;
  readonly #debounceMs: number;
  readonly #surfaceOptions: SurfaceOptions | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #surfaces = new Map<string, StructureSurface>();
  readonly #errors = new Map<string, string>();
  readonly #queue: string[] = [];
  readonly #changes = new Subject<SurfaceChange>();
  readonly #status: BehaviorSubject<SurfaceSyncStatus>;
  readonly #subscription: Subscription;
  #active: { id: string; progress: Progress | null } | null = null;
  #idleWaiters: (() => void)[] = [];
  #disposed = false;

  /** Every surface change, in order. Subscribe before the first structures are meshed, or read `surfaces()`. */
  readonly changes$: Observable<SurfaceChange>;
  /** The meshing status; emits on every change of it (progress at most ~10 Hz per job). */
  readonly status$: Observable<SurfaceSyncStatus>;

  constructor(source: SurfaceSource, options: SurfaceSyncOptions) {
    this.#source = source;
    this.#mesh = options.mesh;
    this.#debounceMs = options.debounceMs ?? 250;
    this.#surfaceOptions = options.surfaceOptions;
    this.#status = new BehaviorSubject<SurfaceSyncStatus>({ pending: [], active: null, errors: {} });
    this.changes$ = this.#changes.asObservable();
    this.status$ = this.#status.asObservable();
    this.#subscription = source.state$.subscribe((state) => this.#onState(state.structures));
  }

  /** The current status. */
  get status(): SurfaceSyncStatus {
    return this.#status.value;
  }

  /** The surface of structure `id`, or undefined before its first meshing finished. */
  surface(id: string): StructureSurface | undefined {
    return this.#surfaces.get(id);
  }

  /** All current surfaces. */
  surfaces(): StructureSurface[] {
    return [...this.#surfaces.values()];
  }

  /** Resolves when no structure is pending (every surface is current or has failed). */
  whenIdle(): Promise<void> {
    if (this.#disposed || this.#pending().length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops listening, cancels pending and running work and completes the observables. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#subscription.unsubscribe();
    for (const entry of this.#entries.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.running?.controller.abort();
    }
    this.#entries.clear();
    this.#queue.length = 0;
    this.#changes.complete();
    this.#status.complete();
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #onState(structures: readonly { readonly id: string; readonly maskVersion: number }[]): void {
    if (this.#disposed) return;
    const seen = new Set<string>();
    for (const { id, maskVersion } of structures) {
      seen.add(id);
      const entry = this.#entries.get(id);
      if (!entry) {
        this.#entries.set(id, {
          wanted: maskVersion,
          shown: null,
          failed: null,
          timer: null,
          queued: false,
          running: null,
        });
        this.#enqueue(id);
      } else if (entry.wanted !== maskVersion) {
        entry.wanted = maskVersion;
        // The running job meshes a mask that no longer exists: stop it now rather than discard it later.
        entry.running?.controller.abort();
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = setTimeout(() => {
          entry.timer = null;
          this.#enqueue(id);
        }, this.#debounceMs);
      }
    }
    for (const id of [...this.#entries.keys()]) if (!seen.has(id)) this.#remove(id);
    this.#emitStatus();
  }

  #remove(id: string): void {
    const entry = this.#entries.get(id)!;
    if (entry.timer) clearTimeout(entry.timer);
    entry.running?.controller.abort();
    this.#entries.delete(id);
    const q = this.#queue.indexOf(id);
    if (q >= 0) this.#queue.splice(q, 1);
    this.#errors.delete(id);
    if (this.#surfaces.delete(id)) this.#changes.next({ kind: 'remove', id });
  }

  #enqueue(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry || entry.queued) return;
    entry.queued = true;
    this.#queue.push(id);
    this.#pump();
    this.#emitStatus();
  }

  /** Starts the next queued structure when nothing is running (one job at a time). */
  #pump(): void {
    while (!this.#active && this.#queue.length > 0) {
      const id = this.#queue.shift()!;
      const entry = this.#entries.get(id)!;
      entry.queued = false;
      if (entry.shown === entry.wanted || entry.failed === entry.wanted) continue;
      this.#start(id, entry);
    }
  }

  #start(id: string, entry: Entry): void {
    const version = entry.wanted;
    const controller = new AbortController();
    const running = { version, controller };
    entry.running = running;
    const active = { id, progress: null as Progress | null };
    this.#active = active;
    const started = performance.now();
    let request: MeshRequest;
    try {
      // serialize() copies the bricks: the job may transfer the copy to a worker while edits continue here.
      request = {
        mask: this.#source.mask(id).serialize(),
        geometry: this.#source.geometry,
        options: this.#surfaceOptions,
      };
    } catch (error) {
      this.#settle(id, entry, running, error);
      return;
    }
    const progress = (p: Progress) => {
      if (this.#active !== active) return;
      active.progress = p;
      this.#emitStatus();
    };
    this.#mesh(request, { signal: controller.signal, progress })
      .then(
        (mesh) => {
          // Discard a surface whose mask is no longer the structure's (or whose structure is gone).
          if (this.#disposed || this.#entries.get(id) !== entry || entry.wanted !== version) return;
          entry.shown = version;
          entry.failed = null;
          this.#errors.delete(id);
          const surface: StructureSurface = {
            id,
            maskVersion: version,
            mesh,
            elapsedMs: performance.now() - started,
          };
          this.#surfaces.set(id, surface);
          this.#changes.next({ kind: 'update', surface });
        },
        (error: unknown) => this.#settle(id, entry, running, error),
      )
      .finally(() => {
        if (entry.running === running) entry.running = null;
        if (this.#active === active) this.#active = null;
        if (this.#disposed) return;
        this.#pump();
        this.#emitStatus();
      });
  }

  /** Records a failed job; a cancellation, or a failure of a version no longer current, is not an error. */
  #settle(id: string, entry: Entry, running: { version: number }, error: unknown): void {
    if (
      this.#disposed ||
      isAbortError(error) ||
      this.#entries.get(id) !== entry ||
      entry.wanted !== running.version
    )
      return;
    entry.failed = running.version;
    this.#errors.set(id, error instanceof Error ? error.message : String(error));
    if (entry.running === running) entry.running = null;
    if (this.#active?.id === id) this.#active = null;
    this.#pump();
    this.#emitStatus();
  }

  #pending(): string[] {
    const pending: string[] = [];
    for (const [id, e] of this.#entries) if (e.timer || e.queued || e.running) pending.push(id);
    return pending;
  }

  #emitStatus(): void {
    if (this.#disposed) return;
    const pending = this.#pending();
    const active = this.#active ? { id: this.#active.id, progress: this.#active.progress } : null;
    this.#status.next({ pending, active, errors: Object.fromEntries(this.#errors) });
    if (pending.length === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
