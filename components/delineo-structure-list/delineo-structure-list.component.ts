import { LitElement, html, nothing, svg } from 'lit';
import { property, state } from 'lit/decorators.js';
import { structureStatus, type Rgb, type StructureRecord, type StructureSetState, type StructureStatus, type ViewerSession } from '../../src/index.ts';
import { emit } from '../internal/emit.ts';
import { SessionController } from '../internal/session-controller.ts';
import styles from './delineo-structure-list.styles.ts';

const STATUS_TEXT: Readonly<Record<StructureStatus, string>> = { approved: 'Approved', auto: 'Auto', edited: 'Edited', manual: 'Manual' };

const hex = (c: Rgb): string => `#${c.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
const fromHex = (h: string): Rgb => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

const eye = (open: boolean) =>
  svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2" d="M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12z"/>${
    open ? svg`<circle cx="12" cy="12" r="3" fill="currentColor"/>` : svg`<path stroke="currentColor" stroke-width="2" d="M4 20 20 4"/>`
  }</svg>`;
const padlock = (closed: boolean) =>
  svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><rect x="5" y="11" width="14" height="10" rx="2" fill="${closed ? 'currentColor' : 'none'}" stroke="currentColor" stroke-width="2"/><path fill="none" stroke="currentColor" stroke-width="2" d="${
    closed ? 'M8 11V7a4 4 0 0 1 8 0v4' : 'M8 11V7a4 4 0 0 1 7.5-2'
  }"/></svg>`;
