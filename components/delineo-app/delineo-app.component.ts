import { LitElement, html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { createSliceRenderer, generatePhantom, type SliceRenderer, type Volume } from '../../src/index.ts';
import type { DelineoVolumeLoadDetail } from '../events/delineo-volume-load.ts';
import { emit } from '../internal/emit.ts';
import { personName } from '../internal/person-name.ts';
import styles from './delineo-app.styles.ts';

/**
 * @summary The Delineo application shell: one CT slice view with a slice slider and a status line. Until
 * images can be opened it shows the built-in demo case, the synthetic thorax phantom, generated in the
 * browser.
 *
 * The element owns its slice renderer: it is created when the element connects and disposed (vtk.js objects
 * deleted, WebGL context released) when it disconnects. Setting `volume` shows another volume; leaving it
 * empty makes the element generate the phantom once it is on the page.
 *
 * @event {DelineoVolumeLoadEvent} delineo-volume-load - A volume has been loaded and is shown. Detail: its
 *   dimensions, spacing, Series Instance UID and display name.
 *
 * @csspart header - The title bar.
 * @csspart title - The application name.
 * @csspart subtitle - The case shown, next to the title.
 * @csspart viewport - The box the slice view's canvas fills; give the element a height and this box takes
 *   what the other rows leave.
 * @csspart controls - The row holding the slice slider.
 * @csspart slice-slider - The range input that selects the slice.
 * @csspart status - The status line: case name, grid size and voxel spacing, or what went wrong.
 *
 * @cssproperty --delineo-app-background - Background of the shell around the image.
 * @cssproperty --delineo-app-foreground - Text colour.
 * @cssproperty --delineo-app-muted - Colour of secondary text (subtitle, status line).
 * @cssproperty --delineo-app-accent - Accent colour of the controls.
 * @cssproperty --delineo-app-font - Font family.
 */
export class DelineoApp extends LitElement {
  static override styles = styles;

  /**
   * The volume shown. A property, not an attribute: a volume is data, not markup. When the element is put
   * on the page without one, it generates the demo phantom and sets it here.
   */
  @property({ attribute: false }) accessor volume: Volume | null = null;

  /** Stored slice index shown; mirrors the renderer so the slider and its label re-render. */
  @state() private accessor slice = 0;

  /** What went wrong while loading, shown in the status line; null when all is well. */
  @state() private accessor loadError: string | null = null;

  /** True while the demo phantom is being generated. */
  @state() private accessor loading = false;

  /**
   * The box the renderer draws in. Created here rather than in the template so that the renderer can exist
   * from connectedCallback on, before the first render: the volume's slice is then known when the slider
   * first renders, instead of in a second update. Lit renders it as a node.
   */
  readonly #viewport: HTMLDivElement = viewportElement();

  #renderer: SliceRenderer | null = null;
  /** The volume last announced with `delineo-volume-load`, so moving the element does not announce it again. */
  #announced: Volume | null = null;
  /** A volume shown but not yet announced: announced once the update that displays it has completed. */
  #toAnnounce: Volume | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#renderer = createSliceRenderer(this.#viewport);
    if (this.volume) this.#show();
    else void this.#loadDemo();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#renderer?.dispose();
    this.#renderer = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Before render, so the slider and status line of this very update already describe the new volume.
    if (changed.has('volume')) this.#show();
  }

  protected override updated(): void {
    const volume = this.#toAnnounce;
    if (!volume) return;
    this.#toAnnounce = null;
    this.#announced = volume;
    // Draw now rather than on the next frame, so that listeners of the event find the volume on screen.
    this.#renderer?.render();
    const detail: DelineoVolumeLoadDetail = {
      dimensions: [...volume.dimensions],
      spacing: [...volume.spacing],
      seriesInstanceUid: volume.identity.seriesInstanceUid ?? null,
      name: volume.name,
    };
    emit(this, 'delineo-volume-load', detail);
  }

  protected override render() {
    const volume = this.volume;
    const count = volume?.dimensions[2] ?? 0;
    return html`
      <header part="header">
        <h1 part="title">Delineo</h1>
        <span part="subtitle">${volume?.name || (this.loading ? 'Generating the demo phantom…' : '')}</span>
      </header>
      ${this.#viewport}
      <div part="controls">
        <input
          part="slice-slider"
          type="range"
          aria-label="Slice"
          min="0"
          max=${Math.max(0, count - 1)}
          step="1"
          .value=${String(this.slice)}
          ?disabled=${count === 0}
          aria-valuetext=${count ? `slice ${this.slice + 1} of ${count}` : 'no image'}
          @input=${this.#onSliceInput}
        />
        <span class="slice-label">${count ? `Slice ${this.slice + 1} / ${count}` : '–'}</span>
      </div>
      <div part="status" class=${this.loadError ? 'error' : ''} role="status" aria-live="polite">${this.#statusText()}</div>
    `;
  }

  #statusText(): string {
    if (this.loadError) return `Could not load the image: ${this.loadError}`;
    const volume = this.volume;
    if (!volume) return this.loading ? 'Generating the demo phantom…' : 'No image loaded';
    const [nx, ny, nz] = volume.dimensions;
    const spacing = volume.spacing.map((s) => s.toFixed(2)).join(' × ');
    const patient = volume.identity.patientName ? `${personName(volume.identity.patientName)} · ` : '';
    return `${patient}${volume.name || 'Unnamed volume'} · ${nx} × ${ny} × ${nz} voxels · ${spacing} mm`;
  }

  #onSliceInput(event: Event): void {
    const k = Number((event.target as HTMLInputElement).value);
    if (!this.#renderer || !this.#renderer.volume) return;
    this.#renderer.setSlice(k);
    this.slice = k;
  }

  /** Hands `volume` to the renderer when it changed; a volume not announced before is announced after the update. */
  #show(): void {
    const renderer = this.#renderer;
    const volume = this.volume;
    if (!renderer || renderer.volume === volume) return;
    // A renderer rebuilt after the element moved keeps the user's slice; a new volume starts mid-way.
    const again = volume !== null && volume === this.#announced;
    renderer.setVolume(volume, again ? this.slice : undefined);
    this.slice = renderer.slice;
    this.loadError = null;
    this.#toAnnounce = again ? null : volume;
  }

  /**
   * Generates the phantom. It takes a few hundred milliseconds on the main thread, so the "generating"
   * status is painted first; a volume set meanwhile, or the element leaving the page, wins over the phantom.
   */
  async #loadDemo(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      await this.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
      if (this.volume || !this.isConnected) return;
      this.volume = generatePhantom().volume;
    } catch (error) {
      this.loadError = error instanceof Error ? error.message : String(error);
    } finally {
      this.loading = false;
    }
  }
}

function viewportElement(): HTMLDivElement {
  const div = document.createElement('div');
  div.setAttribute('part', 'viewport');
  return div;
}
