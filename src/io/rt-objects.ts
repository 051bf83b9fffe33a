/**
 * The RT objects of a case — structure sets, doses, plans — read onto the CT they are shown on, with every
 * decision a clinician must be told about made here, once, for the app and the CLI:
 *
 * - Each object must be on the CT's Frame of Reference. One on another is refused with a typed error whose
 *   message names the file and both UIDs; nothing of it is used. An object that states none (or a CT that
 *   states none: an image file) is taken with a warning that its position could not be verified.
 * - Structure sets: when opened with a CT, the one that belongs to it is chosen (chooseRtstruct) and the
 *   others are named with why they were not loaded; when added to a CT already open, every one on its Frame
 *   of Reference is read (the user picked those files).
 * - A RELATIVE dose is a fraction of its plan's prescription: it is taken only when the plan it refers to is
 *   loaded (now, or earlier with the CT) and states one; otherwise it is refused saying which is missing.
 * - Plans are summarised (readRtPlan); objects Delineo does not read (RT Image, registrations, segmentations,
 *   treatment records) are named as ignored.
 *
 * Pure and browser-safe: the bytes come from the series loader's scan (app) or the file system (CLI).
 */
import type { Structure } from '../domain/structure.ts';
import type { ImageGrid } from '../domain/volume.ts';
import { JobError } from '../jobs/job.ts';
import { chooseRtstruct, type RtstructCandidate } from './dicom/choose-rtstruct.ts';
import { assertDoseOnCt, buildRtDose, readRtDoseAttributes, type RtDose } from './dicom/rtdose.ts';
import { readRtPlan, type RtPlanSummary } from './dicom/rtplan.ts';
import { importRtstruct } from './dicom/rtstruct-reader.ts';
import { RtstructError } from './dicom/rtstruct.ts';
import { DoseLoadError } from './errors.ts';

/** An RT object's file: what the series loader's scan gives (DicomObjectSummary fits). */
export interface RtObjectFile extends RtstructCandidate {
  readonly file: string;
  /** RTSTRUCT, RTDOSE, RTPLAN, or a kind Delineo does not read (RTIMAGE, RTRECORD, REG, SEG). */
  readonly kind: string;
  readonly bytes: Uint8Array;
}

/** Options of {@link readRtObjectsOntoCt}. */
export interface RtObjectsOptions {
  /**
   * 'choose' (default): the one structure set that belongs to the CT, as when a study is opened with its CT;
   * 'all': every structure set on the CT's Frame of Reference, as when the user adds files to an open CT.
   */
  readonly structureSets?: 'choose' | 'all';
  /** Plans already loaded with the CT, whose prescription a RELATIVE dose among `objects` may need. */
  readonly plans?: readonly RtPlanSummary[];
}

/** A structure set read onto the CT. */
export interface StructureSetOnCt {
  readonly file: string;
  readonly label: string;
  /** Its structures on the CT grid, in file order (empty ROIs included). */
  readonly structures: readonly Structure[];
}

/** What {@link readRtObjectsOntoCt} read, and what it refused. */
export interface RtObjectsOnCt {
  readonly structureSets: readonly StructureSetOnCt[];
  readonly doses: readonly RtDose[];
  readonly plans: readonly RtPlanSummary[];
  /** Objects not used, each a typed error whose message starts with its file's name. */
  readonly refused: readonly JobError[];
  /** What the user is told besides, as sentences: which structure set was chosen, the readers' warnings. */
  readonly warnings: readonly string[];
}

const READ = new Set(['RTSTRUCT', 'RTDOSE', 'RTPLAN']);

/**
 * Reads RT objects onto `ct` (see the module comment for the decisions). Never throws for a bad object: each one
 * that cannot be used is in `refused`, and the others are read.
 */
