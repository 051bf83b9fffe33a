import { html, nothing } from 'lit';
import { DicomWebClient, loadDicomWebSeries } from '../../src/index.ts';
import '../delineo-dicomweb-browser/delineo-dicomweb-browser.ts';
import type { DelineoSeriesOpenEvent } from '../events/delineo-series-open.ts';
import type { FileOpener } from './file-open.ts';

/** A series on the DICOMweb server. */
export interface SeriesRef {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
}

/** What the PACS part asks its host. */
export interface PacsOptions {
  /** The host's `dicomWebClient` and `dicomweb-url`. */
  readonly configured: () => { readonly client: DicomWebClient | null; readonly url: string | null };
  readonly files: FileOpener;
  readonly renderRoot: () => ParentNode;
}

/**
 * The app's DICOMweb server ("PACS"): the client in use (a configured one, else one per `dicomweb-url`), the
 * dialog that searches the server with `<delineo-dicomweb-browser>`, and opening a series from it (WADO-RS,
 * with any RTSTRUCT found beside it) through the file-open part.
 */
export class Pacs {
  readonly #options: PacsOptions;
  #ownClient: DicomWebClient | null = null;
  #ownClientUrl: string | null = null;

  constructor(options: PacsOptions) {
    this.#options = options;
  }

  /** The DICOMweb client in use: the configured client, else one on the configured URL, else null. */
  get client(): DicomWebClient | null {
    const { client, url } = this.#options.configured();
    if (client) return client;
    if (!url) return null;
    // One client per configured URL (render asks on every update).
    if (this.#ownClientUrl !== url) {
      this.#ownClient = new DicomWebClient({ baseUrl: url });
      this.#ownClientUrl = url;
    }
    return this.#ownClient;
  }

  /** Retrieves a series from the server and opens it; throws when no server is configured. */
  async open(ref: SeriesRef): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('no DICOMweb server is configured (dicomweb-url)');
    await this.#options.files.openSeries('Retrieving the series from PACS', (io, signal, progress) =>
      loadDicomWebSeries(client, ref, { signal, progress, loader: (files, options) => io.loadDicom(files, options) }),
      { kind: 'dicomweb', studyInstanceUid: ref.studyInstanceUid, seriesInstanceUid: ref.seriesInstanceUid },
    );
  }

  /** Shows the search dialog. */
  openDialog(): void {
    this.#dialog()?.showModal();
  }

  /** The search dialog; nothing without a server. */
  renderDialog() {
    const client = this.client;
    if (!client) return nothing;
    return html`<dialog part="pacs-dialog" class="pacs-dialog" aria-label="Open from PACS">
        <delineo-dicomweb-browser .client=${client} @delineo-series-open=${(e: DelineoSeriesOpenEvent) => void this.#onSeriesOpen(e)}></delineo-dicomweb-browser>
        <form method="dialog"><button>Close</button></form>
      </dialog>`;
  }

  async #onSeriesOpen(e: DelineoSeriesOpenEvent): Promise<void> {
    this.#dialog()?.close();
    await this.open(e.detail);
  }

  #dialog(): HTMLDialogElement | null {
    return this.#options.renderRoot().querySelector<HTMLDialogElement>('dialog[part="pacs-dialog"]');
  }
}
