/**
 * What the loaders accept as "a file": a browser `File`/`Blob` (file picker, dropped folder, fetched
 * blob) or bytes already in memory with a name (DICOMweb parts, tests, the Node CLI). Both travel to a
 * Web Worker by structured clone (a File is cheap to clone: the bytes are not copied until read).
 *
 * Browser-safe, no dependencies.
 */
import { DicomLoadError } from './errors.ts';

/** Bytes already in memory, with the name to show the user; `path` is set by the Node loaders. */
export interface BufferInput {
  readonly name: string;
  readonly data: ArrayBuffer | Uint8Array;
  /** File-system path when the bytes came from disk (lets Node decoders read the file directly). */
  readonly path?: string;
}

/** Bytes read on demand (a file on disk in Node), so a large folder is never all in memory at once. */
export interface LazyInput {
  readonly name: string;
  readonly path?: string;
  read(): Promise<Uint8Array>;
}

/** A file-like input: a browser File/Blob, bytes in memory ({@link BufferInput}) or bytes on demand ({@link LazyInput}). */
export type FileInput = Blob | BufferInput | LazyInput;

/** An input read into memory. */
export interface ReadInput {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly path?: string;
}

const isBlob = (x: unknown): x is Blob => typeof Blob !== 'undefined' && x instanceof Blob;

/**
 * The name shown to the user for an input: the path inside a dropped folder when the browser gives
 * one (`webkitRelativePath`), else the file name, else `file #<index>`. Errors and warnings use it,
 * so it must identify the file to a person looking at their folder.
 */
export function inputName(input: FileInput, index = 0): string {
  if (isBlob(input)) {
    const f = input as Blob & { name?: string; webkitRelativePath?: string };
    return f.webkitRelativePath || f.name || `file #${index + 1}`;
  }
  return input.name || `file #${index + 1}`;
}

/**
 * Reads an input's bytes. A Blob is read with `arrayBuffer()` (a failure — the file was moved or
 * permissions changed since it was picked — becomes a `read-failed` DicomLoadError naming it); a
 * BufferInput is viewed without copying; a LazyInput is read now.
 */
export async function readInput(input: FileInput, index = 0): Promise<ReadInput> {
  const name = inputName(input, index);
  if (isBlob(input)) {
    try {
      return { name, bytes: new Uint8Array(await input.arrayBuffer()) };
    } catch (e) {
      throw new DicomLoadError('read-failed', `could not read the file (${(e as Error)?.message ?? e}); check that it still exists and is readable`, { file: name, cause: e });
    }
  }
  if ('read' in input) {
    try {
      const bytes = await input.read();
      return input.path === undefined ? { name, bytes } : { name, bytes, path: input.path };
    } catch (e) {
      throw new DicomLoadError('read-failed', `could not read the file (${(e as Error)?.message ?? e}); check that it still exists and is readable`, { file: name, cause: e });
    }
  }
  const data = input.data;
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return input.path === undefined ? { name, bytes } : { name, bytes, path: input.path };
}
