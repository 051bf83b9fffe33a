import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  EditRefusedError,
  RADIUS_RANGE,
  TOOLS,
  matchingPreset,
  toolById,
  voxelVolumeMm3,
  windowPresetsFor,
  type StructureSetState,
  type ToolDescriptor,
  type ToolName,
  type ToolSettings,
  type ViewerSession,
  type WindowLevel,
} from '../../src/index.ts';
import { emit } from '../internal/emit.ts';
import { SessionController } from '../internal/session-controller.ts';
import styles from './delineo-toolbar.styles.ts';

/**
 * @summary Picks the editing tool and its settings for every slice view of a session, and runs the
 * actions that are not gestures: interpolate between contoured slices, undo, redo, window presets.
 *
 * A toolbar (ArrowLeft/ArrowRight move between tools, Enter or Space picks one). The settings shown follow
 * the tool: radius in mm and 2D disc / 3D sphere for the brushes, the HU range of the HU brush, add or
 * subtract for polygon and freehand, tolerance, radius and 2D/3D for region grow with Add/Discard for its
 * preview. Interpolation runs itk-wasm's morphological contour interpolation on the active structure along
 * the axis last drawn on; its refusal (no structure, locked, nothing to fill) is shown here.
 *
 * @event {DelineoToolChangeEvent} delineo-tool-change - The user picked a tool or changed a setting.
 * @event {DelineoWindowChangeEvent} delineo-window-change - The user picked a window preset.
 * @event {DelineoStructureEditEvent} delineo-structure-edit - Interpolation (or a region grow added here) was committed.
 * @event {DelineoEditRefuseEvent} delineo-edit-refuse - An action was refused; detail says why.
 *
 * @csspart tools - The group of tool buttons.
 * @csspart tool - Each tool button (also `tool active` for the current one).
 * @csspart settings - The settings of the current tool.
 * @csspart radius - The brush radius slider.
 * @csspart actions - Interpolate, undo and redo.
 * @csspart interpolate - The interpolate button.
 * @csspart undo - The undo button.
 * @csspart redo - The redo button.
 * @csspart window-preset - The window preset menu.
 * @csspart message - Result or refusal of the last action.
 *
 * @cssproperty --delineo-toolbar-background - Background.
 * @cssproperty --delineo-toolbar-foreground - Text colour.
 * @cssproperty --delineo-toolbar-accent - Colour of the current tool.
 */
export class DelineoToolbar extends LitElement {
  static override styles = styles;

  /** The contouring session the tools act on. */
  @property({ attribute: false }) accessor session: ViewerSession | null = null;

  /** The tools offered, in button order: the registry's (src/state/tools) unless an embedding page narrows it. */
  @property({ attribute: false }) accessor tools: readonly ToolDescriptor[] = TOOLS;

  @state() private accessor tool: ToolSettings | null = null;
  @state() private accessor setState: StructureSetState | null = null;
  @state() private accessor windowLevel: WindowLevel | null = null;
  /** Size of the region-grow preview (voxels, cc), or null when there is none. */
  @state() private accessor preview: { voxels: number; cc: number } | null = null;
  @state() private accessor busy = false;
  @state() private accessor message: { text: string; error: boolean } | null = null;
  /** The tool button holding the roving tabindex. */
  @state() private accessor focusTool: ToolName = 'navigate';

  protected readonly sessionController = new SessionController<ViewerSession>(this, {
    session: () => this.session,
    attach: (session) => [
      session.tool$.subscribe((t) => {
        this.tool = t;
        this.focusTool = t.tool;
      }),
      session.store.state$.subscribe((s) => (this.setState = s)),
      session.windowLevel$.subscribe((wl) => (this.windowLevel = wl)),
      session.preview$.subscribe((p) => (this.preview = p ? { voxels: p.voxels, cc: (p.voxels * voxelVolumeMm3(session.volume)) / 1000 } : null)),
    ],
  });

