/**
 * Carrying the reference structure set onto the new CT through a registration (see transform.ts for the
 * direction: new-CT point → reference-CT point).
 *
 * Resampling: each new-CT voxel centre is mapped into the reference CT and the structure's indicator (1 inside,
 * 0 outside) is read there by trilinear interpolation and thresholded at one half. Nearest neighbour would move
 * every boundary by up to half a voxel in the direction the rounding happens to fall (a 3 mm slice gap makes
 * that 1.5 mm, and a structure's volume drifts with it); interpolating the indicator puts the boundary where the
 * reference's partial occupancy crosses one half, which is what warping a signed distance and thresholding at
 * zero gives within a voxel of the surface, without computing a distance transform per structure.
 */
import { GridTransform, type ImageGeometry, type Vec3 } from '../domain/geometry.ts';
import { BinaryMask } from '../domain/mask.ts';
import { createStructure, maskVolumeCc, type Structure } from '../domain/structure.ts';
import { type JobOptions, createYielder, throttleProgress } from '../jobs/job.ts';
import { applyMat4, invertAffine, type Mat4, type RegistrationTransform } from './transform.ts';

/** Where a propagated structure came from, written into its provenance. */
export interface PropagationSource {
  /** How the reference series is named to the user (series description or UID). */
  readonly series: string;
  /** The reference CT's date (DICOM DA) or '' when unknown. */
  readonly date: string;
}

/** One structure's volumes before and after propagation. */
export interface VolumeChange {
  readonly name: string;
  readonly beforeCc: number;
  readonly afterCc: number;
  /** (after − before) / before × 100, or null for an empty reference structure. */
  readonly changePercent: number | null;
}

export interface PropagationResult {
  /** The propagated structures on the new CT, status AUTO (unapproved, AUTOMATIC provenance). */
  readonly structures: Structure[];
  readonly volumes: VolumeChange[];
}

/** The affine from a target grid index to a source grid index through a patient-space map target → source. */
function indexAffine(source: ImageGeometry, target: ImageGeometry, targetToSource: Mat4): { a: number[]; b: Vec3 } {
  const src = new GridTransform(source);
  const tgt = new GridTransform(target);
  const b = src.toIndex(applyMat4(targetToSource, tgt.origin));
  const a: number[] = [];
  for (let axis = 0; axis < 3; axis++) {
    const step: Vec3 = [tgt.linear[3 * axis], tgt.linear[3 * axis + 1], tgt.linear[3 * axis + 2]];
    const p = applyMat4(targetToSource, [tgt.origin[0] + step[0], tgt.origin[1] + step[1], tgt.origin[2] + step[2]]);
    const q = src.toIndex(p);
    a.push(q[0] - b[0], q[1] - b[1], q[2] - b[2]);
  }
  return { a, b };
}

/**
 * A mask on `source` mapped onto `target` through `targetToSource` (a rigid or affine patient-space matrix),
 * by the interpolated indicator described in the module comment. Only the target voxels whose image lies
 * near the source structure are visited.
 */
