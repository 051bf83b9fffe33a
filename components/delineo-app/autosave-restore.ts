import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Autosave, autosaveKey, personName, type CtSource, type KeyValueStorage, type SavedSession, type SessionInfo, type ViewerSession } from '../../src/index.ts';
import { emit } from '../internal/emit.ts';
import type { NoticeList } from '../internal/notices.ts';

/** What the autosave part asks its host. */
export interface AutosaveRestoreOptions {
  /** Where sessions are saved; null: autosave is off. */
  readonly storage: () => KeyValueStorage | null;
  /** The session shown now: an offer or a restore for a session no longer shown does nothing. */
  readonly current: () => ViewerSession | null;
  readonly notices: NoticeList;
  /** The model chosen now, recorded with the session. */
  readonly modelId: () => string | null;
  /** A restored session's model becomes the chosen one. */
  readonly restoreModel: (id: string) => void;
  /** Opens the CT of an earlier session again (after a reload): from the PACS it came from, or by asking for its files. */
  readonly reopen: (source: CtSource) => void;
  /** Whether the source can be reopened here (a PACS source needs the same server configured). */
  readonly canReopen: (source: CtSource) => boolean;
}

/** A short description of an autosaved session for a notice: patient, series, structures, when. */
export function describeSaved(saved: SavedSession): string {
  const i = saved.info;
  const who = i.patientName ? personName(i.patientName) : i.patientId || 'Unnamed patient';
  const what = i.seriesDescription || i.ctName || 'CT';
  const n = saved.structureNames.length;
  return `${who} · ${what} · ${n} structure${n === 1 ? '' : 's'}, saved ${new Date(saved.savedAt).toLocaleString()}`;
}

/**
 * The app's autosave of a CT opened in it (src/state/autosave.ts does the saving):
 * - when a CT is opened, {@link offer} offers back what was autosaved for that very CT (same Frame of Reference,
 *   series and grid) — Restore, or Start afresh — and autosaves the session's edits from then on. A part of the
 *   series opened alone (one slice) has its own key: it is told where the whole series' autosave is, and never
 *   touches it;
 * - a record is deleted only when the user chooses "Start afresh" or after an export of its structures
 *   ({@link exported}); a failed restore keeps it and saves the session's edits under a key of its own;
 * - after a reload, {@link offerLastSession} offers to reopen the newest session's CT (from the PACS it came from,
 *   or its files), and lists the sessions older than the retention period instead of dropping them.
 * A CT without DICOM identifiers, or a browser without storage, is said so: the user then knows to export.
 */
