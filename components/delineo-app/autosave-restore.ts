import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Autosave, autosaveKey, type KeyValueStorage, type SavedSession, type ViewerSession } from '../../src/index.ts';
import { emit } from '../internal/emit.ts';
import type { NoticeList } from '../internal/notices.ts';

/** What the autosave part asks its host. */
export interface AutosaveRestoreOptions {
  /** Where sessions are saved; null: autosave is off. */
  readonly storage: () => KeyValueStorage | null;
  /** The session shown now: an offer or a restore for a session no longer shown does nothing. */
  readonly current: () => ViewerSession | null;
  readonly notices: NoticeList;
}

/**
 * The app's autosave of a CT opened in it: when a CT is opened, {@link AutosaveRestore.offer} offers back what
 * was autosaved for that CT (same Frame of Reference and series) — Restore, or Start afresh — and from then on
 * saves every committed edit (src/state/autosave.ts); {@link AutosaveRestore.stop} ends it when another session
 * is shown or the element leaves the page. A CT without DICOM identifiers, or a browser without storage, is
 * said so in a warning: the user then knows to export before closing the page.
 */
export class AutosaveRestore implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: AutosaveRestoreOptions;
  #autosave: Autosave | null = null;

  constructor(host: ReactiveControllerHost & EventTarget, options: AutosaveRestoreOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** Offers the structures autosaved for the CT of `session` back, then autosaves its edits from then on. */
  async offer(session: ViewerSession): Promise<void> {
    const { storage: storageOf, current, notices } = this.#options;
    const storage = storageOf();
    if (!storage) return;
    let key: string;
    try {
      key = autosaveKey(session.volume.identity);
    } catch {
      notices.notify('warning', 'This CT has no DICOM identifiers: edits are not autosaved; export before you close the page');
      return;
    }
    let saved: SavedSession | null = null;
    try {
      saved = await Autosave.find(storage, key);
    } catch (error) {
      notices.notify('warning', `Autosave is not available (${(error as Error).message}): export before you close the page`);
      return;
    }
    if (!saved || !saved.structureNames.length || current() !== session) {
      this.#start(session, storage, key);
      return;
    }
    const names = saved.structureNames;
    const when = new Date(saved.savedAt).toLocaleString();
    notices.notify('info', `${names.length} structure${names.length === 1 ? '' : 's'} autosaved for this CT on ${when}: ${names.join(', ')}`, [], [
      { label: 'Restore', run: () => void this.#restore(session, storage, key) },
      { label: 'Start afresh', run: () => this.#start(session, storage, key) },
    ]);
  }

  /** Stops autosaving (writes already queued still complete). */
  stop(): void {
    this.#autosave?.stop();
    this.#autosave = null;
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Loads the autosaved structures into the session (a failure is a notice and `delineo-error`), then autosaves. */
  async #restore(session: ViewerSession, storage: KeyValueStorage, key: string): Promise<void> {
    const { current, notices } = this.#options;
    try {
      const restored = await Autosave.restore(storage, key, session.volume.geometry);
      if (current() !== session) return;
      session.store.load(restored.structures, restored.activeId);
      if (restored.problems.length) notices.notify('warning', 'Some autosaved structures could not be restored', restored.problems);
    } catch (error) {
      notices.notify('error', `Restore failed: ${(error as Error).message}`);
      emit(this.#host, 'delineo-error', { operation: 'restore', code: 'error', message: (error as Error).message, file: null });
    }
    this.#start(session, storage, key);
  }

  #start(session: ViewerSession, storage: KeyValueStorage, key: string): void {
    if (this.#options.current() !== session) return;
    this.stop();
    this.#autosave = new Autosave(session.store, storage, key);
    this.#autosave.start();
  }
}
