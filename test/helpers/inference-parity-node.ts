/**
 * Node side of the browser-vs-Node parity test (src/inference/segment.browser.test.ts): segments one OpenKBP
 * validation CT with the Node path (onnxruntime-node) and writes, under test/.out/parity/ where the test
 * runner's dev server serves them, the CT voxels (Int16 HU), its geometry and the Node label map, so the
 * browser segments exactly the same voxels and compares labels. Run by the `delineo-node-segment` server
 * command (scripts/wtr-node-commands.js):
 *
 *   node --import tsx test/helpers/inference-parity-node.ts <patient> <model> <tta: 0|1>
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { segmentNode } from '../../src/inference/segment-node.ts';
import { readVolumeNifti } from '../../src/io/itk/nifti.ts';

const [patient, model = 'hn-oar', tta = '0'] = process.argv.slice(2);
if (!/^pt_\d+$/.test(patient ?? '')) throw new Error(`usage: inference-parity-node.ts pt_N [model] [tta]`);
const ct = await readVolumeNifti(join('..', 'shared', 'data', 'openkbp', 'validation', patient, 'ct.nii.gz'), 'CT');
const t0 = performance.now();
const r = await segmentNode(ct, model, { threads: 2, tta: tta === '1' });
const ms = performance.now() - t0;
const out = join('test', '.out', 'parity');
await mkdir(out, { recursive: true });
await writeFile(join(out, `${patient}.ct.i16`), Int16Array.from(ct.data));
await writeFile(join(out, `${patient}.${model}.node-labels.u8`), r.labels);
const meta = { dimensions: ct.dimensions, spacing: ct.spacing, origin: ct.origin, direction: ct.direction, nodeMs: ms, provider: r.provider };
await writeFile(join(out, `${patient}.json`), JSON.stringify(meta));
console.log(JSON.stringify(meta));
