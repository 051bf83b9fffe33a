/**
 * Pixel values of DICOM images: reading uncompressed frames (bit depth, signedness, BitsStored
 * masking) and writing modality values (HU for CT) into a volume buffer that stays Int16 while every
 * value is an exact int16 and silently widens to Float32 the first time one is not (a fractional
 * rescale slope, PET-like values), so the common CT costs 2 bytes per voxel and nothing is ever
 * clipped or rounded.
 */
import { DicomLoadError } from '../errors.ts';
import type { DicomInstance } from './dicom-meta.ts';

/** Typed arrays a decoder may return. */
export type PixelArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** What a decoder of compressed pixel data returns: all frames, in file order. */
export interface DecodedPixels {
  readonly values: PixelArray;
  readonly columns: number;
  readonly rows: number;
  readonly frames: number;
  /** True when `values` already are modality values (the rescale was applied by the decoder, as GDCM does). */
  readonly rescaled: boolean;
}

/** What a decoder gets: the whole Part-10 file. */
export interface DecodeRequest {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly path?: string;
  readonly transferSyntaxUid: string;
}

/**
 * Decodes compressed (encapsulated) pixel data. Injected into the series loader so that the DICOM
 * layer does not depend on a codec library: the itk-wasm/GDCM decoders live in src/io/itk.
 */
export type PixelDecoder = (request: DecodeRequest, options: { signal?: AbortSignal }) => Promise<DecodedPixels>;

/**
 * The stored values of one frame of an uncompressed image, as a typed array over the file's bytes
 * (copied only when the pixel data is not aligned for the element size). Bits above BitsStored are
 * cleared (unsigned) or replaced by the sign (signed), because some scanners keep overlay bits or
 * garbage there; RGB, palette and non-byte bit depths are refused with a typed error.
 */
export function storedFrame(instance: DicomInstance, frame: number): PixelArray {
  const { file, rows, columns, bitsAllocated, bitsStored, pixelRepresentation, samplesPerPixel } = instance;
  if (samplesPerPixel !== 1) throw new DicomLoadError('unsupported-pixel-format', `${samplesPerPixel} samples per pixel (${instance.photometricInterpretation}): only greyscale images form a CT volume`, { file });
  const pixels = instance.pixelData;
  if (!pixels) throw new DicomLoadError('missing-tag', 'PixelData (7FE0,0010) is missing', { file });
  const bytesPer = bitsAllocated / 8;
  if (![1, 2, 4].includes(bytesPer)) throw new DicomLoadError('unsupported-pixel-format', `BitsAllocated ${bitsAllocated} is not supported (8, 16 or 32)`, { file });
  const count = rows * columns;
  const start = pixels.byteOffset + frame * count * bytesPer;
  if ((frame + 1) * count * bytesPer > pixels.byteLength) {
    throw new DicomLoadError('truncated', `PixelData holds ${pixels.byteLength} bytes, too few for frame ${frame + 1} of ${rows}×${columns} × ${bitsAllocated}-bit pixels: the file is truncated`, { file });
  }
  const signed = pixelRepresentation === 1;
  let buffer = pixels.buffer as ArrayBuffer;
  let offset = start;
  if (offset % bytesPer !== 0) {
    buffer = pixels.slice(frame * count * bytesPer, (frame + 1) * count * bytesPer).buffer as ArrayBuffer;
    offset = 0;
  }
  let values: PixelArray;
  if (bytesPer === 1) values = signed ? new Int8Array(buffer, offset, count) : new Uint8Array(buffer, offset, count);
  else if (bytesPer === 2) values = signed ? new Int16Array(buffer, offset, count) : new Uint16Array(buffer, offset, count);
  else values = signed ? new Int32Array(buffer, offset, count) : new Uint32Array(buffer, offset, count);
  if (bitsStored > 0 && bitsStored < bitsAllocated) values = maskBits(values, bitsStored, signed);
  return values;
}

