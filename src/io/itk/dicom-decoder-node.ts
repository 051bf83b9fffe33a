/**
 * Decoder for compressed DICOM pixel data in Node (the CLI, tests): GDCM through @itk-wasm/image-io's
 * WASI build (`gdcmReadImageNode`), which reads from a file path. Files loaded from disk are decoded in
 * place; bytes without a path (DICOMweb parts) go through a temporary file that is removed afterwards.
 * Node-only: not exported from src/index.ts.
 */
import { gdcmReadImageNode } from '@itk-wasm/image-io';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecodeRequest, PixelDecoder } from '../dicom/pixels.ts';
import { decodedFromItkImage } from './image-convert.ts';

/** A {@link PixelDecoder} for Node backed by GDCM (itk-wasm WASI); returns modality values. */
export function createNodeGdcmDecoder(): PixelDecoder {
  return async (request: DecodeRequest, { signal }) => {
    signal?.throwIfAborted();
    let dir: string | undefined;
    let path = request.path;
    try {
      if (!path) {
        dir = await mkdtemp(join(tmpdir(), 'delineo-decode-'));
        path = join(dir, 'slice.dcm');
        await writeFile(path, request.bytes);
      }
      const { image, couldRead } = await gdcmReadImageNode(path);
      if (!couldRead) throw new Error('GDCM does not recognise the file as a readable DICOM image');
      return decodedFromItkImage(image, request);
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  };
}
