/**
 * Rule-based auto-contours of a chest/abdomen/head-and-neck CT: External (body outline), Lung_L, Lung_R and
 * Bones, from Hounsfield-unit thresholds, connected components and morphology. Offered like a model under the id
 * `ct-external-lungs-bones` (same result type, same provenance), because the clinic uses them the same way.
 * Works on the CT grid directly (no resampling: the outline must follow the CT voxels) with dense byte arrays
 * and linear-time passes (./morphology.ts). Browser-safe. Measured against clinical contours in docs/rules.md.
 *
 * The rules and why:
 * - External: HU > −300 (skin and fat, not air nor the couch's foam core); a per-slice opening removes thin
 *   structures (couch shells, sheets, cables, immobilisation mesh) that touch the body; the largest 3D component
 *   is the patient (the couch, once detached, is a separate component); holes filled per slice (lungs, airways,
 *   bowel gas are inside the body).
 * - Lungs: aerated lung below −400 HU without the trachea and main bronchi, a partial-volume rim, dense
 *   (collapsed, consolidated) lung bridged between aerated lung above and below, holes filled; see ./lungs.ts.
 * - Bones: HU > 250 inside the External, components under 0.5 cc dropped (calcifications, contrast specks).
 */
import { voxelVolumeMm3 } from '../../domain/geometry.ts';
import { BinaryMask } from '../../domain/mask.ts';
import { createStructure, type Structure } from '../../domain/structure.ts';
import { tg263Entry } from '../../domain/tg263.ts';
import type { Volume } from '../../domain/volume.ts';
import { throwIfAborted, type JobOptions } from '../../jobs/job.ts';
import type { ModelManifest } from '../manifest.ts';
import { lungMasks, type LungRuleOptions } from './lungs.ts';
import { dilate2d, erode2d, fillHoles2d, largestComponent, paintComponents, regrow2d, runComponents, type Dims } from './morphology.ts';

export { dilate2d, erode2d, fillHoles2d } from './morphology.ts';

/** Tunable thresholds of the rules (defaults are the values above and in ./lungs.ts). */
export interface BodyRuleOptions extends LungRuleOptions {
  readonly externalHu?: number;
  readonly boneHu?: number;
  /** Radius (mm) of the per-slice opening that detaches thin objects from the body. */
  readonly openingMm?: number;
  /** How far (mm, in-plane, geodesic) the opened body grows back into tissue the opening cut away (default 20). */
  readonly regrowMm?: number;
}

/** The manifest of the rule-based model (kind 'rules': no network). */
export const EXTERNAL_LUNGS_BONES: ModelManifest = {
  schema: 'delineo-model/1',
  id: 'ct-external-lungs-bones',
  name: 'External, lungs and bones (rules)',
  version: '1.1.0',
  description: 'Body outline, left and right lungs (collapsed lung between aerated lung included) and bones from Hounsfield-unit thresholds, connected components and morphology; no trained network.',
  kind: 'rules',
  modality: 'CT',
  license: 'Apache-2.0',
  modelCard: 'https://github.com/delineo/delineo/blob/main/docs/rules.md',
  labels: (['External', 'Lung_L', 'Lung_R', 'Bone'] as const).map((name, i) => {
    const e = tg263Entry(name)!;
    return { value: i + 1, name: e.name, standardName: e.name, interpretedType: e.interpretedType, color: e.color };
  }),
};

/** Dense masks (x fastest, one byte per voxel) of the four structures on the CT grid. */
export interface BodyMasks {
  readonly external: Uint8Array;
  readonly lungL: Uint8Array;
  readonly lungR: Uint8Array;
  readonly bones: Uint8Array;
}

