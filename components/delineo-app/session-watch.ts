import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Subscription } from 'rxjs';
import type { StructureSetState, ViewerSession } from '../../src/index.ts';

/**
 * Follows the session shown for its host: the structure set's state (the status line's review count) and whether
 * it has edits no export has written yet (the confirmation before opening another CT). Each new session, or none,
 * starts afresh and calls `ended` (the autosave of the one before stops).
 */
export class SessionWatch implements ReactiveController {
  /** The structure set's state, null without a session. */
  state: StructureSetState | null = null;
  /** Edits were made since the session was opened or last exported. */
  unexported = false;
  readonly #host: ReactiveControllerHost;
  readonly #ended: () => void;
  #subscription: Subscription | null = null;

  constructor(host: ReactiveControllerHost, ended: () => void) {
    this.#host = host;
    this.#ended = ended;
    host.addController(this);
  }

  /** Follows `session` (null: none); a host not on the page follows nothing. */
  watch(session: ViewerSession | null, connected: boolean): void {
    this.hostDisconnected();
    this.#ended();
    this.state = null;
    this.unexported = false;
    if (!session || !connected) return;
    this.#subscription = session.store.state$.subscribe((s) => {
      this.state = s;
      this.#host.requestUpdate();
    });
    this.#subscription.add(
      session.store.changes$.subscribe((c) => {
        if (c.command !== 'load') this.unexported = true;
      }),
    );
  }

  hostDisconnected(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }
}
