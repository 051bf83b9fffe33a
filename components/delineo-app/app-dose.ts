import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { DoseReview, createDvhCalculator, sumDoses, type RtDose, type ViewerSession } from '../../src/index.ts';
import '../delineo-dvh-panel/delineo-dvh-panel.ts';

/** A dose the user can pick: one file's dose, or the sum of one plan's beam doses. */
interface DoseChoice {
  readonly label: string;
  readonly dose: () => RtDose;
}

/**
 * The app's dose review: the RT Doses opened with a CT (on its Frame of Reference), one shown at a time in the
 * DVH panel, with a menu when there are several — a plan's BEAM doses are also offered summed. The DVHs follow
 * the session's structures (DoseReview); nothing is shown without a dose.
 */
export class AppDose implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #review: DoseReview | null = null;
  #choices: DoseChoice[] = [];
  #selected = 0;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  /** The doses opened with the session's CT (none: the dose section goes). */
  show(session: ViewerSession, doses: readonly RtDose[]): void {
    this.#review?.dispose();
    this.#review = null;
    this.#choices = doseChoices(doses);
    this.#selected = 0;
    if (this.#choices.length) {
      this.#review = new DoseReview(session.store, { calculator: createDvhCalculator() });
      this.#select(0);
    }
    this.#host.requestUpdate();
  }

  /** The dose review shown, or null. */
  get review(): DoseReview | null {
    return this.#review;
  }

  hostDisconnected(): void {
    this.#review?.dispose();
    this.#review = null;
  }

  #select(n: number): void {
    const choice = this.#choices[n];
    if (!choice || !this.#review) return;
    this.#selected = n;
    const dose = choice.dose();
    void this.#review.setDose({ volume: dose.volume, label: choice.label, predicted: false });
    this.#host.requestUpdate();
  }

  render() {
    if (!this.#review) return nothing;
    return html`<section part="dose" class="dose" aria-label="Dose">
      <div class="sidebar-head">
        <h2>Dose</h2>
        ${this.#choices.length > 1
          ? html`<select part="dose-select" aria-label="Dose shown" @change=${(e: Event) => this.#select(Number((e.target as HTMLSelectElement).value))}>
              ${this.#choices.map((c, n) => html`<option value=${n} ?selected=${n === this.#selected}>${c.label}</option>`)}
            </select>`
          : nothing}
      </div>
      <delineo-dvh-panel part="dvh-panel" .review=${this.#review}></delineo-dvh-panel>
    </section>`;
  }
}

/** Each dose, PLAN sums first, and each plan's BEAM doses summed when there are several on one grid. */
function doseChoices(doses: readonly RtDose[]): DoseChoice[] {
  const order = (d: RtDose) => (d.summationType === 'PLAN' ? 0 : d.summationType === 'BEAM' ? 2 : 1);
  const sorted = [...doses].sort((a, b) => order(a) - order(b));
  const choices: DoseChoice[] = sorted.map((d) => ({ label: d.label, dose: () => d }));
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
