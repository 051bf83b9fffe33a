import { rtstructFileName, storeRtstruct, writeRtstruct, type DicomWebClient, type RtstructWriteResult, type ViewerSession } from '../../src/index.ts';
import type { DelineoExportDetail } from '../events/delineo-export.ts';
import { emit } from '../internal/emit.ts';
import type { ConfirmDialog } from '../internal/confirm.ts';
import type { JobController } from '../internal/job-controller.ts';
import type { NoticeList } from '../internal/notices.ts';

/** What the export part asks its host. */
export interface RtstructExportOptions {
  readonly jobs: JobController;
  readonly notices: NoticeList;
  /** Asks before structures nobody approved are exported. */
  readonly confirm: ConfirmDialog;
  /** The status line's message (an export the user cancelled). */
  readonly say: (text: string) => void;
  /** Where the temporary download link goes: inside the host's shadow root, so the page's DOM is not touched. */
  readonly renderRoot: () => ParentNode;
}

/**
 * Exporting the structure set as a DICOM RT Structure Set referencing the CT, as the host's job: downloaded as
 * `RS_<patient>_<time>.dcm`, or stored in the CT's study with STOW-RS. When structures that will be written are
 * not approved, the user is asked first, naming them (Enter exports, Escape cancels): the file then says
 * UNAPPROVED, and a cancel writes and sends nothing. The notice says what was written and names the structures
 * not approved; `delineo-export` announces the file once the job is done.
 */
export class RtstructExport {
  readonly #host: EventTarget;
  readonly #options: RtstructExportOptions;

  constructor(host: EventTarget, options: RtstructExportOptions) {
    this.#host = host;
    this.#options = options;
  }

  /**
   * Writes the session's structures (empty ones skipped with a warning) and downloads them, or stores them with
   * `client` when one is given. Resolves with what was written, or null when it failed or was cancelled.
   */
  async run(session: ViewerSession, client: DicomWebClient | null): Promise<RtstructWriteResult | null> {
    const destination = client ? 'dicomweb' : 'download';
    const label = client ? 'Sending the RTSTRUCT to PACS' : 'Exporting the RTSTRUCT';
    // While another job runs the export is refused below (with the reason): nothing to ask then.
    if (!this.#options.jobs.running && !(await this.#approvedOrConfirmed(session, client !== null))) {
      this.#options.say(`${client ? 'Sending' : 'Export'} cancelled: nothing was ${client ? 'sent' : 'written'}`);
      return null;
    }
    const written = await this.#options.jobs.run('export', label, async (signal, progress, finish) => {
      const structures = session.store.structures();
      if (!structures.length) throw new Error('there are no structures to export');
      const written = client ? (await storeRtstruct(client, session.volume, structures, { signal, progress })).written : writeRtstruct(session.volume, structures);
      const fileName = rtstructFileName(session.volume, new Date());
      const file = new Blob([written.buffer], { type: 'application/dicom' });
      if (!client) download(file, fileName, this.#options.renderRoot());
      const writtenNames = structures.filter((s) => !s.mask.isEmpty()).map((s) => s.name);
      const unapproved = session.store.state.structures.filter((r) => !r.approved && writtenNames.includes(r.name)).map((r) => r.name);
      const warnings = written.warnings.map((w) => w.message);
      this.#options.notices.notify(
        warnings.length || unapproved.length ? 'warning' : 'info',
        `${client ? 'Stored' : 'Exported'} ${writtenNames.length} structure${writtenNames.length === 1 ? '' : 's'} as ${client ? 'a new RTSTRUCT in the study on the server' : fileName}${unapproved.length ? ` — not approved: ${unapproved.join(', ')}` : ''}`,
        warnings,
      );
      const detail: DelineoExportDetail = {
        destination,
        fileName,
        sopInstanceUid: written.sopInstanceUid,
        seriesInstanceUid: written.seriesInstanceUid,
        structureNames: writtenNames,
        unapprovedNames: unapproved,
        warnings,
        file,
      };
      finish(() => emit(this.#host, 'delineo-export', detail));
      return written;
    });
    return written ?? null;
  }

  /**
   * True when every structure that would be written (the non-empty ones) is approved, or the user confirmed
   * exporting those that are not, as UNAPPROVED.
   */
  async #approvedOrConfirmed(session: ViewerSession, send: boolean): Promise<boolean> {
    const store = session.store;
    const written = store.state.structures.filter((r) => !store.mask(r.id).isEmpty());
    const unapproved = written.filter((r) => !r.approved).map((r) => r.name);
    if (!unapproved.length) return true;
    const n = unapproved.length;
    const text = `${n} of the ${written.length} structures to ${send ? 'send' : 'export'} ${n === 1 ? 'is' : 'are'} not approved: ${send ? 'send' : 'export'} anyway?`;
    const details = [
      `Not approved: ${unapproved.join(', ')}.`,
      'The RT Structure Set will say UNAPPROVED, so a planning system knows they were not signed off.',
      'To approve them first, cancel and review each (A approves, . goes to the next).',
    ];
    return this.#options.confirm.ask(text, details, send ? 'Send as UNAPPROVED' : 'Export as UNAPPROVED', 'Cancel', 'confirm');
  }
}

/** Saves a Blob through a temporary link in `root`. */
function download(file: Blob, name: string, root: ParentNode): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  root.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
