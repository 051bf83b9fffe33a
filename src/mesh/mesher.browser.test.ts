// The surface mesher across a real module Web Worker in Chromium: the same surface as on the main thread,
// inputs and outputs transferred rather than copied, progress per stage, and cancellation.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { isAbortError, type Progress } from '../jobs/job.ts';
import { generatePhantom, type Phantom } from '../phantom/phantom.ts';
import { createSurfaceMesher, type SurfaceMesher } from './mesher.ts';
import { isodoseSurface } from './isodose.ts';
import { surfaceFromMask } from './surface.ts';

describe('createSurfaceMesher (browser Worker)', () => {
  let phantom: Phantom;
  let mesher: SurfaceMesher;

  before(() => {
    phantom = generatePhantom({ dimensions: [160, 160, 56], spacing: [3.125, 3.125, 5], noiseHu: 0 });
  });
  beforeEach(() => {
    mesher = createSurfaceMesher();
  });
  afterEach(() => mesher.dispose());

  const mask = (name: string) => phantom.structures.find((s) => s.name === name)!.mask;

  it('meshes in a worker exactly as on the main thread, transferring the buffers both ways', async () => {
    expect(mesher.mode).to.equal('worker');
    const serialized = mask('Heart').serialize();
    const progress: Progress[] = [];
    const started = performance.now();
    const mesh = await mesher.mesh(
      { mask: serialized, geometry: phantom.volume.geometry },
      { progress: (p) => progress.push(p) },
    );
    const elapsed = performance.now() - started;
    expect(serialized.pool.buffer.byteLength, 'the mask copy was transferred, not cloned').to.equal(0);
    const reference = await surfaceFromMask(mask('Heart'), phantom.volume.geometry);
    expect(mesh.points).to.be.instanceOf(Float32Array);
    expect([...mesh.points]).to.deep.equal([...reference.points]);
    expect([...mesh.polys]).to.deep.equal([...reference.polys]);
    expect([...mesh.normals]).to.deep.equal([...reference.normals]);
    expect(mesh.smoothing).to.equal(0.5);
    expect(progress.at(-1)!.overall).to.equal(1);
    expect(new Set(progress.map((p) => p.stage))).to.include('smoothing');
    expect(elapsed).to.be.below(20000);
  });

  it('returns an empty surface for an empty structure, and stays usable', async () => {
    const empty = phantom.structures[0].mask.clone();
    empty.fill(false);
    const mesh = await mesher.mesh({ mask: empty.serialize(), geometry: phantom.volume.geometry }, {});
    expect(mesh.polys.length).to.equal(0);
    const again = await mesher.mesh({ mask: mask('GTV').serialize(), geometry: phantom.volume.geometry }, {});
    expect(again.polys.length).to.be.greaterThan(100);
  });

  it('builds isodose surfaces in the worker as on the main thread, leaving the caller its dose', async () => {
    // A dose falling off from the GTV's centre, on the phantom's grid.
    const g = phantom.volume.geometry;
    const centre = phantom.anatomy.gtvCenter;
    const dose = new Float32Array(g.dimensions[0] * g.dimensions[1] * g.dimensions[2]);
    for (let k = 0, o = 0; k < g.dimensions[2]; k++)
      for (let j = 0; j < g.dimensions[1]; j++)
        for (let i = 0; i < g.dimensions[0]; i++, o++) {
          const p = phantom.volume.indexToPatient([i, j, k]);
          dose[o] = Math.max(0, 60 - Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) / 2);
        }
    const meshes = await mesher.isodoses({ dose, geometry: g, levelsGy: [57, 30, 100] }, {});
    expect(dose.length, 'the dose was copied, not transferred').to.equal(g.dimensions[0] * g.dimensions[1] * g.dimensions[2]);
    expect(meshes).to.have.length(3);
    for (const [n, level] of [57, 30].entries()) {
      const reference = isodoseSurface(dose, g, level);
      expect(meshes[n]!.polys.length, `${level} Gy`).to.be.greaterThan(100);
      expect([...meshes[n]!.points]).to.deep.equal([...reference.points]);
      expect([...meshes[n]!.polys]).to.deep.equal([...reference.polys]);
    }
    expect(meshes[2]!.polys.length, 'no dose reaches 100 Gy').to.equal(0);
  });

  it('rejects a cancelled job with an AbortError and meshes the next one', async () => {
    const controller = new AbortController();
    const pending = mesher.mesh(
      { mask: mask('External').serialize(), geometry: phantom.volume.geometry },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 5);
    const error = await pending.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbortError(error), String(error)).to.equal(true);
    const next = await mesher.mesh({ mask: mask('GTV').serialize(), geometry: phantom.volume.geometry }, {});
    expect(next.polys.length).to.be.greaterThan(100);
  });
});
