import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageGeometry } from '../domain/geometry.ts';
import { IDENTITY } from '../domain/geometry.ts';
import { BinaryMask } from '../domain/mask.ts';
import { abortError, type JobOptions } from '../jobs/job.ts';
import { StructureSetStore } from '../state/structure-set.store.ts';
import { meshStructure, surfaceVolumeMm3, type MeshRequest, type SurfaceMesh } from './surface.ts';
import { SurfaceSync, type SurfaceChange, type SurfaceSyncStatus } from './surface-sync.ts';

const geometry: ImageGeometry = {
  dimensions: [24, 24, 12],
  spacing: [2, 2, 3],
  origin: [-24, -24, -18],
  direction: IDENTITY,
};

/** A ball of voxels of radius r (voxels) around (ci, cj, ck). */
const ball = (r: number, ci = 12, cj = 12, ck = 6) =>
  BinaryMask.fromPredicate(
    geometry.dimensions,
    (i, j, k) => (i - ci) ** 2 + (j - cj) ** 2 + ((k - ck) * 1.5) ** 2 <= r * r,
  );

/**
 * A meshing job under the test's control: each call waits until released, and records what it was asked.
 * With `ignoreAbort` it behaves like a worker busy inside a step: it finishes the job whatever the signal says.
 */
