import { BehaviorSubject, type Subscription } from 'rxjs';
import type { ImageGeometry } from '../domain/geometry.ts';
import type { BinaryMask } from '../domain/mask.ts';
import type { Volume } from '../domain/volume.ts';
import { computeDvh, dvhMetrics, type Dvh, type DvhMetrics } from '../domain/dvh.ts';
import { evaluateConstraints, type ConstraintResult, type ConstraintTemplate, type DoseConstraint } from '../domain/dose-constraints.ts';
import { suggestStandardName } from '../domain/tg263.ts';
import type { StructureSetStore } from './structure-set.store.ts';

/**
 * Where DVHs are computed: on the calling thread, or in a worker that holds the dose once
 * (createDvhWorkerCalculator in dvh-worker-client.ts).
 */
export interface DvhCalculator {
  setDose(dose: Volume | null): Promise<void>;
  dvh(mask: BinaryMask, ct: ImageGeometry): Promise<Dvh>;
  dispose(): void;
}

/** Computes on the calling thread (Node, tests, or where workers are not wanted). */
export function mainThreadDvhCalculator(): DvhCalculator {
  let dose: Volume | null = null;
  return {
    setDose: async (d) => {
      dose = d;
    },
    dvh: async (mask, ct) => {
      if (!dose) throw new Error('no dose is loaded');
      return computeDvh(mask, ct, dose);
    },
    dispose: () => undefined,
  };
}

/** The dose being reviewed: a planned dose (RT Dose) or a prediction, which the UI marks everywhere. */
export interface ReviewedDose {
  readonly volume: Volume;
  readonly label: string;
  readonly predicted: boolean;
  /** The prescription in Gy when known (isodose levels in %). */
  readonly prescriptionGy?: number;
  /**
   * A prediction whose inputs (structures, prescriptions) were edited since it was computed: it is still shown,
   * marked stale, until the new one replaces it.
   */
  readonly stale?: boolean;
}

/** One structure's DVH as the panel shows it. */
export interface StructureDvh {
  readonly id: string;
  readonly name: string;
  readonly dvh: Dvh;
  readonly metrics: DvhMetrics;
}

/** Progress of a DVH computation: structures done of total. */
export interface DvhProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * The DVHs and constraint checks of a structure set in one dose, kept current: when the dose, the template or
 * a structure changes, only the structures whose mask changed are recomputed (by mask object and version),
 * after a short quiet time so a brush stroke's commits are one recomputation. Constraint structures that are
 * unions (Lungs = Lung_L ∪ Lung_R, minus GTV) are built from the structures present.
 */
export class DoseReview {
  readonly dose$ = new BehaviorSubject<ReviewedDose | null>(null);
  /**
   * A second dose reviewed beside this one (a prediction next to the plan's dose): its own review of the same
   * structures and template, or null. Set with {@link setComparison}.
   */
  readonly comparison$ = new BehaviorSubject<DoseReview | null>(null);
  readonly template$ = new BehaviorSubject<ConstraintTemplate | null>(null);
  readonly dvhs$ = new BehaviorSubject<ReadonlyMap<string, StructureDvh>>(new Map());
  readonly results$ = new BehaviorSubject<readonly ConstraintResult[]>([]);
  /** Non-null while DVHs are being computed. */
  readonly progress$ = new BehaviorSubject<DvhProgress | null>(null);
  /** The last failure of a computation (shown by the panel), null when the last one succeeded. */
  readonly error$ = new BehaviorSubject<string | null>(null);

  /** The structure set whose DVHs are computed. */
  readonly store: StructureSetStore;
  readonly #calculator: DvhCalculator;
  readonly #comparisonCalculator: () => DvhCalculator;
  readonly #debounceMs: number;
  readonly #subscription: Subscription;
  /** Cached DVHs by key (a structure id, or a constraint's combined structure), with what they were computed from. */
  readonly #cache = new Map<string, { readonly masks: readonly BinaryMask[]; readonly versions: readonly number[]; readonly dvh: Dvh }>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #generation = 0;
  #running: Promise<void> = Promise.resolve();

  /**
   * `calculator` computes this dose's DVHs; `comparisonCalculator` makes the one of a comparison dose, when one
   * is set (each holds its own dose).
   */
  constructor(store: StructureSetStore, options: { readonly calculator?: DvhCalculator; readonly comparisonCalculator?: () => DvhCalculator; readonly debounceMs?: number } = {}) {
    this.store = store;
    this.#calculator = options.calculator ?? mainThreadDvhCalculator();
    this.#comparisonCalculator = options.comparisonCalculator ?? mainThreadDvhCalculator;
    this.#debounceMs = options.debounceMs ?? 150;
    this.#subscription = store.state$.subscribe(() => this.#schedule());
  }

  /** Shows a dose (or none); every DVH is recomputed. */
  async setDose(dose: ReviewedDose | null): Promise<void> {
    this.#generation++;
    this.#cache.clear();
    this.dvhs$.next(new Map());
    this.results$.next([]);
    this.dose$.next(dose);
    await this.#calculator.setDose(dose?.volume ?? null);
    this.#schedule(0);
  }

