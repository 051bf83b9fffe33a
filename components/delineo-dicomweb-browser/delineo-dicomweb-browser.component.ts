import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { DicomWebError, type DicomWebClient, type DicomWebSeries, type DicomWebStudy } from '../../src/index.ts';
import { emit } from '../internal/emit.ts';
import { personName } from '../../src/index.ts';
import { QueryTask } from '../internal/query-task.ts';
import styles from './delineo-dicomweb-browser.styles.ts';

// QIDO-RS attributes beyond the standard's required return keys: StudyDescription and ModalitiesInStudy
// (not required at study level), SeriesDescription and NumberOfSeriesRelatedInstances (optional at series level).
const STUDY_FIELDS = ['00081030', '00080061', '00201208'];
const SERIES_FIELDS = ['0008103E', '00200011', '00201209'];

/** Modalities this element lets the user open (the app loads CT series). */
const OPENABLE = new Set(['CT']);

/**
 * The QIDO-RS match value for what the user typed: their own `*`/`?` wildcards as they are, otherwise a
 * substring match; "Family, Given" (how names are shown) becomes the DICOM form "Family^Given".
 */
export function qidoPattern(text: string): string {
  const t = text.trim().replace(/\s*,\s*/, '^');
  return /[*?]/.test(t) ? t : `*${t}*`;
}

/** A DICOM date (YYYYMMDD) as an ISO date, which no reader mistakes for day/month; other values as they are. */
export function displayDate(da: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : da;
}

/**
 * What the user can do about a failed DICOMweb query, in words: a refused login, a refused account, a server
 * that cannot be reached (also the same-origin proxy's 502/503/504), a study that is gone, or the server's own
 * message.
 */
export function dicomWebErrorText(error: unknown): string {
  if (error instanceof DicomWebError) {
    const status = error.status;
    if (error.code === 'unauthorized') return 'The server refused the credentials (HTTP 401). Check the user name and password, or sign in again, then try again.';
    if (error.code === 'forbidden') return 'The server refused access (HTTP 403): this account may not see these studies.';
    if (error.code === 'network' || status === 502 || status === 503 || status === 504)
      return 'The DICOMweb server could not be reached. Check that it is running and that its address is right, then try again.';
    if (error.code === 'not-found') return 'The server no longer has this study (HTTP 404); it may have been deleted. Search again.';
    return `The server answered with an error: ${error.message}`;
  }
  return `The query failed: ${error instanceof Error ? error.message : String(error)}`;
}

const byDateDescending = (a: DicomWebStudy, b: DicomWebStudy) => b.studyDate.localeCompare(a.studyDate) || a.patientName.localeCompare(b.patientName);
const bySeriesNumber = (a: DicomWebSeries, b: DicomWebSeries) => (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity) || a.modality.localeCompare(b.modality);

function seriesKind(s: DicomWebSeries): string {
  if (s.modality === 'CT') return 'CT images';
  if (s.modality === 'RTSTRUCT') return 'RT Structure Set';
  return `${s.modality || 'Unknown modality'}: cannot be opened here`;
}

const count = (n: number | undefined) => (n === undefined ? '' : `${n} instance${n === 1 ? '' : 's'}`);

