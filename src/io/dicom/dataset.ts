/**
 * The one place where bytes become a DICOM data set. Every DICOM parser in Delineo (CT and other images in
 * dicom-meta.ts, RT Structure Sets in rtstruct-reader.ts, and the RT Dose / RT Plan readers) opens its files
 * here and reads elements with the helpers below, so a defect in reading real-world files is fixed once:
 *
 * - Part-10 files, and raw data sets without preamble and file meta (old systems, pydicom's own test files),
 *   which {@link wrapRawDataset} recognises and wraps;
 * - the strict-then-lenient read: dcmjs's strict mode, retried leniently only for the one defect real
 *   writers have (no file meta group length), so truncation and corruption still surface;
 * - ambiguous value representations of implicit-VR files resolved per PS3.5 (see {@link readDicomDataset}),
 *   instead of dcmjs guessing and logging a console error for each;
 * - dcmjs's exceptions turned into {@link DicomLoadError}s that name the file.
 */
import dcmjs from 'dcmjs';
import type { DenaturalizedDataset, ReadOptions } from 'dcmjs';
import { DicomLoadError } from '../errors.ts';

/** File meta and data set, as dcmjs's dictionary of elements keyed by tag ('00100010'). */
export interface DicomDataset {
  readonly meta: DenaturalizedDataset;
  readonly dict: DenaturalizedDataset;
}

/** How much of a file to parse: up to `untilTag` ('7FE00010'), or, with `stopOnGreaterTag`, up to the first tag after it. */
export interface DatasetReadOptions {
  readonly untilTag?: string;
  readonly stopOnGreaterTag?: boolean;
}

/** A file opened for reading: its Part-10 bytes (with the header a raw data set was given) and a reader. */
export interface OpenedDicom {
  /** The file as Part 10: the input itself, or the input behind a minimal header (see {@link wrapRawDataset}). */
  readonly bytes: Uint8Array;
  /** Bytes added in front of the input (0 for a Part-10 file): subtract from an offset in `bytes` to index the input. */
  readonly headerLength: number;
  /** Parses the file, all of it or up to a tag; throws DicomLoadError ('truncated' or 'corrupt') naming the file. */
  read(options?: DatasetReadOptions): DicomDataset;
}

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';

/** Valid two-character VR codes, to tell an explicit-VR raw data set from an implicit one. */
const VRS = new Set('AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '));

/**
 * Groups a raw data set may start with: the command group (a DIMSE message saved with its data set), file
 * meta (0002) and identification (0008). Odd groups 0001–0007 are forbidden by PS3.5 §7.1, so a file starting
 * with one is not a data set; any other group first means the identification module is missing.
 */
const FIRST_GROUPS: ReadonlySet<number> = new Set([0x0000, 0x0002, 0x0008]);

