/**
 * From probabilities on the model grid to structures on the CT grid: trilinear resampling of every class's
 * probability to each CT voxel, argmax there (nnU-Net resamples probabilities, not labels, back to the original
 * grid: argmax on the coarse grid and nearest-neighbour upsampling would give staircase contours), then the
 * manifest's per-label clean-up. The resampling streams: one CT voxel at a time with all classes, so the
 * C × (CT voxels) float volume is never allocated. Browser-safe.
 */
import { GridTransform, type ImageGeometry, mulMat3 } from '../domain/geometry.ts';
import { BinaryMask } from '../domain/mask.ts';
import { fillHoles, removeIslands } from '../domain/ops/components.ts';
import { createStructure, type Structure } from '../domain/structure.ts';
import { UNCERTAINTY_MAX, voxelUncertainty, type UncertaintyMeasure } from '../domain/uncertainty.ts';
import type { ManifestLabel } from './manifest.ts';

/**
 * Label map on `target` (x fastest) from class-major probabilities on `source`: each target voxel centre is
 * mapped into the source's continuous index (any orientation), each class trilinearly interpolated (edge
 * voxels clamped, as resampleVolume does), and the largest wins; ties go to the lower class. Target voxels
 * outside the source grid are background.
 *
 * With `uncertainty`, its `data` (one byte per target voxel) receives the uncertainty of the same interpolated
 * probabilities the argmax chose from, quantised to 0–255 (0 outside the source grid): the map then describes
 * exactly the labels returned, at the cost of one measure per voxel rather than a second resampling pass.
 */
export function resampleArgmax(
  probs: Float32Array,
  classes: number,
  source: ImageGeometry,
  target: ImageGeometry,
  uncertainty?: { readonly data: Uint8Array; readonly measure: UncertaintyMeasure },
): Uint8Array {
  if (classes > 255) throw new RangeError('at most 255 classes fit a Uint8 label map');
  const src = new GridTransform(source);
  const tgt = new GridTransform(target);
  const a = mulMat3(src.inverse, tgt.linear);
  const b = src.toIndex(tgt.origin);
  const [sx, sy, sz] = source.dimensions;
  const n = sx * sy * sz;
  const plane = sx * sy;
  const [nx, ny, nz] = target.dimensions;
  const out = new Uint8Array(nx * ny * nz);
  const u = uncertainty?.data;
  if (u && u.length !== out.length) throw new RangeError(`the uncertainty map holds ${u.length} voxels, the target grid ${out.length}`);
  const measure = uncertainty?.measure ?? 'entropy';
  const p = new Float64Array(classes);
  let o = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      let x = b[0] + a[3] * j + a[6] * k;
      let y = b[1] + a[4] * j + a[7] * k;
      let z = b[2] + a[5] * j + a[8] * k;
      for (let i = 0; i < nx; i++, o++, x += a[0], y += a[1], z += a[2]) {
        if (x < -0.5 || y < -0.5 || z < -0.5 || x > sx - 0.5 || y > sy - 0.5 || z > sz - 0.5) continue;
        const xc = Math.min(sx - 1, Math.max(0, x));
        const yc = Math.min(sy - 1, Math.max(0, y));
        const zc = Math.min(sz - 1, Math.max(0, z));
        const i0 = Math.max(0, Math.min(sx - 2, Math.floor(xc)));
        const j0 = Math.max(0, Math.min(sy - 2, Math.floor(yc)));
        const k0 = Math.max(0, Math.min(sz - 2, Math.floor(zc)));
        const i1 = Math.min(i0 + 1, sx - 1);
        const j1 = Math.min(j0 + 1, sy - 1);
        const k1 = Math.min(k0 + 1, sz - 1);
        const fx = xc - i0;
        const fy = yc - j0;
        const fz = zc - k0;
        const w000 = (1 - fx) * (1 - fy) * (1 - fz);
        const w100 = fx * (1 - fy) * (1 - fz);
        const w010 = (1 - fx) * fy * (1 - fz);
        const w110 = fx * fy * (1 - fz);
        const w001 = (1 - fx) * (1 - fy) * fz;
        const w101 = fx * (1 - fy) * fz;
        const w011 = (1 - fx) * fy * fz;
        const w111 = fx * fy * fz;
        const o000 = i0 + sx * j0 + plane * k0;
        const o100 = i1 + sx * j0 + plane * k0;
        const o010 = i0 + sx * j1 + plane * k0;
        const o110 = i1 + sx * j1 + plane * k0;
        const o001 = i0 + sx * j0 + plane * k1;
        const o101 = i1 + sx * j0 + plane * k1;
        const o011 = i0 + sx * j1 + plane * k1;
        const o111 = i1 + sx * j1 + plane * k1;
        let best = 0;
        let bestP = -Infinity;
        for (let c = 0, base = 0; c < classes; c++, base += n) {
          const pc =
            probs[base + o000] * w000 +
            probs[base + o100] * w100 +
            probs[base + o010] * w010 +
            probs[base + o110] * w110 +
            probs[base + o001] * w001 +
            probs[base + o101] * w101 +
            probs[base + o011] * w011 +
            probs[base + o111] * w111;
          p[c] = pc;
          if (pc > bestP) {
            bestP = pc;
            best = c;
          }
        }
        out[o] = best;
        // A voxel the network is all but sure of has (quantised) zero uncertainty: skip the logarithms.
        if (u && bestP < 0.9999) u[o] = Math.round(voxelUncertainty(p, classes, measure) * UNCERTAINTY_MAX);
      }
    }
  }
  return out;
}

