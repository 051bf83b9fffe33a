import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TOOLS, type ToolDescriptor } from '../../src/index.ts';
import { SHORTCUTS, shortcutsFor } from './shortcuts.ts';

describe('the shortcut help', () => {
  it('lists every tool key of the registry with the tool’s help line', () => {
    for (const t of TOOLS.filter((t) => t.shortcut)) {
      assert.ok(SHORTCUTS.some((s) => s.keys === t.shortcut!.toUpperCase() && s.action === t.help && s.scope === 'App'), t.id);
    }
  });

  it('never lists one single key twice in one scope', () => {
    for (const scope of ['App', 'Slice view', 'Structure list'] as const) {
      const singles = SHORTCUTS.filter((s) => s.scope === scope && s.keys.length === 1).map((s) => s.keys);
      assert.equal(new Set(singles).size, singles.length, `${scope}: ${singles.join(' ')}`);
    }
  });

  it('shows a tool added to the registry: one descriptor is enough', () => {
    const ruler: ToolDescriptor = {
      id: 'ruler',
      label: 'Ruler',
      description: 'Drag to measure a distance',
      help: 'Measure a distance',
      shortcut: 'r',
      cursor: 'crosshair',
      edits: false,
      settings: [],
      pointer: { kind: 'crosshair' },
    };
    const lines = shortcutsFor([...TOOLS, ruler]);
    assert.equal(lines.length, SHORTCUTS.length + 1);
    assert.deepEqual(
      lines.find((s) => s.keys === 'R'),
      { keys: 'R', action: 'Measure a distance', scope: 'App' },
    );
  });
});
