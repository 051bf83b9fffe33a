import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReactiveController } from 'lit';
import { Autosave, MemoryStorage, Volume, autosaveKey, generatePhantom, type KeyValueStorage, ViewerSession } from '../../src/index.ts';
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
  const autosave = new AutosaveRestore(host, { storage: () => storage, current: () => current, notices });
  const show = (session: ViewerSession) => (current = session);
  return { host, notices, autosave, show };
}

/** Saves `session`'s edits to `storage` the way an earlier visit would have: one committed change, flushed. */
async function earlierVisit(storage: KeyValueStorage): Promise<void> {
  const session = ViewerSession.withStructures(ct, heart());
  const autosave = new Autosave(session.store, storage, autosaveKey(ct.identity));
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
    assert.deepEqual((await Autosave.find(storage, autosaveKey(ct.identity)))?.structureNames, ['PTV']);
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
    assert.deepEqual(session.store.state.structures, []);
    session.store.add({ name: 'PTV' });
    await settle();
    assert.deepEqual((await Autosave.find(storage, autosaveKey(ct.identity)))?.structureNames, ['PTV']);
  });

  it('a restore that fails is a notice and a delineo-error, and the session is left as it was', async () => {
    const storage = new MemoryStorage();
    await earlierVisit(storage);
    const { host, notices, autosave, show } = setup(storage);
    // The same identifiers on another grid: the saved structures cannot be placed on it.
    const other = new Volume({ ...ct.geometry, dimensions: [24, 24, 10], data: new Int16Array(24 * 24 * 10), identity: ct.identity });
    const session = show(ViewerSession.withStructures(other, []));
    await autosave.offer(session);
    action(notices, 'Restore').run();
    await settle();
    assert.deepEqual(session.store.state.structures, []);
    assert.match(notices.items.at(-1)!.text, /^Restore failed: .*grid/);
    assert.equal(notices.items.at(-1)!.kind, 'error');
    assert.deepEqual(host.errors.map((e) => [e.operation, e.code]), [['restore', 'error']]);
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
