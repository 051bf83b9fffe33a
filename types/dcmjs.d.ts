/**
 * Type declarations for the parts of dcmjs 0.51 that Delineo uses (dcmjs ships none). Only src/io/dicom
 * imports dcmjs (an ESLint rule); extend this file when that code needs more of the library.
 *
 * Vocabulary: a "naturalised" dataset is keyed by DICOM keyword (`PatientName`) with plain JS values; a
 * "denaturalised" one is keyed by 8-hex-digit tag (`00100010`) with `{ vr, Value }` entries, which is what
 * `DicomDict` writes.
 */
declare module 'dcmjs' {
  /** One element of a denaturalised dataset. */
  export interface DicomElement {
    vr: string;
    Value: unknown[];
  }

  /** A denaturalised dataset: tag (e.g. '00100010') → element. */
  export type DenaturalizedDataset = Record<string, DicomElement>;

  /** A naturalised dataset: keyword → value; `_vrMap` overrides the VR of ambiguous elements such as PixelData. */
  export interface NaturalizedDataset {
    [keyword: string]: unknown;
    _vrMap?: Record<string, string>;
    _meta?: NaturalizedDataset | DenaturalizedDataset;
  }

  export interface WriteOptions {
    allowInvalidVRLength?: boolean;
    fragmentMultiframe?: boolean;
  }

  export interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
    /** With untilTag: stop at the first tag greater than it, not only at the tag itself. */
    stopOnGreaterTag?: boolean;
  }

  /** A loglevel logger (dcmjs logs through loglevel). */
  export interface Logger {
    methodFactory: (methodName: string, level: number, loggerName: string | symbol) => (...message: unknown[]) => void;
    setLevel(level: number | string, persist?: boolean): void;
    getLevel(): number;
  }

  export namespace data {
    /** A Part-10 file in memory: file meta (group 0002) and the dataset. */
    class DicomDict {
      constructor(meta: DenaturalizedDataset);
      meta: DenaturalizedDataset;
      dict: DenaturalizedDataset;
      /** Serialises preamble, 'DICM', meta and dataset; returns the file bytes (no Node Buffer involved). */
      write(options?: WriteOptions): ArrayBuffer;
    }

    const DicomMetaDictionary: {
      denaturalizeDataset(dataset: NaturalizedDataset): DenaturalizedDataset;
      naturalizeDataset(dataset: DenaturalizedDataset): NaturalizedDataset;
      uid(): string;
    };

    const DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict;
    };
  }

  export const log: { getLogger(name: string): Logger };

  const dcmjs: { data: typeof data; log: typeof log };
  export default dcmjs;
}
