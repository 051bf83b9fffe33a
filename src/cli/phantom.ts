/**
 * `delineo phantom`: writes the synthetic thorax phantom (src/phantom) to disk as a DICOM CT series and/or a
 * NIfTI CT, always with its ground truth: one NIfTI mask per structure, a label map and a JSON manifest with
 * the analytic volumes, so other tools (plastimatch, TotalSegmentator, a PACS) can be tested against it.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IDENTITY, type Vec3 } from '../domain/geometry.ts';
import { maskVolumeCc } from '../domain/structure.ts';
import { writeCtSeriesToDirectory } from '../io/dicom/ct-writer-node.ts';
import { writeLabelMapNifti, writeMaskNifti, writeVolumeNifti } from '../io/itk/nifti.ts';
import { DEFAULT_PHANTOM_DIMENSIONS, DEFAULT_PHANTOM_SPACING, generatePhantom, obliqueDirection, PHANTOM_STRUCTURES, PhantomError } from '../phantom/phantom.ts';

export const PHANTOM_USAGE = `Usage: delineo phantom --out <dir> [options]

Writes a synthetic thorax CT with exact ground-truth structures.

  --out <dir>          output directory (created if needed)
  --format <f>         dicom | nifti | both (default both)
  --size <NxMxK>       grid size, e.g. 512x512x134 (default ${DEFAULT_PHANTOM_DIMENSIONS.join('x')})
  --spacing <XxYxZ>    voxel spacing in mm, e.g. 0.98x0.98x2.5 (default ${DEFAULT_PHANTOM_SPACING.join('x')})
  --oblique <deg>      tilt the grid by <deg> about patient x, then y (default 0: axial)
  --seed <N>           noise seed (default 1); the same seed gives identical voxels
  --noise <HU>         noise standard deviation (default 10; 0 for none)
  -h, --help           show this help

Output: ct/CT.0001.dcm… (dicom), ct.nii.gz (nifti), masks/<Structure>.nii.gz, labels.nii.gz, phantom.json.`;

/** Where the command writes its messages; tests pass their own. */
export interface CommandIo {
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
}

const consoleIo: CommandIo = { log: (l) => console.log(l), error: (l) => console.error(l) };

/** Thrown for a malformed command line; the command prints it with the usage and exits 2. */
class UsageError extends Error {}

function parseTriple(value: string, what: string, integer: boolean): Vec3 {
  const parts = value.split(/[x×,]/i).map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))) {
    throw new UsageError(`--${what} needs three positive ${integer ? 'integers' : 'numbers'} like ${integer ? '512x512x134' : '0.98x0.98x2.5'}, got "${value}"`);
  }
  return [parts[0], parts[1], parts[2]];
}

