import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { DoseReview, createDvhCalculator, prescriptionForDose, sumDoses, type ReviewedDose, type RtDose, type RtPlanSummary, type ViewerSession, type Volume } from '../../src/index.ts';
import '../delineo-dvh-panel/delineo-dvh-panel.ts';
import { gyText, renderPlanSummary } from './plan-summary.ts';

/** A dose the user can pick: one file's dose, the sum of one plan's beam doses, or the prediction. */
interface DoseChoice {
  readonly label: string;
  readonly dose: () => RtDose | null;
}

/** The app's dose prediction, as the dose section offers it. */
export interface AppPrediction {
  readonly volume: Volume;
  readonly label: string;
  readonly maxGy: number;
  /** The highest prescription of the targets it was predicted for: its isodoses are percentages of it. */
  readonly prescriptionGy: number;
  /** The structures were edited since it was computed; a new one is on its way. */
  readonly stale: boolean;
}

/** Isodose levels as fractions of the prescription, when the plan of the dose shown states one. */
const PRESCRIPTION_LEVELS = [1.07, 1, 0.95, 0.8, 0.5, 0.3];
/** Isodose levels as fractions of the dose's maximum, without a prescription. */
const MAXIMUM_LEVELS = [0.95, 0.8, 0.5, 0.3];

/**
 * The app's dose review: the RT Doses of the CT (opened with it or added to it, on its Frame of Reference), one
 * shown at a time in the DVH panel, with a menu when there are several — a plan's BEAM doses are also offered
 * summed — and the summary of each RT Plan. The DVHs follow the session's structures (DoseReview); isodoses are
 * percentages of the prescription when the plan the dose refers to states one, else of the dose's maximum.
 *
 * A dose prediction (app-dose-predict.ts) is one more choice, marked PREDICTED. It is shown when it is the only
 * dose; beside a plan's dose, that dose stays shown and the prediction is its review's comparison (the DVH panel
 * draws both and checks the constraints on both) until the user picks the prediction itself.
 * Nothing is shown without a dose, a plan or the prediction's controls.
 */
