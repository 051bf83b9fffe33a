import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { createIoWorker, importRtstruct, type DicomLoadResult, type DicomSeriesSummary, type DicomVolumeResult, type FileInput, type IoWorker, type ProgressCallback, type Structure, type VolumeFileResult, ViewerSession } from '../../src/index.ts';
import type { JobController } from '../internal/job-controller.ts';

/** A CT just loaded, as a session ready to be shown, with what the user should be told about the files. */
export interface OpenedCt {
  readonly session: ViewerSession;
  readonly warnings: readonly string[];
}

/**
 * Makes a loaded CT a session: with the structures of an RTSTRUCT found among the files on the CT's frame of
 * reference (the first such; the warnings say which one when there were several, and why none was read when
 * reading failed: the CT still opens).
 */
export function openedCt(result: DicomVolumeResult | VolumeFileResult): OpenedCt {
  const volume = result.volume;
  const warnings = result.warnings.map((w) => w.message);
  let structures: Structure[] = [];
  if (result.kind === 'volume') {
    const forUid = volume.identity.frameOfReferenceUid;
    const rtstructs = result.rtObjects.filter((o) => o.kind === 'RTSTRUCT' && (!forUid || !o.frameOfReferenceUid || o.frameOfReferenceUid === forUid));
    const chosen = rtstructs[0];
    if (chosen) {
      try {
        const imported = importRtstruct(chosen.bytes, volume, { file: chosen.file });
        structures = imported.structures;
        warnings.push(...imported.warnings.map((w) => w.message));
        if (rtstructs.length > 1) warnings.push(`${rtstructs.length} structure sets were found; ${chosen.file} (${chosen.label || 'no label'}) was loaded`);
      } catch (error) {
        warnings.push(`the structure set ${chosen.file} could not be read: ${(error as Error).message}`);
      }
    }
  }
  return { session: ViewerSession.withStructures(volume, structures), warnings };
}

/** What the file-open part asks its host. */
export interface FileOpenOptions {
  readonly jobs: JobController;
  /** Where @itk-wasm/image-io's pipelines are served (the host's `image-io-url`). */
  readonly imageIoUrl: () => string;
  /** Shows an opened CT in place of what is shown: the one place where opening replaces the current session. */
  readonly adopt: (opened: OpenedCt) => Promise<void>;
}

type FileOpenHost = ReactiveControllerHost & HTMLElement & { readonly renderRoot: ParentNode };

/**
 * Opening a CT in an element: the file and folder pickers, drag and drop (folders walked), the choice among
 * several image series, and the loading itself as the host's job in the io worker (started on first use, ended
 * when the host leaves the page). Every way in ends in {@link FileOpenOptions.adopt}.
 */
export class FileOpener implements ReactiveController {
  /** Several image series were opened at once: the user picks one. */
  seriesChoice: { readonly files: readonly FileInput[]; readonly series: readonly DicomSeriesSummary[] } | null = null;

  readonly #host: FileOpenHost;
  readonly #options: FileOpenOptions;
  #io: IoWorker | null = null;

  constructor(host: FileOpenHost, options: FileOpenOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
    host.addEventListener('dragover', (e) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    });
    host.addEventListener('drop', (e) => void this.#onDrop(e));
  }

  /** Opens CT files (DICOM of one or several series, NIfTI, NRRD, MHA); several series ask the user to choose. */
  async openFiles(files: readonly FileInput[]): Promise<void> {
    if (!files.length) return;
    await this.#options.jobs.run('open', `Opening ${files.length} file${files.length === 1 ? '' : 's'}`, async (signal, progress) => {
      const result = await this.#worker().loadFiles(files, { signal, progress });
      if (result.kind === 'choose-series') {
        this.#choose({ files, series: result.allSeries.filter((s) => s.modality === 'CT' || s.sliceCount > 1) });
        return;
      }
      await this.#options.adopt(openedCt(result));
    });
  }

  /** Opens one series loaded by `load` (e.g. retrieved from a server) with the io worker, as the host's job labelled `label`. */
  async openSeries(label: string, load: (io: IoWorker, signal: AbortSignal, progress: ProgressCallback) => Promise<DicomLoadResult>): Promise<void> {
    await this.#options.jobs.run('open', label, async (signal, progress) => {
      const result = await load(this.#worker(), signal, progress);
      if (result.kind !== 'volume') throw new Error('the server returned several image series for one series UID');
      await this.#options.adopt(openedCt(result));
    });
  }

  /** Opens the file picker ('files') or the folder picker ('folder'). */
  pick(kind: 'files' | 'folder'): void {
    const input = this.#host.renderRoot.querySelector<HTMLInputElement>(`input[data-pick="${kind}"]`);
    if (!input) return;
    input.value = '';
    input.click();
  }

  hostDisconnected(): void {
    this.#io?.dispose();
    this.#io = null;
  }

  /** The hidden inputs behind {@link FileOpener.pick}. */
  renderPickers() {
    return html`<input class="picker" type="file" multiple tabindex="-1" aria-hidden="true" data-pick="files" @change=${this.#onPicked} />
      <input class="picker" type="file" multiple webkitdirectory tabindex="-1" aria-hidden="true" data-pick="folder" @change=${this.#onPicked} />`;
  }

  /** The dialog to choose among several opened series; nothing when there is no choice to make. */
  renderSeriesDialog() {
    const choice = this.seriesChoice;
    if (!choice) return nothing;
    return html`<dialog part="series-dialog" class="series-dialog" aria-label="Choose a series" @close=${() => this.#choose(null)}>
      <h2>Several image series: choose one</h2>
      <ul>
        ${choice.series.map(
          (s) => html`<li><button data-series=${s.seriesInstanceUid} @click=${() => void this.#openChosen(s.seriesInstanceUid)}>
            ${s.modality} · ${s.seriesDescription || 'no description'} · ${s.sliceCount} slices${s.seriesNumber !== undefined ? ` · series ${s.seriesNumber}` : ''}
          </button></li>`,
        )}
      </ul>
      <form method="dialog"><button>Cancel</button></form>
    </dialog>`;
  }

  async #openChosen(seriesInstanceUid: string): Promise<void> {
    const choice = this.seriesChoice;
    this.#choose(null);
    if (!choice) return;
    await this.#options.jobs.run('open', 'Opening the series', async (signal, progress) => {
      const result = await this.#worker().loadDicom(choice.files, { signal, progress, seriesInstanceUid });
      if (result.kind === 'volume') await this.#options.adopt(openedCt(result));
    });
  }

  #choose(choice: FileOpener['seriesChoice']): void {
    this.seriesChoice = choice;
    this.#host.requestUpdate();
  }

  #worker(): IoWorker {
    this.#io ??= createIoWorker({ pipelinesBaseUrl: this.#options.imageIoUrl() });
    return this.#io;
  }

  #onPicked = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    if (files.length) void this.openFiles(files);
  };

  async #onDrop(e: DragEvent): Promise<void> {
    if (!e.dataTransfer) return;
    e.preventDefault();
    const files = await droppedFiles(e.dataTransfer);
    if (files.length) await this.openFiles(files);
  }
}

/** The files of a drop, folders walked recursively (DataTransferItem.webkitGetAsEntry). */
async function droppedFiles(transfer: DataTransfer): Promise<File[]> {
  const entries = [...transfer.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return [...transfer.files];
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}
