/**
 * A deterministic synthetic thorax CT with exact ground truth.
 *
 * The anatomy is a set of analytic shapes (ellipsoids and elliptic cylinders, i.e. quadrics) placed in
 * patient coordinates (LPS, mm) around a patient-space centre. The image grid is independent of the
 * anatomy: any spacing and any direction (oblique, even sheared) samples the same patient-space anatomy,
 * so an oblique phantom shows the thorax rotated in its index space exactly as a real oblique acquisition
 * would. A voxel belongs to a structure when its centre lies inside the structure's shape, so the masks
 * are exact ground truth, and each structure's volume is also known in closed form (the shape clipped by
 * the field of view), which is what geometry tests compare against.
 *
 * Speed: every shape is a quadric, so along one image row (increasing i) the inside test is a quadratic
 * inequality in i. Each row is solved once per shape for its inside interval and filled with
 * `TypedArray.fill`, instead of evaluating every shape at every voxel. Noise comes from a table of normal
 * quantiles indexed by a seeded 32-bit generator, two voxels per draw.
 *
 * Pure: no DOM, no libraries; only the domain layer and the (pure) UID generator.
 */
import {
  cross,
  dot,
  GridTransform,
  type ImageGeometry,
  IDENTITY,
  type Mat3,
  mulMat3,
  normalize,
  rotation,
  type Vec3,
  validateGeometry,
} from '../domain/geometry.ts';
import { BinaryMask } from '../domain/mask.ts';
import { createStructure, type Rgb, type RoiInterpretedType, type Structure } from '../domain/structure.ts';
import { Volume } from '../domain/volume.ts';
import { newUid } from '../io/dicom/uid.ts';
import { mulberry32, noiseTable } from './noise.ts';

/** DICOM CT Image Storage SOP Class UID (also in io/dicom/ct-writer.ts, which the phantom must not import: it pulls in dcmjs). */
const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** Thrown when a phantom cannot be generated as asked (bad options, field of view cutting the anatomy). */
export class PhantomError extends Error {
  override readonly name = 'PhantomError';
}

/** A solid ellipsoid: centre (patient mm), principal axes (columns of `axes`, unit, orthogonal) and semi-axes (mm). */
export interface EllipsoidShape {
  readonly kind: 'ellipsoid';
  readonly center: Vec3;
  readonly axes: Mat3;
  readonly semiAxes: Vec3;
}

/**
 * An infinite solid elliptic cylinder: a point on its axis (patient mm), the unit axis direction, and the two
 * unit cross-section axes (orthogonal to each other and to the axis) with their semi-axes (mm).
 */
export interface CylinderShape {
  readonly kind: 'cylinder';
  readonly center: Vec3;
  readonly axis: Vec3;
  readonly crossAxes: readonly [Vec3, Vec3];
  readonly semiAxes: readonly [number, number];
}

/** A shape of the phantom's anatomy. */
export type PhantomShape = EllipsoidShape | CylinderShape;

/** A closed half-space `normal · p ≥ offset` (patient mm) that clips a shape (the trachea's lower end, a collapsed lobe). */
export interface HalfSpace {
  readonly normal: Vec3;
  readonly offset: number;
}

/** Nominal Hounsfield units of each tissue; voxels get these values plus noise. */
export const PHANTOM_HU = {
  air: -1000,
  fat: -100,
  softTissue: 40,
  lung: -850,
  heart: 45,
  esophagus: 20,
  bone: 700,
  csf: 15,
  spinalCord: 35,
  gtv: 30,
  /** Airless (collapsed or consolidated) lung: unenhanced atelectasis measures 20–50 HU. */
  collapsedLung: 35,
} as const;

/** The lowest and highest value a phantom voxel may take (a 12-bit CT range, as scanners store). */
const HU_MIN = -1024;
const HU_MAX = 3071;

/**
 * The analytic anatomy of the thorax phantom, in patient coordinates (LPS mm). +x is the patient's left, +y
 * posterior, +z superior. Sizes are those of an average adult chest (300 × 210 mm body cross-section).
 */
