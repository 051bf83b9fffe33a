import type { Structure } from '../domain/index.ts';
import { uniqueName } from './names.ts';
import type { StructureRecord } from './structure-set.store.ts';

/** What adding a structure set's structures to the set shown does, decided before anything is changed. */
export interface StructureImport {
  /** The structures to add, in file order, each under a name no structure of the set (or added before it) has. */
  readonly add: readonly Structure[];
  /** The structures whose name was taken: the name in the file and the name given. */
  readonly renamed: readonly { readonly from: string; readonly to: string }[];
  /** The undo label of the import. */
  readonly label: string;
}

/**
 * The import policy for a structure set added to a CT that is already open: nothing already drawn is replaced
 * or changed — every imported structure is added beside the existing ones, and one whose name is taken gets a
 * numbered name (`GTV_2`), as an auto-contour's result does. The structures keep the file's colours, types and
 * approval; they are added as one undo step.
 */
export function importStructures(current: readonly StructureRecord[], structures: readonly Structure[], file: string): StructureImport {
  const taken = new Set(current.map((r) => r.name));
  const renamed: { from: string; to: string }[] = [];
  const add = structures.map((s) => {
    // A numbered name must still fit an ROI Name (64 characters).
    const name = uniqueName(taken.has(s.name) ? s.name.slice(0, 60) : s.name, taken, taken.has(s.name) ? 2 : 1);
    if (name !== s.name) renamed.push({ from: s.name, to: name });
    return { ...s, name };
  });
  return { add, renamed, label: `Import ${file} (${structures.length} structure${structures.length === 1 ? '' : 's'})` };
}
