import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { DicomLoadError } from '../errors.ts';
import { parseDicomFile } from './dicom-meta.ts';
import { items, nums, readDataset, str, strs, text, wrapRawDataset } from './dataset.ts';
import { parseRtstruct } from './rtstruct-reader.ts';

const DATA = join(import.meta.dirname, '../../../../shared/data');

/** The data set of a Part-10 file without its preamble, DICM marker and file meta: a raw data set. */
function rawDataSet(part10: Uint8Array): Uint8Array {
  const view = new DataView(part10.buffer, part10.byteOffset);
  const metaLength = view.getUint32(132 + 8, true);
  return part10.slice(132 + 12 + metaLength);
}

describe('the one DICOM dataset reader', () => {
  it('reads raw data sets for every object type: an RTSTRUCT (pydicom writes them so) and a CT slice', () => {
    const rs = readFileSync(join(DATA, 'pydicom-rt/rtstruct.dcm'));
    assert.ok(parseRtstruct(rs, 'rtstruct.dcm').rois.length > 0);
    const ct = readFileSync(join(DATA, 'nsclc-lung1-001/dicom/3.dcm'));
    const raw = rawDataSet(new Uint8Array(ct));
    const instance = parseDicomFile({ name: 'raw.dcm', bytes: raw });
    assert.equal(instance.modality, 'CT');
    assert.equal(instance.pixelData?.byteLength, 512 * 512 * 2);
  });

  it('accepts the first groups real raw files start with, and refuses bytes that only look like them', () => {
    const el = (group: number, element: number, vr = 'UI') => Uint8Array.from([group & 0xff, group >> 8, element & 0xff, element >> 8, vr.charCodeAt(0), vr.charCodeAt(1), 2, 0, 0x31, 0]);
    for (const g of [0x0000, 0x0002, 0x0005, 0x0008]) assert.ok(wrapRawDataset(el(g, 0x0016)), `group ${g.toString(16)}`);
    assert.equal(wrapRawDataset(el(0x0008, 0x1234)), undefined, 'a large element number is not a data set start');
    assert.equal(wrapRawDataset(el(0x0010, 0x0010)), undefined);
    // Explicit VR when bytes 4–5 spell a VR, padded UID value of even length.
    const explicit = wrapRawDataset(el(0x0008, 0x0016))!;
    const implicit = wrapRawDataset(Uint8Array.from([0x08, 0, 0x16, 0, 2, 0, 0, 0, 0x31, 0]))!;
    const tsOf = (b: Uint8Array) => str(readDataset(b, 'x.dcm').meta, '00020010');
    assert.equal(tsOf(explicit), '1.2.840.10008.1.2.1');
    assert.equal(tsOf(implicit), '1.2.840.10008.1.2');
  });

  it('names the file and the problem for empty, non-DICOM and truncated input', () => {
    assert.throws(() => readDataset(new Uint8Array(0), 'empty.dcm'), (e: Error) => e instanceof DicomLoadError && e.code === 'not-dicom' && e.message.startsWith('empty.dcm: '));
    assert.throws(() => readDataset(new TextEncoder().encode('hello, not dicom at all'), 'note.txt'), (e: Error) => e instanceof DicomLoadError && e.code === 'not-dicom');
    const rs = new Uint8Array(readFileSync(join(DATA, 'pydicom-rt/rtplan.dcm')));
    assert.throws(() => readDataset(rs.subarray(0, Math.floor(rs.length / 2)), 'half.dcm'), (e: Error) => e instanceof DicomLoadError && (e.code === 'truncated' || e.code === 'corrupt'));
  });

  it('reads element values: first value, text with backslashes, numbers, sequences, person names', () => {
    const ds = {
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^John' }] },
      '30060026': { vr: 'LO', Value: ['Lung', 'L '] },
      '00280030': { vr: 'DS', Value: ['0.97', 0.97, ''] },
      '30060020': { vr: 'SQ', Value: [{}, null] },
    } as unknown as Parameters<typeof str>[0];
    assert.equal(str(ds, '00100010'), 'Doe^John');
    assert.equal(text(ds, '30060026'), 'Lung\\L');
    assert.deepEqual(strs(ds, '30060026'), ['Lung', 'L']);
    assert.deepEqual(nums(ds, '00280030').slice(0, 2), [0.97, 0.97]);
    assert.ok(Number.isNaN(nums(ds, '00280030')[2]));
    assert.equal(items(ds, '30060020').length, 1);
    assert.equal(str(ds, '7FE00010'), '');
  });

  it('drops only the ambiguous-VR messages of dcmjs’s validation log, so real ones stand out', () => {
    const logged: unknown[][] = [];
    const original = console.error;
    const logger = dcmjs.log.getLogger('validation.dcmjs');
    console.error = (...args: unknown[]) => logged.push(args);
    // loglevel binds console methods when the level is set: rebind them to the spy.
    logger.setLevel(logger.getLevel(), false);
    try {
      // The NSCLC structure set is implicit VR and has elements of dictionary VR "xs" and "ox".
      parseRtstruct(readFileSync(join(DATA, 'nsclc-lung1-001/dicom/2.dcm')), '2.dcm');
      dcmjs.log.getLogger('validation.dcmjs').methodFactory('error', 4, 'validation.dcmjs')('Invalid vr type', 'zz', '- using UN');
    } finally {
      console.error = original;
      logger.setLevel(logger.getLevel(), false);
    }
    assert.ok(!logged.some((a) => a[1] === 'xs' || a[1] === 'ox'), JSON.stringify(logged));
    assert.ok(logged.some((a) => a[1] === 'zz'), 'other validation messages still reach the console');
  });
});