/** The mask of one label value in a label map. */
export function maskOfLabel(labels: Uint8Array, dimensions: ImageGeometry['dimensions'], value: number): BinaryMask {
  const [nx, ny, nz] = dimensions;
  const mask = new BinaryMask(dimensions);
  const slice = new Uint8Array(nx * ny);
  for (let k = 0; k < nz; k++) {
    const off = k * nx * ny;
    let any = false;
    for (let p = 0; p < slice.length; p++) {
      const v = labels[off + p] === value ? 1 : 0;
      slice[p] = v;
      if (v) any = true;
    }
    if (any) mask.writeAxial(k, slice, false);
  }
  mask.compact();
  return mask;
}

/** Applies a label's post-processing (small pieces, largest component, hole filling) and returns a new mask. */
export function postprocessMask(mask: BinaryMask, geometry: ImageGeometry, pp: ManifestLabel['postprocess']): BinaryMask {
  let m = mask;
  if (!pp || m.isEmpty()) return m;
  if (pp.minComponentCc !== undefined) m = removeIslands(m, geometry, { minVolumeCc: pp.minComponentCc });
  if (pp.largestComponent) m = removeIslands(m, geometry, { keepLargest: true });
  if (pp.fillHoles) m = fillHoles(m, pp.fillHoles);
  return m;
}

/** Provenance fields of structures a model makes. */
export interface ModelIdentity {
  readonly id: string;
  readonly version: string;
}

/**
 * The structures of a label map: one per manifest label, post-processed, named and coloured as the manifest
 * says, with AUTOMATIC provenance naming the model and its version. Empty structures are kept (an organ the
 * model did not find is information the user needs to see).
 */
export function labelsToStructures(labels: Uint8Array, geometry: ImageGeometry, manifestLabels: readonly ManifestLabel[], model: ModelIdentity): Structure[] {
  return manifestLabels.map((l) =>
    createStructure({
      name: l.name,
      standardName: l.standardName,
      color: l.color,
      interpretedType: l.interpretedType,
      provenance: { algorithm: 'AUTOMATIC', source: model.id, version: model.version },
      mask: postprocessMask(maskOfLabel(labels, geometry.dimensions, l.value), geometry, l.postprocess),
    }),
  );
}
