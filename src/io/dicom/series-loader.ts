/**
 * Loads a CT (or other greyscale image series) from a set of DICOM files: the files a user picked or
 * dropped, the parts of a DICOMweb response, or a directory read by the CLI.
 *
 * Steps: read and parse every file (progress in files), group images by Series Instance UID and set
 * RT objects (RTSTRUCT, RTPLAN, RTDOSE, …) aside for later import, pick the series (the caller's choice,
 * the only CT, or ask), decode compressed slices through an injected decoder, plan the grid
 * (series-geometry.ts holds those decisions) and write HU into an Int16 volume (Float32 when a value is
 * not an exact int16). Every file that cannot be used is reported: as a warning when the volume is still
 * complete without it, as a typed {@link DicomLoadError} naming it when not.
 *
 * The loader never mutates its inputs or anything it returned earlier: each call builds new arrays.
 * Browser-safe; runs on the main thread, in a Web Worker (io.worker.ts) or in Node.
 */
import { ImageGrid, Volume, type ImageGridInit, type SeriesIdentity, type VolumeInit, type VoxelArray } from '../../domain/volume.ts';
import { createYielder, stagedProgress, throttleProgress, throwIfAborted, type JobOptions, type ProgressCallback } from '../../jobs/job.ts';
import { DicomLoadError, type LoadWarning } from '../errors.ts';
import { inputName, readInput, type FileInput } from '../input.ts';
import { describeTransferSyntax, parseDicomFile, rtKind, type DicomInstance } from './dicom-meta.ts';
import { seriesCompleteness } from './series-completeness.ts';
import { storedFrame, VoxelBuffer, type DecodedPixels, type PixelDecoder } from './pixels.ts';
import { largestConsistentGroup, planStack, type PlannedSlice, type PlanOptions } from './series-geometry.ts';

/** One image series found among the files. */
export interface DicomSeriesSummary {
  /** The Series Instance UID, or a stand-in (`no-uid:…`) when the files left it empty (see uidMissing). */
  readonly seriesInstanceUid: string;
  readonly uidMissing: boolean;
  readonly studyInstanceUid: string;
  readonly frameOfReferenceUid: string;
  readonly modality: string;
  readonly seriesDescription: string;
  readonly seriesNumber?: number;
  readonly studyDescription: string;
  readonly studyDate: string;
  readonly patientName: string;
  readonly patientId: string;
  /** Files of the series. */
  readonly imageCount: number;
  /** Slices (frames) of the series; more than imageCount for multi-frame images. */
  readonly sliceCount: number;
  readonly rows: number;
  readonly columns: number;
  readonly transferSyntaxes: readonly string[];
}

/** A non-image object found among the files (RTSTRUCT, RTPLAN, RTDOSE, …), kept for later import. */
export interface DicomObjectSummary {
  readonly file: string;
  /** RTSTRUCT, RTPLAN, RTDOSE, RTIMAGE, RTRECORD, REG or SEG. */
  readonly kind: string;
  readonly modality: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly frameOfReferenceUid: string;
  /** StructureSetLabel, RTPlanLabel or ContentLabel. */
  readonly label: string;
  readonly patientName: string;
  readonly patientId: string;
  /** The file's bytes, so an importer can read it without asking the user again. */
  readonly bytes: Uint8Array;
}

/** What {@link scanDicom} finds. */
export interface DicomScanResult {
  readonly series: readonly DicomSeriesSummary[];
  readonly rtObjects: readonly DicomObjectSummary[];
  readonly warnings: readonly LoadWarning[];
}

/** Options of {@link loadDicomSeries}. */
export interface DicomLoadOptions extends PlanOptions {
  /** Which series to load (a UID from the series list); required when several image series are present. */
  readonly seriesInstanceUid?: string;
  /** Decoder for compressed transfer syntaxes (JPEG 2000, JPEG, RLE, …); without one such files are refused. */
  readonly decoder?: PixelDecoder;
}

/** A loaded series as plain data (structured-cloneable: what a worker sends back). */
export interface DicomVolumeData {
  readonly kind: 'volume';
  readonly volume: VolumeInit;
  readonly series: DicomSeriesSummary;
  readonly allSeries: readonly DicomSeriesSummary[];
  readonly rtObjects: readonly DicomObjectSummary[];
  readonly warnings: readonly LoadWarning[];
  /** Planes k filled by interpolation (missing slices, irregular spacing); empty for a regular series. */
  readonly interpolatedSlices: readonly number[];
  /** Gantry tilt of the grid, degrees (0 for an orthogonal grid). */
  readonly tiltDegrees: number;
}

