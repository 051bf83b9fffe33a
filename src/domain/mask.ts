import type { Vec3 } from './geometry.ts';

/** Brick edge in voxels. 16³ bits = 512 bytes per stored brick. */
const B = 16;
const SHIFT = 4;
const LOCAL = B - 1;
const WORDS = (B * B * B) / 32; // 128 Uint32 words per brick
const WORDS_PER_PLANE = (B * B) / 32; // 8 words hold one 16×16 plane of a brick
const EMPTY = -1;
const FULL = -2;

/** Axis of a slice: 0 = sagittal (i fixed), 1 = coronal (j fixed), 2 = axial (k fixed). */
export type SliceAxis = 0 | 1 | 2;

/** An axis-aligned index box, inclusive: [iMin, jMin, kMin] … [iMax, jMax, kMax]. */
export interface IndexBox {
  readonly min: Vec3;
  readonly max: Vec3;
}

/** See BinaryMask.diff. Kinds: 0 = empty brick, 1 = full brick, 2 = stored bits (in the words array, in order). */
export interface MaskPatch {
  readonly dimensions: Vec3;
  readonly bricks: Int32Array;
  readonly beforeKind: Uint8Array;
  readonly afterKind: Uint8Array;
  readonly beforeWords: Uint32Array;
  readonly afterWords: Uint32Array;
}

/** Bytes a patch holds (for bounding undo memory). */
export const patchBytes = (p: MaskPatch): number =>
  p.bricks.byteLength + p.beforeKind.byteLength + p.afterKind.byteLength + p.beforeWords.byteLength + p.afterWords.byteLength;

/** A mask's storage as typed arrays; see BinaryMask.serialize. */
export interface SerializedMask {
  readonly dimensions: Vec3;
  readonly index: Int32Array;
  readonly pool: Uint32Array;
}

const popcount = (x: number): number => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
};

/**
 * A binary voxel mask on an image grid, stored sparsely as 16³ bricks of bits.
 *
 * Why bricks: a structure set holds dozens of masks on a 512×512×N CT. A byte per voxel costs 52 MB per
 * structure at N = 200; a dense bitmap still 6.5 MB. Bricks that are entirely outside (EMPTY) or entirely
 * inside (FULL) a structure cost 4 bytes, so a mask costs about its surface, not its volume — the body
 * outline of a 512×512×200 CT takes well under 1 MB. Voxel access stays O(1); slice extraction and the
 * Boolean operations work a 32-bit word at a time.
 *
 * Bits outside the grid in the bricks along the upper edges are always zero; only bricks wholly inside the
 * grid may be FULL.
 */
export class BinaryMask {
  readonly dimensions: Vec3;
  /** Brick counts along i, j, k. */
  readonly brickDims: Vec3;
  private readonly index: Int32Array;
  private pool: Uint32Array;
  private slotsUsed = 0;
  private freeSlots: number[] = [];
  private cachedCount: number | undefined = 0;
  /** Incremented on every change; views and caches compare it. */
  version = 0;

  constructor(dimensions: Vec3) {
    if (dimensions.some((n) => !Number.isInteger(n) || n < 1)) throw new RangeError(`invalid mask dimensions [${dimensions.join(', ')}]`);
    this.dimensions = [dimensions[0], dimensions[1], dimensions[2]];
    this.brickDims = [Math.ceil(dimensions[0] / B), Math.ceil(dimensions[1] / B), Math.ceil(dimensions[2] / B)];
    this.index = new Int32Array(this.brickDims[0] * this.brickDims[1] * this.brickDims[2]).fill(EMPTY);
    this.pool = new Uint32Array(0);
  }

  /** A mask from one byte per voxel (non-zero = inside), in the grid's i-fastest order. */
  static fromDense(dimensions: Vec3, data: ArrayLike<number>): BinaryMask {
    const m = new BinaryMask(dimensions);
    const plane = dimensions[0] * dimensions[1];
    if (data.length !== plane * dimensions[2]) throw new RangeError(`dense mask has ${data.length} voxels, grid needs ${plane * dimensions[2]}`);
    const slice = new Uint8Array(plane);
    for (let k = 0; k < dimensions[2]; k++) {
      if (data instanceof Uint8Array) m.writeAxial(k, data.subarray(k * plane, (k + 1) * plane), false);
      else {
        for (let p = 0; p < plane; p++) slice[p] = data[k * plane + p] ? 1 : 0;
        m.writeAxial(k, slice, false);
      }
    }
    m.compact();
    return m;
  }

