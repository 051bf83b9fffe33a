/**
 * The single-file volume formats Delineo reads through itk-wasm, by file name. Pure and browser-safe,
 * shared by the browser and Node readers and by the format dispatcher in src/io/load.ts.
 */

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
