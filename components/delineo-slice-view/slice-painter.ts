import {
  OutlineCache,
  OutlineScratch,
  applyAffine,
  ctOnSlice,
  displayedIsodoses,
  drawDoseOverlay,
  drawSlicePixels,
  fusionPixels,
  sampleReferenceOnSlice,
  drawOutlines,
  gridAxesForViews,
  maskOutline,
  planeAxes,
  planeToIndex,
  UNCERTAINTY_MAX,
  sampleDoseOnSlice,
  type PlaneAffine,
  type Rgb,
  type SliceAxis,
  type SlicePlane,
  type ViewOrientation,
  type UncertaintyMap,
  type ViewerSession,
} from '../../src/index.ts';

/**
 * The uncertainty wash: transparent below 0.05 (the certain bulk, so the CT stays readable), then the dose
 * wash's blue-to-red scale up to 0.5, where the two likeliest classes are about even.
 */
export const UNCERTAINTY_WASH = { minGy: 0.05, maxGy: 0.5, opacity: 0.55 } as const;

/** Crosshair line colours, by the view whose plane the line is (the 3D Slicer convention: red axial, green coronal, yellow sagittal). */
const CROSSHAIR_COLORS: Readonly<Record<ViewOrientation, string>> = {
  axial: 'rgba(255, 90, 90, 0.75)',
  coronal: 'rgba(90, 220, 110, 0.75)',
  sagittal: 'rgba(255, 220, 60, 0.75)',
};

/** How the structures are drawn: the slice view's `fill-opacity`, `line-width` and `crosshair`. */
export interface SlicePaintOptions {
  readonly fillOpacity: number;
  /** CSS pixels; the active structure's outline is half as wide again. */
  readonly lineWidth: number;
  readonly crosshair: boolean;
  /** Device pixels per CSS pixel. */
  readonly dpr: number;
}

/**
 * Draws what a slice view shows over the CT on its 2D overlay: the session's dose (wash and isodose lines), each
 * visible structure's outline and fill on the plane, the region-grow preview, and the other views' crosshair lines. Outlines are cached per
 * structure, plane and mask version, so a frame that changed nothing but the cursor traces nothing again.
 */
export class SlicePainter {
  /** The overlay canvas, laid over the image (the `overlay` part). */
  readonly canvas: HTMLCanvasElement = overlayElement();
  readonly #outlines = new OutlineCache();
  readonly #scratch = new OutlineScratch();
  /** Reused slice buffer: a new 512 × 512 array per structure per frame cost more than outlining it. */
  #sliceBuffer = new Uint8Array(0);
  /** The dose sampled on the slice shown, kept until the dose or the slice changes (pans, zooms and edits reuse it). */
  #doseSlice: { readonly dose: unknown; readonly key: string; readonly slice: ReturnType<typeof sampleDoseOnSlice> } | null = null;
  /** The fusion's pixels on the slice shown, kept until the fusion, the window or the slice changes. */
  #fusionSlice: { readonly key: unknown[]; readonly pixels: Uint8ClampedArray; readonly nu: number; readonly nv: number } | null = null;
  /** The active structure's uncertainty on the slice shown, kept until the map or the slice changes. */
  #uncertaintySlice: { readonly map: UncertaintyMap; readonly key: string; readonly slice: ReturnType<typeof sampleDoseOnSlice> } | null = null;

  /** Sizes the overlay to the image's drawing buffer (device pixels) and clears it; null without a 2D context. */
  begin(width: number, height: number): CanvasRenderingContext2D | null {
    const canvas = this.canvas;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const ctx = canvas.getContext('2d');
    ctx?.clearRect(0, 0, width, height);
    return ctx;
  }

  /** Forgets the cached outlines (another session's structures are shown). */
  clear(): void {
    this.#outlines.clear();
  }

