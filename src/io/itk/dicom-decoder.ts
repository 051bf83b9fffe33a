/**
 * Decoder for compressed DICOM pixel data (JPEG 2000, JPEG lossless/baseline, JPEG-LS, RLE, big endian)
 * in the browser: GDCM compiled to WebAssembly, through @itk-wasm/image-io's `gdcmReadImage`. In a Web
 * Worker it runs in that thread (no nested worker); on the main thread itk-wasm starts its own worker.
 * The pipelines are fetched from the base URL set with {@link configureImageIo} (the CDN default is
 * unreachable from clinics and test machines alike).
 */
import type { DecodeRequest, PixelDecoder } from '../dicom/pixels.ts';
import { decodedFromItkImage } from './image-convert.ts';
import { loadImageIo } from './image-io.ts';

/** Options of {@link createGdcmDecoder}. */
export interface GdcmDecoderOptions {
  /** itk-wasm's `webWorker` option: false runs in the calling thread; null lets itk-wasm start (and reuse) its worker. Default: false inside a worker, null on the main thread. */
  readonly webWorker?: Worker | null | false;
}

const insideWorker = () => typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined' && typeof (globalThis as { document?: unknown }).document === 'undefined';

/**
 * A {@link PixelDecoder} backed by GDCM (itk-wasm). Each call decodes one whole file (all its frames)
 * and returns modality values (GDCM applies the rescale). The itk-wasm worker it starts on the main
 * thread is reused across calls.
 */
export function createGdcmDecoder(options: GdcmDecoderOptions = {}): PixelDecoder {
  let worker: Worker | null | false = options.webWorker !== undefined ? options.webWorker : insideWorker() ? false : null;
  return async (request: DecodeRequest, { signal }) => {
    const { gdcmReadImage } = await loadImageIo();
    signal?.throwIfAborted();
    // itk-wasm names the file inside its virtual file system; keep it simple and unique-free.
    const { image, couldRead, webWorker } = await gdcmReadImage({ path: 'slice.dcm', data: request.bytes }, { webWorker: worker });
    if (worker !== false && webWorker) worker = webWorker;
    if (!couldRead) throw new Error('GDCM does not recognise the file as a readable DICOM image');
    return decodedFromItkImage(image, request);
  };
}
