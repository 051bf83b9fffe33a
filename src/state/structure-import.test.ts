import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryMask, IDENTITY, createStructure, type ImageGeometry } from '../domain/index.ts';
import { importStructures } from './structure-import.ts';
import { StructureSetStore } from './structure-set.store.ts';

const g: ImageGeometry = { dimensions: [16, 16, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY };
const block = (i0: number) => BinaryMask.fromPredicate(g.dimensions, (i, j, k) => i >= i0 && i < i0 + 4 && j < 4 && k < 2);
const fromFile = (name: string, i0 = 8, approved = false) => createStructure({ name, mask: block(i0), color: [10, 200, 30], interpretedType: 'PTV', approved, provenance: { algorithm: 'MANUAL', source: 'TPS', version: '' } });
const names = (store: StructureSetStore) => store.state.structures.map((s) => s.name);

describe('structure set import onto an open CT', () => {
  it('adds beside what is drawn, numbering taken names, as one undo step that leaves the drawn structures as they were', () => {
    const store = new StructureSetStore(g);
    const gtv = store.add({ name: 'GTV', mask: block(0) });
    store.add({ name: 'Heart' });
    store.approve(gtv);
    const before = store.mask(gtv).clone();
    const merge = importStructures(store.state.structures, [fromFile('GTV'), fromFile('Lung_L'), fromFile('Heart', 4, true)], 'RS.dcm');
    assert.deepEqual(merge.add.map((s) => s.name), ['GTV_2', 'Lung_L', 'Heart_2']);
    assert.deepEqual(merge.renamed, [{ from: 'GTV', to: 'GTV_2' }, { from: 'Heart', to: 'Heart_2' }]);
    assert.equal(merge.label, 'Import RS.dcm (3 structures)');
    store.addMany(merge.add, merge.label);
    assert.deepEqual(names(store), ['GTV', 'Heart', 'GTV_2', 'Lung_L', 'Heart_2']);
    // What the file says travels: colour, type, approval, provenance.
    const heart2 = store.state.structures.find((s) => s.name === 'Heart_2')!;
    assert.deepEqual([heart2.color, heart2.interpretedType, heart2.approved, heart2.provenance?.source], [[10, 200, 30], 'PTV', true, 'TPS']);
    assert.ok(store.mask(gtv).equals(before), 'the drawn GTV is untouched');
    assert.equal(store.record(gtv).approved, true);
    assert.equal(store.undo(), 'Import RS.dcm (3 structures)');
    assert.deepEqual(names(store), ['GTV', 'Heart']);
    assert.ok(store.mask(gtv).equals(before));
  });

  it('numbers names repeated within the file, and keeps a numbered long name within the 64 characters of an ROI Name', () => {
    const long = 'L'.repeat(64);
    const merge = importStructures([], [fromFile('CTV'), fromFile('CTV'), fromFile(long), fromFile(long)], 'RS.dcm');
    assert.deepEqual(merge.add.map((s) => s.name), ['CTV', 'CTV_2', long, `${'L'.repeat(60)}_2`]);
    const store = new StructureSetStore(g);
    store.addMany(merge.add, merge.label);
    assert.equal(store.state.structures.length, 4);
  });
});