/** Several image series and no choice made: the caller asks the user and calls again with `seriesInstanceUid`. */
export interface DicomSeriesChoice {
  readonly kind: 'choose-series';
  readonly allSeries: readonly DicomSeriesSummary[];
  readonly rtObjects: readonly DicomObjectSummary[];
  readonly warnings: readonly LoadWarning[];
}

/** {@link DicomVolumeData} with the volume as a {@link Volume}. */
export interface DicomVolumeResult extends Omit<DicomVolumeData, 'volume'> {
  readonly volume: Volume;
}

export type DicomLoadData = DicomVolumeData | DicomSeriesChoice;
export type DicomLoadResult = DicomVolumeResult | DicomSeriesChoice;

interface ScanState {
  readonly groups: Map<string, DicomInstance[]>;
  readonly series: DicomSeriesSummary[];
  readonly rtObjects: DicomObjectSummary[];
  readonly warnings: LoadWarning[];
  readonly failures: { file: string; error: DicomLoadError }[];
  readonly total: number;
  /** Names of the inputs, in input order. */
  readonly names: string[];
}

/** Group key of an image: its Series Instance UID, or a stand-in built from what else identifies the series. */
function seriesKey(i: DicomInstance): string {
  if (i.seriesInstanceUid) return i.seriesInstanceUid;
  return `no-uid:${[i.studyInstanceUid, i.frameOfReferenceUid, i.seriesNumber ?? '', i.seriesDescription, i.modality].join('|')}`;
}

const asDicomError = (e: unknown, file: string): DicomLoadError =>
  e instanceof DicomLoadError ? e : new DicomLoadError('corrupt', `could not be read: ${(e as Error)?.message ?? String(e)}`, { file, cause: e });

/** Reads and parses every input, sorting them into image series, RT objects and failures. */
async function scan(inputs: readonly FileInput[], options: JobOptions, progressStage = 'read'): Promise<ScanState> {
  const { signal } = options;
  const report = options.progress ?? (() => {});
  throwIfAborted(signal);
  if (inputs.length === 0) throw new DicomLoadError('empty-input', 'no files were given');
  const tick = createYielder(signal);
  const groups = new Map<string, DicomInstance[]>();
  const rtObjects: DicomObjectSummary[] = [];
  const warnings: LoadWarning[] = [];
  const failures: { file: string; error: DicomLoadError }[] = [];
  const names: string[] = [];
  report({ stage: progressStage, done: 0, total: inputs.length, unit: 'files' });
  for (let n = 0; n < inputs.length; n++) {
    await tick();
    const name = inputName(inputs[n], n);
    names.push(name);
    try {
      const read = await readInput(inputs[n], n);
      const instance = parseDicomFile(read);
      const kind = rtKind(instance);
      if (kind) {
        rtObjects.push({
          file: instance.file,
          kind,
          modality: instance.modality,
          sopClassUid: instance.sopClassUid,
          sopInstanceUid: instance.sopInstanceUid,
          studyInstanceUid: instance.studyInstanceUid,
          seriesInstanceUid: instance.seriesInstanceUid,
          frameOfReferenceUid: instance.frameOfReferenceUid,
          label: instance.label,
          patientName: instance.patientName,
          patientId: instance.patientId,
          bytes: read.bytes,
        });
      } else if (instance.isImage) {
        const key = seriesKey(instance);
        const list = groups.get(key);
        if (list) list.push(instance);
        else groups.set(key, [instance]);
      } else {
        warnings.push({ code: 'unsupported-object', message: `${instance.modality || 'a'} object (SOP class ${instance.sopClassUid || 'unknown'}) without an image; ignored`, file: instance.file });
      }
    } catch (e) {
      const error = asDicomError(e, name);
      failures.push({ file: name, error });
      warnings.push({ code: error.code === 'not-dicom' ? 'not-dicom' : 'unreadable-file', message: error.message, file: name });
    }
    report({ stage: progressStage, done: n + 1, total: inputs.length, unit: 'files' });
  }

  const series = [...groups.entries()].map(([key, list]) => summarise(key, list));
  series.sort((a, b) => (a.studyInstanceUid < b.studyInstanceUid ? -1 : a.studyInstanceUid > b.studyInstanceUid ? 1 : (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0)));
  const patients = new Set<string>([...series.map((s) => `${s.patientId}\u0000${s.patientName}`), ...rtObjects.map((r) => `${r.patientId}\u0000${r.patientName}`)]);
  if (patients.size > 1) {
    const list = [...patients].map((p) => {
      const [id, name] = p.split('\u0000');
      return `"${name || '(no name)'}" (ID ${id || 'none'})`;
    });
    warnings.push({ code: 'multiple-patients', message: `the files belong to ${patients.size} different patients: ${list.join(', ')}. Check that the series you load and any RT objects you import belong to the same patient` });
  }
  return { groups, series, rtObjects, warnings, failures, total: inputs.length, names };
}