export interface PhantomAnatomy {
  /** Patient-space centre the anatomy is built around. */
  readonly center: Vec3;
  /** Skin surface: the External structure. */
  readonly body: CylinderShape;
  /** Inner boundary of the 12 mm subcutaneous fat layer (image only). */
  readonly muscleWall: CylinderShape;
  readonly lungLeft: EllipsoidShape;
  readonly lungRight: EllipsoidShape;
  readonly heart: EllipsoidShape;
  readonly esophagus: CylinderShape;
  /** Air column of the trachea above `tracheaLowerEnd` (image only). */
  readonly trachea: CylinderShape;
  readonly tracheaLowerEnd: HalfSpace;
  /** Vertebral body and posterior arch (image only: bone). */
  readonly vertebralBody: CylinderShape;
  readonly vertebralArch: CylinderShape;
  /** CSF-filled spinal canal (image only) around the spinal cord. */
  readonly spinalCanal: CylinderShape;
  readonly spinalCord: CylinderShape;
  /**
   * A collapsed lobe, when asked for: the part of the right lung inside all of `bounds`, airless. It stays part of
   * Lung_R (clinical lung contours include collapsed lung).
   */
  readonly collapsedLobe?: { readonly lung: EllipsoidShape; readonly bounds: readonly HalfSpace[] };
  /** A spherical tumour: inside the right lung, or at the right hilum beside a collapsed lobe. The GTV. */
  readonly gtv: EllipsoidShape;
  readonly gtvCenter: Vec3;
  readonly gtvRadiusMm: number;
}

/** Default patient-space centre: deliberately off the scanner origin, so code that ignores the origin fails. */
export const DEFAULT_PHANTOM_CENTER: Vec3 = [4, -12, -150];

const v3 = (c: Vec3, d: Vec3): Vec3 => [c[0] + d[0], c[1] + d[1], c[2] + d[2]];

/** An elliptic cylinder along `axis` whose first cross-section axis is the patient x direction made orthogonal to it. */
function cylinder(center: Vec3, axis: Vec3, semiAxes: readonly [number, number]): CylinderShape {
  const w = normalize(axis);
  // Cross-section axes: x made orthogonal to the axis, then the axis × that. For a near-vertical axis these
  // are close to patient x and y, so the semi-axes read as left-right and anterior-posterior half-widths.
  const u = normalize([1 - w[0] * w[0], -w[0] * w[1], -w[0] * w[2]]);
  const v = normalize(cross(w, u));
  return { kind: 'cylinder', center, axis: w, crossAxes: [u, v], semiAxes: [semiAxes[0], semiAxes[1]] };
}

const ellipsoid = (center: Vec3, semiAxes: Vec3, axes: Mat3 = IDENTITY): EllipsoidShape => ({ kind: 'ellipsoid', center, axes, semiAxes });

/** Variants of the phantom's anatomy. */
export interface AnatomyOptions {
  /**
   * A collapsed right middle lobe with the tumour that obstructs it: an airless sheet of the right lung, 28 mm tall,
   * sloping down anteriorly between the aerated upper and lower lobes over the anterior two thirds of the lung
   * (about 190 cc), and the GTV moved out of the lung to the right hilum, where it touches the lung beside the
   * collapsed lobe. Dense lung next to the mediastinum and a central tumour: what the rule-based lungs must
   * include and exclude.
   */
  readonly collapsedLobe?: boolean;
}

/**
 * The phantom's anatomy around a patient-space centre, as analytic shapes. Shapes are placed so that the
 * organs are disjoint (lungs, heart, oesophagus, spine) and each lies inside the body; the GTV lies inside
 * the right lung (with a collapsed lobe: at the right hilum, against the lung). The spine and oesophagus are
 * tilted a few degrees from the z axis, as they are in a
 * patient, which also keeps their cross-sections from sitting at one fixed sub-voxel phase on every slice
 * (a straight thin cylinder on an axial grid repeats the same discretisation error on every slice).
 */
