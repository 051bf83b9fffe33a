import { GridTransform, type ImageGeometry, type Vec3, mulMat3, voxelCount, validateGeometry } from './geometry.ts';
import { BinaryMask } from './mask.ts';
import { Volume, type VoxelArray } from './volume.ts';

export type Interpolation = 'nearest' | 'linear';

export interface ResampleOptions {
  readonly interpolation?: Interpolation;
  /** Value for target voxels whose centre falls outside the source grid (default: −1024 for CT, else 0). */
  readonly fill?: number;
}

/** The source-index affine of a target grid: srcIndex = A · tgtIndex + b (A column-major). */
function indexMap(source: ImageGeometry, target: ImageGeometry): { a: number[]; b: Vec3 } {
  const src = new GridTransform(source);
  const tgt = new GridTransform(target);
  const a = mulMat3(src.inverse, tgt.linear);
  const b = src.toIndex(tgt.origin);
  return { a: [...a], b };
}

/**
 * Samples `source` on `target`'s grid (any orientation, any spacing): each target voxel centre is mapped to
 * patient space and back into the source's continuous index, then read by nearest-neighbour or trilinear
 * interpolation. Voxel centres are at integer indices; a target voxel outside [-0.5, n-0.5] on any axis of the
 * source gets `fill`. Linear interpolation clamps to the edge voxels within that half-voxel border.
 */
export function resampleVolume(source: Volume, target: ImageGeometry, options: ResampleOptions = {}): Volume {
  validateGeometry(target);
  const interpolation = options.interpolation ?? 'linear';
  const fill = options.fill ?? (source.modality === 'CT' ? -1024 : 0);
  const out = allocateLike(source.data, voxelCount(target), interpolation);
  const [sx, sy, sz] = source.dimensions;
  const src = source.data;
  const plane = sx * sy;
  const { a, b } = indexMap(source, target);
  const [nx, ny, nz] = target.dimensions;
  let o = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      // Source index of (0, j, k); each step in i adds column 0 of A.
      let x = b[0] + a[3] * j + a[6] * k;
      let y = b[1] + a[4] * j + a[7] * k;
      let z = b[2] + a[5] * j + a[8] * k;
      for (let i = 0; i < nx; i++, o++, x += a[0], y += a[1], z += a[2]) {
        if (x < -0.5 || y < -0.5 || z < -0.5 || x > sx - 0.5 || y > sy - 0.5 || z > sz - 0.5) {
          out[o] = fill;
          continue;
        }
        if (interpolation === 'nearest') {
          const ii = Math.min(sx - 1, Math.max(0, Math.round(x)));
          const jj = Math.min(sy - 1, Math.max(0, Math.round(y)));
          const kk = Math.min(sz - 1, Math.max(0, Math.round(z)));
          out[o] = src[ii + sx * jj + plane * kk];
          continue;
        }
        out[o] = trilinearAt(src, sx, sy, sz, x, y, z);
      }
    }
  }
  return new Volume({ ...target, data: out, modality: source.modality, identity: {}, name: source.name });
}

/**
 * Trilinear interpolation of a grid's values at a continuous index (voxel centres at integers), clamped to the
 * edge voxels: callers decide what lies outside (resampling fills it, a DVH counts it as uncovered).
 */