export class AppDose implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #review: DoseReview | null = null;
  #session: ViewerSession | null = null;
  #choices: DoseChoice[] = [];
  #doses: RtDose[] = [];
  #plans: RtPlanSummary[] = [];
  #prediction: AppPrediction | null = null;
  #selected = 0;
  /** What the slice views draw of the dose shown (the wash range in Gy, and whether wash and isodoses show). */
  #display = { wash: true, isodoses: true, minGy: 0, maxGy: 0 };
  /** The maximum of the dose shown: the isodose levels are percentages of it, whatever the wash range. */
  #doseMaxGy = 0;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  /** The doses and plans opened with the session's CT (none: the dose section goes). */
  show(session: ViewerSession, doses: readonly RtDose[], plans: readonly RtPlanSummary[] = []): void {
    this.#review?.dispose();
    this.#review = null;
    this.#session = session;
    this.#doses = [...doses];
    this.#plans = [...plans];
    this.#prediction = null;
    this.#choices = doseChoices(doses);
    this.#selected = 0;
    session.setDose(null);
    if (this.#choices.length) {
      this.#review = newReview(session);
      this.#select(0);
    }
    this.#host.requestUpdate();
  }

  /**
   * Doses and plans added to the session's CT: offered beside those already there; the first dose added is shown.
   * A plan added after its dose gives that dose its prescription.
   */
  add(session: ViewerSession, doses: readonly RtDose[], plans: readonly RtPlanSummary[]): void {
    // A session given to the app (not opened in it) has had no dose section yet.
    if (this.#session !== session) this.show(session, [], []);
    this.#plans = [...this.#plans, ...plans];
    if (!doses.length) {
      // The dose shown may be of a plan just added: its isodoses become percentages of the prescription.
      if (this.#review) this.#select(this.#selected);
      this.#host.requestUpdate();
      return;
    }
    const before = new Set(this.#choices.map((c) => c.dose()));
    this.#doses = [...this.#doses, ...doses];
    this.#choices = this.#allChoices();
    this.#review ??= newReview(session);
    const first = this.#choices.findIndex((c) => !before.has(c.dose()) && doses.includes(c.dose()!));
    this.#select(Math.max(0, first));
    this.#host.requestUpdate();
  }

  /**
   * The session's dose prediction (null: none). The first one is shown unless a plan's dose is, which it then
   * accompanies as the comparison; a new one (recomputed after an edit) takes the place of the one before,
   * shown or compared; a stale mark only marks the one there.
   */
  setPrediction(session: ViewerSession, prediction: AppPrediction | null): void {
    if (this.#session !== session) this.show(session, [], []);
    const before = this.#prediction;
    const selectedPrediction = before !== null && this.#selected === this.#choices.length - 1;
    this.#prediction = prediction;
    this.#choices = this.#allChoices();
    if (!prediction) {
      if (selectedPrediction) this.#selected = 0;
      if (!this.#choices.length) return this.show(session, [], this.#plans);
    } else if (!before && !this.#doses.length) this.#selected = this.#choices.length - 1;
    this.#review ??= newReview(session);
    if (before && prediction && before.volume === prediction.volume) this.#markStale(prediction.stale);
    else this.#select(this.#selected);
    this.#host.requestUpdate();
  }

  /** The prediction offered (null: none). */
  get prediction(): AppPrediction | null {
    return this.#prediction;
  }

  /** The plans of the session's CT (their prescriptions convert a RELATIVE dose added later). */
  plansOf(session: ViewerSession): readonly RtPlanSummary[] {
    return this.#session === session ? this.#plans : [];
  }

  /** The prescription (Gy) of the plan a dose refers to, when that plan is loaded and states one. */
  prescriptionOf(dose: RtDose): number | null {
    return prescriptionForDose(dose, this.#plans);
  }

  /** The dose review shown, or null. */
  get review(): DoseReview | null {
    return this.#review;
  }

  hostConnected(): void {
    // Moved in the page: the dose review ended with the disconnection and starts again.
    if (!this.#review && this.#session && this.#choices.length) {
      this.#review = newReview(this.#session);
      this.#select(this.#selected);
    }
  }

  hostDisconnected(): void {
    this.#review?.dispose();
    this.#review = null;
    this.#session?.setDose(null);
  }

  /** The doses of the files, then the prediction. */
  #allChoices(): DoseChoice[] {
    const p = this.#prediction;
    return [...doseChoices(this.#doses), ...(p ? [{ label: `PREDICTED: ${p.label}`, dose: () => null }] : [])];
  }

  /** The dose of a choice as the review takes it. */
  #reviewed(choice: DoseChoice): ReviewedDose & { readonly maxGy: number } {
    const dose = choice.dose();
    const p = this.#prediction;
    if (!dose && p) return { volume: p.volume, label: p.label, predicted: true, stale: p.stale, prescriptionGy: p.prescriptionGy, maxGy: p.maxGy };
    const prescriptionGy = this.prescriptionOf(dose!);
    return { volume: dose!.volume, label: choice.label, predicted: false, maxGy: dose!.maxGy, ...(prescriptionGy === null ? {} : { prescriptionGy }) };
  }

  #select(n: number): void {
    const choice = this.#choices[n];
    if (!choice || !this.#review) return;
    this.#selected = n;
    const { maxGy, ...dose } = this.#reviewed(choice);
    const review = this.#review;
    const shown = review.dose$.value;
    const failed = (e: unknown) => review.error$.next((e as Error).message);
    // The same dose again (a plan was added): only its prescription may have changed; the DVHs stay.
    if (shown?.volume === dose.volume) review.dose$.next({ ...shown, ...(dose.prescriptionGy === undefined ? {} : { prescriptionGy: dose.prescriptionGy }) });
    else review.setDose(dose).catch(failed);
    // Beside a plan's dose, the prediction is its comparison.
    const p = this.#prediction;
    const comparison: ReviewedDose | null = p && !dose.predicted ? { volume: p.volume, label: p.label, predicted: true, stale: p.stale, prescriptionGy: p.prescriptionGy } : null;
    if (review.comparison$.value?.dose$.value?.volume !== comparison?.volume || !comparison) review.setComparison(comparison).catch(failed);
    // A wash from 10 % of the maximum, as planning systems start; isodoses at fixed percentages of the
    // prescription (107 % hot spots to 30 %), else of the maximum (95, 80, 50, 30 %).
    this.#doseMaxGy = maxGy;
    if (shown?.volume !== dose.volume) this.#display = { ...this.#display, minGy: Math.round(maxGy) / 10, maxGy: Math.round(maxGy * 10) / 10 };
    this.#apply();
  }

  /** Marks the prediction, shown or compared, stale or current, without recomputing its DVHs. */
  #markStale(stale: boolean): void {
    for (const review of [this.#review, this.#review?.comparison$.value]) {
      const d = review?.dose$.value;
      if (d?.predicted && d.stale !== stale) review!.dose$.next({ ...d, stale });
    }
    this.#apply();
  }

  /** The isodose levels of the dose shown: Gy, and what they are percentages of. */
  #isodoses(): { readonly gy: number[]; readonly of: string } {
    const rx = this.#review?.dose$.value?.prescriptionGy;
    if (rx) return { gy: PRESCRIPTION_LEVELS.map((p) => p * rx), of: `${PRESCRIPTION_LEVELS.map((p) => Math.round(p * 100)).join(', ')} % of the ${gyText(rx)} prescription` };
    return { gy: MAXIMUM_LEVELS.map((p) => p * this.#doseMaxGy), of: `${MAXIMUM_LEVELS.map((p) => Math.round(p * 100)).join(', ')} % of the maximum` };
  }

  /** Shows the selected dose in the session's slice views as the controls say. */
  #apply(): void {
    const dose = this.#review?.dose$.value;
    if (!this.#session || !dose) return;
    const d = this.#display;
    this.#session.setDose({
      volume: dose.volume,
      predicted: dose.predicted,
      ...(dose.stale ? { stale: true } : {}),
      wash: d.wash ? { minGy: d.minGy, maxGy: Math.max(d.maxGy, d.minGy + 0.1), opacity: 0.35 } : null,
      isodosesGy: d.isodoses ? this.#isodoses().gy : [],
      ...(dose.prescriptionGy ? { prescriptionGy: dose.prescriptionGy } : {}),
    });
    this.#host.requestUpdate();
  }

  #set(change: Partial<AppDose['display']>): void {
    this.#display = { ...this.#display, ...change };
    this.#apply();
  }

  /** The dose display settings (read by the controls). */
  get display(): { readonly wash: boolean; readonly isodoses: boolean; readonly minGy: number; readonly maxGy: number } {
    return this.#display;
  }

  /** The dose section, with `controls` (the prediction's) under its heading. */
  render(controls: unknown = nothing) {
    if (!this.#review && !this.#plans.length && controls === nothing) return nothing;
    return html`<section part="dose" class="dose" aria-label="Dose">
      <div class="sidebar-head">
        <h2>Dose</h2>
        ${this.#choices.length > 1
          ? html`<select part="dose-select" aria-label="Dose shown" @change=${(e: Event) => this.#select(Number((e.target as HTMLSelectElement).value))}>
              ${this.#choices.map((c, n) => html`<option value=${n} ?selected=${n === this.#selected}>${c.label}</option>`)}
            </select>`
          : nothing}
      </div>
      ${controls}
      ${this.#plans.map((p) => renderPlanSummary(p))}
      ${this.#review
        ? html`<div part="dose-display" class="dose-display">
              <label><input type="checkbox" .checked=${this.#display.wash} @change=${(e: Event) => this.#set({ wash: (e.target as HTMLInputElement).checked })} /> Wash</label>
              <label>from <input type="number" min="0" step="0.5" .value=${String(this.#display.minGy)} aria-label="Wash from (Gy)" @change=${(e: Event) => this.#set({ minGy: Number((e.target as HTMLInputElement).value) || 0 })} /> Gy</label>
              <label>to <input type="number" min="0" step="0.5" .value=${String(this.#display.maxGy)} aria-label="Wash to (Gy)" @change=${(e: Event) => this.#set({ maxGy: Number((e.target as HTMLInputElement).value) || 0 })} /> Gy</label>
              <label title=${`Isodose lines at ${this.#isodoses().of}`}><input type="checkbox" .checked=${this.#display.isodoses} @change=${(e: Event) => this.#set({ isodoses: (e.target as HTMLInputElement).checked })} /> Isodoses</label>
              <span part="isodose-levels" class="isodose-levels">${this.#isodoses().of}</span>
            </div>
            <delineo-dvh-panel part="dvh-panel" .review=${this.#review}></delineo-dvh-panel>`
        : html`<p class="no-dose">No dose loaded: open the plan's RT Dose to see it${controls === nothing ? '' : ', or predict one'}.</p>`}
    </section>`;
  }
}

/** A dose review of the session's structures, its DVHs (and those of a comparison dose) computed in workers. */
function newReview(session: ViewerSession): DoseReview {
  return new DoseReview(session.store, { calculator: createDvhCalculator(), comparisonCalculator: () => createDvhCalculator() });
}

/**
 * Each dose, PLAN sums first, and each plan's BEAM doses summed when there are several on one grid. Doses whose
 * labels are the same (the same plan's dose opened twice, or edited) are told apart by their file.
 */
function doseChoices(doses: readonly RtDose[]): DoseChoice[] {
  const order = (d: RtDose) => (d.summationType === 'PLAN' ? 0 : d.summationType === 'BEAM' ? 2 : 1);
  const sorted = [...doses].sort((a, b) => order(a) - order(b));
  const same = (d: RtDose) => doses.filter((x) => x.label === d.label).length > 1;
  const choices: DoseChoice[] = sorted.map((d) => ({ label: same(d) ? `${d.label} · ${d.file}` : d.label, dose: () => d }));
  const beamsByPlan = new Map<string, RtDose[]>();
  for (const d of doses) if (d.summationType === 'BEAM') beamsByPlan.set(d.referencedRtPlanUid ?? '', [...(beamsByPlan.get(d.referencedRtPlanUid ?? '') ?? []), d]);
  for (const beams of beamsByPlan.values()) {
    if (beams.length < 2) continue;
    try {
      const sum = sumDoses(beams);
      choices.splice(sorted.filter((d) => order(d) < 2).length, 0, { label: sum.label, dose: () => sum });
    } catch {
      // Beam doses on different grids are offered one by one only.
    }
  }
  return choices;
}
