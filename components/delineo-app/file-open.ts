import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { inputName, createIoWorker, initialWindow, isDoseImageName, readRtObjectsOntoCt, JobError, type CtSource, type RtDose, type RtPlanSummary, type DicomLoadResult, type DicomSeriesSummary, type DicomVolumeResult, type FileInput, type IoWorker, type LoadFilesResult, type ProgressCallback, type VolumeFileResult, type Volume, ViewerSession } from '../../src/index.ts';
import type { DelineoVolumeLoadDetail } from '../events/delineo-volume-load.ts';
import type { JobController } from '../internal/job-controller.ts';
import type { AddedFiles } from './rt-import.ts';
import { caseTitle } from './status-line.ts';

/** A CT just loaded, as a session ready to be shown, with what the user should be told about the files. */
export interface OpenedCt {
  readonly session: ViewerSession;
  readonly warnings: readonly string[];
  /** Where the CT came from (recorded with its autosave, to open it again after a reload). */
  readonly source?: CtSource;
  /** The RT Doses found with the CT on its Frame of Reference (the user picks when there are several). */
  readonly doses: readonly RtDose[];
  /** The RT Plans found with the CT. */
  readonly plans: readonly RtPlanSummary[];
  /** RT objects among the files that were not loaded (another Frame of Reference …), each naming its file and why. */
  readonly refused: readonly JobError[];
}

/** What `delineo-volume-load` says about a volume shown. */
export function volumeLoadDetail(volume: Volume): DelineoVolumeLoadDetail {
  return { dimensions: [...volume.dimensions], spacing: [...volume.spacing], seriesInstanceUid: volume.identity.seriesInstanceUid ?? null, name: volume.name };
}

/**
 * Makes a loaded CT a session: with the structures of the RT Structure Set among the files that belongs to it
 * (chooseRtstruct: its series, else its Frame of Reference, the newest; which one was taken and why each other
 * was not is told), the RT Doses and Plans on its Frame of Reference (readRtObjectsOntoCt: objects on another one
 * are refused, naming both UIDs; the CT still opens), and the window a clinician expects (the series' own, else
 * lung for a chest CT).
 */
export function openedCt(result: DicomVolumeResult | VolumeFileResult, source?: CtSource): OpenedCt {
  const volume = result.volume;
  const warnings = result.warnings.map((w) => w.message);
  const read = result.kind === 'volume' ? readRtObjectsOntoCt(result.rtObjects, volume, { structureSets: 'choose' }) : null;
  warnings.push(...(read?.warnings ?? []));
  const session = ViewerSession.withStructures(volume, [...(read?.structureSets[0]?.structures ?? [])]);
  session.setWindowLevel(initialWindow(volume));
  return { session, warnings, source, doses: read?.doses ?? [], plans: read?.plans ?? [], refused: read?.refused ?? [] };
}

/**
 * The question before another CT replaces a session whose changes were not exported: what stays (the autosave, for
 * a CT with DICOM identifiers when autosave is on) and what does not.
 */
export function leaveQuestion(current: ViewerSession, next: ViewerSession, autosaveOn: boolean): { text: string; details: string[] } {
  const n = current.store.state.structures.length;
  const id = current.volume.identity;
  const autosaved = autosaveOn && !!(id.frameOfReferenceUid || id.seriesInstanceUid);
  return {
    text: `Open ${caseTitle(next.volume)}? The ${n} structure${n === 1 ? '' : 's'} on ${caseTitle(current.volume)} ${n === 1 ? 'has' : 'have'} changes that were not exported.`,
    details: autosaved
      ? ['They stay autosaved in this browser and are offered back when you open that CT again.', 'Export them (Ctrl+S) to have them in a file.']
      : ['This CT is not autosaved (it has no DICOM identifiers, or autosave is off): these changes will be lost.', 'Export them (Ctrl+S) first to keep them.'],
  };
}

/** What the file-open part asks its host. */
export interface FileOpenOptions {
  readonly jobs: JobController;
  /** Where @itk-wasm/image-io's pipelines are served (the host's `image-io-url`). */
  readonly imageIoUrl: () => string;
  /** Shows an opened CT in place of what is shown: the one place where opening replaces the current session. */
  readonly adopt: (opened: OpenedCt) => Promise<void>;
  /** The session shown, to which RT objects and dose images opened without a CT are added. */
  readonly current: () => ViewerSession | null;
  /** Adds such files to `session`; `finish` defers announcements until the job is done. */
  readonly add: (session: ViewerSession, added: AddedFiles, finish: (announce: () => void) => void) => void;
  /** A folder was picked that holds no file the browser can read. */
  readonly nothingFound?: () => void;
}

