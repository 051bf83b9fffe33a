// Whether a series is a whole scan: the pure rule, and the loader's warning on the real NSCLC CT with files removed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDicomDirectory } from '../load-node.ts';
import { parseDicomFile } from './dicom-meta.ts';
import type { DicomVolumeResult } from './series-loader.ts';
import { seriesCompleteness } from './series-completeness.ts';

const NSCLC = join(import.meta.dirname, '../../../../shared/data/nsclc-lung1-001/dicom');
const scratch = mkdtempSync(join(tmpdir(), 'delineo-completeness-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('seriesCompleteness', () => {
  const grid = (nz: number, dz = 3) => ({ dimensions: [512, 512, nz], spacing: [0.98, 0.98, dz] });
  it('a whole scan is complete', () => {
    assert.deepEqual(seriesCompleteness({ ...grid(100), instanceNumbers: [...Array(100).keys()].map((i) => i + 1), slicePositionsMm: [...Array(100).keys()].map((i) => -300 + 3 * i) }), { complete: true });
  });
  it('one slice is not a scan', () => {
    const r = seriesCompleteness(grid(1));
    assert.equal(r.complete, false);
    assert.match(r.reason!, /single slice/);
  });
  it('gaps in the instance numbers', () => {
    const r = seriesCompleteness({ ...grid(50), instanceNumbers: [...Array(50).keys()].map((i) => (i < 25 ? i + 1 : i + 11)) });
    assert.equal(r.complete, false);
    assert.match(r.reason!, /instance numbers run from 1 to 60 but only 50 images are present \(10 missing\)/);
  });
  it('a gap between slice positions over 1.5 times the usual spacing', () => {
    const positions = [...Array(40).keys()].map((i) => 3 * i + (i >= 20 ? 6 : 0));
    const r = seriesCompleteness({ ...grid(42), slicePositionsMm: positions });
    assert.match(r.reason!, /a 9 mm gap between slices 3 mm apart/);
    assert.equal(seriesCompleteness({ ...grid(40), slicePositionsMm: [...Array(40).keys()].map((i) => 3 * i + (i >= 20 ? 1.4 : 0)) }).complete, true, '4.4 mm < 1.5 × 3 mm');
  });
  it('interpolated planes count as missing slices', () => {
    assert.match(seriesCompleteness({ ...grid(40), interpolatedSlices: [7, 8] }).reason!, /2 slice\(s\) had no image/);
  });
  it('less than 2 cm of scan', () => {
    const r = seriesCompleteness(grid(6, 3));
    assert.equal(r.complete, false);
    assert.match(r.reason!, /covers only 18 mm along the slices \(6 slices\)/);
    assert.equal(seriesCompleteness(grid(7, 3)).complete, true);
  });
});

describe('the loader warns about an incomplete series (NSCLC CT, some files copied to a temp folder)', () => {
  /** The CT slice files of the NSCLC study, in InstanceNumber order. */
  const ctFiles = (): string[] =>
    readdirSync(NSCLC)
      .filter((f) => f.endsWith('.dcm'))
      .map((f) => ({ f, i: parseDicomFile({ name: f, bytes: new Uint8Array(readFileSync(join(NSCLC, f))) }) }))
      .filter(({ i }) => i.modality === 'CT')
      .sort((a, b) => (a.i.instanceNumber ?? 0) - (b.i.instanceNumber ?? 0))
      .map(({ f }) => f);
  let all: string[];
  before(() => {
    all = ctFiles();
  });
  async function loadCopy(name: string, files: string[]): Promise<DicomVolumeResult> {
    const dir = join(scratch, name);
    mkdirSync(dir, { recursive: true });
    for (const f of files) copyFileSync(join(NSCLC, f), join(dir, f));
    return (await loadDicomDirectory(dir)) as DicomVolumeResult;
  }
  const incomplete = (r: DicomVolumeResult) => r.warnings.filter((w) => w.code === 'incomplete-series');

  it('the whole series: no such warning', async () => {
    assert.equal(all.length, 134);
    const r = (await loadDicomDirectory(NSCLC)) as DicomVolumeResult;
    assert.deepEqual(incomplete(r), []);
    assert.equal(seriesCompleteness(r.volume).complete, true);
  });

  it('one slice: loaded, with a warning that it is not a scan', async () => {
    const r = await loadCopy('one', [all[60]]);
    assert.deepEqual([...r.volume.dimensions], [512, 512, 1]);
    assert.equal(incomplete(r).length, 1);
    assert.match(incomplete(r)[0].message, /single slice/);
    assert.equal(seriesCompleteness(r.volume).complete, false);
  });

  it('three slices removed from the middle: the numbering and the gap say so', async () => {
    const r = await loadCopy('gap', [...all.slice(0, 60), ...all.slice(63)]);
    assert.equal(incomplete(r).length, 1);
    assert.match(incomplete(r)[0].message, /3 missing/);
    assert.match(incomplete(r)[0].message, /12 mm gap between slices 3 mm apart/);
  });

  it('five slices: under 2 cm of scan', async () => {
    const r = await loadCopy('short', all.slice(60, 65));
    assert.match(incomplete(r)[0].message, /covers only 15 mm along the slices \(5 slices\)/);
  });
});
