/**
 * `delineo propagate`: registers a new CT of a patient to the reference (planning) CT and carries the reference
 * structure set over as an RT Structure Set on the new CT (every structure AUTO, for review), optionally with
 * the rigid registration as a DICOM Spatial Registration object. Node-only.
 *
 * Exit codes: 0 done (warnings on stderr), 1 the job failed (the message names the file), 2 a malformed command line.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Volume } from '../domain/volume.ts';
import { writeSpatialRegistration } from '../io/dicom/reg.ts';
import { importRtstruct } from '../io/dicom/rtstruct-reader.ts';
import { writeRtstruct } from '../io/dicom/rtstruct-writer.ts';
import { loadDicomDirectory } from '../io/load-node.ts';
import { propagateStructures } from '../registration/propagate.ts';
import { registerCt } from '../registration/register.ts';
import { invertAffine, rotationAngleDeg } from '../registration/transform.ts';
import type { CommandIo } from './phantom.ts';
import { consoleIo, failure, UsageError } from './common.ts';

export const PROPAGATE_USAGE = `Usage: delineo propagate --from-ct <dir> --rtstruct <rs.dcm> --to-ct <dir> --out <rs.dcm> [options]

Registers the new CT (--to-ct) to the reference CT (--from-ct) with elastix and writes the reference structures,
carried onto the new CT, as an RT Structure Set on it. Every structure is marked AUTO ("propagated from
<reference series, date>") for review; the volume of each before and after is printed.

  --from-ct <dir>      folder with the reference (planning) DICOM CT series
  --rtstruct <file>    the reference RT Structure Set, drawn on --from-ct
  --to-ct <dir>        folder with the new DICOM CT series
  --out <file>         the RT Structure Set to write, referencing the new CT
  --mode <m>           rigid (default); deformable is not available yet
  --reg-out <file>     also write the rigid registration as a DICOM Spatial Registration object
  -h, --help           show this help`;

async function loadSeries(dir: string, what: string): Promise<Volume> {
  const r = await loadDicomDirectory(dir);
  if (r.kind !== 'volume') throw new UsageError(`${dir} (${what}) holds several image series; give a folder with one`);
  return r.volume;
}

/** Runs `delineo propagate`; resolves to the exit code. */
export async function propagateCommand(args: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        'from-ct': { type: 'string' },
        rtstruct: { type: 'string' },
        'to-ct': { type: 'string' },
        out: { type: 'string' },
        mode: { type: 'string' },
        'reg-out': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
    if (values.help) {
      io.log(PROPAGATE_USAGE);
      return 0;
    }
    for (const k of ['from-ct', 'rtstruct', 'to-ct', 'out'] as const) if (!values[k]) throw new UsageError(`--${k} is required`);
    const mode = values.mode ?? 'rigid';
    if (mode !== 'rigid' && mode !== 'deformable') throw new UsageError(`--mode must be rigid or deformable, got "${mode}"`);
    if (mode === 'deformable') throw new UsageError('--mode deformable is not available yet: use --mode rigid');
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof TypeError)) throw e;
    io.error(`delineo propagate: ${(e as Error).message}\n\n${PROPAGATE_USAGE}`);
    return 2;
  }
  const fromDir = values['from-ct']!;
  const toDir = values['to-ct']!;
  const rsFile = values.rtstruct!;
  try {
    const reference = await loadSeries(fromDir, '--from-ct');
    const fresh = await loadSeries(toDir, '--to-ct');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(rsFile));
    } catch (e) {
      throw new RangeError(`${rsFile}: cannot be read (${(e as Error).message})`);
    }
    const imported = importRtstruct(bytes, reference, { file: rsFile });
    for (const w of imported.warnings) io.error(`warning: ${w.message}`);
    const refId = reference.identity;
    const newId = fresh.identity;
    if ((refId.patientId ?? '') !== (newId.patientId ?? ''))
      io.error(`warning: the two CTs name different patients (PatientID "${refId.patientId ?? ''}" in ${fromDir}, "${newId.patientId ?? ''}" in ${toDir}): check that they are the same person`);
    if (refId.frameOfReferenceUid && refId.frameOfReferenceUid === newId.frameOfReferenceUid)
      io.error('note: both CTs share one Frame of Reference; they are registered all the same');
    const started = performance.now();
    const { transform } = await registerCt(
      { fixed: fresh, moving: reference, mode: 'rigid' },
      { progress: (p) => p.done === p.total && p.stage !== 'prepare' && io.error(`${p.stage}: ${p.done}/${p.total} ${p.unit ?? ''}`) },
    );
    const seconds = (performance.now() - started) / 1000;
    const m = transform.rigid;
    io.log(`registered ${toDir} to ${fromDir} (rigid) in ${seconds.toFixed(1)} s: rotation ${rotationAngleDeg(m).toFixed(2)}°, new-CT origin maps to (${[m[3], m[7], m[11]].map((x) => x.toFixed(1)).join(', ')}) mm`);
    const { structures, volumes } = await propagateStructures({
      structures: imported.structures,
      reference: reference.geometry,
      target: fresh.geometry,
      transform,
      source: { series: refId.seriesDescription || `CT series ${refId.seriesNumber ?? refId.seriesInstanceUid ?? ''}`.trim(), date: refId.studyDate ?? '' },
    });
    const written = writeRtstruct(fresh, structures, { seriesDescription: 'Delineo propagated structures', label: 'Propagated' });
    await writeFile(values.out!, new Uint8Array(written.buffer));
    for (const w of written.warnings) io.error(`warning: ${w.message}`);
    io.log(`wrote ${values.out}: ${structures.length} ROIs on ${toDir}, status AUTO`);
    io.log(`  ${'structure'.padEnd(24)} ${'before cc'.padStart(10)} ${'after cc'.padStart(10)} ${'change'.padStart(8)}`);
    for (const v of volumes)
      io.log(`  ${v.name.padEnd(24)} ${v.beforeCc.toFixed(2).padStart(10)} ${v.afterCc.toFixed(2).padStart(10)} ${v.changePercent === null ? '—'.padStart(8) : `${v.changePercent >= 0 ? '+' : ''}${v.changePercent.toFixed(1)} %`.padStart(8)}`);
    if (values['reg-out']) {
      const reg = writeSpatialRegistration(fresh, reference, invertAffine(transform.rigid));
      await writeFile(values['reg-out'], new Uint8Array(reg.buffer));
      io.log(`wrote ${values['reg-out']}: Spatial Registration, ${refId.frameOfReferenceUid ?? '?'} → ${newId.frameOfReferenceUid ?? '?'}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.error(`delineo propagate: ${e.message}`);
      return 2;
    }
    return failure('propagate', e, io);
  }
}