  /** Draws the session's structures on `plane` through `affine`; returns the active structure's colour (for the tool cursor). */
  draw(ctx: CanvasRenderingContext2D, session: ViewerSession, plane: SlicePlane, affine: PlaneAffine, options: SlicePaintOptions): Rgb {
    const [ua, va] = planeAxes(plane.axis);
    const dims = session.volume.dimensions;
    const nu = dims[ua];
    const nv = dims[va];
    const dpr = options.dpr;
    const state = session.store.state;
    const activeId = state.activeId;
    let activeColor: Rgb = [255, 255, 255];
    const fusion = session.fusion;
    if (fusion && fusion.mode !== 'off') this.#drawFusion(ctx, session, plane, affine);
    const dose = session.dose;
    if (dose) {
      const key = `${plane.axis}|${plane.index}`;
      if (this.#doseSlice?.dose !== dose.volume || this.#doseSlice.key !== key) this.#doseSlice = { dose: dose.volume, key, slice: sampleDoseOnSlice(dose.volume, session.volume, plane) };
      drawDoseOverlay(ctx, this.#doseSlice.slice, affine, { wash: dose.wash, isodoses: displayedIsodoses(dose), lineWidth: 1.5 * dpr });
    }
    const map = session.uncertainty.overlay && activeId ? session.uncertainty.map(activeId) : null;
    if (map) {
      const key = `${plane.axis}|${plane.index}`;
      if (this.#uncertaintySlice?.map !== map || this.#uncertaintySlice.key !== key) this.#uncertaintySlice = { map, key, slice: uncertaintyOnSlice(map, plane, nu, nv) };
      drawDoseOverlay(ctx, this.#uncertaintySlice.slice, affine, { wash: UNCERTAINTY_WASH, isodoses: [], lineWidth: dpr });
    }
    for (const s of state.structures) {
      if (s.id === activeId) activeColor = s.color;
      if (!s.visible) continue;
      const mask = session.store.mask(s.id);
      const loops = this.#outlines.get(`${s.id}|${plane.axis}|${plane.index}|${mask.version}`, () => maskOutline(mask.readSlice(plane.axis, plane.index, this.#buffer(nu * nv)), nu, nv, this.#scratch));
      const width = options.lineWidth * dpr * (s.id === activeId ? 1.5 : 1);
      // The body outline is never filled: it would tint the whole patient and hide the grey levels.
      const fill = s.interpretedType === 'EXTERNAL' ? 0 : options.fillOpacity;
      drawOutlines(ctx, loops, affine, { color: s.color, fillOpacity: fill, lineWidth: width });
    }
    // The reference structures as they lie on the reference CT, mapped onto this grid: dashed, for comparison.
    if (fusion?.showReferenceOutlines) {
      for (const [n, r] of fusion.referenceOutlines.entries()) {
        const loops = this.#outlines.get(`reference|${n}|${r.mask.version}|${plane.axis}|${plane.index}`, () => maskOutline(r.mask.readSlice(plane.axis, plane.index, this.#buffer(nu * nv)), nu, nv, this.#scratch));
        drawOutlines(ctx, loops, affine, { color: r.color, fillOpacity: 0, lineWidth: options.lineWidth * dpr, dash: [5 * dpr, 4 * dpr] });
      }
    }
    const preview = session.preview;
    if (preview) {
      const loops = this.#outlines.get(`preview|${preview.version}|${plane.axis}|${plane.index}`, () => maskOutline(preview.mask.readSlice(plane.axis, plane.index, this.#buffer(nu * nv)), nu, nv, this.#scratch));
      const color = state.structures.find((s) => s.id === preview.structureId)?.color ?? activeColor;
      drawOutlines(ctx, loops, affine, { color, fillOpacity: 0.35, lineWidth: 1.5 * dpr, dash: [6 * dpr, 4 * dpr] });
    }
    if (options.crosshair) drawCrosshair(ctx, session, plane, affine, nu, nv, dpr);
    return activeColor;
  }

  /** The reference CT over the slice as the session's fusion says (blend, checkerboard or difference). */
  #drawFusion(ctx: CanvasRenderingContext2D, session: ViewerSession, plane: SlicePlane, affine: PlaneAffine): void {
    const fusion = session.fusion!;
    const wl = session.windowLevel;
    const key = [fusion.reference, fusion.transform, fusion.mode, fusion.blend, fusion.checkerMm, fusion.differenceHu, wl.window, wl.level, plane.axis, plane.index];
    if (!this.#fusionSlice || this.#fusionSlice.key.some((k, n) => k !== key[n])) {
      const ct = session.volume;
      const reference = sampleReferenceOnSlice(fusion.reference, ct.geometry, fusion.transform, plane);
      const [au, av] = planeAxes(plane.axis);
      const pixels = fusionPixels(reference, fusion.mode === 'difference' ? ctOnSlice(ct, plane) : null, fusion, wl, ct.spacing[au], ct.spacing[av]);
      this.#fusionSlice = { key, pixels, nu: reference.nu, nv: reference.nv };
    }
    const f = this.#fusionSlice;
    drawSlicePixels(ctx, f.pixels, f.nu, f.nv, affine, fusion.mode !== 'checkerboard');
  }

  #buffer(size: number): Uint8Array {
    if (this.#sliceBuffer.length !== size) this.#sliceBuffer = new Uint8Array(size);
    return this.#sliceBuffer;
  }
}

/** An uncertainty map (on the CT grid) on a plane, as 0–1 values (u fastest). */
function uncertaintyOnSlice(map: UncertaintyMap, plane: SlicePlane, nu: number, nv: number): ReturnType<typeof sampleDoseOnSlice> {
  const [nx, ny] = map.dimensions;
  const values = new Float32Array(nu * nv);
  for (let v = 0, o = 0; v < nv; v++) {
    for (let u = 0; u < nu; u++, o++) {
      const [i, j, k] = planeToIndex(plane, u, v);
      values[o] = map.data[i + nx * (j + ny * k)] / UNCERTAINTY_MAX;
    }
  }
  return { values, nu, nv };
}

/** The lines where the other two views' planes cut this one, with a gap around the crosshair point. */
function drawCrosshair(ctx: CanvasRenderingContext2D, session: ViewerSession, plane: SlicePlane, affine: PlaneAffine, nu: number, nv: number, dpr: number): void {
  const c = session.volume.patientToIndex(session.crosshair.position);
  const [ua, va] = planeAxes(plane.axis);
  const axes = gridAxesForViews(session.volume);
  const viewOf = (axis: SliceAxis) => (Object.keys(axes) as ViewOrientation[]).find((o) => axes[o] === axis)!;
  const centre = applyAffine(affine, c[ua], c[va]);
  const gap = 12 * dpr;
  ctx.save();
  ctx.lineWidth = 1 * dpr;
  const segment = (from: [number, number], to: [number, number], color: string) => {
    const len = Math.hypot(to[0] - from[0], to[1] - from[1]);
    if (len === 0) return;
    const dir = [(to[0] - from[0]) / len, (to[1] - from[1]) / len];
    // Split the line at the gap around the centre (projected onto the line).
    const t = (centre[0] - from[0]) * dir[0] + (centre[1] - from[1]) * dir[1];
    ctx.strokeStyle = color;
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(from[0] + dir[0] * Math.max(0, t - gap), from[1] + dir[1] * Math.max(0, t - gap));
    ctx.moveTo(from[0] + dir[0] * Math.min(len, t + gap), from[1] + dir[1] * Math.min(len, t + gap));
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
  };
  // u = c[ua] is the plane of the view slicing axis ua; it runs along v.
  segment(applyAffine(affine, c[ua], -0.5), applyAffine(affine, c[ua], nv - 0.5), CROSSHAIR_COLORS[viewOf(ua)]);
  segment(applyAffine(affine, -0.5, c[va]), applyAffine(affine, nu - 0.5, c[va]), CROSSHAIR_COLORS[viewOf(va)]);
  ctx.restore();
}

function overlayElement(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('part', 'overlay');
  canvas.className = 'overlay';
  return canvas;
}