/** Keeps the low `bits` bits (sign-extending when signed); copies only if a value changes. */
function maskBits(values: PixelArray, bits: number, signed: boolean): PixelArray {
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  const sign = 1 << (bits - 1);
  let out: PixelArray | undefined;
  for (let x = 0; x < values.length; x++) {
    const raw = values[x];
    let v = raw & mask;
    if (signed && v & sign) v -= mask + 1;
    if (v !== raw) {
      if (!out) out = values.slice();
      out[x] = v;
    }
  }
  return out ?? values;
}

const isIntegerArray = (a: ArrayLike<number>): boolean =>
  a instanceof Int16Array || a instanceof Uint16Array || a instanceof Int8Array || a instanceof Uint8Array || a instanceof Int32Array || a instanceof Uint32Array;

/** out[base + x] = stored[x] × slope + intercept for x < n (the fast paths skip the multiply-add). */
function writeScaled(out: Int16Array | Float32Array, base: number, stored: ArrayLike<number>, n: number, slope: number, intercept: number): void {
  if (slope === 1 && intercept === 0 && ArrayBuffer.isView(stored)) {
    out.set(stored as unknown as ArrayLike<number>, base);
  } else if (slope === 1) {
    for (let x = 0; x < n; x++) out[base + x] = stored[x] + intercept;
  } else {
    for (let x = 0; x < n; x++) out[base + x] = stored[x] * slope + intercept;
  }
}

/**
 * Voxel buffer of a volume being assembled: Int16 until a value is not an exact int16, then Float32
 * (the Int16 part copied over). Interpolated planes are rounded to whole HU while the buffer is
 * Int16, since they are synthetic anyway and a 0.5 HU difference is far below CT noise.
 */
export class VoxelBuffer {
  data: Int16Array | Float32Array;
  readonly planeSize: number;

  constructor(planeSize: number, planes: number, float = false) {
    this.planeSize = planeSize;
    this.data = float ? new Float32Array(planeSize * planes) : new Int16Array(planeSize * planes);
  }

  private widen(): Float32Array {
    const f = Float32Array.from(this.data);
    this.data = f;
    return f;
  }

  /** Writes plane k from stored values: value = stored × slope + intercept. */
  writePlane(k: number, stored: ArrayLike<number>, slope = 1, intercept = 0): void {
    const base = k * this.planeSize;
    const n = this.planeSize;
    if (this.data instanceof Int16Array) {
      // Integer stored values with an integer rescale stay exact integers: one pass for the range
      // decides whether the plane fits int16, then a plain loop (no per-voxel checks) writes it.
      if (isIntegerArray(stored) && Number.isInteger(slope) && Number.isInteger(intercept)) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let x = 0; x < n; x++) {
          const v = stored[x];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        const a = lo * slope + intercept;
        const b = hi * slope + intercept;
        if (Math.min(a, b) >= -32768 && Math.max(a, b) <= 32767) {
          writeScaled(this.data, base, stored, n, slope, intercept);
          return;
        }
      }
      this.widen();
    }
    writeScaled(this.data, base, stored, n, slope, intercept);
  }

  /** Writes plane k as (1 − w)·a + w·b of two planes of modality values. */
  writeInterpolated(k: number, a: ArrayLike<number>, b: ArrayLike<number>, w: number): void {
    const base = k * this.planeSize;
    const d = this.data;
    if (d instanceof Int16Array) {
      for (let x = 0; x < this.planeSize; x++) d[base + x] = Math.round((1 - w) * a[x] + w * b[x]);
    } else {
      for (let x = 0; x < this.planeSize; x++) d[base + x] = (1 - w) * a[x] + w * b[x];
    }
  }

  /** Plane k's current values (a view). */
  plane(k: number): Int16Array | Float32Array {
    return this.data.subarray(k * this.planeSize, (k + 1) * this.planeSize);
  }
}