  /** A mask of every voxel for which `inside(i, j, k)` is true. */
  static fromPredicate(dimensions: Vec3, inside: (i: number, j: number, k: number) => boolean): BinaryMask {
    const [nx, ny, nz] = dimensions;
    const m = new BinaryMask(dimensions);
    const slice = new Uint8Array(nx * ny);
    for (let k = 0; k < nz; k++) {
      for (let j = 0, p = 0; j < ny; j++) for (let i = 0; i < nx; i++, p++) slice[p] = inside(i, j, k) ? 1 : 0;
      m.writeAxial(k, slice, false);
    }
    m.compact();
    return m;
  }

  inBounds(i: number, j: number, k: number): boolean {
    return i >= 0 && j >= 0 && k >= 0 && i < this.dimensions[0] && j < this.dimensions[1] && k < this.dimensions[2];
  }

  private brickOf(i: number, j: number, k: number): number {
    return (i >> SHIFT) + this.brickDims[0] * ((j >> SHIFT) + this.brickDims[1] * (k >> SHIFT));
  }

  /** True when voxel (i, j, k) is inside. The index must be in bounds. */
  get(i: number, j: number, k: number): boolean {
    const s = this.index[this.brickOf(i, j, k)];
    if (s === EMPTY) return false;
    if (s === FULL) return true;
    const bit = ((k & LOCAL) << 8) | ((j & LOCAL) << 4) | (i & LOCAL);
    return ((this.pool[s * WORDS + (bit >> 5)] >>> (bit & 31)) & 1) === 1;
  }

  /** Sets voxel (i, j, k). The index must be in bounds. Does not collapse bricks: call `compact()` after bulk edits. */
  set(i: number, j: number, k: number, value: boolean): void {
    const b = this.brickOf(i, j, k);
    let s = this.index[b];
    if (s === (value ? FULL : EMPTY)) return;
    if (s < 0) s = this.materialise(b);
    const bit = ((k & LOCAL) << 8) | ((j & LOCAL) << 4) | (i & LOCAL);
    const w = s * WORDS + (bit >> 5);
    const flag = 1 << (bit & 31);
    const old = this.pool[w];
    const next = value ? old | flag : old & ~flag;
    if (next !== old) {
      this.pool[w] = next;
      this.touch();
    }
  }

  private touch(): void {
    this.cachedCount = undefined;
    this.version++;
  }

  private isInterior(b: number): boolean {
    const [bx, by] = this.brickDims;
    const x = b % bx;
    const y = Math.floor(b / bx) % by;
    const z = Math.floor(b / (bx * by));
    return (x + 1) * B <= this.dimensions[0] && (y + 1) * B <= this.dimensions[1] && (z + 1) * B <= this.dimensions[2];
  }

  /** Gives brick b a slot with bits equal to its current uniform state. */
  private materialise(b: number): number {
    const state = this.index[b];
    let s = this.freeSlots.pop();
    if (s === undefined) {
      s = this.slotsUsed++;
      if (this.slotsUsed * WORDS > this.pool.length) {
        const grown = new Uint32Array(Math.max(WORDS * 8, Math.ceil(this.slotsUsed * 1.5) * WORDS));
        grown.set(this.pool);
        this.pool = grown;
      }
    }
    this.pool.fill(state === FULL ? 0xffffffff : 0, s * WORDS, (s + 1) * WORDS);
    this.index[b] = s;
    return s;
  }

  private release(b: number, state: typeof EMPTY | typeof FULL): void {
    const s = this.index[b];
    if (s >= 0) this.freeSlots.push(s);
    this.index[b] = state;
  }

