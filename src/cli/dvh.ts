/**
 * `delineo dvh`: dose–volume histograms of a structure set in a planned dose, as a CSV table (and curves as
 * JSON), with a constraint template checked when one is given. Node-only.
 *
 * Exit codes: 0 done (constraint failures are reported, not an error), 1 the job failed (a file that cannot be
 * read, a dose on another Frame of Reference …; the message names the file), 2 a malformed command line.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cumulativeDvh } from '../domain/dvh.ts';
import { parseConstraintTemplate, type ConstraintTemplate } from '../domain/dose-constraints.ts';
import { importRtstruct } from '../io/dicom/rtstruct-reader.ts';
import type { RtDose } from '../io/dicom/rtdose.ts';
import { describePlan, type RtPlanSummary } from '../io/dicom/rtplan.ts';
import { doseFromImage } from '../io/dose-image.ts';
import { isVolumeFileName } from '../io/itk/image-formats.ts';
import { loadImageFile } from '../io/load-node.ts';
import { readRtDoseOntoCt, readRtPlanOntoCt } from '../io/rt-objects.ts';
import { StructureSetStore } from '../state/structure-set.store.ts';
import { DoseReview } from '../state/dose-review.ts';
import type { CommandIo } from './phantom.ts';
import { failure, loadCt, readInput, rtObjectInFolder, UsageError } from './common.ts';

export const DVH_USAGE = `Usage: delineo dvh --ct <dir> --rtstruct <rs.dcm> --rtdose <rd.dcm> --out <dvh.csv> [options]

Computes the dose–volume histogram of every ROI of the structure set in the dose and writes one CSV row per
ROI with a volume (POINT and open contours have none): structure, volume (cc), min, mean, max, D98, D95, D50
and D2 (Gy; Dx = the dose received by at least x % of the volume). The structures are rasterised on the CT
grid (even-odd, voxel centres) and the dose is sampled trilinearly at the CT voxel centres. The plan's
summary (label, prescription, fractions, beams) is printed when there is an RT Plan.

  --ct <dir>               folder with the DICOM CT series
  --rtstruct <file>        the RT Structure Set (default: the one in the CT folder)
  --rtdose <file>          the RT Dose (default: the one in the CT folder), or a dose image in Gy
                           (.nii, .nii.gz, .nrrd, .mha) on the CT's patient coordinates: an image states no
                           Frame of Reference, so only its overlap with the CT is checked (with a warning)
  --rtplan <file>          the RT Plan (default: the RT Plans in the CT folder); a RELATIVE dose needs the
                           prescription of the plan it refers to
  --out <file>             the CSV to write
  --json <file>            also write the cumulative curves (0.1 Gy steps) and every metric as JSON
  --constraints <file>     a constraint template (JSON, see src/domain/constraints/) to check
  --series <uid>           which series to use when the folder holds several
  -h, --help               show this help`;

const consoleIo: CommandIo = { log: (l) => console.log(l), error: (l) => console.error(l) };

const CSV_HEADER = 'structure,volume_cc,min_gy,mean_gy,max_gy,d98_gy,d95_gy,d50_gy,d2_gy';

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Runs `delineo dvh`; resolves to the exit code. */
export async function dvhCommand(args: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        ct: { type: 'string' },
        rtstruct: { type: 'string' },
        rtdose: { type: 'string' },
        rtplan: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'string' },
        constraints: { type: 'string' },
        series: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
    if (values.help) {
      io.log(DVH_USAGE);
      return 0;
    }
    if (!values.ct) throw new UsageError('--ct <dir> is required');
    if (!values.out) throw new UsageError('--out <file> is required');
  } catch (e) {
    io.error(`delineo dvh: ${(e as Error).message}\n\n${DVH_USAGE}`);
    return 2;
  }
  try {
    const ct = await loadCt(values.ct, values.series);
    const inFolder = (kind: 'RTSTRUCT' | 'RTDOSE', given: string | undefined, option: string) => rtObjectInFolder(ct, values.ct!, kind, given, option);
    const rs = await inFolder('RTSTRUCT', values.rtstruct, '--rtstruct');
    let template: ConstraintTemplate | null = null;
    if (values.constraints) {
      const text = new TextDecoder().decode(await readInput(values.constraints));
      try {
        template = parseConstraintTemplate(JSON.parse(text));
      } catch (e) {
        throw new RangeError(`${values.constraints}: ${(e as Error).message}`);
      }
    }
    // A plan given on the command line must be usable; one found in the folder is only described.
    const plans: RtPlanSummary[] = [];
    if (values.rtplan) plans.push(readRtPlanOntoCt(await readInput(values.rtplan), values.rtplan, ct.grid));
    else {
      for (const o of ct.rtObjects.filter((x) => x.kind === 'RTPLAN')) {
        try {
          plans.push(readRtPlanOntoCt(o.bytes, join(values.ct, o.file), ct.grid));
        } catch (e) {
          io.error(`warning: ${(e as Error).message}`);
        }
      }
    }
    for (const p of plans) io.log(`plan: ${describePlan(p)}`);
    let dose: RtDose;
    if (values.rtdose && isVolumeFileName(values.rtdose)) dose = doseFromImage(await loadImageFile(values.rtdose, { modality: 'RTDOSE' }), values.rtdose, ct.grid);
    else {
      const rd = await inFolder('RTDOSE', values.rtdose, '--rtdose');
      dose = readRtDoseOntoCt(rd.bytes, rd.file, ct.grid, plans);
    }
    for (const w of dose.warnings) io.error(`warning: ${w.message}`);
    const imported = importRtstruct(rs.bytes, ct.grid, { file: rs.file });
    for (const w of imported.warnings) io.error(`warning: ${w.message}`);

    const store = new StructureSetStore(ct.grid.geometry);
    store.load(imported.structures);
    const review = new DoseReview(store, { debounceMs: 0 });
    await review.setDose({ volume: dose.volume, label: dose.label, predicted: false });
    if (template) review.setTemplate(template);
    await review.settled();
    if (review.error$.value) throw new RangeError(review.error$.value);
    const rows = store.state.structures.map((s) => review.dvhs$.value.get(s.id)).filter((d) => d !== undefined);
    const lines = [CSV_HEADER];
    for (const r of rows) {
      const m = r.metrics;
      lines.push([csvField(r.name), ...[m.volumeCc, m.minGy, m.meanGy, m.maxGy, m.d98Gy, m.d95Gy, m.d50Gy, m.d2Gy].map((v) => v.toFixed(4))].join(','));
    }
    await writeFile(values.out, `${lines.join('\n')}\n`);
    const results = review.results$.value;
    for (const r of results) io.log(`${r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : 'N/A '} ${r.text}`);
    if (values.json) {
      const json = {
        dose: { file: dose.file, label: dose.label, summationType: dose.summationType, maxGy: dose.maxGy },
        plans: plans.map((p) => ({ file: p.file, label: p.label, prescriptionGy: p.prescriptionGy, fractions: p.fractions, beams: p.beams })),
        structures: rows.map((r) => {
          const curve = cumulativeDvh(r.dvh, 0.1);
          return { name: r.name, metrics: r.metrics, uncoveredCc: r.dvh.uncoveredCc, subvoxels: r.dvh.subvoxels, doseGy: [...curve.doseGy].map((v) => Math.round(v * 10) / 10), volumePercent: [...curve.volumePercent] };
        }),
        constraints: results.map((r) => ({ structure: r.constraint.structure, status: r.status, value: r.value, text: r.text, source: r.constraint.source })),
      };
      await writeFile(values.json, JSON.stringify(json, null, 1));
    }
    io.log(`${rows.length} structures: ${values.out}${values.json ? `, ${values.json}` : ''}`);
    review.dispose();
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.error(`delineo dvh: ${e.message}`);
      return 2;
    }
    return failure('dvh', e, io);
  }
}
