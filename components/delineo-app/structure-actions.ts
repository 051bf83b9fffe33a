import type { ReactiveControllerHost } from 'lit';
import { DISTINCT_COLORS, uniqueName, nextForReview, showStructure, toolById, type ViewerSession } from '../../src/index.ts';
import type { DelineoStructureList } from '../delineo-structure-list/delineo-structure-list.component.ts';
import { emit } from '../internal/emit.ts';

/** What the structure actions ask their host. */
export interface StructureActionsOptions {
  readonly session: () => ViewerSession | null;
  /** The status line's message. */
  readonly say: (text: string, error: boolean) => void;
  /** The structure list, to open a new structure's name for editing. */
  readonly list: () => DelineoStructureList | null;
}

/**
 * The app's actions on structures, behind its public methods and keys: add an empty one, approve or withdraw an
 * approval (`delineo-structure-approve` from the host), go to the next one to review, and show a structure
 * (jump to it) — also when the user selects it in the structure list.
 */
export class StructureActions {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #options: StructureActionsOptions;

  constructor(host: ReactiveControllerHost & HTMLElement, options: StructureActionsOptions) {
    this.#host = host;
    this.#options = options;
    // Selecting a structure in the list shows it: when it has nothing on the current axial slice, jump to it.
    // (Only from the list: the review panel places the crosshair itself, e.g. on an empty slice it reports.)
    host.addEventListener('delineo-structure-select', (e) => {
      const origin = e.composedPath()[0];
      if (e.detail.id && origin instanceof Element && origin.localName === 'delineo-structure-list') this.show(e.detail.id, false);
    });
  }

  /** Adds an empty structure (MANUAL, a distinct colour), selects it and opens its name for editing. Returns its id. */
  add(name?: string): string | null {
    const session = this.#options.session();
    if (!session) return null;
    const store = session.store;
    const taken = new Set(store.state.structures.map((s) => s.name));
    const finalName = uniqueName(name ?? 'Structure', taken);
    const color = DISTINCT_COLORS[store.state.structures.length % DISTINCT_COLORS.length];
    const id = store.add({ name: finalName, color, interpretedType: 'ORGAN', provenance: { algorithm: 'MANUAL', source: 'delineo', version: '' } });
    store.setActive(id);
    if (!toolById(session.tool.tool)?.edits) session.setTool({ tool: 'brush' });
    void this.#host.updateComplete.then(() => this.#options.list()?.startRename(id));
    return id;
  }

  /** Approves a structure, or withdraws its approval when it is approved; `id` null says to select one first. */
  toggleApproval(id: string | null): void {
    const store = this.#options.session()?.store;
    if (!store || !id) {
      this.#options.say('Select a structure to approve first', true);
      return;
    }
    const record = store.record(id);
    store.approve(id, !record.approved);
    this.#options.say(`${record.approved ? 'Approval withdrawn' : 'Approved'} · ${record.name}`, false);
    emit(this.#host, 'delineo-structure-approve', { structureId: id, name: record.name, approved: !record.approved });
  }

  /** Selects and shows the next (or previous) structure not yet approved; returns its id, or null when there is none. */
  nextForReview(direction: 1 | -1): string | null {
    const session = this.#options.session();
    if (!session) return null;
    const id = nextForReview(session, direction);
    const name = id ? session.store.record(id).name : null;
    this.#options.say(name ? `Review ${name}` : session.store.state.structures.length ? 'Every structure is approved' : 'There are no structures yet', false);
    return id;
  }

  /** Shows a structure: jumps to it always, or only when it has nothing on the current axial slice. */
  show(id: string, always: boolean): void {
    const session = this.#options.session();
    if (session) showStructure(session, id, always);
  }
}