  /**
   * Reviews a second dose beside this one (null: none): its DVHs and constraint results, on the same structures
   * and template, are those of `comparison$`'s review. Setting another comparison dose reuses that review.
   */
  async setComparison(dose: ReviewedDose | null): Promise<void> {
    let review = this.comparison$.value;
    if (!dose) {
      if (!review) return;
      this.comparison$.next(null);
      review.dispose();
      return;
    }
    if (!review) {
      review = new DoseReview(this.store, { calculator: this.#comparisonCalculator(), debounceMs: this.#debounceMs });
      review.template$.next(this.template$.value);
      this.comparison$.next(review);
    }
    await review.setDose(dose);
  }

  setTemplate(template: ConstraintTemplate | null): void {
    this.template$.next(template);
    this.#schedule(0);
    this.comparison$.value?.setTemplate(template);
  }

  /** Resolves when the DVHs reflect the current structures, dose and template (the comparison's too). */
  async settled(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#running = this.#running.then(() => this.#update());
    }
    await this.#running;
    await this.comparison$.value?.settled();
  }

  dispose(): void {
    this.#subscription.unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
    this.#generation++;
    this.#calculator.dispose();
    this.comparison$.value?.dispose();
    this.comparison$.next(null);
  }

  #schedule(delay = this.#debounceMs): void {
    if (!this.dose$.value) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.#running.then(() => this.#update());
    }, delay);
  }

  /** The DVH of `masks` combined (one mask: itself), from the cache when none of them changed. */
  async #dvhOf(key: string, masks: readonly BinaryMask[], build: () => BinaryMask): Promise<Dvh> {
    const versions = masks.map((m) => m.version);
    const hit = this.#cache.get(key);
    if (hit && hit.masks.length === masks.length && hit.masks.every((m, n) => m === masks[n] && hit.versions[n] === versions[n])) return hit.dvh;
    const generation = this.#generation;
    const dvh = await this.#calculator.dvh(build(), this.store.geometry);
    // A DVH of the dose shown before (setDose came meanwhile) is not cached for the new one.
    if (generation === this.#generation) this.#cache.set(key, { masks, versions, dvh });
    return dvh;
  }

  async #update(): Promise<void> {
    const generation = this.#generation;
    if (!this.dose$.value) return;
    const state = this.store.state;
    const structures = state.structures.filter((s) => !this.store.mask(s.id).isEmpty());
    const template = this.template$.value;
    const total = structures.length + (template?.constraints.length ?? 0);
    let done = 0;
    this.progress$.next({ done, total });
    try {
      const dvhs = new Map<string, StructureDvh>();
      for (const s of structures) {
        const mask = this.store.mask(s.id);
        const dvh = await this.#dvhOf(s.id, [mask], () => mask);
        if (generation !== this.#generation) return;
        dvhs.set(s.id, { id: s.id, name: s.name, dvh, metrics: dvhMetrics(dvh) });
        this.progress$.next({ done: ++done, total });
      }
      for (const id of [...this.#cache.keys()]) if (!id.startsWith('constraint:') && !dvhs.has(id)) this.#cache.delete(id);
      this.dvhs$.next(dvhs);
      if (template) {
        const resolved = new Map<DoseConstraint, Dvh | null>();
        for (const c of template.constraints) {
          resolved.set(c, await this.#constraintDvh(c, dvhs));
          if (generation !== this.#generation) return;
          this.progress$.next({ done: ++done, total });
        }
        this.results$.next(evaluateConstraints(template, (c) => resolved.get(c) ?? null));
      } else this.results$.next([]);
      this.error$.next(null);
    } catch (e) {
      this.error$.next((e as Error).message);
    } finally {
      if (generation === this.#generation) this.progress$.next(null);
    }
  }

  /**
   * The structure a constraint is about, for showing it: the one with its TG-263 name, else the first present
   * part of its union (Lungs → Lung_L); null when none is in the structure set.
   */
  structureOf(c: DoseConstraint): string | null {
    const names = this.#byStandardName();
    for (const name of [c.structure, ...(c.union ?? [])]) {
      const id = names.get(name.toLowerCase());
      if (id) return id;
    }
    return null;
  }

  /** Structures by TG-263 name (their own name when it is one, else the name it most likely means). */
  #byStandardName(): Map<string, string> {
    const out = new Map<string, string>();
    for (const s of this.store.state.structures) {
      const standard = s.standardName || suggestStandardName(s.name) || s.name;
      if (!out.has(standard.toLowerCase())) out.set(standard.toLowerCase(), s.id);
    }
    return out;
  }

  async #constraintDvh(c: DoseConstraint, dvhs: ReadonlyMap<string, StructureDvh>): Promise<Dvh | null> {
    const names = this.#byStandardName();
    const idOf = (name: string) => names.get(name.toLowerCase());
    const direct = idOf(c.structure);
    const parts = direct ? [direct] : (c.union ?? []).map(idOf);
    if (!parts.length || parts.some((p) => !p || !dvhs.has(p))) return null;
    const minus = (c.minus ?? []).map(idOf).filter((id): id is string => !!id && !parts.includes(id));
    if (!minus.length && parts.length === 1) return dvhs.get(parts[0]!)!.dvh;
    const ids = [...(parts as string[]), ...minus];
    const masks = ids.map((id) => this.store.mask(id));
    const key = `constraint:${parts.join('+')}-${minus.join('-')}`;
    return this.#dvhOf(key, masks, () => {
      const combined = masks[0]!.clone();
      for (let n = 1; n < parts.length; n++) combined.combine(masks[n]!, 'union');
      for (let n = parts.length; n < masks.length; n++) combined.combine(masks[n]!, 'subtract');
      return combined;
    });
  }
}
