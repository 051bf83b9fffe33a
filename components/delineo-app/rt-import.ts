import { doseFromImage, importStructures, readRtObjectsOntoCt, JobError, type RtDose, type RtObjectFile, type RtPlanSummary, type Volume, type ViewerSession } from '../../src/index.ts';
import { emit } from '../internal/emit.ts';
import type { NoticeList } from '../internal/notices.ts';
import type { AppDose } from './app-dose.ts';
import { caseTitle } from './status-line.ts';

/** Files opened while a CT is shown that belong to it rather than replace it. */
export interface AddedFiles {
  /** RT objects found by the loader's scan (RTSTRUCT, RTDOSE, RTPLAN, and kinds Delineo ignores). */
  readonly rtObjects: readonly RtObjectFile[];
  /** Dose images (NIfTI, NRRD, MHA) read as volumes. */
  readonly doseImages: readonly { readonly file: string; readonly volume: Volume }[];
  /** Files that could not be read at all, each a typed error naming the file. */
  readonly unreadable: readonly JobError[];
  /** The loader's warnings about the files (non-DICOM files among them, several patients …). */
  readonly warnings: readonly string[];
}

/** What the RT import part asks its host. */
export interface RtImportOptions {
  readonly notices: NoticeList;
  readonly dose: AppDose;
}

/**
 * RT objects joining the case shown: those opened with a CT (the structure set chosen for it, doses, plans), and
 * those added to the CT already open — a structure set's structures added beside the ones drawn (names made
 * unique, one undo step per file, nothing replaced), doses offered in the dose section, plans summarised there.
 * A file that cannot be placed on this CT (another Frame of Reference …) is refused with a notice naming it and
 * why, announced with `delineo-error` (operation 'open'); the case is left as it was.
 */
export class RtImport {
  readonly #host: HTMLElement;
  readonly #options: RtImportOptions;

  constructor(host: HTMLElement, options: RtImportOptions) {
    this.#host = host;
    this.#options = options;
  }

  /**
   * A CT was opened with these RT objects: the dose section shows its doses and plans; the objects refused are a
   * notice (the CT itself opened, so this is not an error of the opening).
   */
  opened(session: ViewerSession, doses: readonly RtDose[], plans: readonly RtPlanSummary[], refused: readonly JobError[]): void {
    this.#options.dose.show(session, doses, plans);
    this.#refuse(refused);
  }

  /**
   * Adds `added` to the session's CT. Announcements (`delineo-error` for each refusal) go through `finish`, the
   * job's way to emit once it is done.
   */
  add(session: ViewerSession, added: AddedFiles, finish: (announce: () => void) => void): void {
    const ct = session.volume;
    const read = readRtObjectsOntoCt(added.rtObjects, ct, { structureSets: 'all', plans: this.#options.dose.plansOf(session) });
    const refused = [...added.unreadable, ...read.refused];
    const warnings = [...added.warnings, ...read.warnings];
    const doses = [...read.doses];
    for (const image of added.doseImages) {
      try {
        const dose = doseFromImage(image.volume, image.file, ct);
        doses.push(dose);
        warnings.push(...dose.warnings.map((w) => w.message));
      } catch (e) {
        if (!(e instanceof JobError)) throw e;
        refused.push(e);
      }
    }
    const done: string[] = [];
    for (const set of read.structureSets) {
      const merge = importStructures(session.store.state.structures, set.structures, set.file);
      if (merge.add.length) session.store.addMany(merge.add, merge.label);
      const renamed = merge.renamed.map((r) => `${r.from} → ${r.to}`);
      done.push(`${merge.add.length} structure${merge.add.length === 1 ? '' : 's'} from ${set.file}${renamed.length ? ` (names taken, renamed: ${renamed.join(', ')})` : ''}`);
    }
    for (const d of doses) done.push(`the dose ${d.label}`);
    for (const p of read.plans) done.push(`the plan ${p.label || p.name || p.file}`);
    if (doses.length || read.plans.length) this.#options.dose.add(session, doses, read.plans);
    this.#refuse(refused, finish);
    if (done.length) this.#options.notices.notify(warnings.length ? 'warning' : 'info', `Added to ${caseTitle(ct)}: ${done.join('; ')}`, warnings);
    else if (!refused.length) this.#options.notices.notify('warning', 'Nothing was added: the files hold no structure set, dose or plan Delineo reads', warnings);
  }

  /** One error notice for the files refused (each message names its file and why); with `finish`, `delineo-error` for each. */
  #refuse(refused: readonly JobError[], finish?: (announce: () => void) => void): void {
    if (!refused.length) return;
    const messages = refused.map((e) => e.message);
    if (refused.length === 1) this.#options.notices.notify('error', `Not loaded: ${messages[0]}`);
    else this.#options.notices.notify('error', `${refused.length} files were not loaded`, messages);
    finish?.(() => {
      for (const e of refused) emit(this.#host, 'delineo-error', { operation: 'open', code: e.code, message: e.message, file: e.file ?? null });
    });
  }
}
