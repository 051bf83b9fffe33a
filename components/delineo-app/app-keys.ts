import { emit } from '../internal/emit.ts';
import { nextUncertainSlice, toolForShortcut, type ViewerSession } from '../../src/index.ts';

/** What the app's keys do: the app's public actions and the parts they reach. */
export interface AppKeyActions {
  readonly session: () => ViewerSession | null;
  readonly busy: () => boolean;
  readonly cancelJob: () => void;
  readonly toggleHelp: () => void;
  readonly pickFiles: () => void;
  readonly exportRtstruct: () => void;
  readonly toggleApproval: () => void;
  readonly nextForReview: (direction: 1 | -1) => void;
  readonly interpolate: () => void;
  readonly predictDose: () => void;
  /** The status line's message. */
  readonly say: (text: string, error: boolean) => void;
}

/**
 * The app-wide keys (listed in shortcuts.ts, which the help panel shows), heard on the host: a key pressed
 * anywhere inside it, unless typed into a text field or already handled by a view. Tool keys emit
 * `delineo-tool-change` from the host, as the toolbar does.
 */
export class AppKeys {
  readonly #host: HTMLElement;
  readonly #actions: AppKeyActions;

  constructor(host: HTMLElement, actions: AppKeyActions) {
    this.#host = host;
    this.#actions = actions;
    host.addEventListener('keydown', (e) => this.#onKeyDown(e));
  }

  #onKeyDown(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.altKey) return;
    // Keys typed into a field (rename, HU range, search) are text, not shortcuts.
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLInputElement || origin instanceof HTMLSelectElement || origin instanceof HTMLTextAreaElement) return;
    const a = this.#actions;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key;
    const session = a.session();
    let handled = true;
    if (key === 'Escape' && a.busy()) a.cancelJob();
    else if (key === '?' && !mod) a.toggleHelp();
    else if (mod && !e.shiftKey && (key === 'o' || key === 'O')) a.pickFiles();
    else if (mod && !e.shiftKey && (key === 's' || key === 'S')) a.exportRtstruct();
    else if (!session) handled = false;
    else handled = this.#onSessionKey(e, session, mod);
    if (handled) e.preventDefault();
  }

  /** The keys that need a session; returns false when the key is not ours. */
  #onSessionKey(e: KeyboardEvent, session: ViewerSession, mod: boolean): boolean {
    const a = this.#actions;
    const key = e.key;
    if (mod && (key === 'z' || key === 'Z')) this.#report(e.shiftKey ? session.redo() : session.undo(), e.shiftKey ? 'Redo' : 'Undo');
    else if (mod && (key === 'y' || key === 'Y')) this.#report(session.redo(), 'Redo');
    else if (mod || e.shiftKey) return false;
    else if (key === 'a' || key === 'A') a.toggleApproval();
    else if (key === '.') a.nextForReview(1);
    else if (key === ',') a.nextForReview(-1);
    else if (key.toLowerCase() === 'i') a.interpolate();
    else if (key.toLowerCase() === 'j') this.#nextUncertain(session);
    else if (key.toLowerCase() === 'm') this.#toggleUncertainty(session);
    else if (key.toLowerCase() === 'd') a.predictDose();
    else {
      const tool = toolForShortcut(key);
      if (!tool) return false;
      session.setTool({ tool: tool.id });
      emit(this.#host, 'delineo-tool-change', { tool: tool.id, radiusMm: session.tool.radiusMm, shape: session.tool.shape, contourMode: session.tool.contourMode });
      if (tool.edits && !session.store.state.activeId) a.say('Select a structure to edit first', true);
    }
    return true;
  }

  /** Jumps to the selected structure's next most uncertain slice, or says why it cannot. */
  #nextUncertain(session: ViewerSession): void {
    const id = session.store.state.activeId;
    if (!id) return this.#actions.say('Select a structure first', true);
    const k = nextUncertainSlice(session, id);
    if (k === null) this.#actions.say(`${session.store.record(id).name} has no uncertainty map (only structures from an ONNX model have one)`, true);
  }

  #toggleUncertainty(session: ViewerSession): void {
    session.uncertainty.setOverlay(!session.uncertainty.overlay);
    this.#actions.say(`Uncertainty overlay ${session.uncertainty.overlay ? 'on' : 'off'}`, false);
  }

  #report(label: string | null, verb: string): void {
    this.#actions.say(label ? `${verb}: ${label}` : `Nothing to ${verb.toLowerCase()}`, false);
  }
}
