import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryMask, IDENTITY, type ImageGeometry } from '../domain/index.ts';
import { StructureSetStore } from './structure-set.store.ts';
import { Autosave, AutosaveError, MemoryStorage, autosaveKey, type KeyValueStorage } from './autosave.ts';

const g: ImageGeometry = { dimensions: [48, 40, 20], spacing: [1, 1, 2], origin: [0, 0, 0], direction: IDENTITY };
const key = autosaveKey({ frameOfReferenceUid: '1.2.3', seriesInstanceUid: '1.2.3.4' });

function session(storage: KeyValueStorage) {
  const store = new StructureSetStore(g);
  const autosave = new Autosave(store, storage, key);
  autosave.start();
  return { store, autosave };
}

describe('autosave', () => {
  it('restores every committed edit into a fresh store (a reload), in order, with properties', async () => {
    const storage = new MemoryStorage();
    const { store, autosave } = session(storage);
    const a = store.add({ name: 'GTV', interpretedType: 'GTV', color: [255, 0, 0] });
    const b = store.add({ name: 'Lung_L', provenance: { algorithm: 'AUTOMATIC', source: 'ct-external-lungs-bones' } });
    store.editMask(a, 'Brush', (m) => {
      for (let i = 10; i < 20; i++) m.set(i, 10, 5, true);
    });
    store.editMask(b, 'Brush', (m) => m.set(30, 30, 10, true));
    store.update(a, { name: 'GTVp' });
    store.approve(b);
    store.setActive(a);
    const expected = store.structures();
    await autosave.flush();

    const found = await Autosave.find(storage, key);
    assert.deepEqual(found?.structureNames, ['GTVp', 'Lung_L']);
    const restored = await Autosave.restore(storage, key, g);
    assert.deepEqual(restored.problems, []);
    const fresh = new StructureSetStore(g);
    fresh.load(restored.structures, restored.activeId);
    const got = fresh.structures();
    assert.equal(got.length, 2);
    for (let n = 0; n < 2; n++) {
      const { mask: m1, ...p1 } = got[n];
      const { mask: m2, ...p2 } = expected[n];
      assert.deepEqual(p1, p2);
      assert.ok(m1.equals(m2));
    }
    assert.equal(fresh.state.activeId, a);
  });

  it('forgets deleted structures and follows undo', async () => {
    const storage = new MemoryStorage();
    const { store, autosave } = session(storage);
    const a = store.add({ name: 'A' });
    store.add({ name: 'B' });
    store.editMask(a, 'Brush', (m) => m.set(1, 1, 1, true));
    store.undo();
    store.remove(a);
    await autosave.flush();
    const restored = await Autosave.restore(storage, key, g);
    assert.deepEqual(restored.structures.map((s) => s.name), ['B']);
    assert.equal((await storage.keys(`${key}/s/`)).length, 1);
  });

  it('reports a corrupt record as a problem and restores the rest', async () => {
    const storage = new MemoryStorage();
    const { store, autosave } = session(storage);
    const a = store.add({ name: 'A', mask: BinaryMask.fromPredicate(g.dimensions, (i) => i < 3) });
    store.add({ name: 'B' });
    await autosave.flush();
    const rec = await storage.get<{ record: unknown; mask: { index: Int32Array } }>(`${key}/s/${a}`);
    await storage.put(`${key}/s/${a}`, { ...rec, mask: { ...rec!.mask, index: new Int32Array(1) } });
    const restored = await Autosave.restore(storage, key, g);
    assert.deepEqual(restored.structures.map((s) => s.name), ['B']);
    assert.match(restored.problems[0], /^A: /);
  });

  it('refuses to restore onto a different grid, and keys need a UID', async () => {
    const storage = new MemoryStorage();
    const { store, autosave } = session(storage);
    store.add({ name: 'A' });
    await autosave.flush();
    await assert.rejects(Autosave.restore(storage, key, { ...g, dimensions: [10, 10, 10] }), AutosaveError);
    assert.throws(() => autosaveKey({}), AutosaveError);
    await Autosave.discard(storage, key);
    assert.equal(await Autosave.find(storage, key), null);
  });

  it('surfaces a storage failure and retries the lost writes with the next change', async () => {
    let fail = true;
    const inner = new MemoryStorage();
    const flaky: KeyValueStorage = {
      get: (k) => inner.get(k),
      put: (k, v) => (fail ? Promise.reject(new Error('QuotaExceededError')) : inner.put(k, v)),
      delete: (k) => inner.delete(k),
      keys: (p) => inner.keys(p),
    };
    const { store, autosave } = session(flaky);
    const a = store.add({ name: 'A' });
    await autosave.flush();
    assert.match(autosave.lastError?.message ?? '', /QuotaExceeded/);
    fail = false;
    store.add({ name: 'B' });
    await autosave.flush();
    assert.equal(autosave.lastError, null);
    const restored = await Autosave.restore(inner, key, g);
    assert.deepEqual(restored.structures.map((s) => s.id)[0], a);
  });
});
