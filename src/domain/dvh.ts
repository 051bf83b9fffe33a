import { GridTransform, mulMat3, voxelVolumeMm3, type ImageGeometry, type Vec3 } from './geometry.ts';
import type { BinaryMask } from './mask.ts';
import { trilinearAt } from './resample.ts';
import type { Volume } from './volume.ts';

/**
 * Dose–volume histograms of structures on the CT grid.
 *
 * How the dose is sampled, so that a physicist can reproduce it: a structure is its voxel mask on the CT grid
 * (contours rasterised even-odd at import); each voxel centre is mapped to patient coordinates (LPS, mm) and
 * into the dose grid's continuous index, where the dose is interpolated trilinearly (any orientation: the full
 * affine of both grids is used). A point outside the dose grid (beyond half a dose voxel from its edge voxels)
 * receives 0 Gy and is counted in `uncoveredCc`, so a dose that covers only part of a structure is reported,
 * not hidden. Small structures, under {@link DvhOptions.smallStructureCc}, are sampled at 3 × 3 × 3 points per
 * voxel (sub-voxel centres, each 1/27 of the voxel's volume), so that a dose gradient across a few voxels is
 * resolved; the shape itself stays the voxel mask.
 *
 * Doses are accumulated in a 1 mGy histogram, so every Dx and V(x) is exact to 1 mGy whatever the structure's
 * size; minimum, maximum and mean are exact.
 */
export interface DvhOptions {
  /** Structures under this volume are sampled at sub-voxel points. Default 20 cc. */
  readonly smallStructureCc?: number;
  /** Sub-voxel points per axis for small structures. Default 3. */
  readonly subvoxels?: number;
}

/** One structure's dose–volume histogram. */
export interface Dvh {
  /** The structure's volume (its voxels on the CT grid). */
  readonly volumeCc: number;
  /** Part of the volume outside the dose grid (counted at 0 Gy). */
  readonly uncoveredCc: number;
  readonly minGy: number;
  readonly maxGy: number;
  readonly meanGy: number;
  /** Histogram bin width (Gy): bin b holds the volume (cc) that receives a dose in [b·w, (b+1)·w). */
  readonly binGy: number;
  readonly differentialCc: Float64Array;
  /** Sample points per CT voxel per axis (1, or {@link DvhOptions.subvoxels} for a small structure). */
  readonly subvoxels: number;
}

export const DVH_BIN_GY = 0.001;

/** A copy of `hist` with room for at least `size` bins. */
function grow(hist: Float64Array, size: number): Float64Array {
  const grown = new Float64Array(Math.max(size, hist.length * 2));
  grown.set(hist);
  return grown;
}

