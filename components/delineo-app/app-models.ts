import {
  EXTERNAL_LUNGS_BONES,
  validateDoseManifest,
  validateManifest,
  type DoseModelManifest,
  type ModelManifest,
  type ModelSource,
  type ProviderOverride,
} from '../../src/index.ts';

/**
 * An auto-contouring model the app offers. Rule-based models carry their manifest inline; ONNX models name
 * the URL of their manifest (validated on first use) and of the network (by default `model.onnx` next to the
 * manifest). Nothing is fetched until a CT is open with the model selected (the app's `model-preload`,
 * default 'auto', starts it then) or, with `model-preload="none"`, until the user runs the model.
 */
export interface AppModel {
  /** The manifest id. */
  readonly id: string;
  /** Shown in the model menu. */
  readonly name: string;
  /** One sentence for the menu's tooltip: what it contours and on which images. */
  readonly description: string;
  readonly manifest?: ModelManifest;
  readonly manifestUrl?: string;
  readonly modelUrl?: string;
}

/**
 * The models shipped in `models/` plus the rule-based one, served under `base` (default '/models/', where
 * `npm start` and the built app serve the repository's models folder).
 */
export function defaultModels(base = '/models/'): AppModel[] {
  const root = base.endsWith('/') ? base : `${base}/`;
  return [
    {
      id: EXTERNAL_LUNGS_BONES.id,
      name: 'Body, lungs and bones (rules)',
      description: EXTERNAL_LUNGS_BONES.description,
      manifest: EXTERNAL_LUNGS_BONES,
    },
    {
      id: 'hn-oar',
      name: 'Head and neck organs at risk (hn-oar)',
      description:
        'Brainstem, spinal cord, parotids, oesophagus, larynx and mandible on a head-and-neck planning CT; a research model, see its model card.',
      manifestUrl: `${root}hn-oar/manifest.json`,
      modelUrl: `${root}hn-oar/model.onnx`,
    },
    {
      id: 'hn-target-proposal',
      name: 'Head and neck target envelope: PROPOSAL for review (hn-target-proposal)',
      description:
        'Proposes the whole elective target envelope (PTV_Union: the union of the PTVs of the OpenKBP plans) on a head-and-neck planning CT, as a starting point for the physician to edit; never a target without review. See its model card.',
      manifestUrl: `${root}hn-target-proposal/manifest.json`,
      modelUrl: `${root}hn-target-proposal/model.onnx`,
    },
  ];
}

/** Resolves a model to what the segmentation worker needs: a validated manifest and the network's URL. */
export async function modelSource(model: AppModel, signal?: AbortSignal): Promise<ModelSource> {
  if (model.manifest)
    return { manifest: validateManifest(model.manifest), ...(model.modelUrl ? { url: model.modelUrl } : {}) };
  if (!model.manifestUrl) throw new Error(`model "${model.id}" has neither a manifest nor a manifest URL`);
  const res = await fetch(model.manifestUrl, signal ? { signal } : {});
  if (!res.ok)
    throw new Error(
      `could not fetch the manifest of "${model.name}" (${model.manifestUrl}: HTTP ${res.status})`,
    );
  const manifest = validateManifest(await res.json());
  const url =
    model.modelUrl ?? new URL('model.onnx', new URL(model.manifestUrl, globalThis.location?.href)).href;
  return { manifest, url };
}

/**
 * The execution-provider override of the app's `inference-provider` and `inference-threads` settings: 'auto'
 * (or anything unknown) leaves the choice to the engine; threads count only when positive, and only for WASM.
 */
export function inferenceOverride(provider: string, threads: number): ProviderOverride {
  const chosen = provider === 'wasm' || provider === 'webgpu' ? provider : undefined;
  const n = Number.isFinite(threads) && threads >= 1 ? Math.floor(threads) : undefined;
  return { ...(chosen ? { provider: chosen } : {}), ...(n && chosen !== 'webgpu' ? { threads: n } : {}) };
}

/**
 * The dose-prediction model the app runs: the URL of its manifest (validated on first use) and of the network
 * (by default the manifest's `dose.model.file` next to it), or the manifest itself with the network's URL.
 * Nothing is fetched until the user predicts dose.
 */
export interface AppDoseModel {
  readonly manifestUrl?: string;
  readonly manifest?: DoseModelManifest;
  readonly modelUrl?: string;
}

/** The dose model shipped in `models/` (hn-dose), served under `base`. */
export function defaultDoseModel(base = '/models/'): AppDoseModel {
  return { manifestUrl: `${base.endsWith('/') ? base : `${base}/`}hn-dose/manifest.json` };
}

/** Resolves a dose model to what the dose worker needs: a validated manifest and the network's URL. */
export async function doseModelSource(model: AppDoseModel, signal?: AbortSignal): Promise<ModelSource<DoseModelManifest>> {
  if (model.manifest) {
    if (!model.modelUrl) throw new Error(`the dose model "${model.manifest.id}" is given without the URL of its network (modelUrl)`);
    return { manifest: validateDoseManifest(model.manifest), url: model.modelUrl };
  }
  if (!model.manifestUrl) throw new Error('the dose model has neither a manifest nor a manifest URL');
  const res = await fetch(model.manifestUrl, signal ? { signal } : {});
  if (!res.ok) throw new Error(`could not fetch the dose model's manifest (${model.manifestUrl}: HTTP ${res.status})`);
  const manifest = validateDoseManifest(await res.json(), model.manifestUrl);
  const url = model.modelUrl ?? new URL(manifest.dose.model.file, new URL(model.manifestUrl, globalThis.location?.href)).href;
  return { manifest, url };
}