function majority<T>(values: T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

function summarise(key: string, list: DicomInstance[]): DicomSeriesSummary {
  const f = list[0];
  return {
    seriesInstanceUid: key,
    uidMissing: !f.seriesInstanceUid,
    studyInstanceUid: f.studyInstanceUid,
    frameOfReferenceUid: f.frameOfReferenceUid,
    modality: majority(list.map((i) => i.modality)),
    seriesDescription: f.seriesDescription,
    ...(f.seriesNumber === undefined ? {} : { seriesNumber: f.seriesNumber }),
    studyDescription: f.studyDescription,
    studyDate: f.studyDate,
    patientName: f.patientName,
    patientId: f.patientId,
    imageCount: list.length,
    sliceCount: list.reduce((n, i) => n + i.numberOfFrames, 0),
    rows: f.rows,
    columns: f.columns,
    transferSyntaxes: [...new Set(list.map((i) => i.transferSyntaxUid))],
  };
}

/**
 * Lists the image series and RT objects among `inputs` without building a volume: what a series
 * picker shows. Unreadable and non-DICOM files become warnings. Reports progress in files read.
 */
export async function scanDicom(inputs: readonly FileInput[], options: JobOptions = {}): Promise<DicomScanResult> {
  const progress = throttleProgress(options.progress);
  const s = await scan(inputs, { ...options, progress });
  return { series: s.series, rtObjects: s.rtObjects, warnings: s.warnings };
}

/** Chooses the series to load, or undefined when the caller must choose. */
function selectSeries(state: ScanState, requested: string | undefined, warnings: LoadWarning[]): DicomSeriesSummary | undefined {
  const { series, failures, rtObjects } = state;
  if (series.length === 0) {
    if (failures.length === state.total && failures.length === 1) throw failures[0].error;
    const rt = rtObjects.length ? ` (found ${rtObjects.map((r) => `${r.kind} ${r.file}`).join(', ')}, but no images they refer to)` : '';
    const why = failures.length ? `; ${failures.length} file(s) could not be read, first ${failures[0].error.message}` : '';
    const file = state.total === 1 ? state.names[0] : failures[0]?.file;
    const other = state.warnings.find((w) => w.code === 'unsupported-object');
    const what = state.total === 1 && other ? ` (${other.message})` : '';
    throw new DicomLoadError('no-image-series', `${state.total === 1 ? 'the file is not' : `none of the ${state.total} files is`} a DICOM image${what}${rt}${why}`, file === undefined ? {} : { file });
  }
  if (requested !== undefined) {
    const found = series.find((s) => s.seriesInstanceUid === requested);
    if (!found) throw new DicomLoadError('series-not-found', `no series with Series Instance UID ${requested} among the files (found: ${series.map((s) => `${s.seriesInstanceUid} "${s.seriesDescription}"`).join(', ')})`);
    return found;
  }
  const ct = series.filter((s) => s.modality === 'CT');
  const only = series.length === 1 ? series[0] : ct.length === 1 ? ct[0] : undefined;
  if (!only) return undefined;
  const others = series.filter((s) => s !== only);
  if (others.length) {
    warnings.push({ code: 'other-series-ignored', message: `loaded the CT series "${only.seriesDescription || only.seriesInstanceUid}"; ${others.length} other image series (${others.map((s) => `${s.modality} "${s.seriesDescription}"`).join(', ')}) were not loaded` });
  }
  return only;
}

function identityOf(first: DicomInstance, sopInstanceUids: string[], seriesUidPresent: boolean): SeriesIdentity {
  const opt = <K extends string>(key: K, value: string | number | undefined) => (value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string | number>));
  return {
    ...opt('studyInstanceUid', first.studyInstanceUid),
    ...(seriesUidPresent ? opt('seriesInstanceUid', first.seriesInstanceUid) : {}),
    ...opt('frameOfReferenceUid', first.frameOfReferenceUid),
    sopInstanceUids,
    ...opt('sopClassUid', first.sopClassUid),
    ...opt('patientName', first.patientName),
    ...opt('patientId', first.patientId),
    ...opt('patientBirthDate', first.patientBirthDate),
    ...opt('patientSex', first.patientSex),
    ...opt('studyDescription', first.studyDescription),
    ...opt('studyDate', first.studyDate),
    ...opt('studyTime', first.studyTime),
    ...opt('studyId', first.studyId),
    ...opt('accessionNumber', first.accessionNumber),
    ...opt('referringPhysicianName', first.referringPhysicianName),
    ...opt('seriesDescription', first.seriesDescription),
    ...opt('seriesNumber', first.seriesNumber),
  } as SeriesIdentity;
}

