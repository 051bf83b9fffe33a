import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dcmjs from 'dcmjs';
import type { NaturalizedDataset } from 'dcmjs';
import { encodeContourSequence, putCoordinate, type ContourItem } from './contour-sequence.ts';
import { formatDecimalString } from './ct-writer.ts';
import { IMPLICIT_VR_LITTLE_ENDIAN } from './rtstruct-writer.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const format = (x: number): string => String(Math.round(x * 1e3) / 1e3);

/** A file holding one ROI Contour item, its Contour Sequence encoded by dcmjs or given as bytes. */
function file(contourSequence: NaturalizedDataset[] | ArrayBuffer): ArrayBuffer {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.481.3',
    MediaStorageSOPInstanceUID: '1.2.3.4',
    TransferSyntaxUID: IMPLICIT_VR_LITTLE_ENDIAN,
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  const roi: NaturalizedDataset = { ReferencedROINumber: 1, ...(contourSequence instanceof ArrayBuffer ? {} : { ContourSequence: contourSequence }) };
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({ ROIContourSequence: [roi] });
  if (contourSequence instanceof ArrayBuffer)
    (dict.dict['30060039'].Value[0] as Record<string, unknown>)['30060040'] = { vr: 'OB', Value: [contourSequence] };
  return dict.write();
}

const readBack = (buffer: ArrayBuffer): unknown =>
  dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(buffer).dict).ROIContourSequence;

describe('Contour Sequence encoding', () => {
  // Odd and even value lengths for every element (UIDs, counts, numbers, coordinate lists), a contour with no
  // image, negative and fractional coordinates, and two contours on one image.
  const contours: ContourItem[] = [
    { number: 1, points: [-9.766, -308.656, -678.5, 1.25, 2, -678.5, 3.5, -4.125, -678.5], image: { sopClassUid: CT, sopInstanceUid: '1.2.3.4.5' } },
    { number: 2, points: [0, 0, -678.5, 10, 0, -678.5, 10, 10, -678.5, 0, 10, -678.5], image: { sopClassUid: CT, sopInstanceUid: '1.2.3.4.5' } },
    { number: 10, points: [1, 2, 3, 4, 5, 3, 6, 7, 3], image: { sopClassUid: CT, sopInstanceUid: '1.2.3.4.56' } },
    { number: 11, points: [100.0005, 0.1, 12, 1e-4, 3, 12, 5, 5, 12] },
  ];

  it('reads back exactly as the same items encoded by dcmjs', () => {
    const byDcmjs = contours.map((c) => ({
      ContourNumber: c.number,
      ...(c.image ? { ContourImageSequence: [{ ReferencedSOPClassUID: c.image.sopClassUid, ReferencedSOPInstanceUID: c.image.sopInstanceUid }] } : {}),
      ContourGeometricType: 'CLOSED_PLANAR',
      NumberOfContourPoints: c.points.length / 3,
      ContourData: Array.from(c.points, format),
    }));
    const ours = readBack(file(encodeContourSequence(contours)));
    assert.deepEqual(ours, readBack(file(byDcmjs)));
    const first = (ours as { ContourSequence: { ContourData: number[]; NumberOfContourPoints: number }[] }[])[0].ContourSequence[0];
    assert.deepEqual(first.ContourData, [-9.766, -308.656, -678.5, 1.25, 2, -678.5, 3.5, -4.125, -678.5]);
    assert.equal(first.NumberOfContourPoints, 3);
  });

  it('writes each coordinate as the text of the value rounded to 1 µm, at any magnitude and sign', () => {
    const text = (x: number): string => {
      const out = new Uint8Array(17);
      return new TextDecoder().decode(out.subarray(0, putCoordinate(out, 0, x)));
    };
    const expected = (x: number): string => {
      const r = Math.round(x * 1e3) / 1e3;
      if (r === 0) return '0';
      const s = String(r);
      return s.length <= 16 && !s.includes('e') ? s : formatDecimalString(r);
    };
    const edge = [0, -0, 0.0004, -0.0004, 0.0005, -0.0005, 0.001, -0.001, 1, -1, 9.9995, 10, 99.999, 100.0005, -678.5, 1000, 999999.9996, 1e9 - 0.0001, 1e9, -1e9, 1.5e12, -3.25e15, 1e21];
    for (const x of edge) assert.equal(text(x), expected(x), `${x}`);
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let n = 0; n < 20000; n++) {
      const x = (rand() - 0.5) * 10 ** Math.floor(rand() * 8);
      assert.equal(text(x), expected(x), `${x}`);
    }
    for (const x of edge) assert.ok(text(x).length <= 16, `${x} fits a DS value`);
  });

  it('refuses coordinates that are not numbers and point lists that are not triples', () => {
    assert.throws(() => encodeContourSequence([{ number: 1, points: [1, Number.NaN, 3] }]), /cannot write the coordinate NaN/);
    assert.throws(() => encodeContourSequence([{ number: 1, points: [1, 2, 3, 4] }]), /multiple of 3/);
  });
});
