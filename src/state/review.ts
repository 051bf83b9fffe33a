import type { Subscription } from 'rxjs';
import {
  addedPathLength,
  DEFAULT_SURFACE_DICE_TOLERANCE_MM,
  maskVolumeCc,
  surfaceDice,
  type BinaryMask,
} from '../domain/index.ts';
import type { StructureRecord, StructureSetStore } from './structure-set.store.ts';

/** How a structure came to be, as the review panel and the structure list show it. */
export type StructureStatus = 'approved' | 'auto' | 'edited' | 'manual';

/** What the review tracker knows about a structure beyond its record; see {@link structureStatus}. */
export interface ReviewEvidence {
  /** The model's original mask of the structure is known. */
  readonly original: boolean;
  /** The current mask differs from that original. */
  readonly maskEdited: boolean;
}

/**
 * The status badge of a structure — the one definition the structure list and the review panel share.
 * Approval comes first; then a structure is 'edited' when its provenance says so (SEMIAUTOMATIC: an
 * auto-contour the clinician changed, or a derived structure) or when the review tracker saw its mask
 * differ from the model's original; 'auto' when it is an untouched auto-contour (AUTOMATIC provenance, or
 * an original that still matches); otherwise 'manual'. Without `review` it decides from the record alone.
 */
export function structureStatus(record: Pick<StructureRecord, 'approved' | 'provenance'>, review?: ReviewEvidence): StructureStatus {
  if (record.approved) return 'approved';
  if (record.provenance.algorithm === 'SEMIAUTOMATIC' || review?.maskEdited) return 'edited';
  if (record.provenance.algorithm === 'AUTOMATIC' || review?.original) return 'auto';
  return 'manual';
}

/**
 * The review panel's figures for one structure. The comparisons with the model's original are null when the
 * tracker has no original for it (a manual structure, or one restored already edited).
 */
export interface ReviewMetrics {
  readonly status: StructureStatus;
  /** Whether the model's original mask is known (the comparisons below are null when it is not). */
  readonly original: boolean;
  /** Contour the clinician added to the original, summed over slices (mm); see `addedPathLength`. */
  readonly addedPathLengthMm: number | null;
  /** Axial slices on which contour was added. */
  readonly addedSlices: number | null;
  /** Surface Dice of the current mask against the original at the requested tolerance. */
  readonly surfaceDice: number | null;
  /** Volumetric Dice 2|A∩B| / (|A|+|B|) of the current mask against the original (1 when both are empty). */
  readonly dice: number | null;
  readonly volumeCc: number;
  readonly originalVolumeCc: number | null;
}

export interface ReviewTrackerOptions {
  /** Tolerance (mm) of the added path length; default `DEFAULT_APL_TOLERANCE_MM` (0: pixel-exact). */
  readonly aplToleranceMm?: number;
}

interface CachedComparison {
  readonly mask: BinaryMask;
  /** `mask.version` when compared: the mask object and its version identify its contents. */
  readonly maskVersion: number;
  readonly original: BinaryMask;
  readonly maskEdited: boolean;
  readonly volumeCc: number;
  /** Figures by surface Dice tolerance (the rest do not depend on it). */
  readonly byTolerance: Map<number, Omit<ReviewMetrics, 'status'>>;
}

/** Volumetric Dice on the bricked masks: the intersection costs the masks' surfaces, not the grid. */
function maskDice(a: BinaryMask, b: BinaryMask): number {
  const na = a.count();
  const nb = b.count();
  if (na + nb === 0) return 1;
  return (2 * a.clone().combine(b, 'intersect').count()) / (na + nb);
}

/**
 * Remembers what the model proposed, so the review panel can show how far the clinician moved from it.
 *
 * The tracker watches the store's state: the first time it sees a structure id with AUTOMATIC provenance it
 * snapshots (clones) that structure's mask as the model's original — automatically, so no caller can forget
 * to. A structure that arrives already edited (SEMIAUTOMATIC, e.g. restored from an autosave) or manual gets
 * no original. Originals survive removal (undo can bring the structure back); a `load` of a new structure set
 * drops them all and snapshots the AUTOMATIC structures it brings. Snapshots are cheap: a bricked mask costs
 * about its surface, and the clone copies only stored bricks.
 *
 * `metrics(id)` compares the current mask with the original (added path length, surface Dice, Dice, volumes)
 * and caches the result per structure and mask version, so a panel can ask on every state emission.
 * Call `dispose()` to stop watching.
 */