export function thoraxAnatomy(center: Vec3 = DEFAULT_PHANTOM_CENTER, options: AnatomyOptions = {}): PhantomAnatomy {
  const at = (d: Vec3): Vec3 => v3(center, d);
  const z: Vec3 = [0, 0, 1];
  // Thoracic spine leaning posteriorly going up (kyphosis, ~4.6°) with a slight lateral lean (~2°); the
  // oesophagus follows it sagittally and drifts to the patient's left going down (~2.9°). Leaning in both x
  // and y matters for the cord: its 10 × 8 mm cross-section is only a few voxels wide, and only a drift of
  // its sub-voxel phase in both in-plane directions averages the discretisation error out over the slices.
  const spineAxis: Vec3 = [0.035, 0.08, 1];
  const esophagusAxis: Vec3 = [-0.05, 0.08, 1];
  const spineCentre = at([0, 72, 0]);
  const gtvRadiusMm = 20;
  const lungRight = ellipsoid(at([-80, 12, 20]), [52, 68, 112]);
  let gtvCenter = at([-78, 0, 25]);
  let collapsedLobe: PhantomAnatomy['collapsedLobe'];
  if (options.collapsedLobe) {
    // The sheet: 28 mm tall between two planes that rise 0.3 mm per mm posteriorly (the displaced fissures),
    // centred 18 mm below the lung's equator, anterior to 20 mm behind the lung's centre.
    const slope = 0.3;
    const n = normalize([0, -slope, 1]);
    const along = dot(n, at([0, 12, 2]));
    const halfTall = 14 * n[2]; // the planes' separation along n for a 14 mm half-height along z
    collapsedLobe = {
      lung: lungRight,
      bounds: [
        { normal: n, offset: along - halfTall },
        { normal: [-n[0], -n[1], -n[2]], offset: -(along + halfTall) },
        { normal: [0, -1, 0], offset: -(center[1] + 32) },
      ],
    };
    // The tumour lies against the lung's medial surface where the sheet meets it, clear of the heart and the
    // oesophagus: 0.5 mm medial to the lung's surface point at y = −5, z = +5 (relative to the centre).
    const medialX = -80 + 52 * Math.sqrt(1 - (15 / 112) ** 2 - (17 / 68) ** 2);
    gtvCenter = at([medialX + gtvRadiusMm + 0.5, -5, 5]);
  }
  // The heart's long axis points anterior-left-inferior: rotate about z toward the left-anterior, then tilt.
  const heartAxes = mulMat3(rotation(z, -35), rotation([1, 0, 0], -20));
  return {
    center,
    body: cylinder(at([0, 0, 0]), z, [160, 115]),
    muscleWall: cylinder(at([0, 0, 0]), z, [148, 103]),
    lungLeft: ellipsoid(at([82, 15, 15]), [48, 64, 108]),
    lungRight,
    heart: ellipsoid(at([12, -48, -45]), [52, 38, 45], heartAxes),
    esophagus: cylinder(at([4, 18, 0]), esophagusAxis, [9, 6]),
    trachea: cylinder(at([0, 0, 0]), spineAxis, [9, 8]),
    tracheaLowerEnd: { normal: z, offset: center[2] + 35 },
    vertebralBody: cylinder(at([0, 46, 0]), spineAxis, [20, 15]),
    vertebralArch: cylinder(spineCentre, spineAxis, [14, 14]),
    spinalCanal: cylinder(spineCentre, spineAxis, [8, 8]),
    spinalCord: cylinder(spineCentre, spineAxis, [5, 4]),
    ...(collapsedLobe ? { collapsedLobe } : {}),
    gtv: ellipsoid(gtvCenter, [gtvRadiusMm, gtvRadiusMm, gtvRadiusMm]),
    gtvCenter,
    gtvRadiusMm,
  };
}

/** How one structure of the phantom is made: its TG-263 name, shape, colour, RT type and nominal HU. */
export interface PhantomStructureSpec {
  readonly name: string;
  readonly shape: keyof PhantomAnatomy;
  readonly color: Rgb;
  readonly interpretedType: RoiInterpretedType;
  /** HU painted inside the structure where no later structure overrides it (External: the soft tissue value). */
  readonly nominalHu: number;
}

/** The phantom's structures, in TG-263 nomenclature. Lung_L is the patient's left lung (+x in LPS). */
export const PHANTOM_STRUCTURES: readonly PhantomStructureSpec[] = [
  { name: 'External', shape: 'body', color: [0, 255, 0], interpretedType: 'EXTERNAL', nominalHu: PHANTOM_HU.softTissue },
  { name: 'Lung_L', shape: 'lungLeft', color: [0, 160, 255], interpretedType: 'ORGAN', nominalHu: PHANTOM_HU.lung },
  { name: 'Lung_R', shape: 'lungRight', color: [0, 220, 220], interpretedType: 'ORGAN', nominalHu: PHANTOM_HU.lung },
  { name: 'SpinalCord', shape: 'spinalCord', color: [255, 255, 0], interpretedType: 'ORGAN', nominalHu: PHANTOM_HU.spinalCord },
  { name: 'Heart', shape: 'heart', color: [255, 0, 128], interpretedType: 'ORGAN', nominalHu: PHANTOM_HU.heart },
  { name: 'Esophagus', shape: 'esophagus', color: [160, 96, 48], interpretedType: 'ORGAN', nominalHu: PHANTOM_HU.esophagus },
  { name: 'GTV', shape: 'gtv', color: [255, 0, 0], interpretedType: 'GTV', nominalHu: PHANTOM_HU.gtv },
];

/**
 * Default grid: 320 × 320 × 112 voxels of 1.5625 × 1.5625 × 2.5 mm, i.e. a clinical 500 mm field of view over
 * 280 mm. Small enough to generate in a few hundred milliseconds; fine enough that every structure's voxel
 * volume is within 1% of its analytic volume at any sub-voxel placement (the GTV sphere is the limiting case:
 * 12.8 voxels in radius in-plane); wide enough that the body stays inside the field of view when the grid is
 * tilted by 20° about two axes.
 */
