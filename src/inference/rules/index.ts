/**
 * Rule-based "models": contouring rules with a manifest, run like a network model (same result type,
 * AUTOMATIC provenance naming the rule set and its version). Browser-safe.
 */
import type { Volume } from '../../domain/volume.ts';
import type { SegmentationResult, SegmentOptions } from '../engine.ts';
import { assertCt } from '../engine.ts';
import { InferenceError } from '../errors.ts';
import type { ModelManifest } from '../manifest.ts';
import { EXTERNAL_LUNGS_BONES, bodyStructures, computeBodyMasks } from './external-lungs-bones.ts';

/** The rule-based models the engine offers. */
export const RULE_MODELS: readonly ModelManifest[] = [EXTERNAL_LUNGS_BONES];

/** Runs a rule-based model on a CT. */
export async function runRuleModel(ct: Volume, manifest: ModelManifest, options: SegmentOptions = {}): Promise<SegmentationResult> {
  assertCt(ct);
  if (manifest.id !== EXTERNAL_LUNGS_BONES.id) throw new InferenceError('unknown-model', `no rule-based model "${manifest.id}"`);
  const t0 = performance.now();
  const masks = computeBodyMasks(ct, options);
  const structures = bodyStructures(ct, masks, manifest);
  const labels = new Uint8Array(masks.external.length);
  // The label map shows one label per voxel: lungs and bones over the external.
  for (let o = 0; o < labels.length; o++) labels[o] = masks.lungL[o] ? 2 : masks.lungR[o] ? 3 : masks.bones[o] ? 4 : masks.external[o] ? 1 : 0;
  return { structures, labels, provider: 'rules', timings: { rules: performance.now() - t0 } };
}
