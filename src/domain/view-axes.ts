/**
 * Which grid axis each standard view (axial, coronal, sagittal) slices along, and the display convention of
 * each view. Pure geometry: the session in src/state needs it to know the axial axis, the renderers to
 * place their cameras.
 */
import { type ImageGeometry, type Vec3, axis, cross, dot, normalize } from './geometry.ts';
import type { SliceAxis } from './mask.ts';
import { planeAxes } from './tools/paint.ts';

/** The three standard patient-space views. */
export type ViewOrientation = 'axial' | 'coronal' | 'sagittal';

/** How a view looks at the patient: the direction the camera looks along and the patient direction shown up. */
export interface ViewConvention {
  /** Unit vector (LPS) from the camera into the patient. */
  readonly directionOfProjection: Vec3;
  /** Unit vector (LPS) that points up on screen. */
  readonly viewUp: Vec3;
}

/**
 * Radiological display conventions in LPS. Axial is seen from the feet with anterior up, coronal from the
 * front with superior up, so in both the patient's right is on the screen's left; sagittal is seen from the
 * patient's left with superior up, so anterior is on the screen's left. These are the conventions of
 * clinical treatment-planning systems; they do not depend on how the scanner stored rows and columns, so a
 * prone or feet-first series is still shown in the same frame.
 */
export const VIEW_CONVENTIONS: Readonly<Record<ViewOrientation, ViewConvention>> = {
  axial: { directionOfProjection: [0, 0, 1], viewUp: [0, -1, 0] },
  coronal: { directionOfProjection: [0, 1, 0], viewUp: [0, 0, 1] },
  sagittal: { directionOfProjection: [-1, 0, 0], viewUp: [0, 0, 1] },
};

/**
 * The grid axis each standard view slices along: the assignment of the three index axes to axial, coronal
 * and sagittal whose index planes come closest to the views' planes. For an axial acquisition axial → 2,
 * coronal → 1, sagittal → 0; for a series acquired sagittally (rows along the body axis) axial is a j or an
 * i plane instead. Assigned jointly, as a permutation, so that three linked views always show three
 * different axes even for a grid turned 45° (where two views would pick the same axis on their own).
 * Views slice the grid along index planes, never obliquely through it, so every voxel of a structure's
 * mask is a whole cell on screen and the editing tools write exactly what the user sees.
 */
export function gridAxesForViews(geometry: ImageGeometry): Readonly<Record<ViewOrientation, SliceAxis>> {
  const views: ViewOrientation[] = ['axial', 'coronal', 'sagittal'];
  const fit = (a: SliceAxis, o: ViewOrientation) => {
    const [u, v] = planeAxes(a);
    return Math.abs(dot(normalize(cross(axis(geometry.direction, u), axis(geometry.direction, v))), VIEW_CONVENTIONS[o].directionOfProjection));
  };
  // The conventional assignment first, so that ties (exact 45° obliques) keep it.
  const permutations: [SliceAxis, SliceAxis, SliceAxis][] = [
    [2, 1, 0],
    [2, 0, 1],
    [1, 2, 0],
    [1, 0, 2],
    [0, 2, 1],
    [0, 1, 2],
  ];
  let best = permutations[0];
  let bestScore = -1;
  for (const p of permutations) {
    const score = views.reduce((sum, o, n) => sum + fit(p[n], o), 0);
    if (score > bestScore + 1e-9) {
      best = p;
      bestScore = score;
    }
  }
  return { axial: best[0], coronal: best[1], sagittal: best[2] };
}

/** The grid axis a standard view slices along; see {@link gridAxesForViews}. */
export function gridAxisForView(geometry: ImageGeometry, orientation: ViewOrientation): SliceAxis {
  return gridAxesForViews(geometry)[orientation];
}
