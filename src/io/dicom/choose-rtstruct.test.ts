import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRtstruct, type RtstructCandidate } from './choose-rtstruct.ts';

const CT = { frameOfReferenceUid: '1.2.3.FOR', seriesInstanceUid: '1.2.3.CT' };
const rs = (file: string, more: Partial<RtstructCandidate> = {}): RtstructCandidate => ({ file, ...more });

describe('chooseRtstruct', () => {
  it('none found: nothing chosen, and it says so', () => {
    const r = chooseRtstruct([], CT);
    assert.equal(r.chosen, null);
    assert.match(r.reason, /No RT Structure Set was found/);
    assert.deepEqual(r.skipped, []);
  });

  it('one on this frame of reference (a loader summary with one UID) is chosen', () => {
    const only = rs('rs.dcm', { frameOfReferenceUid: '1.2.3.FOR', label: 'Plan' });
    const r = chooseRtstruct([only], CT);
    assert.equal(r.chosen, only);
    assert.match(r.reason, /rs\.dcm \(Plan\) was loaded: it is on this CT's Frame of Reference/);
  });

  it('prefers the one that references the CT series over a newer one merely on its frame of reference', () => {
    const series = rs('b.dcm', { frameOfReferenceUids: ['1.2.3.FOR'], referencedSeriesUids: ['1.2.3.CT'], date: '20200101' });
    const frame = rs('a.dcm', { frameOfReferenceUids: ['1.2.3.FOR'], referencedSeriesUids: ['1.2.3.MR'], date: '20240101' });
    const r = chooseRtstruct([frame, series], CT);
    assert.equal(r.chosen, series);
    assert.match(r.reason, /b\.dcm was loaded: it was drawn on this CT series/);
    assert.deepEqual(r.skipped.map((s) => s.file), ['a.dcm']);
    assert.match(r.skipped[0].reason, /drawn on another series/);
  });

  it('several matching: the newest by StructureSetDate/Time, whatever the order given', () => {
    const old = rs('z.dcm', { frameOfReferenceUids: ['1.2.3.FOR'], date: '20230105', time: '235959' });
    const newer = rs('y.dcm', { frameOfReferenceUids: ['1.2.3.FOR'], date: '20230106', time: '080000.5' });
    const undated = rs('a.dcm', { frameOfReferenceUids: ['1.2.3.FOR'] });
    for (const order of [[old, newer, undated], [undated, newer, old]]) {
      const r = chooseRtstruct(order, CT);
      assert.equal(r.chosen, newer);
      assert.match(r.reason, /2 other structure sets qualify equally; this one is the newest \(2023-01-06 08:00\)/);
      assert.deepEqual(r.skipped.map((s) => s.file).sort(), ['a.dcm', 'z.dcm']);
    }
  });

  it('several matching without dates (or with the same date): the first by file name', () => {
    const r = chooseRtstruct([rs('rs2.dcm', { frameOfReferenceUid: '1.2.3.FOR' }), rs('rs1.dcm', { frameOfReferenceUid: '1.2.3.FOR' })], CT);
    assert.equal(r.chosen?.file, 'rs1.dcm');
    assert.match(r.reason, /none states its date, so the first by file name was taken/);
    const same = chooseRtstruct([rs('b', { frameOfReferenceUid: '1.2.3.FOR', date: '20230101' }), rs('a', { frameOfReferenceUid: '1.2.3.FOR', date: '20230101' })], CT);
    assert.equal(same.chosen?.file, 'a');
    assert.match(same.reason, /same date \(2023-01-01 00:00\), so the first by file name/);
  });

  it('all on another frame of reference: nothing chosen, the reason names every UID', () => {
    const r = chooseRtstruct([rs('x.dcm', { frameOfReferenceUids: ['9.9.1'] }), rs('y.dcm', { frameOfReferenceUid: '9.9.2' })], CT);
    assert.equal(r.chosen, null);
    assert.match(r.reason, /2 RT Structure Sets were found, but none belongs to this CT: 2 are on another Frame of Reference \(x\.dcm: 9\.9\.1; y\.dcm: 9\.9\.2\) than this CT \(1\.2\.3\.FOR\)/);
    assert.match(r.reason, /load the CT they were drawn on/);
    assert.deepEqual(r.skipped.map((s) => s.file), ['x.dcm', 'y.dcm']);
    assert.match(r.skipped[0].reason, /another Frame of Reference \(9\.9\.1\), not this CT's \(1\.2\.3\.FOR\)/);
  });

  it('one without any frame of reference is skipped, not guessed onto this CT', () => {
    const r = chooseRtstruct([rs('nofor.dcm')], CT);
    assert.equal(r.chosen, null);
    assert.match(r.reason, /1 RT Structure Set was found, but none belongs to this CT: 1 states no Frame of Reference/);
    assert.match(r.skipped[0].reason, /states no Frame of Reference/);
  });

  it('a CT without a frame of reference still takes one that references its series, and says why others were skipped', () => {
    const r = chooseRtstruct([rs('a.dcm', { frameOfReferenceUids: ['7.7'], referencedSeriesUids: ['1.2.3.CT'] }), rs('b.dcm', { frameOfReferenceUids: ['8.8'] })], { seriesInstanceUid: '1.2.3.CT' });
    assert.equal(r.chosen?.file, 'a.dcm');
    assert.match(r.skipped[0].reason, /Frame of Reference 8\.8 and the CT states none/);
  });
});
