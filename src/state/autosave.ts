import type { Subscription } from 'rxjs';
import { BinaryMask, type ImageGeometry, type SerializedMask, type Structure } from '../domain/index.ts';
import type { StructureRecord, StructureSetStore } from './structure-set.store.ts';

/**
 * A small asynchronous key–value store: IndexedDB in the browser, a Map in tests and Node. Values must be
 * structured-cloneable (typed arrays are).
 */
export interface KeyValueStorage {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  keys(prefix: string): Promise<string[]>;
}

/** In-memory storage (tests, Node, or a portal that persists elsewhere). */
export class MemoryStorage implements KeyValueStorage {
  private readonly map = new Map<string, unknown>();
  async get<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.map.get(key)) as T | undefined;
  }
  async put(key: string, value: unknown): Promise<void> {
    this.map.set(key, structuredClone(value));
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
  async keys(prefix: string): Promise<string[]> {
    return [...this.map.keys()].filter((k) => k.startsWith(prefix));
  }
}

/** Thrown when the browser's storage fails (quota, private mode); the message says what is at risk. */
export class AutosaveError extends Error {
  override readonly name = 'AutosaveError';
}

const request = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(new AutosaveError(`browser storage failed: ${r.error?.message ?? 'unknown error'}`));
  });

/**
 * IndexedDB storage in one object store. Each instance opens its own connection; the database name lets
 * two embedded apps on one page keep separate autosaves.
 */
export class IndexedDbStorage implements KeyValueStorage {
  private db: Promise<IDBDatabase> | undefined;
  constructor(readonly databaseName = 'delineo-autosave') {}

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined') {
        reject(new AutosaveError('this browser has no IndexedDB: edits are not saved across reloads'));
        return;
      }
      const r = indexedDB.open(this.databaseName, 1);
      r.onupgradeneeded = () => r.result.createObjectStore('kv');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(new AutosaveError(`cannot open browser storage: ${r.error?.message ?? 'unknown error'}`));
    });
    return this.db;
  }

  private async store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.open()).transaction('kv', mode).objectStore('kv');
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await request((await this.store('readonly')).get(key))) as T | undefined;
  }
  async put(key: string, value: unknown): Promise<void> {
    await request((await this.store('readwrite')).put(value, key));
  }
  async delete(key: string): Promise<void> {
    await request((await this.store('readwrite')).delete(key));
  }
  async keys(prefix: string): Promise<string[]> {
    const range = IDBKeyRange.bound(prefix, prefix + '\uffff');
    return (await request((await this.store('readonly')).getAllKeys(range))).map(String);
  }

  /** Closes the connection (tests; a page unload closes it anyway). */
  async close(): Promise<void> {
    if (this.db) (await this.db).close();
    this.db = undefined;
  }
}

/** Where the CT of an autosaved session came from, so that after a reload the app can offer to open it again. */
export type CtSource =
  | { readonly kind: 'dicomweb'; readonly studyInstanceUid: string; readonly seriesInstanceUid: string }
  | { readonly kind: 'files'; readonly count: number; readonly names: readonly string[] };

/** What the app shows about an autosaved session without opening it, and what it restores besides structures. */
export interface SessionInfo {
  readonly patientName?: string;
  readonly patientId?: string;
  readonly studyDate?: string;
  readonly seriesDescription?: string;
  /** The CT's own name (file or series), shown when there is no description. */
  readonly ctName?: string;
  readonly frameOfReferenceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly source?: CtSource;
  /** The auto-contouring model chosen in the session. */
  readonly modelId?: string | null;
}

/** What an autosaved session looks like before it is restored: enough to ask the user. */
export interface SavedSession {
  readonly key: string;
  readonly savedAt: string;
  readonly structureNames: readonly string[];
  readonly activeId: string | null;
  /** The CT grid the structures are on. */
  readonly dimensions: readonly number[];
  readonly info: SessionInfo;
}

interface Manifest extends Omit<SavedSession, 'info'> {
  readonly order: readonly string[];
  readonly info?: SessionInfo;
}

interface SavedStructure {
  readonly record: StructureRecord;
  readonly mask: SerializedMask;
  /** The model's original mask (the review measures compare against it), when the session knew it. */
  readonly original?: SerializedMask;
}

/** Autosaved sessions older than this are listed as old; nothing is deleted for its age. */
export const AUTOSAVE_RETENTION_DAYS = 30;