export function readRtObjectsOntoCt(objects: readonly RtObjectFile[], ct: ImageGrid, options: RtObjectsOptions = {}): RtObjectsOnCt {
  const refused: JobError[] = [];
  const warnings: string[] = [];
  const attempt = <T>(read: () => T): T | null => {
    try {
      return read();
    } catch (e) {
      if (e instanceof JobError) refused.push(e);
      else throw e;
      return null;
    }
  };
  for (const o of objects) if (!READ.has(o.kind)) warnings.push(`${o.file} (${o.kind}) is not read by Delineo: ignored`);

  const plans = objects.filter((o) => o.kind === 'RTPLAN').flatMap((o) => attempt(() => readRtPlanOntoCt(o.bytes, o.file, ct)) ?? []);
  for (const p of plans) if (!p.frameOfReferenceUid) warnings.push(`${p.file}: the plan states no Frame of Reference; it is taken as this CT's`);
  const known = [...(options.plans ?? []), ...plans];
  const doses = objects.filter((o) => o.kind === 'RTDOSE').flatMap((o) => attempt(() => readRtDoseOntoCt(o.bytes, o.file, ct, known)) ?? []);
  for (const d of doses) warnings.push(...d.warnings.map((w) => w.message));

  const candidates = objects.filter((o) => o.kind === 'RTSTRUCT');
  let chosen: readonly RtObjectFile[] = candidates;
  if (options.structureSets !== 'all' && candidates.length) {
    const choice = chooseRtstruct(candidates, ct.identity);
    if (choice.chosen && candidates.length > 1) warnings.push(choice.reason);
    for (const s of choice.skipped) {
      if (s.why === 'frame-of-reference') refused.push(new RtstructError('frame-of-reference-mismatch', s.reason, { file: s.file }));
      else warnings.push(`${s.file} was not loaded: ${s.reason}`);
    }
    chosen = choice.chosen ? [choice.chosen] : [];
  }
  const structureSets: StructureSetOnCt[] = [];
  for (const o of chosen) {
    const imported = attempt(() => importRtstruct(o.bytes, ct, { file: o.file }));
    if (!imported) continue;
    structureSets.push({ file: o.file, label: imported.parsed.label, structures: imported.structures });
    warnings.push(...imported.warnings.map((w) => w.message));
  }
  // Refusals in the order the files were given, whatever order they were read in.
  const order = (e: JobError) => objects.findIndex((o) => o.file === e.file);
  return { structureSets, doses, plans, refused: refused.sort((a, b) => order(a) - order(b)), warnings };
}

/**
 * Reads an RT Plan's summary for `ct`: refused (DoseLoadError 'frame-of-reference', naming both UIDs) when it
 * states another Frame of Reference than the CT's, since its prescription and beams belong to another position.
 */
export function readRtPlanOntoCt(bytes: Uint8Array, file: string, ct: ImageGrid): RtPlanSummary {
  const plan = readRtPlan(bytes, file);
  const mine = ct.identity.frameOfReferenceUid;
  if (plan.frameOfReferenceUid && mine && plan.frameOfReferenceUid !== mine) {
    throw new DoseLoadError('frame-of-reference', `the plan is on Frame of Reference ${plan.frameOfReferenceUid}, the CT on ${mine}: it was made for another patient position`, { file });
  }
  return plan;
}

/**
 * Reads an RT Dose for `ct`: its Frame of Reference is checked first (refused naming both UIDs), then a RELATIVE
 * dose is scaled to the prescription of the plan it refers to among `plans` — refused when that plan is not
 * there or states no prescription. A dose or CT without a Frame of Reference gets a warning.
 */
export function readRtDoseOntoCt(bytes: Uint8Array, file: string, ct: ImageGrid, plans: readonly RtPlanSummary[] = []): RtDose {
  const a = readRtDoseAttributes(bytes, file);
  const mine = ct.identity.frameOfReferenceUid;
  assertDoseOnCt(a, mine);
  let relativeReferenceGy: number | undefined;
  if ((a.doseUnits ?? '').trim().toUpperCase() === 'RELATIVE') {
    const ref = a.referencedRtPlanUid;
    const plan = ref ? plans.find((p) => p.sopInstanceUid === ref) : undefined;
    if (!ref) throw new DoseLoadError('relative-dose', 'the dose is RELATIVE (a fraction of the prescription) and refers to no RT Plan: its prescription is unknown, so it cannot be shown in Gy', { file });
    if (!plan) throw new DoseLoadError('relative-dose', `the dose is RELATIVE (a fraction of the prescription) and refers to the RT Plan ${ref}, which is not loaded: open that plan with it`, { file });
    if (plan.prescriptionGy === null) throw new DoseLoadError('relative-dose', `the dose is RELATIVE (a fraction of the prescription), and its plan ${plan.file} (${plan.label || plan.name || 'no label'}) states no prescription`, { file });
    relativeReferenceGy = plan.prescriptionGy;
  }
  const dose = buildRtDose(a, relativeReferenceGy === undefined ? {} : { relativeReferenceGy });
  const unverified = !a.frameOfReferenceUid ? 'the dose states no Frame of Reference' : !mine ? 'the CT states no Frame of Reference' : '';
  if (!unverified) return dose;
  return { ...dose, warnings: [...dose.warnings, { code: 'no-frame-of-reference', message: `${file}: ${unverified}, so that the dose belongs to this CT could not be verified`, file }] };
}