/**
 * @summary Finds studies on a DICOMweb server (QIDO-RS) and lets the user open one of their CT series.
 *
 * Lists the studies the server returns — patient name, patient ID, study date, description, modalities —
 * newest first, filtered by the search field (patient name or ID; `*` and `?` are wildcards, plain text
 * matches anywhere). Selecting a study lists its series (modality, description, number of instances); CT
 * series can be opened, RT Structure Sets and other series are shown as such. The element only browses: Open
 * emits `delineo-series-open` and the application retrieves the series with the same client
 * (`loadDicomWebSeries`).
 *
 * Keyboard: both lists are listboxes with a roving focus. ArrowUp/ArrowDown, Home/End move in a list (in the
 * studies list this selects the study and lists its series); Enter or ArrowRight on a study moves to its series;
 * Enter on a CT series opens it; ArrowLeft or Escape goes back to the studies; ArrowDown in the search field
 * moves to the studies. A new search cancels the queries in flight, and so does removing the element.
 * Loading, empty results and failures (unreachable server, refused credentials) are shown as text with what to do.
 *
 * @event {DelineoSeriesOpenEvent} delineo-series-open - The user opened a CT series.
 *
 * @csspart search - The search form.
 * @csspart search-input - The patient name / ID field.
 * @csspart search-button - Starts the search.
 * @csspart studies - The studies listbox.
 * @csspart study - One study's row.
 * @csspart patient-name - The patient's name ("Family, Given").
 * @csspart patient-id - The patient ID.
 * @csspart study-date - The study date (YYYY-MM-DD).
 * @csspart study-description - The study description.
 * @csspart modalities - The modalities in the study.
 * @csspart series - The series listbox.
 * @csspart series-item - One series' row.
 * @csspart selected - Added to the selected study's and the selected series' rows.
 * @csspart unavailable - Added to the rows of series that cannot be opened (RT Structure Sets, other modalities).
 * @csspart modality - The series' modality.
 * @csspart series-description - The series description.
 * @csspart instances - The number of instances.
 * @csspart kind - What the series is (CT images, RT Structure Set, …).
 * @csspart status - Progress and empty results, for the studies and for the series.
 * @csspart error - A failure and what to do about it.
 * @csspart retry-button - Runs the failed query again.
 * @csspart open-button - Opens the selected CT series.
 *
 * @cssproperty --delineo-dicomweb-browser-background - Background.
 * @cssproperty --delineo-dicomweb-browser-foreground - Text colour.
 * @cssproperty --delineo-dicomweb-browser-muted - Secondary text (IDs, dates, counts, status).
 * @cssproperty --delineo-dicomweb-browser-selected - Background of the selected rows.
 * @cssproperty --delineo-dicomweb-browser-focus - Focus ring and accent colour.
 * @cssproperty --delineo-dicomweb-browser-error - Colour of error messages.
 */
export class DelineoDicomwebBrowser extends LitElement {
  static override styles = styles;

  /** The DICOMweb client (base URL and auth hook chosen by the application); null shows nothing to browse. */
  @property({ attribute: false }) accessor client: DicomWebClient | null = null;

  /** At most this many studies per search (QIDO-RS `limit`); the element says when a search hit it. */
  @property({ type: Number }) accessor limit = 200;

  /** The text of the search field (patient name or ID); `search()` runs it. */
  @property() accessor query = '';

  @state() private accessor selectedStudyUid: string | null = null;
  @state() private accessor selectedSeriesUid: string | null = null;
  /** The rows holding the roving tabindex in each list. */
  @state() private accessor focusStudyUid: string | null = null;
  @state() private accessor focusSeriesUid: string | null = null;

  readonly #studies = new QueryTask(this, (signal, client: DicomWebClient, text: string) => this.#findStudies(signal, client, text));
  readonly #series = new QueryTask(this, (signal, client: DicomWebClient, studyUid: string) => this.#findSeries(signal, client, studyUid));
  /** The search to run at the next update (a new client, or a reconnection that interrupted one). */
  #searchDue = false;
  #focusAfterUpdate: { list: 'study' | 'series'; uid: string } | null = null;
  /** The series listing in progress or last done, so that selecting the same study again waits for it. */
  #seriesRun: { uid: string; done: Promise<void> } | null = null;

  /** The selected study, if any. */
  get selectedStudy(): DicomWebStudy | null {
    return this.#studies.value?.find((s) => s.studyInstanceUid === this.selectedStudyUid) ?? null;
  }

  /** The selected series (always one that can be opened), if any. */
  get selectedSeries(): DicomWebSeries | null {
    return this.#series.value?.find((s) => s.seriesInstanceUid === this.selectedSeriesUid) ?? null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Removing the element aborted its queries; coming back runs them again.
    if (this.#studies.interrupted) {
      this.#searchDue = true;
      this.requestUpdate();
    }
    if (this.#series.interrupted && this.selectedStudyUid) {
      this.#seriesRun = null;
      void this.selectStudy(this.selectedStudyUid);
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('client')) {
      this.#studies.clear();
      this.#series.clear();
      this.#seriesRun = null;
      this.selectedStudyUid = this.selectedSeriesUid = this.focusStudyUid = this.focusSeriesUid = null;
      this.#searchDue = this.client !== null;
    }
    if (this.#searchDue && this.client && this.isConnected) {
      this.#searchDue = false;
      void this.#studies.run(this.client, this.query);
    }
  }

