/**
 * The single-file volume formats Delineo reads through itk-wasm, by file name. Pure and browser-safe,
 * shared by the browser and Node readers and by the format dispatcher in src/io/load.ts.
 */

/** Where the app serves @itk-wasm/image-io's pipelines, relative to the page's origin. */
export const DEFAULT_IMAGE_IO_PIPELINES_PATH = '/raw/itk/image-io';

/** The itk-wasm reader for each supported single-file format. */
const FORMATS: readonly { readonly pattern: RegExp; readonly format: 'nifti' | 'nrrd' | 'meta' }[] = [
  { pattern: /\.nii(\.gz)?$/i, format: 'nifti' },
  { pattern: /\.nrrd$/i, format: 'nrrd' },
  { pattern: /\.mha$/i, format: 'meta' },
];

/** Detached-header formats: the header names a second file that a single upload does not carry. */
const DETACHED = /\.(nhdr|mhd|hdr)$/i;

/** The volume format of a file name, or undefined when it is not one Delineo reads as a volume. */
export function volumeFormatOf(name: string): 'nifti' | 'nrrd' | 'meta' | undefined {
  return FORMATS.find((f) => f.pattern.test(name))?.format;
}

/** True for header files of detached-data formats (.nhdr, .mhd, Analyze .hdr), which need their data file too. */
export function isDetachedHeader(name: string): boolean {
  return DETACHED.test(name);
}

/** True when `name` is a single-file volume format (.nii, .nii.gz, .nrrd, .mha) or a detached header, rather than DICOM. */
export function isVolumeFileName(name: string): boolean {
  return volumeFormatOf(name) !== undefined || isDetachedHeader(name);
}

/** Inflates gzip / zlib data, rejecting when the stream ends early (the check ITK's readers skip). */
async function inflate(bytes: Uint8Array, format: 'gzip' | 'deflate'): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const NRRD_TYPE_BYTES: Readonly<Record<string, number>> = {
  'signed char': 1, int8: 1, int8_t: 1, uchar: 1, 'unsigned char': 1, uint8: 1, uint8_t: 1,
  short: 2, 'short int': 2, 'signed short': 2, 'signed short int': 2, int16: 2, int16_t: 2, ushort: 2, 'unsigned short': 2, 'unsigned short int': 2, uint16: 2, uint16_t: 2,
  int: 4, 'signed int': 4, int32: 4, int32_t: 4, uint: 4, 'unsigned int': 4, uint32: 4, uint32_t: 4,
  longlong: 8, 'long long': 8, int64: 8, int64_t: 8, ulonglong: 8, 'unsigned long long': 8, uint64: 8, uint64_t: 8,
  float: 4, double: 8,
};
const MET_TYPE_BYTES: Readonly<Record<string, number>> = {
  MET_CHAR: 1, MET_UCHAR: 1, MET_SHORT: 2, MET_USHORT: 2, MET_INT: 4, MET_UINT: 4, MET_LONG: 4, MET_ULONG: 4, MET_LONG_LONG: 8, MET_ULONG_LONG: 8, MET_FLOAT: 4, MET_DOUBLE: 8,
};

/** Index of the first "\n\n" (end of a text header), or -1. */
function headerEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 1 < bytes.length && i < 1 << 20; i++) if (bytes[i] === 0x0a && (bytes[i + 1] === 0x0a || (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a))) return i + (bytes[i + 1] === 0x0a ? 2 : 3);
  return -1;
}

/**
 * Checks that a NIfTI / NRRD / MetaImage file holds all the voxels its header announces. ITK's readers
 * zero-fill a truncated file (or a gzip stream that ends early) without complaint, which would show a CT
 * whose last slices are black; this check turns that into an error. Returns a problem description, or
 * undefined when the file is complete or its layout is one this check does not cover (detached data,
 * text encodings).
 */
