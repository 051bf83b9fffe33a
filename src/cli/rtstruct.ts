/**
 * `delineo export` and `delineo import`: RT Structure Sets from and to label maps on the command line, for
 * scripts (exit codes, errors on stderr) and for checking our files against other tools. Node-only.
 *
 * Exit codes: 0 done (warnings, if any, on stderr), 1 the job failed (a file that cannot be read, a Frame of
 * Reference mismatch, …; the message names the file), 2 a malformed command line.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { sameGrid } from '../domain/geometry.ts';
import { BinaryMask } from '../domain/mask.ts';
import { resampleVolume } from '../domain/resample.ts';
import {
  createStructure,
  DISTINCT_COLORS,
  type GenerationAlgorithm,
  maskVolumeCc,
  type Structure,
} from '../domain/structure.ts';
import { suggestStandardName, tg263Entry } from '../domain/tg263.ts';
import type { Volume } from '../domain/volume.ts';
import { chooseRtstruct } from '../io/dicom/choose-rtstruct.ts';
import { importRtstruct, parseRtstruct } from '../io/dicom/rtstruct-reader.ts';
import { writeRtstruct } from '../io/dicom/rtstruct-writer.ts';
import { loadImageFile } from '../io/load-node.ts';
import { writeMaskNifti } from '../io/itk/nifti.ts';
import type { CommandIo } from './phantom.ts';
import { consoleIo, failure, loadCt, UsageError } from './common.ts';

export const EXPORT_USAGE = `Usage: delineo export --ct <dir> --labels <nifti> --out <rs.dcm> [options]

Writes the structures of a label map as a DICOM RT Structure Set referencing the CT series in <dir>.

  --ct <dir>             folder with the DICOM CT series the structures belong to
  --labels <file>        label map (.nii, .nii.gz, .nrrd, .mha): 0 = background, 1, 2, … = structures;
                         on the CT grid, or resampled onto it (nearest neighbour)
  --names <list>         structure names: "a,b,c" for labels 1, 2, 3, or "1=GTV,5=Lung_L"
                         (default Label_<n>); TG-263 names get their standard colour and type
  --out <file>           the RT Structure Set to write
  --series <uid>         which series to use when the folder holds several
  --label <text>         Structure Set Label (≤ 16 characters, default Delineo)
  --operator <name>      Operators' Name, e.g. "Doe^Jane" (default empty)
  --algorithm <a>        ROI Generation Algorithm: AUTOMATIC (default: a label map usually comes from a
                         model, and claiming a human drew it would be the unsafe error), SEMIAUTOMATIC, MANUAL
  --source <text>        ROI Generation Description source (default: the label map's file name)
  -h, --help             show this help`;

export const IMPORT_USAGE = `Usage: delineo import --ct <dir> [--rtstruct <rs.dcm>] --out-dir <dir> [options]

Reads a DICOM RT Structure Set onto its CT and writes one NIfTI mask per ROI, plus structures.json
(names, TG-263 names, colours, types, provenance, volumes, markers and warnings).

  --ct <dir>                     folder with the DICOM CT series
  --rtstruct <file>              the RT Structure Set (default: the one in the CT folder; of several, the
                                 one drawn on this series, else on its Frame of Reference, newest first)
  --out-dir <dir>                where to write <ROI name>.nii.gz and structures.json
  --series <uid>                 which series to use when the folder holds several
  --accept-frame-of-reference    place the contours even if the structure set's Frame of Reference is not
                                 the CT's (only for files known to carry a wrong UID)
  --slice-tolerance <mm>         largest distance of a contour from a slice plane (default half the spacing)
  -h, --help                     show this help`;

/** Parses --names: "a,b,c" (labels 1, 2, 3) or "1=GTV,5=Lung_L". */
export function parseNames(spec: string | undefined): Map<number, string> {
  const names = new Map<number, string>();
  if (!spec) return names;
  const parts = spec.split(',').map((s) => s.trim());
  const explicit = parts.every((p) => /^\d+\s*=/.test(p));
  parts.forEach((p, n) => {
    if (explicit) {
      const [label, ...rest] = p.split('=');
      const value = Number(label);
      const name = rest.join('=').trim();
      if (!Number.isInteger(value) || value < 1 || !name)
        throw new UsageError(`--names: "${p}" is not <label>=<name>`);
      if (names.has(value)) throw new UsageError(`--names: label ${value} is named twice`);
      names.set(value, name);
    } else {
      if (!p) throw new UsageError(`--names: name ${n + 1} is empty`);
      names.set(n + 1, p);
    }
  });
  return names;
}