/** Runs the rules on a CT (HU) and returns dense masks; see the module comment. */
export function computeBodyMasks(ct: Volume, options: BodyRuleOptions & JobOptions = {}): BodyMasks {
  const dims = ct.dimensions as unknown as Dims;
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const plane = nx * ny;
  const hu = ct.data;
  const progress = options.progress;
  const step = (done: number) => {
    throwIfAborted(options.signal);
    progress?.({ stage: 'rules', done, total: 3, unit: 'steps' });
  };
  step(0);
  // External.
  const thr = new Uint8Array(n);
  const extHu = options.externalHu ?? -300;
  for (let o = 0; o < n; o++) thr[o] = hu[o] > extHu ? 1 : 0;
  const rx = Math.max(1, Math.round((options.openingMm ?? 4) / ct.spacing[0]));
  const ry = Math.max(1, Math.round((options.openingMm ?? 4) / ct.spacing[1]));
  const opened = new Uint8Array(n);
  for (let k = 0; k < nz; k++) openSlice(thr.subarray(k * plane, (k + 1) * plane), opened.subarray(k * plane, (k + 1) * plane), nx, ny, rx, ry);
  const body = largestComponent(opened, dims);
  // The opening also cuts a chest wall thinner than its box (9 mm) where a lung lies close to the skin, and a
  // ring with a gap encloses nothing: the lung would fall outside the body. Grow the body back into the
  // thresholded tissue it was cut from, per slice, for a limited geodesic distance: a cut wall is regained
  // from both of its ends, while a couch is regained only for that distance from where it touched.
  const regrowMm = options.regrowMm ?? 20;
  const external = fillHoles2d(regrow2d(body, thr, nx, ny, nz, Math.max(1, Math.round(regrowMm / Math.min(ct.spacing[0], ct.spacing[1])))), nx, ny, nz);
  step(1);
  // Lungs.
  const { lungL, lungR } = lungMasks(ct, external, options);
  step(2);
  // Bones.
  const boneHu = options.boneHu ?? 250;
  const bone = new Uint8Array(n);
  for (let o = 0; o < n; o++) bone[o] = external[o] && hu[o] > boneHu ? 1 : 0;
  const parts = runComponents(bone, dims);
  const minBone = (0.5 * 1000) / voxelVolumeMm3(ct);
  const bones = paintComponents(parts, nx, n, (id) => parts.sizes[id] >= minBone);
  step(3);
  return { external, lungL, lungR, bones };
}

/**
 * The opening of one slice (erosion, then dilation, by a box of half-sizes rx, ry), kept within the slice's
 * mask, computed on the bounding box of the mask only (grown by the box): the air around the body, often half
 * the field of view, costs nothing.
 */
function openSlice(slice: Uint8Array, out: Uint8Array, nx: number, ny: number, rx: number, ry: number): void {
  let x0 = nx;
  let x1 = -1;
  let y0 = ny;
  let y1 = -1;
  for (let y = 0; y < ny; y++) {
    const line = slice.subarray(y * nx, (y + 1) * nx);
    const first = line.indexOf(1);
    if (first < 0) continue;
    x0 = Math.min(x0, first);
    x1 = Math.max(x1, line.lastIndexOf(1));
    if (y < y0) y0 = y;
    y1 = y;
  }
  if (x1 < 0) return;
  // Outside the mask's box grown by the box filter's reach, the erosion is 0, and so is its dilation.
  x0 = Math.max(0, x0 - rx);
  x1 = Math.min(nx - 1, x1 + rx);
  y0 = Math.max(0, y0 - ry);
  y1 = Math.min(ny - 1, y1 + ry);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const src = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) src.set(slice.subarray((y0 + y) * nx + x0, (y0 + y) * nx + x1 + 1), y * w);
  const res = new Uint8Array(w * h);
  const tmp = new Uint8Array(w * h);
  // Erosion treats the crop's edge as background; the crop's edge is the image edge or ≥ r voxels of
  // background away from the mask, where erosion gives 0 either way.
  erode2d(src, res, w, h, rx, ry, tmp);
  dilate2d(res, res, w, h, rx, ry, tmp);
  for (let y = 0; y < h; y++) {
    const o = (y0 + y) * nx + x0;
    for (let x = 0; x < w; x++) out[o + x] = res[y * w + x] & src[y * w + x];
  }
}

/** The structures of {@link computeBodyMasks} with AUTOMATIC provenance. */
export function bodyStructures(ct: Volume, masks: BodyMasks, manifest: ModelManifest = EXTERNAL_LUNGS_BONES): Structure[] {
  const dense = [masks.external, masks.lungL, masks.lungR, masks.bones];
  return manifest.labels.map((l, i) =>
    createStructure({
      name: l.name,
      standardName: l.standardName,
      color: l.color,
      interpretedType: l.interpretedType,
      provenance: { algorithm: 'AUTOMATIC', source: manifest.id, version: manifest.version },
      mask: BinaryMask.fromDense(ct.dimensions, dense[i]),
    }),
  );
}
