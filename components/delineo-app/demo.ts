import type { ReactiveControllerHost } from 'lit';
import { EXTERNAL_LUNGS_BONES, generatePhantom, ViewerSession } from '../../src/index.ts';

/** The phantom structures the demo shows as already drawn. */
const DEMO_DRAWN: readonly string[] = ['GTV', 'Heart', 'SpinalCord', 'Esophagus'];

/** The model the demo selects: the rule-based one, which contours what the demo leaves undrawn. */
export const DEMO_MODEL_ID = EXTERNAL_LUNGS_BONES.id;

/** The notice that says what the demo is and what to try. */
export const DEMO_NOTICE =
  'Demo: a synthetic thorax phantom with the GTV, heart, spinal cord and oesophagus drawn. Auto-contour the body, lungs and bones, review and approve each structure, then export the RTSTRUCT.';

/**
 * The demo case: the phantom with what a clinician would have drawn (GTV, heart, cord, oesophagus), leaving
 * External, lungs and bones to the rule-based auto-contouring, so that a newcomer runs the whole flow:
 * auto-contour, review, edit, approve, export. It starts on the tumour, on its central slice: the structure a
 * user of the demo is most likely to edit.
 */
export function demoSession(): ViewerSession {
  const phantom = generatePhantom();
  const drawn = phantom.structures.filter((s) => DEMO_DRAWN.includes(s.name));
  const session = ViewerSession.withStructures(phantom.volume, drawn);
  const gtv = session.store.state.structures.find((s) => s.name === 'GTV');
  if (gtv) {
    session.store.setActive(gtv.id);
    session.setCrosshair(phantom.anatomy.gtvCenter);
  }
  return session;
}

/** What the demo loader asks its host. */
export interface DemoLoaderOptions {
  /** Whether the demo is still wanted (nothing else was shown meanwhile and the host is on the page). */
  readonly wanted: () => boolean;
  /** Shows the demo session. */
  readonly show: (session: ViewerSession) => void;
  /** Generating the phantom failed. */
  readonly fail: (message: string) => void;
}

/**
 * Loads the demo into an element. Generating the phantom takes a few hundred milliseconds on the main thread,
 * so the host's "generating" status is painted first; anything shown meanwhile wins over the demo.
 */
export class DemoLoader {
  /** True while the phantom is being generated. */
  loading = false;

  readonly #host: ReactiveControllerHost;
  readonly #options: DemoLoaderOptions;

  constructor(host: ReactiveControllerHost, options: DemoLoaderOptions) {
    this.#host = host;
    this.#options = options;
  }

  async load(): Promise<void> {
    if (this.loading) return;
    this.#set(true);
    try {
      await this.#host.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
      if (!this.#options.wanted()) return;
      this.#options.show(demoSession());
    } catch (error) {
      this.#options.fail(error instanceof Error ? error.message : String(error));
    } finally {
      this.#set(false);
    }
  }

  #set(loading: boolean): void {
    this.loading = loading;
    this.#host.requestUpdate();
  }
}
