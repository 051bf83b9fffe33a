/**
 * `delineo segment`: auto-contours a CT with a local model (an ONNX network through onnxruntime-node, or the
 * rule-based External/lungs/bones) and writes a DICOM RT Structure Set referencing the CT series, or a NIfTI
 * label map. Node-only.
 *
 * Exit codes: 0 done, 1 the job failed (unreadable CT, unknown or corrupt model, not a CT, …; the message names
 * the file), 2 a malformed command line.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { uncertaintyToFloat } from '../domain/uncertainty.ts';
import { Volume } from '../domain/volume.ts';
import { JobError } from '../jobs/job.ts';
import { RULE_MODELS } from '../inference/rules/index.ts';
import { MODELS_DIR, segmentNode } from '../inference/segment-node.ts';
import { writeRtstruct } from '../io/dicom/rtstruct-writer.ts';
import { writeLabelMapNifti, writeVolumeNifti } from '../io/itk/nifti.ts';
import { loadPath } from '../io/load-node.ts';
import type { CommandIo } from './phantom.ts';

export const SEGMENT_USAGE = `Usage: delineo segment --ct <dicom dir | nifti> --model <id> --out <rs.dcm | labels.nii.gz> [options]

Auto-contours a CT with a local model; nothing leaves the machine.

  --ct <path>        a folder with a DICOM CT series, or a CT volume file (.nii, .nii.gz, .nrrd, .mha)
  --model <id>       hn-oar (head-and-neck OARs, ONNX) | ct-external-lungs-bones (rules) |
                     hn-target-proposal (head-and-neck target envelope, a PROPOSAL to review) |
                     a path to a model's manifest.json
  --out <file>       *.dcm: an RT Structure Set referencing the CT series (needs a DICOM CT);
                     *.nii / *.nii.gz: a label map on the CT grid (values = the model's label values)
  --uncertainty <file.nii.gz>
                     also write the model's per-voxel uncertainty (float32, 0 = certain … 1, on the CT grid;
                     entropy of the averaged class probabilities, see the model card); ONNX models only
  --series <uid>     which series to use when the folder holds several
  --threads <n>      ONNX Runtime threads (default 2)
  --no-tta           skip mirroring test-time augmentation (faster)
  -h, --help         show this help

Models in ${MODELS_DIR}; rule-based: ${RULE_MODELS.map((m) => m.id).join(', ')}.`;

class UsageError extends Error {}

const consoleIo: CommandIo = { log: (l) => console.log(l), error: (l) => console.error(l) };

/** Runs `delineo segment` (arguments without the subcommand name) and resolves to the exit code. */
export async function segmentCommand(argv: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  let args;
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: {
        ct: { type: 'string' },
        model: { type: 'string' },
        out: { type: 'string' },
        uncertainty: { type: 'string' },
        series: { type: 'string' },
        threads: { type: 'string' },
        'no-tta': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    args = parsed.values;
    if (args.help) {
      io.log(SEGMENT_USAGE);
      return 0;
    }
    if (!args.ct || !args.model || !args.out) throw new UsageError('--ct, --model and --out are required');
    if (!/\.(dcm|nii|nii\.gz)$/i.test(args.out)) throw new UsageError(`--out must end in .dcm, .nii or .nii.gz, got "${args.out}"`);
    if (args.uncertainty !== undefined && !/\.nii(\.gz)?$/i.test(args.uncertainty)) throw new UsageError(`--uncertainty must end in .nii or .nii.gz, got "${args.uncertainty}"`);
    if (args.threads !== undefined && !(Number.isInteger(Number(args.threads)) && Number(args.threads) >= 1)) throw new UsageError(`--threads needs a positive integer, got "${args.threads}"`);
  } catch (e) {
    io.error(`delineo segment: ${(e as Error).message}\n\n${SEGMENT_USAGE}`);
    return 2;
  }
  try {
    const loaded = await loadPath(args.ct, { seriesInstanceUid: args.series });
    if (loaded.kind !== 'volume') {
      io.error(`delineo segment: ${args.ct} holds several image series; choose one with --series:\n${loaded.allSeries.map((s) => `  ${s.seriesInstanceUid}  ${s.modality} ${s.seriesDescription}`).join('\n')}`);
      return 1;
    }
    const ct: Volume = loaded.volume;
    const dicom = Boolean(ct.identity.sopInstanceUids?.length);
    if (/\.dcm$/i.test(args.out) && !dicom) {
      io.error(`delineo segment: an RT Structure Set must reference a DICOM CT series; ${args.ct} is not one (write a .nii.gz label map instead)`);
      return 1;
    }
    if (args.uncertainty && RULE_MODELS.some((m) => m.id === args.model)) {
      io.error(`delineo segment: ${args.model} is rule-based and has no uncertainty map (only ONNX models make one)`);
      return 1;
    }
    let last = '';
    const t0 = performance.now();
    const r = await segmentNode(ct, args.model, {
      threads: args.threads ? Number(args.threads) : 2,
      tta: !args['no-tta'],
      progress: (p) => {
        const line = `${p.stage} ${p.done}/${p.total}${p.unit ? ` ${p.unit}` : ''}`;
        if (p.done === p.total && line !== last) io.log((last = line));
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    if (/\.dcm$/i.test(args.out)) {
      const w = writeRtstruct(ct, r.structures, { seriesDescription: `Delineo ${args.model}` });
      await writeFile(args.out, new Uint8Array(w.buffer));
      for (const warning of w.warnings) io.error(`delineo segment: warning: ${warning.message}`);
    } else {
      await writeLabelMapNifti(
        r.structures.map((s, i) => ({ mask: s.mask, label: i + 1 })),
        ct.geometry,
        args.out,
      );
    }
    if (args.uncertainty) {
      if (!r.uncertainty) {
        io.error(`delineo segment: ${args.model} made no uncertainty map (rule-based models have none)`);
        return 1;
      }
      const map = new Volume({ ...ct.geometry, data: uncertaintyToFloat(r.uncertainty), modality: 'OT', name: 'uncertainty' });
      await writeVolumeNifti(map, args.uncertainty);
    }
    for (const [i, s] of r.structures.entries()) io.log(`${/\.dcm$/i.test(args.out) ? '' : `${i + 1} `}${s.name}: ${s.mask.count()} voxels`);
    io.log(`${args.model} on ${ct.dimensions.join('×')} in ${seconds.toFixed(1)} s (${r.provider}) → ${args.out}${args.uncertainty ? `, uncertainty → ${args.uncertainty}` : ''}`);
    return 0;
  } catch (e) {
    if (e instanceof JobError || (e instanceof Error && ['GeometryError', 'RangeError', 'StructureError'].includes(e.name))) {
      io.error(`delineo segment: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
