import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReactiveController } from 'lit';
import { Autosave, MemoryStorage, Volume, autosaveKey, generatePhantom, type CtSource, type KeyValueStorage, ViewerSession } from '../../src/index.ts';

const keyOf = (v: Volume) => autosaveKey(v.identity, v.dimensions);
import type { DelineoErrorDetail } from '../events/delineo-error.ts';
import { NoticeList } from '../internal/notices.ts';
import { AutosaveRestore } from './autosave-restore.ts';

const phantom = generatePhantom({ dimensions: [48, 48, 20], spacing: [10, 10, 14] });
const ct = phantom.volume;
const heart = () => phantom.structures.filter((s) => s.name === 'Heart').map((s) => ({ ...s, mask: s.mask.clone() }));

class Host extends EventTarget {
  readonly controllers: ReactiveController[] = [];
  readonly errors: DelineoErrorDetail[] = [];
  readonly updateComplete = Promise.resolve(true);
  constructor() {
    super();
    this.addEventListener('delineo-error', (e) => this.errors.push((e as CustomEvent<DelineoErrorDetail>).detail));
  }
  addController(c: ReactiveController): void {
    this.controllers.push(c);
  }
  removeController(): void {}
  requestUpdate(): void {}
}

function setup(storage: KeyValueStorage | null) {
  const host = new Host();
  const notices = new NoticeList(host);
  let current: ViewerSession | null = null;
  const reopened: CtSource[] = [];
  const autosave = new AutosaveRestore(host, {
    storage: () => storage,
    current: () => current,
    notices,
    modelId: () => 'hn-oar',
    restoreModel: () => undefined,
    reopen: (source) => reopened.push(source),
    canReopen: () => true,
  });
  const show = (session: ViewerSession) => (current = session);
  return { host, notices, autosave, show, reopened };
}

/** Saves `session`'s edits to `storage` the way an earlier visit would have: one committed change, flushed. */
async function earlierVisit(storage: KeyValueStorage): Promise<void> {
  const session = ViewerSession.withStructures(ct, heart());
  const autosave = new Autosave(session.store, storage, keyOf(ct));
  autosave.start();
  session.store.add({ name: 'GTV' });
  await autosave.flush();
  autosave.stop();
}