/** A slice in the making: one frame of one image, with its geometry and where its values come from. */
interface SliceRef extends PlannedSlice {
  readonly instance: DicomInstance;
  readonly frame: number;
  readonly slope: number;
  readonly intercept: number;
}

/**
 * Loads one image series from DICOM files as plain, structured-cloneable data (see
 * {@link loadDicomSeries} for the same with a {@link Volume}). Use this form inside a worker.
 */
export function loadDicomSeriesData(inputs: readonly FileInput[], options: DicomLoadOptions & JobOptions = {}): Promise<DicomLoadData> {
  return loadSeries(inputs, options, true) as Promise<DicomLoadData>;
}

/** A series' grid and identity, read without its pixels (see {@link loadDicomSeriesHeaders}). */
export interface DicomGridResult extends Omit<DicomVolumeData, 'kind' | 'volume'> {
  readonly kind: 'grid';
  readonly grid: ImageGrid;
}

/**
 * Everything {@link loadDicomSeries} finds and decides (series choice, slice order and spacing, dropped and
 * interpolated slices, warnings) without decoding or copying a pixel: the grid and identity that writing or
 * importing a structure set and computing DVHs need. Compressed images need no decoder here. Warnings about
 * the pixels themselves (non-integer HU) are not given, since the pixels are not read.
 */
export async function loadDicomSeriesHeaders(inputs: readonly FileInput[], options: DicomLoadOptions & JobOptions = {}): Promise<DicomGridResult | DicomSeriesChoice> {
  const data = await loadSeries(inputs, options, false);
  if (data.kind === 'choose-series') return data;
  const { volume, ...rest } = data;
  return { ...rest, kind: 'grid', grid: new ImageGrid(volume) };
}

