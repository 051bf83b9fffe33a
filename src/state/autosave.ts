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

/** What an autosaved session looks like before it is restored: enough to ask the user. */
export interface SavedSession {
  readonly key: string;
  readonly savedAt: string;
  readonly structureNames: readonly string[];
  readonly activeId: string | null;
}

interface Manifest extends SavedSession {
  readonly order: readonly string[];
  readonly dimensions: readonly number[];
}

interface SavedStructure {
  readonly record: StructureRecord;
  readonly mask: SerializedMask;
}

/**
 * The autosave key of a CT: its Frame of Reference and Series Instance UIDs, so that a session is offered
 * back only on the same images (a structure set on another CT would be in the wrong place).
 */
export function autosaveKey(identity: { frameOfReferenceUid?: string; seriesInstanceUid?: string }): string {
  if (!identity.frameOfReferenceUid && !identity.seriesInstanceUid) {
    throw new AutosaveError('the CT has neither a Frame of Reference nor a Series Instance UID: autosave cannot tell it apart');
  }
  return `session:${identity.frameOfReferenceUid ?? '-'}|${identity.seriesInstanceUid ?? '-'}`;
}

/**
 * Persists every committed change of a structure set so that a reload or a crash loses nothing. Each
 * structure is stored under its own key (an edit writes one mask, typically well under 1 MB), with a
 * manifest that records the list order. Writes are queued in order; `flush()` resolves when everything
 * committed so far is on disk.
 */
export class Autosave {
  private subscription: Subscription | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly dirty = new Set<string>();
  private scheduled = false;
  /** The last storage failure, if any (the UI shows it: edits are not safe while it is set). */
  lastError: AutosaveError | null = null;

  constructor(
    private readonly store: StructureSetStore,
    private readonly storage: KeyValueStorage,
    readonly key: string,
  ) {}

  /** Starts saving on every committed change (and saves the current state once). */
  start(): void {
    if (this.subscription) return;
    this.subscription = this.store.changes$.subscribe((c) => {
      for (const id of c.structureIds) this.dirty.add(id);
      this.schedule();
    });
    for (const s of this.store.state.structures) this.dirty.add(s.id);
    this.schedule();
  }

  /** Stops listening (pending writes still complete). */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** Resolves when every change committed so far has been written. */
  async flush(): Promise<void> {
    await this.queue;
    if (this.dirty.size) {
      this.schedule();
      await this.queue;
    }
  }

  private schedule(): void {
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
          const saved: SavedStructure = { record: this.store.record(id), mask: this.store.mask(id).serialize() };
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
    return m ? { key: m.key, savedAt: m.savedAt, structureNames: m.structureNames, activeId: m.activeId } : null;
  }

  /**
   * Reads an autosaved session back as structures on `geometry`. Structures whose record is missing or
   * corrupt are skipped and named in `problems` rather than failing the whole restore.
   */
  static async restore(storage: KeyValueStorage, key: string, geometry: ImageGeometry): Promise<{ structures: Structure[]; activeId: string | null; problems: string[] }> {
    const m = await storage.get<Manifest>(`${key}/manifest`);
    if (!m) return { structures: [], activeId: null, problems: [] };
    if (m.dimensions.some((n, a) => n !== geometry.dimensions[a])) {
      throw new AutosaveError(`the autosaved structures are on a ${m.dimensions.join('×')} grid, this CT is ${geometry.dimensions.join('×')}`);
    }
    const structures: Structure[] = [];
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
      }
    }
    return { structures, activeId: m.activeId, problems };
  }

  /** Deletes an autosaved session (after export, or when the user declines to restore it). */
  static async discard(storage: KeyValueStorage, key: string): Promise<void> {
    for (const k of await storage.keys(`${key}/`)) await storage.delete(k);
  }
}
