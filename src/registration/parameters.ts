/**
 * elastix parameter maps for CT-to-CT registration of one patient, one map per resolution level. Both images
 * are CT in Hounsfield units from the same patient, so the intensities correspond; Mattes mutual information
 * is still used (not mean squares) because contrast, beam hardening and reconstruction kernels differ between
 * a planning CT and a later CT, and MI only asks for a consistent relation.
 *
 * Each resolution level is a separate elastix run (one map, NumberOfResolutions 1) started from the previous
 * level's result: elastix reports nothing while it runs, so levels are the points where the job reports
 * progress and answers a cancel.
 */

/** An elastix parameter map: every value a list of strings, as elastix's text files and itk-wasm carry them. */
export type ParameterMap = Record<string, string[]>;

/** One resolution level of a registration. */
export interface RegistrationLevel {
  /** Shrink factor of the prepared image at this level (elastix's image pyramid schedule). */
  readonly shrink: number;
  readonly iterations: number;
  /** Random samples per iteration for the metric. */
  readonly samples: number;
  /** B-spline control-point spacing (mm) for deformable levels. */
  readonly gridSpacingMm?: number;
}

/** Settings of {@link registerCt}; the defaults are the ones docs/adaptive.md documents and measures. */
export interface RegistrationSettings {
  /** Spacing (mm) the CTs are resampled to before the optimisation. */
  readonly spacingMm: number;
  readonly rigidLevels: readonly RegistrationLevel[];
  readonly deformableLevels: readonly RegistrationLevel[];
  /** Weight of the bending-energy penalty that keeps the B-spline deformation smooth. */
  readonly bendingWeight: number;
  /** elastix's random-sampler seed, so a registration can be repeated exactly. */
  readonly seed: number;
}

/**
 * Rigid: three levels (16, 8 and 4 mm effective voxels on a 4 mm grid) — coarse levels catch displacements of
 * centimetres, the last one the millimetres. 2048 samples per iteration is elastix's recommendation for MI on
 * 3D images; the adaptive stochastic gradient descent sets its own step sizes, and 150 iterations per level
 * is where the parameters stop moving on chest CTs. Deformable: a B-spline grid refined from 40 to 20 mm; a
 * finer grid follows noise and breathing artefacts rather than anatomy at this image resolution.
 */
export const DEFAULT_SETTINGS: RegistrationSettings = {
  spacingMm: 4,
  rigidLevels: [
    { shrink: 4, iterations: 150, samples: 2048 },
    { shrink: 2, iterations: 150, samples: 2048 },
    { shrink: 1, iterations: 150, samples: 2048 },
  ],
  deformableLevels: [
    { shrink: 2, iterations: 200, samples: 4096, gridSpacingMm: 40 },
    { shrink: 1, iterations: 200, samples: 4096, gridSpacingMm: 20 },
  ],
  bendingWeight: 0.05,
  seed: 121212,
};

const s = (v: string | number): string[] => [String(v)];

/** What every level shares: float internal images, MI, random sampling, air as the value outside the image. */
function common(level: RegistrationLevel, seed: number): ParameterMap {
  const f = String(level.shrink);
  return {
    FixedInternalImagePixelType: s('float'),
    MovingInternalImagePixelType: s('float'),
    FixedImageDimension: s(3),
    MovingImageDimension: s(3),
    UseDirectionCosines: s('true'),
    NumberOfResolutions: s(1),
    FixedImagePyramid: s('FixedRecursiveImagePyramid'),
    MovingImagePyramid: s('MovingRecursiveImagePyramid'),
    FixedImagePyramidSchedule: [f, f, f],
    MovingImagePyramidSchedule: [f, f, f],
    Metric: s('AdvancedMattesMutualInformation'),
    NumberOfHistogramBins: s(32),
    Optimizer: s('AdaptiveStochasticGradientDescent'),
    AutomaticParameterEstimation: s('true'),
    MaximumNumberOfIterations: s(level.iterations),
    ImageSampler: s('RandomCoordinate'),
    NumberOfSpatialSamples: s(level.samples),
    NewSamplesEveryIteration: s('true'),
    CheckNumberOfSamples: s('true'),
    RandomSeed: s(seed),
    Interpolator: s('LinearInterpolator'),
    ResampleInterpolator: s('FinalLinearInterpolator'),
    Resampler: s('DefaultResampler'),
    DefaultPixelValue: s(-1000),
    WriteResultImage: s('false'),
    HowToCombineTransforms: s('Compose'),
  };
}

/**
 * A rigid (Euler) level. The first level starts from the images' centres of mass (elastix's CenterOfGravity
 * initialisation): two CTs of one patient can be centimetres apart in their own coordinates, which a
 * gradient descent from the identity would not always cross.
 */
export function rigidMap(level: RegistrationLevel, first: boolean, seed: number): ParameterMap {
  return {
    ...common(level, seed),
    Registration: s('MultiResolutionRegistration'),
    Transform: s('EulerTransform'),
    AutomaticScalesEstimation: s('true'),
    AutomaticTransformInitialization: s(first ? 'true' : 'false'),
    AutomaticTransformInitializationMethod: s('CenterOfGravity'),
  };
}

/** A B-spline level on top of the rigid result, with a bending-energy penalty. */
export function bsplineMap(level: RegistrationLevel, bendingWeight: number, seed: number): ParameterMap {
  return {
    ...common(level, seed),
    Registration: s('MultiMetricMultiResolutionRegistration'),
    Metric: ['AdvancedMattesMutualInformation', 'TransformBendingEnergyPenalty'],
    Metric0Weight: s(1),
    Metric1Weight: s(bendingWeight),
    Transform: s('BSplineTransform'),
    FinalGridSpacingInPhysicalUnits: s(level.gridSpacingMm ?? 20),
    BSplineTransformSplineOrder: s(3),
  };
}
