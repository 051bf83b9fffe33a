import {
  valueAtPoint,
  windowPresetsFor,
  type DoseDisplay,
  type SlicePoint,
  type SliceRenderer,
  type Vec3,
  type ViewerSession,
  type Volume,
  type WindowLevel,
} from '../../src/index.ts';
import type { SliceEditor } from '../internal/slice-editor.ts';

/** Zoom limits relative to fitting the volume. */
const ZOOM_RANGE = { min: 0.25, max: 32 } as const;

/** A zoom clamped to the views' range (1 = the volume fits; not a number = 1). */
export const clampZoom = (z: number): number => Math.min(ZOOM_RANGE.max, Math.max(ZOOM_RANGE.min, Number.isFinite(z) ? z : 1));

type Drag =
  | { readonly kind: 'window'; readonly x: number; readonly y: number; readonly start: WindowLevel }
  | { readonly kind: 'pan'; readonly x: number; readonly y: number; readonly start: readonly [number, number] }
  | { readonly kind: 'crosshair' }
  | { readonly kind: 'edit' };

/** What the gestures need from the slice view they belong to; read live at each event. */
export interface SliceGestureHost {
  /** The element that takes focus on a press and hears the keys. */
  readonly element: HTMLElement;
  /** The box the image and overlay fill: pointer and wheel events, pointer capture. */
  readonly viewport: HTMLElement;
  /** The view's tools (editing gestures, their keys, the cursor position). */
  readonly editor: SliceEditor;
  session(): ViewerSession | null;
  renderer(): SliceRenderer | null;
  /** The slice point under a client (CSS) position; null without an image. */
  pointAt(clientX: number, clientY: number): SlicePoint | null;
  /** Device pixels per CSS pixel. */
  cssToDevice(): number;
  /** The user moved to slice `index` (clamped by the view). */
  moveToSlice(index: number, source: 'user'): void;
  /** The user put the crosshair at `p`. */
  setCrosshairAt(p: SlicePoint): void;
  /** Shows the text under the image that says what the pointer is over (empty when it left). */
  readout(text: string): void;
  /** The tool cursor moved or went: redraw the overlay. */
  requestDraw(): void;
  /** The user changed the window (a drag ended, a preset key). */
  windowChanged(wl: WindowLevel): void;
}

/**
 * The mouse, wheel and keys of one slice view: which drag a press starts (window/level, pan, the crosshair,
 * or the current tool's gesture through the editor), scrolling and zooming, and the view's keys (slices,
 * zoom, window presets, brush radius, undo/redo). The tools' own gestures are the registry's handlers; this
 * class only decides who gets each event.
 */
export class SliceGestures {
  readonly #host: SliceGestureHost;
  #drag: Drag | null = null;
  #wheelDelta = 0;