  /** Collapses brick b to EMPTY or FULL when its bits are uniform. */
  private compactBrick(b: number): void {
    const s = this.index[b];
    if (s < 0) return;
    const base = s * WORDS;
    let or = 0;
    let and = 0xffffffff;
    for (let w = 0; w < WORDS; w++) {
      const v = this.pool[base + w];
      or |= v;
      and &= v;
    }
    if (or === 0) this.release(b, EMPTY);
    else if (and >>> 0 === 0xffffffff && this.isInterior(b)) this.release(b, FULL);
  }

  /** Collapses uniform bricks and returns unused memory. Call after bulk edits. */
  compact(): void {
    for (let b = 0; b < this.index.length; b++) this.compactBrick(b);
    const live = this.slotsUsed - this.freeSlots.length;
    if (this.freeSlots.length === 0 && this.pool.length <= Math.ceil(live * 1.25) * WORDS) return;
    // Defragment: renumber live slots densely into a right-sized pool.
    const pool = new Uint32Array(live * WORDS);
    let next = 0;
    for (let b = 0; b < this.index.length; b++) {
      const s = this.index[b];
      if (s < 0) continue;
      pool.set(this.pool.subarray(s * WORDS, (s + 1) * WORDS), next * WORDS);
      this.index[b] = next++;
    }
    this.pool = pool;
    this.slotsUsed = next;
    this.freeSlots = [];
  }

  /** Number of voxels inside. */
  count(): number {
    if (this.cachedCount !== undefined) return this.cachedCount;
    let n = 0;
    for (let b = 0; b < this.index.length; b++) {
      const s = this.index[b];
      if (s === FULL) n += B * B * B;
      else if (s >= 0) for (let w = s * WORDS, e = w + WORDS; w < e; w++) n += popcount(this.pool[w]);
    }
    this.cachedCount = n;
    return n;
  }

  /** True when no voxel is inside. */
  isEmpty(): boolean {
    return this.count() === 0;
  }

  /** Bytes held by this mask's storage (the budget figure for the structure set). */
  memoryBytes(): number {
    return this.index.byteLength + this.pool.byteLength;
  }

  /**
   * Copies axial slice k into `out` (nx·ny bytes, 1 = inside), allocating it when absent. The hot path for
   * overlays and contour extraction: empty bricks cost nothing, stored ones a word per two rows.
   */
  readAxial(k: number, out?: Uint8Array): Uint8Array {
    const [nx, ny] = this.dimensions;
    const slice = out ?? new Uint8Array(nx * ny);
    slice.fill(0);
    const [bx, by] = this.brickDims;
    const layer = (k >> SHIFT) * bx * by;
    const lz = k & LOCAL;
    for (let y = 0; y < by; y++) {
      for (let x = 0; x < bx; x++) {
        const s = this.index[layer + y * bx + x];
        if (s === EMPTY) continue;
        const i0 = x * B;
        const j0 = y * B;
        const iw = Math.min(B, nx - i0);
        const jh = Math.min(B, ny - j0);
        if (s === FULL) {
          for (let ly = 0; ly < jh; ly++) slice.fill(1, (j0 + ly) * nx + i0, (j0 + ly) * nx + i0 + iw);
          continue;
        }
        const base = s * WORDS + lz * WORDS_PER_PLANE;
        for (let ly = 0; ly < jh; ly++) {
          const bits = (this.pool[base + (ly >> 1)] >>> ((ly & 1) << 4)) & 0xffff;
          if (bits === 0) continue;
          const row = (j0 + ly) * nx + i0;
          for (let lx = 0; lx < iw; lx++) if ((bits >>> lx) & 1) slice[row + lx] = 1;
        }
      }
    }
    return slice;
  }

  /** Replaces axial slice k with `data` (nx·ny values, non-zero = inside). */
  writeAxial(k: number, data: ArrayLike<number>, compact = true): void {
    this.writeAxialRegion(k, data, 0, 0, this.dimensions[0], this.dimensions[1], compact);
  }

