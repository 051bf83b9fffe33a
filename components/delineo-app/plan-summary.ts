import { html } from 'lit';
import type { PlanBeam, RtPlanSummary } from '../../src/index.ts';

/** "354°", or "181° → 179°" for an arc; '' when the plan states no angle. */
export function gantryText(beam: PlanBeam): string {
  if (beam.gantryStartDeg === null) return '';
  return beam.gantryEndDeg === null ? `${beam.gantryStartDeg}°` : `${beam.gantryStartDeg}° → ${beam.gantryEndDeg}°`;
}

/** Gy to the cGy a prescription is written in. */
export const gyText = (gy: number): string => `${Math.round(gy * 100) / 100} Gy`;

/** "60 Gy in 30 fractions (2 Gy per fraction)", or what the plan leaves out said as such. */
export function prescriptionText(plan: RtPlanSummary): string {
  const rx = plan.prescriptionGy;
  const fx = plan.fractions;
  const dose = rx !== null ? gyText(rx) : 'No prescription stated';
  if (fx === null || fx <= 0) return dose;
  const perFraction = rx !== null ? ` (${gyText(rx / fx)} per fraction)` : '';
  return `${dose}${rx !== null ? ' in' : ';'} ${fx} fraction${fx === 1 ? '' : 's'}${perFraction}`;
}

/**
 * An RT Plan as the dose section shows it, what a physicist checks first: its label, prescription and
 * fractions, and each beam with its radiation type and gantry angle(s) (`plan-summary`, its beams in
 * `plan-beams`).
 */
export function renderPlanSummary(plan: RtPlanSummary) {
  const title = plan.label || plan.name || plan.file;
  return html`<div part="plan-summary" class="plan-summary" aria-label=${`Plan ${title}`}>
    <h3>Plan ${title}${plan.name && plan.name !== title ? ` (${plan.name})` : ''} <span class="muted">${plan.file}</span></h3>
    <p class="plan-prescription">${prescriptionText(plan)}</p>
    ${plan.beams.length
      ? html`<table part="plan-beams">
          <thead>
            <tr><th scope="col">Beam</th><th scope="col">Radiation</th><th scope="col">Gantry</th><th scope="col">MU</th></tr>
          </thead>
          <tbody>
            ${plan.beams.map(
              (b) => html`<tr>
                <td>${b.name}</td>
                <td>${[b.radiationType, b.beamType].filter(Boolean).join(' · ')}</td>
                <td>${gantryText(b)}</td>
                <td>${b.meterset !== null ? b.meterset.toFixed(1) : ''}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : html`<p class="muted">No beams in the plan.</p>`}
  </div>`;
}