  protected override render() {
    const t = this.tool;
    const session = this.session;
    if (!t || !session) return html`<div part="tools" class="tools" role="toolbar" aria-label="Tools"></div>`;
    const presets = windowPresetsFor(session.volume);
    const preset = this.windowLevel ? matchingPreset(presets, this.windowLevel) : null;
    return html`
      <div part="tools" class="tools" role="toolbar" aria-label="Tools" @keydown=${this.#onToolsKey}>
        ${this.tools.map(
          ({ id, label, description, shortcut }) => html`<button
            part=${id === t.tool ? 'tool active' : 'tool'}
            class=${id === t.tool ? 'active' : ''}
            data-tool=${id}
            aria-pressed=${id === t.tool ? 'true' : 'false'}
            tabindex=${id === this.focusTool ? 0 : -1}
            title="${description}${shortcut ? ` (${shortcut.toUpperCase()})` : ''}"
            @click=${() => this.#pick(id)}
          >
            ${label}
          </button>`,
        )}
      </div>
      <div part="settings" class="settings">${this.#settings(t)}</div>
      <div part="actions" class="actions">
        <label class="preset">
          <span>Window</span>
          <select part="window-preset" aria-label="Window preset" @change=${this.#onPreset}>
            ${preset ? nothing : html`<option value="" selected>Custom</option>`}
            ${presets.map((p) => html`<option value=${p.id} ?selected=${preset?.id === p.id}>${p.label} (${p.window}/${p.level})</option>`)}
          </select>
        </label>
        <button part="interpolate" ?disabled=${this.busy} title="Fill the slices between contoured slices of the selected structure (I)" @click=${() => void this.interpolate()}>
          ${this.busy ? 'Interpolating…' : 'Interpolate'}
        </button>
        <button part="undo" ?disabled=${!this.setState?.undoLabel} title=${this.setState?.undoLabel ? `Undo ${this.setState.undoLabel} (Ctrl+Z)` : 'Nothing to undo'} @click=${() => session.undo()}>Undo</button>
        <button part="redo" ?disabled=${!this.setState?.redoLabel} title=${this.setState?.redoLabel ? `Redo ${this.setState.redoLabel} (Ctrl+Shift+Z)` : 'Nothing to redo'} @click=${() => session.redo()}>Redo</button>
      </div>
      <div part="message" class="message ${this.message?.error ? 'error' : ''}" role="status" aria-live="polite">${this.message?.text ?? ''}</div>
    `;
  }

  /** The settings the current tool's descriptor asks for, in its order; its description when it has none. */
  #settings(t: ToolSettings) {
    const tool = toolById(t.tool, this.tools);
    if (!tool) return nothing;
    if (!tool.settings.length) return html`<span class="hint">${tool.description}</span>`;
    return tool.settings.map((group) => {
      switch (group) {
        case 'radius':
          return html`<label>
            <span>Radius</span>
            <input
              part="radius"
              type="range"
              min=${RADIUS_RANGE.min}
              max="30"
              step="0.5"
              .value=${String(t.radiusMm)}
              aria-valuetext="${t.radiusMm} millimetres"
              @input=${(e: Event) => this.#set({ radiusMm: Number((e.target as HTMLInputElement).value) })}
            />
            <output>${t.radiusMm.toFixed(1)} mm</output>
          </label>`;
        case 'shape':
          return this.#segmented('Shape', 'shape', t.shape, [
            ['disc', '2D'],
            ['sphere', '3D'],
          ]);
        case 'hu-range':
          return html`<label
              ><span>HU from</span
              ><input type="number" class="hu" data-setting="huMin" step="10" .value=${String(t.huMin)} @change=${(e: Event) => this.#set({ huMin: Number((e.target as HTMLInputElement).value) })}
            /></label>
            <label
              ><span>to</span
              ><input type="number" class="hu" data-setting="huMax" step="10" .value=${String(t.huMax)} @change=${(e: Event) => this.#set({ huMax: Number((e.target as HTMLInputElement).value) })}
            /></label>`;
        case 'contour-mode':
          return this.#segmented('Mode', 'contourMode', t.contourMode, [
            ['add', 'Add'],
            ['subtract', 'Subtract'],
          ]);
        case 'region-grow':
          return this.#regionGrowSettings(t, tool);
      }
    });
  }

  #regionGrowSettings(t: ToolSettings, tool: ToolDescriptor) {
    return html`
      <label>
        <span>Tolerance</span>
        <input type="range" data-setting="toleranceHu" min="5" max="400" step="5" .value=${String(t.toleranceHu)} @input=${(e: Event) => this.#set({ toleranceHu: Number((e.target as HTMLInputElement).value) })} />
        <output>±${t.toleranceHu} HU</output>
      </label>
      <label>
        <span>Radius</span>
        <input type="range" data-setting="growRadiusMm" min="5" max="100" step="1" .value=${String(t.growRadiusMm)} @input=${(e: Event) => this.#set({ growRadiusMm: Number((e.target as HTMLInputElement).value) })} />
        <output>${t.growRadiusMm} mm</output>
      </label>
      ${this.#segmented('Scope', 'growScope', t.growScope, [
        ['slice', '2D'],
        ['volume', '3D'],
      ])}
      <span class="hint" data-role="preview-size">${this.preview ? `Preview ${this.preview.voxels} voxels · ${this.preview.cc.toFixed(1)} cc` : 'Click a seed in a view'}</span>
      <button data-action="grow-commit" ?disabled=${!this.preview} title="Add the preview to the structure (Enter in a view)" @click=${() => this.#commitPreview(tool.undoLabel ?? tool.label)}>Add</button>
      <button data-action="grow-cancel" ?disabled=${!this.preview} title="Discard the preview (Escape in a view)" @click=${() => this.session?.cancelPreview()}>Discard</button>
    `;
  }

  #segmented<K extends 'shape' | 'contourMode' | 'growScope'>(label: string, key: K, value: ToolSettings[K], options: [ToolSettings[K], string][]) {
    return html`<span class="segmented" role="group" aria-label=${label}>
      <span>${label}</span>
      ${options.map(
        ([v, text]) => html`<button data-setting=${key} data-value=${v} aria-pressed=${v === value ? 'true' : 'false'} class=${v === value ? 'active' : ''} @click=${() => this.#set({ [key]: v } as Partial<ToolSettings>)}>${text}</button>`,
      )}
    </span>`;
  }

  #pick(tool: ToolName): void {
    this.focusTool = tool;
    this.#set({ tool });
  }

  #set(change: Partial<ToolSettings>): void {
    const session = this.session;
    if (!session) return;
    session.setTool(change);
    const t = session.tool;
    emit(this, 'delineo-tool-change', { tool: t.tool, radiusMm: t.radiusMm, shape: t.shape, contourMode: t.contourMode });
  }

  #onToolsKey(e: KeyboardEvent): void {
    const ids = this.tools.map((t) => t.id);
    const at = ids.indexOf(this.focusTool);
    let next: number | null = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = (at + 1) % ids.length;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = (at - 1 + ids.length) % ids.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = ids.length - 1;
    if (next === null) return;
    e.preventDefault();
    e.stopPropagation();
    const id = ids[next];
    this.focusTool = id;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-tool="${id}"]`)?.focus());
  }

  #onPreset(e: Event): void {
    const session = this.session;
    const id = (e.target as HTMLSelectElement).value;
    const preset = session ? windowPresetsFor(session.volume).find((p) => p.id === id) : undefined;
    if (!session || !preset) return;
    session.setWindowLevel(preset);
    emit(this, 'delineo-window-change', { window: preset.window, level: preset.level, preset: preset.id });
  }

  #commitPreview(label: string): void {
    const session = this.session;
    const preview = session?.preview;
    if (!session || !preview) return;
    try {
      if (session.commitPreview(label)) {
        this.message = { text: `Added the grown region (${preview.voxels} voxels)`, error: false };
        emit(this, 'delineo-structure-edit', { structureId: preview.structureId, label });
      }
    } catch (e) {
      this.#refused(e);
    }
  }

  /**
   * Interpolates the active structure between its contoured slices (the Interpolate button). Resolves
   * when done; a refusal is shown and announced, not thrown.
   */
  async interpolate(): Promise<void> {
    const session = this.session;
    if (!session || this.busy) return;
    this.busy = true;
    this.message = { text: 'Interpolating…', error: false };
    try {
      const { structureId, changed } = await session.interpolateActive();
      const name = session.store.record(structureId).name;
      this.message = { text: changed ? `Interpolated ${name} between its contoured slices` : `${name}: nothing to add between its slices`, error: false };
      if (changed) emit(this, 'delineo-structure-edit', { structureId, label: 'Interpolate' });
    } catch (e) {
      this.#refused(e);
    } finally {
      this.busy = false;
    }
  }

  #refused(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.message = { text: message, error: true };
    const structureId = e instanceof EditRefusedError ? e.structureId || null : (this.session?.store.state.activeId ?? null);
    const reason = e instanceof EditRefusedError ? (e.structureId ? e.reason : 'no-structure') : e instanceof Error && e.name === 'InterpolationError' ? 'nothing' : 'invalid';
    emit(this, 'delineo-edit-refuse', { structureId, reason, message });
  }
}
