/**
 * Detail of `delineo-series-open`: which DICOMweb series the user asked to open, by UID, with what a listener
 * needs to say what is loading — small and serialisable, never the instances themselves.
 */
export interface DelineoSeriesOpenDetail {
  /** DICOM Study Instance UID of the series' study. */
  readonly studyInstanceUid: string;
  /** DICOM Series Instance UID of the series to load (pass both to loadDicomWebSeries). */
  readonly seriesInstanceUid: string;
  /** The series' modality as the server reports it (only CT series can be opened today). */
  readonly modality: string;
  /** The series description; may be empty. */
  readonly description: string;
}

/**
 * Fired by `<delineo-dicomweb-browser>` when the user opens a series (the Open button, Enter or a double click
 * on a CT series). The element loads nothing itself: the application retrieves the series with its client.
 * Bubbles and crosses shadow roots.
 */
export type DelineoSeriesOpenEvent = CustomEvent<DelineoSeriesOpenDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'delineo-series-open': DelineoSeriesOpenEvent;
  }
}
