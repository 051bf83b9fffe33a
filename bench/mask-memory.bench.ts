// Mask memory budget (foundation issue): 40 structures on a 512×512×200 CT must fit in 150 MB beyond the
// CT. Builds a realistic structure set — body outline and a body ring, lungs, heart, nested GTV/CTV/PTV,
// and 30 OAR-sized organs — and reports the bytes the masks hold, measured two ways: the masks' own
// accounting and the growth of the process's ArrayBuffer memory.
import { BinaryMask, type Vec3 } from '../src/node.ts';
import { gc, report, time } from './util.ts';

const dims: Vec3 = [512, 512, 200];
const [nx, ny, nz] = dims;

/** An ellipsoid (or, with rz = Infinity, an elliptic cylinder) written slice by slice as row spans. */
function ellipsoid(c: Vec3, r: Vec3, hollowScale = 0): BinaryMask {
  const m = new BinaryMask(dims);
  const slice = new Uint8Array(nx * ny);
  const k0 = Math.max(0, Math.ceil(c[2] - r[2]));
  const k1 = Math.min(nz - 1, Math.floor(c[2] + r[2]));
  for (let k = k0; k <= k1; k++) {
    slice.fill(0);
    const fz = Number.isFinite(r[2]) ? 1 - ((k - c[2]) / r[2]) ** 2 : 1;
    for (let j = 0; j < ny; j++) {
      const f = fz - ((j - c[1]) / r[1]) ** 2;
      if (f < 0) continue;
      const half = r[0] * Math.sqrt(f);
      const inner = hollowScale > 0 ? hollowScale * r[0] * Math.sqrt(Math.max(0, fz - ((j - c[1]) / (hollowScale * r[1])) ** 2)) : -1;
      for (let i = Math.max(0, Math.ceil(c[0] - half)); i <= Math.min(nx - 1, Math.floor(c[0] + half)); i++) {
        if (inner >= 0 && Math.abs(i - c[0]) < inner) continue;
        slice[i + nx * j] = 1;
      }
    }
    m.writeAxial(k, slice, false);
  }
  m.compact();
  return m;
}

gc();
const before = process.memoryUsage().arrayBuffers;
const ctBytes = nx * ny * nz * 2; // the CT itself, int16
const built = time(() => {
  const masks: BinaryMask[] = [];
  masks.push(ellipsoid([256, 256, 100], [230, 170, Infinity])); // External
  masks.push(ellipsoid([256, 256, 100], [230, 170, Infinity], 0.985)); // a 3 mm skin ring (hollow)
  masks.push(ellipsoid([180, 240, 100], [70, 90, 80]), ellipsoid([332, 240, 100], [70, 90, 80])); // lungs
  masks.push(ellipsoid([280, 200, 90], [55, 45, 50])); // heart
  for (const r of [15, 25, 35]) masks.push(ellipsoid([200, 230, 110], [r, r, r * 0.4])); // GTV/CTV/PTV
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  while (masks.length < 40) {
    const r: Vec3 = [5 + 20 * rnd(), 5 + 20 * rnd(), 2 + 10 * rnd()];
    masks.push(ellipsoid([60 + 390 * rnd(), 120 + 270 * rnd(), 20 + 160 * rnd()], r));
  }
  return masks;
});
gc();
const after = process.memoryUsage().arrayBuffers;
const masks = built.value;
const ownBytes = masks.reduce((a, m) => a + m.memoryBytes(), 0);
const MB = 1024 * 1024;
report('mask-memory', {
  grid: dims.join('x'),
  structures: masks.length,
  maskBytesMB: +(ownBytes / MB).toFixed(2),
  arrayBufferGrowthMB: +((after - before) / MB).toFixed(2),
  budgetMB: 150,
  ctMB: +(ctBytes / MB).toFixed(1),
  externalMaskMB: +(masks[0].memoryBytes() / MB).toFixed(3),
  denseBitmapPerStructureMB: +((nx * ny * nz) / 8 / MB).toFixed(2),
  buildSeconds: +(built.ms / 1000).toFixed(2),
});
