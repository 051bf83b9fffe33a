/**
 * Checks the exported network against PyTorch: feeds the parity fixture that export_onnx.py wrote (real CT
 * tiles of a validation patient and PyTorch's logits for them) through onnxruntime-node, via the engine's own
 * ONNX bridge (so the manifest's SHA-256, sizes and input/output names are checked on the way), and reports the
 * largest absolute logit difference. Exits 1 above the tolerance (default 1e-3).
 *
 *   npx tsx models/training/verify_onnx.ts [--model hn-oar] [--parity .training-data/parity] [--tol 1e-3]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadNodeNetwork, readManifest } from '../../src/node.ts';

const { values } = parseArgs({
  options: { model: { type: 'string', default: 'hn-oar' }, parity: { type: 'string', default: '.training-data/parity' }, tol: { type: 'string', default: '1e-3' } },
});
const meta = JSON.parse(await readFile(join(values.parity!, 'meta.json'), 'utf8')) as { input_dims: number[]; output_dims: number[] };
const f32 = async (name: string) => {
  const b = await readFile(join(values.parity!, name));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4).slice();
};
const input = await f32('input.f32');
const expected = await f32('torch_logits.f32');
const { manifest, dir } = await readManifest(values.model!);
const net = await loadNodeNetwork(manifest, dir, 2);
const got = await net.runner.run(input, meta.input_dims);
await net.release();
let worst = 0;
let argmaxAgree = 0;
// [batch, classes, ...spatial]: 2D tiles (hn-oar 0.2, the target proposal) or 3D patches (hn-oar ≥ 0.3).
const [b, c, ...spatial] = meta.output_dims;
const plane = spatial.reduce((x, y) => x * y, 1);
for (let o = 0; o < got.length; o++) worst = Math.max(worst, Math.abs(got[o] - expected[o]));
for (let n = 0; n < b; n++) {
  for (let p = 0; p < plane; p++) {
    let ia = 0;
    let ib = 0;
    for (let k = 1; k < c; k++) {
      if (got[(n * c + k) * plane + p] > got[(n * c + ia) * plane + p]) ia = k;
      if (expected[(n * c + k) * plane + p] > expected[(n * c + ib) * plane + p]) ib = k;
    }
    if (ia === ib) argmaxAgree++;
  }
}
console.log(`ONNX Runtime (node, cpu) vs PyTorch on ${meta.input_dims.join('×')} real CT tiles: max |Δlogit| = ${worst.toExponential(2)}, argmax agreement ${((100 * argmaxAgree) / (b * plane)).toFixed(4)} %`);
process.exit(worst <= Number(values.tol) ? 0 : 1);
