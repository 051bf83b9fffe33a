import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { of, switchMap, type Subscription } from 'rxjs';
import {
  DEFAULT_SURFACE_DICE_TOLERANCE_MM,
  type ConstraintResult,
  type DoseReview,
  nextForReview,
  nextUncertainSlice,
  qaFindings,
  showStructure,
  type QaFinding,
  type ReviewMetrics,
  type StructureRecord,
  type StructureSetState,
  type ViewerSession,
} from '../../src/index.ts';
import { emit } from '../internal/emit.ts';
import { SessionController } from '../internal/session-controller.ts';
import styles from './delineo-review-panel.styles.ts';

const STATUS_TEXT: Readonly<Record<ReviewMetrics['status'], string>> = { approved: 'Approved', auto: 'Auto — not reviewed', edited: 'Edited', manual: 'Manual' };

const KIND_TEXT: Readonly<Record<QaFinding['kind'], string>> = {
  'empty-slices': 'Empty slices',
  islands: 'Islands',
  'outside-external': 'Outside External',
  'in-air': 'In air',
  'wrong-side': 'Wrong side',
};

/**
 * @summary Review of the session's structures: the selected structure's status (auto, edited, approved), how
 * much the clinician changed the model's contour, approve / withdraw, next / previous structure to review,
 * and a QA list of problems across all structures, each a click away from the place it names.
 *
 * The change measures compare the current mask with the model's original (kept by the session's review
 * tracker from the moment the auto-contour arrived): added path length — the contour length the clinician
 * drew, in mm, summed over axial slices (Vaassen et al. 2020) — surface Dice at 2 mm (Nikolov et al. 2021)
 * and volumetric Dice. The QA checks (`qaFindings`, given the session's CT): empty slices inside a structure's
 * extent, disconnected islands, contour outside the External, contour in the air around the patient (from the
 * CT's numbers, with or without an External), and left/right structures on the wrong side of the patient's
 * midline. Both are recomputed a moment after the structures stop changing, not on every brush step.
 *
 * @event {DelineoStructureApproveEvent} delineo-structure-approve - The user approved a structure or withdrew its approval.
 * @event {DelineoStructureSelectEvent} delineo-structure-select - The user went to a structure (next/previous, or a QA finding).
 *
 * @csspart summary - The selected structure's name, status and provenance.
 * @csspart status - The status badge (also `status approved`, `status auto`, `status edited`, `status manual`).
 * @csspart metrics - The change measures against the model's original.
 * @csspart uncertainty - An auto-contour's attention score (its mean model uncertainty) and the next-uncertain-slice button.
 * @csspart next-uncertain-button - Next uncertain slice of the selected structure (most uncertain first).
 * @csspart approve-button - Approve / withdraw approval.
 * @csspart previous-button - Previous structure to review.
 * @csspart next-button - Next structure to review.
 * @csspart progress - "N of M approved".
 * @csspart qa - The QA section.
 * @csspart finding - One QA finding (also `finding error` or `finding warning`); a button that shows the place.
 * @csspart constraint-finding - A dose constraint the dose shown fails (or cannot be evaluated on), or that a
 *   prediction reviewed beside the plan's dose likely fails (a warning); a button that shows its structure.
 *
 * @cssproperty --delineo-review-panel-foreground - Text colour.
 * @cssproperty --delineo-review-panel-muted - Secondary text.
 * @cssproperty --delineo-review-panel-accent - Buttons and the approved badge.
 * @cssproperty --delineo-review-panel-warning - Warnings and the auto badge.
 * @cssproperty --delineo-review-panel-error - Errors.
 */
export class DelineoReviewPanel extends LitElement {
  static override styles = styles;

  /** The contouring session reviewed. */
  @property({ attribute: false }) accessor session: ViewerSession | null = null;

  /**
   * The dose review whose constraint checks join the QA list: a failed constraint is an error, one that cannot be
   * evaluated a warning (the DVH panel lists the passes too). The app sets it while a dose is shown.
   */
  @property({ attribute: false }) accessor doseReview: DoseReview | null = null;

