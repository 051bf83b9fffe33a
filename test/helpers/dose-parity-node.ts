/**
 * Node side of the dose engine's browser-vs-Node test (src/inference/dose.browser.test.ts): predicts the dose of
 * the synthetic case (dose-case.ts) with the tiny-dose fixture through onnxruntime-node and writes the dose
 * (Float32, Gy) under test/.out/dose/ where the test runner's dev server serves it. Run by the
 * `delineo-node-dose` server command (scripts/wtr-node-commands.js):
 *
 *   node --import tsx test/helpers/dose-parity-node.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { predictDoseNode } from '../../src/inference/dose-node.ts';
import { doseCase } from './dose-case.ts';

const r = await predictDoseNode(doseCase(), join('test', 'fixtures', 'models', 'tiny-dose', 'manifest.json'), { threads: 2 });
const out = join('test', '.out', 'dose');
await mkdir(out, { recursive: true });
await writeFile(join(out, 'tiny-dose.node.f32'), r.dose.data as Float32Array);
console.log(JSON.stringify({ dimensions: r.dose.dimensions, origin: r.dose.origin, label: r.label }));
