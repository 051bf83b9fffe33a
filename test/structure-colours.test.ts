// Every colour Delineo gives a structure must stay visible as an outline on any grey a CT window shows,
// bone (white at a soft-tissue window) included: a clinician walking through a head-and-neck case could not
// see the mandible's former cream on bone. Greys have no chroma, so a colour is visible on all of them when its
// channels spread widely; the outline's dark halo (src/render/slice-overlay.ts) covers the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DISTINCT_COLORS, PHANTOM_STRUCTURES, TG263, type Rgb } from '../src/index.ts';

const MIN_CHROMA = 100;
const chroma = (c: Rgb): number => Math.max(...c) - Math.min(...c);

function shippedModelColours(): { name: string; color: Rgb }[] {
  const out: { name: string; color: Rgb }[] = [];
  for (const id of readdirSync('models')) {
    const path = join('models', id, 'manifest.json');
    if (!existsSync(path)) continue;
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { kind: string; labels: { name: string; color: Rgb }[] };
    if (manifest.kind === 'dose') continue; // a dose model draws no structures
    for (const l of manifest.labels) out.push({ name: `${id}: ${l.name}`, color: l.color });
  }
  return out;
}

test('every structure colour (TG-263 table, fallback palette, shipped models, phantom) is saturated enough to show on any CT grey', () => {
  const all = [
    ...TG263.map((e) => ({ name: `TG-263 ${e.name}`, color: e.color })),
    ...DISTINCT_COLORS.map((color, i) => ({ name: `DISTINCT_COLORS[${i}]`, color })),
    ...shippedModelColours(),
    ...PHANTOM_STRUCTURES.map((s) => ({ name: `phantom ${s.name}`, color: s.color })),
  ];
  assert.ok(all.length > 40);
  const faint = all.filter((e) => chroma(e.color) < MIN_CHROMA).map((e) => `${e.name} [${e.color.join(', ')}]`);
  assert.deepEqual(faint, []);
});

test('a model names each structure with the colour of its TG-263 entry, so one organ looks the same whichever tool drew it', () => {
  const byName = new Map(TG263.map((e) => [e.name, e.color]));
  for (const { name, color } of shippedModelColours()) {
    const organ = name.split(': ')[1]!;
    const standard = byName.get(organ);
    if (standard) assert.deepEqual(color, standard, name);
  }
});
