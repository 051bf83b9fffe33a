import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryMask, IDENTITY, createStructure, type ImageGeometry } from '../domain/index.ts';
import { StructureSetStore } from './structure-set.store.ts';
import { ReviewTracker, structureStatus } from './review.ts';

const g: ImageGeometry = { dimensions: [40, 40, 10], spacing: [0.8, 1.2, 2.5], origin: [-16, -24, 0], direction: IDENTITY };
/** A 20×20-voxel square on slices 2–7: 16 × 24 mm = 384 mm² × 6 slices × 2.5 mm = 5.76 cc. */
const square = () => BinaryMask.fromPredicate(g.dimensions, (i, j, k) => k >= 2 && k <= 7 && i >= 10 && i < 30 && j >= 10 && j < 30);
const AUTO = { algorithm: 'AUTOMATIC', source: 'test-model', version: '1' } as const;
/** Adds a 6 × 3-voxel bump on the +j side of the square on slices 4 and 5. */
const addBump = (m: BinaryMask) => {
  for (const k of [4, 5]) for (let j = 30; j < 33; j++) for (let i = 14; i < 20; i++) m.set(i, j, k, true);
};

describe('review tracker', () => {
  it('snapshots an AUTOMATIC structure when it appears and reports it untouched', () => {
    const store = new StructureSetStore(g);
    const tracker = new ReviewTracker(store);
    const id = store.add({ name: 'Heart', provenance: AUTO, mask: square() });
    assert.ok(tracker.hasOriginal(id));
    const m = tracker.metrics(id);
    assert.deepEqual(m, {
      status: 'auto',
      original: true,
      addedPathLengthMm: 0,
      addedSlices: 0,
      surfaceDice: 1,
      dice: 1,
      volumeCc: m.volumeCc,
      originalVolumeCc: m.volumeCc,
    });
    assert.ok(Math.abs(m.volumeCc - 5.76) < 1e-9);
    tracker.dispose();
  });

  it('measures an edit against the original: added path length of a bump, Dice, volumes; undo restores "auto"', () => {
    const store = new StructureSetStore(g);
    const tracker = new ReviewTracker(store);
    const id = store.add({ name: 'Heart', provenance: AUTO, mask: square() });
    store.editMask(id, 'Brush', addBump);
    assert.equal(store.record(id).provenance.algorithm, 'SEMIAUTOMATIC');
    assert.equal(tracker.original(id)!.count(), square().count(), 'the original is a snapshot, not the live mask');
    const m = tracker.metrics(id);
    assert.equal(m.status, 'edited');
    // Per bump slice the new outline is the bump's top (6 × 0.8 mm) and sides (2 × 3 × 1.2 mm): 12 mm.
    assert.ok(Math.abs(m.addedPathLengthMm! - 24) < 1e-9, `${m.addedPathLengthMm}`);
    assert.equal(m.addedSlices, 2);
    const n = square().count();
    assert.ok(Math.abs(m.dice! - (2 * n) / (2 * n + 36)) < 1e-12);
    assert.ok(m.surfaceDice! > 0.9 && m.surfaceDice! < 1, `${m.surfaceDice}`);
    assert.ok(Math.abs(m.volumeCc - m.originalVolumeCc! - (36 * 0.8 * 1.2 * 2.5) / 1000) < 1e-12);
    store.undo();
    assert.equal(tracker.metrics(id).status, 'auto');
    assert.equal(tracker.metrics(id).addedPathLengthMm, 0);
    tracker.dispose();
  });

  it('calls a structure edited when its provenance says so even if the mask is back to the original', () => {
    const store = new StructureSetStore(g);
    const tracker = new ReviewTracker(store);
    const id = store.add({ name: 'Heart', provenance: AUTO, mask: square() });
    store.editMask(id, 'Brush', addBump);
    store.replaceMask(id, 'Erase', square());
    const m = tracker.metrics(id);
    assert.equal(m.status, 'edited');
    assert.equal(m.addedPathLengthMm, 0);
    assert.equal(m.surfaceDice, 1);
    tracker.dispose();
  });

  it('has no original for manual structures; approval wins over every other status', () => {
    const store = new StructureSetStore(g);
    const tracker = new ReviewTracker(store);
    const manual = store.add({ name: 'PTV', interpretedType: 'PTV', mask: square() });
    const m = tracker.metrics(manual);
    assert.equal(m.status, 'manual');
    assert.equal(m.original, false);
    assert.equal(m.addedPathLengthMm, null);
    assert.equal(m.surfaceDice, null);
    assert.equal(m.dice, null);
    assert.equal(m.originalVolumeCc, null);
    assert.ok(Math.abs(m.volumeCc - 5.76) < 1e-9);
    const auto = store.add({ name: 'Lung_L', provenance: AUTO, mask: square() });
    store.approve(auto);
    store.approve(manual);
    assert.equal(tracker.metrics(auto).status, 'approved');
    assert.equal(tracker.status(manual), 'approved');
    tracker.dispose();
  });

  it('caches per mask version and tolerance, and recomputes after an edit', () => {
    const store = new StructureSetStore(g);
    const tracker = new ReviewTracker(store);
    const id = store.add({ name: 'Heart', provenance: AUTO, mask: square() });
    store.editMask(id, 'Brush', addBump);
    const first = tracker.metrics(id);
    // Poke the (read-only) original behind the tracker's back: an unchanged mask version must be served from
    // the cache, so the figures do not move until the structure's mask changes.
    tracker.original(id)!.set(0, 0, 0, true);
    const again = tracker.metrics(id);
    assert.deepEqual(again, first);
    const strict = tracker.metrics(id, 0.5);
    assert.ok(strict.surfaceDice! < first.surfaceDice!, 'a tighter tolerance lowers the surface Dice');
    store.editMask(id, 'Brush', (m) => m.set(12, 8, 3, true));
    const after = tracker.metrics(id);
    // One more voxel on slice 3 outside the square: its four edges, 2·0.8 + 2·1.2 = 4 mm.
    assert.ok(Math.abs(after.addedPathLengthMm! - (first.addedPathLengthMm! + 4)) < 1e-9);
    assert.equal(after.addedSlices, 3);
    assert.ok(Math.abs(after.originalVolumeCc! - first.originalVolumeCc! - (0.8 * 1.2 * 2.5) / 1000) < 1e-12, 'recomputed against the poked original');
    tracker.dispose();
  });

  it('snapshots structures already in the store, stops at dispose, and re-snapshots on load', () => {
    const store = new StructureSetStore(g);
    const before = store.add({ name: 'Heart', provenance: AUTO, mask: square() });
    const tracker = new ReviewTracker(store);
    assert.ok(tracker.hasOriginal(before), 'a structure present at construction is snapshotted');
    const restoredAuto = createStructure({ name: 'Lung_L', provenance: AUTO, mask: square() });
    const restoredEdited = createStructure({ name: 'Lung_R', provenance: { ...AUTO, algorithm: 'SEMIAUTOMATIC' }, mask: square() });
    store.load([restoredAuto, restoredEdited]);
    assert.ok(!tracker.hasOriginal(before), 'a load drops the previous set’s originals');
    assert.ok(tracker.hasOriginal(restoredAuto.id));
    assert.ok(!tracker.hasOriginal(restoredEdited.id), 'an already edited structure has no known original');
    assert.equal(tracker.metrics(restoredEdited.id).status, 'edited');
    assert.equal(tracker.metrics(restoredEdited.id).surfaceDice, null);
    tracker.dispose();
    const late = store.add({ name: 'Liver', provenance: AUTO, mask: square() });
    assert.ok(!tracker.hasOriginal(late), 'no snapshots after dispose');
  });

  it('keeps the original across remove and undo', () => {
    const store = new StructureSetStore(g);
    const tracker = new ReviewTracker(store);
    const id = store.add({ name: 'Heart', provenance: AUTO, mask: square() });
    store.editMask(id, 'Brush', addBump);
    store.remove(id);
    store.undo();
    assert.ok(Math.abs(tracker.metrics(id).addedPathLengthMm! - 24) < 1e-9);
    tracker.dispose();
  });
});

