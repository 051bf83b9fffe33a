// The one DICOM dataset reader: raw data sets recognised and wrapped the same way for every parser, the
// strict-then-lenient read, ambiguous VRs resolved per PS3.5 without dcmjs's console errors, and the element
// helpers' trimming and multi-value rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { DicomLoadError } from '../errors.ts';
import { int, items, num, nums, openDicom, str, strs, wrapRawDataset } from './dataset.ts';
import { parseDicomFile } from './dicom-meta.ts';
import { parseRtstruct } from './rtstruct-reader.ts';

const DATA = join(import.meta.dirname, '../../../../shared/data');

/** One implicit-VR little-endian element. */
function implicit(group: number, element: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, element, true);
  v.setUint32(4, value.length, true);
  out.set(value, 8);
  return out;
}
/** One explicit-VR little-endian element with a 16-bit length. */
function explicit(group: number, element: number, vr: string, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, element, true);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  v.setUint16(6, value.length, true);
  out.set(value, 8);
  return out;
}
const text = (s: string) => new TextEncoder().encode(s.length % 2 ? `${s} ` : s);
const uid = (s: string) => new TextEncoder().encode(s.length % 2 ? `${s}\0` : s);
const u16 = (n: number) => new Uint8Array(new Uint16Array([n]).buffer);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** An implicit-VR raw data set: SOP class CT, PixelRepresentation and the "US or SS" SmallestImagePixelValue. */
function rawWithSmallestValue(pixelRepresentation: number, stored: number): Uint8Array {
  return concat(
    implicit(0x0008, 0x0016, uid('1.2.840.10008.5.1.4.1.1.2')),
    implicit(0x0008, 0x0018, uid('1.2.3.4')),
    implicit(0x0008, 0x0060, text('CT')),
    implicit(0x0010, 0x0010, text('Doe^John')),
    implicit(0x0028, 0x0103, u16(pixelRepresentation)),
    implicit(0x0028, 0x0106, u16(stored)),
  );
}

/** Replaces dcmjs's validation logger for the duration of `run` and returns what it logged. */
function dcmjsLog(run: () => void): string[] {
  const logger = (dcmjs as unknown as { log: { getLogger(n: string): Record<string, (...a: unknown[]) => void> } }).log.getLogger('validation.dcmjs');
  const logged: string[] = [];
  const saved = { error: logger.error, warn: logger.warn };
  logger.error = (...a) => logged.push(a.join(' '));
  logger.warn = (...a) => logged.push(a.join(' '));
  try {
    run();
  } finally {
    Object.assign(logger, saved);
  }
  return logged;
}

describe('recognising raw data sets (no preamble, no file meta)', () => {
  it('takes data sets that start with the command, file meta or identification group and a small element number', () => {
    assert.ok(wrapRawDataset(implicit(0x0008, 0x0005, text('ISO_IR 100'))));
    assert.ok(wrapRawDataset(implicit(0x0002, 0x0001, new Uint8Array([0, 1]))));
    assert.ok(wrapRawDataset(implicit(0x0000, 0x0000, new Uint8Array(4))));
  });

  it('refuses other groups, a large element number in group 0008, text and short input', () => {
    assert.equal(wrapRawDataset(implicit(0x0010, 0x0010, text('Doe'))), undefined);
    assert.equal(wrapRawDataset(implicit(0x0005, 0x0010, text('x'))), undefined, 'odd groups 0001–0007 are forbidden (PS3.5 7.1)');
    assert.equal(wrapRawDataset(implicit(0x0008, 0x1030, text('Study'))), undefined, 'a data set starts with its lowest element');
    assert.equal(wrapRawDataset(new TextEncoder().encode('hello, not DICOM at all')), undefined);
    assert.equal(wrapRawDataset(new Uint8Array([8, 0, 5, 0])), undefined);
  });

  it('guesses explicit VR when bytes 4–5 spell a VR, else implicit; the UID is padded to even length', () => {
    const read = (bytes: Uint8Array) => openDicom(bytes, 'raw').read();
    const imp = read(implicit(0x0008, 0x0060, text('CT')));
    assert.equal(str(imp.meta, '00020010'), '1.2.840.10008.1.2');
    assert.equal(imp.meta['00020010'].Value[0], '1.2.840.10008.1.2');
    assert.equal(str(imp.dict, '00080060'), 'CT');
    const exp = read(explicit(0x0008, 0x0060, 'CS', text('CT')));
    assert.equal(str(exp.meta, '00020010'), '1.2.840.10008.1.2.1');
    assert.equal(str(exp.dict, '00080060'), 'CT');
  });

  it('a raw data set is read the same by the image loader and the RTSTRUCT reader (pydicom-rt/rtstruct.dcm)', () => {
    const bytes = new Uint8Array(readFileSync(join(DATA, 'pydicom-rt/rtstruct.dcm')));
    const viaImages = parseDicomFile({ name: 'rtstruct.dcm', bytes });
    const viaRtstruct = parseRtstruct(bytes, 'rtstruct.dcm');
    assert.equal(viaImages.transferSyntaxUid, '1.2.840.10008.1.2');
    assert.equal(viaImages.modality, 'RTSTRUCT');
    assert.equal(viaImages.sopInstanceUid, viaRtstruct.sopInstanceUid);
    assert.equal(viaImages.studyInstanceUid, viaRtstruct.studyInstanceUid);
    assert.equal(viaImages.label, viaRtstruct.label);
    assert.ok(viaRtstruct.rois.length > 0);
  });

  it('bytes that are not DICOM are the same typed error for both parsers', () => {
    const junk = new TextEncoder().encode('hello, not DICOM at all');
    assert.throws(() => parseDicomFile({ name: 'a.txt', bytes: junk }), (e: unknown) => e instanceof DicomLoadError && e.code === 'not-dicom' && e.file === 'a.txt');
    assert.throws(() => parseRtstruct(junk, 'a.txt'), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'not-dicom');
    assert.throws(() => openDicom(new Uint8Array(0), 'empty.dcm'), (e: unknown) => e instanceof DicomLoadError && e.code === 'not-dicom' && /empty/.test(e.message));
  });
});

