import {
  EditRefusedError,
  TOOLS,
  applyAffine,
  drawToolOverlays,
  toolById,
  type PlaneAffine,
  type Rgb,
  type SlicePlane,
  type SlicePoint,
  type ToolContext,
  type ToolDescriptor,
  type ToolHandler,
  type ViewerSession,
} from '../../src/index.ts';

/** What the editor needs from the view it works in. */
export interface SliceEditorHost {
  session(): ViewerSession;
  /** The plane shown now. */
  plane(): SlicePlane;
  /** The current map from plane (u, v) to device pixels; null without a volume. */
  planeAffine(): PlaneAffine | null;
  /** Device pixels per CSS pixel. */
  cssToDevice(): number;
  /** Asks for the overlay to be redrawn (cursor, polygon in progress). */
  requestDraw(): void;
  /** Shows why an edit was refused (an EditRefusedError's message, or a sentence of the tool's own). */
  refused(structureId: string | null, reason: string, message: string): void;
  /** An edit was committed as one undo step. */
  committed(structureId: string, label: string): void;
}

/**
 * The tools of one slice view: keeps one handler per tool of the registry (created on first use, so a tool's
 * gesture state belongs to this view), routes the view's pointer, key and double-click events to the
 * current tool's handler, and draws what it shows. The tools themselves are the registry's (src/state/tools);
 * this class only connects them to the view.
 */
export class SliceEditor {
  readonly #host: SliceEditorHost;
  readonly #tools: readonly ToolDescriptor[];
  readonly #handlers = new Map<string, ToolHandler>();
  readonly #context: ToolContext;
  /** The handler that took the current drag, if any. */
  #dragging: ToolHandler | null = null;
  /** The last pointer position over the view, for the cursor; null when the pointer left. */
  hover: SlicePoint | null = null;

  constructor(host: SliceEditorHost, tools: readonly ToolDescriptor[] = TOOLS) {
    this.#host = host;
    this.#tools = tools;
    this.#context = {
      session: () => host.session(),
      plane: () => host.plane(),
      cssToDevice: () => host.cssToDevice(),
      toDisplay: (u, v) => {
        const affine = host.planeAffine();
        return affine ? applyAffine(affine, u, v) : null;
      },
      requestDraw: () => host.requestDraw(),
      refuse: (e) => {
        if (e instanceof EditRefusedError) host.refused(e.structureId || null, e.structureId ? e.reason : 'no-structure', e.message);
        else host.refused(host.session().store.state.activeId, 'invalid', e instanceof Error ? e.message : String(e));
      },
      nothing: (structureId, message) => host.refused(structureId, 'nothing', message),
      committed: (structureId, label, plane) => {
        host.session().lastEditAxis = plane.axis;
        host.committed(structureId, label);
      },
    };
  }

  /** The descriptor of the session's current tool. */
  get tool(): ToolDescriptor | undefined {
    return toolById(this.#host.session().tool.tool, this.#tools);
  }

  /** The contour vertices placed so far with the current tool (u, v); empty when none. */
  get vertices(): readonly (readonly [number, number])[] {
    return this.#handler()?.vertices ?? [];
  }

  /** A primary-button press with an editing tool. True when the tool took the drag (the view captures the pointer). */
  pointerDown(p: SlicePoint): boolean {
    const handler = this.#handler();
    if (!handler?.down(p)) return false;
    this.#dragging = handler;
    return true;
  }

  /** A pointer move: extends the drag in progress and moves the cursor. */
  pointerMove(p: SlicePoint): void {
    this.hover = p;
    this.#dragging?.move?.(p);
    this.#host.requestDraw();
  }

  /** The release that ends the drag. */
  pointerUp(p: SlicePoint | null): void {
    if (p) this.hover = p;
    const handler = this.#dragging;
    this.#dragging = null;
    handler?.up?.(p);
    this.#host.requestDraw();
  }

  doubleClick(): void {
    this.#handler()?.doubleClick?.();
  }

  /** Abandons every tool's gesture in progress (a stroke is rolled back). True when there was one. */
  cancel(): boolean {
    this.#dragging = null;
    let had = false;
    for (const h of this.#handlers.values()) had = h.cancel() || had;
    if (had) this.#host.requestDraw();
    return had;
  }

  /** A key in the view: Escape cancels the gesture in progress, otherwise the current tool may use it. */
  key(key: string): boolean {
    if (key === 'Escape' && this.cancel()) return true;
    return this.#handler()?.key?.(key) ?? false;
  }

  /** Draws the current tool's gesture in progress and cursor on the overlay. */
  draw(ctx: CanvasRenderingContext2D, affine: PlaneAffine, mmPerPixel: number, dpr: number, color: Rgb): void {
    const overlays = this.#handler()?.overlay?.(this.hover) ?? [];
    if (overlays.length) drawToolOverlays(ctx, overlays, { affine, pointer: this.hover?.display ?? null, mmPerPixel, dpr, color });
  }

  #handler(): ToolHandler | null {
    const tool = this.tool;
    if (tool?.pointer.kind !== 'handler') return null;
    let handler = this.#handlers.get(tool.id);
    if (!handler) {
      handler = tool.pointer.create(this.#context);
      this.#handlers.set(tool.id, handler);
    }
    return handler;
  }
}
