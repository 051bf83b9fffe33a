// The rule-based lungs (ct-external-lungs-bones) against reference lungs, and their speed:
// 1. NSCLC Lung1-001 (../shared/data, the one chest CT here with clinical lung contours) against its clinical
//    "Lung L" / "Lung R" (our RTSTRUCT import), as is, and with the clinical GTV passed as the exclusion;
// 2. the same CT with disease painted into the right lung (semi-synthetic: the clinical contour stays the
//    truth): a collapsed middle lobe — a 27 mm tall sheet sloping down anteriorly, 35 ± 15 HU, between aerated
//    lung above and below — and a collapsed upper lobe against the mediastinum — the medial 22 mm of the upper
//    right lung airless, with a 25 mm tumour at the hilum that the truth leaves out;
// 3. the phantom, plain and with its collapsed middle lobe and hilar GTV (exact truth);
// 4. TotalSegmentator's example abdomen, whose top slices hold the lung bases, against TotalSegmentator's lobes
//    (model output, not clinical contours: a second patient and scanner, not a reference standard);
// 5. speed: computeBodyMasks on the NSCLC CT (512 × 512 × 134), median wall and CPU time of 5 runs after one,
//    with the time of one plain threshold pass over the same voxels and the load average, to read them by.
// `RULES_MODULE=<file exporting computeBodyMasks> npm run bench -- rules-lungs` measures another version of the
// rules on the same cases (docs/rules.md: the "before" column); `RULES_OPTIONS='{"bridgeMm":0}'` runs every case
// with those rule options (the trade-off table).
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import {
  computeBodyMasks as currentRules,
  dice,
  generatePhantom,
  importRtstruct,
  loadDicomDirectory,
  loadImageFile,
  Volume,
  type BodyMasks,
  type BodyRuleOptions,
} from '../src/node.ts';
import { median, report } from './util.ts';

type Rules = (ct: Volume, options?: BodyRuleOptions) => BodyMasks;
const module: Rules = process.env.RULES_MODULE ? (await import(resolve(process.env.RULES_MODULE))).computeBodyMasks : currentRules;
const common: BodyRuleOptions = JSON.parse(process.env.RULES_OPTIONS ?? '{}');
const rules: Rules = (ct, options) => module(ct, { ...common, ...options });
const DATA = join(import.meta.dirname, '../../shared/data');
const STUDY = join(DATA, 'nsclc-lung1-001/dicom');

interface Case {
  readonly ct: Volume;
  readonly lungL: Uint8Array;
  readonly lungR: Uint8Array;
  readonly gtv?: Uint8Array;
  readonly options?: BodyRuleOptions;
}

const count = (a: Uint8Array): number => a.reduce((s, v) => s + v, 0);
function score(c: Case): Record<string, number> {
  const m = rules(c.ct, c.options);
  const cc = (c.ct.spacing[0] * c.ct.spacing[1] * c.ct.spacing[2]) / 1000;
  const out: Record<string, number> = {};
  for (const [name, got, want] of [['Lung_L', m.lungL, c.lungL], ['Lung_R', m.lungR, c.lungR]] as const) {
    let extra = 0;
    let missed = 0;
    for (let o = 0; o < got.length; o++) {
      if (got[o] && !want[o]) extra++;
      else if (want[o] && !got[o]) missed++;
    }
    out[`${name}Dice`] = +dice(got, want).toFixed(4);
    out[`${name}ExtraCc`] = +(extra * cc).toFixed(1);
    out[`${name}MissedCc`] = +(missed * cc).toFixed(1);
  }
  if (c.gtv) {
    let inside = 0;
    for (let o = 0; o < c.gtv.length; o++) if (c.gtv[o] && (m.lungL[o] || m.lungR[o])) inside++;
    out.gtvInLungsCc = +(inside * cc).toFixed(1);
  }
  return out;
}