describe('strict, then lenient only for a missing file meta group length', () => {
  /** A Part-10 file whose meta has no (0002,0000), as some writers produce. */
  function withoutGroupLength(): Uint8Array {
    const meta = concat(explicit(0x0002, 0x0002, 'UI', uid('1.2.840.10008.5.1.4.1.1.2')), explicit(0x0002, 0x0003, 'UI', uid('1.2.3.4')), explicit(0x0002, 0x0010, 'UI', uid('1.2.840.10008.1.2.1')));
    const body = concat(explicit(0x0008, 0x0060, 'CS', text('CT')), explicit(0x0010, 0x0020, 'LO', text('P1')));
    const preamble = new Uint8Array(132);
    preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
    return concat(preamble, meta, body);
  }

  it('reads such a file (dcmjs refuses it in strict mode)', () => {
    const ds = openDicom(withoutGroupLength(), 'nolength.dcm').read();
    assert.equal(str(ds.meta, '00020010'), '1.2.840.10008.1.2.1');
    assert.equal(str(ds.dict, '00100020'), 'P1');
  });

  it('a file cut inside an element is still an error naming the file', () => {
    const bytes = new Uint8Array(readFileSync(join(DATA, 'pydicom-rt/CT_small.dcm')));
    const cut = bytes.slice(0, 700);
    assert.throws(() => openDicom(cut, 'cut.dcm').read(), (e: unknown) => e instanceof DicomLoadError && (e.code === 'truncated' || e.code === 'corrupt') && e.file === 'cut.dcm');
  });
});

describe('ambiguous VRs of implicit-VR files (PS3.5)', () => {
  it('"US or SS" follows PixelRepresentation: signed pixels make SmallestImagePixelValue SS', () => {
    let signed!: ReturnType<ReturnType<typeof openDicom>['read']>;
    let unsigned!: typeof signed;
    const logged = dcmjsLog(() => {
      signed = openDicom(rawWithSmallestValue(1, 0xfff6), 'signed').read();
      unsigned = openDicom(rawWithSmallestValue(0, 0xfff6), 'unsigned').read();
    });
    assert.equal(signed.dict['00280106'].vr, 'SS');
    assert.equal(num(signed.dict, '00280106'), -10);
    assert.equal(unsigned.dict['00280106'].vr, 'US');
    assert.equal(num(unsigned.dict, '00280106'), 0xfff6);
    assert.deepEqual(logged, [], 'dcmjs logs nothing once the VR is resolved');
  });

  it('the real NSCLC structure set (implicit VR, with image pixel elements and PixelData) reads without a logged error', () => {
    const bytes = new Uint8Array(readFileSync(join(DATA, 'nsclc-lung1-001/dicom/2.dcm')));
    let rois = 0;
    const logged = dcmjsLog(() => {
      parseDicomFile({ name: '2.dcm', bytes });
      rois = parseRtstruct(bytes, '2.dcm').rois.length;
    });
    assert.ok(rois > 0);
    assert.deepEqual(logged, []);
  });

  it('an explicit-VR file keeps the VR it states', () => {
    const ds = openDicom(concat(explicit(0x0008, 0x0060, 'CS', text('CT')), explicit(0x0028, 0x0103, 'US', u16(1)), explicit(0x0028, 0x0106, 'US', u16(0xfff6))), 'exp').read();
    assert.equal(ds.dict['00280106'].vr, 'US');
    assert.equal(num(ds.dict, '00280106'), 0xfff6);
  });
});

describe('element helpers', () => {
  const ds = {
    a: { vr: 'LO', Value: ['  left\0 '] },
    b: { vr: 'LO', Value: ['GTV', 'primary'] },
    pn: { vr: 'PN', Value: [{ Alphabetic: 'Doe^John ' }] },
    ds: { vr: 'DS', Value: ['1.5', ' 2 ', 'x', ''] },
    big: { vr: 'UV', Value: [BigInt(7)] },
    sq: { vr: 'SQ', Value: [{ x: { vr: 'CS', Value: ['Y'] } }, null] },
  };
  it('str trims, joins a value the parser split at a backslash, gives a person name its alphabetic group', () => {
    assert.equal(str(ds, 'a'), 'left');
    assert.equal(str(ds, 'b'), 'GTV\\primary');
    assert.deepEqual(strs(ds, 'b'), ['GTV', 'primary']);
    assert.equal(str(ds, 'pn'), 'Doe^John');
    assert.equal(str(ds, 'missing'), '');
    assert.equal(str(undefined, 'a'), '');
  });
  it('nums, num and int: numbers, NaN for what is not one, undefined when absent', () => {
    assert.deepEqual(nums(ds, 'ds'), [1.5, 2, Number.NaN, Number.NaN]);
    assert.deepEqual(nums(ds, 'big'), [7]);
    assert.equal(num(ds, 'ds'), 1.5);
    assert.equal(num(ds, 'missing'), undefined);
    assert.equal(int(ds, 'ds'), undefined, '1.5 is not an integer');
    assert.equal(int(ds, 'big'), 7);
  });
  it('items: the sequence items that are data sets', () => {
    assert.equal(items(ds, 'sq').length, 1);
    assert.equal(str(items(ds, 'sq')[0], 'x'), 'Y');
    assert.deepEqual(items(ds, 'missing'), []);
  });
});
