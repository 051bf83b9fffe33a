import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IDENTITY, type ImageGeometry } from './geometry.ts';
import { BinaryMask } from './mask.ts';
import { Volume } from './volume.ts';
import { computeDvh, type Dvh } from './dvh.ts';
import { CONSTRAINT_TEMPLATES, ConstraintTemplateError, evaluateConstraints, parseConstraintTemplate, type DoseConstraint } from './dose-constraints.ts';
import { tg263Entry } from './tg263.ts';

const g: ImageGeometry = { dimensions: [20, 20, 10], spacing: [5, 5, 5], origin: [0, 0, 0], direction: IDENTITY };
const all = BinaryMask.fromPredicate(g.dimensions, () => true);
/** A DVH whose voxels get the dose `f(i)` (a ramp along i). */
const dvhOf = (f: (i: number) => number): Dvh => {
  const data = new Float32Array(20 * 20 * 10);
  for (let o = 0; o < data.length; o++) data[o] = f(o % 20);
  return computeDvh(all, g, new Volume({ ...g, data, modality: 'RTDOSE' }));
};

describe('dose constraints', () => {
  it('ships head-and-neck and thorax templates of TG-263 structures, each constraint citing its source', () => {
    assert.deepEqual(CONSTRAINT_TEMPLATES.map((t) => t.id), ['head-neck', 'thorax']);
    for (const t of CONSTRAINT_TEMPLATES) {
      for (const c of t.constraints) {
        assert.ok(tg263Entry(c.structure), `${t.id}: ${c.structure} is a TG-263 name`);
        assert.match(c.source, /QUANTEC|RTOG/);
      }
    }
    const cord = CONSTRAINT_TEMPLATES[0]!.constraints.find((c) => c.structure === 'SpinalCord')!;
    assert.deepEqual([cord.metric, cord.comparator, cord.limit], ['max', '<', 45]);
  });

  it('passes, fails (on a plan built to fail) and says when a constraint cannot be evaluated', () => {
    const thorax = CONSTRAINT_TEMPLATES.find((t) => t.id === 'thorax')!;
    const dvhs: Record<string, Dvh> = {
      SpinalCord: dvhOf((i) => 2 * i + 10), // max 48 Gy < 50: pass
      Heart: dvhOf((i) => 30.5 + i / 10), // mean 31.45 Gy: fails < 26, and V25 = 100 % fails < 10 %
      Lungs: dvhOf((i) => (i < 5 ? 25 : 5)), // V20 = 25 % ≤ 37: pass; mean 10 Gy ≤ 20: pass
    };
    const results = evaluateConstraints(thorax, (c: DoseConstraint) => dvhs[c.structure] ?? null);
    const by = (s: string) => results.filter((r) => r.constraint.structure === s).map((r) => r.status);
    assert.deepEqual(by('SpinalCord'), ['pass']);
    assert.deepEqual(by('Heart'), ['fail', 'fail']);
    assert.deepEqual(by('Lungs'), ['pass', 'pass']);
    assert.deepEqual(by('Esophagus'), ['not-evaluable']);
    const heart = results.find((r) => r.constraint.structure === 'Heart' && r.constraint.metric === 'mean')!;
    assert.match(heart.text, /^Heart Dmean 31\.4 Gy exceeds 26 Gy$/);
    assert.match(results.find((r) => r.constraint.structure === 'Lungs' && r.constraint.metric === 'V')!.text, /^Lungs V20Gy 25\.0 % ≤ 37 %$/);
    assert.match(results.find((r) => r.constraint.structure === 'Esophagus')!.text, /no Esophagus in the structure set/);
  });

  it('rejects a broken template with the problem named', () => {
    assert.throws(() => parseConstraintTemplate({ id: 'x', name: 'x', constraints: [{ structure: 'Heart', metric: 'V', comparator: '<', limit: 10, source: 'QUANTEC' }] }), (e: Error) => e instanceof ConstraintTemplateError && /constraints\[0\] \(V\) needs "at"/.test(e.message));
    assert.throws(() => parseConstraintTemplate({ id: 'x', name: 'x', constraints: [{ structure: 'Heart', metric: 'mean', comparator: '≤', limit: 10, source: 's' }] }), /comparator/);
    assert.throws(() => parseConstraintTemplate([]), /needs an "id"/);
  });
});