function parseNumber(value: string | undefined, what: string, fallback: number, check: (n: number) => boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${what}: invalid value "${value}"`);
  return n;
}

/** File-system-safe name of a structure for its mask file (TG-263 names already are; be defensive). */
const fileName = (name: string): string => name.replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * Runs `delineo phantom` with the given arguments (without the subcommand name): generates the phantom and
 * writes the requested formats plus ground-truth masks, label map and manifest into `--out`. Resolves to the
 * process exit code: 0 on success, 1 when the phantom cannot be made as asked (e.g. the field of view cuts the
 * body), 2 for a malformed command line.
 */
export async function phantomCommand(args: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        out: { type: 'string' },
        format: { type: 'string', default: 'both' },
        size: { type: 'string' },
        spacing: { type: 'string' },
        oblique: { type: 'string' },
        seed: { type: 'string' },
        noise: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.error(`delineo phantom: ${(e as Error).message}\n\n${PHANTOM_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.log(PHANTOM_USAGE);
    return 0;
  }
  let out: string;
  let dimensions: Vec3;
  let spacing: Vec3;
  let oblique: number;
  let seed: number;
  let noiseHu: number;
  let format: string;
  try {
    if (!values.out) throw new UsageError('--out <dir> is required');
    out = values.out;
    format = values.format ?? 'both';
    if (!['dicom', 'nifti', 'both'].includes(format)) throw new UsageError(`--format must be dicom, nifti or both, got "${format}"`);
    dimensions = values.size ? parseTriple(values.size, 'size', true) : DEFAULT_PHANTOM_DIMENSIONS;
    spacing = values.spacing ? parseTriple(values.spacing, 'spacing', false) : DEFAULT_PHANTOM_SPACING;
    oblique = parseNumber(values.oblique, 'oblique', 0, (n) => Math.abs(n) <= 90);
    seed = parseNumber(values.seed, 'seed', 1, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff);
    noiseHu = parseNumber(values.noise, 'noise', 10, (n) => n >= 0);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.error(`delineo phantom: ${e.message}\n\n${PHANTOM_USAGE}`);
    return 2;
  }

  const started = performance.now();
  let phantom;
  try {
    phantom = generatePhantom({ dimensions, spacing, direction: oblique === 0 ? IDENTITY : obliqueDirection(oblique), seed, noiseHu });
  } catch (e) {
    if (!(e instanceof PhantomError)) throw e;
    io.error(`delineo phantom: ${e.message}`);
    return 1;
  }
  const generatedMs = performance.now() - started;
  const { volume } = phantom;
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  let identity = volume.identity;
  if (format === 'dicom' || format === 'both') {
    const written = await writeCtSeriesToDirectory(volume, join(out, 'ct'), {
      bodyPartExamined: 'CHEST',
      derivationDescription: `Delineo synthetic thorax phantom, seed ${seed}, noise ${noiseHu} HU`,
    });
    identity = written.identity;
    files.push(...written.paths);
  }
  if (format === 'nifti' || format === 'both') {
    await writeVolumeNifti(volume, join(out, 'ct.nii.gz'));
    files.push(join(out, 'ct.nii.gz'));
  }
  await mkdir(join(out, 'masks'), { recursive: true });
  for (const s of phantom.structures) {
    const path = join(out, 'masks', `${fileName(s.name)}.nii.gz`);
    await writeMaskNifti(s.mask, volume, path);
    files.push(path);
  }
  // Label n + 1 for structure n in PHANTOM_STRUCTURES order: External first, GTV last, so nested structures
  // stay visible where they overlap their containers.
  await writeLabelMapNifti(
    phantom.structures.map((s, n) => ({ mask: s.mask, label: n + 1 })),
    volume,
    join(out, 'labels.nii.gz'),
  );
  files.push(join(out, 'labels.nii.gz'));

  const manifest = {
    generator: 'delineo phantom',
    seed,
    noiseHu,
    obliqueDegrees: oblique,
    coordinateSystem: 'DICOM patient (LPS), millimetres; direction is column-major: elements 0-2 = i axis, 3-5 = j, 6-8 = k',
    geometry: { dimensions: volume.dimensions, spacing: volume.spacing, origin: volume.origin, direction: volume.direction },
    center: phantom.center,
    gtv: { centerMm: phantom.anatomy.gtvCenter, radiusMm: phantom.anatomy.gtvRadiusMm },
    identity,
    structures: phantom.structures.map((s, n) => ({
      name: s.name,
      label: n + 1,
      color: s.color,
      interpretedType: s.interpretedType,
      nominalHu: PHANTOM_STRUCTURES[n].nominalHu,
      analyticVolumeCc: phantom.analyticVolumesCc[s.name],
      voxelVolumeCc: maskVolumeCc(s.mask, volume),
      shape: phantom.shapes[s.name],
      mask: `masks/${fileName(s.name)}.nii.gz`,
    })),
  };
  await writeFile(join(out, 'phantom.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  io.log(`phantom ${volume.dimensions.join('×')} at ${volume.spacing.join('×')} mm${oblique ? `, oblique ${oblique}°` : ''}, seed ${seed}: generated in ${generatedMs.toFixed(0)} ms`);
  for (const s of manifest.structures) io.log(`  ${s.name.padEnd(11)} ${s.voxelVolumeCc.toFixed(2).padStart(10)} cc (analytic ${s.analyticVolumeCc.toFixed(2)} cc)`);
  io.log(`wrote ${files.length + 1} files to ${out}`);
  return 0;
}