export const DEFAULT_PHANTOM_DIMENSIONS: Vec3 = [320, 320, 112];
export const DEFAULT_PHANTOM_SPACING: Vec3 = [1.5625, 1.5625, 2.5];

/** Options of `generatePhantom`; every field has a default. */
export interface PhantomOptions {
  /** Grid size [columns, rows, slices]. Default `DEFAULT_PHANTOM_DIMENSIONS`. */
  readonly dimensions?: Vec3;
  /** Voxel spacing (mm) along i, j, k. Default `DEFAULT_PHANTOM_SPACING`. */
  readonly spacing?: Vec3;
  /** Grid direction (column-major, see domain/geometry.ts); any orientation. Default: axial (identity). */
  readonly direction?: Mat3;
  /** Patient position of voxel (0,0,0). Default: the grid is centred on the anatomy's centre. */
  readonly origin?: Vec3;
  /** Patient-space centre of the anatomy. Default `DEFAULT_PHANTOM_CENTER`. */
  readonly center?: Vec3;
  /** Noise seed; the same seed gives identical voxels. Default 1. */
  readonly seed?: number;
  /** Standard deviation of the Gaussian noise in HU; 0 for a noiseless image. Default 10. */
  readonly noiseHu?: number;
  /** A collapsed right middle lobe and a hilar GTV ({@link AnatomyOptions.collapsedLobe}). Default false. */
  readonly collapsedLobe?: boolean;
}

/** A generated phantom: the CT, its ground-truth structures and their analytic volumes. */
export interface Phantom {
  /** The CT in HU (Int16), modality CT, with fresh DICOM UIDs for study, series, frame of reference and slices. */
  readonly volume: Volume;
  /** Ground-truth structures (voxel centre inside the shape), in `PHANTOM_STRUCTURES` order. */
  readonly structures: Structure[];
  /** Exact volume (cc) of each structure's shape clipped to the field of view, by structure name. */
  readonly analyticVolumesCc: Record<string, number>;
  /** Patient-space centre of the anatomy. */
  readonly center: Vec3;
  /** The analytic shapes, for tests that need the true geometry (a GTV centre and radius, a cord axis). */
  readonly anatomy: PhantomAnatomy;
  /** Each structure's shape, by structure name. */
  readonly shapes: Readonly<Record<string, PhantomShape>>;
  readonly seed: number;
}

// ---------------------------------------------------------------------------------------------------------
// Quadric evaluation

/** A shape as (p − c)ᵀ Q (p − c) ≤ 1, Q symmetric stored as [xx, xy, xz, yy, yz, zz]. */
interface Quadric {
  readonly c: Vec3;
  readonly q: readonly [number, number, number, number, number, number];
}

function quadricOf(shape: PhantomShape): Quadric {
  const terms: [Vec3, number][] =
    shape.kind === 'ellipsoid'
      ? [0, 1, 2].map((a) => [[shape.axes[3 * a], shape.axes[3 * a + 1], shape.axes[3 * a + 2]] as Vec3, shape.semiAxes[a]])
      : [
          [shape.crossAxes[0], shape.semiAxes[0]],
          [shape.crossAxes[1], shape.semiAxes[1]],
        ];
  const q: [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];
  for (const [u, s] of terms) {
    const w = 1 / (s * s);
    q[0] += u[0] * u[0] * w;
    q[1] += u[0] * u[1] * w;
    q[2] += u[0] * u[2] * w;
    q[3] += u[1] * u[1] * w;
    q[4] += u[1] * u[2] * w;
    q[5] += u[2] * u[2] * w;
  }
  return { c: shape.center, q };
}

const quadForm = (q: Quadric['q'], x: number, y: number, z: number): number =>
  q[0] * x * x + q[3] * y * y + q[5] * z * z + 2 * (q[1] * x * y + q[2] * x * z + q[4] * y * z);

/**
 * The normalised implicit value of a shape at a patient point: ≤ 1 inside, > 1 outside (for an ellipsoid,
 * the squared "ellipsoidal radius"). The same quadric decides voxel membership, so a mask voxel is inside
 * exactly when `shapeLevel(shape, centre) ≤ 1` (up to floating-point rounding on the surface).
 */
export function shapeLevel(shape: PhantomShape, p: Vec3): number {
  const { c, q } = quadricOf(shape);
  return quadForm(q, p[0] - c[0], p[1] - c[1], p[2] - c[2]);
}

/** True when a patient point (mm) is inside a shape (surface included). */
export function isInsideShape(shape: PhantomShape, p: Vec3): boolean {
  return shapeLevel(shape, p) <= 1;
}

