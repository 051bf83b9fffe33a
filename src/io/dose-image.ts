/**
 * A dose read from a NIfTI (or NRRD / MetaImage) file, as research data sets ship it (OpenKBP's dose.nii.gz,
 * plastimatch's --output-dose-img): values in Gy on a grid in patient coordinates, and nothing else. Such a file
 * has no Frame of Reference, no units and no plan, so what DICOM states has to be checked another way here:
 *
 * - The values must look like a dose in Gy: finite, none below −0.01 Gy (a CT in HU, −1000 for air, is refused
 *   here rather than shown as a dose), not all zero, and none above 1000 Gy (a dose in cGy — 7000 for a 70 Gy
 *   plan — is refused: it would pass every constraint wrongly by a factor 100 the other way).
 * - Its position can only be checked against the CT's extent: the part of it that carries dose (≥ 10 % of its
 *   maximum) must lie at least partly on the CT; a part outside is reported with a warning, and the warning that
 *   the frame cannot be verified is always given.
 *
 * Pure and browser-safe: the volume is read by the caller (itk-wasm in io/itk, in the io worker or in Node).
 */
import { GridTransform, mulMat3, mulMat3Vec3, sub, type ImageGeometry } from '../domain/geometry.ts';
import { Volume } from '../domain/volume.ts';
import type { RtDose } from './dicom/rtdose.ts';
import { DoseLoadError, type LoadWarning } from './errors.ts';
import { isVolumeFileName } from './itk/image-formats.ts';

/** Below this a value is not a dose (Gy), whatever rounding a converter did. */
const MIN_GY = -0.01;
/** Above this a value is taken to be in another unit (cGy) rather than Gy. */
const MAX_GY = 1000;
/** The part of a dose that matters for where it lies: at least this fraction of its maximum. */
const DOSE_REGION = 0.1;

/**
 * True when a file name says the file is a dose in an image format: a NIfTI / NRRD / MHA file whose name holds
 * "dose" (dose.nii.gz, rtdose.nrrd) or starts like a DICOM RT Dose's (RD.…, RD_…), but not a mask of one
 * (OpenKBP's possible_dose_mask.nii.gz). The app adds such a file to the open CT as a dose instead of opening
 * it as a CT.
 */
export function isDoseImageName(name: string): boolean {
  const base = name.split(/[\\/]/).pop() ?? name;
  return isVolumeFileName(base) && (/dose/i.test(base) || /^rd[._-]/i.test(base)) && !/mask/i.test(base);
}

/**
 * Makes a dose of a volume read from an image file (values in Gy), for the CT `ct`. Throws DoseLoadError naming
 * the file when the values are not a dose in Gy ('not-a-dose') or the dose lies wholly off the CT
 * ('outside-ct'); warns that the Frame of Reference cannot be verified, and when part of the dose is off the CT.
 */
export function doseFromImage(volume: Volume, file: string, ct: ImageGeometry): RtDose {
  const values = volume.data;
  let min = Infinity;
  let max = -Infinity;
  for (let n = 0; n < values.length; n++) {
    const v = values[n]!;
    if (!Number.isFinite(v)) throw new DoseLoadError('not-a-dose', `voxel ${n} is ${v}: a dose in Gy has a finite value everywhere`, { file });
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min < MIN_GY) {
    throw new DoseLoadError('not-a-dose', `its values go down to ${round(min)}: a dose in Gy is never negative (is it an image rather than a dose?)`, { file });
  }
  if (max > MAX_GY) {
    throw new DoseLoadError('not-a-dose', `its maximum is ${round(max)}: Delineo reads a dose image in Gy, and this looks like another unit (cGy?); convert it to Gy`, { file });
  }
  if (max <= 0) throw new DoseLoadError('not-a-dose', 'every value is 0: the file holds no dose', { file });

  const inside = fractionOnCt(volume, ct, DOSE_REGION * max);
  if (inside === 0) {
    throw new DoseLoadError('outside-ct', `the dose lies wholly outside the CT (${extent(volume)} against the CT's ${extent(ct)}): it belongs to another patient position or image`, { file });
  }
  const warnings: LoadWarning[] = [
    { code: 'no-frame-of-reference', message: `${file} has no Frame of Reference (an image file states none): the dose is placed by its coordinates, and that it belongs to this CT could not be verified`, file },
  ];
  if (inside < 1) {
    warnings.push({ code: 'dose-outside-ct', message: `${file}: ${Math.round((1 - inside) * 1000) / 10} % of the dose region (≥ ${Math.round(DOSE_REGION * 100)} % of its maximum) lies outside the CT`, file });
  }
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  const dose = new Volume({ ...volume.geometry, data, modality: 'RTDOSE', identity: {}, name: file });
  return {
    file,
    volume: dose,
    summationType: 'UNKNOWN',
    doseType: 'PHYSICAL',
    label: `${file} (image, Gy) · max ${max.toFixed(1)} Gy`,
    maxGy: max,
    warnings,
  };
}

const round = (v: number): string => String(Math.round(v * 100) / 100);

/** "x −250…250, y −250…250, z −400…0 mm": the box around a grid's voxel centres in patient coordinates. */
function extent(g: ImageGeometry): string {
  const t = new GridTransform(g);
  const [nx, ny, nz] = g.dimensions;
  const corners = [0, 1, 2, 3, 4, 5, 6, 7].map((c) => t.toPatient([c & 1 ? nx - 1 : 0, c & 2 ? ny - 1 : 0, c & 4 ? nz - 1 : 0]));
  return ['x', 'y', 'z'].map((name, a) => `${name} ${Math.round(Math.min(...corners.map((p) => p[a]!)))}…${Math.round(Math.max(...corners.map((p) => p[a]!)))}`).join(', ') + ' mm';
}

/**
 * The fraction of the voxels of `dose` at or above `level` whose centre lies on the CT grid (within half a
 * voxel of its outer voxel centres). Every voxel is mapped through both grids' affines: a rotated or sheared
 * grid is measured as it lies.
 */
function fractionOnCt(dose: Volume, ct: ImageGeometry, level: number): number {
  const d = new GridTransform(dose);
  const c = new GridTransform(ct);
  // CT index = C⁻¹ (D·i + o_dose − o_ct), one affine map from dose index to CT index.
  const a = mulMat3(c.inverse, d.linear);
  const b = mulMat3Vec3(c.inverse, sub(d.origin, c.origin));
  const [nx, ny, nz] = dose.dimensions;
  const [cx, cy, cz] = ct.dimensions;
  const data = dose.data;
  let total = 0;
  let on = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        if (data[i + nx * (j + ny * k)]! < level) continue;
        total++;
        const x = a[0] * i + a[3] * j + a[6] * k + b[0];
        const y = a[1] * i + a[4] * j + a[7] * k + b[1];
        const z = a[2] * i + a[5] * j + a[8] * k + b[2];
        if (x >= -0.5 && x <= cx - 0.5 && y >= -0.5 && y <= cy - 0.5 && z >= -0.5 && z <= cz - 0.5) on++;
      }
    }
  }
  return total ? on / total : 0;
}
