// The geometry decisions of the DICOM loader on synthetic slice stacks whose right answer is known by
// construction: order, orientation groups, duplicates, tilt, gaps, irregular spacing, thickness.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GridTransform, cross, norm, normalize, sub, type Vec3 } from '../../domain/geometry.ts';
import { DicomLoadError } from '../errors.ts';
import { largestConsistentGroup, planStack, type PlannedSlice } from './series-geometry.ts';

const AXIAL = [1, 0, 0, 0, 1, 0];

function stack(positions: Vec3[], orientation: readonly number[] = AXIAL, extra: Partial<PlannedSlice> = {}): PlannedSlice[] {
  return positions.map((position, i) => ({
    file: `f${i}.dcm`,
    sopInstanceUid: `2.25.${i + 1}`,
    position,
    orientation,
    pixelSpacing: [0.8, 0.7] as const,
    rows: 10,
    columns: 12,
    ...extra,
  }));
}

const zs = (values: number[], x = -100, y = -120): Vec3[] => values.map((z) => [x, y, z]);
const codes = (w: readonly { code: string }[]) => w.map((x) => x.code);
const rejects = (f: () => unknown, code: string) => assert.throws(f, (e: unknown) => e instanceof DicomLoadError && e.code === code && !!e.file);

describe('planStack', () => {
  it('orders slices along the normal whatever the input order, with origin at the first and the right spacing', () => {
    const s = stack(zs([9, 0, 6, 3, 12]));
    const plan = planStack(s);
    assert.deepEqual(plan.planes.map((p) => ('slice' in p ? s[p.slice].position[2] : NaN)), [0, 3, 6, 9, 12]);
    assert.deepEqual([...plan.geometry.origin], [-100, -120, 0]);
    // spacing i = column spacing (PixelSpacing[1]), j = row spacing (PixelSpacing[0]).
    assert.deepEqual([...plan.geometry.spacing], [0.7, 0.8, 3]);
    assert.deepEqual([...plan.geometry.dimensions], [12, 10, 5]);
    assert.deepEqual(plan.warnings, []);
  });

  it('follows the normal of the orientation: feet-first or sagittal stacks increase k along row × column', () => {
    // Sagittal: rows along +y (posterior), columns along −z; normal = y × (−z) = −x.
    const sag = [0, 1, 0, 0, 0, -1];
    const s = stack([[10, 0, 0], [4, 0, 0], [7, 0, 0]], sag);
    const plan = planStack(s);
    const t = new GridTransform(plan.geometry);
    assert.deepEqual(t.toPatient([0, 0, 0]), [10, 0, 0]);
    assert.deepEqual(t.toPatient([0, 0, 2]), [4, 0, 0]);
    assert.deepEqual([...plan.geometry.direction.slice(6)], [-1, 0, 0]);
  });

  it('maps every index exactly on an oblique stack', () => {
    const row = normalize([0.9541666, -0.2080757, 0.2151061]);
    const col = normalize([0.2785886, 0.880128, -0.3843997]);
    const n = normalize(cross(row, col));
    const o: Vec3 = [123, -432, 30];
    const positions = [0, 1, 2, 3].map((k) => [o[0] + 4.5 * k * n[0], o[1] + 4.5 * k * n[1], o[2] + 4.5 * k * n[2]] as Vec3).reverse();
    const plan = planStack(stack(positions, [...row, ...col]));
    const t = new GridTransform(plan.geometry);
    const p = t.toPatient([5, 7, 2]);
    const expected: Vec3 = [0, 1, 2].map((a) => o[a] + 5 * 0.7 * row[a] + 7 * 0.8 * col[a] + 2 * 4.5 * n[a]) as unknown as Vec3;
    assert.ok(norm(sub(p, expected)) < 1e-9);
    assert.equal(plan.tiltDegrees, 0);
  });

  it('drops a repeated instance with a warning but refuses two images at one position', () => {
    const s = stack(zs([0, 3, 6]));
    const repeated = [...s, { ...s[1], file: 'copy.dcm' }];
    const plan = planStack(repeated);
    assert.equal(plan.planes.length, 3);
    assert.deepEqual(codes(plan.warnings), ['duplicate-instance']);
    rejects(() => planStack([...s, { ...s[1], file: 'phase2.dcm', sopInstanceUid: '2.25.99' }]), 'duplicate-slice-position');
  });

  it('gantry tilt: a sheared k axis that reproduces each slice position, and a warning with the angle', () => {
    const tilt = (15 * Math.PI) / 180;
    const s = stack([0, 1, 2, 3, 4].map((k) => [-100, -120 - 2.5 * k * Math.tan(tilt), 2.5 * k] as Vec3));
    const plan = planStack(s);
    assert.deepEqual(codes(plan.warnings), ['gantry-tilt']);
    assert.ok(Math.abs(plan.tiltDegrees - 15) < 1e-9);
    const t = new GridTransform(plan.geometry);
    s.forEach((sl, k) => assert.ok(norm(sub(t.toPatient([0, 0, k]), sl.position)) < 1e-9));
    assert.ok(Math.abs(plan.geometry.spacing[2] - 2.5 / Math.cos(tilt)) < 1e-9);
  });

  it('refuses a slice off the stacking line', () => {
    const s = stack(zs([0, 3, 6, 9]));
    const moved = s.map((x, i) => (i === 2 ? { ...x, position: [x.position[0] + 2, x.position[1], x.position[2]] as Vec3 } : x));
    rejects(() => planStack(moved), 'inconsistent-geometry');
  });

  it('accepts position rounding noise as uniform spacing', () => {
    const plan = planStack(stack(zs([0, 2.9999, 6.0002, 8.9998, 12])));
    assert.deepEqual(plan.interpolatedPlanes, []);
    assert.ok(Math.abs(plan.geometry.spacing[2] - 3) < 1e-9);
  });

  it('missing slices: a uniform grid at the pitch, interpolated planes listed, files around the gap named', () => {
    const s = stack(zs([0, 3, 12, 15]));
    const plan = planStack(s);
    assert.equal(plan.planes.length, 6);
    assert.deepEqual(plan.interpolatedPlanes, [2, 3]);
    const p2 = plan.planes[2];
    assert.ok('between' in p2 && Math.abs(p2.weight - 1 / 3) < 1e-9);
    assert.deepEqual(codes(plan.warnings), ['missing-slices']);
    assert.match(plan.warnings[0].message, /2 slice\(s\) missing between f1\.dcm .* and f2\.dcm/);
    rejects(() => planStack(s, { irregularSpacing: 'reject' }), 'missing-slices');
  });

  it('refuses a gap wider than maxGapPitches', () => {
    rejects(() => planStack(stack(zs([0, 3, 6, 30, 33]))), 'missing-slices');
    assert.equal(planStack(stack(zs([0, 3, 6, 30, 33])), { maxGapPitches: 10 }).planes.length, 12);
  });

  it('non-uniform spacing: resampled at the smallest pitch with a warning, or refused on request', () => {
    const s = stack(zs([0, 2, 4, 9, 14]));
    const plan = planStack(s);
    assert.ok(codes(plan.warnings).includes('non-uniform-spacing'));
    assert.equal(plan.planes.length, 8); // 14 / 2 + 1
    assert.ok(Math.abs(plan.geometry.spacing[2] - 2) < 1e-9);
    // z = 6 lies between 4 and 9: weight 0.4.
    const p3 = plan.planes[3];
    assert.ok('between' in p3 && Math.abs(p3.weight - 0.4) < 1e-9);
    rejects(() => planStack(s, { irregularSpacing: 'reject' }), 'non-uniform-spacing');
  });

  it('notes a slice thickness that differs from the pitch, and uses the pitch', () => {
    const plan = planStack(stack(zs([0, 2, 4]), AXIAL, { sliceThickness: 3 }));
    assert.deepEqual(codes(plan.warnings), ['thickness-differs-from-spacing']);
    assert.ok(Math.abs(plan.geometry.spacing[2] - 2) < 1e-9);
  });

  it('a single slice uses SliceThickness as its depth', () => {
    const plan = planStack(stack(zs([5]), AXIAL, { sliceThickness: 2.5 }));
    assert.deepEqual([...plan.geometry.dimensions], [12, 10, 1]);
    assert.equal(plan.geometry.spacing[2], 2.5);
  });
});

describe('largestConsistentGroup', () => {
  it('keeps the majority grid and reports the others by kind', () => {
    const axial = stack(zs([0, 3, 6, 9]));
    const rotated = { ...axial[0], file: 'sag.dcm', orientation: [0, 1, 0, 0, 0, -1] };
    const small = { ...axial[0], file: 'small.dcm', rows: 5 };
    const g = largestConsistentGroup([...axial, rotated, small]);
    assert.deepEqual(g.kept, [0, 1, 2, 3]);
    assert.deepEqual(codes(g.warnings).sort(), ['mixed-orientation', 'mixed-size']);
  });

  it('refuses a tie', () => {
    const a = stack(zs([0, 3]));
    const b = stack(zs([0, 3]), [0, 1, 0, 0, 0, -1]).map((s) => ({ ...s, file: `b-${s.file}` }));
    assert.throws(() => largestConsistentGroup([...a, ...b]), (e: unknown) => e instanceof DicomLoadError && e.code === 'mixed-orientation');
  });
});