async function loadSeries(inputs: readonly FileInput[], options: DicomLoadOptions & JobOptions, pixels: boolean): Promise<DicomSeriesChoice | (Omit<DicomVolumeData, 'volume'> & { volume: ImageGridInit | VolumeInit })> {
  const { signal } = options;
  const staged = stagedProgress(throttleProgress(options.progress), [
    { stage: 'read', weight: 6 },
    { stage: 'decode', weight: 3 },
    { stage: 'assemble', weight: 1 },
  ]);
  const state = await scan(inputs, { ...(signal ? { signal } : {}), progress: staged('read') });
  const warnings: LoadWarning[] = [...state.warnings];
  const chosen = selectSeries(state, options.seriesInstanceUid, warnings);
  if (!chosen) return { kind: 'choose-series', allSeries: state.series, rtObjects: state.rtObjects, warnings };
  const tick = createYielder(signal);

  let instances = state.groups.get(chosen.seriesInstanceUid) ?? [];
  // One Series Instance UID must mean one patient; a mix means merged or mislabelled exports.
  const ids = new Set(instances.map((i) => i.patientId));
  if (ids.size > 1) {
    const odd = instances.find((i) => i.patientId !== instances[0].patientId)!;
    throw new DicomLoadError('inconsistent-patient', `the series holds images of different patients (Patient IDs ${[...ids].map((x) => `"${x}"`).join(', ')}); refusing to build one volume from them`, { file: odd.file });
  }
  // Images of another modality filed under this series (a mislabelled secondary capture) are left out.
  const modality = chosen.modality;
  const offModality = instances.filter((i) => i.modality !== modality);
  if (offModality.length) {
    for (const i of offModality) warnings.push({ code: 'mixed-modality', message: `modality ${i.modality || '(empty)'} in a ${modality} series; image left out`, file: i.file });
    instances = instances.filter((i) => i.modality === modality);
  }
  // Localizers (scout views) are projections, not slices: drop them when slices remain.
  const localizers = instances.filter((i) => i.imageType.includes('LOCALIZER'));
  if (localizers.length && localizers.length < instances.length) {
    for (const i of localizers) warnings.push({ code: 'localizer-dropped', message: 'localizer (scout) image left out of the volume', file: i.file });
    instances = instances.filter((i) => !i.imageType.includes('LOCALIZER'));
  }
  if (chosen.uidMissing) {
    warnings.push({ code: 'empty-uid', message: 'SeriesInstanceUID (0020,000E) is empty in these files: they were grouped by study, frame of reference and series number instead. Structures exported for this CT cannot reference its series until it has a UID', file: instances[0]?.file });
  }
  const missingSop = instances.filter((i) => i.sopInstanceUidMissing);
  if (missingSop.length) {
    warnings.push({ code: 'empty-uid', message: `SOPInstanceUID (0008,0018) is empty in ${missingSop.length} image(s); the file meta MediaStorageSOPInstanceUID is used instead`, file: missingSop[0].file });
  }
  if (!instances.some((i) => i.frameOfReferenceUid)) {
    warnings.push({ code: 'no-frame-of-reference', message: 'FrameOfReferenceUID (0020,0052) is empty: RT objects cannot be matched to this CT by frame of reference', file: instances[0]?.file });
  }
  if (modality !== 'CT') warnings.push({ code: 'not-ct', message: `the series is ${modality || 'of unknown modality'}, not CT: voxel values are in that modality's units, not HU`, file: instances[0]?.file });

  // Compressed slices are decoded first, so that one that fails is dropped like any other bad slice.
  const decoded = new Map<DicomInstance, DecodedPixels>();
  const compressed = pixels ? instances.filter((i) => i.encapsulated) : [];
  const dropped: LoadWarning[] = [];
  if (compressed.length) {
    const decoder = options.decoder;
    if (!decoder) {
      throw new DicomLoadError('unsupported-transfer-syntax', `the images are compressed (${describeTransferSyntax(compressed[0].transferSyntaxUid)}) and no decoder is available in this context; load them through the application's loader (loadDicomFiles), which decodes them with GDCM`, { file: compressed[0].file });
    }
    const report = staged('decode');
    report({ stage: 'decode', done: 0, total: compressed.length, unit: 'images' });
    let firstError: DicomLoadError | undefined;
    for (let n = 0; n < compressed.length; n++) {
      await tick();
      const inst = compressed[n];
      try {
        const out = await decoder({ file: inst.file, bytes: inst.bytes, transferSyntaxUid: inst.transferSyntaxUid, ...(inst.path ? { path: inst.path } : {}) }, signal ? { signal } : {});
        if (out.columns !== inst.columns || out.rows !== inst.rows || out.frames !== inst.numberOfFrames || out.values.length < inst.rows * inst.columns * inst.numberOfFrames) {
          throw new DicomLoadError('decode-failed', `the decoder returned ${out.columns}×${out.rows}×${out.frames} pixels for a ${inst.columns}×${inst.rows}×${inst.numberOfFrames} image`, { file: inst.file });
        }
        if (out.rescaled && new Set(inst.frames.map((f) => `${f.rescaleSlope}/${f.rescaleIntercept}`)).size > 1) {
          throw new DicomLoadError('unsupported-pixel-format', 'compressed multi-frame image with a different rescale per frame: the decoder applies only one', { file: inst.file });
        }
        decoded.set(inst, out);
      } catch (e) {
        if ((e as { name?: string })?.name === 'AbortError') throw e;
        throwIfAborted(signal);
        // GDCM's C++ exceptions reach JavaScript as bare numbers (pointers): only text is worth showing.
        const detail = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
        const why = detail && !/^\d+$/.test(detail.trim()) ? ` (${detail.trim().slice(0, 200)})` : '';
        const error = e instanceof DicomLoadError ? e : new DicomLoadError('decode-failed', `the ${describeTransferSyntax(inst.transferSyntaxUid)} pixel data could not be decoded${why}: the file is damaged or uses an encoding GDCM does not support`, { file: inst.file, cause: e });
        firstError ??= error;
        dropped.push({ code: 'unreadable-file', message: error.message, file: inst.file });
      }
      report({ stage: 'decode', done: n + 1, total: compressed.length, unit: 'images' });
    }
    if (decoded.size === 0 && firstError) throw firstError;
    instances = instances.filter((i) => !i.encapsulated || decoded.has(i));
  }

  // Slices with the geometry needed to place them; the others are dropped (or fatal if none remain).
  const slices: SliceRef[] = [];
  let firstMissing: DicomLoadError | undefined;
  for (const inst of instances) {
    if (inst.samplesPerPixel !== 1) {
      const e = new DicomLoadError('unsupported-pixel-format', `${inst.samplesPerPixel} samples per pixel (${inst.photometricInterpretation}): only greyscale images form a volume`, { file: inst.file });
      firstMissing ??= e;
      dropped.push({ code: 'unreadable-file', message: e.message, file: inst.file });
      continue;
    }
    inst.frames.forEach((f, frame) => {
      const file = inst.numberOfFrames > 1 ? `${inst.file} frame ${frame + 1}` : inst.file;
      const missing = !f.position ? 'ImagePositionPatient (0020,0032)' : !f.orientation ? 'ImageOrientationPatient (0020,0037)' : !f.pixelSpacing ? 'PixelSpacing (0028,0030)' : undefined;
      if (missing) {
        const e = new DicomLoadError('missing-tag', `${missing} is missing, so the slice cannot be placed in patient space`, { file });
        firstMissing ??= e;
        dropped.push({ code: 'unreadable-file', message: `${e.message}; slice left out`, file });
        return;
      }
      slices.push({
        file,
        sopInstanceUid: inst.sopInstanceUid,
        position: f.position!,
        orientation: f.orientation!,
        pixelSpacing: f.pixelSpacing!,
        rows: inst.rows,
        columns: inst.columns,
        ...(inst.sliceThickness === undefined ? {} : { sliceThickness: inst.sliceThickness }),
        ...(inst.gantryTilt === undefined ? {} : { gantryTilt: inst.gantryTilt }),
        instance: inst,
        frame,
        slope: f.rescaleSlope,
        intercept: f.rescaleIntercept,
      });
    });
  }
  if (slices.length === 0) {
    throw firstMissing ?? new DicomLoadError('no-image-series', 'no usable slice in the series');
  }
  warnings.push(...dropped);
  const group = largestConsistentGroup(slices);
  warnings.push(...group.warnings);
  const groupSlices = group.kept.map((i) => slices[i]);
  const plan = planStack(groupSlices, options);
  warnings.push(...plan.warnings);

  // An interpolated plane has no image of its own: nothing may reference it by UID.
  const sopInstanceUids = plan.planes.map((p) => ('slice' in p ? groupSlices[p.slice].sopInstanceUid : ''));
  const data = pixels ? await assemblePixels(plan, groupSlices, decoded, staged('assemble'), tick) : undefined;
  throwIfAborted(signal);

  const first = groupSlices[plan.used[0]].instance;
  if (data instanceof Float32Array && modality === 'CT') {
    warnings.push({ code: 'float-values', message: 'the rescale gives non-integer or out-of-range HU: the volume is stored as 32-bit floats', file: first.file });
  }
  const volume: ImageGridInit | VolumeInit = {
    ...plan.geometry,
    ...(data ? { data } : {}),
    modality: modality || 'OT',
    identity: identityOf(first, sopInstanceUids, !chosen.uidMissing),
    name: first.seriesDescription || (first.seriesNumber !== undefined ? `Series ${first.seriesNumber}` : first.file),
    // The series' own window (first slice's), offered by viewers as the "DICOM" preset.
    ...(first.window ? { defaultWindow: first.window } : {}),
  };
  const kAxis = [plan.geometry.direction[6], plan.geometry.direction[7], plan.geometry.direction[8]];
  const usedSlices = plan.used.map((i) => groupSlices[i]);
  const completeness = seriesCompleteness({
    dimensions: plan.geometry.dimensions,
    spacing: plan.geometry.spacing,
    interpolatedSlices: plan.interpolatedPlanes,
    // One InstanceNumber per file: a multi-frame file's frames share it.
    ...(usedSlices.every((s) => s.instance.numberOfFrames === 1) ? { instanceNumbers: usedSlices.flatMap((s) => (s.instance.instanceNumber === undefined ? [] : [s.instance.instanceNumber])) } : {}),
    slicePositionsMm: usedSlices.map((s) => s.position[0] * kAxis[0] + s.position[1] * kAxis[1] + s.position[2] * kAxis[2]),
  });
  if (!completeness.complete) warnings.push({ code: 'incomplete-series', message: completeness.reason!, file: first.file });
  return {
    kind: 'volume',
    volume,
    series: chosen,
    allSeries: state.series,
    rtObjects: state.rtObjects,
    warnings,
    interpolatedSlices: plan.interpolatedPlanes,
    tiltDegrees: plan.tiltDegrees,
  };
}

