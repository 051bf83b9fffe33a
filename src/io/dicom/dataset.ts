/**
 * The one DICOM dataset reader: every parser of Delineo (CT and other images in dicom-meta.ts, RT Structure
 * Sets, RT Dose, RT Plan) reads bytes into dcmjs's element dictionary here, and reads element values with the
 * helpers here. A fix for a defect of real files (a raw data set without file meta, a missing meta group
 * length, a truncated file) lands once and serves every object type.
 *
 * Decisions (src/io/README.md, "Bad input"):
 * - A raw data set (no preamble, no file meta: what some old systems and pydicom's test files hold) is read
 *   when it starts like one: group 0000, 0002, 0005 or 0008 with a small element number. Its transfer syntax
 *   is guessed as DCMTK and pydicom do: explicit VR little endian when bytes 4–5 spell a VR, else implicit.
 * - A file meta header without its group length (0002,0000) is read in dcmjs's lenient mode.
 * - Out-of-bounds reads mean the file ends early ('truncated'); anything else dcmjs cannot parse is 'corrupt'.
 * - dcmjs logs "Invalid vr type xs/ox" for every element whose dictionary VR depends on the pixel
 *   representation (Smallest/Largest Image Pixel Value, Pixel Padding Value …) in an implicit-VR file, and reads
 *   them as US/OW. Delineo uses none of these elements, so that message is dropped, once per page; every other
 *   message of dcmjs's validation log still reaches the console.
 */
import dcmjs from 'dcmjs';
import type { DenaturalizedDataset, ReadOptions } from 'dcmjs';
import { DicomLoadError } from '../errors.ts';

export type { DenaturalizedDataset };

/** A parsed file: file meta (group 0002) and the data set. */
export interface ParsedDataset {
  readonly meta: DenaturalizedDataset;
  readonly dict: DenaturalizedDataset;
}

quietAmbiguousVrLog();

/** Drops dcmjs's "Invalid vr type xs/ox" validation errors (see the module comment); keeps every other message. */
function quietAmbiguousVrLog(): void {
  const logger = dcmjs.log?.getLogger('validation.dcmjs');
  if (!logger) return;
  const factory = logger.methodFactory;
  logger.methodFactory = (methodName, level, loggerName) => {
    const raw = factory(methodName, level, loggerName);
    return (...message: unknown[]) => {
      if (message[0] === 'Invalid vr type' && (message[1] === 'xs' || message[1] === 'ox')) return;
      raw(...message);
    };
  };
  logger.setLevel(logger.getLevel(), false);
}

/** Valid two-character VR codes, to tell an explicit-VR raw data set from an implicit one. */
const VRS = new Set('AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '));
/** Groups a raw data set may start with: command, file meta, and identification (with the retired 0005). */
const RAW_FIRST_GROUPS = new Set([0x0000, 0x0002, 0x0005, 0x0008]);

/** Whether the bytes carry the Part-10 "DICM" marker at byte 128. */
export function hasDicmMarker(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/**
 * Wraps a raw data set in a minimal Part-10 header (preamble, DICM, group length and Transfer Syntax UID) so
 * dcmjs can read it, or returns undefined when the bytes do not start like a DICOM data set.
 */
export function wrapRawDataset(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < 8) return undefined;
  const group = bytes[0]! | (bytes[1]! << 8);
  const element = bytes[2]! | (bytes[3]! << 8);
  if (!RAW_FIRST_GROUPS.has(group) || element > 0x00ff) return undefined;
  const explicit = VRS.has(String.fromCharCode(bytes[4]!, bytes[5]!));
  const ts = explicit ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2';
  // UI values are padded to even length with a NUL.
  const tsValue = ts.length % 2 ? `${ts}\0` : ts;
  const el = new Uint8Array(8 + tsValue.length);
  el.set([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, tsValue.length & 0xff, tsValue.length >> 8]);
  for (let i = 0; i < tsValue.length; i++) el[8 + i] = tsValue.charCodeAt(i);
  const glen = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 4, 0, el.length & 0xff, (el.length >> 8) & 0xff, 0, 0]);
  const out = new Uint8Array(132 + glen.length + el.length + bytes.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  out.set(glen, 132);
  out.set(el, 132 + glen.length);
  out.set(bytes, 132 + glen.length + el.length);
  return out;
}

/**
 * The file as the exact ArrayBuffer dcmjs reads: a Part-10 file as is, a raw data set wrapped. Throws
 * DicomLoadError 'not-dicom' for an empty file or bytes that are not DICOM.
 */
export function part10Buffer(input: ArrayBuffer | Uint8Array, file: string): ArrayBuffer {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length === 0) throw new DicomLoadError('not-dicom', 'the file is empty (0 bytes)', { file });
  if (!hasDicmMarker(bytes)) {
    const wrapped = wrapRawDataset(bytes);
    if (!wrapped) throw new DicomLoadError('not-dicom', 'not a DICOM file (no "DICM" marker at byte 128 and not a raw DICOM data set)', { file });
    bytes = wrapped;
  }
  // Uint8Array's own slice copies; a Node Buffer's slice() would be a view into Node's shared pool.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (Uint8Array.prototype.slice.call(bytes).buffer as ArrayBuffer);
}