const bin = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2" d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13"/></svg>`;

/**
 * @summary The structures of the session's structure set: colour, name, type, status (approved, auto,
 * edited, manual), volume in cc, visibility and lock, with the active structure selected.
 *
 * A listbox with a roving focus: ArrowUp/ArrowDown (and Home/End) move the selection, which is the
 * structure the editing tools act on; Enter or F2 renames (Enter keeps, Escape abandons); Delete asks for
 * confirmation and deletes (undoable); V toggles visibility, L the lock. The swatch opens a colour picker.
 * Renaming or deleting a locked or approved structure is refused with the store's reason, shown in the list.
 *
 * @event {DelineoStructureSelectEvent} delineo-structure-select - The user selected a structure.
 * @event {DelineoStructureDeleteEvent} delineo-structure-delete - The user confirmed a deletion; cancelable.
 *
 * @csspart list - The listbox.
 * @csspart item - One structure's row (also `item active` for the selected one).
 * @csspart swatch - The colour swatch (a colour picker).
 * @csspart name - The structure's name.
 * @csspart rename-input - The text field while renaming.
 * @csspart type - The RT ROI interpreted type.
 * @csspart status - The status badge.
 * @csspart volume - The volume in cc.
 * @csspart visibility-toggle - Show/hide button.
 * @csspart lock-toggle - Lock/unlock button.
 * @csspart delete-button - Delete button.
 * @csspart confirm - The delete confirmation.
 * @csspart error - Why the last change was refused.
 * @csspart empty - Shown when there are no structures.
 * @csspart sort-toggle - "Sort by attention", shown while a structure has a model's uncertainty map.
 *
 * @cssproperty --delineo-structure-list-background - Background of the list.
 * @cssproperty --delineo-structure-list-foreground - Text colour.
 * @cssproperty --delineo-structure-list-muted - Secondary text (type, volume).
 * @cssproperty --delineo-structure-list-selected - Background of the selected row.
 * @cssproperty --delineo-structure-list-focus - Focus ring colour.
 */
export class DelineoStructureList extends LitElement {
  static override styles = styles;

  /** The contouring session whose structure set is listed. */
  @property({ attribute: false }) accessor session: ViewerSession | null = null;

  /**
   * Row order: 'list' (the structure set's order, default) or 'attention' — structures with a model's uncertainty
   * map first, the one the model doubts most on top (`UncertaintyReview.sortByAttention`), so review starts there.
   */
  @property({ reflect: true }) accessor sort: 'list' | 'attention' = 'list';

  @state() private accessor setState: StructureSetState | null = null;
  /** The row holding the roving tabindex (the selected one unless none is). */
  @state() private accessor focusId: string | null = null;
  @state() private accessor renamingId: string | null = null;
  @state() private accessor confirmingId: string | null = null;
  @state() private accessor error: string | null = null;

  /** Volumes by structure id, recomputed when the mask version changes. */
  readonly #volumes = new Map<string, { version: number; cc: number }>();
  /** Where focus goes after the next update (a row id, or a part inside the confirmation). */
  #focusAfterUpdate: string | null = null;

  protected readonly sessionController = new SessionController<ViewerSession>(this, {
    session: () => this.session,
    changed: () => {
      this.#volumes.clear();
      this.renamingId = null;
      this.confirmingId = null;
      this.setState = null;
    },
    attach: (session) => [
      session.store.state$.subscribe((s) => {
        const previous = this.setState;
        this.setState = s;
        // The tab stop follows the selection when it changes elsewhere (a portal, undo of a deletion).
        if (s.activeId !== previous?.activeId || !s.structures.some((r) => r.id === this.focusId)) this.focusId = s.activeId ?? s.structures[0]?.id ?? null;
      }),
      // A model run's map arrived or went: the attention order and the sort toggle change.
      session.uncertainty.version$.subscribe(() => this.requestUpdate()),
    ],
  });

  /** Volume in cc of a structure, cached per mask version. */
  #volumeCc(r: StructureRecord): number {
    const hit = this.#volumes.get(r.id);
    if (hit && hit.version === r.maskVersion) return hit.cc;
    const cc = this.session!.store.volumeCc(r.id);
    this.#volumes.set(r.id, { version: r.maskVersion, cc });
    return cc;
  }

  /** The rows in the order shown (see `sort`). */
  #ordered(s: StructureSetState): readonly StructureRecord[] {
    const session = this.session;
    return this.sort === 'attention' && session ? session.uncertainty.sortByAttention(s.structures) : s.structures;
  }

  protected override render() {
    const s = this.setState;
    if (!s || s.structures.length === 0) return html`<div part="empty" class="empty">No structures</div>`;
    const uncertainty = this.session?.uncertainty;
    const anyMap = !!uncertainty && s.structures.some((r) => uncertainty.map(r.id));
    return html`
      ${anyMap
        ? html`<button part="sort-toggle" class="sort-toggle" aria-pressed=${this.sort === 'attention' ? 'true' : 'false'} title="List the structures the model doubts most first" @click=${() => (this.sort = this.sort === 'attention' ? 'list' : 'attention')}>Sort by attention</button>`
        : nothing}
      <div part="list" role="listbox" aria-label="Structures" @keydown=${this.#onListKey}>
        ${this.#ordered(s).map((r) => this.#row(r, r.id === s.activeId))}
      </div>
      ${this.confirmingId ? this.#confirm() : nothing}
      <div part="error" class="error" role="alert" ?hidden=${!this.error}>${this.error ?? ''}</div>
    `;
  }

  #row(r: StructureRecord, active: boolean) {
    const status = structureStatus(r);
    const cc = this.#volumeCc(r);
    const renaming = this.renamingId === r.id;
    return html`
      <div
        part=${active ? 'item active' : 'item'}
        class="item ${active ? 'active' : ''} ${r.visible ? '' : 'hidden-structure'}"
        role="option"
        id="row-${r.id}"
        data-id=${r.id}
        aria-selected=${active ? 'true' : 'false'}
        aria-label="${r.name}, ${r.interpretedType}, ${STATUS_TEXT[status]}, ${cc.toFixed(1)} cc${r.visible ? '' : ', hidden'}${r.locked ? ', locked' : ''}"
        tabindex=${this.focusId === r.id ? 0 : -1}
        @click=${() => this.#select(r.id)}
        @dblclick=${(e: Event) => {
          if ((e.target as HTMLElement).closest('button, input, label')) return;
          this.#startRename(r.id);
        }}
      >
        <label part="swatch" class="swatch" .style=${`background: ${hex(r.color)}`} title="Colour of ${r.name}" @click=${(e: Event) => e.stopPropagation()}>
          <input type="color" tabindex="-1" aria-label="Colour of ${r.name}" .value=${hex(r.color)} @change=${(e: Event) => this.#recolour(r.id, (e.target as HTMLInputElement).value)} />
        </label>
        ${renaming
          ? html`<input
              part="rename-input"
              class="rename"
              aria-label="New name for ${r.name}"
              maxlength="64"
              .value=${r.name}
              @keydown=${(e: KeyboardEvent) => this.#onRenameKey(e, r.id)}
              @blur=${(e: Event) => this.#commitRename(r.id, (e.target as HTMLInputElement).value, false)}
              @click=${(e: Event) => e.stopPropagation()}
            />`
          : html`<span part="name" class="name" title=${r.standardName && r.standardName !== r.name ? `${r.name} (TG-263: ${r.standardName})` : r.name}>${r.name}</span>`}
        <span part="type" class="type">${r.interpretedType}</span>
        <span part="status" class="status ${status}">${STATUS_TEXT[status]}</span>
        <span part="volume" class="volume">${cc.toFixed(1)} cc</span>
        <button
          part="visibility-toggle"
          class="icon"
          tabindex="-1"
          aria-pressed=${r.visible ? 'true' : 'false'}
          aria-label="${r.visible ? 'Hide' : 'Show'} ${r.name}"
          title="${r.visible ? 'Hide' : 'Show'} (V)"
          @click=${(e: Event) => {
            e.stopPropagation();
            this.#toggle(r.id, 'visible');
          }}
        >
          ${eye(r.visible)}
        </button>
        <button
          part="lock-toggle"
          class="icon ${r.locked ? 'on' : ''}"
          tabindex="-1"
          aria-pressed=${r.locked ? 'true' : 'false'}
          aria-label="${r.locked ? 'Unlock' : 'Lock'} ${r.name}"
          title="${r.locked ? 'Unlock' : 'Lock'} (L)"
          @click=${(e: Event) => {
            e.stopPropagation();
            this.#toggle(r.id, 'locked');
          }}
        >
          ${padlock(r.locked)}
        </button>
        <button
          part="delete-button"
          class="icon"
          tabindex="-1"
          aria-label="Delete ${r.name}"
          title="Delete (Del)"
          @click=${(e: Event) => {
            e.stopPropagation();
            this.#askDelete(r.id);
          }}
        >
          ${bin}
        </button>
      </div>
    `;
  }

  #confirm() {
    const r = this.setState?.structures.find((x) => x.id === this.confirmingId);
    if (!r) return nothing;
    return html`
      <div part="confirm" class="confirm" role="alertdialog" aria-labelledby="confirm-text" @keydown=${this.#onConfirmKey}>
        <p id="confirm-text">Delete ${r.name} (${this.#volumeCc(r).toFixed(1)} cc)? Undo brings it back.</p>
        <button class="danger" data-action="delete" @click=${() => this.#delete(r.id)}>Delete</button>
        <button data-action="cancel" @click=${() => this.#closeConfirm()}>Cancel</button>
      </div>
    `;
  }

  protected override updated(): void {
    const target = this.#focusAfterUpdate;
    if (!target) return;
    this.#focusAfterUpdate = null;
    const root = this.renderRoot as ShadowRoot;
    const el =
      target === 'confirm'
        ? root.querySelector<HTMLElement>('[part="confirm"] [data-action="cancel"]')
        : target === 'rename'
          ? root.querySelector<HTMLInputElement>('[part="rename-input"]')
          : root.querySelector<HTMLElement>(`[role="option"][data-id="${CSS.escape(target)}"]`);
    el?.focus();
    if (el instanceof HTMLInputElement) el.select();
  }

  #select(id: string): void {
    const session = this.session;
    if (!session) return;
    this.focusId = id;
    this.#focusAfterUpdate = id;
    // Focus moves in `updated`; make sure there is one even when nothing else changes.
    this.requestUpdate();
    if (session.store.state.activeId === id) return;
    session.store.setActive(id);
    const r = session.store.record(id);
    emit(this, 'delineo-structure-select', { id, name: r.name });
  }

  #onListKey(e: KeyboardEvent): void {
    const s = this.setState;
    if (!s || e.target instanceof HTMLInputElement || this.confirmingId) return;
    const ids = this.#ordered(s).map((r) => r.id);
    const current = this.focusId ?? s.activeId ?? ids[0];
    const at = Math.max(0, ids.indexOf(current));
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        this.#select(ids[Math.min(ids.length - 1, at + 1)]);
        break;
      case 'ArrowUp':
        this.#select(ids[Math.max(0, at - 1)]);
        break;
      case 'Home':
        this.#select(ids[0]);
        break;
      case 'End':
        this.#select(ids[ids.length - 1]);
        break;
      case ' ':
        this.#select(current);
        break;
      case 'Enter':
      case 'F2':
        this.#startRename(current);
        break;
      case 'Delete':
      case 'Backspace':
        this.#askDelete(current);
        break;
      case 'v':
      case 'V':
        this.#toggle(current, 'visible');
        break;
      case 'l':
      case 'L':
        this.#toggle(current, 'locked');
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      // Keys used here must not reach an enclosing app's shortcuts (Delete, Backspace, arrows).
      e.stopPropagation();
    }
  }

  /** Opens the name of structure `id` for editing (as Enter or F2 does), e.g. right after a portal adds one. */
  startRename(id: string): void {
    this.session?.store.record(id);
    this.#startRename(id);
  }

  #startRename(id: string): void {
    this.error = null;
    this.focusId = id;
    this.renamingId = id;
    this.#focusAfterUpdate = 'rename';
  }

  #onRenameKey(e: KeyboardEvent, id: string): void {
    e.stopPropagation();
    if (e.key === 'Enter') {
      e.preventDefault();
      this.#commitRename(id, (e.target as HTMLInputElement).value, true);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.renamingId = null;
      this.#focusAfterUpdate = id;
    }
  }

  #commitRename(id: string, value: string, refocus: boolean): void {
    if (this.renamingId !== id) return;
    this.renamingId = null;
    if (refocus) this.#focusAfterUpdate = id;
    const session = this.session;
    if (!session) return;
    const record = session.store.state.structures.find((r) => r.id === id);
    if (!record || value.trim() === record.name) return;
    this.#run(() => session.store.update(id, { name: value }, `Rename ${record.name} to ${value.trim()}`));
  }

  #recolour(id: string, value: string): void {
    const session = this.session;
    if (!session) return;
    this.#run(() => session.store.update(id, { color: fromHex(value) }));
  }

  #toggle(id: string, key: 'visible' | 'locked'): void {
    const session = this.session;
    if (!session) return;
    const r = session.store.record(id);
    this.#run(() => session.store.update(id, { [key]: !r[key] }));
  }

  #askDelete(id: string): void {
    this.error = null;
    this.confirmingId = id;
    this.#focusAfterUpdate = 'confirm';
  }

  #closeConfirm(): void {
    const id = this.confirmingId;
    this.confirmingId = null;
    if (id) this.#focusAfterUpdate = id;
  }

  #onConfirmKey(e: KeyboardEvent): void {
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      this.#closeConfirm();
    }
  }

  #delete(id: string): void {
    const session = this.session;
    this.confirmingId = null;
    if (!session) return;
    const r = session.store.record(id);
    const event = emit(this, 'delineo-structure-delete', { id, name: r.name }, { cancelable: true });
    if (event.defaultPrevented) {
      this.#focusAfterUpdate = id;
      return;
    }
    const ids = session.store.state.structures.map((x) => x.id);
    const neighbour = ids[ids.indexOf(id) + 1] ?? ids[ids.indexOf(id) - 1] ?? null;
    if (this.#run(() => session.store.remove(id))) {
      this.focusId = neighbour;
      this.#focusAfterUpdate = neighbour;
    } else this.#focusAfterUpdate = id;
  }

  /** Runs a store command, showing its refusal (locked, approved, invalid name) instead of throwing. */
  #run(command: () => void): boolean {
    try {
      command();
      this.error = null;
      return true;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return false;
    }
  }
}