  /**
   * Replaces the rectangle [i0, i0+w) × [j0, j0+h) of axial slice k with `data` (w·h values, row-major,
   * non-zero = inside); voxels outside the rectangle keep their value. Only the bricks the rectangle touches
   * are visited, so local edits (a brush dab, a margin around a small target) cost their size, not the slice's.
   */
  writeAxialRegion(k: number, data: ArrayLike<number>, i0: number, j0: number, w: number, h: number, compact = true): void {
    const [nx, ny] = this.dimensions;
    if (i0 < 0 || j0 < 0 || w < 0 || h < 0 || i0 + w > nx || j0 + h > ny || k < 0 || k >= this.dimensions[2]) {
      throw new RangeError(`region [${i0}, ${j0}] + [${w}×${h}] on slice ${k} is outside the ${nx}×${ny}×${this.dimensions[2]} grid`);
    }
    if (w === 0 || h === 0) return;
    const [bx, by] = this.brickDims;
    const layer = (k >> SHIFT) * bx * by;
    const lz = k & LOCAL;
    const words = new Uint32Array(WORDS_PER_PLANE);
    let changed = false;
    for (let y = j0 >> SHIFT; y <= (j0 + h - 1) >> SHIFT; y++) {
      for (let x = i0 >> SHIFT; x <= (i0 + w - 1) >> SHIFT; x++) {
        const b = layer + y * bx + x;
        const s0 = this.index[b];
        const bi = x * B;
        const bj = y * B;
        const iw = Math.min(B, nx - bi);
        const jh = Math.min(B, ny - bj);
        // Columns of this brick inside the rectangle, as local indices [la, lb).
        const la = Math.max(0, i0 - bi);
        const lb = Math.min(iw, i0 + w - bi);
        const rowValid = (1 << iw) - 1;
        words.fill(0);
        for (let ly = 0; ly < jh; ly++) {
          const shift = (ly & 1) << 4;
          let bits = s0 === EMPTY ? 0 : s0 === FULL ? rowValid : (this.pool[s0 * WORDS + lz * WORDS_PER_PLANE + (ly >> 1)] >>> shift) & 0xffff;
          const j = bj + ly;
          if (j >= j0 && j < j0 + h) {
            const row = (j - j0) * w + (bi - i0);
            for (let lx = la; lx < lb; lx++) bits = data[row + lx] ? bits | (1 << lx) : bits & ~(1 << lx);
          }
          words[ly >> 1] |= bits << shift;
        }
        let any = 0;
        let all = iw === B && jh === B ? 0xffffffff : 0;
        for (let q = 0; q < WORDS_PER_PLANE; q++) {
          any |= words[q];
          all &= words[q];
        }
        if (s0 === EMPTY && any === 0) continue;
        if (s0 === FULL && all >>> 0 === 0xffffffff) continue;
        const s = s0 < 0 ? this.materialise(b) : s0;
        const base = s * WORDS + lz * WORDS_PER_PLANE;
        for (let q = 0; q < WORDS_PER_PLANE; q++) {
          if (this.pool[base + q] !== words[q]) {
            this.pool[base + q] = words[q];
            changed = true;
          }
        }
        if (compact) this.compactBrick(b);
      }
    }
    if (changed) this.touch();
  }

  /**
   * Copies the slice through `index` along `axis` into `out`. Axial (2) → nx·ny (i fastest); coronal (1) →
   * nx·nz (i fastest, k rows); sagittal (0) → ny·nz (j fastest, k rows).
   */
  readSlice(axis: SliceAxis, index: number, out?: Uint8Array): Uint8Array {
    if (axis === 2) return this.readAxial(index, out);
    const [nx, ny, nz] = this.dimensions;
    const w = axis === 1 ? nx : ny;
    const slice = out ?? new Uint8Array(w * nz);
    slice.fill(0);
    for (let k = 0; k < nz; k++) {
      for (let u = 0; u < w; u++) {
        if (axis === 1 ? this.get(u, index, k) : this.get(index, u, k)) slice[k * w + u] = 1;
      }
    }
    return slice;
  }