const action = (notices: NoticeList, label: string) => notices.items.at(-1)!.actions!.find((a) => a.label === label)!;
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('AutosaveRestore', () => {
  it('with nothing saved for the CT, offers nothing and autosaves the edits from then on', async () => {
    const storage = new MemoryStorage();
    const { notices, autosave, show } = setup(storage);
    const session = show(ViewerSession.withStructures(ct, []));
    await autosave.offer(session);
    assert.deepEqual(notices.items, []);
    session.store.add({ name: 'PTV' });
    await settle();
    assert.deepEqual((await Autosave.find(storage, keyOf(ct)))?.structureNames, ['PTV']);
  });

  it('offers what was saved for the CT, and Restore loads it into the session', async () => {
    const storage = new MemoryStorage();
    await earlierVisit(storage);
    const { notices, autosave, show } = setup(storage);
    const session = show(ViewerSession.withStructures(ct, []));
    await autosave.offer(session);
    assert.equal(notices.items.length, 1);
    assert.match(notices.items[0]!.text, /^2 structures autosaved for this CT on .*: Heart, GTV$/);
    assert.deepEqual(notices.items[0]!.actions!.map((a) => a.label), ['Restore', 'Start afresh']);
    action(notices, 'Restore').run();
    await settle();
    assert.deepEqual(session.store.state.structures.map((s) => s.name), ['Heart', 'GTV']);
  });

  it('Start afresh keeps the session as opened and autosaves its own edits', async () => {
    const storage = new MemoryStorage();
    await earlierVisit(storage);
    const { notices, autosave, show } = setup(storage);
    const session = show(ViewerSession.withStructures(ct, []));
    await autosave.offer(session);
    action(notices, 'Start afresh').run();
    await settle();
    assert.deepEqual(session.store.state.structures, []);
    assert.deepEqual((await Autosave.find(storage, keyOf(ct)))?.structureNames ?? [], [], 'the earlier record is gone');
    session.store.add({ name: 'PTV' });
    await settle();
    assert.deepEqual((await Autosave.find(storage, keyOf(ct)))?.structureNames, ['PTV']);
  });

  it('a part of the series (one slice: another grid) is told where the autosave is, and never touches it', async () => {
    const storage = new MemoryStorage();
    await earlierVisit(storage);
    const { notices, autosave, show } = setup(storage);
    const slice = new Volume({ ...ct.geometry, dimensions: [48, 48, 1], data: new Int16Array(48 * 48), identity: ct.identity });
    const session = show(ViewerSession.withStructures(slice, []));
    await autosave.offer(session);
    assert.match(notices.items.at(-1)!.text, /autosaved on a 48 × 48 × 20 grid .* open the whole series to restore them\. They are kept\./);
    assert.equal(notices.items.at(-1)!.actions?.length ?? 0, 0);
    session.store.add({ name: 'Scribble' });
    await settle();
    // Reopening the whole series still offers the saved structures.
    const again = setup(storage);
    await again.autosave.offer(again.show(ViewerSession.withStructures(ct, [])));
    assert.match(again.notices.items[0]!.text, /^2 structures autosaved for this CT on .*: Heart, GTV$/);
  });

  it('a restore that fails is a notice and a delineo-error; the record is kept and the session saves apart from it', async () => {
    const inner = new MemoryStorage();
    await earlierVisit(inner);
    let failReads = false;
    const storage: KeyValueStorage = { get: (k) => (failReads && k.includes('/s/') ? Promise.reject(new Error('disk I/O error')) : inner.get(k)), put: (k, v) => inner.put(k, v), delete: (k) => inner.delete(k), keys: (p) => inner.keys(p) };
    const { host, notices, autosave, show } = setup(storage);
    const session = show(ViewerSession.withStructures(ct, []));
    await autosave.offer(session);
    failReads = true;
    action(notices, 'Restore').run();
    await settle();
    assert.deepEqual(session.store.state.structures, []);
    assert.match(notices.items.at(-1)!.text, /^Restore failed: disk I\/O error\. The autosave is kept/);
    assert.deepEqual(host.errors.map((e) => [e.operation, e.code]), [['restore', 'error']]);
    session.store.add({ name: 'New' });
    await settle();
    failReads = false;
    assert.deepEqual((await Autosave.find(inner, keyOf(ct)))?.structureNames, ['Heart', 'GTV']);
  });

  it('an export of the structures removes their autosave; edits after it are saved afresh', async () => {
    const storage = new MemoryStorage();
    const { autosave, show } = setup(storage);
    const session = show(ViewerSession.withStructures(ct, []));
    await autosave.offer(session);
    session.store.add({ name: 'PTV' });
    await settle();
    await autosave.exported(session);
    assert.equal(await Autosave.find(storage, keyOf(ct)), null);
    session.store.add({ name: 'CTV' });
    await settle();
    const restored = await Autosave.restore(storage, keyOf(ct), ct.geometry);
    assert.deepEqual(restored.structures.map((s) => s.name), ['PTV', 'CTV']);
    assert.deepEqual(restored.problems, []);
  });

  it('after a reload, offers to reopen the last session’s CT and lists old sessions without deleting them', async () => {
    const storage = new MemoryStorage();
    const first = setup(storage);
    const session = first.show(ViewerSession.withStructures(ct, []));
    await first.autosave.offer(session, { kind: 'dicomweb', studyInstanceUid: '1.2', seriesInstanceUid: '1.2.3' });
    session.store.add({ name: 'PTV' });
    await settle();
    const old = { key: 'session:old|old|1x1x1', savedAt: '2020-01-01T00:00:00.000Z', structureNames: ['Lung_L'], activeId: null, order: [], dimensions: [1, 1, 1], info: { patientName: 'Old^Case' } };
    await storage.put('session:old|old|1x1x1/manifest', old);
    const { notices, autosave, reopened } = setup(storage);
    await autosave.offerLastSession();
    assert.match(notices.items[0]!.text, /^Your last session is autosaved: .* · 1 structure, saved .*\. Open its CT again to restore it\.$/);
    notices.items[0]!.actions!.find((a) => a.label === 'Reopen from PACS')!.run();
    assert.deepEqual(reopened, [{ kind: 'dicomweb', studyInstanceUid: '1.2', seriesInstanceUid: '1.2.3' }]);
    assert.match(notices.items[1]!.text, /^1 autosaved session is older than 30 days; they are kept/);
    assert.match(notices.items[1]!.details![0]!, /^Old, Case · CT · 1 structure/);
    assert.equal((await Autosave.list(storage)).length, 2);
  });

  it('does nothing for a session no longer shown', async () => {
    const storage = new MemoryStorage();
    await earlierVisit(storage);
    const { notices, autosave, show } = setup(storage);
    const first = show(ViewerSession.withStructures(ct, []));
    await autosave.offer(first);
    show(ViewerSession.withStructures(ct, []));
    action(notices, 'Restore').run();
    await settle();
    assert.deepEqual(first.store.state.structures, []);
  });

  it('warns when the CT has no DICOM identifiers or storage fails, and does nothing without storage', async () => {
    const anonymous = new Volume({ ...ct.geometry, data: ct.data, identity: {} });
    const a = setup(new MemoryStorage());
    await a.autosave.offer(a.show(ViewerSession.withStructures(anonymous, [])));
    assert.match(a.notices.items[0]!.text, /no DICOM identifiers: edits are not autosaved/);
    const broken: KeyValueStorage = { get: () => Promise.reject(new Error('quota exceeded')), put: async () => {}, delete: async () => {}, keys: async () => [] };
    const b = setup(broken);
    await b.autosave.offer(b.show(ViewerSession.withStructures(ct, [])));
    assert.match(b.notices.items[0]!.text, /^Autosave is not available \(quota exceeded\)/);
    const c = setup(null);
    await c.autosave.offer(c.show(ViewerSession.withStructures(ct, [])));
    assert.deepEqual(c.notices.items, []);
  });
});
