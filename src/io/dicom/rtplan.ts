/**
 * RT Plan summary: what a physicist checks first when a dose is opened — the plan's label, prescription,
 * fractions and beams — read through the one DICOM dataset reader. Delineo does not edit or write plans.
 */
import { DicomLoadError } from '../errors.ts';
import { int, items, num, openDicom, str } from './dataset.ts';

/** One beam of a plan. */
export interface PlanBeam {
  readonly number: number | null;
  readonly name: string;
  /** PHOTON, ELECTRON, PROTON … */
  readonly radiationType: string;
  /** STATIC or DYNAMIC (an arc or IMRT). */
  readonly beamType: string;
  readonly machine: string;
  /** Gantry angle at the first control point, and at the last when it moves (an arc). */
  readonly gantryStartDeg: number | null;
  readonly gantryEndDeg: number | null;
  /** MU of this beam in its fraction group. */
  readonly meterset: number | null;
}

/** A plan as the plan summary shows it. */
export interface RtPlanSummary {
  readonly file: string;
  readonly sopInstanceUid?: string;
  readonly frameOfReferenceUid?: string;
  readonly label: string;
  readonly name: string;
  readonly date: string;
  /** The target prescription dose in Gy (the largest TargetPrescriptionDose of the dose references), when stated. */
  readonly prescriptionGy: number | null;
  /** Fractions planned in the first fraction group. */
  readonly fractions: number | null;
  readonly beams: readonly PlanBeam[];
  /** The structure set the plan was made on. */
  readonly referencedStructureSetUid?: string;
}

const RT_PLAN_STORAGE = new Set(['1.2.840.10008.5.1.4.1.1.481.5', '1.2.840.10008.5.1.4.1.1.481.8']);

/** Reads an RT Plan (or RT Ion Plan) file's summary; throws DicomLoadError naming the file when it is not one. */
export function readRtPlan(input: ArrayBuffer | Uint8Array, file: string): RtPlanSummary {
  const { meta, dict: ds } = openDicom(input, file).read();
  const sopClass = str(ds, '00080016') || str(meta, '00020002');
  if (!RT_PLAN_STORAGE.has(sopClass) && str(ds, '00080060').toUpperCase() !== 'RTPLAN') {
    throw new DicomLoadError('invalid-tag', `not an RT Plan (SOP Class ${sopClass || 'missing'})`, { file });
  }
  const prescriptions = items(ds, '300A0010')
    .map((r) => num(r, '300A0026'))
    .filter((d): d is number => d !== undefined && Number.isFinite(d) && d > 0);
  const group = items(ds, '300A0070')[0];
  const meterset = new Map<number, number>();
  for (const b of items(group, '300C0004')) {
    const n = int(b, '300C0006');
    const mu = num(b, '300A0086');
    if (n !== undefined && mu !== undefined && Number.isFinite(mu)) meterset.set(n, mu);
  }
  // Photon/electron plans: Beam Sequence and Control Point Sequence; ion plans: Ion Beam and Ion Control Point.
  const beamItems = items(ds, '300A00B0').length ? items(ds, '300A00B0') : items(ds, '300A03A2');
  const beams: PlanBeam[] = beamItems.map((b) => {
    const points = items(b, '300A0111').length ? items(b, '300A0111') : items(b, '300A03A8');
    const angles = points.map((p) => num(p, '300A011E')).filter((a): a is number => a !== undefined && Number.isFinite(a));
    const number = int(b, '300A00C0') ?? null;
    const first = angles[0] ?? null;
    const last = angles.at(-1) ?? null;
    return {
      number,
      name: str(b, '300A00C2') || str(b, '300A00C3') || (number !== null ? `Beam ${number}` : 'Beam'),
      radiationType: str(b, '300A00C6'),
      beamType: str(b, '300A00C4'),
      machine: str(b, '300A00B2'),
      gantryStartDeg: first,
      gantryEndDeg: last !== null && last !== first ? last : null,
      meterset: number !== null ? (meterset.get(number) ?? null) : null,
    };
  });
  const fractions = int(group, '300A0078');
  return {
    file,
    sopInstanceUid: str(ds, '00080018') || undefined,
    frameOfReferenceUid: str(ds, '00200052') || undefined,
    label: str(ds, '300A0002'),
    name: str(ds, '300A0003'),
    date: str(ds, '300A0006'),
    prescriptionGy: prescriptions.length ? Math.max(...prescriptions) : null,
    fractions: fractions ?? null,
    beams,
    referencedStructureSetUid: str(items(ds, '300C0060')[0], '00081155') || undefined,
  };
}

/**
 * The prescription (Gy) of the plan a dose was computed for: the plan among `plans` whose SOP Instance UID the
 * dose references (Referenced RT Plan Sequence), when that plan states one; null otherwise. Never taken from another
 * plan on the same Frame of Reference: a percentage of the wrong prescription would read as a clinical fact.
 */
export function prescriptionForDose(dose: { readonly referencedRtPlanUid?: string }, plans: readonly RtPlanSummary[]): number | null {
  if (!dose.referencedRtPlanUid) return null;
  return plans.find((p) => p.sopInstanceUid === dose.referencedRtPlanUid)?.prescriptionGy ?? null;
}

/** One line per plan for the summary: label, prescription, fractions, beams with their gantry angles. */
export function describePlan(plan: RtPlanSummary): string {
  const rx = plan.prescriptionGy !== null ? `${plan.prescriptionGy} Gy` : 'no prescription stated';
  const fx = plan.fractions !== null ? ` in ${plan.fractions} fractions` : '';
  const beams = plan.beams.map((b) => `${b.name} (${b.radiationType || '?'}${b.gantryStartDeg !== null ? ` ${b.gantryStartDeg}°${b.gantryEndDeg !== null ? `→${b.gantryEndDeg}°` : ''}` : ''})`).join(', ');
  return `${plan.label || plan.name || 'Plan'}: ${rx}${fx}; ${plan.beams.length} beam${plan.beams.length === 1 ? '' : 's'}${beams ? `: ${beams}` : ''}`;
}