  /** One byte per voxel (1 = inside), i fastest. */
  toDense(): Uint8Array {
    const [nx, ny, nz] = this.dimensions;
    const plane = nx * ny;
    const out = new Uint8Array(plane * nz);
    for (let k = 0; k < nz; k++) this.readAxial(k, out.subarray(k * plane, (k + 1) * plane));
    return out;
  }

  /** Calls `visit(i, j, k)` for every voxel inside, in storage order within each brick. */
  forEach(visit: (i: number, j: number, k: number) => void): void {
    const [nx, ny, nz] = this.dimensions;
    const [bx, by] = this.brickDims;
    for (let b = 0; b < this.index.length; b++) {
      const s = this.index[b];
      if (s === EMPTY) continue;
      const i0 = (b % bx) * B;
      const j0 = (Math.floor(b / bx) % by) * B;
      const k0 = Math.floor(b / (bx * by)) * B;
      for (let lz = 0; lz < B && k0 + lz < nz; lz++) {
        for (let ly = 0; ly < B && j0 + ly < ny; ly++) {
          const bits = s === FULL ? 0xffff : (this.pool[s * WORDS + lz * WORDS_PER_PLANE + (ly >> 1)] >>> ((ly & 1) << 4)) & 0xffff;
          if (bits === 0) continue;
          for (let lx = 0; lx < B && i0 + lx < nx; lx++) if ((bits >>> lx) & 1) visit(i0 + lx, j0 + ly, k0 + lz);
        }
      }
    }
  }

  /** Tight inclusive index box of the voxels inside, or null for an empty mask. */
  bounds(): IndexBox | null {
    const min = [Infinity, Infinity, Infinity];
    const max = [-Infinity, -Infinity, -Infinity];
    const [bx, by] = this.brickDims;
    const [nx, ny, nz] = this.dimensions;
    for (let b = 0; b < this.index.length; b++) {
      const s = this.index[b];
      if (s === EMPTY) continue;
      const i0 = (b % bx) * B;
      const j0 = (Math.floor(b / bx) % by) * B;
      const k0 = Math.floor(b / (bx * by)) * B;
      if (s === FULL) {
        const lo = [i0, j0, k0];
        const hi = [Math.min(i0 + B, nx) - 1, Math.min(j0 + B, ny) - 1, Math.min(k0 + B, nz) - 1];
        for (let a = 0; a < 3; a++) {
          min[a] = Math.min(min[a], lo[a]);
          max[a] = Math.max(max[a], hi[a]);
        }
        continue;
      }
      for (let lz = 0; lz < B; lz++) {
        for (let ly = 0; ly < B; ly++) {
          const bits = (this.pool[s * WORDS + lz * WORDS_PER_PLANE + (ly >> 1)] >>> ((ly & 1) << 4)) & 0xffff;
          if (bits === 0) continue;
          const lo = i0 + (31 - Math.clz32(bits & -bits));
          const hi = i0 + (31 - Math.clz32(bits));
          if (lo < min[0]) min[0] = lo;
          if (hi > max[0]) max[0] = hi;
          const j = j0 + ly;
          const k = k0 + lz;
          if (j < min[1]) min[1] = j;
          if (j > max[1]) max[1] = j;
          if (k < min[2]) min[2] = k;
          if (k > max[2]) max[2] = k;
        }
      }
    }
    if (min[0] === Infinity) return null;
    return { min: min as unknown as Vec3, max: max as unknown as Vec3 };
  }

  /** Indices k of the axial slices that contain at least one voxel. */
  axialSlicesWithData(): number[] {
    const b = this.bounds();
    if (!b) return [];
    const out: number[] = [];
    const buf = new Uint8Array(this.dimensions[0] * this.dimensions[1]);
    for (let k = b.min[2]; k <= b.max[2]; k++) if (this.readAxial(k, buf).includes(1)) out.push(k);
    return out;
  }

  /** A deep copy. */
  clone(): BinaryMask {
    const m = new BinaryMask(this.dimensions);
    m.index.set(this.index);
    m.pool = this.pool.slice(0, this.slotsUsed * WORDS);
    m.slotsUsed = this.slotsUsed;
    m.freeSlots = [...this.freeSlots];
    m.cachedCount = this.cachedCount;
    return m;
  }