export class ReviewTracker {
  private readonly originals = new Map<string, BinaryMask>();
  private readonly cache = new Map<string, CachedComparison>();
  private readonly subscriptions: Subscription[] = [];
  private readonly aplToleranceMm: number | undefined;

  constructor(
    private readonly store: StructureSetStore,
    options: ReviewTrackerOptions = {},
  ) {
    this.aplToleranceMm = options.aplToleranceMm;
    this.subscriptions.push(this.store.state$.subscribe((s) => this.snapshotNew(s.structures)));
    this.subscriptions.push(
      this.store.changes$.subscribe((c) => {
        if (c.command !== 'load') return;
        this.originals.clear();
        this.cache.clear();
        this.snapshotNew(this.store.state.structures);
      }),
    );
  }

  private snapshotNew(records: readonly StructureRecord[]): void {
    for (const r of records) {
      if (r.provenance.algorithm === 'AUTOMATIC' && !this.originals.has(r.id)) this.originals.set(r.id, this.store.mask(r.id).clone());
    }
  }

  /**
   * Takes the model's originals of restored structures (an autosave after a reload), so their review measures
   * continue where they were instead of starting from the restored, possibly edited, masks. Ids the store does
   * not hold are ignored.
   */
  adoptOriginals(originals: ReadonlyMap<string, BinaryMask>): void {
    const present = new Set(this.store.state.structures.map((s) => s.id));
    for (const [id, mask] of originals) {
      if (!present.has(id)) continue;
      this.originals.set(id, mask.clone());
      this.cache.delete(id);
    }
  }

  /** True when the model's original mask of this structure is known. */
  hasOriginal(id: string): boolean {
    return this.originals.has(id);
  }

  /** The model's original mask of a structure (treat it as read-only), or undefined. */
  original(id: string): BinaryMask | undefined {
    return this.originals.get(id);
  }

  private comparison(id: string): CachedComparison | null {
    const original = this.originals.get(id);
    if (!original) return null;
    const mask = this.store.mask(id);
    const hit = this.cache.get(id);
    if (hit && hit.mask === mask && hit.maskVersion === mask.version && hit.original === original) return hit;
    const fresh: CachedComparison = {
      mask,
      maskVersion: mask.version,
      original,
      maskEdited: !mask.equals(original),
      volumeCc: maskVolumeCc(mask, this.store.geometry),
      byTolerance: new Map(),
    };
    this.cache.set(id, fresh);
    return fresh;
  }

  /** The status of a structure, using the original when there is one; see {@link structureStatus}. */
  status(id: string): StructureStatus {
    const c = this.comparison(id);
    return structureStatus(this.store.record(id), c ? { original: true, maskEdited: c.maskEdited } : undefined);
  }

  /**
   * The review figures of a structure: its status and, when the original is known, the added path length,
   * surface Dice at `toleranceMm` (default 2 mm), Dice and volumes. Cached per (structure, mask version,
   * tolerance). Throws the store's EditRefusedError('not-found') for an unknown id.
   */
  metrics(id: string, toleranceMm = DEFAULT_SURFACE_DICE_TOLERANCE_MM): ReviewMetrics {
    const record = this.store.record(id);
    const c = this.comparison(id);
    if (!c) {
      return {
        status: structureStatus(record),
        original: false,
        addedPathLengthMm: null,
        addedSlices: null,
        surfaceDice: null,
        dice: null,
        volumeCc: this.store.volumeCc(id),
        originalVolumeCc: null,
      };
    }
    const status = structureStatus(record, { original: true, maskEdited: c.maskEdited });
    let figures = c.byTolerance.get(toleranceMm);
    if (!figures) {
      const g = this.store.geometry;
      const apl = c.maskEdited ? addedPathLength(c.mask, c.original, g, { toleranceMm: this.aplToleranceMm }) : { lengthMm: 0, slices: 0 };
      figures = {
        original: true,
        addedPathLengthMm: apl.lengthMm,
        addedSlices: apl.slices,
        surfaceDice: c.maskEdited ? surfaceDice(c.mask, c.original, g, toleranceMm) : 1,
        dice: c.maskEdited ? maskDice(c.mask, c.original) : 1,
        volumeCc: c.volumeCc,
        originalVolumeCc: maskVolumeCc(c.original, g),
      };
      c.byTolerance.set(toleranceMm, figures);
    }
    return { status, ...figures };
  }

  /** Stops watching the store. The originals stay readable. */
  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
  }
}