describe('structure status', () => {
  it('decides from the record alone as the structure list always did', () => {
    assert.equal(structureStatus({ approved: true, provenance: { algorithm: 'AUTOMATIC' } }), 'approved');
    assert.equal(structureStatus({ approved: false, provenance: { algorithm: 'AUTOMATIC' } }), 'auto');
    assert.equal(structureStatus({ approved: false, provenance: { algorithm: 'SEMIAUTOMATIC' } }), 'edited');
    assert.equal(structureStatus({ approved: false, provenance: { algorithm: 'MANUAL' } }), 'manual');
  });

  it('uses the review evidence: a changed mask is edited, a known unchanged original is auto', () => {
    assert.equal(structureStatus({ approved: false, provenance: { algorithm: 'AUTOMATIC' } }, { original: true, maskEdited: true }), 'edited');
    assert.equal(structureStatus({ approved: false, provenance: { algorithm: 'AUTOMATIC' } }, { original: true, maskEdited: false }), 'auto');
    assert.equal(structureStatus({ approved: true, provenance: { algorithm: 'AUTOMATIC' } }, { original: true, maskEdited: true }), 'approved');
    assert.equal(structureStatus({ approved: false, provenance: { algorithm: 'MANUAL' } }, { original: false, maskEdited: false }), 'manual');
  });
});