/** The DVH of one structure (a mask on `ct`) in a dose distribution (Gy) on its own grid. */
export function computeDvh(mask: BinaryMask, ct: ImageGeometry, dose: Volume, options: DvhOptions = {}): Dvh {
  const voxelCc = voxelVolumeMm3(ct) / 1000;
  const count = mask.count();
  const volumeCc = count * voxelCc;
  const small = volumeCc > 0 && volumeCc < (options.smallStructureCc ?? 20);
  const s = small ? Math.max(1, Math.round(options.subvoxels ?? 3)) : 1;
  const sampleCc = voxelCc / (s * s * s);

  // CT index → dose index: x_dose = A · x_ct + b.
  const ctT = new GridTransform(ct);
  const doseT = new GridTransform(dose);
  const A = mulMat3(doseT.inverse, ctT.linear);
  const b = doseT.toIndex(ct.origin);
  const [dx, dy, dz] = dose.dimensions;
  const data = dose.data;
  const offsets: Vec3[] = [];
  for (let c = 0; c < s; c++) for (let bb = 0; bb < s; bb++) for (let a = 0; a < s; a++) offsets.push([(a + 0.5) / s - 0.5, (bb + 0.5) / s - 0.5, (c + 0.5) / s - 0.5]);

  // Axis-aligned grids (CT and dose axes parallel, no shear): the fast per-row path below.
  const aligned = s === 1 && Math.abs(A[1]) + Math.abs(A[2]) + Math.abs(A[3]) + Math.abs(A[5]) + Math.abs(A[6]) + Math.abs(A[7]) < 1e-9;
  const OUTSIDE = new Float64Array(0);
  const profileBuffer = new Float64Array(dx);
  /** The dose at every dose-grid column along CT row (j, k), interpolated in the dose grid's y and z. */
  const rowProfile = (j: number, k: number): Float64Array => {
    const y = A[4] * j + b[1];
    const z = A[8] * k + b[2];
    if (y < -0.5 || z < -0.5 || y > dy - 0.5 || z > dz - 0.5) return OUTSIDE;
    const yc = Math.min(dy - 1, Math.max(0, y));
    const zc = Math.min(dz - 1, Math.max(0, z));
    const j0 = Math.max(0, Math.min(dy - 2, Math.floor(yc)));
    const k0 = Math.max(0, Math.min(dz - 2, Math.floor(zc)));
    const j1 = Math.min(j0 + 1, dy - 1);
    const k1 = Math.min(k0 + 1, dz - 1);
    const fy = yc - j0;
    const fz = zc - k0;
    const plane = dx * dy;
    const r00 = j0 * dx + k0 * plane;
    const r10 = j1 * dx + k0 * plane;
    const r01 = j0 * dx + k1 * plane;
    const r11 = j1 * dx + k1 * plane;
    for (let x = 0; x < dx; x++) {
      profileBuffer[x] = (data[r00 + x]! * (1 - fy) + data[r10 + x]! * fy) * (1 - fz) + (data[r01 + x]! * (1 - fy) + data[r11 + x]! * fy) * fz;
    }
    return profileBuffer;
  };

  let hist: Float64Array = new Float64Array(1024);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let uncovered = 0;
  // Slice by slice over the mask's bounds: a dense row read is far cheaper than a callback per voxel, and along
  // a row the dose index advances by a constant step.
  const box = mask.bounds();
  const [nx, ny] = ct.dimensions;
  const slice = new Uint8Array(nx * ny);
  if (box) {
    for (let k = box.min[2]; k <= box.max[2]; k++) {
      mask.readAxial(k, slice);
      for (let j = box.min[1]; j <= box.max[1]; j++) {
        const row = j * nx;
        // Grids whose axes line up (the usual case): the dose along this CT row is a bilinear profile in the
        // dose grid's y and z, computed once per row, then linear in x. Same values as trilinearAt.
        let profile: Float64Array | null = null;
        for (let i = box.min[0]; i <= box.max[0]; i++) {
          if (!slice[row + i]) continue;
          if (aligned) {
            profile ??= rowProfile(j, k);
            const x = A[0] * i + b[0];
            let d = 0;
            if (profile === OUTSIDE || x < -0.5 || x > dx - 0.5) uncovered += sampleCc;
            else {
              const xc = Math.min(dx - 1, Math.max(0, x));
              const i0 = Math.max(0, Math.min(dx - 2, Math.floor(xc)));
              const i1 = Math.min(i0 + 1, dx - 1);
              const f = xc - i0;
              d = profile[i0]! * (1 - f) + profile[i1]! * f;
            }
            const bin = d > 0 ? Math.floor(d / DVH_BIN_GY) : 0;
            if (bin >= hist.length) hist = grow(hist, bin + 1);
            hist[bin] += sampleCc;
            if (d < min) min = d;
            if (d > max) max = d;
            sum += d;
            continue;
          }
          for (let o = 0; o < offsets.length; o++) {
            const off = offsets[o]!;
            const ci = i + off[0];
            const cj = j + off[1];
            const ck = k + off[2];
            const x = A[0] * ci + A[3] * cj + A[6] * ck + b[0];
            const y = A[1] * ci + A[4] * cj + A[7] * ck + b[1];
            const z = A[2] * ci + A[5] * cj + A[8] * ck + b[2];
            let d = 0;
            if (x < -0.5 || y < -0.5 || z < -0.5 || x > dx - 0.5 || y > dy - 0.5 || z > dz - 0.5) uncovered += sampleCc;
            else d = trilinearAt(data, dx, dy, dz, x, y, z);
            const bin = d > 0 ? Math.floor(d / DVH_BIN_GY) : 0;
            if (bin >= hist.length) hist = grow(hist, bin + 1);
            hist[bin] += sampleCc;
            if (d < min) min = d;
            if (d > max) max = d;
            sum += d;
          }
        }
      }
    }
  }
  const samples = count * s * s * s;
  return {
    volumeCc,
    uncoveredCc: uncovered,
    minGy: samples ? min : 0,
    maxGy: samples ? max : 0,
    meanGy: samples ? sum / samples : 0,
    binGy: DVH_BIN_GY,
    differentialCc: hist.subarray(0, samples ? Math.floor(max / DVH_BIN_GY) + 1 : 0),
    subvoxels: s,
  };
}