  /**
   * Searches for studies whose patient name or ID matches `text` (default: the search field), cancelling the
   * queries in flight. Resolves when the list is shown (or the failure is).
   */
  async search(text: string = this.query): Promise<void> {
    this.query = text;
    this.#series.clear();
    this.#seriesRun = null;
    this.selectedStudyUid = this.selectedSeriesUid = this.focusSeriesUid = null;
    if (!this.client) return;
    this.#searchDue = false;
    await this.#studies.run(this.client, text);
    await this.updateComplete;
  }

  /**
   * Selects a study and lists its series (cancelling a series query in flight); when the study has exactly one
   * CT series, that series is selected too. Resolves when the series are shown (or the failure is).
   */
  selectStudy(studyInstanceUid: string): Promise<void> {
    const client = this.client;
    if (!client) return Promise.resolve();
    const run = this.#seriesRun;
    if (run?.uid === studyInstanceUid && this.#series.status !== 'error' && this.#series.status !== 'idle') return run.done;
    this.selectedStudyUid = this.focusStudyUid = studyInstanceUid;
    this.selectedSeriesUid = this.focusSeriesUid = null;
    const current = { uid: studyInstanceUid, done: Promise.resolve() };
    this.#seriesRun = current;
    current.done = (async () => {
      await this.#series.run(client, studyInstanceUid);
      if (this.#seriesRun !== current) return;
      const ct = (this.#series.value ?? []).filter((s) => OPENABLE.has(s.modality));
      // The only CT of a study is what the user will open: select it so Open is one click away.
      if (this.#series.status === 'complete' && ct.length === 1) this.selectedSeriesUid = ct[0].seriesInstanceUid;
      this.focusSeriesUid = this.selectedSeriesUid ?? this.#series.value?.[0]?.seriesInstanceUid ?? null;
      await this.updateComplete;
    })();
    return current.done;
  }

  async #findStudies(signal: AbortSignal, client: DicomWebClient, text: string): Promise<DicomWebStudy[]> {
    const base = { includefield: STUDY_FIELDS, limit: this.limit };
    if (!text.trim()) return (await client.searchStudies(base, { signal })).sort(byDateDescending);
    // QIDO-RS has no "or": one query per attribute, merged by study.
    const pattern = qidoPattern(text);
    const [byName, byId] = await Promise.all([client.searchStudies({ ...base, PatientName: pattern }, { signal }), client.searchStudies({ ...base, PatientID: pattern }, { signal })]);
    const merged = new Map<string, DicomWebStudy>();
    for (const s of [...byName, ...byId]) if (!merged.has(s.studyInstanceUid)) merged.set(s.studyInstanceUid, s);
    return [...merged.values()].sort(byDateDescending);
  }

  async #findSeries(signal: AbortSignal, client: DicomWebClient, studyUid: string): Promise<DicomWebSeries[]> {
    return (await client.searchSeries(studyUid, { includefield: SERIES_FIELDS }, { signal })).sort(bySeriesNumber);
  }

  protected override render() {
    return html`
      <form part="search" class="search" role="search" @submit=${this.#onSubmit}>
        <input
          part="search-input"
          type="search"
          name="query"
          aria-label="Patient name or ID"
          placeholder="Patient name or ID (* and ? are wildcards)"
          autocomplete="off"
          .value=${this.query}
          ?disabled=${!this.client}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
          @keydown=${this.#onSearchKey}
        />
        <button part="search-button" type="submit" ?disabled=${!this.client}>Search</button>
      </form>
      <div class="panes">
        <section class="pane" aria-label="Studies">${this.#studiesPane()}</section>
        <section class="pane" aria-label="Series of the selected study">${this.#seriesPane()}</section>
      </div>
      <div class="actions">
        <span class="selection" id="selection">${this.selectedSeries ? `${this.selectedSeries.modality} · ${this.selectedSeries.seriesDescription || 'no description'} · ${count(this.selectedSeries.numberOfInstances)}` : 'Select a CT series to open'}</span>
        <button part="open-button" class="open" aria-describedby="selection" ?disabled=${!this.selectedSeries} @click=${() => this.#open()}>Open</button>
      </div>
    `;
  }

  #studiesPane() {
    if (!this.client) return html`<p part="status" class="status" role="status">No DICOMweb server is configured.</p>`;
    const task = this.#studies;
    const studies = task.value ?? [];
    const text = this.query.trim();
    const status =
      task.status === 'pending'
        ? 'Searching the server…'
        : task.status === 'complete' && studies.length === 0
          ? text
            ? `No studies match “${text}”. Check the spelling, or search with * as a wildcard.`
            : 'The server has no studies.'
          : task.status === 'complete' && studies.length >= this.limit
            ? `Showing the first ${this.limit} studies: narrow the search to see the others.`
            : '';
    return html`
      <div class="row header studies-row" aria-hidden="true"><span>Patient</span><span>ID</span><span>Date</span><span>Description</span><span>Modalities</span></div>
      <div part="studies" class="list" role="listbox" aria-label="Studies" aria-busy=${task.status === 'pending' ? 'true' : 'false'} @keydown=${this.#onStudiesKey}>
        ${task.status === 'error' ? nothing : studies.map((s) => this.#studyRow(s))}
      </div>
      <p part="status" class="status" role="status">${status}</p>
      ${task.status === 'error' ? this.#error(task.error, () => void this.search()) : nothing}
    `;
  }

  #studyRow(s: DicomWebStudy) {
    const selected = s.studyInstanceUid === this.selectedStudyUid;
    const focus = this.focusStudyUid ?? this.#studies.value?.[0]?.studyInstanceUid;
    const name = personName(s.patientName) || '(no name)';
    return html`
      <div
        part=${selected ? 'study selected' : 'study'}
        class="row studies-row item ${selected ? 'selected' : ''}"
        role="option"
        data-uid=${s.studyInstanceUid}
        aria-selected=${selected ? 'true' : 'false'}
        aria-label="${name}, ID ${s.patientId || 'none'}, ${displayDate(s.studyDate) || 'no date'}, ${s.studyDescription || 'no description'}, ${s.modalitiesInStudy.join(' ') || 'no modalities'}"
        tabindex=${focus === s.studyInstanceUid ? 0 : -1}
        @click=${() => this.#chooseStudy(s.studyInstanceUid)}
      >
        <span part="patient-name" class="name" title=${name}>${name}</span>
        <span part="patient-id" class="muted">${s.patientId}</span>
        <span part="study-date" class="muted">${displayDate(s.studyDate)}</span>
        <span part="study-description" class="description" title=${s.studyDescription}>${s.studyDescription}</span>
        <span part="modalities" class="muted">${s.modalitiesInStudy.join(', ')}</span>
      </div>
    `;
  }