/** What a restore gives back. */
export interface RestoredSession {
  readonly structures: Structure[];
  readonly activeId: string | null;
  /** The model's originals by structure id, for the review tracker (ReviewTracker.adoptOriginals). */
  readonly originals: ReadonlyMap<string, BinaryMask>;
  readonly info: SessionInfo;
  /** Structures that could not be read, named; the rest are restored. */
  readonly problems: string[];
}

/**
 * The autosave key of a CT: its Frame of Reference and Series Instance UIDs and, when given, its grid, so that a
 * session is offered back only on the same images (a structure set on another CT would be in the wrong place),
 * and a part of the series opened on its own (a single slice) never meets, let alone replaces, the whole
 * series' autosave.
 */
export function autosaveKey(identity: { frameOfReferenceUid?: string; seriesInstanceUid?: string }, dimensions?: readonly number[]): string {
  if (!identity.frameOfReferenceUid && !identity.seriesInstanceUid) {
    throw new AutosaveError('the CT has neither a Frame of Reference nor a Series Instance UID: autosave cannot tell it apart');
  }
  const grid = dimensions ? `|${dimensions.join('x')}` : '';
  return `session:${identity.frameOfReferenceUid ?? '-'}|${identity.seriesInstanceUid ?? '-'}${grid}`;
}

/** Options of an {@link Autosave}. */
export interface AutosaveOptions {
  /** The model's original mask of a structure, saved with it so the review measures survive a reload. */
  readonly originals?: (id: string) => BinaryMask | undefined;
  /** What to record about the session (patient, series, where the CT came from, the chosen model). */
  readonly info?: SessionInfo;
}

/**
 * Persists every committed change of a structure set so that a reload or a crash loses nothing. Each
 * structure is stored under its own key (an edit writes one mask), with a manifest that records the list order
 * and what the session was. Writes are queued in order; `flush()` resolves when everything committed so far
 * is on disk.
 *
 * Nothing is written until the first committed change after `start()`: opening a CT, or a restore that
 * failed, never overwrites what an earlier session saved under the same key. A record goes only when the
 * user discards it ({@link Autosave.discard}: "Start afresh", or after exporting those structures).
 */
export class Autosave {
  private subscription: Subscription | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly dirty = new Set<string>();
  private scheduled = false;
  /** Whether this session has written anything (its first change came). */
  private saved = false;
  private info: SessionInfo;
  /** The last storage failure, if any (the UI shows it: edits are not safe while it is set). */
  lastError: AutosaveError | null = null;

  constructor(
    private readonly store: StructureSetStore,
    private readonly storage: KeyValueStorage,
    readonly key: string,
    private readonly options: AutosaveOptions = {},
  ) {
    this.info = options.info ?? {};
  }

  /**
   * Starts saving on every committed change; the structures present now are written with the first one, or at
   * once with `saveNow` (when nothing saved under the key may be kept: the user chose to start afresh).
   */
  start(options: { readonly saveNow?: boolean } = {}): void {
    if (this.subscription) return;
    this.subscription = this.store.changes$.subscribe((c) => {
      for (const id of c.structureIds) this.dirty.add(id);
      this.schedule();
    });
    for (const s of this.store.state.structures) this.dirty.add(s.id);
    if (options.saveNow) this.schedule();
  }

  /** Stops listening (pending writes still complete). */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** Changes what is recorded about the session (e.g. another model chosen); saved with the next write, or now once something was saved. */
  setInfo(info: SessionInfo): void {
    this.info = { ...this.info, ...info };
    if (this.saved) this.schedule();
  }

  /** Resolves when every change committed so far has been written. */
  async flush(): Promise<void> {
    await this.queue;
    if (this.saved && this.dirty.size) {
      this.schedule();
      await this.queue;
    }
  }

  private schedule(): void {
    this.saved = true;
    if (this.scheduled) return;
    this.scheduled = true;
    this.queue = this.queue.then(() => this.write());
  }