export function warpMaskRigid(mask: BinaryMask, source: ImageGeometry, target: ImageGeometry, targetToSource: Mat4): BinaryMask {
  const out = new BinaryMask(target.dimensions);
  const box = mask.bounds();
  if (!box) return out;
  const [sx, sy, sz] = source.dimensions;
  const [nx, ny, nz] = target.dimensions;
  // The target box: the source box (grown by a voxel for the interpolation) carried into the target grid.
  const srcT = new GridTransform(source);
  const tgtT = new GridTransform(target);
  const sourceToTarget = invertAffine(targetToSource);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let c = 0; c < 8; c++) {
    const corner: Vec3 = [c & 1 ? box.max[0] + 1 : box.min[0] - 1, c & 2 ? box.max[1] + 1 : box.min[1] - 1, c & 4 ? box.max[2] + 1 : box.min[2] - 1];
    const t = tgtT.toIndex(applyMat4(sourceToTarget, srcT.toPatient(corner)));
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], t[a]);
      hi[a] = Math.max(hi[a], t[a]);
    }
  }
  const i0 = Math.max(0, Math.floor(lo[0]));
  const j0 = Math.max(0, Math.floor(lo[1]));
  const k0 = Math.max(0, Math.floor(lo[2]));
  const i1 = Math.min(nx - 1, Math.ceil(hi[0]));
  const j1 = Math.min(ny - 1, Math.ceil(hi[1]));
  const k1 = Math.min(nz - 1, Math.ceil(hi[2]));
  if (i0 > i1 || j0 > j1 || k0 > k1) return out;
  const { a, b } = indexAffine(source, target, targetToSource);
  const cache = new Map<number, Uint8Array>();
  const empty = new Uint8Array(sx * sy);
  const axial = (k: number): Uint8Array => {
    if (k < box.min[2] || k > box.max[2]) return empty;
    let s = cache.get(k);
    if (!s) {
      s = mask.readAxial(k);
      cache.set(k, s);
      if (cache.size > 16) cache.delete(cache.keys().next().value as number);
    }
    return s;
  };
  const at = (s: Uint8Array, i: number, j: number): number => (i < 0 || j < 0 || i >= sx || j >= sy ? 0 : s[i + sx * j]);
  const w = i1 - i0 + 1;
  const h = j1 - j0 + 1;
  const region = new Uint8Array(w * h);
  for (let k = k0; k <= k1; k++) {
    region.fill(0);
    let any = false;
    for (let j = j0; j <= j1; j++) {
      let x = b[0] + a[0] * i0 + a[3] * j + a[6] * k;
      let y = b[1] + a[1] * i0 + a[4] * j + a[7] * k;
      let z = b[2] + a[2] * i0 + a[5] * j + a[8] * k;
      for (let i = i0; i <= i1; i++, x += a[0], y += a[1], z += a[2]) {
        if (x < -1 || y < -1 || z < -1 || x > sx || y > sy || z > sz) continue;
        const xf = Math.floor(x);
        const yf = Math.floor(y);
        const zf = Math.floor(z);
        const fx = x - xf;
        const fy = y - yf;
        const fz = z - zf;
        const s0 = zf >= 0 && zf < sz ? axial(zf) : empty;
        const s1 = zf + 1 >= 0 && zf + 1 < sz ? axial(zf + 1) : empty;
        const plane = (s: Uint8Array): number =>
          (1 - fy) * ((1 - fx) * at(s, xf, yf) + fx * at(s, xf + 1, yf)) + fy * ((1 - fx) * at(s, xf, yf + 1) + fx * at(s, xf + 1, yf + 1));
        const v = (1 - fz) * plane(s0) + fz * plane(s1);
        if (v >= 0.5) {
          region[i - i0 + w * (j - j0)] = 1;
          any = true;
        }
      }
    }
    if (any) out.writeAxialRegion(k, region, i0, j0, w, h, false);
  }
  out.compact();
  return out;
}

/**
 * Propagates every structure of the reference set onto the new CT's grid through a registration, as a Job
 * (progress in structures, cancel between structures). Each result keeps its name, TG-263 name, colour and
 * type, gets provenance AUTOMATIC "propagated from <series>, <date>" and is unapproved, so the review
 * workflow treats it as any auto-contour. Deformable transforms are not accepted here yet.
 */
export async function propagateStructures(
  input: { readonly structures: readonly Structure[]; readonly reference: ImageGeometry; readonly target: ImageGeometry; readonly transform: RegistrationTransform; readonly source: PropagationSource },
  options: JobOptions = {},
): Promise<PropagationResult> {
  const { structures, reference, target, transform } = input;
  if (transform.deformation) throw new RangeError('propagation through a deformation field is not supported: register with mode rigid');
  const progress = throttleProgress(options.progress);
  const tick = createYielder(options.signal);
  const description = `propagated from ${input.source.series}${input.source.date ? `, ${input.source.date}` : ''}`;
  const out: Structure[] = [];
  const volumes: VolumeChange[] = [];
  for (let n = 0; n < structures.length; n++) {
    await tick();
    progress({ stage: 'propagate', done: n, total: structures.length, unit: 'structures' });
    const s = structures[n];
    const mask = warpMaskRigid(s.mask, reference, target, transform.rigid);
    out.push(
      createStructure({
        name: s.name,
        ...(s.standardName ? { standardName: s.standardName } : {}),
        color: s.color,
        interpretedType: s.interpretedType,
        provenance: { algorithm: 'AUTOMATIC', source: description },
        approved: false,
        mask,
      }),
    );
    const beforeCc = maskVolumeCc(s.mask, reference);
    const afterCc = maskVolumeCc(mask, target);
    volumes.push({ name: s.name, beforeCc, afterCc, changePercent: beforeCc > 0 ? ((afterCc - beforeCc) / beforeCc) * 100 : null });
  }
  progress({ stage: 'propagate', done: structures.length, total: structures.length, unit: 'structures' });
  return { structures: out, volumes };
}
