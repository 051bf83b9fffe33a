import type {
  BinaryMask} from '../domain/index.ts';
import {
  expandMask,
  fillHoles,
  removeIslands,
  shrinkMask,
  smoothMask,
  type Margins,
  type RemoveIslandsOptions,
  type RoiInterpretedType,
  type Rgb,
  type SmoothingMethod,
} from '../domain/index.ts';
import { EditRefusedError, type StructureSetStore } from './structure-set.store.ts';

/** Where an operation's result goes: into an existing structure, or a new one with these properties. */
export type OperationTarget =
  | { readonly into: string }
  | { readonly newStructure: { readonly name: string; readonly color?: Rgb; readonly interpretedType?: RoiInterpretedType; readonly standardName?: string } };

export type BooleanOperation = 'union' | 'intersect' | 'subtract' | 'xor';

const SYMBOL: Record<BooleanOperation, string> = { union: '∪', intersect: '∩', subtract: '−', xor: '⊕' };

function commit(store: StructureSetStore, target: OperationTarget, result: BinaryMask, description: string): string {
  if ('into' in target) {
    store.replaceMask(target.into, description, result);
    return target.into;
  }
  // A derived structure is SEMIAUTOMATIC: computed by the system at the user's request (DICOM C.8.8.5).
  return store.add(
    { ...target.newStructure, provenance: { algorithm: 'SEMIAUTOMATIC', source: description }, mask: result },
    `Create ${target.newStructure.name} = ${description}`,
  );
}

const describeMargins = (m: Margins): string => {
  const v = [m.right, m.left, m.anterior, m.posterior, m.superior, m.inferior];
  if (v.every((x) => x === v[0])) return `${v[0]} mm`;
  return `R${m.right} L${m.left} A${m.anterior} P${m.posterior} S${m.superior} I${m.inferior} mm`;
};

/**
 * Grows (or, with `shrink`, shrinks) structure `sourceId` by a margin into a target (PTV = CTV + 5 mm,
 * 7 mm sup/inf). Returns the id of the structure that received the result.
 */
export function applyMargin(store: StructureSetStore, sourceId: string, margins: Margins, target: OperationTarget, shrink = false): string {
  const source = store.record(sourceId);
  const mask = store.mask(sourceId);
  const result = shrink ? shrinkMask(mask, store.geometry, margins) : expandMask(mask, store.geometry, margins);
  return commit(store, target, result, `${source.name} ${shrink ? '−' : '+'} ${describeMargins(margins)}`);
}

/** A Boolean combination of two different structures into a target. */
export function applyBoolean(store: StructureSetStore, op: BooleanOperation, aId: string, bId: string, target: OperationTarget): string {
  if (aId === bId) throw new EditRefusedError(aId, 'invalid', `a Boolean ${op} needs two different structures`);
  const a = store.record(aId);
  const b = store.record(bId);
  const result = store.mask(aId).clone().combine(store.mask(bId), op);
  return commit(store, target, result, `${a.name} ${SYMBOL[op]} ${b.name}`);
}

/** Keeps the largest island or drops small ones, in place. */
export function applyRemoveIslands(store: StructureSetStore, id: string, options: RemoveIslandsOptions = {}): boolean {
  const what = options.minVolumeCc !== undefined ? `islands < ${options.minVolumeCc} cc` : 'all but the largest island';
  return store.replaceMask(id, `Remove ${what} of ${store.record(id).name}`, removeIslands(store.mask(id), store.geometry, options));
}

/** Fills holes per slice ('2d') or enclosed cavities ('3d'), in place. */
export function applyFillHoles(store: StructureSetStore, id: string, mode: '2d' | '3d' = '2d'): boolean {
  return store.replaceMask(id, `Fill holes (${mode}) of ${store.record(id).name}`, fillHoles(store.mask(id), mode));
}

/** Smooths a structure in place. */
export function applySmoothing(store: StructureSetStore, id: string, method: SmoothingMethod, mm: number): boolean {
  return store.replaceMask(id, `Smooth ${store.record(id).name} (${method} ${mm} mm)`, smoothMask(store.mask(id), store.geometry, method, mm));
}

/** Copies a structure into a new one named `name` (default "<name> copy"). */
export function copyStructure(store: StructureSetStore, id: string, name?: string): string {
  const s = store.record(id);
  return store.add({ name: name ?? `${s.name} copy`.slice(0, 64), color: s.color, interpretedType: s.interpretedType, provenance: s.provenance, mask: store.mask(id).clone() }, `Copy ${s.name}`);
}
