import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generatePhantom } from '../../phantom/phantom.ts';
import { planeToIndex, type SlicePlane } from '../../domain/tools/paint.ts';
import { ViewerSession } from '../viewer-session.ts';
import { TOOLS, toolById, toolForShortcut } from './registry.ts';
import type { SlicePoint, ToolContext } from './tool.ts';

/** Keys the application and the slice view use for other things (README: A . , I ?; view: arrows, zoom, presets, radius). */
const TAKEN_KEYS = ['a', '.', ',', 'i', '?', '[', ']', '+', '=', '-', '_', '0', '1', '2', '3', '4', '5', '6', 'v', 'l'];

describe('the tool registry', () => {
  it('has one descriptor per id, with words for the button, the tooltip and the help', () => {
    const ids = TOOLS.map((t) => t.id);
    assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${ids.join(', ')}`);
    for (const t of TOOLS) {
      assert.match(t.id, /^[a-z][a-z-]*$/, t.id);
      assert.ok(t.label && t.description && t.help, `${t.id} has a label, a description and a help line`);
      assert.ok(t.cursor, `${t.id} has a cursor`);
      assert.equal(toolById(t.id), t);
    }
  });

  it('gives each tool its own single key, none taken by the app or the slice view', () => {
    const keys = TOOLS.flatMap((t) => (t.shortcut ? [t.shortcut] : []));
    assert.equal(new Set(keys).size, keys.length, `duplicate shortcuts in ${keys.join(', ')}`);
    for (const t of TOOLS) {
      if (!t.shortcut) continue;
      assert.match(t.shortcut, /^[a-z]$/, `${t.id}: one lower-case letter`);
      assert.ok(!TAKEN_KEYS.includes(t.shortcut), `${t.id}'s key ${t.shortcut} is the app's or the view's`);
      assert.equal(toolForShortcut(t.shortcut.toUpperCase()), t, 'found by its key in either case');
    }
    assert.equal(toolForShortcut('a'), undefined);
  });

  it('gives every editing tool a handler and an undo label, and every other tool one of the view drags', () => {
    for (const t of TOOLS) {
      if (t.edits) {
        assert.equal(t.pointer.kind, 'handler', `${t.id} edits, so it has a handler`);
        assert.ok(t.undoLabel, `${t.id} names its undo step`);
      } else assert.ok(t.pointer.kind === 'crosshair' || t.pointer.kind === 'window', `${t.id} uses a view drag`);
    }
    assert.equal(TOOLS[0].id, 'navigate', 'the default tool comes first');
  });
});

describe('tool handlers without a DOM', () => {
  const phantom = generatePhantom({ dimensions: [64, 64, 24], spacing: [6, 6, 8] });
  const setup = () => {
    const session = ViewerSession.withStructures(phantom.volume, phantom.structures.map((s) => ({ ...s, mask: s.mask.clone() })));
    const id = session.store.add({ name: 'Drawn', color: [1, 2, 3] });
    session.store.setActive(id);
    const plane: SlicePlane = { axis: 2, index: 12 };
    const events: string[] = [];
    const context: ToolContext = {
      session: () => session,
      plane: () => plane,
      cssToDevice: () => 1,
      toDisplay: (u, v) => [u * 4, v * 4],
      requestDraw: () => {},
      refuse: (e) => events.push(`refused: ${(e as Error).message}`),
      nothing: (_id, message) => events.push(`nothing: ${message}`),
      committed: (_id, label) => events.push(`committed: ${label}`),
    };
    const at = (u: number, v: number): SlicePoint => {
      const index = planeToIndex(plane, u, v);
      return { display: [u * 4, v * 4], u, v, index, patient: session.volume.indexToPatient(index) };
    };
    return { session, id, context, events, at };
  };
  const handler = (id: string, context: ToolContext) => {
    const t = toolById(id)!;
    assert.equal(t.pointer.kind, 'handler');
    return t.pointer.kind === 'handler' ? t.pointer.create(context) : null!;
  };

  it('a brush stroke is one undo step named by the descriptor, and Escape-style cancel rolls it back', () => {
    const { session, id, context, events, at } = setup();
    const brush = handler('brush', context);
    assert.equal(brush.down(at(30, 30)), true, 'the brush takes the drag');
    brush.move!(at(36, 30));
    brush.up!(null);
    assert.ok(session.store.mask(id).count() > 0);
    assert.equal(session.store.state.undoLabel, toolById('brush')!.undoLabel);
    assert.deepEqual(events, ['committed: Brush']);
    const before = session.store.mask(id).count();
    const eraser = handler('eraser', context);
    eraser.down(at(30, 30));
    assert.ok(session.store.mask(id).count() < before, 'erasing while dragging');
    assert.equal(eraser.cancel(), true);
    assert.equal(session.store.mask(id).count(), before, 'cancel restores the mask');
  });

  it('a polygon closes on its first vertex and is filled as one step', () => {
    const { session, id, context, events, at } = setup();
    const polygon = handler('polygon', context);
    for (const [u, v] of [[20, 20], [40, 20], [40, 40], [20, 40]]) polygon.down(at(u, v));
    assert.equal(polygon.vertices!.length, 4);
    polygon.down(at(20.5, 20.5));
    assert.equal(polygon.vertices!.length, 0);
    assert.ok(session.store.mask(id).count() >= 19 * 19);
    assert.deepEqual(events, ['committed: Polygon']);
  });

  it('refuses on an approved structure with the store sentence, before any vertex is placed', () => {
    const { session, id, context, events, at } = setup();
    session.store.approve(id);
    const polygon = handler('polygon', context);
    polygon.down(at(20, 20));
    assert.equal(polygon.vertices!.length, 0);
    assert.deepEqual(events, ['refused: Drawn is approved: withdraw approval before you edit it']);
  });
});