export class AutosaveRestore implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #options: AutosaveRestoreOptions;
  #autosave: Autosave | null = null;
  #source: CtSource | undefined;
  #offeredLast = false;

  constructor(host: ReactiveControllerHost & EventTarget, options: AutosaveRestoreOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** Offers the structures autosaved for the CT of `session` back, then autosaves its edits from then on. */
  async offer(session: ViewerSession, source?: CtSource): Promise<void> {
    const { storage: storageOf, current, notices } = this.#options;
    this.#source = source;
    const storage = storageOf();
    if (!storage) return;
    let key: string;
    try {
      key = autosaveKey(session.volume.identity, session.volume.dimensions);
    } catch {
      notices.notify('warning', 'This CT has no DICOM identifiers: edits are not autosaved; export before you close the page');
      return;
    }
    let saved: SavedSession | null = null;
    let elsewhere: SavedSession[] = [];
    try {
      saved = await Autosave.find(storage, key);
      // A session saved before keys carried the grid sits under the series' key: offer it, keyed as it is.
      const legacyKey = autosaveKey(session.volume.identity);
      const legacy = saved ? null : await Autosave.find(storage, legacyKey);
      if (legacy && !legacy.dimensions.length) {
        saved = legacy;
        key = legacyKey;
      }
      if (!saved) elsewhere = (await this.#sameSeries(storage, session)).filter((s) => s.key !== key && s.dimensions.length);
    } catch (error) {
      notices.notify('warning', `Autosave is not available (${(error as Error).message}): export before you close the page`);
      return;
    }
    if (current() !== session) return;
    for (const other of elsewhere) {
      notices.notify('info', `Structures of this series are autosaved on a ${other.dimensions.join(' × ')} grid (${other.structureNames.length} structures, ${new Date(other.savedAt).toLocaleString()}); this CT is ${session.volume.dimensions.join(' × ')}: open the whole series to restore them. They are kept.`);
    }
    if (!saved || !saved.structureNames.length) {
      this.#start(session, storage, key);
      return;
    }
    const names = saved.structureNames;
    const when = new Date(saved.savedAt).toLocaleString();
    notices.notify('info', `${names.length} structure${names.length === 1 ? '' : 's'} autosaved for this CT on ${when}: ${names.join(', ')}`, [], [
      { label: 'Restore', run: () => void this.#restore(session, storage, key) },
      {
        label: 'Start afresh',
        run: () =>
          void Autosave.discard(storage, key)
            .catch(() => undefined)
            .then(() => this.#start(session, storage, key, true)),
      },
    ]);
  }

  /**
   * After the page was (re)loaded with nothing opened yet: offers to reopen the CT of the newest autosaved session,
   * and lists the sessions older than the retention period (kept, never deleted for their age). Once per element.
   */
  async offerLastSession(): Promise<void> {
    const { storage: storageOf, notices, reopen, canReopen } = this.#options;
    const storage = storageOf();
    if (!storage || this.#offeredLast) return;
    this.#offeredLast = true;
    let sessions: SavedSession[];
    try {
      sessions = (await Autosave.list(storage)).filter((s) => s.structureNames.length > 0);
    } catch {
      return;
    }
    const recent = sessions.filter((s) => !Autosave.isOld(s));
    const old = sessions.filter((s) => Autosave.isOld(s));
    const last = recent[0];
    if (last) {
      const source = last.info.source;
      const actions = source && canReopen(source) ? [{ label: source.kind === 'dicomweb' ? 'Reopen from PACS' : 'Open its files…', run: () => reopen(source) }] : [];
      const how = !source ? '' : source.kind === 'dicomweb' ? '' : ` (${source.count} file${source.count === 1 ? '' : 's'}${source.names.length ? `: ${source.names.slice(0, 3).join(', ')}${source.count > 3 ? ', …' : ''}` : ''})`;
      notices.notify('info', `Your last session is autosaved: ${describeSaved(last)}${how}. Open its CT again to restore it.`, [], actions);
    }
    if (old.length) notices.notify('info', `${old.length} autosaved session${old.length === 1 ? ' is' : 's are'} older than 30 days; they are kept until you open their CT and start afresh`, old.map(describeSaved));
  }

  /** The structures were exported: their autosave is no longer the only copy, so it goes; edits from now on are saved afresh. */
  async exported(session: ViewerSession): Promise<void> {
    const autosave = this.#autosave;
    const storage = this.#options.storage();
    if (!autosave || !storage || this.#options.current() !== session) return;
    await autosave.flush();
    this.stop();
    await Autosave.discard(storage, autosave.key).catch(() => undefined);
    this.#start(session, storage, autosave.key);
  }

  /** Records another chosen model with the session. */
  modelChanged(): void {
    this.#autosave?.setInfo({ modelId: this.#options.modelId() });
  }

  /** Stops autosaving (writes already queued still complete). */
  stop(): void {
    this.#autosave?.stop();
    this.#autosave = null;
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Sessions of the same series (Frame of Reference and Series Instance UID) on any grid. */
  async #sameSeries(storage: KeyValueStorage, session: ViewerSession): Promise<SavedSession[]> {
    const id = session.volume.identity;
    const prefix = autosaveKey(id);
    return (await Autosave.list(storage)).filter((s) => s.key === prefix || s.key.startsWith(`${prefix}|`));
  }

  /**
   * Loads the autosaved structures into the session, with the model's originals (review measures) and the chosen
   * model, then autosaves. A failure is a notice and `delineo-error`; the record is kept, and this session's edits
   * are saved under a key of their own so they cannot overwrite it.
   */
  async #restore(session: ViewerSession, storage: KeyValueStorage, key: string): Promise<void> {
    const { current, notices, restoreModel } = this.#options;
    try {
      const restored = await Autosave.restore(storage, key, session.volume.geometry);
      if (current() !== session) return;
      session.store.load(restored.structures, restored.activeId);
      session.review.adoptOriginals(restored.originals);
      if (restored.info.modelId) restoreModel(restored.info.modelId);
      if (restored.problems.length) notices.notify('warning', 'Some autosaved structures could not be restored', restored.problems);
      this.#start(session, storage, key);
    } catch (error) {
      const message = (error as Error).message;
      notices.notify('error', `Restore failed: ${message}. The autosave is kept; this session's edits are saved separately.`);
      emit(this.#host, 'delineo-error', { operation: 'restore', code: 'error', message, file: null });
      this.#start(session, storage, `${key}|${Date.now()}`);
    }
  }

  #start(session: ViewerSession, storage: KeyValueStorage, key: string, saveNow = false): void {
    if (this.#options.current() !== session) return;
    this.stop();
    const id = session.volume.identity;
    const info: SessionInfo = {
      patientName: id.patientName,
      patientId: id.patientId,
      studyDate: id.studyDate,
      seriesDescription: id.seriesDescription,
      ctName: session.volume.name,
      frameOfReferenceUid: id.frameOfReferenceUid,
      seriesInstanceUid: id.seriesInstanceUid,
      source: this.#source,
      modelId: this.#options.modelId(),
    };
    this.#autosave = new Autosave(session.store, storage, key, { originals: (sid) => session.review.original(sid), info });
    this.#autosave.start({ saveNow });
  }
}
