/**
 * Dose prediction in Node (the `delineo predict-dose` CLI, evaluation scripts, tests): the model is read from
 * the package's models/<id>/ folder (or a manifest path) and runs with onnxruntime-node on the CPU, through the
 * same engine as the browser worker (dose-prediction.ts). Node-only: exported from src/node.ts.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import type { JobOptions } from '../jobs/job.ts';
import { validateDoseManifest, type DoseModelManifest } from './dose-manifest.ts';
import { createDoseOrtNetwork } from './dose-network.ts';
import { predictDoseWithNetwork, type DosePredictionRequest, type DosePredictionResult } from './dose-prediction.ts';
import { InferenceError } from './errors.ts';
import type { OrtModule, OrtNetwork } from './ort-runner.ts';
import { MODELS_DIR, readManifestJson } from './segment-node.ts';

/** Reads and validates a dose model's manifest: models/<id>/manifest.json or a manifest path. */
export async function readDoseManifest(idOrPath: string, modelsDir = MODELS_DIR): Promise<{ manifest: DoseModelManifest; dir: string }> {
  const { json, path } = await readManifestJson(idOrPath, modelsDir);
  return { manifest: validateDoseManifest(json, path), dir: dirname(path) };
}

/** Starts a dose model's network with onnxruntime-node (bytes verified, session checked against the manifest). */
export async function loadDoseNodeNetwork(manifest: DoseModelManifest, dir: string, threads = 2): Promise<OrtNetwork> {
  const file = join(dir, manifest.dose.model.file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    throw new InferenceError('corrupt-model', `the model file cannot be read (${(e as Error).message})`, { file, cause: e });
  }
  return createDoseOrtNetwork(ortNode as unknown as OrtModule, bytes, manifest, { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 });
}

/**
 * Predicts the dose of a CT and its structures with a dose model ('hn-dose' by default, or a manifest path) in
 * Node. See predictDoseWithNetwork for the errors; 'unknown-model' / 'corrupt-model' for a model that is absent
 * or damaged.
 */
export async function predictDoseNode(req: DosePredictionRequest, model = 'hn-dose', options: JobOptions & { threads?: number; modelsDir?: string } = {}): Promise<DosePredictionResult> {
  const { manifest, dir } = await readDoseManifest(model, options.modelsDir);
  const net = await loadDoseNodeNetwork(manifest, dir, options.threads ?? 2);
  try {
    return await predictDoseWithNetwork(req, manifest, net.runner, options);
  } finally {
    await net.release();
  }
}