/** The volume's voxels in modality units: each planned plane from its slice, or interpolated between two. */
async function assemblePixels(
  plan: ReturnType<typeof planStack>,
  groupSlices: readonly SliceRef[],
  decoded: ReadonlyMap<DicomInstance, DecodedPixels>,
  report: ProgressCallback,
  tick: () => Promise<void>,
): Promise<VoxelArray> {
  const [nx, ny, nz] = plan.geometry.dimensions;
  const planeSize = nx * ny;
  const anyFloatRescale = groupSlices.some((s) => !decoded.has(s.instance) && (!Number.isInteger(s.slope) || !Number.isInteger(s.intercept)));
  const out = new VoxelBuffer(planeSize, nz, anyFloatRescale);
  const valuesOf = (s: SliceRef): { values: ArrayLike<number>; slope: number; intercept: number } => {
    const dec = decoded.get(s.instance);
    if (dec) {
      const values = dec.values.subarray(s.frame * planeSize, (s.frame + 1) * planeSize);
      return dec.rescaled ? { values, slope: 1, intercept: 0 } : { values, slope: s.slope, intercept: s.intercept };
    }
    return { values: storedFrame(s.instance, s.frame), slope: s.slope, intercept: s.intercept };
  };
  const modalityPlane = (s: SliceRef): Float32Array => {
    const { values, slope, intercept } = valuesOf(s);
    const f = new Float32Array(planeSize);
    for (let x = 0; x < planeSize; x++) f[x] = values[x] * slope + intercept;
    return f;
  };
  const cache = new Map<SliceRef, Float32Array>();
  const cached = (s: SliceRef) => {
    let v = cache.get(s);
    if (!v) cache.set(s, (v = modalityPlane(s)));
    return v;
  };
  for (let k = 0; k < nz; k++) {
    await tick();
    const p = plan.planes[k];
    if ('slice' in p) {
      const s = groupSlices[p.slice];
      const { values, slope, intercept } = valuesOf(s);
      out.writePlane(k, values, slope, intercept);
    } else {
      out.writeInterpolated(k, cached(groupSlices[p.between[0]]), cached(groupSlices[p.between[1]]), p.weight);
    }
    report({ stage: 'assemble', done: k + 1, total: nz, unit: 'slices' });
  }
  return out.data;
}

/** Wraps plain loader output (from this thread or a worker) into a result holding a {@link Volume}. */
export function toDicomLoadResult(data: DicomLoadData): DicomLoadResult {
  if (data.kind === 'choose-series') return data;
  return { ...data, volume: new Volume(data.volume) };
}

/**
 * Loads one image series (normally a CT) from DICOM files — a picked or dropped folder, DICOMweb parts,
 * files read from disk. Returns the volume in HU on its full patient-space grid with the series'
 * identity (per-slice SOP Instance UIDs, Frame of Reference, study/series UIDs, patient and study
 * attributes), the RT objects found beside it, and the warnings of every decision taken; or, when
 * several image series are present and `seriesInstanceUid` does not pick one, the list to choose from.
 * Throws a {@link DicomLoadError} naming the file and the problem when no safe volume can be built.
 * Runs on the calling thread; see io-worker-client.ts for the off-main-thread form.
 */
export async function loadDicomSeries(inputs: readonly FileInput[], options: DicomLoadOptions & JobOptions = {}): Promise<DicomLoadResult> {
  return toDicomLoadResult(await loadDicomSeriesData(inputs, options));
}
