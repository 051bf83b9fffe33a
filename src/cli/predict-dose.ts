/**
 * `delineo predict-dose`: knowledge-based dose prediction of a CT and its structure set with a local dose model
 * (src/inference/dose-node.ts), written as a DICOM RT Dose marked as a prediction, with what the model used and
 * the predicted DVH metrics of each target and organ at risk (the DVH engine `delineo dvh` uses). Node-only.
 *
 * Exit codes: 0 done, 1 the job failed (an unreadable file, an unknown or corrupt model, no PTV with a
 * prescription …; the message names the file or the structures), 2 a malformed command line.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { doseToVolumePercent } from '../domain/dvh.ts';
import type { Structure } from '../domain/structure.ts';
import { readDoseManifest, predictDoseNode } from '../inference/dose-node.ts';
import { HN_DOSE_ORGANS, isPtv, type DoseTargetPrescription } from '../inference/dose-prediction.ts';
import { InferenceError } from '../inference/errors.ts';
import { writeRtDose } from '../io/dicom/rtdose-writer.ts';
import { importRtstruct } from '../io/dicom/rtstruct-reader.ts';
import { readRtPlanOntoCt } from '../io/rt-objects.ts';
import { DoseReview } from '../state/dose-review.ts';
import { StructureSetStore } from '../state/structure-set.store.ts';
import type { CommandIo } from './phantom.ts';
import { consoleIo, failure, loadCtVolume, readInput, rtObjectInFolder, UsageError } from './common.ts';

export const PREDICT_DOSE_USAGE = `Usage: delineo predict-dose --ct <dir> --rtstruct <rs.dcm> --out <rd.dcm> [options]

Predicts the dose that a plan made in the style of the model's training plans would likely give this CT and
structure set, before any plan exists, and writes it as a DICOM RT Dose on the CT's Frame of Reference (Dose
Summation Type PLAN, Dose Comment "PREDICTED dose (<model> <version>) …"). Nothing leaves the machine. A
prediction is what similar plans achieved, not a planned or deliverable dose.

Prints what the model used (the targets with their prescriptions, the organs at risk found and missing, the
PTVs that still need a prescription) and the predicted mean dose and D0.1cc of each organ at risk and the mean,
D95 and D99 of each target, computed as \`delineo dvh\` computes them.

  --ct <dir>                  folder with the DICOM CT series
  --rtstruct <file>           the RT Structure Set (default: the one in the CT folder)
  --model <id | manifest>     hn-dose (default) | a path to a dose model's manifest.json
  --prescription <NAME=GY>    a target's prescription in Gy (repeat for several targets). Overrides the dose a
                              PTV's name states ("PTV70", "PTV_63.0" Gy; "PTV_5600" cGy) and is needed for a PTV
                              whose name states none ("PTV-1", "PTV_high"); makes a target of any structure
  --rtplan <file>             the RT Plan the dose is to reference (on the CT's Frame of Reference). Without it
                              the RT Dose references a new RT Plan UID that no object has yet (printed): DICOM
                              requires a plan reference for a PLAN dose, and a prediction precedes the plan
  --out <file.dcm>            the RT Dose to write
  --json                      print the summary as JSON on stdout (progress and warnings stay on stderr)
  --series <uid>              which series to use when the folder holds several
  --threads <n>               ONNX Runtime threads (default 2)
  -h, --help                  show this help

Organs at risk of hn-dose: ${HN_DOSE_ORGANS.join(', ')} (TG-263 names; OpenKBP's RightParotid,
LeftParotid and Mandible, and case or underscore variants, are accepted).`;

/** The largest prescription accepted on the command line (Gy), as the engine accepts. */
const MAX_GY = 150;

/** One --prescription: "NAME=GY" (the name may hold "="; the last one separates), "Gy" after the number allowed. */
export function parsePrescriptionArg(text: string): { name: string; gy: number } {
  const at = text.lastIndexOf('=');
  const name = at > 0 ? text.slice(0, at).trim() : '';
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gy)?\s*$/i.exec(at > 0 ? text.slice(at + 1) : '');
  if (!name || !m) throw new UsageError(`--prescription "${text}": give NAME=GY, the structure's name and its prescription in Gy (e.g. "PTV_high=70")`);
  const gy = Number(m[1]);
  if (!(gy > 0 && gy <= MAX_GY)) throw new UsageError(`--prescription "${text}": ${gy} Gy is not a prescription (more than 0, at most ${MAX_GY} Gy; 70, not 7000 cGy)`);
  return { name, gy };
}