  /** Voxel-for-voxel equality on the same grid. */
  equals(other: BinaryMask): boolean {
    if (other.dimensions.some((n, a) => n !== this.dimensions[a])) return false;
    for (let b = 0; b < this.index.length; b++) {
      const s = this.index[b];
      const t = other.index[b];
      if (s < 0 && s === t) continue;
      for (let w = 0; w < WORDS; w++) if (this.wordOf(s, w) !== other.wordOf(t, w)) return false;
    }
    return true;
  }

  private wordOf(s: number, w: number): number {
    if (s === EMPTY) return 0;
    if (s === FULL) return 0xffffffff;
    return this.pool[s * WORDS + w];
  }

  private assertSameGrid(other: BinaryMask): void {
    if (other.dimensions.some((n, a) => n !== this.dimensions[a])) {
      throw new RangeError(`masks are on different grids: [${this.dimensions.join('×')}] vs [${other.dimensions.join('×')}]`);
    }
  }

  /**
   * Combines `other` into this mask in place, brick by brick and word by word. Uniform bricks take the
   * short paths (EMPTY ∪ x = x, FULL ∩ x = x …), so operations cost the masks' surfaces.
   */
  combine(other: BinaryMask, op: 'union' | 'intersect' | 'subtract' | 'xor'): this {
    this.assertSameGrid(other);
    let changed = false;
    for (let b = 0; b < this.index.length; b++) {
      const s = this.index[b];
      const t = other.index[b];
      if (op === 'union') {
        if (t === EMPTY || s === FULL) continue;
        if (t === FULL) {
          this.release(b, FULL);
          changed = true;
          continue;
        }
      } else if (op === 'intersect') {
        if (s === EMPTY || t === FULL) continue;
        if (t === EMPTY) {
          this.release(b, EMPTY);
          changed = true;
          continue;
        }
      } else if (op === 'subtract') {
        if (s === EMPTY || t === EMPTY) continue;
        if (t === FULL) {
          this.release(b, EMPTY);
          changed = true;
          continue;
        }
      } else if (t === EMPTY) continue;
      const slot = s < 0 ? this.materialise(b) : s;
      const base = slot * WORDS;
      for (let w = 0; w < WORDS; w++) {
        const a = this.pool[base + w];
        const o = other.wordOf(t, w);
        this.pool[base + w] = op === 'union' ? a | o : op === 'intersect' ? a & o : op === 'subtract' ? a & ~o : a ^ o;
      }
      this.compactBrick(b);
      changed = true;
    }
    if (changed) this.touch();
    return this;
  }

  private clearPadding(b: number): void {
    const s = this.index[b];
    if (s < 0) return;
    const [bx, by] = this.brickDims;
    const [nx, ny, nz] = this.dimensions;
    const iw = Math.min(B, nx - (b % bx) * B);
    const jh = Math.min(B, ny - (Math.floor(b / bx) % by) * B);
    const kd = Math.min(B, nz - Math.floor(b / (bx * by)) * B);
    const rowMask = (1 << iw) - 1;
    for (let lz = 0; lz < B; lz++) {
      for (let ly = 0; ly < B; ly++) {
        const w = s * WORDS + lz * WORDS_PER_PLANE + (ly >> 1);
        const keep = lz < kd && ly < jh ? rowMask : 0;
        const shift = (ly & 1) << 4;
        this.pool[w] = (this.pool[w] & ~(0xffff << shift)) | (this.pool[w] & (keep << shift));
      }
    }
  }

