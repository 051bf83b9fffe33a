/**
 * Fixtures for the viewer components' browser tests: a phantom session, a slice view mounted at a fixed
 * place and size (so screenshots and pointer positions are reproducible), and small geometric helpers.
 */
import { sendKeys } from '@web/test-runner-commands';
import '../../components/delineo-slice-view/delineo-slice-view.ts';
import type { DelineoSliceView } from '../../components/delineo-slice-view/delineo-slice-view.component.ts';
import { ViewerSession } from '../../src/index.ts';
import { generatePhantom, type Phantom, type PhantomOptions, type Vec3, type ViewOrientation } from '../../src/index.ts';

/** A phantom and a session on it with its structures loaded. */
export function phantomSession(options: PhantomOptions = {}): { phantom: Phantom; session: ViewerSession } {
  const phantom = generatePhantom(options);
  return { phantom, session: ViewerSession.withStructures(phantom.volume, phantom.structures) };
}

/** Mounts a slice view at (left, top) with the given CSS size and waits for its first frame. */
export async function mountView(session: ViewerSession | null, orientation: ViewOrientation, size: { width: number; height: number; left?: number; top?: number }, init?: (v: DelineoSliceView) => void): Promise<DelineoSliceView> {
  const view = document.createElement('delineo-slice-view');
  view.orientation = orientation;
  view.session = session;
  view.style.cssText = `position: fixed; left: ${size.left ?? 0}px; top: ${size.top ?? 0}px; width: ${size.width}px; height: ${size.height}px;`;
  init?.(view);
  document.body.append(view);
  await view.updateComplete;
  await view.frame();
  await view.updateComplete;
  return view;
}

/** The element the view's canvases fill (its shadow part "viewport"). */
export const viewportOf = (view: DelineoSliceView): HTMLElement => view.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!;

/** A part of an element's shadow root. */
export const partOf = <T extends HTMLElement = HTMLElement>(el: Element, name: string): T => el.shadowRoot!.querySelector<T>(`[part~="${name}"]`)!;

/** The next `name` event on `target`; rejects after `timeoutMs` so that a missing event fails the test with its name. */
export function nextEvent<K extends keyof GlobalEventHandlersEventMap>(target: EventTarget, name: K, timeoutMs = 120_000): Promise<GlobalEventHandlersEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within ${timeoutMs} ms`)), timeoutMs);
    target.addEventListener(name, (e) => {
      clearTimeout(timer);
      resolve(e as GlobalEventHandlersEventMap[K]);
    }, { once: true });
  });
}

/**
 * Zooms the view by `zoom` and pans so that `point` (patient mm, on the slice) is at the centre of the
 * view. Uses only the view's public mapping, measured at zoom 1.
 */
export async function centreOn(view: DelineoSliceView, point: Vec3, zoom: number): Promise<void> {
  view.setViewTransform({ zoom: 1, pan: [0, 0] });
  await view.frame();
  const rect = viewportOf(view).getBoundingClientRect();
  const [x, y] = view.patientToClient(point)!;
  // mm per CSS pixel at zoom 1, from two points 100 px apart along the screen's x direction.
  const a = view.clientToPatient(rect.left, rect.top)!;
  const b = view.clientToPatient(rect.left + 100, rect.top)!;
  const mmPerPx = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]) / 100;
  const right = (x - (rect.left + rect.width / 2)) * mmPerPx;
  const up = (rect.top + rect.height / 2 - y) * mmPerPx;
  // Pan is in mm along the screen axes and independent of zoom: moving by −offset centres the point.
  view.setViewTransform({ zoom, pan: [-right, -up] });
  await view.frame();
}

/** Resolves after `n` animation frames. */
export const frames = (n = 1) => new Promise<void>((resolve) => {
  const step = (k: number) => (k <= 0 ? resolve() : requestAnimationFrame(() => step(k - 1)));
  step(n);
});

/** Presses `key` with modifiers held, as trusted key events (Puppeteer's `press` takes no chords). */
export async function chord(modifiers: readonly string[], key: string): Promise<void> {
  for (const m of modifiers) await sendKeys({ down: m });
  await sendKeys({ press: key });
  for (const m of [...modifiers].reverse()) await sendKeys({ up: m });
}
