/**
 * Uncertainty-guided review: the uncertainty maps of the session's model runs, which AUTO structure each belongs
 * to, and what the review builds on them — a structure's attention score and ranked slices, "next uncertain
 * slice", the structure list sorted by attention, the overlay switch, and the QA flag for a structure the model
 * doubts overall.
 *
 * The maps (a byte per CT voxel each) stay here, outside the store's reactive state; the state says only which
 * structures have one. A structure keeps its map while it is edited (the map still says where the model
 * doubted), and its summary is recomputed when its mask changes. Rule-based structures have no map: they come
 * from thresholds, not probabilities.
 */
import { BehaviorSubject, type Observable } from 'rxjs';
import { structureUncertainty, type StructureUncertainty, type UncertaintyMap } from '../domain/uncertainty.ts';
import type { StructureRecord, StructureSetStore } from './structure-set.store.ts';

/**
 * A structure whose attention score is at least this is flagged in QA ("the model doubts this structure
 * overall"). Chosen on the validation patients for the entropy measure (models/hn-oar/MODEL_CARD.md,
 * Uncertainty); {@link UncertaintyReview.attach} takes another for a model calibrated differently.
 */
export const DEFAULT_ATTENTION_FLAG = 0.2;

/** A structure flagged because the model's uncertainty about it is high overall. */
export interface UncertaintyFlag {
  readonly structureId: string;
  readonly structureName: string;
  readonly attention: number;
  readonly threshold: number;
  /** A doubtful structure is worth a look, not necessarily wrong. */
  readonly severity: 'warning';
  /** The most uncertain axial slice (k), the place to look first. */
  readonly slice: number;
  /** One sentence a clinician can act on. */
  readonly message: string;
}

/** The session's uncertainty maps and what review builds on them (see the module comment). */
export class UncertaintyReview {
  readonly #store: StructureSetStore;
  readonly #maps = new Map<string, { map: UncertaintyMap; flag: number }>();
  readonly #summaries = new Map<string, { version: number; summary: StructureUncertainty }>();
  readonly #overlay = new BehaviorSubject(false);
  readonly #version = new BehaviorSubject(0);
  /** Whether the slice views show the uncertainty of the active structure's map as a colour wash. */
  readonly overlay$: Observable<boolean> = this.#overlay.asObservable();
  /** Bumped when a map is attached or dropped. */
  readonly version$: Observable<number> = this.#version.asObservable();

  constructor(store: StructureSetStore) {
    this.#store = store;
  }

  /**
   * Attaches one model run's map to the structures it produced (every id shares the one buffer), with the
   * attention score above which QA flags a structure.
   */
  attach(map: UncertaintyMap, structureIds: readonly string[], flag = DEFAULT_ATTENTION_FLAG): void {
    const dims = this.#store.geometry.dimensions;
    if (map.dimensions.some((n, a) => n !== dims[a])) throw new RangeError(`the uncertainty map's grid (${map.dimensions.join('×')}) is not the CT's (${dims.join('×')})`);
    for (const id of structureIds) {
      this.#maps.set(id, { map, flag });
      this.#summaries.delete(id);
    }
    this.#version.next(this.#version.value + 1);
  }

  /** The map a structure came with, or null (rule-based, drawn, imported, or gone from the store). */
  map(id: string): UncertaintyMap | null {
    if (!this.#store.state.structures.some((s) => s.id === id)) return null;
    return this.#maps.get(id)?.map ?? null;
  }

  /** A structure's attention score and ranked slices on its current mask, or null without a map. */
  summary(id: string): StructureUncertainty | null {
    const map = this.map(id);
    if (!map) return null;
    const version = this.#store.record(id).maskVersion;
    const cached = this.#summaries.get(id);
    if (cached && cached.version === version) return cached.summary;
    const summary = structureUncertainty(map, this.#store.mask(id));
    this.#summaries.set(id, { version, summary });
    return summary;
  }

  /** A structure's attention score (0–1), or null without a map. */
  attention(id: string): number | null {
    return this.summary(id)?.attention ?? null;
  }

  /**
   * The axial slice to show after `current` for a structure: the next one in its ranking (most uncertain first),
   * wrapping; the top-ranked slice when `current` is not ranked. Null without a map or any uncertain slice.
   */
  nextSlice(id: string, current: number): number | null {
    const slices = this.summary(id)?.slices;
    if (!slices?.length) return null;
    const at = slices.findIndex((s) => s.slice === current);
    return slices[at < 0 ? 0 : (at + 1) % slices.length].slice;
  }

  /**
   * Structures in review order by attention: those with a map, highest attention first, then the others in
   * list order (a stable sort, so equal scores keep the list's order).
   */
  sortByAttention(records: readonly StructureRecord[]): StructureRecord[] {
    const score = new Map(records.map((r) => [r.id, this.attention(r.id)]));
    return [...records].sort((a, b) => (score.get(b.id) ?? -1) - (score.get(a.id) ?? -1));
  }

  /** The structures whose attention reaches their map's threshold, highest first. */
  flags(): UncertaintyFlag[] {
    const out: UncertaintyFlag[] = [];
    for (const r of this.#store.state.structures) {
      const s = this.summary(r.id);
      const flag = this.#maps.get(r.id)?.flag ?? DEFAULT_ATTENTION_FLAG;
      if (!s || s.voxels === 0 || s.attention < flag) continue;
      const slice = s.slices[0]?.slice ?? 0;
      out.push({
        structureId: r.id,
        structureName: r.name,
        attention: s.attention,
        threshold: flag,
        severity: 'warning',
        slice,
        message: `${r.name}: the model is uncertain about this structure overall (attention ${s.attention.toFixed(2)}, flagged from ${flag.toFixed(2)}); review it slice by slice, starting at slice ${slice + 1}`,
      });
    }
    return out.sort((a, b) => b.attention - a.attention);
  }

  get overlay(): boolean {
    return this.#overlay.value;
  }

  /** Shows or hides the uncertainty wash in the slice views. */
  setOverlay(on: boolean): void {
    if (on !== this.#overlay.value) this.#overlay.next(on);
  }
}