  /**
   * The difference between two states of a mask as a patch: only the bricks that differ, with their
   * contents before and after. An undo step for a brush dab costs a few bricks (≈0.5 kB each), not a copy
   * of the mask.
   */
  static diff(before: BinaryMask, after: BinaryMask): MaskPatch {
    before.assertSameGrid(after);
    const bricks: number[] = [];
    const beforeKind: number[] = [];
    const afterKind: number[] = [];
    const beforeWords: Uint32Array[] = [];
    const afterWords: Uint32Array[] = [];
    for (let b = 0; b < before.index.length; b++) {
      const s = before.index[b];
      const t = after.index[b];
      if (s < 0 && s === t) continue;
      let same = true;
      for (let w = 0; w < WORDS && same; w++) same = before.wordOf(s, w) === after.wordOf(t, w);
      if (same) continue;
      bricks.push(b);
      beforeKind.push(s === EMPTY ? 0 : s === FULL ? 1 : 2);
      afterKind.push(t === EMPTY ? 0 : t === FULL ? 1 : 2);
      if (s >= 0) beforeWords.push(before.pool.slice(s * WORDS, (s + 1) * WORDS));
      if (t >= 0) afterWords.push(after.pool.slice(t * WORDS, (t + 1) * WORDS));
    }
    const pack = (parts: Uint32Array[]) => {
      const out = new Uint32Array(parts.length * WORDS);
      parts.forEach((p, n) => out.set(p, n * WORDS));
      return out;
    };
    return {
      dimensions: [...before.dimensions] as unknown as Vec3,
      bricks: Int32Array.from(bricks),
      beforeKind: Uint8Array.from(beforeKind),
      afterKind: Uint8Array.from(afterKind),
      beforeWords: pack(beforeWords),
      afterWords: pack(afterWords),
    };
  }

  /** Sets the bricks of a patch to their 'before' (undo) or 'after' (redo) contents. */
  applyPatch(patch: MaskPatch, side: 'before' | 'after'): void {
    if (patch.dimensions.some((n, a) => n !== this.dimensions[a])) throw new RangeError('patch is for a different grid');
    const kinds = side === 'before' ? patch.beforeKind : patch.afterKind;
    const words = side === 'before' ? patch.beforeWords : patch.afterWords;
    let w = 0;
    for (let n = 0; n < patch.bricks.length; n++) {
      const b = patch.bricks[n];
      if (kinds[n] === 0) this.release(b, EMPTY);
      else if (kinds[n] === 1) this.release(b, FULL);
      else {
        const s = this.index[b] >= 0 ? this.index[b] : this.materialise(b);
        this.pool.set(words.subarray(w * WORDS, (w + 1) * WORDS), s * WORDS);
        w++;
      }
    }
    if (patch.bricks.length) this.touch();
  }

  /** The storage as plain typed arrays (for persistence: structured-clone and IndexedDB friendly). */
  serialize(): SerializedMask {
    this.compact();
    return { dimensions: [...this.dimensions] as unknown as Vec3, index: this.index.slice(), pool: this.pool.slice(0, this.slotsUsed * WORDS) };
  }

  /** Rebuilds a mask from `serialize()` output, validating it so a corrupt record cannot crash a session. */
  static deserialize(data: SerializedMask): BinaryMask {
    const m = new BinaryMask(data.dimensions);
    if (!(data.index instanceof Int32Array) || data.index.length !== m.index.length) throw new RangeError('serialized mask has a brick index of the wrong size');
    if (!(data.pool instanceof Uint32Array) || data.pool.length % WORDS !== 0) throw new RangeError('serialized mask has a malformed brick pool');
    const slots = data.pool.length / WORDS;
    for (let b = 0; b < data.index.length; b++) {
      const s = data.index[b];
      if (s !== EMPTY && s !== FULL && !(s >= 0 && s < slots)) throw new RangeError(`serialized mask brick ${b} points to slot ${s} of ${slots}`);
    }
    m.index.set(data.index);
    m.pool = data.pool.slice();
    m.slotsUsed = slots;
    m.cachedCount = undefined;
    return m;
  }

  /** Sets every voxel inside (true) or outside (false). */
  fill(value: boolean): void {
    for (let b = 0; b < this.index.length; b++) {
      if (!value) this.release(b, EMPTY);
      else if (this.isInterior(b)) this.release(b, FULL);
      else {
        const s = this.index[b] >= 0 ? this.index[b] : this.materialise(b);
        this.pool.fill(0xffffffff, s * WORDS, (s + 1) * WORDS);
        this.clearPadding(b);
      }
    }
    this.compact();
    this.touch();
  }
}
