import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { Subscription } from 'rxjs';
import { createDoseClient, doseInputsFor, isAbortError, type DoseClient, type DoseInputsSummary, type DosePredictionResult, type DoseTargetPrescription, type ProgressCallback, type ViewerSession } from '../../src/index.ts';
import type { DelineoDosePredictedDetail } from '../events/delineo-dose-predicted.ts';
import { emit } from '../internal/emit.ts';
import type { JobController } from '../internal/job-controller.ts';
import type { AppDose } from './app-dose.ts';
import { doseModelSource, type AppDoseModel } from './app-models.ts';

/** What the dose prediction asks its host. */
export interface DosePredictOptions {
  /** The session shown. */
  readonly session: () => ViewerSession | null;
  /** The dose model (the element's `dose-model` / `doseModel`) and where onnxruntime-web's WASM files are. */
  readonly model: () => AppDoseModel;
  readonly ortWasmPath: () => string;
  readonly jobs: JobController;
  readonly dose: AppDose;
  /** The status line. */
  readonly say: (text: string) => void;
  /** A failure of a recomputation after an edit (the Predict button's failures are the job's). */
  readonly fail: (text: string) => void;
}

/** A prediction and what it was computed from. */
interface Landed {
  readonly result: DosePredictionResult;
  /** The inputs' signature (targets, prescriptions, organs, mask versions) when it was started. */
  readonly signature: string;
}

/** Quiet time after the last edit before the prediction is recomputed (ms). */
export const RECOMPUTE_DEBOUNCE_MS = 1500;

/**
 * "Predict dose" in the app's Dose section: the dose a knowledge-based model (hn-dose, docs/dose.md) expects from
 * the CT, the organs at risk and the PTVs with their prescriptions, computed in a worker (src/inference/dose-client.ts)
 * as the app's job (progress, Cancel and Escape, a typed failure that changes nothing). A PTV whose name carries no
 * dose (PTV70, PTV_5600 do) gets a prescription field; the run uses the values entered.
 *
 * The result is a dose choice marked PREDICTED (AppDose.setPrediction). Once there is one, an edit of its inputs
 * (a PTV's or an organ's mask or name, a prescription) marks it stale and recomputes it in the background
 * {@link RECOMPUTE_DEBOUNCE_MS} after the last edit, abandoning a recomputation under way; the new one replaces the
 * stale one. Each prediction that lands is announced with `delineo-dose-predicted`.
 */
