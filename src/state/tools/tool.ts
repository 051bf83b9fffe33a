/**
 * What a slice-view tool is. Each tool is one descriptor (its own file in this folder) listed once in
 * `registry.ts`; the toolbar's buttons and settings, the app's single-key shortcuts, the shortcut help, the
 * slice view's cursor and gestures, and the undo label of every edit are all read from the descriptors, so
 * adding a tool is its file plus one line in the registry.
 *
 * Handlers are DOM-free: they turn pointer positions (already in plane, voxel and patient coordinates) into
 * the domain's voxel operations on the session, and describe what to draw of a gesture in progress as data
 * (`ToolOverlay`), which src/render draws. The slice view keeps the pointer plumbing (capture, wheel, pan).
 */
import type { Vec3 } from '../../domain/geometry.ts';
import type { SlicePlane } from '../../domain/tools/paint.ts';
import type { ToolName, ViewerSession } from '../viewer-session.ts';


/** A pointer position on a slice view, in every coordinate system the tools need. */
export interface SlicePoint {
  /** Device pixels from the view's top-left corner. */
  readonly display: readonly [number, number];
  /** Continuous in-plane index coordinates (see `planeAxes`). */
  readonly u: number;
  readonly v: number;
  /** Continuous voxel index; the plane's own axis holds the slice index exactly. */
  readonly index: Vec3;
  /** Patient position, LPS mm. */
  readonly patient: Vec3;
}

/** The groups of settings the toolbar shows for a tool, in this order. */
export type ToolSettingGroup = 'radius' | 'shape' | 'hu-range' | 'contour-mode' | 'region-grow';

/** What a tool's handler needs from the view it works in; read live at each call. */
export interface ToolContext {
  session(): ViewerSession;
  /** The plane shown now. */
  plane(): SlicePlane;
  /** Device pixels per CSS pixel of the view (hit tolerances are given in CSS pixels). */
  cssToDevice(): number;
  /** Where in-plane index coordinates (u, v) are drawn, in device pixels; null without an image. */
  toDisplay(u: number, v: number): readonly [number, number] | null;
  /** The gesture in progress changed: redraw the overlay. */
  requestDraw(): void;
  /** An edit was refused: an EditRefusedError (its sentence is shown as is) or another error. */
  refuse(error: unknown): void;
  /** An edit did nothing, for a reason the tool states (e.g. no hole under the pointer). */
  nothing(structureId: string, message: string): void;
  /** An edit was committed as one undo step; `plane` is where it was drawn (interpolation follows it). */
  committed(structureId: string, label: string, plane: SlicePlane): void;
}

/** What to draw of a gesture in progress, in the plane's (u, v) or around the pointer. */
export type ToolOverlay =
  /** A contour being drawn: `open` polygons end at the pointer and show their vertices, closed ones are filled. */
  | { readonly kind: 'contour'; readonly points: readonly (readonly [number, number])[]; readonly open: boolean }
  /** The brush's reach around the pointer: a circle of the radius in mm. */
  | { readonly kind: 'brush'; readonly radiusMm: number; readonly style: 'paint' | 'sphere' | 'erase' };

/** One view's instance of a tool: the gesture state lives here, one instance per view and tool. */
export interface ToolHandler {
  /** A primary-button press. True when the tool takes the drag: the view then sends the moves and the release. */
  down(p: SlicePoint): boolean;
  /** A pointer move during the drag the tool took. */
  move?(p: SlicePoint): void;
  /** The release that ends the drag (null when the pointer is no longer over the image). */
  up?(p: SlicePoint | null): void;
  /** Abandons the gesture in progress (a stroke is rolled back). True when there was one. */
  cancel(): boolean;
  /** A key pressed in the view; true when the tool used it. */
  key?(key: string): boolean;
  doubleClick?(): void;
  /** What to draw now, given the pointer's last position over the view (null when it left). */
  overlay?(hover: SlicePoint | null): readonly ToolOverlay[];
  /** The contour vertices placed so far, in (u, v), for tools that place vertices (tests, assistive text). */
  readonly vertices?: readonly (readonly [number, number])[];
}

/** Everything the application knows about one tool. */
export interface ToolDescriptor {
  readonly id: ToolName;
  /** Button text. */
  readonly label: string;
  /** What it does, in one line: the button's tooltip and the toolbar's hint. */
  readonly description: string;
  /** Its line in the keyboard-shortcut help. */
  readonly help: string;
  /** The single key that picks it (lower case), if any. */
  readonly shortcut?: string;
  /** The CSS cursor over the slice view while it is in use. */
  readonly cursor: string;
  /** True when it changes a structure's mask (needs an editable structure selected). */
  readonly edits: boolean;
  /** The undo label of its edits, in the user's words. */
  readonly undoLabel?: string;
  /** The settings the toolbar shows with it. */
  readonly settings: readonly ToolSettingGroup[];
  /**
   * The left-button gesture: a handler created once per view, or one of the view's own drags (move the
   * crosshair, change the window), which need the view's screen plumbing.
   */
  readonly pointer: { readonly kind: 'handler'; create(context: ToolContext): ToolHandler } | { readonly kind: 'crosshair' } | { readonly kind: 'window' };
}
