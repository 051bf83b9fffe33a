import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import {
  BinaryMask,
  createStructure,
  maskVolumeCc,
  patchBytes,
  type ImageGeometry,
  type MaskPatch,
  type Provenance,
  type RoiInterpretedType,
  type Rgb,
  type Structure,
  type StructureInit,
} from '../domain/index.ts';

/** What the UI sees of a structure: everything but the voxels (they stay in the store's registry). */
export interface StructureRecord extends Omit<Structure, 'mask'> {
  /** Incremented on every change of the mask; views compare it to know when to redraw or re-mesh. */
  readonly maskVersion: number;
}

/** The reactive state of a structure set. Small and serialisable: no voxel buffers. */
export interface StructureSetState {
  readonly structures: readonly StructureRecord[];
  readonly activeId: string | null;
  /** Label of the command `undo()` would revert, or null. */
  readonly undoLabel: string | null;
  readonly redoLabel: string | null;
}

/** Properties a user may change without touching the mask. */
export type StructureProperties = Partial<Pick<Structure, 'name' | 'standardName' | 'color' | 'interpretedType' | 'visible' | 'locked'>>;

/** Why an edit was refused: the UI shows `message` as is. */
export class EditRefusedError extends Error {
  override readonly name = 'EditRefusedError';
  constructor(
    readonly structureId: string,
    readonly reason: 'locked' | 'approved' | 'not-found' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/** A committed change, as emitted on `changes$` (autosave and portals listen to it). */
export interface StructureSetChange {
  readonly command: string;
  readonly label: string;
  /** Structures whose mask or properties changed, were added or removed. */
  readonly structureIds: readonly string[];
  readonly maskChanged: boolean;
}

/** An interactive edit in progress; see StructureSetStore.beginEdit. */
export interface MaskEditSession {
  apply(edit: (mask: BinaryMask) => void): void;
  /** Records the edit as one undo step; false when it changed nothing. */
  commit(): boolean;
  cancel(): void;
}

type HistoryEntry =
  | { kind: 'mask'; id: string; label: string; patch: MaskPatch; provenance: [Provenance, Provenance] }
  | { kind: 'props'; id: string; label: string; before: Partial<Structure>; after: Partial<Structure> }
  | { kind: 'add'; label: string; record: StructureRecord; mask: BinaryMask; index: number }
  | { kind: 'remove'; label: string; record: StructureRecord; mask: BinaryMask; index: number }
  | { kind: 'batch'; label: string; entries: readonly (HistoryEntry & { kind: 'add' | 'remove' })[] };

const entryBytes = (e: HistoryEntry): number =>
  e.kind === 'mask' ? patchBytes(e.patch) : e.kind === 'props' ? 256 : e.kind === 'batch' ? e.entries.reduce((a, x) => a + entryBytes(x), 0) : e.mask.memoryBytes() + 256;
const entryIds = (e: HistoryEntry): string[] => (e.kind === 'batch' ? e.entries.map((x) => x.record.id) : e.kind === 'add' || e.kind === 'remove' ? [e.record.id] : [e.id]);

export interface StructureSetStoreOptions {
  /** Upper bound on undo memory; the oldest steps are dropped beyond it (default 64 MB). */
  readonly historyBytes?: number;
  /** Upper bound on undo steps (default 500). */
  readonly historySteps?: number;
}

/**
 * The structure set of one CT: the structures' properties as rxjs state, their masks in a registry, and
 * every change made through a named command that records an undo step.
 *
 * Rules a clinician relies on: a locked or approved structure refuses edits with a stated reason; an
 * AUTOMATIC structure becomes SEMIAUTOMATIC as soon as its mask is edited (its provenance is reported in
 * the RTSTRUCT); undo returns the exact previous mask; undo memory is bounded (patches of changed bricks,
 * not copies).
 */
export class StructureSetStore {
  private readonly subject: BehaviorSubject<StructureSetState>;
  private readonly changes = new Subject<StructureSetChange>();
  private readonly masks = new Map<string, BinaryMask>();
  private undoStack: HistoryEntry[] = [];
  private redoStack: HistoryEntry[] = [];
  private readonly historyBytes: number;
  private readonly historySteps: number;

  /** The current state; emits on every change. */
  readonly state$: Observable<StructureSetState>;
  /** Committed changes (not emitted for undo/redo bookkeeping of labels only). */
  readonly changes$: Observable<StructureSetChange>;

  constructor(
    readonly geometry: ImageGeometry,
    options: StructureSetStoreOptions = {},
  ) {
    this.historyBytes = options.historyBytes ?? 64 * 1024 * 1024;
    this.historySteps = options.historySteps ?? 500;
    this.subject = new BehaviorSubject<StructureSetState>({ structures: [], activeId: null, undoLabel: null, redoLabel: null });
    this.state$ = this.subject.asObservable();
    this.changes$ = this.changes.asObservable();
  }

  get state(): StructureSetState {
    return this.subject.value;
  }

  /** The record of a structure, or throws EditRefusedError('not-found'). */
  record(id: string): StructureRecord {
    const r = this.state.structures.find((s) => s.id === id);
    if (!r) throw new EditRefusedError(id, 'not-found', `no structure with id ${id}`);
    return r;
  }

  /** The mask of a structure. Treat it as read-only: change masks through `editMask`/`replaceMask`. */
  mask(id: string): BinaryMask {
    this.record(id);
    return this.masks.get(id)!;
  }

  /** A structure with its mask. */
  structure(id: string): Structure {
    const { maskVersion: _v, ...rest } = this.record(id);
    return { ...rest, mask: this.mask(id) };
  }

  /** All structures with their masks, in list order. */
  structures(): Structure[] {
    return this.state.structures.map((s) => this.structure(s.id));
  }

  /** Volume of a structure in cc. */
  volumeCc(id: string): number {
    return maskVolumeCc(this.mask(id), this.geometry);
  }

  /** Adds a structure (empty unless a mask is given) and makes it active. Returns its id. */
  add(init: Omit<StructureInit, 'mask'> & { mask?: BinaryMask }, label = `Add ${init.name}`): string {
    const mask = init.mask ?? new BinaryMask(this.geometry.dimensions);
    this.assertGrid(mask, init.name);
    const s = createStructure({ ...init, mask });
    if (this.masks.has(s.id)) throw new EditRefusedError(s.id, 'invalid', `a structure with id ${s.id} already exists`);
    const { mask: _m, ...props } = s;
    const record: StructureRecord = { ...props, maskVersion: 0 };
    const index = this.state.structures.length;
    this.insert(record, mask, index);
    this.push({ kind: 'add', label, record, mask, index });
    this.emit({ structures: this.state.structures, activeId: s.id }, { command: 'add', label, structureIds: [s.id], maskChanged: true });
    return s.id;
  }

  /**
   * Adds several structures as ONE undo step (an auto-contouring result), optionally removing others in the
   * same step (`replace`: a re-run replacing the previous, unreviewed result). Everything is checked before
   * anything changes: a locked or approved structure in `replace`, or a mask on another grid, refuses the
   * whole command. The first added structure becomes active. Returns the new ids in order.
   */
  addMany(inits: readonly (Omit<StructureInit, 'mask'> & { mask: BinaryMask })[], label: string, replace: readonly string[] = []): string[] {
    const removed = replace.map((id) => this.record(id));
    for (const r of removed) this.assertEditable(r, 'delete');
    for (const init of inits) this.assertGrid(init.mask, init.name);
    const created = inits.map((init) => createStructure(init));
    for (const c of created) if (this.masks.has(c.id)) throw new EditRefusedError(c.id, 'invalid', `a structure with id ${c.id} already exists`);
    const entries: (HistoryEntry & { kind: 'add' | 'remove' })[] = [];
    let structures = [...this.state.structures];
    for (const r of removed) {
      const index = structures.indexOf(structures.find((x) => x.id === r.id)!);
      entries.push({ kind: 'remove', label, record: r, mask: this.masks.get(r.id)!, index });
      structures.splice(index, 1);
      this.masks.delete(r.id);
    }
    for (const c of created) {
      const { mask, ...props } = c;
      const record: StructureRecord = { ...props, maskVersion: mask.version };
      entries.push({ kind: 'add', label, record, mask, index: structures.length });
      structures = [...structures, record];
      this.masks.set(c.id, mask);
    }
    const removedIds = new Set(replace);
    const active = created[0]?.id ?? (this.state.activeId && !removedIds.has(this.state.activeId) ? this.state.activeId : (structures[0]?.id ?? null));
    this.undoStack.push({ kind: 'batch', label, entries });
    this.redoStack = [];
    this.trimHistory();
    this.emit({ structures, activeId: active }, { command: 'add-many', label, structureIds: [...replace, ...created.map((c) => c.id)], maskChanged: true });
    return created.map((c) => c.id);
  }

  /** Deletes a structure (refused when locked or approved). Undo brings it back with its mask. */
  remove(id: string, label?: string): void {
    const record = this.record(id);
    this.assertEditable(record, 'delete');
    const index = this.state.structures.indexOf(record);
    const mask = this.masks.get(id)!;
    this.masks.delete(id);
    const structures = this.state.structures.filter((s) => s.id !== id);
    const text = label ?? `Delete ${record.name}`;
    this.emit({ structures, activeId: this.state.activeId === id ? (structures[0]?.id ?? null) : this.state.activeId });
    this.push({ kind: 'remove', label: text, record, mask, index });
    this.changes.next({ command: 'remove', label: text, structureIds: [id], maskChanged: true });
  }

  /**
   * Changes properties. Visibility and colour are display settings and always allowed; renaming, retyping
   * or locking an approved structure is refused; `locked` itself can always be toggled.
   */
  update(id: string, props: StructureProperties, label?: string): void {
    const record = this.record(id);
    const contentKeys = (['name', 'standardName', 'interpretedType'] as const).filter((k) => k in props);
    if (contentKeys.length && record.approved) {
      throw new EditRefusedError(id, 'approved', `${record.name} is approved: un-approve it before changing its ${contentKeys.join(', ')}`);
    }
    if (contentKeys.length && record.locked) {
      throw new EditRefusedError(id, 'locked', `${record.name} is locked: unlock it before changing its ${contentKeys.join(', ')}`);
    }
    // Validate through the same rules as creation (name length, colour range, interpreted type).
    const merged = createStructure({ ...record, ...props, mask: this.masks.get(id)! });
    const after: Partial<Structure> = {};
    const before: Partial<Structure> = {};
    for (const key of Object.keys(props) as (keyof StructureProperties)[]) {
      (after as Record<string, unknown>)[key] = merged[key];
      (before as Record<string, unknown>)[key] = record[key];
    }
    const text = label ?? `Change ${Object.keys(props).join(', ')} of ${record.name}`;
    this.applyProps(id, after);
    this.push({ kind: 'props', id, label: text, before, after });
    this.changes.next({ command: 'update', label: text, structureIds: [id], maskChanged: false });
  }

  /** Marks a structure approved (or not). Approval freezes the contour until it is withdrawn. */
  approve(id: string, approved = true): void {
    const record = this.record(id);
    if (record.approved === approved) return;
    const text = `${approved ? 'Approve' : 'Withdraw approval of'} ${record.name}`;
    this.applyProps(id, { approved });
    this.push({ kind: 'props', id, label: text, before: { approved: !approved }, after: { approved } });
    this.changes.next({ command: 'approve', label: text, structureIds: [id], maskChanged: false });
  }

  /** Selects the structure the tools act on (no undo step: selection is not an edit). */
  setActive(id: string | null): void {
    if (id !== null) this.record(id);
    this.emit({ structures: this.state.structures, activeId: id });
  }

  /**
   * Edits a mask in place — the path for interactive tools (brush, eraser, polygon). `edit` receives the
   * live mask; the store records the changed bricks as one undo step labelled `label`. An edit that changes
   * nothing records nothing.
   */
  editMask(id: string, label: string, edit: (mask: BinaryMask) => void): boolean {
    const record = this.record(id);
    this.assertEditable(record, 'edit');
    const mask = this.masks.get(id)!;
    const before = mask.clone();
    try {
      edit(mask);
    } catch (e) {
      // Leave the structure exactly as it was: a failing tool must not half-apply.
      mask.applyPatch(BinaryMask.diff(mask, before), 'after');
      throw e;
    }
    mask.compact();
    return this.commitMask(id, label, BinaryMask.diff(before, mask));
  }

  /**
   * Starts an interactive edit — a brush stroke from pointer-down to pointer-up — that becomes ONE undo
   * step. The mask is snapshotted once here, so each pointer event costs only its own voxels; `apply`
   * changes the live mask and announces the new mask version for redraw; `commit` records the step,
   * `cancel` restores the snapshot (Escape mid-stroke).
   */
  beginEdit(id: string, label: string): MaskEditSession {
    const record = this.record(id);
    this.assertEditable(record, 'edit');
    const mask = this.masks.get(id)!;
    const before = mask.clone();
    let open = true;
    const close = () => {
      if (!open) throw new EditRefusedError(id, 'invalid', `the edit "${label}" is already finished`);
      open = false;
    };
    return {
      apply: (edit) => {
        if (!open) throw new EditRefusedError(id, 'invalid', `the edit "${label}" is already finished`);
        edit(mask);
        this.applyProps(id, {}, true);
      },
      commit: () => {
        close();
        mask.compact();
        return this.commitMask(id, label, BinaryMask.diff(before, mask));
      },
      cancel: () => {
        close();
        mask.applyPatch(BinaryMask.diff(mask, before), 'after');
        this.applyProps(id, {}, true);
      },
    };
  }

  /** Replaces a mask with the result of an operation (margin, Boolean, smoothing…) as one undo step. */
  replaceMask(id: string, label: string, next: BinaryMask): boolean {
    const record = this.record(id);
    this.assertEditable(record, 'edit');
    this.assertGrid(next, record.name);
    const mask = this.masks.get(id)!;
    const patch = BinaryMask.diff(mask, next);
    mask.applyPatch(patch, 'after');
    mask.compact();
    return this.commitMask(id, label, patch);
  }

  private commitMask(id: string, label: string, patch: MaskPatch): boolean {
    if (patch.bricks.length === 0) return false;
    const record = this.record(id);
    const provenance = record.provenance;
    const nextProvenance: Provenance = provenance.algorithm === 'AUTOMATIC' ? { ...provenance, algorithm: 'SEMIAUTOMATIC' } : provenance;
    this.applyProps(id, { provenance: nextProvenance }, true);
    this.push({ kind: 'mask', id, label, patch, provenance: [provenance, nextProvenance] });
    this.changes.next({ command: 'edit-mask', label, structureIds: [id], maskChanged: true });
    return true;
  }

  /** Reverts the last command. Returns its label, or null when there is nothing to undo. */
  undo(): string | null {
    const e = this.undoStack.pop();
    if (!e) return null;
    this.revert(e, 'before');
    this.redoStack.push(e);
    this.refreshLabels();
    this.changes.next({ command: 'undo', label: e.label, structureIds: entryIds(e), maskChanged: e.kind !== 'props' });
    return e.label;
  }

  /** Re-applies the last undone command. */
  redo(): string | null {
    const e = this.redoStack.pop();
    if (!e) return null;
    this.revert(e, 'after');
    this.undoStack.push(e);
    this.refreshLabels();
    this.changes.next({ command: 'redo', label: e.label, structureIds: entryIds(e), maskChanged: e.kind !== 'props' });
    return e.label;
  }

  /** Bytes held by the undo and redo history. */
  historyMemoryBytes(): number {
    return [...this.undoStack, ...this.redoStack].reduce((a, e) => a + entryBytes(e), 0);
  }

  /**
   * Replaces the whole set (e.g. restoring an autosaved session or loading an RTSTRUCT) without undo
   * history: the history of another session does not apply.
   */
  load(structures: readonly Structure[], activeId: string | null = null): void {
    this.masks.clear();
    for (const s of structures) {
      this.assertGrid(s.mask, s.name);
      this.masks.set(s.id, s.mask);
    }
    this.undoStack = [];
    this.redoStack = [];
    const records = structures.map(({ mask, ...rest }) => ({ ...rest, maskVersion: mask.version }));
    this.emit({ structures: records, activeId: activeId ?? records[0]?.id ?? null }, { command: 'load', label: 'Load structures', structureIds: records.map((r) => r.id), maskChanged: true });
  }

  private revert(e: HistoryEntry, side: 'before' | 'after'): void {
    if (e.kind === 'mask') {
      this.masks.get(e.id)!.applyPatch(e.patch, side);
      this.applyProps(e.id, { provenance: side === 'before' ? e.provenance[0] : e.provenance[1] }, true);
    } else if (e.kind === 'props') {
      this.applyProps(e.id, side === 'before' ? e.before : e.after);
    } else if (e.kind === 'batch') {
      const order = side === 'before' ? [...e.entries].reverse() : e.entries;
      for (const x of order) this.revert(x, side);
    } else {
      const present = (e.kind === 'add') === (side === 'after');
      if (present) this.insert(e.record, e.mask, e.index);
      else {
        this.masks.delete(e.record.id);
        this.emit({ structures: this.state.structures.filter((s) => s.id !== e.record.id), activeId: this.state.activeId === e.record.id ? null : this.state.activeId });
      }
    }
  }

  private insert(record: StructureRecord, mask: BinaryMask, index: number): void {
    this.masks.set(record.id, mask);
    const structures = [...this.state.structures];
    structures.splice(Math.min(index, structures.length), 0, { ...record, maskVersion: mask.version });
    this.emit({ structures, activeId: this.state.activeId ?? record.id });
  }

  private applyProps(id: string, props: Partial<Structure>, maskChanged = false): void {
    const structures = this.state.structures.map((s) =>
      s.id === id ? { ...s, ...props, maskVersion: maskChanged ? this.masks.get(id)!.version : s.maskVersion } : s,
    );
    this.emit({ structures, activeId: this.state.activeId });
  }

  private push(e: HistoryEntry): void {
    this.undoStack.push(e);
    this.redoStack = [];
    this.trimHistory();
  }

  private trimHistory(): void {
    let bytes = this.undoStack.reduce((a, x) => a + entryBytes(x), 0);
    while (this.undoStack.length > 1 && (bytes > this.historyBytes || this.undoStack.length > this.historySteps)) {
      bytes -= entryBytes(this.undoStack.shift()!);
    }
    this.refreshLabels();
  }

  private refreshLabels(): void {
    this.emit({ structures: this.state.structures, activeId: this.state.activeId });
  }

  private emit(partial: Pick<StructureSetState, 'structures' | 'activeId'>, change?: StructureSetChange): void {
    this.subject.next({
      ...partial,
      undoLabel: this.undoStack.at(-1)?.label ?? null,
      redoLabel: this.redoStack.at(-1)?.label ?? null,
    });
    if (change) this.changes.next(change);
  }

  private assertEditable(record: StructureRecord, action: 'edit' | 'delete'): void {
    if (record.approved) throw new EditRefusedError(record.id, 'approved', `${record.name} is approved: withdraw approval before you ${action} it`);
    if (record.locked) throw new EditRefusedError(record.id, 'locked', `${record.name} is locked: unlock it before you ${action} it`);
  }

  private assertGrid(mask: BinaryMask, name: string): void {
    if (mask.dimensions.some((n, a) => n !== this.geometry.dimensions[a])) {
      throw new EditRefusedError('', 'invalid', `the mask of ${name} is on a ${mask.dimensions.join('×')} grid, the CT is ${this.geometry.dimensions.join('×')}`);
    }
  }
}

export type { Rgb, RoiInterpretedType };