  /** Milliseconds the structures must stay unchanged before the measures and QA are recomputed (default 250). */
  @property({ type: Number, attribute: 'settle-ms' }) accessor settleMs = 250;

  @state() private accessor setState: StructureSetState | null = null;
  @state() private accessor metrics: ReviewMetrics | null = null;
  @state() private accessor findings: readonly QaFinding[] | null = null;
  @state() private accessor qaError: string | null = null;
  @state() private accessor constraints: readonly ConstraintResult[] = [];
  @state() private accessor predictedDose = false;
  /** The constraints a prediction reviewed beside the plan's dose (the review's comparison) likely fails. */
  @state() private accessor predictedFails: readonly ConstraintResult[] = [];

  #doseSubscriptions: Subscription[] = [];
  #doseAttached: DoseReview | null = null;

  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Mask versions and approval of the state last analysed: unchanged structures are not analysed again. */
  #analysedKey = '';

  protected readonly sessionController = new SessionController<ViewerSession>(this, {
    session: () => this.session,
    changed: () => {
      this.metrics = null;
      this.findings = null;
      this.#analysedKey = '';
    },
    attach: (session) => [
      session.store.state$.subscribe((s) => {
        this.setState = s;
        this.#schedule();
      }),
      // A run's uncertainty map arrives just after its structures.
      session.uncertainty.version$.subscribe(() => this.requestUpdate()),
    ],
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.#attachDose();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#timer) clearTimeout(this.#timer);
    this.#detachDose();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('doseReview')) this.#attachDose();
  }

  #detachDose(): void {
    for (const s of this.#doseSubscriptions) s.unsubscribe();
    this.#doseSubscriptions = [];
    this.#doseAttached = null;
    this.constraints = [];
    this.predictedFails = [];
  }

  #attachDose(): void {
    const review = this.isConnected ? this.doseReview : null;
    if (review === this.#doseAttached) return;
    this.#detachDose();
    if (!review) return;
    this.#doseAttached = review;
    this.#doseSubscriptions = [
      review.results$.subscribe((r) => (this.constraints = r.filter((x) => x.status !== 'pass'))),
      review.dose$.subscribe((d) => (this.predictedDose = d?.predicted ?? false)),
      review.comparison$.pipe(switchMap((c) => c?.results$ ?? of([]))).subscribe((r) => (this.predictedFails = r.filter((x) => x.status === 'fail'))),
    ];
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#analyse(), this.settleMs);
  }

  /** Recomputes the selected structure's measures (cached per mask version) and the QA findings. */
  #analyse(): void {
    this.#timer = null;
    const session = this.session;
    const state = this.setState;
    if (!session || !state) return;
    const active = state.structures.find((s) => s.id === state.activeId);
    this.metrics = active ? session.review.metrics(active.id) : null;
    const key = state.structures.map((s) => `${s.id}:${s.maskVersion}:${s.name}:${s.interpretedType}`).join('|');
    if (key === this.#analysedKey) return;
    this.#analysedKey = key;
    try {
      this.findings = qaFindings(session.store, session.volume);
      this.qaError = null;
    } catch (error) {
      this.qaError = (error as Error).message;
    }
  }

  /** The QA findings of the last check (null before the first). */
  get qaResults(): readonly QaFinding[] | null {
    return this.findings;
  }

  protected override render() {
    const session = this.session;
    const state = this.setState;
    if (!session || !state) return html`<p class="empty">No structures to review.</p>`;
    const active = state.structures.find((s) => s.id === state.activeId) ?? null;
    const approved = state.structures.filter((s) => s.approved).length;
    return html`
      <section class="review" aria-label="Review">
        ${active ? this.#renderActive(active) : html`<p class="empty">Select a structure to review it.</p>`}
        <div class="nav">
          <button part="previous-button" title="Previous structure to review (,)" ?disabled=${!state.structures.length} @click=${() => this.#go(-1)}>‹ Previous</button>
          <span part="progress" class="progress">${approved} of ${state.structures.length} approved</span>
          <button part="next-button" title="Next structure to review (.)" ?disabled=${!state.structures.length} @click=${() => this.#go(1)}>Next ›</button>
        </div>
      </section>
      ${this.#renderQa(state)}
    `;
  }

