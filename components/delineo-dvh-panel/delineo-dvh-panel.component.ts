import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Subscription } from 'rxjs';
import {
  CONSTRAINT_TEMPLATES,
  volumeAtLeastCc,
  volumeAtLeastPercent,
  type ConstraintResult,
  type DoseReview,
  type DvhProgress,
  type ReviewedDose,
  type StructureDvh,
  type StructureSetState,
} from '../../src/index.ts';
import { emit } from '../internal/emit.ts';
import styles from './delineo-dvh-panel.styles.ts';
import { drawDvhPlot, plotDoseAt, plotMaxGy, type DvhCurve } from './dvh-plot.ts';

/** A structure with a DVH, as the table and the plot show it. */
interface DvhRow {
  readonly id: string;
  readonly name: string;
  readonly color: readonly number[];
  readonly shown: boolean;
  readonly dvh: StructureDvh;
  /** Its DVH in the comparison dose (the prediction beside the plan), when one is reviewed. */
  readonly compared: StructureDvh | null;
}

/**
 * @summary Dose–volume histograms of the structures in the reviewed dose: cumulative curves, a read-out under the
 * pointer, the metrics table (volume, min, mean, max, D98, D95, D50, D2, D0.1cc, D2cc) and the clinical
 * constraints of a template, each pass / fail / not evaluable and a click away from its structure.
 *
 * It shows what its `review` (a {@link DoseReview}) computes: DVHs are recomputed there, only for the structures
 * an edit changed. A predicted dose is marked PREDICTED in the header, the table and every constraint line (and
 * "stale" while a recomputation after an edit is under way); its curves are dashed.
 * Curves follow the structures' colours and visibility; a structure's row toggles its curve.
 *
 * With a comparison dose (the review's `comparison$`: a prediction beside the plan's dose), each structure's
 * predicted curve is drawn dashed in the same colour, the table gives each structure a "Predicted" row under
 * its own, and the constraints are also checked on the prediction ("likely …").
 *
 * @event {DelineoStructureSelectEvent} delineo-structure-select - The user clicked a constraint or a structure's row: its structure is selected.
 *
 * @csspart header - The dose's label, the template menu and the units.
 * @csspart predicted - The PREDICTED badge of a predicted dose (the one reviewed, or the comparison).
 * @csspart stale - "stale" beside the badge of a prediction being recomputed after an edit.
 * @csspart comparison - The comparison dose's label in the header.
 * @csspart predicted-row - A structure's metrics in the comparison dose, under its own row.
 * @csspart predicted-constraints - The constraints checked on the comparison dose.
 * @csspart template-select - The constraint template menu.
 * @csspart volume-unit - The volume axis unit (% or cc).
 * @csspart dose-unit - The dose unit (Gy or % of the prescription), shown when the plan states a prescription.
 * @csspart plot - The canvas with the curves.
 * @csspart readout - The dose under the pointer and each visible structure's volume at it.
 * @csspart table - The metrics table.
 * @csspart constraints - The constraint list.
 * @csspart constraint - One constraint (also `constraint pass`, `constraint fail`, `constraint not-evaluable`).
 *
 * @cssproperty --delineo-dvh-panel-foreground - Text and axes.
 * @cssproperty --delineo-dvh-panel-muted - Secondary text.
 * @cssproperty --delineo-dvh-panel-grid - Grid lines.
 * @cssproperty --delineo-dvh-panel-pass - A met constraint.
 * @cssproperty --delineo-dvh-panel-fail - A failed constraint.
 * @cssproperty --delineo-dvh-panel-predicted - The PREDICTED badge.
 */
export class DelineoDvhPanel extends LitElement {
  static override styles = styles;

  /** The dose review shown (dose, DVHs, constraint results). */
  @property({ attribute: false }) accessor review: DoseReview | null = null;

  /** Volume axis and table: '%' of each structure (default) or 'cc'. */
  @property({ attribute: 'volume-unit' }) accessor volumeUnit: '%' | 'cc' = '%';

  /**
   * Dose axis, table and read-out: 'Gy' (default) or '%' of the prescription. '%' applies only while the dose
   * shown has a prescription (its plan states one); otherwise doses are in Gy.
   */
  @property({ attribute: 'dose-unit' }) accessor doseUnit: 'Gy' | '%' = 'Gy';