/** A copy of the CT with `where` painted as airless lung (35 ± 15 HU, seeded). */
function paint(ct: Volume, where: Uint8Array, seed: number): Volume {
  const data = Int16Array.from(ct.data);
  let s = seed >>> 0;
  const noise = () => {
    // Sum of four uniforms: close enough to a normal deviate for CT noise (σ = 15 HU).
    let t = 0;
    for (let r = 0; r < 4; r++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      t += s / 4294967296 - 0.5;
    }
    return t * 15 * Math.sqrt(3);
  };
  for (let o = 0; o < data.length; o++) if (where[o]) data[o] = Math.round(35 + noise());
  return new Volume({ dimensions: ct.dimensions, spacing: ct.spacing, origin: ct.origin, direction: ct.direction, data, modality: 'CT' });
}

/** Centroid (index units) of a mask on an axis-aligned grid. */
function centroid(mask: Uint8Array, [nx, ny]: readonly number[]): [number, number, number] {
  let n = 0;
  const sum = [0, 0, 0];
  for (let o = 0; o < mask.length; o++) {
    if (!mask[o]) continue;
    n++;
    sum[0] += o % nx;
    sum[1] += Math.floor(o / nx) % ny;
    sum[2] += Math.floor(o / (nx * ny));
  }
  return [sum[0] / n, sum[1] / n, sum[2] / n];
}

const figures: Record<string, unknown> = { rules: process.env.RULES_MODULE ?? 'src (current)', options: common };

// 1. NSCLC as is.
const loaded = await loadDicomDirectory(STUDY);
if (loaded.kind !== 'volume') throw new Error('NSCLC did not load as one volume');
const ct = loaded.volume;
if (ct.direction.some((v, i) => v !== [1, 0, 0, 0, 1, 0, 0, 0, 1][i])) throw new Error('the painted cases assume an axial grid');
const clinical = importRtstruct(await readFile(join(STUDY, '2.dcm')), ct);
const roi = (name: string) => clinical.structures.find((s) => s.name === name)!.mask.toDense();
const nsclc: Case = { ct, lungL: roi('Lung L'), lungR: roi('Lung R'), gtv: roi('GTV-1') };
figures.nsclc = score(nsclc);
figures.nsclcGtvExcluded = score({ ...nsclc, options: { exclude: nsclc.gtv } });

// 2. Painted disease in the right lung (patient right = low i on this grid).
const [nx, ny, nz] = ct.dimensions;
const [sx, sy, sz] = ct.spacing;
const [, cy, cz] = centroid(nsclc.lungR, ct.dimensions);
const sheet = new Uint8Array(nsclc.lungR.length);
for (let k = 0, o = 0; k < nz; k++) {
  for (let j = 0; j < ny; j++) {
    // Mid-plane 15 mm below the lung's centroid at its centre, rising 0.25 mm per mm posteriorly; anterior of
    // 10 mm behind the centroid.
    const dy = (j - cy) * sy;
    const dz = (k - cz) * sz + 15 - 0.25 * dy;
    for (let i = 0; i < nx; i++, o++) sheet[o] = nsclc.lungR[o] && dy < 10 && Math.abs(dz) <= 13.5 ? 1 : 0;
  }
}
figures.nsclcCollapsedMiddleLobe = { paintedCc: +((count(sheet) * sx * sy * sz) / 1000).toFixed(1), ...score({ ...nsclc, ct: paint(ct, sheet, 1) }) };

