/**
 * Evaluates the rule-based External / Lung_L / Lung_R against the clinical "Patient", "Lung L" and "Lung R"
 * contours of the NSCLC Lung1-001 study (../shared/data/nsclc-lung1-001), rasterised on the CT grid by
 * plastimatch (an independent tool; run once):
 *
 *   mkdir -p .training-data/nsclc && cd .training-data/nsclc && \
 *   plastimatch convert --input <study>/dicom/2.dcm --referenced-ct <dir with the 134 CT files> \
 *     --output-prefix rs --prefix-format nii.gz
 *
 *   npx tsx models/training/evaluate-rules.ts [--study ../shared/data/nsclc-lung1-001/dicom] [--masks .training-data/nsclc/rs]
 *
 * Prints Dice and HD95 per structure and the wall time of the rules; exits 1 below the targets
 * (External ≥ 0.98, each lung ≥ 0.95).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sameGrid, type Volume, resampleVolume, computeBodyMasks, dice, hd95, loadDicomDirectory, readVolumeNifti } from '../../src/node.ts';

const { values } = parseArgs({
  options: {
    study: { type: 'string', default: '../shared/data/nsclc-lung1-001/dicom' },
    masks: { type: 'string', default: '.training-data/nsclc/rs' },
  },
});

const loaded = await loadDicomDirectory(values.study!);
if (loaded.kind !== 'volume') throw new Error('the study has several image series');
const ct = loaded.volume;
console.log(`CT ${ct.dimensions.join('×')} at ${ct.spacing.map((s) => s.toFixed(3)).join('×')} mm`);
const t0 = performance.now();
const m = computeBodyMasks(ct);
const ms = performance.now() - t0;

async function reference(name: string): Promise<Uint8Array> {
  let v: Volume = await readVolumeNifti(join(values.masks!, `${name}.nii.gz`), 'MASK');
  // plastimatch writes the mask on the referenced CT's grid; resample (nearest) only if it did not.
  if (!sameGrid(v.geometry, ct.geometry, 0.01)) v = resampleVolume(v, ct.geometry, { interpolation: 'nearest', fill: 0 });
  return Uint8Array.from(v.data, (x) => (x ? 1 : 0));
}

const rows: [string, string, Uint8Array, number][] = [
  ['External', 'Patient', m.external, 0.98],
  ['Lung_L', 'Lung L', m.lungL, 0.95],
  ['Lung_R', 'Lung R', m.lungR, 0.95],
];
let ok = true;
for (const [ours, theirs, mask, target] of rows) {
  const ref = await reference(theirs);
  const d = dice(mask, ref);
  const h = hd95(mask, ref, ct.dimensions, ct.spacing);
  ok &&= d >= target;
  console.log(`${ours.padEnd(9)} vs "${theirs}": Dice ${d.toFixed(4)} (target ≥ ${target}), HD95 ${h.toFixed(2)} mm`);
}
let bones = 0;
for (const v of m.bones) bones += v;
console.log(`Bones: ${((bones * ct.spacing[0] * ct.spacing[1] * ct.spacing[2]) / 1000).toFixed(0)} cc (no clinical reference)`);
console.log(`rules wall time ${(ms / 1000).toFixed(2)} s`);
process.exit(ok ? 0 : 1);