  #renderActive(r: StructureRecord) {
    const m = this.metrics && this.session?.store.state.activeId === r.id ? this.metrics : null;
    const status = m?.status ?? (r.approved ? 'approved' : 'manual');
    const source = r.provenance ? `${r.provenance.algorithm.toLowerCase()}${r.provenance.source ? ` · ${r.provenance.source}${r.provenance.version ? ` ${r.provenance.version}` : ''}` : ''}` : '';
    return html`
      <div part="summary" class="summary">
        <span class="swatch" .style=${`background: rgb(${r.color.join(',')})`}></span>
        <span class="name">${r.name}</span>
        <span part=${`status ${status}`} class=${`status ${status}`}>${STATUS_TEXT[status]}</span>
      </div>
      ${source ? html`<div class="source">${source}</div>` : nothing}
      ${m?.original
        ? html`<dl part="metrics" class="metrics">
            <dt title="Contour length the clinician added or redrew, summed over axial slices">Added path length</dt>
            <dd>${m.addedPathLengthMm!.toFixed(0)} mm on ${m.addedSlices} slice${m.addedSlices === 1 ? '' : 's'}</dd>
            <dt title=${`Fraction of both surfaces within ${DEFAULT_SURFACE_DICE_TOLERANCE_MM} mm of the other`}>Surface Dice (${DEFAULT_SURFACE_DICE_TOLERANCE_MM} mm)</dt>
            <dd>${m.surfaceDice!.toFixed(3)}</dd>
            <dt>Volumetric Dice</dt>
            <dd>${m.dice!.toFixed(3)}</dd>
            <dt>Volume</dt>
            <dd>${m.originalVolumeCc!.toFixed(1)} → ${m.volumeCc.toFixed(1)} cc</dd>
          </dl>`
        : m
          ? html`<dl part="metrics" class="metrics"><dt>Volume</dt><dd>${m.volumeCc.toFixed(1)} cc</dd></dl>`
          : nothing}
      ${this.#renderUncertainty(r)}
      <button part="approve-button" class=${r.approved ? 'withdraw' : 'approve'} title="Approve, or withdraw approval (A)" @click=${() => this.#toggle(r)}>
        ${r.approved ? 'Withdraw approval' : 'Approve'}
      </button>
    `;
  }

  /** The model's doubt about an auto-contour: its attention score and the way to its most uncertain slices. */
  #renderUncertainty(r: StructureRecord) {
    const u = this.session?.uncertainty.summary(r.id);
    if (!u) return nothing;
    return html`<div part="uncertainty" class="uncertainty">
      <span title="Mean model uncertainty (0 = certain, 1 = no idea) in and just around the contour">Attention ${u.attention.toFixed(2)}</span>
      <button part="next-uncertain-button" title="Next uncertain slice (J): where the model doubts most first" ?disabled=${!u.slices.length} @click=${() => this.#nextUncertain(r.id)}>Next uncertain slice</button>
    </div>`;
  }

  #nextUncertain(id: string): void {
    const session = this.session;
    if (session) nextUncertainSlice(session, id);
  }

  #renderQa(state: StructureSetState) {
    const findings = this.findings;
    const constraints = this.constraints;
    const likely = this.predictedFails;
    // Summaries are cached per mask version, so this costs nothing on a render that changed no mask.
    const flags = this.session?.uncertainty.flags() ?? [];
    const errors = (findings?.filter((f) => f.severity === 'error').length ?? 0) + constraints.filter((c) => c.status === 'fail').length;
    const count = (findings?.length ?? 0) + constraints.length + likely.length + flags.length;
    return html`<section part="qa" class="qa" aria-label="Quality checks">
      <h3>Checks ${findings ? html`<span class="count ${errors ? 'has-errors' : count ? 'has-warnings' : 'ok'}">${count ? `${count} to look at` : 'all clear'}</span>` : nothing}</h3>
      ${this.qaError ? html`<p class="error">The checks failed: ${this.qaError}</p>` : nothing}
      ${findings?.length
        ? html`<ul>
            ${findings.map(
              (f) => html`<li>
                <button part=${`finding ${f.severity}`} class=${`finding ${f.severity} ${f.structureId === state.activeId ? 'active' : ''}`} data-kind=${f.kind} @click=${() => this.#showFinding(f)}>
                  <span class="kind">${KIND_TEXT[f.kind]}</span> <span class="who">${f.structureName}</span>
                  <span class="what">${f.message}</span>
                </button>
              </li>`,
            )}
          </ul>`
        : nothing}
      ${flags.length
        ? html`<ul aria-label="Uncertain structures">
            ${flags.map(
              (f) => html`<li>
                <button part=${`finding ${f.severity}`} class=${`finding ${f.severity} ${f.structureId === state.activeId ? 'active' : ''}`} data-kind="uncertain" @click=${() => this.#showUncertain(f.structureId)}>
                  <span class="kind">Uncertain</span> <span class="who">${f.structureName}</span>
                  <span class="what">${f.message}</span>
                </button>
              </li>`,
            )}
          </ul>`
        : nothing}
      ${constraints.length || likely.length ? this.#renderConstraints(constraints, likely, state) : nothing}
    </section>`;
  }

  #renderConstraints(results: readonly ConstraintResult[], likely: readonly ConstraintResult[], state: StructureSetState) {
    const item = (r: ConstraintResult, predicted: boolean, severity: 'error' | 'warning') => {
      const id = this.doseReview?.structureOf(r.constraint) ?? null;
      return html`<li>
        <button part=${`constraint-finding ${severity}`} class=${`finding ${severity} ${id && id === state.activeId ? 'active' : ''}`} title=${r.constraint.source} ?disabled=${!id} @click=${() => id && this.#showStructure(id)}>
          <span class="kind">${predicted ? 'Predicted dose' : 'Dose'}</span>
          <span class="what">${predicted && r.status === 'fail' ? `likely ${r.text}` : r.text}</span>
        </button>
      </li>`;
    };
    return html`<ul aria-label="Dose constraints">
      ${results.map((r) => item(r, this.predictedDose, r.status === 'fail' ? 'error' : 'warning'))}
      ${likely.map((r) => item(r, true, 'warning'))}
    </ul>`;
  }

  #showStructure(id: string): void {
    const session = this.session;
    if (!session || !session.store.state.structures.some((s) => s.id === id)) return;
    session.store.setActive(id);
    showStructure(session, id, true);
    emit(this, 'delineo-structure-select', { id, name: session.store.record(id).name });
  }

  #showUncertain(id: string): void {
    const session = this.session;
    if (!session || !session.store.state.structures.some((s) => s.id === id)) return;
    session.store.setActive(id);
    nextUncertainSlice(session, id);
    emit(this, 'delineo-structure-select', { id, name: session.store.record(id).name });
  }

  #toggle(r: StructureRecord): void {
    const store = this.session?.store;
    if (!store) return;
    store.approve(r.id, !r.approved);
    emit(this, 'delineo-structure-approve', { structureId: r.id, name: r.name, approved: !r.approved });
  }

  #go(direction: 1 | -1): void {
    const session = this.session;
    if (!session) return;
    const id = nextForReview(session, direction);
    if (id) emit(this, 'delineo-structure-select', { id, name: session.store.record(id).name });
  }

  #showFinding(f: QaFinding): void {
    const session = this.session;
    if (!session || !session.store.state.structures.some((s) => s.id === f.structureId)) return;
    session.store.setActive(f.structureId);
    // setCrosshair refuses a non-finite point; a finding without one shows its structure instead.
    if (f.location.every(Number.isFinite)) session.setCrosshair(f.location);
    else showStructure(session, f.structureId, true);
    emit(this, 'delineo-structure-select', { id: f.structureId, name: f.structureName });
  }
}