const band = new Uint8Array(nsclc.lungR.length);
const tumour = new Uint8Array(nsclc.lungR.length);
let hilum: [number, number, number] | null = null;
for (let k = 0; k < nz; k++) {
  const dz = (k - cz) * sz;
  if (dz < 0 || dz > 90) continue; // the upper lung, from the centroid up 90 mm
  for (let j = 0; j < ny; j++) {
    const row = (k * ny + j) * nx;
    let medial = -1;
    for (let i = 0; i < nx; i++) if (nsclc.lungR[row + i]) medial = i;
    if (medial < 0) continue;
    for (let i = 0; i < nx; i++) if (nsclc.lungR[row + i] && (medial - i) * sx <= 22) band[row + i] = 1;
    if (dz >= 30 && !hilum) hilum = [medial - 18 / sx, j, k];
  }
}
if (hilum) {
  // The tumour: 25 mm radius, centred 18 mm lateral of the lung's medial edge 30 mm above the centroid, at the
  // middle of that slice's lung in y.
  const k0 = hilum[2];
  let ys = 0;
  let yn = 0;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      if (band[(k0 * ny + j) * nx + i]) {
        ys += j;
        yn++;
      }
    }
  }
  const j0 = ys / yn;
  let i0 = 0;
  for (let i = 0; i < nx; i++) if (band[(k0 * ny + Math.round(j0)) * nx + i]) i0 = i;
  i0 -= 18 / sx;
  for (let k = 0, o = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, o++) tumour[o] = ((i - i0) * sx) ** 2 + ((j - j0) * sy) ** 2 + ((k - k0) * sz) ** 2 <= 25 ** 2 ? 1 : 0;
    }
  }
}
const medialDisease = new Uint8Array(band.length);
const truthR = new Uint8Array(band.length);
for (let o = 0; o < band.length; o++) {
  medialDisease[o] = band[o] | tumour[o];
  truthR[o] = nsclc.lungR[o] && !tumour[o] ? 1 : 0;
}
const upper: Case = { ...nsclc, ct: paint(ct, medialDisease, 2), lungR: truthR, gtv: tumour };
figures.nsclcCollapsedUpperLobeMedial = { paintedCc: +((count(band) * sx * sy * sz) / 1000).toFixed(1), ...score(upper) };
figures.nsclcCollapsedUpperLobeMedialGtvExcluded = score({ ...upper, options: { exclude: tumour } });

// 3. The phantom.
for (const [name, collapsedLobe] of [['phantom', false], ['phantomCollapsedLobe', true]] as const) {
  const ph = generatePhantom({ collapsedLobe });
  const s = (n: string) => ph.structures.find((x) => x.name === n)!.mask.toDense();
  figures[name] = score({ ct: ph.volume, lungL: s('Lung_L'), lungR: s('Lung_R'), gtv: s('GTV') });
}

// 4. TotalSegmentator's lung bases (labels 10–11 left lobes, 12–14 right lobes).
const ts = join(DATA, 'totalsegmentator-example');
const tsCt = await loadImageFile(join(ts, 'example_ct_sm.nii.gz'), { modality: 'CT' });
const tsSeg = await loadImageFile(join(ts, 'example_seg.nii.gz'), { modality: 'SEG' });
figures.totalSegmentatorBases = score({
  ct: tsCt,
  lungL: Uint8Array.from(tsSeg.data, (v) => (v === 10 || v === 11 ? 1 : 0)),
  lungR: Uint8Array.from(tsSeg.data, (v) => (v >= 12 && v <= 14 ? 1 : 0)),
});

// 5. Speed on the NSCLC grid.
// The machine's speed and load at the time, to read the figures by: one threshold pass over the CT's voxels.
const reference: number[] = [];
const scratch = new Uint8Array(ct.data.length);
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let o = 0; o < scratch.length; o++) scratch[o] = ct.data[o] > -300 ? 1 : 0;
  reference.push(performance.now() - t0);
}
rules(ct);
const wall: number[] = [];
const cpu: number[] = [];
for (let r = 0; r < 5; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  rules(ct);
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
figures.speedNsclc512x512x134 = {
  medianWallMs: Math.round(median(wall)),
  medianCpuMs: Math.round(median(cpu)),
  wallMs: wall.map(Math.round),
  target: 'medianWallMs <= 3000',
  referencePassMedianMs: Math.round(median(reference)),
  loadAverage1min: +loadavg()[0].toFixed(2),
  cpus: cpus().length,
};
report('rules-lungs', figures);