  constructor(host: SliceGestureHost) {
    this.#host = host;
    const viewport = host.viewport;
    viewport.addEventListener('pointerdown', (e) => this.#onPointerDown(e));
    viewport.addEventListener('pointermove', (e) => this.#onPointerMove(e));
    viewport.addEventListener('pointerup', (e) => this.#onPointerUp(e));
    viewport.addEventListener('pointercancel', () => this.#onPointerCancel());
    viewport.addEventListener('pointerleave', () => this.#onPointerLeave());
    viewport.addEventListener('dblclick', () => host.editor.doubleClick());
    viewport.addEventListener('wheel', (e) => this.#onWheel(e), { passive: false });
    viewport.addEventListener('contextmenu', (e) => e.preventDefault());
    host.element.addEventListener('keydown', (e) => this.#onKeyDown(e));
  }

  #pointOf(e: PointerEvent | WheelEvent): SlicePoint | null {
    return this.#host.pointAt(e.clientX, e.clientY);
  }

  #onPointerDown(e: PointerEvent): void {
    const session = this.#host.session();
    const r = this.#host.renderer();
    const p = this.#pointOf(e);
    if (!session || !r || !p) return;
    this.#host.element.focus({ preventScroll: true });
    const gesture = this.#host.editor.tool?.pointer.kind;
    let drag: Drag | null = null;
    if (e.button === 2 || (e.button === 0 && gesture === 'window' && !e.shiftKey)) {
      drag = { kind: 'window', x: e.clientX, y: e.clientY, start: session.windowLevel };
    } else if (e.button === 1 || (e.button === 0 && e.shiftKey)) {
      drag = { kind: 'pan', x: e.clientX, y: e.clientY, start: r.viewTransform.pan };
    } else if (e.button === 0 && gesture === 'crosshair') {
      this.#host.setCrosshairAt(p);
      drag = { kind: 'crosshair' };
    } else if (e.button === 0) {
      this.#host.editor.hover = p;
      if (this.#host.editor.pointerDown(p)) drag = { kind: 'edit' };
    }
    if (drag) {
      this.#drag = drag;
      this.#host.viewport.setPointerCapture(e.pointerId);
      e.preventDefault();
    }
  }

  #onPointerMove(e: PointerEvent): void {
    const p = this.#pointOf(e);
    const session = this.#host.session();
    const r = this.#host.renderer();
    if (!p || !session || !r) return;
    this.#host.readout(readoutAt(p, session.volume, session.dose));
    const drag = this.#drag;
    if (drag?.kind === 'window') {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      // Sensitivity proportional to the window, so a narrow brain window and a wide lung window both move
      // at a usable rate; horizontal widens, vertical (down) raises the level.
      const k = Math.max(1, drag.start.window / 200);
      session.setWindowLevel({ window: Math.max(1, drag.start.window + dx * k), level: drag.start.level + dy * k * 0.5 });
    } else if (drag?.kind === 'pan') {
      const mm = r.mmPerPixel * this.#host.cssToDevice();
      const pan: [number, number] = [drag.start[0] + (e.clientX - drag.x) * mm, drag.start[1] - (e.clientY - drag.y) * mm];
      r.setViewTransform({ zoom: r.viewTransform.zoom, pan });
    } else if (drag?.kind === 'crosshair') {
      this.#host.setCrosshairAt(p);
    } else {
      this.#host.editor.pointerMove(p);
    }
  }

  #onPointerUp(e: PointerEvent): void {
    const drag = this.#drag;
    this.#drag = null;
    if (this.#host.viewport.hasPointerCapture(e.pointerId)) this.#host.viewport.releasePointerCapture(e.pointerId);
    if (drag?.kind === 'edit') this.#host.editor.pointerUp(this.#pointOf(e));
    const session = this.#host.session();
    if (drag?.kind === 'window' && session) this.#host.windowChanged(session.windowLevel);
  }

  #onPointerCancel(): void {
    if (this.#drag?.kind === 'edit') this.#host.editor.cancel();
    this.#drag = null;
  }

  #onPointerLeave(): void {
    if (this.#drag) return;
    this.#host.editor.hover = null;
    this.#host.readout('');
    this.#host.requestDraw();
  }

  #onWheel(e: WheelEvent): void {
    const r = this.#host.renderer();
    if (!r?.volume || !this.#host.session()) return;
    e.preventDefault();
    const delta = e.deltaMode === 1 ? e.deltaY * 40 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    if (e.ctrlKey || e.metaKey) {
      this.#zoomAbout(Math.exp(-delta / 500), e.clientX, e.clientY);
      return;
    }
    // One notch (100 px in Chromium) is one slice; small trackpad deltas accumulate to one.
    this.#wheelDelta += delta;
    if (Math.abs(this.#wheelDelta) < 50) return;
    const steps = Math.sign(this.#wheelDelta) * Math.max(1, Math.round(Math.abs(this.#wheelDelta) / 100));
    this.#wheelDelta = 0;
    this.#host.moveToSlice(r.slice + steps, 'user');
  }

  /** Zooms by `factor`, keeping the patient point under (clientX, clientY) where it is on screen. */
  #zoomAbout(factor: number, clientX?: number, clientY?: number): void {
    const r = this.#host.renderer();
    if (!r?.volume) return;
    const { zoom, pan } = r.viewTransform;
    const next = clampZoom(zoom * factor);
    const { width, height } = r.viewportSize;
    const rect = this.#host.viewport.getBoundingClientRect();
    const scale = this.#host.cssToDevice();
    const x = clientX === undefined ? width / 2 : (clientX - rect.left) * scale;
    const y = clientY === undefined ? height / 2 : (clientY - rect.top) * scale;
    const s = r.mmPerPixel;
    const s2 = (s * zoom) / next;
    // Screen offsets (mm) of the point from the fitted centre stay fixed: solve for the new pan.
    const right = (x - width / 2) * s - pan[0];
    const up = (height / 2 - y) * s - pan[1];
    r.setViewTransform({ zoom: next, pan: [(x - width / 2) * s2 - right, (height / 2 - y) * s2 - up] });
  }

  #onKeyDown(e: KeyboardEvent): void {
    const session = this.#host.session();
    const r = this.#host.renderer();
    if (!session || !r?.volume || e.defaultPrevented) return;
    const mod = e.ctrlKey || e.metaKey;
    let handled = true;
    if (mod && (e.key === 'z' || e.key === 'Z')) {
      this.#host.editor.cancel();
      if (e.shiftKey) session.redo();
      else session.undo();
    } else if (mod && (e.key === 'y' || e.key === 'Y')) {
      this.#host.editor.cancel();
      session.redo();
    } else if (mod) {
      handled = false;
    } else if (this.#host.editor.key(e.key)) {
      // a tool used the key
    } else {
      switch (e.key) {
        case 'ArrowUp':
        case 'ArrowRight':
          this.#host.moveToSlice(r.slice + 1, 'user');
          break;
        case 'ArrowDown':
        case 'ArrowLeft':
          this.#host.moveToSlice(r.slice - 1, 'user');
          break;
        case 'PageUp':
          this.#host.moveToSlice(r.slice + 10, 'user');
          break;
        case 'PageDown':
          this.#host.moveToSlice(r.slice - 10, 'user');
          break;
        case 'Home':
          this.#host.moveToSlice(0, 'user');
          break;
        case 'End':
          this.#host.moveToSlice(r.sliceCount - 1, 'user');
          break;
        case '+':
        case '=':
          this.#zoomAbout(1.25);
          break;
        case '-':
        case '_':
          this.#zoomAbout(0.8);
          break;
        case '0':
          r.setViewTransform({ zoom: 1, pan: [0, 0] });
          break;
        case '[':
          session.setTool({ radiusMm: session.tool.radiusMm - 1 });
          break;
        case ']':
          session.setTool({ radiusMm: session.tool.radiusMm + 1 });
          break;
        default: {
          const n = Number(e.key);
          const presets = windowPresetsFor(session.volume);
          if (Number.isInteger(n) && n >= 1 && n <= presets.length) {
            session.setWindowLevel(presets[n - 1]);
            this.#host.windowChanged(presets[n - 1]);
          } else handled = false;
        }
      }
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }
}

/**
 * What the view says of the point under the pointer: the CT value and the patient position, and above them, when a
 * dose is shown, the dose there (one line each).
 */
export function readoutAt(p: SlicePoint, volume: Volume, dose: DoseDisplay | null = null): string {
  const [i, j, k] = p.index.map(Math.round);
  const [nx, ny, nz] = volume.dimensions;
  const mm = p.patient.map((x) => x.toFixed(1)).join(', ');
  const ct = i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz ? `outside the image · ${mm} mm` : `${Math.round(volume.at(i, j, k))} HU · ${mm} mm`;
  return dose ? `${doseReadout(dose, p.patient)}\n${ct}` : ct;
}

/**
 * The dose at a patient point as the view shows it: Gy (trilinear in the dose grid), and % of the prescription
 * when the plan states one. Off the dose grid there is no dose to show, which is not 0 Gy: it says so.
 */
export function doseReadout(dose: DoseDisplay, point: Vec3): string {
  const gy = valueAtPoint(dose.volume, point);
  const kind = dose.predicted ? `Predicted dose${dose.stale ? ' (stale)' : ''}` : 'Dose';
  if (gy === null) return `${kind}: outside the dose grid`;
  const rx = dose.prescriptionGy;
  const percent = rx !== undefined && rx > 0 ? ` · ${((100 * gy) / rx).toFixed(1)} % of ${rx} Gy` : '';
  return `${kind} ${gy.toFixed(2)} Gy${percent}`;
}