/**
 * One mask per label value of a label map on the CT grid, in one pass over the voxels. Throws a RangeError for
 * values that cannot be labels (negative, fractional). Each label's voxels on a slice are written as the
 * rectangle that bounds them, so a label costs its extent on the slice, not the whole slice per label.
 */
export function labelMasks(labels: Volume): Map<number, BinaryMask> {
  const [nx, ny, nz] = labels.dimensions;
  const plane = nx * ny;
  const masks = new Map<number, BinaryMask>();
  const data = labels.data;
  // Per label on the current slice: its bounding rectangle, as [iMin, jMin, iMax, jMax].
  const boxes = new Map<number, Int32Array>();
  let region = new Uint8Array(0);
  // Byte labels (the usual label map) are scanned four at a time where a word of them is all background.
  const words = data instanceof Uint8Array && data.byteOffset % 4 === 0 && nx % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, data.length >> 2) : null;
  for (let k = 0; k < nz; k++) {
    boxes.clear();
    const base = k * plane;
    // Labels come in runs along a row: the last label's box is reused without a map lookup.
    let last = 0;
    let box: Int32Array | undefined;
    for (let j = 0, p = base; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        if (words && (p & 3) === 0 && words[p >> 2] === 0) {
          i += 3;
          p += 3;
          continue;
        }
        const v = data[p];
        if (v === 0) continue;
        if (v !== last) {
          last = v;
          box = boxes.get(v);
        }
        if (!box) {
          if (!(v > 0) || !Number.isInteger(v))
            throw new RangeError(`the label map holds the value ${v}: labels must be non-negative integers`);
          boxes.set(v, (box = Int32Array.of(i, j, i, j)));
        } else {
          if (i < box[0]) box[0] = i;
          else if (i > box[2]) box[2] = i;
          box[3] = j;
        }
      }
    }
    for (const [v, rect] of boxes) {
      const [i0, j0, i1, j1] = rect;
      const w = i1 - i0 + 1;
      const h = j1 - j0 + 1;
      if (region.length < w * h) region = new Uint8Array(w * h);
      for (let j = 0, r = 0; j < h; j++) {
        const row = base + (j0 + j) * nx + i0;
        for (let i = 0; i < w; i++, r++) region[r] = data[row + i] === v ? 1 : 0;
      }
      let mask = masks.get(v);
      if (!mask) masks.set(v, (mask = new BinaryMask(labels.dimensions)));
      mask.writeAxialRegion(k, region.subarray(0, w * h), i0, j0, w, h, false);
    }
  }
  for (const m of masks.values()) m.compact();
  return new Map([...masks.entries()].sort((a, b) => a[0] - b[0]));
}

/**
 * Runs `delineo export` (arguments without the subcommand): loads the CT series and the label map, resamples the
 * labels onto the CT grid when they are on another one, and writes one ROI per label value present as an RT
 * Structure Set. Resolves to the exit code (0, 1 on a failed job, 2 on a malformed command line).
 */
