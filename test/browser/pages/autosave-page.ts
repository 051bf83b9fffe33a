// A page for the reload test (autosave-reload.browser.test.ts): on a first load it runs an editing session
// whose store autosaves to IndexedDB; when it finds a saved session (after the reload) it restores it.
// It reports through window properties the test reads from the parent frame.
import { Autosave, IndexedDbStorage, StructureSetStore, autosaveKey, applyMargin, uniformMargins, IDENTITY, type ImageGeometry } from '../../../src/index.ts';

const g: ImageGeometry = { dimensions: [64, 64, 16], spacing: [1, 1, 2], origin: [0, 0, 0], direction: IDENTITY };
const key = autosaveKey({ frameOfReferenceUid: '2.25.1', seriesInstanceUid: '2.25.2' });
const storage = new IndexedDbStorage('delineo-reload-test');

type Report = { names: string[]; counts: number[]; dense: number[][] };
const w = window as unknown as { edited?: Report; restored?: Report; failure?: string };

function report(store: StructureSetStore): Report {
  const structures = store.structures();
  return {
    names: structures.map((s) => s.name),
    counts: structures.map((s) => s.mask.count()),
    dense: structures.map((s) => Array.from(s.mask.toDense())),
  };
}

async function main(): Promise<void> {
  const saved = await Autosave.find(storage, key);
  const store = new StructureSetStore(g);
  if (saved) {
    const restored = await Autosave.restore(storage, key, g);
    store.load(restored.structures, restored.activeId);
    w.restored = report(store);
    return;
  }
  const autosave = new Autosave(store, storage, key);
  autosave.start();
  const gtv = store.add({ name: 'GTV', interpretedType: 'GTV' });
  store.editMask(gtv, 'Brush', (m) => {
    for (let j = 20; j < 30; j++) for (let i = 20; i < 30; i++) m.set(i, j, 8, true);
  });
  store.editMask(gtv, 'Erase', (m) => m.set(25, 25, 8, false));
  applyMargin(store, gtv, uniformMargins(3), { newStructure: { name: 'PTV', interpretedType: 'PTV' } });
  const heart = store.add({ name: 'Heart' });
  store.editMask(heart, 'Brush', (m) => m.set(40, 40, 4, true));
  store.update(heart, { name: 'Heart_edited' });
  await autosave.flush();
  w.edited = report(store);
}

main().catch((e: Error) => {
  w.failure = e.message;
});
