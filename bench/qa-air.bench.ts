// The contour-in-air QA check on real data, without an External: every OpenKBP validation patient (33 head-and-
// neck CTs with their clinical organs and PTVs) and NSCLC Lung1-001 with its clinical structures — which
// structures it reports, and how long the checks take with the CT and without it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BinaryMask, StructureSetStore, importRtstruct, loadDicomDirectory, qaFindings, readVolumeNifti } from '../src/node.ts';
import { median, report } from './util.ts';

const DATA = join(import.meta.dirname, '../../shared/data');
const D = join(DATA, 'openkbp/validation');
const index = JSON.parse(await readFile(join(D, 'index.json'), 'utf8')) as { labels: Record<'oar' | 'ptv', Record<string, string>>; patients: Record<string, unknown> };
const openkbp: Record<string, string[]> = {};
let structures = 0;
for (const pt of Object.keys(index.patients)) {
  const ct = await readVolumeNifti(join(D, pt, 'ct.nii.gz'));
  const store = new StructureSetStore(ct.geometry);
  for (const kind of ['oar', 'ptv'] as const) {
    const labels = await readVolumeNifti(join(D, pt, `${kind}.nii.gz`));
    for (const [value, name] of Object.entries(index.labels[kind])) {
      const dense = Uint8Array.from(labels.data, (v) => (v === Number(value) ? 1 : 0));
      if (!dense.includes(1)) continue;
      store.add({ name, interpretedType: kind === 'ptv' ? 'PTV' : 'ORGAN', mask: BinaryMask.fromDense(ct.dimensions, dense) });
      structures++;
    }
  }
  const found = qaFindings(store, ct).filter((f) => f.kind === 'in-air');
  if (found.length) openkbp[pt] = found.map((f) => f.message);
}

const STUDY = join(DATA, 'nsclc-lung1-001/dicom');
const loaded = await loadDicomDirectory(STUDY);
if (loaded.kind !== 'volume') throw new Error('NSCLC did not load as one volume');
const ct = loaded.volume;
const store = new StructureSetStore(ct.geometry);
store.load(importRtstruct(await readFile(join(STUDY, '2.dcm')), ct).structures.filter((s) => s.name !== 'Patient'));
const first = performance.now();
const nsclc = qaFindings(store, ct).filter((f) => f.kind === 'in-air').map((f) => f.message);
const firstMs = performance.now() - first;
const withCt: number[] = [];
const gridOnly: number[] = [];
for (let r = 0; r < 3; r++) {
  let t0 = performance.now();
  qaFindings(store, ct);
  withCt.push(performance.now() - t0);
  t0 = performance.now();
  qaFindings(store, ct.geometry);
  gridOnly.push(performance.now() - t0);
}
report('qa-air', {
  openkbpValidation: { patients: Object.keys(index.patients).length, structures, inAirFindings: openkbp },
  nsclcWithoutExternal: { structures: store.state.structures.length, inAirFindings: nsclc },
  nsclcQaMs: { firstWithCt: Math.round(firstMs), medianWithCt: Math.round(median(withCt)), medianGridOnly: Math.round(median(gridOnly)) },
});
