import type { ViewerSession } from './viewer-session.ts';

/**
 * Shows a structure in the slice views: the crosshair moves to the middle of its axial slices, at the centre
 * of its area there. With `always` false it stays put when the structure already has voxels on the axial
 * slice shown (selecting a structure that is in view must not move the view). False when the structure is empty.
 */
export function showStructure(session: ViewerSession, id: string, always: boolean): boolean {
  const rec = session.store.state.structures.find((s) => s.id === id);
  if (!rec) return false;
  const mask = session.store.mask(id);
  const slices = mask.axialSlicesWithData();
  if (!slices.length) return false;
  const here = session.volume.patientToIndex(session.crosshair.position).map(Math.round);
  if (!always && slices.includes(here[2])) return true;
  const k = slices[Math.floor(slices.length / 2)];
  const nx = session.volume.dimensions[0];
  const plane = mask.readAxial(k);
  let si = 0;
  let sj = 0;
  let n = 0;
  for (let p = 0; p < plane.length; p++) {
    if (!plane[p]) continue;
    si += p % nx;
    sj += Math.floor(p / nx);
    n++;
  }
  session.setCrosshair(session.volume.indexToPatient([si / n, sj / n, k]));
  return true;
}

/**
 * Selects the next (or previous) structure that still needs review — not approved — in list order after the
 * selected one (wrapping), and shows it. Returns its id, or null when every structure is approved.
 */
export function nextForReview(session: ViewerSession, direction: 1 | -1 = 1): string | null {
  const store = session.store;
  const list = store.state.structures;
  const start = list.findIndex((s) => s.id === store.state.activeId);
  for (let n = 1; n <= list.length; n++) {
    const r = list[(((start + direction * n) % list.length) + list.length) % list.length];
    if (!r.approved) {
      store.setActive(r.id);
      showStructure(session, r.id, true);
      return r.id;
    }
  }
  return null;
}

/**
 * "Next uncertain slice": moves the crosshair to the next axial slice of a structure in its uncertainty ranking
 * (most uncertain first, wrapping; see UncertaintyReview.nextSlice), at the uncertainty-weighted centre of the
 * structure's surroundings there, where the model doubts. Returns the slice (k), or null when the structure has
 * no uncertainty map or nothing uncertain.
 */
export function nextUncertainSlice(session: ViewerSession, id: string): number | null {
  const here = Math.round(session.volume.patientToIndex(session.crosshair.position)[2]);
  const k = session.uncertainty.nextSlice(id, here);
  const map = session.uncertainty.map(id);
  const b = session.store.mask(id).bounds();
  if (k === null || !map || !b) return null;
  const [nx, ny] = map.dimensions;
  let si = 0;
  let sj = 0;
  let w = 0;
  for (let j = Math.max(0, b.min[1] - 1); j <= Math.min(ny - 1, b.max[1] + 1); j++) {
    for (let i = Math.max(0, b.min[0] - 1); i <= Math.min(nx - 1, b.max[0] + 1); i++) {
      const u = map.data[i + nx * (j + ny * k)];
      si += u * i;
      sj += u * j;
      w += u;
    }
  }
  const centre = w > 0 ? [si / w, sj / w] : [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2];
  session.setCrosshair(session.volume.indexToPatient([centre[0], centre[1], k]));
  return k;
}