export function trilinearAt(src: ArrayLike<number>, nx: number, ny: number, nz: number, x: number, y: number, z: number): number {
  const xc = Math.min(nx - 1, Math.max(0, x));
  const yc = Math.min(ny - 1, Math.max(0, y));
  const zc = Math.min(nz - 1, Math.max(0, z));
  const i0 = Math.max(0, Math.min(nx - 2, Math.floor(xc)));
  const j0 = Math.max(0, Math.min(ny - 2, Math.floor(yc)));
  const k0 = Math.max(0, Math.min(nz - 2, Math.floor(zc)));
  const i1 = Math.min(i0 + 1, nx - 1);
  const j1 = Math.min(j0 + 1, ny - 1);
  const k1 = Math.min(k0 + 1, nz - 1);
  const fx = xc - i0;
  const fy = yc - j0;
  const fz = zc - k0;
  const plane = nx * ny;
  const c00 = src[i0 + nx * j0 + plane * k0]! * (1 - fx) + src[i1 + nx * j0 + plane * k0]! * fx;
  const c10 = src[i0 + nx * j1 + plane * k0]! * (1 - fx) + src[i1 + nx * j1 + plane * k0]! * fx;
  const c01 = src[i0 + nx * j0 + plane * k1]! * (1 - fx) + src[i1 + nx * j0 + plane * k1]! * fx;
  const c11 = src[i0 + nx * j1 + plane * k1]! * (1 - fx) + src[i1 + nx * j1 + plane * k1]! * fx;
  return (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
}

/**
 * Whether a continuous index lies on the grid: within half a voxel of its outermost voxel centres, the region its
 * voxels cover. Beyond that a grid says nothing (a dose grid: no dose was computed there).
 */
export function insideGrid(dimensions: Vec3, x: number, y: number, z: number): boolean {
  return x >= -0.5 && y >= -0.5 && z >= -0.5 && x <= dimensions[0] - 0.5 && y <= dimensions[1] - 0.5 && z <= dimensions[2] - 0.5;
}

/**
 * The value of a volume at a patient point (LPS mm), interpolated trilinearly between voxel centres through the
 * grid's full affine (spacing, origin, direction); null off the grid ({@link insideGrid}), so that a caller can
 * say "no value" rather than show the nearest edge voxel or 0. The dose under the cursor is this.
 */
export function valueAtPoint(volume: Pick<Volume, 'data' | 'dimensions' | 'patientToIndex'>, point: Vec3): number | null {
  const [x, y, z] = volume.patientToIndex(point);
  const [nx, ny, nz] = volume.dimensions;
  if (!insideGrid(volume.dimensions, x, y, z)) return null;
  return trilinearAt(volume.data, nx, ny, nz, x, y, z);
}

/** Linear interpolation of integer data produces fractions: promote to Float32 then. */
function allocateLike(data: VoxelArray, n: number, interpolation: Interpolation): VoxelArray {
  if (interpolation === 'linear' && !(data instanceof Float32Array || data instanceof Float64Array)) return new Float32Array(n);
  return new (data.constructor as new (n: number) => VoxelArray)(n);
}

/** Nearest-neighbour resampling of a mask onto another grid (labels must never be blended). */
export function resampleMask(mask: BinaryMask, source: ImageGeometry, target: ImageGeometry): BinaryMask {
  const { a, b } = indexMap(source, target);
  const [sx, sy, sz] = source.dimensions;
  const [nx, ny, nz] = target.dimensions;
  const out = new BinaryMask(target.dimensions);
  const slice = new Uint8Array(nx * ny);
  const cache = new Map<number, Uint8Array>();
  const axialOf = (kk: number): Uint8Array => {
    let s = cache.get(kk);
    if (!s) {
      s = mask.readAxial(kk);
      cache.set(kk, s);
      if (cache.size > 8) cache.delete(cache.keys().next().value as number);
    }
    return s;
  };
  for (let k = 0; k < nz; k++) {
    slice.fill(0);
    for (let j = 0; j < ny; j++) {
      let x = b[0] + a[3] * j + a[6] * k;
      let y = b[1] + a[4] * j + a[7] * k;
      let z = b[2] + a[5] * j + a[8] * k;
      for (let i = 0; i < nx; i++, x += a[0], y += a[1], z += a[2]) {
        const ii = Math.round(x);
        const jj = Math.round(y);
        const kk = Math.round(z);
        if (ii < 0 || jj < 0 || kk < 0 || ii >= sx || jj >= sy || kk >= sz) continue;
        if (axialOf(kk)[ii + sx * jj]) slice[i + nx * j] = 1;
      }
    }
    out.writeAxial(k, slice, false);
  }
  out.compact();
  return out;
}

/**
 * The geometry covering the same physical extent as `g` with a new spacing and the same orientation: voxel
 * centres start at the same origin and the count along each axis is round(extent / spacing).
 */
export function withSpacing(g: ImageGeometry, spacing: Vec3): ImageGeometry {
  const dimensions = g.dimensions.map((n, a) => Math.max(1, Math.round((n * g.spacing[a]) / spacing[a]))) as unknown as Vec3;
  const origin = new GridTransform(g).toPatient(g.spacing.map((s, a) => (spacing[a] / s - 1) / 2) as unknown as Vec3);
  return { dimensions, spacing, origin, direction: g.direction };
}