  @state() private accessor dose: ReviewedDose | null = null;
  @state() private accessor dvhs: ReadonlyMap<string, StructureDvh> = new Map();
  @state() private accessor results: readonly ConstraintResult[] = [];
  @state() private accessor progress: DvhProgress | null = null;
  @state() private accessor error: string | null = null;
  @state() private accessor setState: StructureSetState | null = null;
  @state() private accessor templateId = '';
  /** Structures whose curve the user hid here. */
  @state() private accessor hiddenCurves: ReadonlySet<string> = new Set();
  @state() private accessor hoverGy: number | null = null;
  @state() private accessor comparison: ReviewedDose | null = null;
  @state() private accessor comparisonDvhs: ReadonlyMap<string, StructureDvh> = new Map();
  @state() private accessor comparisonResults: readonly ConstraintResult[] = [];

  #subscriptions: Subscription[] = [];
  #comparisonSubscriptions: Subscription[] = [];
  #attached: DoseReview | null = null;
  #resize: ResizeObserver | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#attach();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#detach();
    this.#resize?.disconnect();
    this.#resize = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('review')) this.#attach();
  }

  protected override updated(): void {
    // The plot exists only with a dose, and the observer ends when the panel leaves the page: (re)start it here.
    const canvas = this.renderRoot.querySelector('canvas');
    if (canvas && !this.#resize) {
      this.#resize = new ResizeObserver(() => this.#draw());
      this.#resize.observe(canvas);
    }
    this.#draw();
  }

  #detach(): void {
    for (const s of this.#subscriptions) s.unsubscribe();
    this.#subscriptions = [];
    this.#attached = null;
    this.#attachComparison(null);
  }

  #attachComparison(review: DoseReview | null): void {
    for (const s of this.#comparisonSubscriptions) s.unsubscribe();
    this.#comparisonSubscriptions = [];
    this.comparison = null;
    this.comparisonDvhs = new Map();
    this.comparisonResults = [];
    if (!review) return;
    this.#comparisonSubscriptions = [
      review.dose$.subscribe((d) => (this.comparison = d)),
      review.dvhs$.subscribe((d) => (this.comparisonDvhs = d)),
      review.results$.subscribe((r) => (this.comparisonResults = r)),
    ];
  }

  #attach(): void {
    const review = this.isConnected ? this.review : null;
    if (review === this.#attached) return;
    this.#detach();
    if (!review) return;
    this.#attached = review;
    this.#subscriptions = [
      review.dose$.subscribe((d) => (this.dose = d)),
      review.dvhs$.subscribe((d) => (this.dvhs = d)),
      review.results$.subscribe((r) => (this.results = r)),
      review.progress$.subscribe((p) => (this.progress = p)),
      review.error$.subscribe((e) => (this.error = e)),
      review.template$.subscribe((t) => (this.templateId = t?.id ?? '')),
      review.store.state$.subscribe((s) => (this.setState = s)),
      review.comparison$.subscribe((c) => this.#attachComparison(c)),
    ];
  }

  /** The structures with a DVH, in list order, with their colour and whether their curve shows. */
  #rows(): DvhRow[] {
    const out: DvhRow[] = [];
    for (const s of this.setState?.structures ?? []) {
      const dvh = this.dvhs.get(s.id);
      const compared = this.comparison ? (this.comparisonDvhs.get(s.id) ?? null) : null;
      if (dvh) out.push({ id: s.id, name: s.name, color: s.color, shown: s.visible && !this.hiddenCurves.has(s.id), dvh, compared });
    }
    return out;
  }

  #select(id: string): void {
    const store = this.review?.store;
    if (!store) return;
    store.setActive(id);
    emit(this, 'delineo-structure-select', { id, name: store.record(id).name });
  }

  #toggle(id: string): void {
    const next = new Set(this.hiddenCurves);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.hiddenCurves = next;
  }

  protected override render() {
    const dose = this.dose;
    if (!dose) return html`<p class="empty">No dose loaded: open an RT Dose with the CT, or predict one.</p>`;
    const rows = this.#rows();
    const unit = this.volumeUnit;
    const doseUnit = this.#percentOf() ? '%' : 'Gy';
    const compared = this.comparison;
    return html`
      <header part="header">
        <span class="dose-label">${predictedBadge(dose)} ${dose.label}${compared ? html`<span part="comparison" class="comparison"> vs ${predictedBadge(compared)} ${compared.label} <span class="muted">(dashed)</span></span>` : nothing}</span>
        <select part="template-select" aria-label="Constraint template" @change=${(e: Event) => this.review?.setTemplate(CONSTRAINT_TEMPLATES.find((t) => t.id === (e.target as HTMLSelectElement).value) ?? null)}>
          <option value="" ?selected=${!this.templateId}>No constraints</option>
          ${CONSTRAINT_TEMPLATES.map((t) => html`<option value=${t.id} ?selected=${t.id === this.templateId}>${t.name}</option>`)}
        </select>
        <select part="volume-unit" aria-label="Volume unit" @change=${(e: Event) => (this.volumeUnit = (e.target as HTMLSelectElement).value as '%' | 'cc')}>
          <option value="%" ?selected=${unit === '%'}>Volume %</option>
          <option value="cc" ?selected=${unit === 'cc'}>Volume cc</option>
        </select>
        ${dose.prescriptionGy
          ? html`<select part="dose-unit" aria-label="Dose unit" @change=${(e: Event) => (this.doseUnit = (e.target as HTMLSelectElement).value as 'Gy' | '%')}>
              <option value="Gy" ?selected=${this.doseUnit === 'Gy'}>Dose Gy</option>
              <option value="%" ?selected=${this.doseUnit === '%'}>Dose % of ${+dose.prescriptionGy.toFixed(2)} Gy</option>
            </select>`
          : nothing}
      </header>
      ${this.progress ? html`<p class="progress" role="status">Computing DVHs… ${this.progress.done} / ${this.progress.total}</p>` : nothing}
      ${this.error ? html`<p class="fail" role="alert">DVH failed: ${this.error}</p>` : nothing}
      <div class="plot">
        <canvas part="plot" role="img" aria-label="Cumulative dose–volume histograms" @pointermove=${(e: PointerEvent) => this.#hover(e)} @pointerleave=${() => (this.hoverGy = null)}></canvas>
        <div part="readout">${this.#readout(rows)}</div>
      </div>
      <div class="table-wrap">
        <table part="table" aria-label=${dose.predicted ? 'Dose–volume metrics of the predicted dose' : 'Dose–volume metrics'}>
          ${dose.predicted ? html`<caption>${predictedBadge(dose)} metrics of the model's prediction</caption>` : nothing}
          <thead>
            <tr><th scope="col">Structure</th><th scope="col">Volume cc</th>${['Min', 'Mean', 'Max'].map((h) => html`<th scope="col">${h} ${doseUnit}</th>`)}${['D98', 'D95', 'D50', 'D2', 'D0.1cc', 'D2cc'].map((h) => html`<th scope="col">${h}</th>`)}</tr>
          </thead>
          <tbody>
            ${rows.map(({ id, name, color, shown, dvh, compared: predicted }) => {
              return html`<tr data-id=${id} @click=${() => this.#select(id)}>
                  <td><input type="checkbox" .checked=${shown} aria-label=${`Show ${name}'s curve`} @click=${(e: Event) => e.stopPropagation()} @change=${() => this.#toggle(id)} /><span class="swatch" style=${`background: rgb(${color.join(',')})`}></span>${name}</td>
                  ${this.#metricCells(dvh)}
                </tr>
                ${predicted
                  ? html`<tr part="predicted-row" class="predicted-row" data-predicted-for=${id} title=${`${name} in ${compared!.label}`} @click=${() => this.#select(id)}>
                      <td><span class="swatch dashed" style=${`border-color: rgb(${color.join(',')})`}></span>Predicted</td>
                      ${this.#metricCells(predicted)}
                    </tr>`
                  : nothing}`;
            })}
          </tbody>
        </table>
      </div>
      ${this.#constraints(this.results, dose, 'constraints', 'Dose constraints')}
      ${compared ? this.#constraints(this.comparisonResults, compared, 'predicted-constraints', 'Dose constraints on the prediction') : nothing}
    `;
  }

  /** A structure's volume and dose metrics, as table cells. */
  #metricCells(dvh: StructureDvh) {
    const m = dvh.metrics;
    return html`<td>${m.volumeCc.toFixed(2)}</td>
      ${[m.minGy, m.meanGy, m.maxGy, m.d98Gy, m.d95Gy, m.d50Gy, m.d2Gy, m.d0_1ccGy, m.d2ccGy].map((v) => html`<td>${this.#doseText(v)}</td>`)}`;
  }

  /** The constraint results of a dose, each a click away from its structure; a prediction's say "likely". */
  #constraints(results: readonly ConstraintResult[], dose: ReviewedDose, part: string, label: string) {
    if (!results.length) return nothing;
    return html`<ul part=${part} aria-label=${label}>
      ${part !== 'constraints' ? html`<li class="constraints-head">${predictedBadge(dose)} ${dose.label}</li>` : nothing}
      ${results.map((r) => {
        const id = this.review?.structureOf(r.constraint) ?? null;
        const mark = r.status === 'pass' ? '✓' : r.status === 'fail' ? '✗' : '–';
        return html`<li part=${`constraint ${r.status}`} class=${r.status}>
          <button ?disabled=${!id} title=${r.constraint.source} @click=${() => id && this.#select(id)}>${mark} ${dose.predicted ? 'likely ' : ''}${r.text}</button>
        </li>`;
      })}
    </ul>`;
  }

  /** The prescription doses are shown as a percentage of, or null when they are shown in Gy. */
  #percentOf(): number | null {
    const rx = this.dose?.prescriptionGy;
    return this.doseUnit === '%' && rx && rx > 0 ? rx : null;
  }

  /** A dose as shown: Gy (2 decimals), or % of the prescription (1 decimal); whole numbers on the axis. */
  #doseText(gy: number, axis = false): string {
    const rx = this.#percentOf();
    if (rx) return ((100 * gy) / rx).toFixed(axis ? 0 : 1);
    return axis ? `${Math.round(gy)}` : gy.toFixed(2);
  }

  #readout(rows: readonly DvhRow[]) {
    const gy = this.hoverGy;
    if (gy === null) return 'Point at the plot for the volume receiving each dose';
    const at = (d: StructureDvh) => (this.volumeUnit === '%' ? `${volumeAtLeastPercent(d.dvh, gy).toFixed(1)} %` : `${volumeAtLeastCc(d.dvh, gy).toFixed(2)} cc`);
    const parts = rows.filter((r) => r.shown).map((r) => `${r.name} ${at(r.dvh)}${r.compared ? ` (predicted ${at(r.compared)})` : ''}`);
    const rx = this.#percentOf();
    return `≥ ${gy.toFixed(1)} Gy${rx ? ` (${((100 * gy) / rx).toFixed(1)} %)` : ''}: ${parts.join(' · ')}`;
  }

  #maxGy(): number {
    return plotMaxGy([...this.dvhs.values(), ...(this.comparison ? this.comparisonDvhs.values() : [])]);
  }

  #hover(e: PointerEvent): void {
    this.hoverGy = plotDoseAt(e.currentTarget as HTMLCanvasElement, e.clientX, this.#maxGy());
  }

  #draw(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    const style = getComputedStyle(this);
    const rows = this.#rows();
    const curves: DvhCurve[] = [];
    for (const r of rows.filter((row) => row.shown)) {
      curves.push({ color: r.color, dvh: r.dvh, dashed: !!this.dose?.predicted });
      if (r.compared) curves.push({ color: r.color, dvh: r.compared, dashed: true });
    }
    drawDvhPlot(canvas, {
      curves,
      maxGy: this.#maxGy(),
      volumeUnit: this.volumeUnit,
      maxCc: Math.max(0, ...rows.map((r) => r.dvh.metrics.volumeCc)),
      percentOf: this.#percentOf(),
      doseText: (gy) => this.#doseText(gy, true),
      hoverGy: this.hoverGy,
      foreground: style.getPropertyValue('--delineo-dvh-panel-foreground').trim() || '#e6e8ea',
      grid: style.getPropertyValue('--delineo-dvh-panel-grid').trim() || '#2a2f34',
    });
  }
}

/** PREDICTED (and "stale" while it is being recomputed) for a prediction; nothing for a planned dose. */
function predictedBadge(dose: ReviewedDose) {
  if (!dose.predicted) return nothing;
  return html`<span part="predicted" title="A model's prediction, not a planned dose">PREDICTED</span>${dose.stale ? html` <span part="stale" title="The structures were edited since: a new prediction is being computed">stale</span>` : nothing}`;
}