export async function incompleteVolumeFile(name: string, bytes: Uint8Array): Promise<string | undefined> {
  const format = volumeFormatOf(name);
  try {
    if (format === 'nifti') {
      const raw = /\.gz$/i.test(name) ? await inflate(bytes, 'gzip') : bytes;
      if (raw.length < 348) return `the NIfTI header is incomplete (${raw.length} bytes)`;
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const sizeLe = view.getInt32(0, true);
      const little = sizeLe === 348 || sizeLe === 540;
      const headerSize = little ? sizeLe : view.getInt32(0, false);
      if (headerSize !== 348 && headerSize !== 540) return 'not a NIfTI file (its header size is neither 348 nor 540)';
      const v2 = headerSize === 540;
      let voxels = 1;
      let bitpix: number;
      let offset: number;
      if (v2) {
        const nd = Number(view.getBigInt64(16, little));
        for (let d = 1; d <= Math.min(nd, 7); d++) voxels *= Math.max(1, Number(view.getBigInt64(16 + 8 * d, little)));
        bitpix = view.getInt16(14, little);
        offset = Number(view.getBigInt64(168, little));
      } else {
        const nd = view.getInt16(40, little);
        for (let d = 1; d <= Math.min(nd, 7); d++) voxels *= Math.max(1, view.getInt16(40 + 2 * d, little));
        bitpix = view.getInt16(72, little);
        offset = Math.max(352, view.getFloat32(108, little));
      }
      const need = offset + Math.ceil((voxels * bitpix) / 8);
      return raw.length < need ? `the file holds ${raw.length} bytes but its header announces ${need}: it is truncated` : undefined;
    }
    if (format === 'nrrd') {
      const end = headerEnd(bytes);
      if (end < 0) return 'the NRRD header never ends: the file is truncated';
      const header = new TextDecoder().decode(bytes.subarray(0, end));
      const field = (key: string) => new RegExp(`^${key}:\\s*(.+)$`, 'mi').exec(header)?.[1].trim();
      if (field('data file') ?? field('datafile')) return undefined;
      const type = NRRD_TYPE_BYTES[(field('type') ?? '').toLowerCase()];
      const sizes = (field('sizes') ?? '').split(/\s+/).map(Number);
      const encoding = (field('encoding') ?? 'raw').toLowerCase();
      if (!type || sizes.some((n) => !(n > 0))) return undefined;
      const need = sizes.reduce((a, b) => a * b, 1) * type;
      const data = encoding === 'raw' ? bytes.subarray(end) : encoding === 'gzip' || encoding === 'gz' ? await inflate(bytes.subarray(end), 'gzip') : undefined;
      if (!data) return undefined;
      return data.length < need ? `the NRRD data has ${data.length} bytes but the header announces ${need}: the file is truncated` : undefined;
    }
    if (format === 'meta') {
      const text = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 1 << 16)));
      const m = /ElementDataFile\s*=\s*(\S+)[^\n]*\n/.exec(text);
      if (!m) return 'the MetaImage header never ends: the file is truncated';
      if (m[1] !== 'LOCAL') return undefined;
      const end = m.index + m[0].length;
      const field = (key: string) => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'mi').exec(text.slice(0, end))?.[1].trim();
      const type = MET_TYPE_BYTES[field('ElementType') ?? ''];
      const dims = (field('DimSize') ?? '').split(/\s+/).map(Number);
      const channels = Number(field('ElementNumberOfChannels') ?? 1);
      if (!type || dims.some((n) => !(n > 0))) return undefined;
      const need = dims.reduce((a, b) => a * b, 1) * type * channels;
      const compressed = /^true$/i.test(field('CompressedData') ?? 'false');
      const data = compressed ? await inflate(bytes.subarray(end), 'deflate') : bytes.subarray(end);
      return data.length < need ? `the MetaImage data has ${data.length} bytes but the header announces ${need}: the file is truncated` : undefined;
    }
  } catch (e) {
    return `the compressed data is damaged or ends early (${(e as Error)?.message ?? e}): the file is truncated or corrupt`;
  }
  return undefined;
}