  private async write(): Promise<void> {
    this.scheduled = false;
    const ids = [...this.dirty];
    this.dirty.clear();
    const state = this.store.state;
    const present = new Set(state.structures.map((s) => s.id));
    try {
      for (const id of ids) {
        if (present.has(id)) {
          const original = this.options.originals?.(id);
          const saved: SavedStructure = { record: this.store.record(id), mask: this.store.mask(id).serialize(), ...(original ? { original: original.serialize() } : {}) };
          await this.storage.put(`${this.key}/s/${id}`, saved);
        } else await this.storage.delete(`${this.key}/s/${id}`);
      }
      const manifest: Manifest = {
        key: this.key,
        savedAt: new Date().toISOString(),
        structureNames: state.structures.map((s) => s.name),
        activeId: state.activeId,
        order: state.structures.map((s) => s.id),
        dimensions: [...this.store.geometry.dimensions],
        info: this.info,
      };
      await this.storage.put(`${this.key}/manifest`, manifest);
      this.lastError = null;
    } catch (e) {
      // Keep the ids dirty so the next change retries them; surface the failure.
      for (const id of ids) this.dirty.add(id);
      this.lastError = e instanceof AutosaveError ? e : new AutosaveError(`autosave failed: ${(e as Error).message}`);
    }
  }

  /** The autosaved session for a key, or null. */
  static async find(storage: KeyValueStorage, key: string): Promise<SavedSession | null> {
    const m = await storage.get<Manifest>(`${key}/manifest`);
    return m ? summary(m) : null;
  }

  /** Every autosaved session in the storage, newest first. */
  static async list(storage: KeyValueStorage): Promise<SavedSession[]> {
    const keys = (await storage.keys('session:')).filter((k) => k.endsWith('/manifest'));
    const sessions: SavedSession[] = [];
    for (const k of keys) {
      const m = await storage.get<Manifest>(k);
      if (m) sessions.push(summary(m));
    }
    return sessions.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  /** Whether a session was last saved more than `retentionDays` ago (it is then listed as old, never deleted for it). */
  static isOld(session: Pick<SavedSession, 'savedAt'>, now = Date.now(), retentionDays = AUTOSAVE_RETENTION_DAYS): boolean {
    return now - Date.parse(session.savedAt) > retentionDays * 86_400_000;
  }

  /**
   * Reads an autosaved session back as structures on `geometry`. Structures whose record is missing or
   * corrupt are skipped and named in `problems` rather than failing the whole restore. A session on another
   * grid is refused with an {@link AutosaveError}; the record stays as it is.
   */
  static async restore(storage: KeyValueStorage, key: string, geometry: ImageGeometry): Promise<RestoredSession> {
    const m = await storage.get<Manifest>(`${key}/manifest`);
    if (!m) return { structures: [], activeId: null, originals: new Map(), info: {}, problems: [] };
    // Sessions saved before the grid was recorded have no dimensions: the restore of each mask checks its size.
    if ((m.dimensions ?? geometry.dimensions).some((n, a) => n !== geometry.dimensions[a])) {
      throw new AutosaveError(`the autosaved structures are on a ${m.dimensions.join('×')} grid, this CT is ${geometry.dimensions.join('×')}`);
    }
    const structures: Structure[] = [];
    const originals = new Map<string, BinaryMask>();
    const problems: string[] = [];
    for (const id of m.order) {
      const saved = await storage.get<SavedStructure>(`${key}/s/${id}`);
      if (!saved) {
        problems.push(`structure ${id} is missing from the autosave`);
        continue;
      }
      try {
        const { maskVersion: _v, ...record } = saved.record;
        structures.push({ ...record, mask: BinaryMask.deserialize(saved.mask) });
      } catch (e) {
        problems.push(`${saved.record?.name ?? id}: ${(e as Error).message}`);
        continue;
      }
      try {
        if (saved.original) originals.set(id, BinaryMask.deserialize(saved.original));
      } catch (e) {
        problems.push(`${saved.record.name}: the model's original could not be read (${(e as Error).message}); its review measures start afresh`);
      }
    }
    return { structures, activeId: m.activeId, originals, info: m.info ?? {}, problems };
  }

  /** Deletes an autosaved session (the user chose "Start afresh", or exported those structures). */
  static async discard(storage: KeyValueStorage, key: string): Promise<void> {
    for (const k of await storage.keys(`${key}/`)) await storage.delete(k);
  }
}

function summary(m: Manifest): SavedSession {
  return { key: m.key, savedAt: m.savedAt, structureNames: m.structureNames, activeId: m.activeId, dimensions: m.dimensions ?? [], info: m.info ?? {} };
}
