/**
 * Registration of a new CT (fixed) to a reference CT of the same patient (moving) as a Job: rigid, with
 * elastix compiled to WebAssembly (`@itk-wasm/elastix`); deformable mode is refused until its displacement
 * field is read back (docs/adaptive.md). The same
 * code runs in Node (elastix's Node build, synchronous WASI) and in a browser (its web-worker build).
 *
 * Memory: the optimisation runs on {@link prepareForRegistration}'s images (4 mm voxels around the body:
 * about 1.5 M floats per CT for a 512×512×200 chest, 6 MB), never on the full-resolution CTs; the result is
 * a transform object that propagation applies at full resolution.
 */
import type { Image, JsonCompatible } from 'itk-wasm';
import type { Vec3 } from '../domain/geometry.ts';
import type { Volume } from '../domain/volume.ts';
import { JobError, type JobOptions, throttleProgress, throwIfAborted } from '../jobs/job.ts';
import { DEFAULT_SETTINGS, type ParameterMap, type RegistrationSettings, rigidMap } from './parameters.ts';
import { prepareForRegistration } from './prepare.ts';
import { eulerMatrix, IDENTITY4, type Mat4, mulMat4, type RegistrationTransform } from './transform.ts';

/** Thrown when a registration cannot run or its result is unusable. */
export class RegistrationError extends JobError {
  override name = 'RegistrationError';
}

export interface RegistrationInput {
  /** The new CT: the grid the propagated structures will live on. */
  readonly fixed: Volume;
  /** The reference (planning) CT the approved structures were drawn on. */
  readonly moving: Volume;
  readonly mode: 'rigid' | 'deformable';
  readonly settings?: RegistrationSettings;
}

export interface RegistrationResult {
  readonly transform: RegistrationTransform;
  /** elastix's transform parameter maps, in the order they apply (for the record and for transformix). */
  readonly parameterMaps: readonly ParameterMap[];
}

type ElastixRun = (parameterObject: JsonCompatible, options: { fixed: Image; moving: Image; initialTransformParameterObject?: JsonCompatible }) => Promise<{ transformParameterObject: JsonCompatible }>;

/** elastix through whichever build the platform resolves: the Node one runs in-process, the browser one in a worker. */
async function loadElastix(): Promise<ElastixRun> {
  const m = (await import('@itk-wasm/elastix')) as Record<string, unknown>;
  if (typeof m.elastixNode === 'function') return m.elastixNode as ElastixRun;
  const browser = m.elastix as ((parameterObject: JsonCompatible, options: Record<string, unknown>) => Promise<{ transformParameterObject: JsonCompatible; webWorker?: Worker | null }>) | undefined;
  if (typeof browser !== 'function') throw new RegistrationError('elastix-unavailable', '@itk-wasm/elastix offers neither elastixNode nor elastix');
  let worker: Worker | null = null;
  return async (parameterObject, options) => {
    const r = await browser(parameterObject, { ...options, webWorker: worker });
    worker = r.webWorker ?? worker;
    return r;
  };
}

/** Float voxels as an itk-wasm Image (itk-wasm's direction is row-major; Delineo's is column-major). */
function toItkImage(v: Volume, name: string): Image {
  const d = v.direction;
  return {
    imageType: { dimension: 3, componentType: 'float32', pixelType: 'Scalar', components: 1 },
    name,
    origin: [...v.origin],
    spacing: [...v.spacing],
    direction: new Float64Array([d[0], d[3], d[6], d[1], d[4], d[7], d[2], d[5], d[8]]),
    size: [...v.dimensions],
    metadata: new Map(),
    data: v.data instanceof Float32Array ? v.data : Float32Array.from(v.data),
  };
}

const numbers = (m: ParameterMap, key: string): number[] => (m[key] ?? []).map(Number);

