import type { Structure } from '../domain/index.ts';
import { uniqueName } from './names.ts';
import type { StructureRecord } from './structure-set.store.ts';

/** The model whose result is merged: its manifest id (what provenance records as the source) and name. */
export interface MergedModel {
  readonly id: string;
  readonly name: string;
}

/** What adding a model's result to a structure set does, decided before anything is changed. */
export interface AutoContourMerge {
  /** The structures to add, in the model's order, each under a name not taken by a structure that stays. */
  readonly add: readonly Structure[];
  /** Ids of the structures the result replaces: this model's earlier AUTO structures that nobody reviewed. */
  readonly replace: readonly string[];
  /** Names of the structures the model returned empty: not added, named to the user. */
  readonly missing: readonly string[];
  /** The undo label of the merge. */
  readonly label: string;
}

/**
 * The auto-contour merge policy: how a model's result joins the structures already in the set.
 *
 * - A re-run replaces the same model's previous AUTO structures that nobody edited, approved or locked (an
 *   edit turns a structure's provenance away from AUTOMATIC), so running a model twice does not pile up copies.
 * - Everything else stays: the clinician's own structures, another model's, and this model's reviewed ones.
 * - A structure whose name is taken by one that stays gets a numbered name (`Lung_L_2`).
 * - A structure the model found empty is not added; its name is listed in `missing`.
 */
export function mergeAutoContours(current: readonly StructureRecord[], model: MergedModel, result: readonly Structure[]): AutoContourMerge {
  const replace = current
    .filter((r) => r.provenance?.algorithm === 'AUTOMATIC' && r.provenance.source === model.id && !r.approved && !r.locked)
    .map((r) => r.id);
  const replaced = new Set(replace);
  const taken = new Set(current.filter((r) => !replaced.has(r.id)).map((r) => r.name));
  const add = result.filter((s) => !s.mask.isEmpty()).map((s) => ({ ...s, name: uniqueName(s.name, taken) }));
  const missing = result.filter((s) => s.mask.isEmpty()).map((s) => s.name);
  return { add, replace, missing, label: `Auto-contour (${model.name})` };
}
