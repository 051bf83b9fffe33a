import { doseToVolumeCc, doseToVolumePercent, volumeAtLeastCc, volumeAtLeastPercent, type Dvh } from './dvh.ts';
import headNeck from './constraints/head-neck.json' with { type: 'json' };
import thorax from './constraints/thorax.json' with { type: 'json' };

/**
 * Clinical dose constraints on organs at risk, as planning protocols state them ("SpinalCord Dmax < 45 Gy",
 * "Lungs V20 ≤ 37 %"), checked against DVHs. Templates are plain JSON, editable by a clinic
 * (src/domain/constraints/*.json are the shipped ones, each constraint citing its source), and checked by
 * {@link parseConstraintTemplate} before use.
 */
export interface DoseConstraint {
  /** TG-263 name of the structure it applies to. */
  readonly structure: string;
  /** When the structure itself is absent: the union of these structures (e.g. Lungs = Lung_L ∪ Lung_R). */
  readonly union?: readonly string[];
  /** Structures removed from it first (total lung minus GTV). */
  readonly minus?: readonly string[];
  /** max / mean / min (Gy); D (dose to `at` % or cc, Gy); V (volume receiving at least `at` Gy, in `unit`). */
  readonly metric: 'max' | 'mean' | 'min' | 'D' | 'V';
  readonly at?: number;
  /** For D: whether `at` is % of the volume or cc. For V: whether the limit is % or cc. Default %. */
  readonly unit?: '%' | 'cc';
  readonly comparator: '<' | '<=' | '>' | '>=';
  readonly limit: number;
  /** Where the number comes from (protocol, publication). */
  readonly source: string;
}

export interface ConstraintTemplate {
  readonly id: string;
  readonly name: string;
  readonly constraints: readonly DoseConstraint[];
}

export class ConstraintTemplateError extends Error {
  override readonly name = 'ConstraintTemplateError';
}

/** The constraint templates Delineo ships. */
export const CONSTRAINT_TEMPLATES: readonly ConstraintTemplate[] = [parseConstraintTemplate(headNeck), parseConstraintTemplate(thorax)];

/** Checks a template read from JSON; throws a ConstraintTemplateError naming the first problem. */
export function parseConstraintTemplate(json: unknown): ConstraintTemplate {
  const t = json as Partial<ConstraintTemplate> | null;
  const fail = (what: string): never => {
    throw new ConstraintTemplateError(`constraint template${t && typeof t.id === 'string' ? ` "${t.id}"` : ''}: ${what}`);
  };
  if (!t || typeof t !== 'object') fail('is not a JSON object');
  if (typeof t!.id !== 'string' || !t!.id) fail('needs an "id"');
  if (typeof t!.name !== 'string') fail('needs a "name"');
  if (!Array.isArray(t!.constraints)) fail('needs a "constraints" array');
  t!.constraints!.forEach((c, n) => {
    const at = `constraints[${n}]`;
    if (typeof c?.structure !== 'string' || !c.structure) fail(`${at} needs a "structure"`);
    if (!['max', 'mean', 'min', 'D', 'V'].includes(c.metric)) fail(`${at}.metric must be max, mean, min, D or V`);
    if ((c.metric === 'D' || c.metric === 'V') && !(typeof c.at === 'number' && c.at >= 0)) fail(`${at} (${c.metric}) needs "at" ≥ 0`);
    if (c.unit !== undefined && c.unit !== '%' && c.unit !== 'cc') fail(`${at}.unit must be % or cc`);
    if (!['<', '<=', '>', '>='].includes(c.comparator)) fail(`${at}.comparator must be <, <=, > or >=`);
    if (typeof c.limit !== 'number' || !Number.isFinite(c.limit)) fail(`${at}.limit must be a number`);
    if (typeof c.source !== 'string' || !c.source) fail(`${at} needs a "source" (protocol or publication)`);
    for (const list of ['union', 'minus'] as const) if (c[list] !== undefined && !(Array.isArray(c[list]) && c[list]!.every((s) => typeof s === 'string'))) fail(`${at}.${list} must be a list of names`);
  });
  return t as ConstraintTemplate;
}

