import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';

/** A question the user must answer before something is done. */
interface Question {
  readonly text: string;
  readonly details: readonly string[];
  readonly confirm: string;
  readonly cancel: string;
  readonly answer: (yes: boolean) => void;
}

type ConfirmHost = ReactiveControllerHost & HTMLElement & { readonly renderRoot: ParentNode };

/**
 * An in-page confirmation (a modal `<dialog part="confirm">`): {@link ConfirmDialog.ask} resolves true when the
 * user confirms, false when they cancel or press Escape. Used before the app replaces work that is not exported,
 * and before it exports structures nobody approved.
 */
export class ConfirmDialog implements ReactiveController {
  readonly #host: ConfirmHost;
  #question: Question | null = null;

  constructor(host: ConfirmHost) {
    this.#host = host;
    host.addController(this);
  }

  /**
   * Asks; a question already open is answered "cancel" first. `focus` says which button has the keyboard focus,
   * so that Enter answers it: 'cancel' (default) where confirming loses work, 'confirm' where it does not.
   * Escape always cancels.
   */
  async ask(text: string, details: readonly string[], confirm: string, cancel = 'Cancel', focus: 'confirm' | 'cancel' = 'cancel'): Promise<boolean> {
    this.#question?.answer(false);
    let asked: Question | null = null;
    const answer = await new Promise<boolean>((resolve) => {
      asked = { text, details, confirm, cancel, answer: resolve };
      this.#question = asked;
      this.#host.requestUpdate();
      void this.#host.updateComplete.then(() => {
        const dialog = this.#host.renderRoot.querySelector<HTMLDialogElement>('dialog[part="confirm"]');
        if (dialog && !dialog.open) dialog.showModal();
        dialog?.querySelector<HTMLButtonElement>(`[part="confirm-${focus === 'confirm' ? 'ok' : 'cancel'}"]`)?.focus();
      });
    });
    // A later question may already have taken its place.
    if (this.#question === asked) this.#question = null;
    this.#host.requestUpdate();
    return answer;
  }

  hostDisconnected(): void {
    this.#question?.answer(false);
  }

  render() {
    const q = this.#question;
    if (!q) return nothing;
    const close = (yes: boolean) => {
      this.#host.renderRoot.querySelector<HTMLDialogElement>('dialog[part="confirm"]')?.close();
      q.answer(yes);
    };
    return html`<dialog part="confirm" class="confirm-dialog" aria-label=${q.text} @cancel=${() => q.answer(false)}>
      <p class="confirm-text">${q.text}</p>
      ${q.details.length ? html`<ul>${q.details.map((d) => html`<li>${d}</li>`)}</ul>` : nothing}
      <div class="confirm-actions">
        <button part="confirm-cancel" @click=${() => close(false)}>${q.cancel}</button>
        <button part="confirm-ok" @click=${() => close(true)}>${q.confirm}</button>
      </div>
    </dialog>`;
  }
}