/** Volume (mm³) of a whole shape: 4/3·π·abc for an ellipsoid; Infinity for an (infinite) cylinder. */
export function shapeVolumeMm3(shape: PhantomShape): number {
  if (shape.kind === 'cylinder') return Infinity;
  const [a, b, c] = shape.semiAxes;
  return (4 / 3) * Math.PI * a * b * c;
}

// ---------------------------------------------------------------------------------------------------------
// Analytic volumes clipped by the field of view

/**
 * The field of view as three index slabs: index_a(p) = g_a · (p − origin) must lie in [−½, n_a − ½], where
 * g_a is row a of the inverse index→patient matrix. These are the outer faces of the voxel cells, so a
 * voxel-centre rasterisation of a shape clipped by them converges to the clipped analytic volume.
 */
function slabs(geometry: ImageGeometry): { g: Vec3[]; lo: number; hi: number[]; origin: Vec3 } {
  const inv = new GridTransform(geometry).inverse;
  const g = [0, 1, 2].map((a) => [inv[a], inv[a + 3], inv[a + 6]] as Vec3);
  return { g, lo: -0.5, hi: geometry.dimensions.map((n) => n - 0.5), origin: geometry.origin };
}

/** Volume of the unit ball between the planes at signed distances h1 < h2 from its centre. */
function unitBallSlab(h1: number, h2: number): number {
  const a = Math.max(-1, Math.min(1, h1));
  const b = Math.max(-1, Math.min(1, h2));
  const f = (h: number): number => h - (h * h * h) / 3;
  return b > a ? Math.PI * (f(b) - f(a)) : 0;
}

const EPS_INDEX = 1e-9;

/**
 * The exact volume (mm³) of a shape intersected with a grid's field of view (the union of its voxel cells).
 * Closed forms: an ellipsoid is an affine image of the unit ball, so its part between two parallel planes is
 * abc × a unit-ball slab; a cylinder between two parallel planes has volume (cross-section area) × (plane
 * separation along the axis), because every line parallel to the axis crosses the slab over the same length.
 * Cases without a closed form (an ellipsoid cut by faces of two different slabs, a cylinder leaving through a
 * side face) throw a PhantomError that names the shape, so a test never compares against a wrong answer.
 */
export function clippedShapeVolumeMm3(shape: PhantomShape, geometry: ImageGeometry, label: string = shape.kind): number {
  validateGeometry(geometry);
  const { g, lo, hi, origin } = slabs(geometry);
  const rel = (p: Vec3): Vec3 => [p[0] - origin[0], p[1] - origin[1], p[2] - origin[2]];
  const c = rel(shape.center);
  if (shape.kind === 'ellipsoid') {
    const [sa, sb, sc] = shape.semiAxes;
    const axes = [0, 1, 2].map((k) => [shape.axes[3 * k], shape.axes[3 * k + 1], shape.axes[3 * k + 2]] as Vec3);
    const cut: { a: number; centre: number; radius: number }[] = [];
    for (let a = 0; a < 3; a++) {
      const centre = dot(g[a], c);
      // Support of the ellipsoid along g_a: |S Rᵀ g_a|.
      const radius = Math.hypot(sa * dot(axes[0], g[a]), sb * dot(axes[1], g[a]), sc * dot(axes[2], g[a]));
      if (centre + radius <= lo + EPS_INDEX || centre - radius >= hi[a] - EPS_INDEX) return 0;
      if (centre - radius < lo - EPS_INDEX || centre + radius > hi[a] + EPS_INDEX) cut.push({ a, centre, radius });
    }
    const full = (4 / 3) * Math.PI * sa * sb * sc;
    if (cut.length === 0) return full;
    if (cut.length > 1) {
      throw new PhantomError(`${label} is cut by the field of view along more than one grid axis; enlarge the grid`);
    }
    const { a, centre, radius } = cut[0];
    return (full * unitBallSlab((lo - centre) / radius, (hi[a] - centre) / radius)) / ((4 / 3) * Math.PI);
  }
  // Cylinder: find the slab its axis crosses most steeply; the other two must contain the clipped piece.
  const w = shape.axis;
  const [u0, v0] = shape.crossAxes;
  const u = [u0[0] * shape.semiAxes[0], u0[1] * shape.semiAxes[0], u0[2] * shape.semiAxes[0]] as Vec3;
  const v = [v0[0] * shape.semiAxes[1], v0[1] * shape.semiAxes[1], v0[2] * shape.semiAxes[1]] as Vec3;
  let b = 0;
  let best = -1;
  for (let a = 0; a < 3; a++) {
    const steep = Math.abs(dot(g[a], w)) / Math.hypot(g[a][0], g[a][1], g[a][2]);
    if (steep > best) {
      best = steep;
      b = a;
    }
  }
  const gbw = dot(g[b], w);
  if (!(Math.abs(gbw) > 1e-12)) throw new PhantomError(`${label} runs parallel to every grid face`);
  for (let a = 0; a < 3; a++) {
    if (a === b) continue;
    // On the rim where the cylinder meets the plane index_b = t, index_a is affine in the unit-circle point
    // (s, r): const + s·α + r·β, whose extremes are const ± hypot(α, β). The clipped cylinder is the convex
    // hull of its two rims, so checking both rims bounds the whole piece.
    const ratio = dot(g[a], w) / gbw;
    const alpha = dot(g[a], u) - ratio * dot(g[b], u);
    const beta = dot(g[a], v) - ratio * dot(g[b], v);
    const half = Math.hypot(alpha, beta);
    for (const t of [lo, hi[b]]) {
      const mid = dot(g[a], c) + ratio * (t - dot(g[b], c));
      if (mid - half < lo - EPS_INDEX || mid + half > hi[a] + EPS_INDEX) {
        throw new PhantomError(`${label} leaves the field of view through a side of the grid; enlarge the field of view`);
      }
    }
  }
  const area = Math.PI * shape.semiAxes[0] * shape.semiAxes[1];
  return (area * (hi[b] - lo)) / Math.abs(gbw);
}

