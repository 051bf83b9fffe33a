/**
 * NIfTI (.nii, .nii.gz), NRRD (.nrrd) and MetaImage (.mha) volumes in the browser through
 * @itk-wasm/image-io. itk-wasm reports them in LPS (NIfTI's RAS affine is converted), voxel values are
 * kept as stored (integers narrowed to Int16 only when lossless, see image-convert.ts).
 *
 * itk-wasm fetches its WebAssembly pipelines at run time from a base URL whose default is a CDN that a
 * clinic's network (and our test machines) cannot reach: {@link configureImageIo} sets it, and the
 * readers fall back to `/raw/itk/image-io` on the page's origin, where the dev server, the test runner
 * and the production build serve `node_modules/@itk-wasm/image-io/dist/pipelines`.
 */
import type * as ImageIo from '@itk-wasm/image-io';
import type { VolumeInit } from '../../domain/volume.ts';
import { throwIfAborted } from '../../jobs/job.ts';
import { ImageLoadError } from '../errors.ts';
import { inputName, type FileInput } from '../input.ts';
import { itkImageToVolumeData } from './image-convert.ts';
import { DEFAULT_IMAGE_IO_PIPELINES_PATH, incompleteVolumeFile, isDetachedHeader, volumeFormatOf } from './image-formats.ts';

let configuredBaseUrl: string | undefined;
type ImageIoModule = typeof ImageIo;
let imageIoModule: Promise<ImageIoModule> | undefined;

/** Options of {@link configureImageIo}. */
export interface ImageIoConfig {
  /** Absolute URL (or origin-relative path) of the folder holding image-io's `*.js` / `*.wasm.zst` pipelines. */
  readonly pipelinesBaseUrl: string | URL;
}

/**
 * Points @itk-wasm/image-io at its pipelines. Call once at start-up in every realm that reads images
 * (the page and each worker; the io worker does it from the URL the client passes). Idempotent.
 */
export function configureImageIo(config: ImageIoConfig): void {
  const base = typeof globalThis.location !== 'undefined' ? globalThis.location.href : undefined;
  configuredBaseUrl = new URL(String(config.pipelinesBaseUrl), base).href.replace(/\/$/, '');
}

/**
 * The browser build of @itk-wasm/image-io, configured. Imported on first use rather than statically:
 * the package's Node entry lacks the browser functions, so a static import would make src/index.ts
 * unloadable in Node (the CLI, tests), and the app's first paint does not wait for itk-wasm.
 */
export async function loadImageIo(): Promise<ImageIoModule> {
  if (!configuredBaseUrl) configureImageIo({ pipelinesBaseUrl: DEFAULT_IMAGE_IO_PIPELINES_PATH });
  const module = await (imageIoModule ??= import('@itk-wasm/image-io'));
  if (typeof module.setPipelinesBaseUrl !== 'function') throw new Error('@itk-wasm/image-io resolved to its Node build; use the *-node readers in Node');
  module.setPipelinesBaseUrl(configuredBaseUrl!);
  return module;
}

/** Options of {@link readImageVolumeData}. */
export interface ReadImageOptions {
  /** Modality recorded on the volume (default 'CT'); NIfTI and friends do not carry one. */
  readonly modality?: string;
  readonly signal?: AbortSignal;
  /** itk-wasm's `webWorker` option (false: run in this thread, as the io worker does). */
  readonly webWorker?: Worker | null | false;
}

/**
 * Reads a NIfTI / NRRD / MetaImage file into volume data (plain, structured-cloneable). Refuses
 * detached-header files (.nhdr, .mhd: their voxels are in a second file) and unknown extensions with an
 * ImageLoadError naming the file, and maps reader failures to `decode-failed`.
 */
export async function readImageVolumeData(input: FileInput, options: ReadImageOptions = {}): Promise<VolumeInit> {
  const name = inputName(input);
  throwIfAborted(options.signal);
  if (isDetachedHeader(name)) throw new ImageLoadError('unsupported-format', 'this header keeps its voxels in a separate file; save the volume as a single .nii.gz, .nrrd or .mha file', { file: name });
  if (!volumeFormatOf(name)) throw new ImageLoadError('unsupported-format', 'not a volume format Delineo reads (.nii, .nii.gz, .nrrd, .mha, or a folder of DICOM files)', { file: name });
  const { readImage } = await loadImageIo();
  let bytes: Uint8Array;
  try {
    bytes = input instanceof Blob ? new Uint8Array(await input.arrayBuffer()) : 'read' in input ? await input.read() : input.data instanceof Uint8Array ? input.data : new Uint8Array(input.data);
  } catch (e) {
    throw new ImageLoadError('read-failed', `could not read the file (${(e as Error)?.message ?? e})`, { file: name, cause: e });
  }
  if (bytes.length === 0) throw new ImageLoadError('decode-failed', 'the file is empty (0 bytes)', { file: name });
  const incomplete = await incompleteVolumeFile(name, bytes);
  if (incomplete) throw new ImageLoadError('truncated', `${incomplete}; copy or export it again`, { file: name });
  let image;
  try {
    // itk-wasm picks the reader from the extension; the path is only a name inside its virtual file system.
    const path = `volume.${name.toLowerCase().endsWith('.nii.gz') ? 'nii.gz' : name.split('.').pop()}`;
    ({ image } = await readImage({ path, data: bytes }, { webWorker: options.webWorker ?? null }));
  } catch (e) {
    throw new ImageLoadError('decode-failed', `the file could not be read as ${volumeFormatOf(name)} (${(e as Error)?.message ?? e}); it may be damaged or truncated`, { file: name, cause: e });
  }
  throwIfAborted(options.signal);
  return itkImageToVolumeData(image, name, options.modality ?? 'CT');
}
