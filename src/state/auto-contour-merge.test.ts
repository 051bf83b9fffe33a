import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryMask, IDENTITY, createStructure, type ImageGeometry, type Structure } from '../domain/index.ts';
import { mergeAutoContours } from './auto-contour-merge.ts';
import { StructureSetStore } from './structure-set.store.ts';

const g: ImageGeometry = { dimensions: [16, 16, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY };
const block = () => BinaryMask.fromPredicate(g.dimensions, (i, j, k) => i < 4 && j < 4 && k < 2);
const MODEL = { id: 'ct-lungs', name: 'Lungs (rules)' };
const auto = (source = MODEL.id) => ({ algorithm: 'AUTOMATIC', source, version: '1' }) as const;

/** What the model returns: a structure per name, empty where the name is in `empty`. */
function result(names: readonly string[], empty: readonly string[] = []): Structure[] {
  return names.map((name) =>
    createStructure({ name, provenance: auto(), mask: empty.includes(name) ? new BinaryMask(g.dimensions) : block() }),
  );
}

/** Merges `names` into the store the way the app does (one undo step) and returns the merge. */
function run(store: StructureSetStore, names: readonly string[], empty: readonly string[] = []) {
  const merge = mergeAutoContours(store.state.structures, MODEL, result(names, empty));
  const ids = store.addMany(merge.add, merge.label, merge.replace);
  return { merge, ids };
}

const names = (store: StructureSetStore) => store.state.structures.map((s) => s.name);

describe('auto-contour merge policy', () => {
  it('adds the model\'s structures under their own names into an empty set, as one undo step', () => {
    const store = new StructureSetStore(g);
    const { merge, ids } = run(store, ['Lung_L', 'Lung_R']);
    assert.deepEqual(merge.replace, []);
    assert.deepEqual(merge.missing, []);
    assert.equal(merge.label, 'Auto-contour (Lungs (rules))');
    assert.equal(ids.length, 2);
    assert.deepEqual(names(store), ['Lung_L', 'Lung_R']);
    store.undo();
    assert.deepEqual(names(store), []);
  });

  it('on a re-run replaces the same model\'s untouched structures instead of adding copies', () => {
    const store = new StructureSetStore(g);
    const first = run(store, ['Lung_L', 'Lung_R']).ids;
    const { merge } = run(store, ['Lung_L', 'Lung_R']);
    assert.deepEqual([...merge.replace].sort(), [...first].sort());
    assert.deepEqual(names(store), ['Lung_L', 'Lung_R']);
    assert.ok(store.state.structures.every((s) => !first.includes(s.id)), 'the new result took their place');
  });

  it('keeps the structures a clinician edited, approved or locked, and numbers the new ones whose name they hold', () => {
    const store = new StructureSetStore(g);
    const [edited, approved, locked, untouched] = run(store, ['Lung_L', 'Lung_R', 'Heart', 'Body']).ids;
    store.editMask(edited!, 'Brush', (m) => m.set(10, 10, 0, true));
    store.approve(approved!);
    store.update(locked!, { locked: true });
    const { merge } = run(store, ['Lung_L', 'Lung_R', 'Heart', 'Body']);
    assert.deepEqual(merge.replace, [untouched]);
    assert.deepEqual(merge.add.map((s) => s.name), ['Lung_L_2', 'Lung_R_2', 'Heart_2', 'Body']);
    for (const id of [edited, approved, locked]) assert.ok(store.state.structures.some((s) => s.id === id), `${id} stays`);
    // A third run replaces the numbered copies nobody touched, and numbers its own result the same way.
    run(store, ['Lung_L', 'Lung_R', 'Heart', 'Body']);
    assert.deepEqual(names(store).sort(), ['Body', 'Heart', 'Heart_2', 'Lung_L', 'Lung_L_2', 'Lung_R', 'Lung_R_2']);
  });

  it('never replaces another model\'s structures or the clinician\'s own, and numbers around them', () => {
    const store = new StructureSetStore(g);
    const own = store.add({ name: 'Lung_L', mask: block() });
    const other = store.add({ name: 'Lung_R', provenance: auto('another-model'), mask: block() });
    const taken = store.add({ name: 'Lung_L_2', mask: block() });
    const { merge } = run(store, ['Lung_L', 'Lung_R']);
    assert.deepEqual(merge.replace, []);
    assert.deepEqual(merge.add.map((s) => s.name), ['Lung_L_3', 'Lung_R_2']);
    for (const id of [own, other, taken]) assert.ok(store.state.structures.some((s) => s.id === id));
  });

  it('does not add the structures the model found empty, and names them', () => {
    const store = new StructureSetStore(g);
    const { merge, ids } = run(store, ['Lung_L', 'Trachea', 'Lung_R'], ['Trachea']);
    assert.deepEqual(merge.missing, ['Trachea']);
    assert.equal(ids.length, 2);
    assert.deepEqual(names(store), ['Lung_L', 'Lung_R']);
  });

  it('changes nothing itself: the store is untouched until the merge is applied', () => {
    const store = new StructureSetStore(g);
    run(store, ['Lung_L']);
    const before = store.state;
    mergeAutoContours(store.state.structures, MODEL, result(['Lung_L']));
    assert.equal(store.state, before);
  });
});
