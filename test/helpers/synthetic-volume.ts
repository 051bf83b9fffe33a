/**
 * Small synthetic CTs for browser tests whose expected pixels can be worked out by hand. Kept separate from
 * the phantom generator on purpose: a rendering test needs exact, trivially checkable values, not anatomy.
 */
import { IDENTITY, Volume, type Mat3, type SeriesIdentity, type Vec3 } from '../../src/index.ts';

/** One region of constant HU, given as a predicate over the voxel centre's patient position (LPS, mm). */
export interface Region {
  readonly hu: number;
  /** Slices (k) the region is present on; all when omitted. */
  readonly slices?: readonly number[];
  readonly contains: (p: Vec3) => boolean;
}

export interface SyntheticVolumeInit {
  readonly dimensions: Vec3;
  readonly spacing: Vec3;
  readonly origin: Vec3;
  readonly direction?: Mat3;
  readonly backgroundHu?: number;
  /** Painted in order: later regions overwrite earlier ones. */
  readonly regions: readonly Region[];
  readonly name?: string;
  /** Defaults to a fixed Series Instance UID and nothing else. */
  readonly identity?: SeriesIdentity;
}

/** Builds an Int16 HU volume by evaluating each region at every voxel centre. */
export function syntheticVolume(init: SyntheticVolumeInit): Volume {
  const [nx, ny, nz] = init.dimensions;
  const data = new Int16Array(nx * ny * nz).fill(init.backgroundHu ?? -1000);
  const volume = new Volume({
    dimensions: init.dimensions,
    spacing: init.spacing,
    origin: init.origin,
    direction: init.direction ?? IDENTITY,
    data,
    modality: 'CT',
    name: init.name ?? 'synthetic',
    identity: init.identity ?? { seriesInstanceUid: '2.25.1234567890' },
  });
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const p = volume.indexToPatient([i, j, k]);
        for (const r of init.regions) if ((!r.slices || r.slices.includes(k)) && r.contains(p)) data[volume.offset(i, j, k)] = r.hu;
      }
    }
  }
  return volume;
}

/**
 * The test volume of the slice-renderer tests: 64 × 64 × 9 voxels of 2 × 2 × 3 mm centred on x = y = 0
 * (so the axial field is 128 mm square), air (−1000 HU) with a 30 mm-radius disc of 1000 HU on every
 * slice, and on slice 6 only two 10 mm markers: 1000 HU on the patient's left (x = +45 mm) and 500 HU
 * anterior (y = −45 mm). The markers are what an orientation mistake would move.
 */
export function discVolume(identity?: SeriesIdentity): Volume {
  return syntheticVolume({
    identity,
    dimensions: [64, 64, 9],
    spacing: [2, 2, 3],
    origin: [-63, -63, -12],
    regions: [
      { hu: 1000, contains: ([x, y]) => Math.hypot(x, y) <= 30 },
      { hu: 1000, slices: [6], contains: ([x, y]) => Math.abs(x - 45) <= 5 && Math.abs(y) <= 5 },
      { hu: 500, slices: [6], contains: ([x, y]) => Math.abs(x) <= 5 && Math.abs(y + 45) <= 5 },
    ],
    name: 'disc',
  });
}