// ---------------------------------------------------------------------------------------------------------
// Row rasterisation

/** A quadric prepared for one grid: coefficients of the row quadratic A·i² + B·i + C ≤ 0. */
interface RowQuadric {
  readonly c: Vec3;
  readonly q: Quadric['q'];
  /** Q·e_i (patient step along i) and eᵢᵀ Q eᵢ. */
  readonly qe: Vec3;
  readonly a: number;
  readonly clips: readonly { readonly n: Vec3; readonly offset: number; readonly step: number }[];
}

function prepare(shape: PhantomShape, ei: Vec3, clips: readonly HalfSpace[] = []): RowQuadric {
  const { c, q } = quadricOf(shape);
  const qe: Vec3 = [q[0] * ei[0] + q[1] * ei[1] + q[2] * ei[2], q[1] * ei[0] + q[3] * ei[1] + q[4] * ei[2], q[2] * ei[0] + q[4] * ei[1] + q[5] * ei[2]];
  return {
    c,
    q,
    qe,
    a: dot(ei, qe),
    clips: clips.map((h) => ({ n: h.normal, offset: h.offset, step: dot(h.normal, ei) })),
  };
}

/**
 * Writes into `out` the inclusive index range [lo, hi] of the row starting at patient point p0 (voxel i = 0)
 * whose voxel centres are inside the shape; returns false when the row misses the shape.
 */
