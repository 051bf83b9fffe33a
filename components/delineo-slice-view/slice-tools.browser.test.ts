// The editing tools driven as a user drives them: real (trusted) pointer and key events from the test
// runner's sendMouse/sendKeys on a slice view of the phantom, checked against the structure set's masks.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import type { BinaryMask, Vec3 } from '../../src/index.ts';
import { chord, mountView, partOf, phantomSession } from '../../test/helpers/viewer.ts';
import type { ViewerSession } from '../../src/index.ts';
import type { DelineoSliceView } from './delineo-slice-view.ts';
import type { Phantom } from '../../src/index.ts';

/** Distance (mm) from p to the segment ab. */
function distanceToSegment(p: Vec3, a: Vec3, b: Vec3): number {
  const ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const len2 = ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2;
  const t = len2 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1] + (p[2] - a[2]) * ab[2]) / len2)) : 0;
  return Math.hypot(p[0] - a[0] - t * ab[0], p[1] - a[1] - t * ab[1], p[2] - a[2] - t * ab[2]);
}

/** Voxels of a mask on axial slice k. */
const sliceCount = (m: BinaryMask, k: number) => m.readAxial(k).reduce((a, b) => a + b, 0);

describe('slice view editing tools (real pointer events)', () => {
  let phantom: Phantom;
  let session: ViewerSession;
  let view: DelineoSliceView;
  let id: string;
  let k: number;

  before(async () => {
    // A coarser phantom grid keeps the file fast; the tools do not care about the resolution.
    ({ phantom, session } = phantomSession({ dimensions: [160, 160, 56], spacing: [3.125, 3.125, 5] }));
    session.setCrosshair(phantom.anatomy.center);
    view = await mountView(session, 'axial', { width: 420, height: 440 });
    k = view.sliceIndex;
  });

  after(() => view.remove());

  beforeEach(async () => {
    // A fresh, empty, active structure for each test; no leftover gesture or preview.
    id = session.store.add({ name: `Test ${session.store.state.structures.length}`, color: [255, 160, 0] });
    session.setTool({ tool: 'navigate', radiusMm: 8, shape: 'disc', contourMode: 'add' });
    session.setCrosshair(phantom.anatomy.center);
    await view.frame();
  });

  /** Client position of a patient point offset (mm, patient x and y) from the anatomy centre on this slice. */
  const at = (dx: number, dy: number): [number, number] => {
    const c = phantom.anatomy.center;
    const z = session.volume.indexToPatient([0, 0, k])[2];
    const [x, y] = view.patientToClient([c[0] + dx, c[1] + dy, z])!;
    return [Math.round(x), Math.round(y)];
  };
  const indexAt = (p: [number, number]) => session.volume.patientToIndex(view.clientToPatient(p[0], p[1])!).map(Math.round) as unknown as Vec3;

  async function drag(points: [number, number][], button: 'left' | 'right' = 'left'): Promise<void> {
    await sendMouse({ type: 'move', position: points[0] });
    await sendMouse({ type: 'down', button });
    for (const p of points.slice(1)) await sendMouse({ type: 'move', position: p });
    await sendMouse({ type: 'up', button });
  }

  async function click(p: [number, number]): Promise<void> {
    await sendMouse({ type: 'click', position: p });
  }

  it('paints a band along a brush stroke as ONE undo step; Ctrl+Z and Ctrl+Shift+Z undo and redo it', async () => {
    session.setTool({ tool: 'brush' });
    const from = at(-60, 0);
    const mid = at(0, 0);
    const to = at(60, 0);
    await drag([from, at(-30, 0), mid, at(30, 0), to]);
    const mask = session.store.mask(id);
    for (const p of [from, mid, to]) {
      const [i, j, kk] = indexAt(p);
      expect(mask.get(i, j, kk), `painted under ${p}`).to.equal(true);
    }
    // Exactly the voxel centres within 8 mm of the pointer's path (a band with round ends), on this slice
    // only (a 2D disc brush). The dabs are 2 mm apart, so the band's edge is scalloped by 0.06 mm at most.
    const voxels = sliceCount(mask, k);
    const path = [from, at(-30, 0), mid, at(30, 0), to].map((p) => view.clientToPatient(p[0], p[1])!);
    let expected = 0;
    const [nx, ny] = session.volume.dimensions;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const c = session.volume.indexToPatient([i, j, k]);
        if (path.slice(1).some((b, n) => distanceToSegment(c, path[n], b) <= 8)) expected++;
      }
    }
    expect(expected).to.be.closeTo((120 * 16 + Math.PI * 64) / (3.125 * 3.125), 60);
    expect(voxels).to.be.closeTo(expected, 3);
    expect(mask.count()).to.equal(voxels);
    expect(session.store.state.undoLabel).to.equal('Brush');

    view.focus();
    await chord(['Control'], 'z');
    expect(session.store.mask(id).count(), 'the whole stroke is undone at once').to.equal(0);
    await chord(['Control', 'Shift'], 'Z');
    expect(session.store.mask(id).count()).to.equal(voxels);
  });

  it('erases along an eraser stroke, and a 3D sphere brush reaches the neighbouring slices', async () => {
    session.setTool({ tool: 'brush', shape: 'sphere', radiusMm: 12 });
    await drag([at(-40, 0), at(40, 0)]);
    const mask = session.store.mask(id);
    expect(sliceCount(mask, k + 1), 'sphere reaches k + 1 (5 mm away)').to.be.greaterThan(0);
    expect(sliceCount(mask, k - 2), 'and k − 2 (10 mm away)').to.be.greaterThan(0);
    expect(sliceCount(mask, k + 3), 'not k + 3 (15 mm away)').to.equal(0);
    const before = sliceCount(mask, k);
    session.setTool({ tool: 'eraser', shape: 'disc', radiusMm: 6 });
    await drag([at(0, -30), at(0, 30)]);
    const [i, j] = indexAt(at(0, 0));
    expect(mask.get(i, j, k), 'erased at the crossing').to.equal(false);
    expect(sliceCount(mask, k)).to.be.lessThan(before);
    expect(sliceCount(mask, k + 1), 'a disc eraser leaves other slices alone').to.be.greaterThan(0);
    expect(session.store.state.undoLabel).to.equal('Erase');
  });

  it('fills a polygon closed on its first vertex, and cuts one closed with Enter in subtract mode', async () => {
    session.setTool({ tool: 'polygon' });
    const corners = [at(-40, -40), at(40, -40), at(40, 40), at(-40, 40)];
    for (const c of corners) await click(c);
    expect(view.polygonPoints).to.have.length(4);
    await click(corners[0]);
    expect(view.polygonPoints).to.have.length(0);
    const mask = session.store.mask(id);
    const square = sliceCount(mask, k);
    const expected = (80 * 80) / (3.125 * 3.125);
    expect(square).to.be.closeTo(expected, expected * 0.1);
    expect(session.store.state.undoLabel).to.equal('Polygon');

    session.setTool({ contourMode: 'subtract' });
    for (const c of [at(-20, -20), at(20, -20), at(0, 20)]) await click(c);
    view.focus();
    await sendKeys({ press: 'Enter' });
    const cut = (40 * 40) / 2 / (3.125 * 3.125);
    expect(sliceCount(mask, k)).to.be.closeTo(square - cut, cut * 0.25);
    expect(session.store.state.undoLabel).to.equal('Polygon (subtract)');
  });

  it('fills a freehand contour on release', async () => {
    session.setTool({ tool: 'freehand' });
    const loop: [number, number][] = [];
    for (let a = 0; a <= 24; a++) loop.push(at(30 * Math.cos((a / 24) * 2 * Math.PI), 30 * Math.sin((a / 24) * 2 * Math.PI)));
    await drag(loop);
    const expected = (Math.PI * 30 * 30) / (3.125 * 3.125);
    expect(sliceCount(session.store.mask(id), k)).to.be.closeTo(expected, expected * 0.12);
    expect(session.store.state.undoLabel).to.equal('Freehand');
  });

  it('push grows the structure from inside and pushes it back from outside', async () => {
    session.store.editMask(id, 'Seed disc', (m) => {
      const [ci, cj] = indexAt(at(0, 0));
      for (let j = cj - 6; j <= cj + 6; j++) for (let i = ci - 6; i <= ci + 6; i++) if ((i - ci) ** 2 + (j - cj) ** 2 <= 36) m.set(i, j, k, true);
    });
    const mask = session.store.mask(id);
    const disc = sliceCount(mask, k);
    session.setTool({ tool: 'nudge', radiusMm: 6 });
    await drag([at(0, 0), at(30, 0), at(45, 0)]); // starts inside: pushes the edge out to the right
    const grown = sliceCount(mask, k);
    expect(grown).to.be.greaterThan(disc);
    const [oi, oj] = indexAt(at(40, 0));
    expect(mask.get(oi, oj, k)).to.equal(true);
    await drag([at(0, -40), at(0, -10)]); // starts outside: pushes the top edge in
    const [ti, tj] = indexAt(at(0, -12));
    expect(mask.get(ti, tj, k), 'pushed in from above').to.equal(false);
    expect(sliceCount(mask, k)).to.be.lessThan(grown);
    expect(session.store.state.undoLabel).to.equal('Push');
  });

  it('an HU-limited brush paints only voxels inside the HU range', async () => {
    session.setTool({ tool: 'hu-brush', radiusMm: 15, huMin: -1100, huMax: -500 });
    // Across the right lung's medial edge: lung (−850 HU) and mediastinum (soft tissue) under one stroke.
    const lungEdge = phantom.anatomy.lungRight.center[0] + phantom.anatomy.lungRight.semiAxes[0];
    const c = phantom.anatomy.center;
    await drag([at(lungEdge - c[0] - 10, 0), at(lungEdge - c[0] + 10, 0)]);
    const mask = session.store.mask(id);
    let painted = 0;
    mask.forEach((i, j, kk) => {
      painted++;
      const hu = session.volume.at(i, j, kk);
      expect(hu, `voxel ${i},${j},${kk}`).to.be.within(-1100, -500);
    });
    expect(painted).to.be.greaterThan(20);
  });

  it('fills the enclosed hole under the click, and says so when there is none', async () => {
    session.store.editMask(id, 'Ring', (m) => {
      const [ci, cj] = indexAt(at(0, 0));
      for (let j = cj - 10; j <= cj + 10; j++) for (let i = ci - 10; i <= ci + 10; i++) {
        const r2 = (i - ci) ** 2 + (j - cj) ** 2;
        if (r2 <= 100 && r2 >= 36) m.set(i, j, k, true);
      }
    });
    const mask = session.store.mask(id);
    const ring = sliceCount(mask, k);
    session.setTool({ tool: 'fill-hole' });
    const refusals: string[] = [];
    view.addEventListener('delineo-edit-refuse', (e) => refusals.push(e.detail.reason));
    await click(at(80, 0)); // outside the ring: no hole there
    expect(sliceCount(mask, k)).to.equal(ring);
    expect(refusals).to.deep.equal(['nothing']);
    await view.updateComplete;
    expect(partOf(view, 'notice').textContent).to.match(/no enclosed hole/i);
    await click(at(0, 0));
    const [ci, cj] = indexAt(at(0, 0));
    expect(mask.get(ci, cj, k)).to.equal(true);
    expect(sliceCount(mask, k)).to.be.greaterThan(ring + 80);
    expect(session.store.state.undoLabel).to.equal('Fill hole');
  });

  it('previews a region grow, re-grows it when the tolerance changes, commits on Enter and discards on Escape', async () => {
    session.setTool({ tool: 'region-grow', toleranceHu: 100, growRadiusMm: 40, growScope: 'volume' });
    const gtv = phantom.anatomy.gtvCenter;
    session.setCrosshair(gtv);
    await view.frame();
    const [x, y] = view.patientToClient(gtv)!;
    await click([Math.round(x), Math.round(y)]);
    const preview = session.preview!;
    expect(preview, 'a preview').to.not.equal(null);
    expect(preview.structureId).to.equal(id);
    expect(session.store.mask(id).count(), 'nothing committed yet').to.equal(0);
    // The GTV (30 HU) in the lung (−850 HU): the grown region is the 20 mm sphere.
    const sphere = (4 / 3) * Math.PI * 20 ** 3 / (3.125 * 3.125 * 5);
    expect(preview.voxels).to.be.closeTo(sphere, sphere * 0.2);
    session.setTool({ toleranceHu: 20 });
    expect(session.preview!.version, 're-grown with the new tolerance').to.be.greaterThan(preview.version);
    view.focus();
    await sendKeys({ press: 'Escape' });
    expect(session.preview).to.equal(null);
    expect(session.store.mask(id).count()).to.equal(0);

    session.setTool({ toleranceHu: 100 });
    await click([Math.round(x), Math.round(y)]);
    const voxels = session.preview!.voxels;
    view.focus();
    await sendKeys({ press: 'Enter' });
    expect(session.preview).to.equal(null);
    expect(session.store.mask(id).count()).to.equal(voxels);
    expect(session.store.state.undoLabel).to.equal('Region grow');
  });

  it('refuses edits of a locked or an approved structure with the reason shown, and without a structure', async () => {
    const refusals: { reason: string; message: string }[] = [];
    const listener = (e: Event) => refusals.push((e as CustomEvent).detail);
    view.addEventListener('delineo-edit-refuse', listener);
    session.setTool({ tool: 'brush' });
    session.store.update(id, { locked: true });
    await drag([at(-20, 0), at(20, 0)]);
    expect(session.store.mask(id).count()).to.equal(0);
    await view.updateComplete;
    const notice = partOf(view, 'notice');
    expect(notice.hidden).to.equal(false);
    expect(notice.getAttribute('role')).to.equal('alert');
    expect(notice.textContent).to.match(/locked: unlock it before you edit it/);

    session.store.update(id, { locked: false });
    session.store.approve(id);
    session.setTool({ tool: 'polygon' });
    await click(at(0, 0));
    expect(view.polygonPoints, 'no polygon is started on an approved structure').to.have.length(0);
    await view.updateComplete;
    expect(notice.textContent).to.match(/approved/);

    session.store.setActive(null);
    session.setTool({ tool: 'brush' });
    await drag([at(-20, 0), at(20, 0)]);
    await view.updateComplete;
    expect(notice.textContent).to.equal('Select a structure to edit first');
    expect(refusals.map((r) => r.reason)).to.deep.equal(['locked', 'approved', 'no-structure']);
    view.removeEventListener('delineo-edit-refuse', listener);
  });

  it('Escape in the middle of a stroke rolls the stroke back', async () => {
    session.setTool({ tool: 'brush' });
    await sendMouse({ type: 'move', position: at(-30, 0) });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: at(30, 0) });
    expect(session.store.mask(id).count(), 'painting while the button is down').to.be.greaterThan(0);
    await sendKeys({ press: 'Escape' });
    await sendMouse({ type: 'up' });
    expect(session.store.mask(id).count()).to.equal(0);
    expect(session.store.state.undoLabel, 'nothing recorded').to.not.equal('Brush');
  });
});
