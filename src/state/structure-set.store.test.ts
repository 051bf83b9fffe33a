import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryMask, GridTransform, IDENTITY, expandMask, uniformMargins, type ImageGeometry, type Vec3 } from '../domain/index.ts';
import { EditRefusedError, StructureSetStore, type StructureSetChange } from './structure-set.store.ts';
import { applyBoolean, applyMargin, applyRemoveIslands, copyStructure } from './operations.ts';

const g: ImageGeometry = { dimensions: [64, 64, 24], spacing: [1, 1, 2.5], origin: [-32, -32, -30], direction: IDENTITY };
const t = new GridTransform(g);
const sphere = (c: Vec3, r: number) =>
  BinaryMask.fromPredicate(g.dimensions, (i, j, k) => {
    const p = t.toPatient([i, j, k]);
    return (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2 <= r * r;
  });

const dab = (m: BinaryMask, ci: number, cj: number, k: number, r: number, value = true) => {
  for (let j = cj - r; j <= cj + r; j++) for (let i = ci - r; i <= ci + r; i++) if ((i - ci) ** 2 + (j - cj) ** 2 <= r * r) m.set(i, j, k, value);
};

describe('structure set store', () => {
  it('undo returns the exact previous mask after every kind of edit, and redo replays it', () => {
    const store = new StructureSetStore(g);
    const id = store.add({ name: 'GTV', interpretedType: 'GTV', mask: sphere([0, 0, 0], 10) });
    const snapshots = [store.mask(id).toDense()];
    store.editMask(id, 'Brush', (m) => dab(m, 56, 32, 12, 3)); // an island, removed below
    snapshots.push(store.mask(id).toDense());
    store.editMask(id, 'Erase', (m) => dab(m, 32, 32, 12, 5, false));
    snapshots.push(store.mask(id).toDense());
    applyMargin(store, id, uniformMargins(3), { into: id });
    snapshots.push(store.mask(id).toDense());
    applyRemoveIslands(store, id);
    snapshots.push(store.mask(id).toDense());
    for (let n = snapshots.length - 2; n >= 0; n--) {
      assert.ok(store.undo());
      assert.deepEqual(store.mask(id).toDense(), snapshots[n], `undo to step ${n}`);
    }
    for (let n = 1; n < snapshots.length; n++) {
      assert.ok(store.redo());
      assert.deepEqual(store.mask(id).toDense(), snapshots[n], `redo to step ${n}`);
    }
  });

  it('adds an auto-contouring result, replacing the previous one, as one undo step', () => {
    const store = new StructureSetStore(g);
    const keep = store.add({ name: 'GTV', interpretedType: 'GTV', mask: sphere([0, 0, 0], 6) });
    const auto = { algorithm: 'AUTOMATIC', source: 'm', version: '1' } as const;
    const [a, b] = store.addMany(
      [
        { name: 'Lung_L', mask: sphere([10, 0, 0], 5), provenance: auto },
        { name: 'Lung_R', mask: sphere([-10, 0, 0], 5), provenance: auto },
      ],
      'Auto-contour m',
    );
    assert.deepEqual(store.state.structures.map((s) => s.name), ['GTV', 'Lung_L', 'Lung_R']);
    assert.equal(store.state.activeId, a);
    assert.equal(store.state.undoLabel, 'Auto-contour m');
    const [c] = store.addMany([{ name: 'Lung_L', mask: sphere([12, 0, 0], 5), provenance: auto }], 'Auto-contour again', [a, b]);
    assert.deepEqual(store.state.structures.map((s) => s.name), ['GTV', 'Lung_L']);
    assert.equal(store.undo(), 'Auto-contour again');
    assert.deepEqual(store.state.structures.map((s) => s.id), [keep, a, b]);
    assert.ok(store.mask(a).equals(sphere([10, 0, 0], 5)));
    assert.equal(store.redo(), 'Auto-contour again');
    assert.deepEqual(store.state.structures.map((s) => s.id), [keep, c]);
    store.undo();
    assert.equal(store.undo(), 'Auto-contour m');
    assert.deepEqual(store.state.structures.map((s) => s.id), [keep]);
    // An approved structure cannot be replaced: nothing changes.
    store.redo();
    store.approve(a);
    assert.throws(() => store.addMany([{ name: 'X', mask: sphere([0, 0, 0], 2) }], 'Again', [a]), (e: unknown) => e instanceof EditRefusedError && e.reason === 'approved');
    assert.deepEqual(store.state.structures.map((s) => s.id), [keep, a, b]);
  });

  it('a new edit clears the redo stack; labels name the next undo/redo', () => {
    const store = new StructureSetStore(g);
    const id = store.add({ name: 'Heart' });
    store.editMask(id, 'Brush', (m) => dab(m, 20, 20, 5, 3));
    store.undo();
    assert.equal(store.state.redoLabel, 'Brush');
    store.editMask(id, 'Brush 2', (m) => dab(m, 30, 30, 5, 3));
    assert.equal(store.state.redoLabel, null);
    assert.equal(store.state.undoLabel, 'Brush 2');
  });

  it('an edit of an AUTOMATIC structure makes it SEMIAUTOMATIC; undo restores AUTOMATIC', () => {
    const store = new StructureSetStore(g);
    const id = store.add({ name: 'Parotid_L', provenance: { algorithm: 'AUTOMATIC', source: 'hn-oar', version: '1' }, mask: sphere([5, 0, 0], 8) });
    store.editMask(id, 'Brush', (m) => dab(m, 50, 32, 12, 2));
    assert.deepEqual(store.record(id).provenance, { algorithm: 'SEMIAUTOMATIC', source: 'hn-oar', version: '1' });
    store.undo();
    assert.equal(store.record(id).provenance.algorithm, 'AUTOMATIC');
    // An edit that changes nothing is not an edit.
    assert.equal(store.editMask(id, 'Nothing', () => undefined), false);
    assert.equal(store.record(id).provenance.algorithm, 'AUTOMATIC');
  });

  it('locked and approved structures refuse edits with a stated reason, leaving the mask intact', () => {
    const store = new StructureSetStore(g);
    const id = store.add({ name: 'SpinalCord', mask: sphere([0, 10, 0], 5) });
    const before = store.mask(id).toDense();
    store.update(id, { locked: true });
    assert.throws(() => store.editMask(id, 'Brush', (m) => dab(m, 10, 10, 3, 2)), (e: unknown) => e instanceof EditRefusedError && e.reason === 'locked' && /SpinalCord is locked/.test(e.message));
    assert.throws(() => store.remove(id), /locked/);
    store.update(id, { locked: false, visible: false });
    store.approve(id);
    assert.throws(() => applyMargin(store, id, uniformMargins(2), { into: id }), (e: unknown) => e instanceof EditRefusedError && e.reason === 'approved');
    assert.throws(() => store.update(id, { name: 'Cord' }), /approved/);
    store.update(id, { color: [1, 2, 3] }); // display settings stay editable
    assert.deepEqual(store.mask(id).toDense(), before);
  });

  it('a tool that throws half-way leaves the structure exactly as it was', () => {
    const store = new StructureSetStore(g);
    const id = store.add({ name: 'Lung_L', mask: sphere([0, 0, 0], 12) });
    const before = store.mask(id).toDense();
    assert.throws(() =>
      store.editMask(id, 'Broken tool', (m) => {
        dab(m, 10, 10, 3, 4);
        throw new Error('tool failed');
      }),
    );
    assert.deepEqual(store.mask(id).toDense(), before);
    assert.equal(store.state.undoLabel, 'Add Lung_L');
  });

  it('delete is undoable with the mask; Booleans refuse a structure with itself', () => {
    const store = new StructureSetStore(g);
    const a = store.add({ name: 'CTV', mask: sphere([0, 0, 0], 8) });
    const b = store.add({ name: 'Lung', mask: sphere([8, 0, 0], 8) });
    const ptv = applyMargin(store, a, uniformMargins(5), { newStructure: { name: 'PTV', interpretedType: 'PTV' } });
    assert.equal(store.record(ptv).provenance.algorithm, 'SEMIAUTOMATIC');
    assert.ok(store.mask(ptv).equals(expandMask(store.mask(a), g, uniformMargins(5))));
    assert.match(store.record(ptv).provenance.source ?? '', /CTV \+ 5 mm/);
    const overlap = applyBoolean(store, 'intersect', ptv, b, { newStructure: { name: 'PTV∩Lung' } });
    assert.ok(store.mask(overlap).count() > 0);
    assert.throws(() => applyBoolean(store, 'union', a, a, { newStructure: { name: 'x' } }), /two different structures/);
    const count = store.mask(a).count();
    store.remove(a);
    assert.equal(store.state.structures.some((s) => s.id === a), false);
    store.undo();
    assert.equal(store.mask(a).count(), count);
    const copy = copyStructure(store, a);
    assert.equal(store.record(copy).name, 'CTV copy');
    assert.ok(store.mask(copy).equals(store.mask(a)));
  });

  it('bounds undo memory by dropping the oldest steps', () => {
    const store = new StructureSetStore(g, { historyBytes: 20_000 });
    const id = store.add({ name: 'External', mask: sphere([0, 0, 0], 25) });
    for (let n = 0; n < 60; n++) store.editMask(id, `dab ${n}`, (m) => dab(m, 5 + (n % 50), 10 + (n % 40), n % 24, 2));
    assert.ok(store.historyMemoryBytes() <= 20_000 + 2200, `${store.historyMemoryBytes()} bytes`);
    let undone = 0;
    while (store.undo()) undone++;
    assert.ok(undone > 5 && undone < 60, `${undone} steps kept`);
  });

  it('emits one committed change per command for autosave and portals', () => {
    const store = new StructureSetStore(g);
    const changes: StructureSetChange[] = [];
    store.changes$.subscribe((c) => changes.push(c));
    const id = store.add({ name: 'Esophagus' });
    store.editMask(id, 'Brush', (m) => dab(m, 20, 20, 5, 3));
    store.update(id, { name: 'Esophagus_2' });
    store.undo();
    assert.deepEqual(changes.map((c) => c.command), ['add', 'edit-mask', 'update', 'undo']);
    assert.equal(store.record(id).name, 'Esophagus');
  });

  it('an interactive stroke is one undo step; cancel restores the mask', () => {
    const store = new StructureSetStore(g);
    const id = store.add({ name: 'GTV', mask: sphere([0, 0, 0], 6) });
    const before = store.mask(id).toDense();
    const versions: number[] = [];
    store.state$.subscribe((s) => versions.push(s.structures[0].maskVersion));
    const stroke = store.beginEdit(id, 'Brush stroke');
    for (let n = 0; n < 5; n++) stroke.apply((m) => dab(m, 10 + n * 4, 10, 5, 2));
    assert.ok(new Set(versions).size >= 5, 'each pointer event announces a new mask version');
    assert.equal(stroke.commit(), true);
    assert.throws(() => stroke.apply(() => undefined), /already finished/);
    assert.equal(store.state.undoLabel, 'Brush stroke');
    store.undo();
    assert.deepEqual(store.mask(id).toDense(), before);
    const cancelled = store.beginEdit(id, 'Brush stroke 2');
    cancelled.apply((m) => dab(m, 40, 40, 5, 3));
    cancelled.cancel();
    assert.deepEqual(store.mask(id).toDense(), before);
    assert.equal(store.state.undoLabel, 'Add GTV');
  });

  it('rejects masks on another grid and invalid names with clear errors', () => {
    const store = new StructureSetStore(g);
    assert.throws(() => store.add({ name: 'X', mask: new BinaryMask([2, 2, 2]) }), /2×2×2 grid/);
    assert.throws(() => store.add({ name: ' ' }), /non-empty name/);
    const id = store.add({ name: 'Y' });
    assert.throws(() => store.update(id, { color: [300, 0, 0] }), /colour/);
  });
});