/** The matrix of one Euler map of elastix (fixed point → moving point). */
export function eulerMapMatrix(m: ParameterMap): Mat4 {
  const p = numbers(m, 'TransformParameters');
  const c = numbers(m, 'CenterOfRotationPoint');
  if (p.length !== 6 || c.length !== 3 || [...p, ...c].some((x) => !Number.isFinite(x)))
    throw new RegistrationError('bad-result', `elastix returned an Euler transform without six parameters and a centre (${p.length}, ${c.length})`);
  return eulerMatrix([p[0], p[1], p[2]], [p[3], p[4], p[5]], c as unknown as Vec3, m.ComputeZYX?.[0] === 'true');
}

function asMaps(object: JsonCompatible): ParameterMap[] {
  if (!Array.isArray(object)) throw new RegistrationError('bad-result', 'elastix returned no transform parameter object');
  return object as unknown as ParameterMap[];
}

/**
 * Registers `input.fixed` to `input.moving` (see the module comment). Progress: stage 'prepare' (2 images),
 * then 'rigid' in resolution levels. Cancel is honoured between levels; a browser caller that
 * needs it sooner terminates the worker this runs in. Rejects with RegistrationError when either CT shows no
 * body or elastix fails.
 */
export async function registerCt(input: RegistrationInput, options: JobOptions = {}): Promise<RegistrationResult> {
  if (input.mode === 'deformable')
    throw new RegistrationError('unsupported-mode', 'deformable registration is not available yet: its displacement field is not read back from elastix, so only mode rigid runs');
  const settings = input.settings ?? DEFAULT_SETTINGS;
  const progress = throttleProgress(options.progress);
  const { signal } = options;
  throwIfAborted(signal);
  progress({ stage: 'prepare', done: 0, total: 2, unit: 'images' });
  const fixed = prepareForRegistration(input.fixed, settings.spacingMm);
  progress({ stage: 'prepare', done: 1, total: 2, unit: 'images' });
  const moving = prepareForRegistration(input.moving, settings.spacingMm);
  progress({ stage: 'prepare', done: 2, total: 2, unit: 'images' });
  for (const [p, v] of [[fixed, input.fixed], [moving, input.moving]] as const)
    if (p.bodyVoxels === 0) throw new RegistrationError('no-body', 'the CT holds no voxel above −400 HU: there is no patient to register', { file: v.name || undefined });
  throwIfAborted(signal);
  const run = await loadElastix();
  const fixedImage = toItkImage(fixed.volume, 'fixed');
  const movingImage = toItkImage(moving.volume, 'moving');
  const chain: ParameterMap[] = [];
  let rigid: Mat4 = IDENTITY4;
  const levels = settings.rigidLevels.map((l, n) => ({ stage: 'rigid', n, total: settings.rigidLevels.length, map: rigidMap(l, n === 0, settings.seed) }));
  for (const level of levels) {
    progress({ stage: level.stage, done: level.n, total: level.total, unit: 'resolution levels' });
    let result;
    try {
      // elastix's WASM build copies its inputs into its own memory, so the same images serve every level.
      result = await run([level.map] as unknown as JsonCompatible, {
        fixed: fixedImage,
        moving: movingImage,
        ...(chain.length ? { initialTransformParameterObject: chain as unknown as JsonCompatible } : {}),
      });
    } catch (e) {
      throw new RegistrationError('elastix-failed', `elastix failed at ${level.stage} level ${level.n + 1}: ${(e as Error).message}`, { cause: e });
    }
    const maps = asMaps(result.transformParameterObject);
    const own = maps[maps.length - 1];
    chain.push(own);
    if (own.Transform?.[0] === 'EulerTransform') rigid = mulMat4(eulerMapMatrix(own), rigid);
    throwIfAborted(signal);
    progress({ stage: level.stage, done: level.n + 1, total: level.total, unit: 'resolution levels' });
  }
  if (rigid.some((x) => !Number.isFinite(x))) throw new RegistrationError('bad-result', 'elastix returned a transform that is not finite');
  return {
    transform: {
      mode: input.mode,
      rigid,
      ...(input.fixed.identity.frameOfReferenceUid ? { fixedFrameOfReferenceUid: input.fixed.identity.frameOfReferenceUid } : {}),
      ...(input.moving.identity.frameOfReferenceUid ? { movingFrameOfReferenceUid: input.moving.identity.frameOfReferenceUid } : {}),
    },
    parameterMaps: chain,
  };
}