/** The structures a --prescription names: the exact name, else the name in any case with spaces trimmed. */
function structuresNamed(structures: readonly Structure[], name: string): Structure[] {
  const exact = structures.filter((s) => s.name === name);
  if (exact.length) return exact;
  const key = name.trim().toLowerCase();
  return structures.filter((s) => s.name.trim().toLowerCase() === key);
}

const gy = (v: number) => Math.round(v * 100) / 100;

/** Runs `delineo predict-dose`; resolves to the exit code. */
export async function predictDoseCommand(argv: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  let values;
  let entered: { name: string; gy: number }[];
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ct: { type: 'string' },
        rtstruct: { type: 'string' },
        model: { type: 'string', default: 'hn-dose' },
        prescription: { type: 'string', multiple: true },
        rtplan: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        series: { type: 'string' },
        threads: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
    if (values.help) {
      io.log(PREDICT_DOSE_USAGE);
      return 0;
    }
    if (!values.ct) throw new UsageError('--ct <dir> is required');
    if (!values.out) throw new UsageError('--out <file.dcm> is required');
    if (!/\.dcm$/i.test(values.out)) throw new UsageError(`--out must be a DICOM file ending in .dcm, got "${values.out}"`);
    if (values.threads !== undefined && !(Number.isInteger(Number(values.threads)) && Number(values.threads) >= 1)) throw new UsageError(`--threads needs a positive integer, got "${values.threads}"`);
    entered = (values.prescription ?? []).map(parsePrescriptionArg);
  } catch (e) {
    io.error(`delineo predict-dose: ${(e as Error).message}\n\n${PREDICT_DOSE_USAGE}`);
    return 2;
  }
  const say = (line: string) => io.error(`predict-dose: ${line}`);
  try {
    const t0 = performance.now();
    // The model first: an unknown or invalid one fails before the CT is read.
    const { manifest } = await readDoseManifest(values.model!);
    say(`model ${manifest.id} ${manifest.version}; reading the CT in ${values.ct}`);
    const loaded = await loadCtVolume(values.ct, values.series);
    const ct = loaded.volume;
    for (const w of loaded.warnings) say(`warning: ${w.message}`);
    const rs = await rtObjectInFolder(loaded, values.ct, 'RTSTRUCT', values.rtstruct, '--rtstruct');
    const imported = importRtstruct(rs.bytes, ct, { file: rs.file });
    for (const w of imported.warnings) say(`warning: ${w.message}`);
    const structures = imported.structures;
    const plan = values.rtplan ? readRtPlanOntoCt(await readInput(values.rtplan), values.rtplan, ct) : null;
    if (plan && !plan.sopInstanceUid) throw new RangeError(`${values.rtplan}: the RT Plan has no SOP Instance UID, so an RT Dose cannot reference it`);

    const prescriptions: DoseTargetPrescription[] = [];
    for (const p of entered) {
      const named = structuresNamed(structures, p.name);
      if (!named.length) {
        const ptvs = structures.filter((s) => isPtv(s)).map((s) => `"${s.name}"`);
        throw new UsageError(`--prescription "${p.name}=${p.gy}": ${rs.file} has no structure named "${p.name}" (${ptvs.length ? `its PTVs: ${ptvs.join(', ')}` : 'it has no PTV'})`);
      }
      for (const s of named) prescriptions.push({ structureId: s.id, prescriptionGy: p.gy });
    }

    let last = '';
    const result = await predictDoseNode({ ct, structures, prescriptions }, values.model, {
      threads: values.threads ? Number(values.threads) : 2,
      progress: (p) => {
        const line = `${p.stage} ${p.done}/${p.total}${p.unit ? ` ${p.unit}` : ''}`;
        if (p.done === p.total && line !== last) say((last = line));
      },
    }).catch((e: unknown) => {
      if (e instanceof InferenceError && e.code === 'no-target') {
        const ptv = structures.find((s) => isPtv(s) && !s.mask.isEmpty());
        throw new InferenceError('no-target', `${e.message}${ptv ? ` with --prescription "${ptv.name}=GY"` : ''}`, { file: rs.file });
      }
      throw e;
    });
    const { inputs, model } = result;

    // Dose Comment is an LO (64 characters at most): the model and that it is no plan, the rest goes to stdout.
    const named = `PREDICTED dose (${model.id} ${model.version})`;
    const comment = (named.length <= 44 ? `${named}: not a planned dose` : named).slice(0, 64);
    const written = writeRtDose(result.dose, ct, {
      comment,
      seriesDescription: `PREDICTED dose ${model.id} ${model.version}`.slice(0, 64),
      ...(plan ? { referencedRtPlanUid: plan.sopInstanceUid } : {}),
    });
    await writeFile(values.out, new Uint8Array(written.buffer));

    say('DVH of the targets and organs at risk');
    const used = new Set([...inputs.targets.map((t) => t.structureId), ...inputs.organs.map((o) => o.structureId)]);
    const store = new StructureSetStore(ct.geometry);
    store.load(structures.filter((s) => used.has(s.id)));
    const review = new DoseReview(store, { debounceMs: 0 });
    let dvhs;
    try {
      await review.setDose({ volume: result.dose, label: result.label, predicted: true });
      await review.settled();
      if (review.error$.value) throw new RangeError(review.error$.value);
      dvhs = review.dvhs$.value;
    } finally {
      review.dispose();
    }
    const metricsOf = (id: string) => {
      const d = dvhs.get(id);
      if (!d) throw new Error(`no DVH was computed for structure ${id}`);
      return d;
    };
    const enteredIds = new Set(prescriptions.map((p) => p.structureId));
    const targets = inputs.targets.map((t) => {
      const d = metricsOf(t.structureId);
      return { name: t.name, prescriptionGy: t.prescriptionGy, from: enteredIds.has(t.structureId) ? 'entered' : 'name', volumeCc: gy(d.metrics.volumeCc), meanGy: gy(d.metrics.meanGy), d95Gy: gy(d.metrics.d95Gy), d99Gy: gy(doseToVolumePercent(d.dvh, 99)) };
    });
    const organs = inputs.organs.map((o) => {
      const d = metricsOf(o.structureId);
      return { channel: o.channel, name: o.name, volumeCc: gy(d.metrics.volumeCc), meanGy: gy(d.metrics.meanGy), d0_1ccGy: gy(d.metrics.d0_1ccGy) };
    });
    const [dx, dy, dz] = written.grid.dimensions;
    const [sx, sy, sz] = written.grid.spacing;
    const maxGy = result.dose.range()[1];
    const seconds = (performance.now() - t0) / 1000;
    const summary = {
      model: { id: model.id, version: model.version, name: manifest.name },
      ct: values.ct,
      rtstruct: rs.file,
      out: values.out,
      doseComment: comment,
      doseGrid: { dimensions: [dx, dy, dz], spacingMm: [sx, sy, sz], maxGy: gy(maxGy), doseGridScaling: written.doseGridScaling },
      referencedRtPlan: plan ? { file: values.rtplan, sopInstanceUid: written.referencedRtPlanUid, minted: false } : { file: null, sopInstanceUid: written.referencedRtPlanUid, minted: true },
      targets,
      needsPrescription: inputs.needsPrescription.map((t) => t.name),
      organs,
      missingOrgans: inputs.missingOrgans,
      timingsMs: Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Math.round(v)])),
      seconds: Math.round(seconds * 10) / 10,
    };
    if (values.json) {
      io.log(JSON.stringify(summary, null, 1));
      return 0;
    }
    io.log(`model: ${model.id} ${model.version} (${manifest.name})`);
    for (const t of targets) io.log(`target ${t.name}: ${t.prescriptionGy} Gy (${t.from === 'entered' ? 'entered' : 'from its name'}); predicted mean ${t.meanGy.toFixed(2)} Gy, D95 ${t.d95Gy.toFixed(2)} Gy, D99 ${t.d99Gy.toFixed(2)} Gy`);
    for (const n of summary.needsPrescription) io.log(`needs a prescription: ${n} (not used as a target; give --prescription "${n}=GY")`);
    for (const o of organs) io.log(`organ ${o.channel}${o.name === o.channel ? '' : ` = ${o.name}`}: predicted mean ${o.meanGy.toFixed(2)} Gy, D0.1cc ${o.d0_1ccGy.toFixed(2)} Gy`);
    if (inputs.missingOrgans.length) io.log(`organs missing (all-zero input): ${inputs.missingOrgans.join(', ')}`);
    io.log(
      plan
        ? `references RT Plan ${written.referencedRtPlanUid} (${values.rtplan})`
        : `references RT Plan ${written.referencedRtPlanUid}: a new UID for the plan this dose stands for, which no object has yet (give --rtplan to reference a real plan)`,
    );
    io.log(`RT Dose ${dx}×${dy}×${dz} of ${sx}×${sy}×${sz} mm, max ${maxGy.toFixed(2)} Gy, in ${seconds.toFixed(1)} s → ${values.out}`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.error(`delineo predict-dose: ${e.message}`);
      return 2;
    }
    return failure('predict-dose', e, io);
  }
}
