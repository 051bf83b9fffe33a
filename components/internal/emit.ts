/** Delineo's own events: the names that the files in components/events/ add to GlobalEventHandlersEventMap. */
export type DelineoEventName = Extract<keyof GlobalEventHandlersEventMap, `delineo-${string}`>;

/** The `detail` type registered for an event name. */
export type DetailOf<K extends DelineoEventName> = GlobalEventHandlersEventMap[K] extends CustomEvent<infer D> ? D : never;

/** Event options other than the detail; bubbles and composed default to true. */
export type EmitOptions = Omit<CustomEventInit, 'detail'>;

/**
 * Dispatches a typed Delineo event from `target` and returns it (callers of a cancelable request event read
 * `defaultPrevented`). Events default to `bubbles: true, composed: true` so that they reach listeners
 * outside the shadow roots of nested elements, which is what an application listening on `document` or a
 * host page embedding the element expects; `cancelable` defaults to false, request events opt in. The name
 * must be one registered in GlobalEventHandlersEventMap and the detail must match its type, so a misspelt
 * event or a wrong detail is a type error instead of a listener that never fires.
 */
export function emit<K extends DelineoEventName>(target: EventTarget, name: K, detail: DetailOf<K>, options: EmitOptions = {}): CustomEvent<DetailOf<K>> {
  const event = new CustomEvent<DetailOf<K>>(name, { bubbles: true, composed: true, cancelable: false, ...options, detail });
  target.dispatchEvent(event);
  return event;
}
