/**
 * The segmentation pipeline, independent of where the network runs: check the input is CT, resample it onto
 * the model grid, normalise, crop to the body, sliding-window inference through a {@link TileRunner},
 * probabilities back to the CT grid, argmax, per-label clean-up, structures with AUTOMATIC provenance. The
 * browser worker and the Node CLI both call {@link segmentWithNetwork}; only the runner differs. Browser-safe.
 */
import type { Vec3 } from '../domain/geometry.ts';
import type { Structure } from '../domain/structure.ts';
import type { UncertaintyMap, UncertaintyMeasure } from '../domain/uncertainty.ts';
import type { Volume } from '../domain/volume.ts';
import { throwIfAborted, type JobOptions } from '../jobs/job.ts';
import { InferenceError } from './errors.ts';
import type { ModelManifest } from './manifest.ts';
import { labelsToStructures, resampleArgmax } from './postprocess.ts';
import { bodyBox, normaliseIntensity, resampleToModelGrid } from './preprocess.ts';
import { slidingWindow, type TileRunner } from './sliding-window.ts';

/** Options of a segmentation run. */
export interface SegmentOptions extends JobOptions {
  /** Mirroring test-time augmentation as the manifest lists it (default on; off is faster). */
  readonly tta?: boolean;
  /**
   * The per-voxel uncertainty measure of an ONNX model's run (default 'entropy', see {@link UncertaintyMeasure}),
   * or 'none' to skip the map. Rule-based models never make one.
   */
  readonly uncertainty?: UncertaintyMeasure | 'none';
}

/** What a segmentation returns. */
export interface SegmentationResult {
  readonly structures: Structure[];
  /** Label map on the CT grid (x fastest): 0 background, else the manifest label value, before clean-up. */
  readonly labels: Uint8Array;
  /**
   * An ONNX model's per-voxel uncertainty on the CT grid (0 = certain; see {@link UncertaintyMap}), computed
   * from the same averaged probabilities as `labels` (ensemble members and tiles, and mirrors with TTA).
   * Absent for rule-based models, which have no probabilities to doubt, and with `uncertainty: 'none'`.
   */
  readonly uncertainty?: UncertaintyMap;
  /** The execution provider or 'rules'. */
  readonly provider: string;
  /** Wall time per stage, ms. */
  readonly timings: Record<string, number>;
}

/**
 * Refuses input that is not CT in Hounsfield units with 'not-ct': the modality must be CT, and a patient CT
 * always contains air (≤ −500 HU) around the body — a volume without any is an MR, a dose grid, or a CT whose
 * rescale was never applied.
 */
export function assertCt(volume: Volume): void {
  if (volume.modality !== 'CT') {
    throw new InferenceError('not-ct', `the models need a CT; this volume is ${volume.modality || 'of unknown modality'}`, { file: volume.name || undefined });
  }
  const [lo, hi] = volume.range();
  if (!(lo <= -500) || hi > 32767) {
    throw new InferenceError('not-ct', `the volume's values (${lo} … ${hi}) are not Hounsfield units of a patient CT (no air below −500 HU)`, { file: volume.name || undefined });
  }
}

/**
 * Runs an ONNX model's pipeline on a CT (see the module comment). Progress: 'preprocess', 'inference' (tiles),
 * 'postprocess'; the signal is honoured between tiles.
 */
export async function segmentWithNetwork(ct: Volume, manifest: ModelManifest, runner: TileRunner, options: SegmentOptions = {}): Promise<SegmentationResult & { provider: string }> {
  const net = manifest.onnx;
  if (!net) throw new InferenceError('model-mismatch', `model "${manifest.id}" has no network`);
  assertCt(ct);
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = now - t;
    t = now;
  };
  options.progress?.({ stage: 'preprocess', done: 0, total: 1 });
  const grid = resampleToModelGrid(ct, net.spacing as unknown as Vec3);
  const box = net.crop ? bodyBox(grid.data, grid, net.crop.thresholdHu, net.crop.marginMm) : { lo: [0, 0, 0] as Vec3, hi: grid.dimensions };
  const norm = normaliseIntensity(grid.data, net.intensity);
  const padValue = (Math.min(Math.max(net.padHu, net.intensity.clip[0]), net.intensity.clip[1]) - net.intensity.mean) / net.intensity.std;
  options.progress?.({ stage: 'preprocess', done: 1, total: 1 });
  lap('preprocess');
  throwIfAborted(options.signal);
  const probs = await slidingWindow(
    { data: norm, dimensions: grid.dimensions },
    box,
    {
      layout: net.layout,
      patch: net.patch,
      overlap: net.overlap,
      gaussianSigma: net.gaussianSigma,
      classes: net.model.classes,
      batch: net.batch,
      padValue,
      mirror: options.tta === false ? [] : net.mirror,
    },
    runner,
    options,
  );
  lap('inference');
  options.progress?.({ stage: 'postprocess', done: 0, total: 1 });
  const measure = options.uncertainty ?? 'entropy';
  const uncertainty: UncertaintyMap | undefined = measure === 'none' ? undefined : { data: new Uint8Array(ct.data.length), dimensions: ct.dimensions, measure };
  const labels = resampleArgmax(probs, net.model.classes, grid.geometry, ct.geometry, uncertainty);
  lap('resample');
  const structures = labelsToStructures(labels, ct.geometry, manifest.labels, manifest);
  lap('postprocess');
  options.progress?.({ stage: 'postprocess', done: 1, total: 1 });
  return { structures, labels, ...(uncertainty ? { uncertainty } : {}), provider: 'network', timings };
}