class ControlledMesher {
  constructor(readonly ignoreAbort = false) {}
  readonly calls: {
    request: MeshRequest;
    signal: AbortSignal;
    release: () => void;
    fail: (e: Error) => void;
    voxels: number;
  }[] = [];
  readonly job = (request: MeshRequest, { signal }: JobOptions): Promise<SurfaceMesh> =>
    new Promise((resolve, reject) => {
      // Read the voxel count now: the worker mesher would have detached these buffers after the call.
      const voxels = BinaryMask.deserialize(request.mask).count();
      if (!this.ignoreAbort) signal?.addEventListener('abort', () => reject(abortError(signal.reason)));
      this.calls.push({
        request,
        signal: signal!,
        voxels,
        release: () => void meshStructure(request, {}).then(resolve, reject),
        fail: reject,
      });
    });
  /** Resolves once the n-th call (1-based) has been made. */
  async waitForCalls(n: number): Promise<void> {
    for (let t = 0; this.calls.length < n; t++) {
      if (t > 400) throw new Error(`expected ${n} meshing calls, got ${this.calls.length}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('SurfaceSync', () => {
  it('meshes every structure once, one at a time, and not again for a colour or visibility change', async () => {
    const store = new StructureSetStore(geometry);
    const a = store.add({ name: 'A', mask: ball(4) });
    const b = store.add({ name: 'B', mask: ball(3, 6, 6, 6) });
    const mesher = new ControlledMesher();
    const sync = new SurfaceSync(store, { mesh: mesher.job, debounceMs: 20 });
    const changes: SurfaceChange[] = [];
    sync.changes$.subscribe((c) => changes.push(c));
    const statuses: SurfaceSyncStatus[] = [];
    sync.status$.subscribe((s) => statuses.push(s));

    await mesher.waitForCalls(1);
    await settle();
    assert.equal(mesher.calls.length, 1, 'the second structure waits for the first');
    assert.deepEqual(sync.status.pending, [a, b]);
    assert.equal(sync.status.active?.id, a);
    mesher.calls[0].release();
    await mesher.waitForCalls(2);
    assert.equal(sync.status.active?.id, b);
    mesher.calls[1].release();
    await sync.whenIdle();
    assert.deepEqual(
      changes.map((c) => (c.kind === 'update' ? [c.surface.id, c.surface.maskVersion] : c.id)),
      [
        [a, store.record(a).maskVersion],
        [b, store.record(b).maskVersion],
      ],
    );
    assert.ok(surfaceVolumeMm3(sync.surface(a)!.mesh) > surfaceVolumeMm3(sync.surface(b)!.mesh));

    store.update(a, { color: [1, 2, 3], visible: false });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(mesher.calls.length, 2, 'properties are not in the mask: no re-mesh');
    assert.deepEqual(sync.status, { pending: [], active: null, errors: {} });
    assert.deepEqual(statuses.at(-1), { pending: [], active: null, errors: {} });
    sync.dispose();
  });

  it('re-meshes after edits pause, cancels the job of an outdated mask and never shows an older surface', async () => {
    const store = new StructureSetStore(geometry);
    const id = store.add({ name: 'GTV', mask: ball(3) });
    const mesher = new ControlledMesher(true);
    const sync = new SurfaceSync(store, { mesh: mesher.job, debounceMs: 40 });
    const versions: number[] = [];
    sync.changes$.subscribe((c) => c.kind === 'update' && versions.push(c.surface.maskVersion));
    await mesher.waitForCalls(1);
    mesher.calls[0].release();
    await sync.whenIdle();

    // An edit arrives: the debounce starts; a second edit within it restarts it (one job for both).
    store.replaceMask(id, 'grow', ball(4));
    await new Promise((r) => setTimeout(r, 20));
    store.replaceMask(id, 'grow more', ball(5));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(mesher.calls.length, 1, 'still inside the debounce');
    assert.deepEqual(sync.status.pending, [id]);
    await mesher.waitForCalls(2);
    assert.equal(mesher.calls[1].voxels, ball(5).count(), 'the job meshes the latest mask');

    // Another edit while that job runs: the running job is told to stop at once…
    store.replaceMask(id, 'shrink', ball(2));
    assert.equal(mesher.calls[1].signal.aborted, true);
    // …and when it delivers its now outdated surface anyway, that surface is not shown.
    mesher.calls[1].release();
    await mesher.waitForCalls(3);
    assert.equal(mesher.calls[2].voxels, ball(2).count());
    mesher.calls[2].release();
    await sync.whenIdle();
    const current = store.record(id).maskVersion;
    assert.deepEqual(versions, [versions[0], current], 'exactly the first and the latest surface were shown');
    assert.equal(sync.surface(id)!.maskVersion, current);
    sync.dispose();
  });

  it('drops the surface of a removed structure, reports failures per structure, and retries after the next edit', async () => {
    const store = new StructureSetStore(geometry);
    const a = store.add({ name: 'A', mask: ball(3) });
    const b = store.add({ name: 'B', mask: ball(2, 5, 5, 5) });
    const mesher = new ControlledMesher();
    const sync = new SurfaceSync(store, { mesh: mesher.job, debounceMs: 10 });
    const changes: SurfaceChange[] = [];
    sync.changes$.subscribe((c) => changes.push(c));
    await mesher.waitForCalls(1);
    mesher.calls[0].release();
    await mesher.waitForCalls(2);
    mesher.calls[1].fail(new Error('out of memory in the worker'));
    await sync.whenIdle();
    assert.deepEqual(sync.status.errors, { [b]: 'out of memory in the worker' });
    assert.equal(sync.surface(b), undefined);

    store.replaceMask(b, 'redo', ball(3, 6, 6, 6));
    await mesher.waitForCalls(3);
    mesher.calls[2].release();
    await sync.whenIdle();
    assert.deepEqual(sync.status.errors, {});
    assert.ok(sync.surface(b));

    store.remove(a);
    assert.deepEqual(changes.at(-1), { kind: 'remove', id: a });
    assert.equal(sync.surface(a), undefined);
    assert.deepEqual(
      sync.surfaces().map((s) => s.id),
      [b],
    );
    sync.dispose();
  });

  it('cancels running work on dispose and then ignores the store', async () => {
    const store = new StructureSetStore(geometry);
    store.add({ name: 'A', mask: ball(3) });
    const mesher = new ControlledMesher();
    const sync = new SurfaceSync(store, { mesh: mesher.job, debounceMs: 10 });
    await mesher.waitForCalls(1);
    sync.dispose();
    assert.equal(mesher.calls[0].signal.aborted, true);
    store.add({ name: 'B', mask: ball(2) });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(mesher.calls.length, 1);
    await sync.whenIdle();
  });
});
