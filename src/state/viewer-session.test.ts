import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EditRefusedError, StructureSetStore, generatePhantom } from '../index.ts';
import { DEFAULT_TOOL_SETTINGS, ViewerSession } from './viewer-session.ts';

const phantom = generatePhantom({ dimensions: [96, 96, 40], spacing: [5.2, 5.2, 7] });
const fresh = () => ViewerSession.withStructures(phantom.volume, phantom.structures.map((s) => ({ ...s, mask: s.mask.clone() })));

describe('ViewerSession', () => {
  it('starts on the volume centre, the soft-tissue window (or the series window) and the navigate tool', () => {
    const s = fresh();
    const c = s.volume.patientToIndex(s.crosshair.position);
    assert.deepEqual(c.map((x) => Math.round(x * 1e6) / 1e6), [47, 47, 19]);
    assert.deepEqual(s.windowLevel, { window: 400, level: 40 });
    assert.deepEqual(s.tool, DEFAULT_TOOL_SETTINGS);
    assert.equal(s.store.state.structures.length, 7);
  });

  it('refuses a structure set on another grid', () => {
    assert.throws(() => new ViewerSession(phantom.volume, new StructureSetStore({ ...phantom.volume.geometry, dimensions: [10, 10, 10] })), /grid/);
  });

  it('clamps and orders tool settings', () => {
    const s = fresh();
    s.setTool({ radiusMm: 500, huMin: 300, huMax: -100, toleranceHu: -5 });
    assert.equal(s.tool.radiusMm, 50);
    assert.deepEqual([s.tool.huMin, s.tool.huMax], [-100, 300]);
    assert.equal(s.tool.toleranceHu, 0);
    s.setTool({ radiusMm: Number.NaN });
    assert.equal(s.tool.radiusMm, 0.5);
  });

  it('validates the window and the crosshair', () => {
    const s = fresh();
    assert.throws(() => s.setWindowLevel({ window: 0, level: 0 }), RangeError);
    assert.throws(() => s.setCrosshair([0, Number.NaN, 0]), RangeError);
    const seen: string[] = [];
    const sub = s.crosshair$.subscribe((c) => seen.push(c.source));
    s.setCrosshair([1, 2, 3], 'user');
    sub.unsubscribe();
    assert.deepEqual(seen, ['program', 'user']);
  });

  it('says why the active structure cannot be edited', () => {
    const s = fresh();
    s.store.setActive(null);
    assert.throws(() => s.editableActiveId(), (e: unknown) => e instanceof EditRefusedError && e.message === 'Select a structure to edit first');
    const gtv = s.store.state.structures.find((r) => r.name === 'GTV')!.id;
    s.store.setActive(gtv);
    assert.equal(s.editableActiveId(), gtv);
    s.store.update(gtv, { locked: true });
    assert.throws(() => s.editableActiveId(), /GTV is locked/);
    s.store.update(gtv, { locked: false });
    s.store.approve(gtv);
    assert.throws(() => s.editableActiveId(), /GTV is approved/);
  });

  it('grows a preview from a seed, re-grows it when the tolerance changes, and commits it as one undo step', () => {
    const s = fresh();
    const id = s.store.add({ name: 'Grown', color: [1, 2, 3] });
    s.setTool({ tool: 'region-grow', toleranceHu: 100, growRadiusMm: 40 });
    const seed = s.volume.patientToIndex(phantom.anatomy.gtvCenter).map(Math.round) as [number, number, number];
    const p = s.startRegionGrow(seed, { axis: 2, index: seed[2] });
    assert.ok(p.voxels > 10);
    s.setTool({ toleranceHu: 5 });
    assert.ok(s.preview!.version > p.version, 're-grown');
    s.setTool({ toleranceHu: 100 });
    const voxels = s.preview!.voxels;
    assert.equal(s.commitPreview('Region grow'), true);
    assert.equal(s.preview, null);
    assert.equal(s.store.mask(id).count(), voxels);
    assert.equal(s.store.state.undoLabel, 'Region grow');
    s.undo();
    assert.equal(s.store.mask(id).count(), 0);
    // Switching tools discards a preview that was never committed.
    s.startRegionGrow(seed, { axis: 2, index: seed[2] });
    s.setTool({ tool: 'brush' });
    assert.equal(s.preview, null);
  });
});
