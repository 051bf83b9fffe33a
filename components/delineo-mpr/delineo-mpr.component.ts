import { LitElement, html } from 'lit';
import { property } from 'lit/decorators.js';
import '../delineo-slice-view/delineo-slice-view.ts';
import type { DelineoSliceView } from '../delineo-slice-view/delineo-slice-view.component.ts';
import type { ViewerSession } from '../../src/index.ts';
import styles from './delineo-mpr.styles.ts';

/**
 * @summary Three linked slice views of one session — axial, sagittal and coronal — with a shared
 * crosshair: a click (navigate tool) or a scroll in one view moves the crosshair, and the other two show
 * the slices through it. Window/level, structures, tools and the region-grow preview are shared too,
 * because they live in the session.
 *
 * The fourth cell of the 2 × 2 layout is the `3d` slot, for a 3D view of the same session; the `row`
 * layout puts the three views side by side and leaves the slot out.
 *
 * @slot 3d - A 3D view shown in the fourth cell of the grid layout.
 *
 * @event {DelineoSliceChangeEvent} delineo-slice-change - From a view whose slice the user changed (bubbles from the views).
 * @event {DelineoCrosshairChangeEvent} delineo-crosshair-change - The user moved the crosshair in a view.
 * @event {DelineoWindowChangeEvent} delineo-window-change - The user changed the window in a view (drag, preset key).
 * @event {DelineoStructureEditEvent} delineo-structure-edit - A tool's edit in a view was committed (one undo step).
 * @event {DelineoEditRefuseEvent} delineo-edit-refuse - An edit in a view was refused; detail says why.
 *
 * @csspart axial - The axial `<delineo-slice-view>`.
 * @csspart sagittal - The sagittal view.
 * @csspart coronal - The coronal view.
 * @csspart view - Every view.
 * @csspart aside - The cell holding the `3d` slot.
 *
 * @cssproperty --delineo-mpr-gap - Gap between the views.
 * @cssproperty --delineo-mpr-background - Colour of the gaps.
 */
export class DelineoMpr extends LitElement {
  static override styles = styles;

  /** The contouring session shown in all three views. */
  @property({ attribute: false }) accessor session: ViewerSession | null = null;

  /** 'grid' (2 × 2 with the 3d slot) or 'row' (three views side by side). */
  @property({ reflect: true }) accessor layout: 'grid' | 'row' = 'grid';

  /** Opacity of the structures' fill in every view. */
  @property({ type: Number, attribute: 'fill-opacity' }) accessor fillOpacity = 0.2;

  /** The three views, by orientation (after the first render). */
  get views(): { axial: DelineoSliceView; sagittal: DelineoSliceView; coronal: DelineoSliceView } {
    const root = this.renderRoot as ShadowRoot;
    const view = (o: string) => root.querySelector<DelineoSliceView>(`delineo-slice-view[orientation="${o}"]`)!;
    return { axial: view('axial'), sagittal: view('sagittal'), coronal: view('coronal') };
  }

  /** Resolves when all three views have drawn a frame. */
  async frame(): Promise<void> {
    await this.updateComplete;
    const v = this.views;
    await Promise.all([v.axial.frame(), v.sagittal.frame(), v.coronal.frame()]);
  }

  protected override render() {
    return html`
      <delineo-slice-view part="view axial" orientation="axial" crosshair .session=${this.session} .fillOpacity=${this.fillOpacity}></delineo-slice-view>
      <delineo-slice-view part="view sagittal" orientation="sagittal" crosshair .session=${this.session} .fillOpacity=${this.fillOpacity}></delineo-slice-view>
      <delineo-slice-view part="view coronal" orientation="coronal" crosshair .session=${this.session} .fillOpacity=${this.fillOpacity}></delineo-slice-view>
      <div part="aside" class="aside"><slot name="3d"><div class="placeholder">3D view</div></slot></div>
    `;
  }
}