export async function exportCommand(args: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        ct: { type: 'string' },
        labels: { type: 'string' },
        names: { type: 'string' },
        out: { type: 'string' },
        series: { type: 'string' },
        label: { type: 'string' },
        operator: { type: 'string' },
        algorithm: { type: 'string' },
        source: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.error(`delineo export: ${(e as Error).message}\n\n${EXPORT_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.log(EXPORT_USAGE);
    return 0;
  }
  let names: Map<number, string>;
  let algorithm: GenerationAlgorithm;
  try {
    if (!values.ct) throw new UsageError('--ct <dir> is required');
    if (!values.labels) throw new UsageError('--labels <file> is required');
    if (!values.out) throw new UsageError('--out <file> is required');
    names = parseNames(values.names);
    const a = (values.algorithm ?? 'AUTOMATIC').toUpperCase();
    if (a !== 'AUTOMATIC' && a !== 'SEMIAUTOMATIC' && a !== 'MANUAL')
      throw new UsageError(
        `--algorithm must be AUTOMATIC, SEMIAUTOMATIC or MANUAL, got "${values.algorithm}"`,
      );
    algorithm = a;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.error(`delineo export: ${e.message}\n\n${EXPORT_USAGE}`);
    return 2;
  }
  try {
    const ct = await loadCt(values.ct, values.series);
    for (const w of ct.warnings) io.error(`warning: ${w.file ? `${w.file}: ` : ''}${w.message}`);
    const volume = ct.grid;
    let labels = await loadImageFile(values.labels, { modality: 'LABELS' });
    if (!sameGrid(labels, volume, 0.01)) {
      io.error(
        `note: ${values.labels} is on another grid than the CT (${labels.dimensions.join('×')} vs ${volume.dimensions.join('×')}): resampled onto the CT grid (nearest neighbour)`,
      );
      labels = resampleVolume(labels, volume.geometry, { interpolation: 'nearest', fill: 0 });
    }
    const masks = labelMasks(labels);
    for (const [label, name] of names)
      if (!masks.has(label))
        io.error(`note: label ${label} (${name}) does not occur in the label map: no ROI written for it`);
    const source = values.source ?? basename(values.labels);
    const structures: Structure[] = [];
    let n = 0;
    for (const [label, mask] of masks) {
      const name = names.get(label) ?? `Label_${label}`;
      const standardName = suggestStandardName(name);
      const entry = standardName ? tg263Entry(standardName) : undefined;
      structures.push(
        createStructure({
          name,
          ...(standardName ? { standardName } : {}),
          color: entry?.color ?? DISTINCT_COLORS[n++ % DISTINCT_COLORS.length],
          interpretedType: entry?.interpretedType ?? 'ORGAN',
          provenance: { algorithm, source },
          mask,
        }),
      );
    }
    if (structures.length === 0)
      throw new RangeError(`${values.labels}: the label map holds no labels (every voxel is 0)`);
    const result = writeRtstruct(volume, structures, {
      ...(values.label ? { label: values.label } : {}),
      ...(values.operator ? { operatorName: values.operator } : {}),
    });
    await writeFile(values.out, new Uint8Array(result.buffer));
    for (const w of result.warnings) io.error(`warning: ${w.message}`);
    io.log(
      `wrote ${values.out}: ${structures.length} ROIs on ${volume.dimensions.join('×')} (${result.buffer.byteLength} bytes)`,
    );
    structures.forEach((s, i) =>
      io.log(
        `  ${String(result.roiNumbers[i]).padStart(3)} ${s.name.padEnd(24)} ${String(result.contourCounts[i]).padStart(5)} contours ${maskVolumeCc(s.mask, volume).toFixed(2).padStart(10)} cc`,
      ),
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.error(`delineo export: ${e.message}`);
      return 2;
    }
    return failure('export', e, io);
  }
}

/** A file-system-safe, unique file stem for an ROI name. */
function stemFor(name: string, used: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[._]+|_+$/g, '') || 'ROI';
  let stem = base;
  for (let n = 2; used.has(stem.toLowerCase()); n++) stem = `${base}_${n}`;
  used.add(stem.toLowerCase());
  return stem;
}

/**
 * Runs `delineo import` (arguments without the subcommand): loads the CT series, imports the RT Structure Set onto
 * it and writes one NIfTI mask per structure plus structures.json. Warnings go to stderr. Resolves to the exit
 * code (0, 1 on a failed job such as a Frame of Reference mismatch, 2 on a malformed command line).
 */
export async function importCommand(args: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        ct: { type: 'string' },
        rtstruct: { type: 'string' },
        'out-dir': { type: 'string' },
        series: { type: 'string' },
        'accept-frame-of-reference': { type: 'boolean' },
        'slice-tolerance': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.error(`delineo import: ${(e as Error).message}\n\n${IMPORT_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.log(IMPORT_USAGE);
    return 0;
  }
  let tolerance: number | undefined;
  try {
    if (!values.ct) throw new UsageError('--ct <dir> is required');
    if (!values['out-dir']) throw new UsageError('--out-dir <dir> is required');
    if (values['slice-tolerance'] !== undefined) {
      tolerance = Number(values['slice-tolerance']);
      if (!(tolerance >= 0) || !Number.isFinite(tolerance))
        throw new UsageError(
          `--slice-tolerance must be a distance in mm, got "${values['slice-tolerance']}"`,
        );
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.error(`delineo import: ${e.message}\n\n${IMPORT_USAGE}`);
    return 2;
  }
  const outDir = values['out-dir']!;
  try {
    const ct = await loadCt(values.ct, values.series);
    for (const w of ct.warnings) io.error(`warning: ${w.file ? `${w.file}: ` : ''}${w.message}`);
    let bytes: Uint8Array;
    let file: string;
    if (values.rtstruct) {
      file = values.rtstruct;
      try {
        bytes = new Uint8Array(await readFile(file));
      } catch (e) {
        throw new RangeError(`${file}: cannot be read (${(e as Error).message})`);
      }
    } else {
      const found = ct.rtObjects.filter((o) => o.kind === 'RTSTRUCT');
      if (found.length === 0) throw new UsageError(`${values.ct} holds no RT Structure Set: give one with --rtstruct <file>`);
      let pick = found[0];
      if (found.length > 1) {
        // Several: the chooser's rule (this series, then this Frame of Reference, then the newest), stated.
        const parsed = found.map((o) => ({ ...parseRtstruct(o.bytes, o.file), object: o }));
        const choice = chooseRtstruct(parsed, ct.grid.identity);
        if (!choice.chosen) throw new UsageError(`${choice.reason} Pick one with --rtstruct <file>.`);
        io.error(`note: ${values.ct} holds ${found.length} RT Structure Sets. ${choice.reason}`);
        for (const s of choice.skipped) io.error(`note: ${s.file} not loaded: ${s.reason}`);
        pick = choice.chosen.object;
      }
      file = join(values.ct, pick.file);
      bytes = pick.bytes;
    }
    const result = importRtstruct(bytes, ct.grid, {
      file,
      ...(tolerance === undefined ? {} : { sliceToleranceMm: tolerance }),
      acceptFrameOfReferenceMismatch: values['accept-frame-of-reference'] ?? false,
    });
    for (const w of result.warnings) io.error(`warning: ${w.message}`);
    await mkdir(outDir, { recursive: true });
    const used = new Set<string>();
    const entries = [];
    for (let s = 0; s < result.structures.length; s++) {
      const st = result.structures[s];
      const stem = stemFor(st.name, used);
      await writeMaskNifti(st.mask, ct.grid, join(outDir, `${stem}.nii.gz`));
      entries.push({
        roiNumber: result.roiNumbers[s],
        name: st.name,
        standardName: st.standardName ?? null,
        file: `${stem}.nii.gz`,
        color: st.color,
        interpretedType: st.interpretedType,
        provenance: st.provenance,
        volumeCc: maskVolumeCc(st.mask, ct.grid),
      });
    }
    const manifest = {
      rtstruct: {
        file,
        sopInstanceUid: result.parsed.sopInstanceUid,
        label: result.parsed.label,
        frameOfReferenceUids: result.parsed.frameOfReferenceUids,
      },
      ct: {
        seriesInstanceUid: ct.grid.identity.seriesInstanceUid ?? null,
        dimensions: ct.grid.dimensions,
      },
      structures: entries,
      markers: result.markers,
      warnings: result.warnings,
    };
    await writeFile(join(outDir, 'structures.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    io.log(
      `imported ${entries.length} structures and ${result.markers.length} markers from ${file} into ${outDir}`,
    );
    for (const e of entries)
      io.log(
        `  ${String(e.roiNumber).padStart(3)} ${e.name.padEnd(24)} ${e.volumeCc.toFixed(2).padStart(10)} cc  ${e.file}`,
      );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.error(`delineo import: ${e.message}`);
      return 2;
    }
    return failure('import', e, io);
  }
}