/** Volume (cc) that receives at least `gy`. */
export function volumeAtLeastCc(dvh: Dvh, gy: number): number {
  const from = Math.max(0, Math.ceil(gy / dvh.binGy - 1e-9));
  let v = 0;
  for (let bin = from; bin < dvh.differentialCc.length; bin++) v += dvh.differentialCc[bin]!;
  return Math.min(v, dvh.volumeCc);
}

/** Volume (% of the structure) that receives at least `gy`. */
export const volumeAtLeastPercent = (dvh: Dvh, gy: number): number => (dvh.volumeCc > 0 ? (100 * volumeAtLeastCc(dvh, gy)) / dvh.volumeCc : 0);

/** The dose received by at least `cc` of the structure (D0.1cc, D2cc); the minimum dose when `cc` exceeds its volume. */
export function doseToVolumeCc(dvh: Dvh, cc: number): number {
  if (dvh.volumeCc <= 0) return 0;
  if (cc >= dvh.volumeCc) return dvh.minGy;
  let v = 0;
  for (let bin = dvh.differentialCc.length - 1; bin >= 0; bin--) {
    v += dvh.differentialCc[bin]!;
    if (v >= cc - 1e-12) return Math.min(dvh.maxGy, Math.max(dvh.minGy, bin * dvh.binGy));
  }
  return dvh.minGy;
}

/** Dx: the dose received by at least `percent` % of the structure's volume (D98, D95, D50, D2). */
export const doseToVolumePercent = (dvh: Dvh, percent: number): number => doseToVolumeCc(dvh, (percent / 100) * dvh.volumeCc);

/** The metrics of a DVH table, in Gy and cc. */
export interface DvhMetrics {
  readonly volumeCc: number;
  readonly minGy: number;
  readonly meanGy: number;
  readonly maxGy: number;
  readonly d98Gy: number;
  readonly d95Gy: number;
  readonly d50Gy: number;
  readonly d2Gy: number;
  readonly d0_1ccGy: number;
  readonly d2ccGy: number;
}

export function dvhMetrics(dvh: Dvh): DvhMetrics {
  return {
    volumeCc: dvh.volumeCc,
    minGy: dvh.minGy,
    meanGy: dvh.meanGy,
    maxGy: dvh.maxGy,
    d98Gy: doseToVolumePercent(dvh, 98),
    d95Gy: doseToVolumePercent(dvh, 95),
    d50Gy: doseToVolumePercent(dvh, 50),
    d2Gy: doseToVolumePercent(dvh, 2),
    d0_1ccGy: doseToVolumeCc(dvh, 0.1),
    d2ccGy: doseToVolumeCc(dvh, 2),
  };
}

/** The cumulative DVH as a curve: volume (% of the structure) receiving at least each dose, every `stepGy`. */
export function cumulativeDvh(dvh: Dvh, stepGy = 0.1): { readonly doseGy: Float32Array; readonly volumePercent: Float32Array } {
  const n = Math.max(1, Math.ceil(dvh.maxGy / stepGy) + 1);
  const doseGy = new Float32Array(n);
  const volumePercent = new Float32Array(n);
  const perBin = Math.max(1, Math.round(stepGy / dvh.binGy));
  // Suffix sums over the histogram, read at each step.
  let above = 0;
  const bins = dvh.differentialCc;
  const total = dvh.volumeCc || 1;
  for (let p = n - 1; p >= 0; p--) {
    const from = p * perBin;
    const to = Math.min(bins.length, (p + 1) * perBin);
    for (let bin = from; bin < to; bin++) above += bins[bin]!;
    doseGy[p] = p * stepGy;
    volumePercent[p] = Math.min(100, (100 * above) / total);
  }
  return { doseGy, volumePercent };
}
