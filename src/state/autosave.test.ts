import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryMask, IDENTITY, type ImageGeometry } from '../domain/index.ts';
import { StructureSetStore } from './structure-set.store.ts';
import { Autosave, AutosaveError, MemoryStorage, autosaveKey, type KeyValueStorage } from './autosave.ts';
import { ReviewTracker } from './review.ts';

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

  it('never loses a record to a session that has not changed anything: opening the CT again, or a failed restore, writes nothing', async () => {
    const storage = new MemoryStorage();
    const { store, autosave } = session(storage);
    for (const name of ['External', 'Lung_L', 'Lung_R', 'Bone']) store.add({ name, mask: BinaryMask.fromPredicate(g.dimensions, (i) => i < 4) });
    await autosave.flush();
    // The same CT opened again: a new session on the same key starts, the restore is declined by failing.
    const again = new StructureSetStore(g);
    const second = new Autosave(again, storage, key);
    second.start();
    await assert.rejects(Autosave.restore(storage, key, { ...g, dimensions: [48, 40, 1] }), AutosaveError);
    again.setActive(null);
    await second.flush();
    assert.deepEqual((await Autosave.find(storage, key))?.structureNames, ['External', 'Lung_L', 'Lung_R', 'Bone']);
    assert.equal((await Autosave.restore(storage, key, g)).structures.length, 4);
    // Only a committed change writes, and then the new session is what is saved.
    again.add({ name: 'GTV' });
    await second.flush();
    assert.deepEqual((await Autosave.find(storage, key))?.structureNames, ['GTV']);
  });

  it('keys a part of the series (one slice) apart from the whole series, so it never meets its autosave', () => {
    const identity = { frameOfReferenceUid: '1.2.3', seriesInstanceUid: '1.2.3.4' };
    assert.notEqual(autosaveKey(identity, [512, 512, 111]), autosaveKey(identity, [512, 512, 1]));
    assert.equal(autosaveKey(identity, [512, 512, 111]), autosaveKey({ ...identity }, [512, 512, 111]));
  });

  it("keeps the model's originals (review measures) and the session's description across a reload", async () => {
    const storage = new MemoryStorage();
    const store = new StructureSetStore(g);
    const review = new ReviewTracker(store);
    const autosave = new Autosave(store, storage, key, { originals: (id) => review.original(id), info: { patientName: 'Doe^John', modelId: 'hn-oar', source: { kind: 'dicomweb', studyInstanceUid: '1.2', seriesInstanceUid: '1.2.3' } } });
    autosave.start();
    const lung = store.add({ name: 'Lung_L', provenance: { algorithm: 'AUTOMATIC', source: 'rules' }, mask: BinaryMask.fromPredicate(g.dimensions, (i, j, k) => i > 10 && i < 20 && j > 10 && j < 20 && k > 5 && k < 10) });
    store.editMask(lung, 'Brush', (m) => {
      for (let i = 20; i < 25; i++) m.set(i, 15, 7, true);
    });
    autosave.setInfo({ modelId: 'ct-external-lungs-bones' });
    const before = review.metrics(lung);
    await autosave.flush();

    const restored = await Autosave.restore(storage, key, g);
    assert.equal(restored.info.patientName, 'Doe^John');
    assert.equal(restored.info.modelId, 'ct-external-lungs-bones');
    assert.deepEqual(restored.info.source, { kind: 'dicomweb', studyInstanceUid: '1.2', seriesInstanceUid: '1.2.3' });
    const fresh = new StructureSetStore(g);
    const freshReview = new ReviewTracker(fresh);
    fresh.load(restored.structures, restored.activeId);
    freshReview.adoptOriginals(restored.originals);
    const after = freshReview.metrics(lung);
    assert.equal(after.original, true);
    assert.equal(after.addedPathLengthMm, before.addedPathLengthMm);
    assert.equal(after.surfaceDice, before.surfaceDice);
    assert.ok((after.addedPathLengthMm ?? 0) > 0);
  });

  it('lists every autosaved session newest first, and marks old ones without deleting them', async () => {
    const storage = new MemoryStorage();
    const store = new StructureSetStore(g);
    const older = new Autosave(store, storage, autosaveKey({ seriesInstanceUid: '1' }, g.dimensions));
    older.start();
    store.add({ name: 'A' });
    await older.flush();
    older.stop();
    await new Promise((r) => setTimeout(r, 5));
    const newer = new Autosave(store, storage, autosaveKey({ seriesInstanceUid: '2' }, g.dimensions));
    newer.start();
    store.add({ name: 'B' });
    await newer.flush();
    const list = await Autosave.list(storage);
    assert.deepEqual(list.map((s) => s.key), [newer.key, older.key]);
    assert.deepEqual(list[0].dimensions, g.dimensions);
    const now = Date.parse(list[1].savedAt);
    assert.equal(Autosave.isOld(list[1], now + 31 * 86_400_000), true);
    assert.equal(Autosave.isOld(list[1], now + 29 * 86_400_000), false);
    assert.equal((await Autosave.list(storage)).length, 2, 'listing deletes nothing');
  });
});
