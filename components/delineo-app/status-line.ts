import { html, nothing, type ReactiveControllerHost } from 'lit';
import { type StructureRecord, type Volume, personName, type ViewerSession } from '../../src/index.ts';

/**
 * The status line's text: the patient, the CT's name, grid and voxel spacing and how many structures are
 * approved; or why the image could not be loaded; or what to do when nothing is open.
 */
export function statusText(volume: Volume | null, structures: readonly StructureRecord[], state: { readonly loadError: string | null; readonly loading: boolean }): string {
  if (state.loadError) return `Could not load the image: ${state.loadError}`;
  if (!volume) return state.loading ? 'Generating the demo phantom…' : 'No image loaded: open CT files or a folder, or drop them here';
  const [nx, ny, nz] = volume.dimensions;
  const spacing = volume.spacing.map((s) => s.toFixed(2)).join(' × ');
  const patient = volume.identity.patientName ? `${personName(volume.identity.patientName)} · ` : '';
  const approved = structures.filter((s) => s.approved).length;
  const review = structures.length ? ` · ${approved} of ${structures.length} structures approved` : '';
  return `${patient}${volume.name || 'Unnamed volume'} · ${nx} × ${ny} × ${nz} voxels · ${spacing} mm${review}`;
}

/** A DICOM date (YYYYMMDD) as 2026-12-03; anything else as written. */
const dicomDate = (d: string | undefined): string => (d && /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : (d ?? ''));

/**
 * The case as a clinician names it in the header: patient, study date and series description (the CT's own name
 * when the series has no description, e.g. a NIfTI file or the demo).
 */
export function caseTitle(volume: Volume): string {
  const id = volume.identity;
  return [id.patientName ? personName(id.patientName) : id.patientId, dicomDate(id.studyDate), id.seriesDescription || volume.name].filter(Boolean).join(' · ') || 'Unnamed volume';
}

/**
 * The message beside the status: the last edit, undo, approval or refusal, said by the app's parts
 * ({@link StatusMessage.say}) or heard from its views (a committed edit, a refused one, an approval in the
 * review panel).
 */
export class StatusMessage {
  /** What was said last, or null. */
  said: { readonly text: string; readonly error: boolean } | null = null;

  readonly #host: ReactiveControllerHost & HTMLElement;

  /** `session`: the session shown, to name the structure an edit changed. */
  constructor(host: ReactiveControllerHost & HTMLElement, session: () => ViewerSession | null) {
    this.#host = host;
    host.addEventListener('delineo-edit-refuse', (e) => this.say(e.detail.message, true));
    host.addEventListener('delineo-structure-edit', (e) => {
      const name = session()?.store.state.structures.find((s) => s.id === e.detail.structureId)?.name ?? '';
      this.say(`${e.detail.label}${name ? ` · ${name}` : ''}`, false);
    });
    host.addEventListener('delineo-structure-approve', (e) => {
      if (e.composedPath()[0] !== host) this.say(`${e.detail.approved ? 'Approved' : 'Approval withdrawn'} · ${e.detail.name}`, false);
    });
  }

  /** Shows `text` beside the status, as an error when `error`. */
  say(text: string, error: boolean): void {
    this.said = { text, error };
    this.#host.requestUpdate();
  }

  /** Clears the message (a new CT was opened). */
  clear(): void {
    this.said = null;
    this.#host.requestUpdate();
  }

  /** The `message` part; nothing until something was said. */
  render() {
    const said = this.said;
    return said ? html`<div part="message" class=${said.error ? 'error' : ''} role="status" aria-live="polite">${said.text}</div>` : nothing;
  }
}
