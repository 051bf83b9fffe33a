import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Something a subscription returns: rxjs Subscriptions, or any object that can be unsubscribed. */
export interface Unsubscribable {
  unsubscribe(): void;
}

/** How an element follows its session. */
export interface SessionBinding<S> {
  /** The session the element should show now (usually its `session` property). */
  session(): S | null;
  /** Subscribes to a session; everything returned is unsubscribed when the element leaves it. */
  attach(session: S): readonly Unsubscribable[];
  /** Called on every change of session (also to none), before `attach`: reset what belonged to the old one. */
  changed?(session: S | null): void;
  /** False while the element cannot show a session yet (e.g. before its renderer exists); attaching waits. */
  ready?(): boolean;
}

/**
 * Keeps an element subscribed to exactly one session: subscribes when it is connected, switches when its
 * session changes (before the update that renders the new one), and unsubscribes everything when it is
 * disconnected, so an element removed from the page or given another session leaks no subscription.
 */
export class SessionController<S> implements ReactiveController {
  readonly #host: ReactiveControllerHost & { readonly isConnected: boolean };
  readonly #binding: SessionBinding<S>;
  #subscriptions: readonly Unsubscribable[] = [];
  #attached: S | null = null;
  #live = false;

  constructor(host: ReactiveControllerHost & { readonly isConnected: boolean }, binding: SessionBinding<S>) {
    this.#host = host;
    this.#binding = binding;
    host.addController(this);
  }

  /** The session subscribed to now (null when none or disconnected). */
  get attached(): S | null {
    return this.#attached;
  }

  hostConnected(): void {
    this.sync();
  }

  hostUpdate(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.#detach();
  }

  /** Subscribes to the element's current session if it is not the one subscribed to. */
  sync(): void {
    const session = this.#binding.session();
    if (!this.#host.isConnected || (this.#live && this.#attached === session) || this.#binding.ready?.() === false) return;
    this.#detach();
    this.#attached = session;
    this.#live = true;
    this.#binding.changed?.(session);
    if (session) this.#subscriptions = this.#binding.attach(session);
  }

  /** Leaves the session and subscribes again (the element rebuilt what shows it). */
  reattach(): void {
    this.#detach();
    this.sync();
  }

  #detach(): void {
    for (const s of this.#subscriptions) s.unsubscribe();
    this.#subscriptions = [];
    this.#attached = null;
    this.#live = false;
  }
}
