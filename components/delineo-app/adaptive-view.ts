import { html, nothing } from 'lit';
import type { FusionDisplay, FusionMode, RegistrationQuality } from '../../src/index.ts';
import type { AdaptiveReview } from './app-adaptive.ts';

/** The fusion modes, in the order the controls offer them. */
const MODES: readonly { readonly mode: FusionMode; readonly label: string; readonly title: string }[] = [
  { mode: 'blend', label: 'Blend', title: 'The planning CT over the new CT at the weight of the slider' },
  { mode: 'checkerboard', label: 'Checker', title: 'Squares of the planning CT and the new CT side by side: edges that do not continue across a square show misalignment' },
  { mode: 'difference', label: 'Difference', title: 'New − planning CT in HU: orange-red where the new CT is denser, blue where it is less dense, black where they agree' },
  { mode: 'off', label: 'Off', title: 'The new CT alone' },
];

/** What the section's controls do. */
export interface AdaptiveControls {
  readonly set: (change: Partial<Pick<FusionDisplay, 'mode' | 'blend' | 'checkerMm' | 'showReferenceOutlines'>>) => void;
  readonly close: () => void;
}

const cc = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const change = (p: number | null) => (p === null ? '—' : `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(1)} %`);

/** The registration quality as the user reads it; folding voxels are flagged. */
function renderQuality(q: RegistrationQuality) {
  const j = q.jacobian;
  return html`<dl part="registration-quality" class="registration-quality" aria-label="Registration quality">
    <dt title=${`Mean absolute HU difference between the new CT and the planning CT over the new CT's body (sampled every ${q.spacingMm} mm): as scanned, and through the registration`}>Mean |ΔHU| in the body</dt>
    <dd><span data-quality="before">${q.meanAbsHuBefore.toFixed(0)}</span> → <span data-quality="after">${q.meanAbsHuAfter.toFixed(0)}</span> HU</dd>
    <dt title="Share of the new CT's body that the registration maps into the planning CT's body">Overlap</dt>
    <dd>${(q.overlapFraction * 100).toFixed(0)} %</dd>
    ${j
      ? html`<dt title="Determinant of the deformation's Jacobian: below 1 the new CT shows less tissue than the planning CT, 1 unchanged; 0 or less folds space">Jacobian</dt>
          <dd>${j.min.toFixed(2)} – ${j.max.toFixed(2)}</dd>
          <dt>Folding</dt>
          <dd class=${j.foldingVoxels ? 'error' : ''} data-quality="folding">${j.foldingVoxels ? `⚠ ${j.foldingVoxels} voxel${j.foldingVoxels === 1 ? '' : 's'} fold: check the structures there` : 'none'}</dd>`
      : html`<dt>Transform</dt>
          <dd>rigid (no deformation to check)</dd>`}
  </dl>`;
}

/**
 * The adaptive review's sidebar section: the planning CT it came from, the fusion controls (mode as a radio
 * group, arrows move between modes; blend slider 0–100 %; checkerboard square in mm; the planning contours
 * dashed), the registration quality and each structure's volume before → after.
 */
export function renderAdaptiveSection(review: AdaptiveReview, fusion: FusionDisplay, controls: AdaptiveControls) {
  return html`<section part="adaptive" class="adaptive" aria-label="Adaptive review">
    <div class="sidebar-head">
      <h2>Adaptive</h2>
      <button part="adaptive-close" title="End the review view (the propagated structures stay)" aria-label="End the adaptive review view" @click=${controls.close}>×</button>
    </div>
    <p class="adaptive-source">Planning CT: ${review.reference}${review.patientMismatch ? html` <span class="error">(another PatientID)</span>` : nothing}</p>
    <div part="fusion-controls" class="fusion-controls">
      <div role="radiogroup" aria-label="Fusion" class="fusion-modes">
        ${MODES.map(
          (m) => html`<label title=${m.title}><input type="radio" name="fusion-mode" value=${m.mode} .checked=${fusion.mode === m.mode} @change=${() => controls.set({ mode: m.mode })} />${m.label}</label>`,
        )}
      </div>
      ${fusion.mode === 'blend'
        ? html`<label>Planning CT <input part="fusion-blend" type="range" min="0" max="100" step="5" .value=${String(Math.round(fusion.blend * 100))} aria-label="Planning CT weight (%)" @input=${(e: Event) => controls.set({ blend: Number((e.target as HTMLInputElement).value) / 100 })} /> ${Math.round(fusion.blend * 100)} %</label>`
        : nothing}
      ${fusion.mode === 'checkerboard'
        ? html`<label>Square <input part="fusion-square" type="number" min="2" max="200" step="5" .value=${String(fusion.checkerMm)} aria-label="Checkerboard square (mm)" @change=${(e: Event) => controls.set({ checkerMm: Number((e.target as HTMLInputElement).value) })} /> mm</label>`
        : nothing}
      ${fusion.mode === 'difference' ? html`<span class="fusion-scale" title="The colour saturates at this difference">±${fusion.differenceHu} HU: <span class="less">less dense</span> · <span class="more">denser</span></span>` : nothing}
      <label title="The planning contours as they lie on the planning CT, carried by the registration's rigid part: dashed"><input type="checkbox" .checked=${fusion.showReferenceOutlines} @change=${(e: Event) => controls.set({ showReferenceOutlines: (e.target as HTMLInputElement).checked })} /> Planning contours (dashed)</label>
    </div>
    ${renderQuality(review.quality)}
    <table part="propagated-volumes" class="propagated-volumes">
      <caption>Volume on the planning CT → propagated</caption>
      <thead><tr><th scope="col">Structure</th><th scope="col">before cc</th><th scope="col">after cc</th><th scope="col">change</th></tr></thead>
      <tbody>
        ${review.volumes.map((v) => html`<tr><th scope="row">${v.name}</th><td>${cc(v.beforeCc)}</td><td>${cc(v.afterCc)}</td><td>${change(v.changePercent)}</td></tr>`)}
      </tbody>
    </table>
  </section>`;
}