export class DosePredict implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #options: DosePredictOptions;
  #client: DoseClient | null = null;
  #clientWasm = '';
  #session: ViewerSession | null = null;
  #subscription: Subscription | null = null;
  /** Prescriptions entered by the user (Gy), by structure id, for the session shown. */
  #entered = new Map<string, number>();
  #landed: Landed | null = null;
  /** The Predict button's job is running. */
  #jobRunning = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** The recomputation under way after an edit. */
  #background: AbortController | null = null;
  /** The last recomputation failed: why (shown in the section until the next prediction lands). */
  #recomputeError: string | null = null;
  /** The debounce of recomputations (ms); tests may shorten it. */
  debounceMs = RECOMPUTE_DEBOUNCE_MS;

  constructor(host: ReactiveControllerHost & HTMLElement, options: DosePredictOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  hostUpdated(): void {
    const session = this.#host.isConnected ? this.#options.session() : null;
    if (session !== this.#session) this.#follow(session);
  }

  hostDisconnected(): void {
    this.#follow(null);
    this.#client?.dispose();
    this.#client = null;
  }

  /**
   * What the model will be given for the session's structures and the prescriptions entered; with an entered
   * prescription the engine refuses (over 150 Gy …), the inputs without those and why (the run will say so too).
   */
  inputs(session: ViewerSession): { readonly inputs: DoseInputsSummary; readonly problem: string | null } {
    const structures = session.store.structures();
    try {
      return { inputs: doseInputsFor(structures, this.#prescriptions(session)), problem: null };
    } catch (e) {
      return { inputs: doseInputsFor(structures), problem: (e as Error).message };
    }
  }

  /** Whether Predict dose can run: a CT with at least one PTV that is not empty. */
  available(session: ViewerSession | null): session is ViewerSession {
    if (!session) return false;
    const { inputs } = this.inputs(session);
    return inputs.targets.length + inputs.needsPrescription.length > 0;
  }

  /** A prediction is being recomputed after an edit (or waits for the quiet time to end). */
  get updating(): boolean {
    return this.#timer !== null || this.#background !== null;
  }

  /**
   * Predicts the dose for the session's structures as the host's job. Resolves when it has landed, failed or was
   * cancelled (each reported to the user); a failure or a cancel changes nothing.
   */
  async predict(session: ViewerSession): Promise<void> {
    this.#cancelBackground();
    this.#jobRunning = true;
    try {
      const landed = await this.#options.jobs.run('dose-prediction', 'Predicting dose', async (signal, progress, finish) => {
        const started = performance.now();
        const out = await this.#compute(session, signal, progress);
        if (this.#options.session() !== session) return null;
        const detail = this.#land(session, out, 'user', (performance.now() - started) / 1000);
        finish(() => emit(this.#host, 'delineo-dose-predicted', detail));
        return out;
      });
      if (landed) this.#afterLanding(session, landed);
    } finally {
      this.#jobRunning = false;
      this.#host.requestUpdate();
    }
  }

  /** The Predict button, the prescription fields and the prediction's state, for the Dose section (nothing without a PTV or a prediction). */
  render(session: ViewerSession | null, busy: boolean) {
    if (!session || (!this.available(session) && !this.#landed)) return nothing;
    const needs = doseInputsFor(session.store.structures()).needsPrescription;
    const { inputs, problem } = this.inputs(session);
    const stale = this.#landed !== null && this.#stale(session);
    return html`<div part="dose-predict" class="dose-predict" role="group" aria-label="Dose prediction">
      <button part="predict-button" ?disabled=${busy || !this.available(session)} title="Predict the dose a knowledge-based model expects from the CT, the organs at risk and the PTVs' prescriptions (D)" @click=${() => void this.predict(session)}>Predict dose</button>
      <span part="predict-status" class="predict-status" role="status" aria-live="polite">${problem ?? this.#status(inputs, stale)}</span>
      ${needs.map(
        (t) => html`<label class="prescription" title=${`${t.name}'s name carries no dose: enter its prescription`}>
          ${t.name}
          <input part="prescription-input" type="number" min="0.1" max="99.9" step="0.1" placeholder="Gy" aria-label=${`Prescription of ${t.name} (Gy)`} data-structure-id=${t.structureId} .value=${this.#entered.has(t.structureId) ? String(this.#entered.get(t.structureId)) : ''} @change=${(e: Event) => this.#enter(session, t.structureId, (e.target as HTMLInputElement).value)} />
          Gy
        </label>`,
      )}
    </div>`;
  }

  #status(inputs: DoseInputsSummary, stale: boolean): string {
    if (this.#recomputeError) return `Prediction not updated: ${this.#recomputeError}`;
    if (this.#landed && stale) return this.updating ? 'Updating the prediction… (the one shown is stale)' : 'Prediction stale';
    const targets = inputs.targets.map((t) => `${t.name} ${+t.prescriptionGy.toFixed(2)} Gy`).join(', ');
    const missing = inputs.needsPrescription.length ? `; enter a prescription for ${inputs.needsPrescription.map((t) => t.name).join(', ')}` : '';
    return `${targets ? `Targets: ${targets}` : 'No PTV has a prescription'}${missing}`;
  }

  /** A prescription typed into a PTV's field: kept (an empty or invalid field removes it). */
  #enter(session: ViewerSession, id: string, value: string): void {
    const gy = Number(value);
    if (value.trim() && Number.isFinite(gy) && gy > 0) this.#entered.set(id, gy);
    else this.#entered.delete(id);
    this.#changed(session);
    this.#host.requestUpdate();
  }

  #prescriptions(session: ViewerSession): DoseTargetPrescription[] {
    const ids = new Set(session.store.state.structures.map((s) => s.id));
    return [...this.#entered].filter(([id]) => ids.has(id)).map(([structureId, prescriptionGy]) => ({ structureId, prescriptionGy }));
  }

  /** Targets with their prescriptions, organs, and the mask versions of both: a prediction of other inputs is stale. */
  #signature(session: ViewerSession, inputs = this.inputs(session).inputs): string {
    const version = (id: string) => session.store.record(id).maskVersion;
    return JSON.stringify([inputs.targets.map((t) => [t.structureId, t.prescriptionGy, version(t.structureId)]), inputs.organs.map((o) => [o.channel, o.structureId, version(o.structureId)])]);
  }

  #stale(session: ViewerSession): boolean {
    return this.#landed !== null && this.#landed.signature !== this.#signature(session);
  }

  #follow(session: ViewerSession | null): void {
    this.#subscription?.unsubscribe();
    this.#subscription = null;
    this.#cancelBackground();
    this.#session = session;
    this.#entered = new Map();
    this.#landed = null;
    this.#recomputeError = null;
    if (session) this.#subscription = session.store.changes$.subscribe(() => this.#changed(session));
  }

  /** The structures or prescriptions changed: a prediction of other inputs is marked stale and recomputed. */
  #changed(session: ViewerSession): void {
    const shown = this.#options.dose.prediction;
    if (!this.#landed || !shown || this.#session !== session) return;
    const stale = this.#stale(session);
    this.#options.dose.setPrediction(session, { ...shown, stale });
    if (stale) this.#schedule(session);
    this.#host.requestUpdate();
  }

  #schedule(session: ViewerSession): void {
    // An edit during a recomputation makes it stale too: it is abandoned, and one starts after the quiet time.
    this.#background?.abort();
    this.#background = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#recompute(session);
    }, this.debounceMs);
  }

  #cancelBackground(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#background?.abort();
    this.#background = null;
  }

  /** Recomputes the prediction after an edit, off the app's job (the user keeps editing); the Predict button's run wins. */
  async #recompute(session: ViewerSession): Promise<void> {
    if (this.#jobRunning || this.#session !== session || !this.#stale(session)) return;
    const controller = new AbortController();
    this.#background = controller;
    this.#host.requestUpdate();
    const started = performance.now();
    try {
      const out = await this.#compute(session, controller.signal);
      if (this.#background !== controller || this.#session !== session) return;
      this.#background = null;
      emit(this.#host, 'delineo-dose-predicted', this.#land(session, out, 'edit', (performance.now() - started) / 1000));
      this.#afterLanding(session, out);
    } catch (e) {
      if (isAbortError(e) || controller.signal.aborted || this.#background !== controller) return;
      this.#background = null;
      this.#recomputeError = (e as Error).message;
      this.#options.fail(`The dose prediction was not updated: ${this.#recomputeError}`);
      emit(this.#host, 'delineo-error', { operation: 'dose-prediction', code: typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'error', message: this.#recomputeError, file: null });
    } finally {
      this.#host.requestUpdate();
    }
  }

  /** Runs the model on the session's CT and structures, with the prescriptions entered. */
  async #compute(session: ViewerSession, signal: AbortSignal, progress?: ProgressCallback): Promise<Landed> {
    const prescriptions = this.#prescriptions(session);
    const structures = session.store.structures();
    // Throws the typed refusal (no PTV with a prescription, a prescription that is not a dose) before any download.
    const signature = this.#signature(session, doseInputsFor(structures, prescriptions));
    const source = await doseModelSource(this.#options.model(), signal);
    const result = await this.#worker().predict({ ct: session.volume, structures, prescriptions }, source, { signal, ...(progress ? { progress } : {}) });
    return { result, signature };
  }

  /** The prediction becomes the session's (AppDose), the status line says so; returns its announcement. */
  #land(session: ViewerSession, out: Landed, trigger: 'user' | 'edit', seconds: number): DelineoDosePredictedDetail {
    const { result } = out;
    this.#landed = out;
    this.#recomputeError = null;
    let maxGy = 0;
    for (const v of result.dose.data) if (v > maxGy) maxGy = v;
    const prescriptionGy = Math.max(...result.inputs.targets.map((t) => t.prescriptionGy));
    this.#options.dose.setPrediction(session, { volume: result.dose, label: result.label, maxGy, prescriptionGy, stale: this.#stale(session) });
    const missing = result.inputs.missingOrgans;
    this.#options.say(`${result.label} in ${seconds.toFixed(1)} s${missing.length ? ` · no ${missing.join(', ')} (predicted without)` : ''}: an estimate of what similar plans achieved, not a plan`);
    return { modelId: result.model.id, modelVersion: result.model.version, label: result.label, trigger, seconds, maxGy, targets: result.inputs.targets.map((t) => ({ ...t })), missingOrgans: [...missing], dose: result.dose };
  }

  /** An edit made while the prediction was computed leaves it stale: the next one is scheduled. */
  #afterLanding(session: ViewerSession, out: Landed): void {
    if (this.#landed === out && this.#stale(session)) this.#schedule(session);
  }

  /** The dose worker; a changed WASM path gets a fresh one. */
  #worker(): DoseClient {
    const wasm = this.#options.ortWasmPath();
    if (this.#client && this.#clientWasm !== wasm) {
      this.#client.dispose();
      this.#client = null;
    }
    this.#client ??= createDoseClient(undefined, wasm);
    this.#clientWasm = wasm;
    return this.#client;
  }
}
