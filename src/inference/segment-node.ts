/**
 * Auto-segmentation in Node (the `delineo segment` CLI, the evaluation script, tests): models are read from
 * the repository's models/<id>/ folders and run with onnxruntime-node on the CPU (its native binary ships in
 * the npm package). Rule-based models run in-process. Node-only (fs, onnxruntime-node): not exported from
 * src/index.ts.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import type { Volume } from '../domain/volume.ts';
import { segmentWithNetwork, type SegmentationResult, type SegmentOptions } from './engine.ts';
import { packageRoot } from '../io/package-root.ts';
import { InferenceError } from './errors.ts';
import { validateManifest, type ModelManifest } from './manifest.ts';
import { createOrtNetwork, type OrtModule, type OrtNetwork } from './ort-runner.ts';
import { RULE_MODELS, runRuleModel } from './rules/index.ts';

/** The package's models/ folder, at the root of a checkout and of the installed npm package. */
export const MODELS_DIR = join(packageRoot(import.meta.url), 'models');

/** Reads and validates models/<id>/manifest.json (or a manifest path); 'unknown-model' when absent. */
export async function readManifest(idOrPath: string, modelsDir = MODELS_DIR): Promise<{ manifest: ModelManifest; dir: string }> {
  const rule = RULE_MODELS.find((m) => m.id === idOrPath);
  if (rule) return { manifest: rule, dir: '' };
  const { json, path } = await readManifestJson(idOrPath, modelsDir);
  return { manifest: validateManifest(json, path), dir: dirname(path) };
}

/**
 * The parsed JSON of models/<id>/manifest.json (or of a manifest path) and its path, not yet validated (each
 * model kind has its validator); 'unknown-model' when absent or not JSON.
 */
export async function readManifestJson(idOrPath: string, modelsDir = MODELS_DIR): Promise<{ json: unknown; path: string }> {
  const path = idOrPath.endsWith('.json') ? idOrPath : join(modelsDir, idOrPath, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InferenceError('unknown-model', `no model "${idOrPath}" (looked for ${path})`);
  }
  try {
    return { json: JSON.parse(text), path };
  } catch (e) {
    throw new InferenceError('unknown-model', `the manifest is not valid JSON (${(e as Error).message})`, { file: path });
  }
}

/** Options of the Node path. */
export interface NodeSegmentOptions extends SegmentOptions {
  /** ONNX Runtime intra-op threads (default 2). */
  readonly threads?: number;
  readonly modelsDir?: string;
}

/** Starts a model's network with onnxruntime-node: bytes verified, session checked against the manifest. */
export async function loadNodeNetwork(manifest: ModelManifest, dir: string, threads = 2): Promise<OrtNetwork> {
  const file = join(dir, manifest.onnx!.model.file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    throw new InferenceError('corrupt-model', `the model file cannot be read (${(e as Error).message})`, { file, cause: e });
  }
  return createOrtNetwork(ortNode as unknown as OrtModule, bytes, manifest, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
}

/** Segments a CT with a model id ('hn-oar', 'ct-external-lungs-bones', …) or a manifest path. */
export async function segmentNode(ct: Volume, model: string, options: NodeSegmentOptions = {}): Promise<SegmentationResult> {
  const { manifest, dir } = await readManifest(model, options.modelsDir);
  if (manifest.kind === 'rules') return runRuleModel(ct, manifest, options);
  const net = await loadNodeNetwork(manifest, dir, options.threads ?? 2);
  try {
    const r = await segmentWithNetwork(ct, manifest, net.runner, options);
    return { ...r, provider: `onnxruntime-node ${net.provider} (${options.threads ?? 2} threads)` };
  } finally {
    await net.release();
  }
}