  #seriesPane() {
    if (!this.client || !this.selectedStudyUid) return html`<p part="status" class="status" role="status">${this.client && this.#studies.value?.length ? 'Select a study to see its series.' : ''}</p>`;
    const task = this.#series;
    const series = task.value ?? [];
    const status = task.status === 'pending' ? 'Listing the series…' : task.status === 'complete' && series.length === 0 ? 'This study has no series on the server.' : '';
    return html`
      <div class="row header series-row" aria-hidden="true"><span>Modality</span><span>Description</span><span>Instances</span><span></span></div>
      <div part="series" class="list" role="listbox" aria-label="Series" aria-busy=${task.status === 'pending' ? 'true' : 'false'} @keydown=${this.#onSeriesKey}>
        ${task.status === 'complete' ? series.map((s) => this.#seriesRow(s)) : nothing}
      </div>
      <p part="status" class="status" role="status">${status}</p>
      ${task.status === 'error' ? this.#error(task.error, () => void this.selectStudy(this.selectedStudyUid!)) : nothing}
    `;
  }

  #seriesRow(s: DicomWebSeries) {
    const openable = OPENABLE.has(s.modality);
    const selected = s.seriesInstanceUid === this.selectedSeriesUid;
    const kind = seriesKind(s);
    return html`
      <div
        part=${['series-item', selected ? 'selected' : '', openable ? '' : 'unavailable'].filter(Boolean).join(' ')}
        class="row series-row item ${selected ? 'selected' : ''} ${openable ? '' : 'unavailable'}"
        role="option"
        data-uid=${s.seriesInstanceUid}
        data-modality=${s.modality}
        aria-selected=${selected ? 'true' : 'false'}
        aria-disabled=${openable ? 'false' : 'true'}
        aria-label="${s.modality}, ${s.seriesDescription || 'no description'}, ${count(s.numberOfInstances) || 'unknown number of instances'}, ${kind}"
        tabindex=${this.focusSeriesUid === s.seriesInstanceUid ? 0 : -1}
        @click=${() => this.#chooseSeries(s)}
        @dblclick=${() => openable && this.#open()}
      >
        <span part="modality" class="modality">${s.modality}</span>
        <span part="series-description" class="description" title=${s.seriesDescription}>${s.seriesDescription}</span>
        <span part="instances" class="muted">${count(s.numberOfInstances)}</span>
        <span part="kind" class="kind ${openable ? '' : 'muted'}">${kind}</span>
      </div>
    `;
  }

  #error(error: unknown, retry: () => void) {
    return html`<div part="error" class="error" role="alert">
      <span>${dicomWebErrorText(error)}</span>
      <button part="retry-button" type="button" @click=${retry}>Try again</button>
    </div>`;
  }

  protected override updated(): void {
    const target = this.#focusAfterUpdate;
    if (!target) return;
    this.#focusAfterUpdate = null;
    const list = target.list === 'study' ? 'studies' : 'series';
    this.renderRoot.querySelector<HTMLElement>(`[part~="${list}"] [role="option"][data-uid="${CSS.escape(target.uid)}"]`)?.focus();
  }

  #onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    void this.search();
  }

  #onSearchKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowDown') return;
    const uid = this.focusStudyUid ?? this.#studies.value?.[0]?.studyInstanceUid;
    if (!uid) return;
    e.preventDefault();
    this.#focusAfterUpdate = { list: 'study', uid };
    this.requestUpdate();
  }

  #chooseStudy(uid: string): void {
    this.focusStudyUid = uid;
    this.#focusAfterUpdate = { list: 'study', uid };
    this.requestUpdate();
    void this.selectStudy(uid);
  }

  #chooseSeries(s: DicomWebSeries): void {
    this.focusSeriesUid = s.seriesInstanceUid;
    this.#focusAfterUpdate = { list: 'series', uid: s.seriesInstanceUid };
    // A series that cannot be opened takes the focus (to be read out) but not the selection.
    if (OPENABLE.has(s.modality)) this.selectedSeriesUid = s.seriesInstanceUid;
    this.requestUpdate();
  }

  /** Arrow keys, Home and End over `uids` from `current`; the new uid, or null for another key. */
  #move(e: KeyboardEvent, uids: readonly string[], current: string | null): string | null {
    const at = current ? uids.indexOf(current) : -1;
    switch (e.key) {
      case 'ArrowDown':
        return uids[Math.min(uids.length - 1, at + 1)] ?? null;
      case 'ArrowUp':
        return uids[Math.max(0, at - 1)] ?? null;
      case 'Home':
        return uids[0] ?? null;
      case 'End':
        return uids[uids.length - 1] ?? null;
      default:
        return null;
    }
  }

  #onStudiesKey(e: KeyboardEvent): void {
    const uids = (this.#studies.value ?? []).map((s) => s.studyInstanceUid);
    const current = this.focusStudyUid ?? uids[0] ?? null;
    const next = this.#move(e, uids, current);
    let handled = true;
    if (next) this.#chooseStudy(next);
    else if ((e.key === 'Enter' || e.key === 'ArrowRight') && current) {
      if (current !== this.selectedStudyUid) this.#chooseStudy(current);
      void this.selectStudy(current).then(() => {
        const uid = this.focusSeriesUid;
        if (uid) {
          this.#focusAfterUpdate = { list: 'series', uid };
          this.requestUpdate();
        }
      });
    } else if (e.key === ' ' && current) this.#chooseStudy(current);
    else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  #onSeriesKey(e: KeyboardEvent): void {
    const list = this.#series.value ?? [];
    const uids = list.map((s) => s.seriesInstanceUid);
    const current = this.focusSeriesUid ?? uids[0] ?? null;
    const next = this.#move(e, uids, current);
    let handled = true;
    if (next) this.#chooseSeries(list.find((s) => s.seriesInstanceUid === next)!);
    else if (e.key === 'Enter' || e.key === ' ') {
      const s = list.find((x) => x.seriesInstanceUid === current);
      if (s) this.#chooseSeries(s);
      if (e.key === 'Enter' && s && OPENABLE.has(s.modality)) this.#open();
    } else if ((e.key === 'ArrowLeft' || e.key === 'Escape') && this.selectedStudyUid) {
      this.#focusAfterUpdate = { list: 'study', uid: this.selectedStudyUid };
      this.requestUpdate();
    } else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  #open(): void {
    const s = this.selectedSeries;
    if (!s || !OPENABLE.has(s.modality)) return;
    emit(this, 'delineo-series-open', { studyInstanceUid: s.studyInstanceUid || this.selectedStudyUid!, seriesInstanceUid: s.seriesInstanceUid, modality: s.modality, description: s.seriesDescription });
  }
}
