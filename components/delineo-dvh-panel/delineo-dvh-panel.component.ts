import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Subscription } from 'rxjs';
import {
  CONSTRAINT_TEMPLATES,
  cumulativeDvh,
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

/** A structure with a DVH, as the table and the plot show it. */
interface DvhRow {
  readonly id: string;
  readonly name: string;
  readonly color: readonly number[];
  readonly shown: boolean;
  readonly dvh: StructureDvh;
}

/** Dose step of the drawn curves (Gy). */
const CURVE_STEP_GY = 0.1;

/**
 * @summary Dose–volume histograms of the structures in the reviewed dose: cumulative curves, a read-out under the
 * pointer, the metrics table (volume, min, mean, max, D98, D95, D50, D2, D0.1cc, D2cc) and the clinical
 * constraints of a template, each pass / fail / not evaluable and a click away from its structure.
 *
 * It shows what its `review` (a {@link DoseReview}) computes: DVHs are recomputed there, only for the structures
 * an edit changed. A predicted dose is marked PREDICTED in the header, the table and every constraint line.
 * Curves follow the structures' colours and visibility; a structure's row toggles its curve.
 *
 * @event {DelineoStructureSelectEvent} delineo-structure-select - The user clicked a constraint or a structure's row: its structure is selected.
 *
 * @csspart header - The dose's label, the template menu and the units.
 * @csspart predicted - The PREDICTED badge of a predicted dose.
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

  #subscriptions: Subscription[] = [];
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
    ];
  }

  /** The structures with a DVH, in list order, with their colour and whether their curve shows. */
  #rows(): DvhRow[] {
    const out: DvhRow[] = [];
    for (const s of this.setState?.structures ?? []) {
      const dvh = this.dvhs.get(s.id);
      if (dvh) out.push({ id: s.id, name: s.name, color: s.color, shown: s.visible && !this.hiddenCurves.has(s.id), dvh });
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
    const predicted = dose.predicted ? html`<span part="predicted" title="A model's prediction, not a planned dose">PREDICTED</span>` : nothing;
    return html`
      <header part="header">
        <span class="dose-label">${predicted} ${dose.label}</span>
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
        <table part="table">
          <thead>
            <tr><th scope="col">Structure</th><th scope="col">Volume cc</th>${['Min', 'Mean', 'Max'].map((h) => html`<th scope="col">${h} ${doseUnit}</th>`)}${['D98', 'D95', 'D50', 'D2', 'D0.1cc', 'D2cc'].map((h) => html`<th scope="col">${h}</th>`)}</tr>
          </thead>
          <tbody>
            ${rows.map(({ id, name, color, shown, dvh }) => {
              const m = dvh.metrics;
              return html`<tr data-id=${id} @click=${() => this.#select(id)}>
                <td><input type="checkbox" .checked=${shown} aria-label=${`Show ${name}'s curve`} @click=${(e: Event) => e.stopPropagation()} @change=${() => this.#toggle(id)} /><span class="swatch" style=${`background: rgb(${color.join(',')})`}></span>${name}</td>
                <td>${m.volumeCc.toFixed(2)}</td>
                ${[m.minGy, m.meanGy, m.maxGy, m.d98Gy, m.d95Gy, m.d50Gy, m.d2Gy, m.d0_1ccGy, m.d2ccGy].map((v) => html`<td>${this.#doseText(v)}</td>`)}
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      ${this.results.length
        ? html`<ul part="constraints" aria-label="Dose constraints">
            ${this.results.map((r) => {
              const id = this.review?.structureOf(r.constraint) ?? null;
              const mark = r.status === 'pass' ? '✓' : r.status === 'fail' ? '✗' : '–';
              return html`<li part=${`constraint ${r.status}`} class=${r.status}>
                <button ?disabled=${!id} title=${r.constraint.source} @click=${() => id && this.#select(id)}>${mark} ${dose.predicted ? 'likely ' : ''}${r.text}</button>
              </li>`;
            })}
          </ul>`
        : nothing}
    `;
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
    const parts = rows.filter((r) => r.shown).map((r) => `${r.name} ${this.volumeUnit === '%' ? `${volumeAtLeastPercent(r.dvh.dvh, gy).toFixed(1)} %` : `${volumeAtLeastCc(r.dvh.dvh, gy).toFixed(2)} cc`}`);
    const rx = this.#percentOf();
    return `≥ ${gy.toFixed(1)} Gy${rx ? ` (${((100 * gy) / rx).toFixed(1)} %)` : ''}: ${parts.join(' · ')}`;
  }

  /** Plot area within the canvas, in CSS pixels. */
  #frame(canvas: HTMLCanvasElement) {
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    return { w, h, left: 40, right: w - 10, top: 8, bottom: h - 24 };
  }

  #maxGy(): number {
    let max = 0;
    for (const d of this.dvhs.values()) max = Math.max(max, d.dvh.maxGy);
    return Math.max(1, Math.ceil(max / 10) * 10);
  }

  #hover(e: PointerEvent): void {
    const canvas = e.currentTarget as HTMLCanvasElement;
    const f = this.#frame(canvas);
    const x = e.clientX - canvas.getBoundingClientRect().left;
    const t = (x - f.left) / (f.right - f.left);
    this.hoverGy = t < 0 || t > 1 ? null : t * this.#maxGy();
  }

  #draw(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas || !canvas.clientWidth) return;
    const dpr = window.devicePixelRatio || 1;
    const f = this.#frame(canvas);
    canvas.width = Math.round(f.w * dpr);
    canvas.height = Math.round(f.h * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const style = getComputedStyle(this);
    const fg = style.getPropertyValue('--delineo-dvh-panel-foreground').trim() || '#e6e8ea';
    const grid = style.getPropertyValue('--delineo-dvh-panel-grid').trim() || '#2a2f34';
    const maxGy = this.#maxGy();
    const rows = this.#rows();
    const maxCc = Math.max(1e-9, ...rows.map((r) => r.dvh.metrics.volumeCc));
    const yMax = this.volumeUnit === '%' ? 100 : maxCc;
    const px = (gy: number) => f.left + ((f.right - f.left) * gy) / maxGy;
    const py = (v: number) => f.bottom - ((f.bottom - f.top) * v) / yMax;
    ctx.font = '10px sans-serif';
    ctx.lineWidth = 1;
    ctx.strokeStyle = grid;
    ctx.fillStyle = fg;
    for (let n = 0; n <= 5; n++) {
      const gy = (maxGy * n) / 5;
      const v = (yMax * n) / 5;
      ctx.beginPath();
      ctx.moveTo(px(gy), f.top);
      ctx.lineTo(px(gy), f.bottom);
      ctx.moveTo(f.left, py(v));
      ctx.lineTo(f.right, py(v));
      ctx.stroke();
      ctx.textAlign = 'center';
      ctx.fillText(this.#doseText(gy, true), px(gy), f.bottom + 12);
      ctx.textAlign = 'right';
      ctx.fillText(this.volumeUnit === '%' ? `${Math.round(v)}` : v.toFixed(v < 10 ? 1 : 0), f.left - 4, py(v) + 3);
    }
    ctx.textAlign = 'center';
    const rx = this.#percentOf();
    ctx.fillText(rx ? `Dose (% of ${+rx.toFixed(2)} Gy)` : 'Dose (Gy)', (f.left + f.right) / 2, f.h - 2);
    ctx.save();
    ctx.translate(10, (f.top + f.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(this.volumeUnit === '%' ? 'Volume (%)' : 'Volume (cc)', 0, 0);
    ctx.restore();
    ctx.lineWidth = 2;
    if (this.dose?.predicted) ctx.setLineDash([6, 3]);
    for (const r of rows) {
      if (!r.shown) continue;
      const { doseGy, volumePercent } = cumulativeDvh(r.dvh.dvh, CURVE_STEP_GY);
      const scale = this.volumeUnit === '%' ? 1 : r.dvh.metrics.volumeCc / 100;
      ctx.strokeStyle = `rgb(${r.color.join(',')})`;
      ctx.beginPath();
      for (let n = 0; n < doseGy.length; n++) {
        const x = px(doseGy[n]!);
        const y = py(volumePercent[n]! * scale);
        if (n === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.lineTo(px(r.dvh.dvh.maxGy), py(0));
      ctx.stroke();
    }
    ctx.setLineDash([]);
    if (this.hoverGy !== null) {
      ctx.strokeStyle = fg;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(px(this.hoverGy), f.top);
      ctx.lineTo(px(this.hoverGy), f.bottom);
      ctx.stroke();
    }
  }
}