/** dcmjs's read, strict first; a file meta without its group length is read leniently. Throws what dcmjs throws. */
export function readPart10(buffer: ArrayBuffer, options: ReadOptions = {}): ParsedDataset {
  try {
    return dcmjs.data.DicomMessage.readFile(buffer, { ignoreErrors: false, ...options });
  } catch (e) {
    if (!/meta length tag/i.test((e as Error)?.message ?? '')) throw e;
    return dcmjs.data.DicomMessage.readFile(buffer, { ...options, ignoreErrors: true });
  }
}

/** Maps an exception from dcmjs to a typed error: out-of-bounds reads mean the file ends too early. */
export function parseFailure(e: unknown, file: string): DicomLoadError {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof RangeError || /outside the bounds|out of range|beyond|Request more than/i.test(message)) {
    return new DicomLoadError('truncated', `the file ends inside a DICOM element (${message}): it is truncated or a length field is damaged; copy or export it again`, { file, cause: e });
  }
  return new DicomLoadError('corrupt', `the DICOM structure cannot be parsed (${message}); the file is damaged`, { file, cause: e });
}

/** Reads a whole DICOM file (or up to `options.untilTag`); throws DicomLoadError naming the file. */
export function readDataset(input: ArrayBuffer | Uint8Array, file: string, options: ReadOptions = {}): ParsedDataset {
  const buffer = part10Buffer(input, file);
  try {
    return readPart10(buffer, options);
  } catch (e) {
    throw parseFailure(e, file);
  }
}

/**
 * Locates the native PixelData element (7FE0,0010) in the file's bytes: the first such tag whose header
 * is well formed and whose declared length covers the pixels the image module describes (an icon image's
 * smaller PixelData, or a chance match inside an earlier binary value, fails that test and is skipped).
 * Returns the offset of its value and its declared length, or undefined when no candidate exists.
 */
export function locatePixelData(bytes: Uint8Array, implicit: boolean, expected: number): { start: number; declared: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = bytes.indexOf(0xe0, 132); i !== -1 && i + 8 <= bytes.length; i = bytes.indexOf(0xe0, i + 1)) {
    if (bytes[i + 1] !== 0x7f || bytes[i + 2] !== 0x10 || bytes[i + 3] !== 0x00) continue;
    let declared: number;
    let start: number;
    if (!implicit && (bytes[i + 4] === 0x4f || bytes[i + 4] === 0x55) && bytes[i + 6] === 0 && bytes[i + 7] === 0 && i + 12 <= bytes.length) {
      declared = view.getUint32(i + 8, true);
      start = i + 12;
    } else if (implicit) {
      declared = view.getUint32(i + 4, true);
      start = i + 8;
    } else continue;
    if (declared === 0xffffffff || declared < expected) continue;
    return { start, declared };
  }
  return undefined;
}

// ——— Element values ———

const trimmed = (s: string): string => s.replace(/[\0\s]+$/, '').replace(/^\s+/, '');

/** One value as a string: a person name's alphabetic group, anything else as written. */
function valueText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    const pn = v as { Alphabetic?: unknown };
    return typeof pn.Alphabetic === 'string' ? pn.Alphabetic : '';
  }
  return String(v);
}

/** The first value of an element as a trimmed string ('' when absent). */
export function str(ds: DenaturalizedDataset | undefined, tag: string): string {
  return trimmed(valueText(ds?.[tag]?.Value?.[0]));
}

/**
 * All values of a text element joined with backslashes, trimmed: a backslash inside an LO or LT (an ROI name,
 * a comment) is a value separator to the parser, so this gives the text back as written.
 */
export function text(ds: DenaturalizedDataset | undefined, tag: string): string {
  const v = ds?.[tag]?.Value;
  if (!v || v.length === 0) return '';
  return trimmed(v.map(valueText).join('\\'));
}

/** All values of an element as trimmed strings. */
export function strs(ds: DenaturalizedDataset | undefined, tag: string): string[] {
  return (ds?.[tag]?.Value ?? []).map((v) => valueText(v).trim());
}

/** All values of a numeric element (DS, IS, US, FD …); values that are not numbers become NaN. */
export function nums(ds: DenaturalizedDataset | undefined, tag: string): number[] {
  const out: number[] = [];
  for (const v of ds?.[tag]?.Value ?? []) {
    if (typeof v === 'number') out.push(v);
    else if (typeof v === 'string' && v.trim() !== '') out.push(Number(v));
    else if (typeof v === 'bigint') out.push(Number(v));
    else out.push(Number.NaN);
  }
  return out;
}

/** The first number, undefined when absent or empty; NaN when present but not a number. */
export function num(ds: DenaturalizedDataset | undefined, tag: string): number | undefined {
  const v = nums(ds, tag);
  return v.length ? v[0] : undefined;
}

/** The first value when it is an integer, else undefined. */
export function int(ds: DenaturalizedDataset | undefined, tag: string): number | undefined {
  const n = nums(ds, tag)[0];
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

/** The items of a sequence element ([] when absent). */
export function items(ds: DenaturalizedDataset | undefined, tag: string): DenaturalizedDataset[] {
  const v = ds?.[tag]?.Value;
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as DenaturalizedDataset[]) : [];
}
