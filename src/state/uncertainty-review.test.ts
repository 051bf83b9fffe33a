import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryMask, Volume, structureUncertainty, type UncertaintyMap, type Vec3 } from '../domain/index.ts';
import { contourLengthPerSlice, spearman, sumPerSlice, topSliceCapture } from '../inference/uncertainty-metrics.ts';
import { nextUncertainSlice } from './review-nav.ts';
import { ViewerSession } from './viewer-session.ts';

const DIMS: Vec3 = [20, 20, 10];
const AUTO = { algorithm: 'AUTOMATIC', source: 'hn-oar', version: '0.3.1' } as const;

/** A box mask [i0, i1) × [j0, j1) × [k0, k1). */
function box(i0: number, i1: number, j0: number, j1: number, k0: number, k1: number): BinaryMask {
  const m = new BinaryMask(DIMS);
  for (let k = k0; k < k1; k++) for (let j = j0; j < j1; j++) for (let i = i0; i < i1; i++) m.set(i, j, k, true);
  return m;
}

/** A map with `value` on the given voxels ([i, j, k, value]) and 0 elsewhere. */
function mapWith(voxels: readonly [number, number, number, number][]): UncertaintyMap {
  const data = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
  for (const [i, j, k, v] of voxels) data[i + DIMS[0] * (j + DIMS[1] * k)] = v;
  return { data, dimensions: DIMS, measure: 'entropy' };
}

function session(): ViewerSession {
  const volume = new Volume({ dimensions: DIMS, spacing: [2, 2, 3], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Int16Array(DIMS[0] * DIMS[1] * DIMS[2]).fill(-1000), modality: 'CT' });
  return new ViewerSession(volume);
}

describe('structureUncertainty', () => {
  it('averages over the structure dilated by one voxel and ranks its slices by summed uncertainty', () => {
    const mask = box(5, 8, 5, 8, 3, 6); // 27 voxels; dilated: 27 + 4·3·3 in-plane sides + 2·9 caps = 81
    // Just outside the edge (counts), two voxels away (does not), and inside on slice 5.
    const map = mapWith([[8, 6, 4, 255], [10, 6, 4, 255], [6, 6, 5, 102], [6, 6, 2, 51]]);
    const s = structureUncertainty(map, mask);
    assert.equal(s.voxels, 81);
    assert.ok(Math.abs(s.attention - (1 + 0.4 + 0.2) / 81) < 1e-9, `attention ${s.attention}`);
    assert.deepEqual(s.slices.map((x) => x.slice), [4, 5, 2]);
    assert.ok(Math.abs(s.slices[0].sum - 1) < 1e-9);
    assert.deepEqual(structureUncertainty(map, new BinaryMask(DIMS)), { attention: 0, voxels: 0, slices: [] });
  });
});

describe('UncertaintyReview', () => {
  it('gives AUTO structures of a run an attention score, sorts by it and flags the doubtful one', () => {
    const s = session();
    const [sure, doubtful] = s.store.addMany(
      [
        { name: 'Parotid_L', provenance: AUTO, mask: box(2, 6, 2, 6, 2, 5) },
        { name: 'Larynx', provenance: AUTO, mask: box(12, 16, 12, 16, 5, 8) },
      ],
      'Auto-contour',
    );
    const drawn = s.store.add({ name: 'GTV', provenance: { algorithm: 'MANUAL' }, mask: box(8, 10, 8, 10, 1, 3) });
    const voxels: [number, number, number, number][] = [[3, 3, 3, 20]];
    for (let k = 5; k < 8; k++) for (let j = 12; j < 16; j++) for (let i = 12; i < 16; i++) voxels.push([i, j, k, k === 6 ? 250 : 120]);
    s.uncertainty.attach(mapWith(voxels), [sure, doubtful], 0.2);
    assert.equal(s.uncertainty.attention(drawn), null, 'a drawn structure has no map');
    assert.ok(s.uncertainty.attention(doubtful)! > 0.2 && s.uncertainty.attention(sure)! < 0.01);
    assert.deepEqual(s.uncertainty.sortByAttention(s.store.state.structures).map((r) => r.name), ['Larynx', 'Parotid_L', 'GTV']);
    const flags = s.uncertainty.flags();
    assert.deepEqual(flags.map((f) => [f.structureName, f.slice]), [['Larynx', 6]]);
    assert.match(flags[0].message, /Larynx: the model is uncertain/);
    // An edit recomputes the summary on the new mask: removing the doubtful part lowers the score.
    s.store.replaceMask(doubtful, 'Erase', box(12, 16, 12, 16, 9, 10));
    assert.ok(s.uncertainty.attention(doubtful)! < 0.2);
    assert.deepEqual(s.uncertainty.flags(), []);
    s.store.remove(doubtful);
    assert.equal(s.uncertainty.map(doubtful), null);
  });

  it('"next uncertain slice" goes to the top-ranked slice, then down the ranking, wrapping', () => {
    const s = session();
    const [id] = s.store.addMany([{ name: 'Brainstem', provenance: AUTO, mask: box(4, 10, 4, 10, 1, 8) }], 'Auto-contour');
    s.uncertainty.attach(mapWith([[9, 9, 6, 200], [5, 5, 2, 90], [4, 4, 4, 30]]), [id]);
    const visited = [nextUncertainSlice(s, id), nextUncertainSlice(s, id), nextUncertainSlice(s, id), nextUncertainSlice(s, id)];
    assert.deepEqual(visited, [6, 2, 4, 6]);
    const at = s.volume.patientToIndex(s.crosshair.position);
    assert.deepEqual(at.map((v) => Math.round(v)), [9, 9, 6], 'the crosshair lands where the model doubts');
    const [rules] = s.store.addMany([{ name: 'External', provenance: { algorithm: 'AUTOMATIC', source: 'ct-external-lungs-bones' }, mask: box(0, 20, 0, 20, 0, 10) }], 'Rules');
    assert.equal(nextUncertainSlice(s, rules), null);
  });

  it('refuses a map on another grid', () => {
    const s = session();
    assert.throws(() => s.uncertainty.attach({ data: new Uint8Array(8), dimensions: [2, 2, 2], measure: 'entropy' }, []), /not the CT's/);
  });
});

describe('uncertainty metrics', () => {
  it('measures the share of errors on the top-ranked slices, contour lengths and rank correlation', () => {
    const errors = [0, 10, 0, 30, 60];
    assert.equal(topSliceCapture([0, 1, 2, 3, 4], [5, 1, 0, 2, 9], errors, 0.2), 0.6);
    assert.equal(topSliceCapture([0, 1, 2, 3, 4], [5, 1, 0, 2, 9], errors, 0.4), 0.6);
    assert.equal(topSliceCapture([1, 3], [0, 1, 0, 2, 0], errors, 0.5), 0.75);
    assert.ok(Number.isNaN(topSliceCapture([0, 2], [1, 1, 1], errors, 0.5)));
    const m = box(5, 8, 5, 9, 2, 3).toDense();
    const len = contourLengthPerSlice(m, DIMS, [2, 3, 1]);
    assert.equal(len[2], 2 * 4 * 3 + 2 * 3 * 2);
    assert.equal(len[3], 0);
    assert.deepEqual([...sumPerSlice(m, DIMS)].slice(1, 4), [0, 12, 0]);
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 3, 2, 4]) - 0.9486832980505138) < 1e-12);
  });
});
