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
