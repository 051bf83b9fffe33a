/** Detail of `delineo-export`: an RT Structure Set was written and downloaded or stored on the DICOMweb server. */
export interface DelineoExportDetail {
  /** 'download': saved as a file by the browser; 'dicomweb': stored with STOW-RS and confirmed by the server. */
  readonly destination: 'download' | 'dicomweb';
  /** The file name offered for download (also set for 'dicomweb', for logs). */
  readonly fileName: string;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** Names of the structures written (empty structures are not written; see warnings). */
  readonly structureNames: readonly string[];
  /** Names of the written structures that were not approved at export time. */
  readonly unapprovedNames: readonly string[];
  /** The writer's warnings (empty structure skipped, …), as sentences. */
  readonly warnings: readonly string[];
  /** The Part-10 file itself. */
  readonly file: Blob;
}

/** Fired by `<delineo-app>` after an export succeeded. */
export type DelineoExportEvent = CustomEvent<DelineoExportDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-export': DelineoExportEvent;
  }
}
