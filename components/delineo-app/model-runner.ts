import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { createSegmentClient, defaultSegmentWorker, mergeAutoContours, seriesCompleteness, type ProviderOverride, type SegmentClient, type ViewerSession } from '../../src/index.ts';
import type { DelineoAutoContourDetail } from '../events/delineo-auto-contour.ts';
import { emit } from '../internal/emit.ts';
import type { JobController } from '../internal/job-controller.ts';
import { inferenceOverride, modelSource, type AppModel } from './app-models.ts';

/** The app's settings that decide how models run, and whether and which one to start ahead of a run. */
export interface ModelSettings {
  /** The CT shown, if any: a model is started ahead only once one is open. */
  readonly session: ViewerSession | null;
  /** The model selected in the menu. */
  readonly model: AppModel | undefined;
  readonly modelPreload: 'auto' | 'none';
  readonly ortWasmPath: string;
  readonly inferenceProvider: string;
  readonly inferenceThreads: number;
}

/** What the runner needs from its host besides the settings. */
export interface ModelRunnerOptions {
  readonly settings: () => ModelSettings;
  readonly jobs: JobController;
  /** The status line after a run. */
  readonly say: (text: string) => void;
  /** Shows a structure the run added (jumps to it). */
  readonly show: (id: string) => void;
  /** A run refused before it started (an incomplete series): an error notice. */
  readonly refuse: (message: string) => void;
}

/**
 * Runs auto-contouring models for an element: one segmentation worker (onnxruntime-web), respawned when the
 * runtime settings change (a runtime keeps the threads it started with); with `model-preload` 'auto', the
 * selected ONNX model started in that worker in the background once a CT is open and no job runs, announced
 * with `delineo-model-ready`; and the run itself as the host's job, its result merged into the structure set by
 * the merge policy (src/state/auto-contour-merge.ts) and announced with `delineo-auto-contour`.
 */
export class ModelRunner implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #options: ModelRunnerOptions;
  #segment: SegmentClient | null = null;
  /** The settings the segmentation client was started with (wasm path and provider override). */
  #segmentConfig = '';
  /** The model and settings last given to the segmentation worker to preload. */
  #preloaded = '';
  /** What the preload decision last saw: an update that changes none of it skips the check. */
  #lastInputs: readonly unknown[] = [];

  constructor(host: ReactiveControllerHost & HTMLElement, options: ModelRunnerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /**
   * Runs `model` on the session's CT as the host's job, and adds its structures for review as one undo step
   * (see mergeAutoContours: a re-run replaces the same model's untouched structures; empty ones are not added).
   */
  async run(session: ViewerSession, model: AppModel): Promise<void> {
    // A part of a series (one slice, a few centimetres) would be contoured wrongly without a word: refuse, say why.
    const completeness = seriesCompleteness(session.volume);
    if (!completeness.complete) {
      const message = `Auto-contouring refused: ${completeness.reason}. Open the whole series.`;
      this.#options.refuse(message);
      emit(this.#host, 'delineo-error', { operation: 'auto-contour', code: 'incomplete-series', message, file: null });
      return;
    }
    await this.#options.jobs.run('auto-contour', `Auto-contouring: ${model.name}`, async (signal, progress, finish) => {
      const started = performance.now();
      const source = await modelSource(model, signal);
      const { client, override } = this.#worker();
      const result = await client.segment(session.volume, source, { signal, progress, override }).catch((e: unknown) => {
        // A cancel (or a crash) ends the worker and the model in it: preload it again for the next run.
        this.#preloaded = '';
        throw e;
      });
      if (this.#options.settings().session !== session) return; // another CT was opened meanwhile: the result belongs to the old one
      const manifest = source.manifest;
      const merge = mergeAutoContours(session.store.state.structures, manifest, result.structures);
      const ids = session.store.addMany(merge.add, merge.label, merge.replace);
      if (result.uncertainty) session.uncertainty.attach(result.uncertainty, ids);
      const seconds = (performance.now() - started) / 1000;
      const missing = merge.missing;
      this.#options.say(
        `${ids.length} structure${ids.length === 1 ? '' : 's'} from ${manifest.name} in ${seconds.toFixed(1)} s (${result.provider}${result.fallback ? `: ${result.fallback}` : ''})${missing.length ? ` · nothing found for ${missing.join(', ')}` : ''}: review each, then approve`,
      );
      if (ids[0]) this.#options.show(ids[0]);
      const detail: DelineoAutoContourDetail = { modelId: manifest.id, modelVersion: manifest.version, structureIds: ids, replacedIds: [...merge.replace], provider: result.provider, seconds, source: 'local' };
      finish(() => emit(this.#host, 'delineo-auto-contour', detail));
    });
  }

  hostUpdated(): void {
    const s = this.#options.settings();
    const m = s.model;
    const inputs = [s.session, this.#options.jobs.running, m?.id, m?.manifestUrl, m?.modelUrl, m?.manifest, s.modelPreload, s.ortWasmPath, s.inferenceProvider, s.inferenceThreads];
    if (inputs.length === this.#lastInputs.length && inputs.every((x, i) => x === this.#lastInputs[i])) return;
    this.#lastInputs = inputs;
    this.#preload(s);
  }

  hostDisconnected(): void {
    this.#segment?.dispose();
    this.#segment = null;
    this.#preloaded = '';
  }

  /** The segmentation worker for the current settings: a changed setting gets a fresh worker. */
  #worker(): { client: SegmentClient; override: ProviderOverride } {
    const s = this.#options.settings();
    const override = inferenceOverride(s.inferenceProvider, s.inferenceThreads);
    const config = JSON.stringify([s.ortWasmPath, override]);
    if (this.#segment && this.#segmentConfig !== config) {
      this.#segment.dispose();
      this.#segment = null;
    }
    this.#segment ??= createSegmentClient(defaultSegmentWorker, s.ortWasmPath);
    this.#segmentConfig = config;
    return { client: this.#segment, override };
  }

  /**
   * With `model-preload` 'auto', a CT open and no job running: starts the selected ONNX model in the worker
   * (once per model and settings). A failure here stays silent: the user's own run reports it.
   */
  #preload(s: ModelSettings): void {
    const model = s.model;
    if (s.modelPreload !== 'auto' || !s.session || this.#options.jobs.running) return;
    if (!model || model.manifest?.kind === 'rules') return;
    const key = JSON.stringify([model.id, model.manifestUrl, model.modelUrl, s.ortWasmPath, s.inferenceProvider, s.inferenceThreads]);
    if (this.#preloaded === key) return;
    this.#preloaded = key;
    const { client, override } = this.#worker();
    const started = performance.now();
    void (async () => {
      const source = await modelSource(model);
      const ready = await client.prepare(source, { override });
      if (this.#segment !== client || !this.#host.isConnected) return;
      emit(this.#host, 'delineo-model-ready', { modelId: source.manifest.id, modelVersion: source.manifest.version, provider: ready.provider, seconds: (performance.now() - started) / 1000 });
    })().catch(() => undefined);
  }
}
