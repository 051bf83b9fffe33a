/**
 * What a CT goes through before elastix sees it: downsampled to the registration spacing (the optimisation
 * never needs full resolution, and a 512×512×200 CT as float would take 200 MB per copy in a browser tab),
 * cut down to the body's bounding box, and everything outside the body set to air. The couch, the immobilisation
 * and the air around the patient differ between two scans of one patient; left in, air takes most of the
 * metric's samples and the couch pulls the rigid fit towards itself.
 */
import { GridTransform, type ImageGeometry, type Vec3 } from '../domain/geometry.ts';
import { labelComponents } from '../domain/ops/components.ts';
import { resampleVolume, withSpacing } from '../domain/resample.ts';
import { Volume } from '../domain/volume.ts';

/** HU above which a voxel counts as patient or couch for the body mask (fat is about −100, lung −850). */
export const BODY_THRESHOLD_HU = -400;
/** The value written outside the body. */
export const AIR_HU = -1000;

/**
 * The body of a CT on its own grid: the largest 6-connected component above {@link BODY_THRESHOLD_HU} (the
 * patient; the couch is a separate component below it) with its internal cavities (lungs, airways, bowel gas)
 * filled, because they are the patient's and carry the anatomy the registration aligns.
 */
export function bodyMask(volume: Volume): Uint8Array {
  const [nx, ny, nz] = volume.dimensions;
  const n = nx * ny * nz;
  const dense = new Uint8Array(n);
  for (let v = 0; v < n; v++) dense[v] = volume.data[v] > BODY_THRESHOLD_HU ? 1 : 0;
  const { labels, sizes } = labelComponents(dense, [nx, ny, nz]);
  let best = 0;
  for (let l = 1; l < sizes.length; l++) if (sizes[l] > sizes[best]) best = l;
  const body = new Uint8Array(n);
  if (best === 0) return body;
  for (let v = 0; v < n; v++) body[v] = labels[v] === best ? 1 : 0;
  // Outside = what the in-plane border reaches without crossing the body; the rest is the patient. Filling per
  // slice rather than in 3D keeps a cavity open at the top or bottom slice (the lungs of a chest scan) inside.
  const outside = new Uint8Array(nx * ny);
  const queue = new Int32Array(nx * ny);
  for (let k = 0; k < nz; k++) {
    const base = k * nx * ny;
    outside.fill(0);
    let head = 0;
    let tail = 0;
    const push = (p: number): void => {
      if (outside[p] || body[base + p]) return;
      outside[p] = 1;
      queue[tail++] = p;
    };
    for (let i = 0; i < nx; i++) {
      push(i);
      push((ny - 1) * nx + i);
    }
    for (let j = 0; j < ny; j++) {
      push(j * nx);
      push(j * nx + nx - 1);
    }
    while (head < tail) {
      const p = queue[head++];
      const i = p % nx;
      if (i > 0) push(p - 1);
      if (i < nx - 1) push(p + 1);
      if (p >= nx) push(p - nx);
      if (p < nx * (ny - 1)) push(p + nx);
    }
    for (let p = 0; p < nx * ny; p++) if (!outside[p]) body[base + p] = 1;
  }
  return body;
}

/** A CT ready for elastix: float voxels on a coarse grid around the body, air outside it. */
export interface PreparedImage {
  readonly volume: Volume;
  /** Body voxels counted on the prepared grid (an empty body means the image holds no patient). */
  readonly bodyVoxels: number;
}

/**
 * Downsamples `ct` to `spacingMm` (trilinear), keeps the bounding box of its body grown by `marginMm`, and
 * writes {@link AIR_HU} outside the body. The returned grid keeps the CT's orientation (direction cosines), so
 * elastix works in the same patient coordinates as the CT.
 */
export function prepareForRegistration(ct: Volume, spacingMm: number, marginMm = 10): PreparedImage {
  const spacing: Vec3 = [
    Math.max(spacingMm, ct.spacing[0]),
    Math.max(spacingMm, ct.spacing[1]),
    Math.max(spacingMm, ct.spacing[2]),
  ];
  const coarse = resampleVolume(ct, withSpacing(ct.geometry, spacing), { interpolation: 'linear', fill: AIR_HU });
  const body = bodyMask(coarse);
  const [nx, ny, nz] = coarse.dimensions;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  let count = 0;
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        if (!body[v]) continue;
        count++;
        const idx = [i, j, k];
        for (let a = 0; a < 3; a++) {
          if (idx[a] < lo[a]) lo[a] = idx[a];
          if (idx[a] > hi[a]) hi[a] = idx[a];
        }
      }
  if (count === 0) return { volume: new Volume({ ...coarse.geometry, data: Float32Array.from(coarse.data), modality: 'CT' }), bodyVoxels: 0 };
  const min = lo.map((v, a) => Math.max(0, v - Math.ceil(marginMm / spacing[a])));
  const max = hi.map((v, a) => Math.min(coarse.dimensions[a] - 1, v + Math.ceil(marginMm / spacing[a])));
  const dims: Vec3 = [max[0] - min[0] + 1, max[1] - min[1] + 1, max[2] - min[2] + 1];
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, o = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, o++) {
        const v = min[0] + i + nx * (min[1] + j + ny * (min[2] + k));
        data[o] = body[v] ? coarse.data[v] : AIR_HU;
      }
  const geometry: ImageGeometry = {
    dimensions: dims,
    spacing,
    origin: new GridTransform(coarse.geometry).toPatient([min[0], min[1], min[2]]),
    direction: coarse.direction,
  };
  return { volume: new Volume({ ...geometry, data, modality: 'CT' }), bodyVoxels: count };
}