/** A record of picked files, to ask for them again after a reload. */
function filesSource(files: readonly FileInput[]): CtSource {
  return { kind: 'files', count: files.length, names: files.slice(0, 3).map((f, n) => inputName(f, n)) };
}

type FileOpenHost = ReactiveControllerHost & HTMLElement & { readonly renderRoot: ParentNode };

/**
 * Opening a CT in an element: the file and folder pickers, drag and drop (folders walked), the choice among
 * several image series, and the loading itself as the host's job in the io worker (started on first use, ended
 * when the host leaves the page). Every way in to a new CT ends in {@link FileOpenOptions.adopt}. While a CT is
 * shown, files that hold no image series but RT objects (a structure set, dose or plan), and dose images
 * (isDoseImageName: dose.nii.gz …), are added to it instead ({@link FileOpenOptions.add}).
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

  /**
   * Opens CT files (DICOM of one or several series, NIfTI, NRRD, MHA); several series ask the user to choose.
   * With a CT shown, RT objects without images and dose images are added to it.
   */
  async openFiles(files: readonly FileInput[]): Promise<void> {
    if (!files.length) return;
    const current = this.#options.current();
    await this.#options.jobs.run('open', `Opening ${files.length} file${files.length === 1 ? '' : 's'}`, async (signal, progress, finish) => {
      const io = this.#worker();
      if (current && files.every((f, n) => isDoseImageName(inputName(f, n)))) {
        this.#options.add(current, await readDoseImages(io, files, signal), finish);
        return;
      }
      let result: LoadFilesResult;
      try {
        result = await io.loadFiles(files, { signal, progress });
      } catch (e) {
        // No image among the files: with a CT shown, RT objects among them are for it.
        if (!current || !(e instanceof JobError) || e.code !== 'no-image-series') throw e;
        const scan = await io.scanDicom(files, { signal, progress });
        if (!scan.rtObjects.length) throw e;
        this.#options.add(current, { rtObjects: scan.rtObjects, doseImages: [], unreadable: [], warnings: scan.warnings.map((w) => w.message) }, finish);
        return;
      }
      if (result.kind === 'choose-series') {
        this.#choose({ files, series: result.allSeries.filter((s) => s.modality === 'CT' || s.sliceCount > 1) });
        return;
      }
      await this.#options.adopt(openedCt(result, filesSource(files)));
    });
  }

  /** Opens one series loaded by `load` (e.g. retrieved from a server) with the io worker, as the host's job labelled `label`. */
  async openSeries(label: string, load: (io: IoWorker, signal: AbortSignal, progress: ProgressCallback) => Promise<DicomLoadResult>, source?: CtSource): Promise<void> {
    await this.#options.jobs.run('open', label, async (signal, progress) => {
      const result = await load(this.#worker(), signal, progress);
      if (result.kind !== 'volume') throw new Error('the server returned several image series for one series UID');
      await this.#options.adopt(openedCt(result, source));
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
      if (result.kind === 'volume') await this.#options.adopt(openedCt(result, filesSource(choice.files)));
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
    // Chromium lists no file behind a symbolic link in a picked folder, and says nothing: say it.
    else if (input.dataset.pick === 'folder') this.#options.nothingFound?.();
  };

  async #onDrop(e: DragEvent): Promise<void> {
    if (!e.dataTransfer) return;
    e.preventDefault();
    const files = await droppedFiles(e.dataTransfer);
    if (files.length) await this.openFiles(files);
  }
}

/** Reads dose images in the io worker, one by one: a file that cannot be read is named, the others still added. */
async function readDoseImages(io: IoWorker, files: readonly FileInput[], signal: AbortSignal): Promise<AddedFiles> {
  const doseImages: { file: string; volume: VolumeFileResult['volume'] }[] = [];
  const unreadable: JobError[] = [];
  for (const [n, f] of files.entries()) {
    try {
      doseImages.push({ file: inputName(f, n), volume: (await io.loadVolumeFile(f, { signal, modality: 'RTDOSE' })).volume });
    } catch (e) {
      if (!(e instanceof JobError)) throw e;
      unreadable.push(e);
    }
  }
  return { rtObjects: [], doseImages, unreadable, warnings: [] };
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
