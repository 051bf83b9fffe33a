import '../helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { Autosave, IndexedDbStorage, autosaveKey } from '../../src/index.ts';

type Report = { names: string[]; counts: number[]; dense: number[][] };
type PageWindow = Window & { edited?: Report; restored?: Report; failure?: string };

async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 20000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('autosave across a page reload', () => {
  it('a reload in the middle of an editing session finds every edit', async () => {
    const storage = new IndexedDbStorage('delineo-reload-test');
    await Autosave.discard(storage, autosaveKey({ frameOfReferenceUid: '2.25.1', seriesInstanceUid: '2.25.2' }));
    await storage.close();

    const frame = document.createElement('iframe');
    frame.src = new URL('./pages/autosave-page.html', import.meta.url).href;
    document.body.append(frame);
    const page = () => frame.contentWindow as PageWindow;
    const read = (what: 'edited' | 'restored') => () => {
      if (page().failure) throw new Error(`the page failed: ${page().failure}`);
      return page()[what];
    };
    const edited = await waitFor(read('edited'), 'the editing session');
    expect(edited.names).to.deep.equal(['GTV', 'PTV', 'Heart_edited']);
    expect(edited.counts[0]).to.equal(99);

    const reloaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
    page().location.reload();
    await reloaded;
    // Restored only if the autosave reached IndexedDB: otherwise the page would start a new session.
    const restored = await waitFor(read('restored'), 'the restored session');
    expect(restored.names).to.deep.equal(edited.names);
    expect(restored.counts).to.deep.equal(edited.counts);
    for (let n = 0; n < edited.dense.length; n++) expect(restored.dense[n], `mask of ${edited.names[n]}`).to.deep.equal(edited.dense[n]);
    frame.remove();
  });
});