function rowInterval(r: RowQuadric, p0x: number, p0y: number, p0z: number, nx: number, out: Int32Array): boolean {
  const dx = p0x - r.c[0];
  const dy = p0y - r.c[1];
  const dz = p0z - r.c[2];
  const b = 2 * (r.qe[0] * dx + r.qe[1] * dy + r.qe[2] * dz);
  const c = quadForm(r.q, dx, dy, dz) - 1;
  let lo: number;
  let hi: number;
  if (r.a > 0) {
    const disc = b * b - 4 * r.a * c;
    if (disc < 0) return false;
    const root = Math.sqrt(disc);
    lo = Math.ceil((-b - root) / (2 * r.a));
    hi = Math.floor((-b + root) / (2 * r.a));
  } else {
    // The row runs along a cylinder's axis: the whole row is in or out.
    if (c > 0) return false;
    lo = 0;
    hi = nx - 1;
  }
  for (const h of r.clips) {
    // n·(p0 + i·e) ≥ offset  ⇔  i·step ≥ offset − n·p0
    const rhs = h.offset - (h.n[0] * p0x + h.n[1] * p0y + h.n[2] * p0z);
    const s = h.step;
    if (s > 0) lo = Math.max(lo, Math.ceil(rhs / s));
    else if (s < 0) hi = Math.min(hi, Math.floor(rhs / s));
    else if (rhs > 0) return false;
  }
  if (lo < 0) lo = 0;
  if (hi > nx - 1) hi = nx - 1;
  if (lo > hi) return false;
  out[0] = lo;
  out[1] = hi;
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Generation

interface Layer {
  readonly shape: PhantomShape;
  readonly hu: number;
  readonly clips?: readonly HalfSpace[];
}

/** Image layers in painting order: a later layer overwrites an earlier one where they overlap. */
function layers(an: PhantomAnatomy): Layer[] {
  return [
    { shape: an.body, hu: PHANTOM_HU.fat },
    { shape: an.muscleWall, hu: PHANTOM_HU.softTissue },
    { shape: an.lungLeft, hu: PHANTOM_HU.lung },
    { shape: an.lungRight, hu: PHANTOM_HU.lung },
    ...(an.collapsedLobe ? [{ shape: an.collapsedLobe.lung, hu: PHANTOM_HU.collapsedLung, clips: an.collapsedLobe.bounds }] : []),
    { shape: an.heart, hu: PHANTOM_HU.heart },
    { shape: an.trachea, hu: PHANTOM_HU.air, clips: [an.tracheaLowerEnd] },
    { shape: an.esophagus, hu: PHANTOM_HU.esophagus },
    { shape: an.vertebralBody, hu: PHANTOM_HU.bone },
    { shape: an.vertebralArch, hu: PHANTOM_HU.bone },
    { shape: an.spinalCanal, hu: PHANTOM_HU.csf },
    { shape: an.spinalCord, hu: PHANTOM_HU.spinalCord },
    { shape: an.gtv, hu: PHANTOM_HU.gtv },
  ];
}

const isVec3 = (x: unknown): x is Vec3 => Array.isArray(x) && x.length === 3 && x.every((n) => typeof n === 'number' && Number.isFinite(n));

/**
 * Generates the synthetic thorax CT: an Int16 HU volume on the requested grid with Gaussian noise from a
 * seeded generator, its ground-truth structures (External, Lung_L, Lung_R, SpinalCord, Heart, Esophagus,
 * GTV; a voxel is inside when its centre is inside the analytic shape) and each structure's exact analytic
 * volume clipped to the field of view. The anatomy lives in patient coordinates, so any `direction` (oblique
 * included) samples the same anatomy. The same options and seed always give identical voxels and masks; a
 * different seed changes only the noise. UIDs are fresh on every call. Throws a PhantomError when the field
 * of view cuts a structure in a way that has no closed-form volume (too small a field of view).
 */
export function generatePhantom(options: PhantomOptions = {}): Phantom {
  const dimensions = options.dimensions ?? DEFAULT_PHANTOM_DIMENSIONS;
  const spacing = options.spacing ?? DEFAULT_PHANTOM_SPACING;
  const direction = options.direction ?? IDENTITY;
  const center = options.center ?? DEFAULT_PHANTOM_CENTER;
  const seed = options.seed ?? 1;
  const noiseHu = options.noiseHu ?? 10;
  if (!isVec3(center)) throw new PhantomError('center must be three finite numbers (mm)');
  if (!Number.isInteger(seed)) throw new PhantomError(`seed must be an integer, got ${seed}`);
  if (!(noiseHu >= 0) || !Number.isFinite(noiseHu)) throw new PhantomError(`noiseHu must be a non-negative number, got ${noiseHu}`);

  // Centre the grid on the anatomy unless an origin is given: origin = centre − L·(n − 1)/2.
  const provisional: ImageGeometry = { dimensions, spacing, direction, origin: [0, 0, 0] };
  validateGeometry(provisional);
  const lin = new GridTransform(provisional).linear;
  const half: Vec3 = [(dimensions[0] - 1) / 2, (dimensions[1] - 1) / 2, (dimensions[2] - 1) / 2];
  const origin: Vec3 = options.origin ?? [
    center[0] - (lin[0] * half[0] + lin[3] * half[1] + lin[6] * half[2]),
    center[1] - (lin[1] * half[0] + lin[4] * half[1] + lin[7] * half[2]),
    center[2] - (lin[2] * half[0] + lin[5] * half[1] + lin[8] * half[2]),
  ];
  const geometry: ImageGeometry = { dimensions, spacing, direction, origin };
  validateGeometry(geometry);

  const anatomy = thoraxAnatomy(center, { collapsedLobe: options.collapsedLobe });
  const shapes: Record<string, PhantomShape> = {};
  const analyticVolumesCc: Record<string, number> = {};
  for (const spec of PHANTOM_STRUCTURES) {
    const shape = anatomy[spec.shape] as PhantomShape;
    shapes[spec.name] = shape;
    analyticVolumesCc[spec.name] = clippedShapeVolumeMm3(shape, geometry, spec.name) / 1000;
  }

  const [nx, ny, nz] = dimensions;
  const plane = nx * ny;
  const ei: Vec3 = [lin[0], lin[1], lin[2]];
  const ej: Vec3 = [lin[3], lin[4], lin[5]];
  const ek: Vec3 = [lin[6], lin[7], lin[8]];
  const paint = layers(anatomy).map((l) => ({ row: prepare(l.shape, ei, l.clips), hu: l.hu }));
  const rasters = PHANTOM_STRUCTURES.map(() => new Uint8Array(plane));
  const structureRows = PHANTOM_STRUCTURES.map((s) => prepare(shapes[s.name], ei));
  const masks = PHANTOM_STRUCTURES.map(() => new BinaryMask(dimensions));

  const data = new Int16Array(plane * nz);
  const table = noiseHu > 0 ? noiseTable(noiseHu) : null;
  const random = mulberry32(seed);
  const span = new Int32Array(2);
  // Per structure and slice: the row intervals inside it, reused to write the mask.
  const runs: number[][] = PHANTOM_STRUCTURES.map(() => []);

  for (let k = 0; k < nz; k++) {
    const slice = data.subarray(k * plane, (k + 1) * plane);
    slice.fill(PHANTOM_HU.air);
    for (const r of runs) r.length = 0;
    for (let j = 0; j < ny; j++) {
      // Patient position of voxel (0, j, k): computed directly, not accumulated, so no drift across the grid.
      const px = origin[0] + j * ej[0] + k * ek[0];
      const py = origin[1] + j * ej[1] + k * ek[1];
      const pz = origin[2] + j * ej[2] + k * ek[2];
      const row = j * nx;
      for (const layer of paint) {
        if (rowInterval(layer.row, px, py, pz, nx, span)) slice.fill(layer.hu, row + span[0], row + span[1] + 1);
      }
      for (let s = 0; s < structureRows.length; s++) {
        if (rowInterval(structureRows[s], px, py, pz, nx, span)) runs[s].push(row + span[0], row + span[1]);
      }
    }
    if (table) {
      for (let p = 0; p < plane; p += 2) {
        const bits = random();
        let v = slice[p] + table[bits & 0xffff];
        slice[p] = v < HU_MIN ? HU_MIN : v > HU_MAX ? HU_MAX : v;
        if (p + 1 < plane) {
          v = slice[p + 1] + table[bits >>> 16];
          slice[p + 1] = v < HU_MIN ? HU_MIN : v > HU_MAX ? HU_MAX : v;
        }
      }
    }
    for (let s = 0; s < runs.length; s++) {
      const rs = runs[s];
      if (rs.length === 0) continue;
      let count = 0;
      for (let r = 0; r < rs.length; r += 2) count += rs[r + 1] - rs[r] + 1;
      const mask = masks[s];
      if (count * 16 < plane) {
        // Small cross-sections (cord, GTV): setting voxels costs less than scanning a whole slice.
        for (let r = 0; r < rs.length; r += 2) {
          const j = Math.floor(rs[r] / nx);
          for (let p = rs[r]; p <= rs[r + 1]; p++) mask.set(p - j * nx, j, k, true);
        }
      } else {
        const raster = rasters[s];
        raster.fill(0);
        for (let r = 0; r < rs.length; r += 2) raster.fill(1, rs[r], rs[r + 1] + 1);
        mask.writeAxial(k, raster, false);
      }
    }
  }

  const structures = PHANTOM_STRUCTURES.map((spec, s) => {
    masks[s].compact();
    return createStructure({
      name: spec.name,
      standardName: spec.name,
      color: spec.color,
      interpretedType: spec.interpretedType,
      provenance: { algorithm: 'MANUAL', source: 'phantom', version: '1' },
      mask: masks[s],
    });
  });

  const volume = new Volume({
    ...geometry,
    data,
    modality: 'CT',
    name: `Delineo thorax phantom (seed ${seed})`,
    identity: {
      studyInstanceUid: newUid(),
      seriesInstanceUid: newUid(),
      frameOfReferenceUid: newUid(),
      sopInstanceUids: Array.from({ length: nz }, () => newUid()),
      sopClassUid: CT_IMAGE_STORAGE,
      patientName: 'Phantom^Thorax',
      patientId: `DELINEO-PHANTOM-${seed}`,
      patientSex: 'O',
      studyDescription: 'Delineo synthetic thorax phantom',
      seriesDescription: `Phantom CT, seed ${seed}`,
      seriesNumber: 1,
    },
  });
  return { volume, structures, analyticVolumesCc, center, anatomy, shapes, seed };
}

/**
 * A direction matrix for an oblique test grid: the axial orientation rotated by `degrees` about the patient x
 * axis and then by `degrees` about the patient y axis. Used by the CLI's `--oblique` and by tests, so both
 * mean the same orientation.
 */
export function obliqueDirection(degrees: number): Mat3 {
  return mulMat3(rotation([1, 0, 0], degrees), rotation([0, 1, 0], degrees));
}
