/**
 * The Contour Sequence (3006,0040) of one ROI, encoded in Implicit VR Little Endian: the bulk of a structure set
 * (thousands of items, millions of coordinates), so it is encoded here in one pass into one buffer, and the rest
 * of the file is left to dcmjs (rtstruct-writer.ts inserts these bytes as the sequence's value).
 *
 * Why not dcmjs for these items too: it writes every element through a stream of its own that grows in 256-byte
 * pieces and locates each write by a linear search over the pieces, and a DS value one character at a time; for
 * a structure set of a few thousand contours that was most of the time `delineo export` took.
 *
 * What is written is what dcmjs writes, element for element (the tests compare both): in Implicit VR an element is
 * its tag, a 32-bit value length and the value, padded to an even length (UI with a NUL, CS/IS/DS with a space).
 * Items and the nested Contour Image Sequence get defined lengths, which every reader must accept (PS3.5 7.5).
 */

import { formatDecimalString } from './ct-writer.ts';

/** One closed planar contour: its points (x, y, z in LPS mm) and the CT image it lies on. */
export interface ContourItem {
  /** Contour Number (IS). */
  readonly number: number;
  /** x0, y0, z0, x1, … in patient mm. */
  readonly points: ArrayLike<number>;
  /** The CT image the contour lies on (its Contour Image Sequence); none when the slice has no SOP instance. */
  readonly image?: { readonly sopClassUid: string; readonly sopInstanceUid: string };
}

const ITEM = [0xfffe, 0xe000] as const;
const CONTOUR_IMAGE_SEQUENCE = [0x3006, 0x0016] as const;
const REFERENCED_SOP_CLASS_UID = [0x0008, 0x1150] as const;
const REFERENCED_SOP_INSTANCE_UID = [0x0008, 0x1155] as const;
const CONTOUR_GEOMETRIC_TYPE = [0x3006, 0x0042] as const;
const NUMBER_OF_CONTOUR_POINTS = [0x3006, 0x0046] as const;
const CONTOUR_NUMBER = [0x3006, 0x0048] as const;
const CONTOUR_DATA = [0x3006, 0x0050] as const;

const ascii = new TextEncoder();

/** Tag + length + value (already padded) of one element or item header. */
function header(tag: readonly [number, number], length: number): Uint8Array {
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint16(0, tag[0], true);
  v.setUint16(2, tag[1], true);
  v.setUint32(4, length, true);
  return h;
}

/** A text value's bytes, padded to an even length with `pad` (UI: NUL; other string VRs: space). */
function text(value: string, pad: 0x00 | 0x20): Uint8Array {
  const bytes = new Uint8Array(value.length + (value.length & 1));
  const { written } = ascii.encodeInto(value, bytes);
  if (written !== value.length) throw new RangeError(`"${value}" is not ASCII`);
  if (value.length & 1) bytes[value.length] = pad;
  return bytes;
}

/** Concatenates byte arrays. */
function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const element = (tag: readonly [number, number], value: Uint8Array): Uint8Array[] => [header(tag, value.byteLength), value];

/** Characters of `value` into `out` at `at` (ASCII); returns the end. */
function putAscii(out: Uint8Array, at: number, value: string): number {
  for (let c = 0; c < value.length; c++) out[at++] = value.charCodeAt(c);
  return at;
}

/**
 * A coordinate as a DICOM DS, rounded to 1 µm — a five-hundredth of the finest CT pixel, so a voxel corner stays a
 * voxel corner for every reader (centres are half a voxel away) while values stay short: most of a structure set's
 * bytes, and of the time to write and read it, are these numbers. Written as digits straight into `out` at `at`
 * (returns the end): the text of `String(Math.round(x * 1e3) / 1e3)` ("-12.5", "0.001", "0"), without making
 * millions of strings. Magnitudes beyond a billion mm fall back to the general DS formatter.
 */
export function putCoordinate(out: Uint8Array, at: number, x: number): number {
  const n = Math.round(x * 1e3);
  if (!Number.isFinite(n)) throw new RangeError(`cannot write the coordinate ${x} as a DICOM decimal string`);
  if (n === 0) {
    out[at] = 0x30; // also −0 and values under half a µm
    return at + 1;
  }
  let m = n < 0 ? -n : n;
  if (m >= 1e12) return putAscii(out, at, formatDecimalString(n / 1e3));
  if (n < 0) out[at++] = 0x2d;
  const whole = Math.floor(m / 1000);
  m -= whole * 1000;
  let digits = 1;
  for (let p = 10; p <= whole; p *= 10) digits++;
  for (let d = digits - 1, w = whole; d >= 0; d--, w = Math.floor(w / 10)) out[at + d] = 0x30 + (w % 10);
  at += digits;
  if (m > 0) {
    out[at++] = 0x2e;
    const places = m % 100 === 0 ? 1 : m % 10 === 0 ? 2 : 3;
    const scaled = places === 1 ? m / 100 : places === 2 ? m / 10 : m;
    for (let d = places - 1, f = scaled; d >= 0; d--, f = Math.floor(f / 10)) out[at + d] = 0x30 + (f % 10);
    at += places;
  }
  return at;
}

/** Contour Data of one contour: every coordinate (putCoordinate) joined by backslashes, padded to even length. */
function contourData(points: ArrayLike<number>): Uint8Array {
  // 1 sign + 9 digits + point + 3 decimals, or the 16 characters of the fallback; plus the separator.
  const out = new Uint8Array(points.length * 17 + 1);
  let at = 0;
  for (let v = 0; v < points.length; v++) {
    if (v > 0) out[at++] = 0x5c;
    at = putCoordinate(out, at, points[v]);
  }
  if (at & 1) out[at++] = 0x20;
  return out.subarray(0, at);
}

/**
 * Encodes the items of one ROI's Contour Sequence (CLOSED_PLANAR contours), each coordinate written by
 * {@link putCoordinate}. Returns the bytes of the sequence's value: the items, each framed by an Item tag and
 * its length.
 */
export function encodeContourSequence(contours: readonly ContourItem[]): ArrayBuffer {
  const closedPlanar = text('CLOSED_PLANAR', 0x20);
  // Every contour on a slice references the same image: encode each image reference once.
  const imageRefs = new Map<string, Uint8Array>();
  const items: Uint8Array[] = [];
  for (const c of contours) {
    if (c.points.length % 3 !== 0) throw new RangeError(`contour ${c.number} has ${c.points.length} coordinates, not a multiple of 3`);
    const parts: Uint8Array[] = [];
    if (c.image) {
      let ref = imageRefs.get(c.image.sopInstanceUid);
      if (!ref) {
        const item = join([
          ...element(REFERENCED_SOP_CLASS_UID, text(c.image.sopClassUid, 0x00)),
          ...element(REFERENCED_SOP_INSTANCE_UID, text(c.image.sopInstanceUid, 0x00)),
        ]);
        const sequenceValue = join(element(ITEM, item));
        ref = join(element(CONTOUR_IMAGE_SEQUENCE, sequenceValue));
        imageRefs.set(c.image.sopInstanceUid, ref);
      }
      parts.push(ref);
    }
    parts.push(
      ...element(CONTOUR_GEOMETRIC_TYPE, closedPlanar),
      ...element(NUMBER_OF_CONTOUR_POINTS, text(String(c.points.length / 3), 0x20)),
      ...element(CONTOUR_NUMBER, text(String(c.number), 0x20)),
      ...element(CONTOUR_DATA, contourData(c.points)),
    );
    const body = join(parts);
    items.push(header(ITEM, body.byteLength), body);
  }
  return join(items).buffer as ArrayBuffer;
}
