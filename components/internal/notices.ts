import { html, nothing, type ReactiveControllerHost } from 'lit';

/** A button on a notice: it dismisses the notice, then runs. */
export interface NoticeAction {
  readonly label: string;
  readonly run: () => void;
}

/** A message under an element's header: an error, a warning with details, or an offer with actions. */
export interface Notice {
  readonly id: number;
  readonly kind: 'error' | 'warning' | 'info';
  readonly text: string;
  readonly details?: readonly string[];
  readonly actions?: readonly NoticeAction[];
}

/**
 * The notices an element shows until the user dismisses them: the newest few (older ones drop off, so a burst
 * of failures cannot push the views off the screen), each with its details and action buttons. Errors are
 * announced as alerts, the rest as status.
 */
export class NoticeList {
  /** The notices shown, oldest first. */
  items: readonly Notice[] = [];

  readonly #host: ReactiveControllerHost;
  readonly #keep: number;
  #lastId = 0;

  /** `keep`: how many notices are shown at most. */
  constructor(host: ReactiveControllerHost, keep = 4) {
    this.#host = host;
    this.#keep = keep;
  }

  /** Shows a notice (dropping the oldest beyond `keep`); returns its id. */
  notify(kind: Notice['kind'], text: string, details: readonly string[] = [], actions: readonly NoticeAction[] = []): number {
    const id = ++this.#lastId;
    this.items = [...this.items.slice(Math.max(0, this.items.length - this.#keep + 1)), { id, kind, text, details, actions }];
    this.#host.requestUpdate();
    return id;
  }

  /** Removes every notice (what was shown before a new CT was opened). */
  clear(): void {
    this.items = [];
    this.#host.requestUpdate();
  }

  /** Removes a notice. */
  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
    this.#host.requestUpdate();
  }

  /** The notices, each as a `notice notice-<kind>` part with its details, actions and a dismiss button. */
  render() {
    return this.items.map(
      (n) => html`<div part=${`notice notice-${n.kind}`} class=${`notice ${n.kind}`} role=${n.kind === 'error' ? 'alert' : 'status'}>
        <span class="notice-text">${n.text}</span>
        ${n.details?.length ? html`<ul>${n.details.map((d) => html`<li>${d}</li>`)}</ul>` : nothing}
        ${(n.actions ?? []).map((a) => html`<button @click=${() => { this.dismiss(n.id); a.run(); }}>${a.label}</button>`)}
        <button class="dismiss" aria-label="Dismiss" title="Dismiss" @click=${() => this.dismiss(n.id)}>×</button>
      </div>`,
    );
  }
}