/** What a constraint's metric is called on screen and in reports: Dmax, Dmean, D95%, D2cc, V20Gy. */
export function constraintLabel(c: DoseConstraint): string {
  if (c.metric === 'max') return 'Dmax';
  if (c.metric === 'mean') return 'Dmean';
  if (c.metric === 'min') return 'Dmin';
  if (c.metric === 'D') return `D${c.at}${c.unit === 'cc' ? 'cc' : '%'}`;
  return `V${c.at}Gy`;
}

/** The value of a constraint's metric on a DVH (Gy for doses; % or cc for V). */
export function constraintValue(c: DoseConstraint, dvh: Dvh): number {
  switch (c.metric) {
    case 'max':
      return dvh.maxGy;
    case 'mean':
      return dvh.meanGy;
    case 'min':
      return dvh.minGy;
    case 'D':
      return c.unit === 'cc' ? doseToVolumeCc(dvh, c.at!) : doseToVolumePercent(dvh, c.at!);
    case 'V':
      return c.unit === 'cc' ? volumeAtLeastCc(dvh, c.at!) : volumeAtLeastPercent(dvh, c.at!);
  }
}

/** The outcome of one constraint. */
export interface ConstraintResult {
  readonly constraint: DoseConstraint;
  readonly status: 'pass' | 'fail' | 'not-evaluable';
  /** The structure's measured value, when evaluable. */
  readonly value: number | null;
  /** One line for the clinician: "SpinalCord Dmax 43.2 Gy < 45 Gy", or why it could not be evaluated. */
  readonly text: string;
}

const compare = (v: number, op: DoseConstraint['comparator'], limit: number): boolean => (op === '<' ? v < limit : op === '<=' ? v <= limit : op === '>' ? v > limit : v >= limit);
const OP_TEXT: Readonly<Record<DoseConstraint['comparator'], string>> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' };

/**
 * Checks every constraint of a template. `dvhFor` returns the DVH of a constraint's structure (resolving its
 * union and minus lists as the caller can), or null when the structure is absent or has no dose; such a
 * constraint is 'not-evaluable' with the reason, never a pass.
 */
export function evaluateConstraints(template: ConstraintTemplate, dvhFor: (c: DoseConstraint) => Dvh | null): ConstraintResult[] {
  return template.constraints.map((c) => {
    const unit = c.metric === 'V' ? (c.unit === 'cc' ? ' cc' : ' %') : ' Gy';
    const wanted = `${c.structure} ${constraintLabel(c)} ${OP_TEXT[c.comparator]} ${c.limit}${unit}`;
    const dvh = dvhFor(c);
    if (!dvh) return { constraint: c, status: 'not-evaluable', value: null, text: `${wanted}: no ${c.structure}${c.union ? ` (nor ${c.union.join(' and ')})` : ''} in the structure set` };
    if (dvh.volumeCc <= 0) return { constraint: c, status: 'not-evaluable', value: null, text: `${wanted}: ${c.structure} is empty` };
    if (dvh.uncoveredCc > 0.5 * dvh.volumeCc) return { constraint: c, status: 'not-evaluable', value: null, text: `${wanted}: the dose grid covers less than half of ${c.structure}` };
    const value = constraintValue(c, dvh);
    const ok = compare(value, c.comparator, c.limit);
    return { constraint: c, status: ok ? 'pass' : 'fail', value, text: `${c.structure} ${constraintLabel(c)} ${value.toFixed(1)}${unit} ${ok ? OP_TEXT[c.comparator] : c.comparator.startsWith('<') ? 'exceeds' : 'is below'} ${c.limit}${unit}` };
  });
}