/** True when the bytes carry the Part-10 "DICM" marker after the 128-byte preamble. */
export function hasDicmMarker(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/**
 * Wraps a raw data set (no preamble, no file meta — what pydicom calls "force" reading) in a minimal Part-10
 * header so dcmjs can read it, or returns undefined when the bytes do not start like a DICOM data set: the first
 * element must be in a group of {@link FIRST_GROUPS} with a small element number (≤ 00FF, as the first elements
 * of those groups are), which tells a data set from text or another format that happens to start with 08 00.
 * The transfer syntax is guessed the way DCMTK and pydicom do: explicit VR when bytes 4–5 spell a VR, else
 * implicit. The UID is padded to even length with NUL, as PS3.5 §9.1 pads a UI value.
 */
export function wrapRawDataset(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < 8) return undefined;
  const group = bytes[0] | (bytes[1] << 8);
  const element = bytes[2] | (bytes[3] << 8);
  if (!FIRST_GROUPS.has(group) || element > 0x00ff) return undefined;
  const explicit = VRS.has(String.fromCharCode(bytes[4], bytes[5]));
  const ts = explicit ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
  const tsValue = ts.length % 2 ? `${ts}\0` : ts;
  // File meta with only the group length and TransferSyntaxUID, always explicit VR little endian.
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

/** Maps an exception from dcmjs to a typed error: out-of-bounds reads mean the file ends too early. */
function parseFailure(e: unknown, file: string): DicomLoadError {
  if (e instanceof DicomLoadError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof RangeError || /outside the bounds|out of range|beyond|Request more than/i.test(message)) {
    return new DicomLoadError('truncated', `the file ends inside a DICOM element (${message}): it is truncated or a length field is damaged; copy or export it again`, { file, cause: e });
  }
  return new DicomLoadError('corrupt', `the DICOM structure cannot be parsed (${message}); the file is damaged`, { file, cause: e });
}

/**
 * Opens a DICOM file: a Part-10 file as it is, a raw data set behind a minimal header. Throws DicomLoadError
 * 'not-dicom' for an empty file or bytes that are neither. Parsing happens in {@link OpenedDicom.read}, as often
 * as the caller needs (a loader may read the identification group first, then up to the pixel data).
 */
export function openDicom(input: Uint8Array | ArrayBuffer, file: string): OpenedDicom {
  const original = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (original.length === 0) throw new DicomLoadError('not-dicom', 'the file is empty (0 bytes)', { file });
  let bytes = original;
  if (!hasDicmMarker(bytes)) {
    const wrapped = wrapRawDataset(bytes);
    if (!wrapped) throw new DicomLoadError('not-dicom', 'not a DICOM file (no "DICM" marker at byte 128 and not a raw DICOM data set)', { file });
    bytes = wrapped;
  }
  // dcmjs reads a whole ArrayBuffer: copy when the view covers only part of one. Uint8Array's own slice,
  // because a Node Buffer's slice() is a view into Node's shared pool, not a copy.
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (Uint8Array.prototype.slice.call(bytes).buffer as ArrayBuffer);
  return {
    bytes,
    headerLength: bytes.length - original.length,
    read: (options = {}) => {
      try {
        return readDicomDataset(buffer, options);
      } catch (e) {
        throw parseFailure(e, file);
      }
    },
  };
}

/**
 * Parses a Part-10 buffer with dcmjs: strictly first; leniently only when the file meta group length
 * (0002,0000) is missing, which some writers omit and dcmjs reads only in its lenient mode (truncation is still
 * caught: lenient mode is not used for anything else, and the loaders check pixel data lengths themselves).
 *
 * In an implicit-VR file the VR comes from the dictionary, where a few elements are ambiguous: "US or SS"
 * (Smallest/LargestImagePixelValue, PixelPaddingValue, LUT descriptors…) and "OB or OW" (pixel, overlay and
 * palette data). dcmjs picks US and OW itself but logs a console error for every such element — hundreds for
 * one CT series, drowning real errors. PS3.5 settles both: OB/OW data is OW in implicit VR (§A.1), and US/SS
 * follows the data set's PixelRepresentation (0028,0103; 1 = signed). So the ambiguous VRs are resolved here
 * to US and OW while dcmjs reads, and US values are reinterpreted as SS afterwards where PixelRepresentation
 * says the pixels are signed.
 */
export function readDicomDataset(buffer: ArrayBuffer, options: DatasetReadOptions = {}): DicomDataset {
  const read = (ignoreErrors: boolean) => withResolvedVrs(() => dcmjs.data.DicomMessage.readFile(buffer, { ...options, ignoreErrors } as ReadOptions));
  let parsed: { read: { meta: DenaturalizedDataset; dict: DenaturalizedDataset }; signedCandidates: Set<string> };
  try {
    parsed = read(false);
  } catch (e) {
    if (!/meta length tag/i.test((e as Error)?.message ?? '')) throw e;
    parsed = read(true);
  }
  resolveSignedValues(parsed.read.dict, parsed.signedCandidates, 0);
  return { meta: parsed.read.meta, dict: parsed.read.dict };
}

interface DictionaryEntry {
  readonly vr?: string;
}
type LookupTag = (tag: { toString(): string }) => DictionaryEntry | undefined;

/**
 * Runs a synchronous dcmjs read with the dictionary's ambiguous VRs resolved (xs → US, ox → OW), collecting
 * the tags read as US that PS3.5 makes SS for signed pixels. dcmjs looks VRs up through the static
 * `DicomMessage.lookupTag`; it is replaced only for the duration of the read, which cannot interleave with
 * another (JavaScript runs it to completion), and restored even when the read throws.
 */
function withResolvedVrs<T>(readFile: () => T): { read: T; signedCandidates: Set<string> } {
  const message = dcmjs.data.DicomMessage as unknown as { lookupTag: LookupTag };
  const original = message.lookupTag;
  const signedCandidates = new Set<string>();
  message.lookupTag = (tag) => {
    const entry = original.call(message, tag);
    if (entry?.vr === 'xs') {
      const key = tag.toString().replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
      signedCandidates.add(key);
      return { ...entry, vr: 'US' };
    }
    if (entry?.vr === 'ox') return { ...entry, vr: 'OW' };
    return entry;
  };
  try {
    return { read: readFile(), signedCandidates };
  } finally {
    message.lookupTag = original;
  }
}

/**
 * LUT descriptors ("US or SS", VM 3): only the second value (first input value mapped) follows
 * PixelRepresentation; the number of entries and the bits per entry are always unsigned (PS3.3 C.11.1.1).
 */
const DESCRIPTORS: ReadonlySet<string> = new Set(['00281101', '00281102', '00281103', '00281111', '00281112', '00281113', '00283002']);

/** Reinterprets the ambiguous elements read as US as SS in each (nested) data set whose pixels are signed. */
function resolveSignedValues(ds: DenaturalizedDataset, candidates: ReadonlySet<string>, inherited: number): void {
  if (candidates.size === 0) return;
  const own = nums(ds, '00280103')[0];
  const pixelRepresentation = own === 0 || own === 1 ? own : inherited;
  for (const [tag, el] of Object.entries(ds)) {
    if (el?.vr === 'SQ') {
      for (const item of items(ds, tag)) resolveSignedValues(item, candidates, pixelRepresentation);
      continue;
    }
    if (pixelRepresentation !== 1 || !candidates.has(tag.toUpperCase()) || el?.vr !== 'US' || !Array.isArray(el.Value)) continue;
    el.vr = 'SS';
    el.Value = el.Value.map((v, i) => (typeof v === 'number' && v > 0x7fff && (!DESCRIPTORS.has(tag.toUpperCase()) || i === 1) ? v - 0x10000 : v));
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

// ---------------------------------------------------------------------------------------------------------
// Element helpers: every parser reads values through these, so trimming and multi-value rules are the same.

/**
 * An element's value as a trimmed string ('' when absent). Several values are joined with `\`, which is
 * what the file holds: a backslash typed into an LO is a value separator to the parser. A person name is
 * its alphabetic group (`Family^Given`); see personName for display.
 */
export function str(ds: DenaturalizedDataset | undefined, tag: string): string {
  const v = ds?.[tag]?.Value;
  if (!v || v.length === 0) return '';
  const parts = v.map((x) => {
    if (x === null || x === undefined) return '';
    if (typeof x === 'object') return String((x as { Alphabetic?: unknown }).Alphabetic ?? '');
    return String(x);
  });
  return parts.join('\\').replace(/[\0\s]+$/, '').replace(/^\s+/, '');
}

/** All values of an element as trimmed strings. */
export function strs(ds: DenaturalizedDataset | undefined, tag: string): string[] {
  return (ds?.[tag]?.Value ?? []).map((v) => String(v ?? '').replace(/[\0\s]+$/, '').replace(/^\s+/, ''));
}

/** All values of a numeric element (DS, IS, US, FD, …); values that are not numbers become NaN. */
export function nums(ds: DenaturalizedDataset | undefined, tag: string): number[] {
  return (ds?.[tag]?.Value ?? []).map((v) => {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string' && v.trim() !== '') return Number(v);
    return Number.NaN;
  });
}

/** The first value as a number; undefined when absent or empty, NaN when present but not a number. */
export function num(ds: DenaturalizedDataset | undefined, tag: string): number | undefined {
  const v = nums(ds, tag);
  return v.length ? v[0] : undefined;
}

/** The first value when it is an integer (an ROI Number, a count), else undefined. */
export function int(ds: DenaturalizedDataset | undefined, tag: string): number | undefined {
  const n = num(ds, tag);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

/** The items of a sequence element (none when absent or not a sequence). */
export function items(ds: DenaturalizedDataset | undefined, tag: string): DenaturalizedDataset[] {
  const v = ds?.[tag]?.Value;
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as DenaturalizedDataset[]) : [];
}
