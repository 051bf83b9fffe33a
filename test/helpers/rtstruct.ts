/**
 * Independent checks of the RT Structure Sets we write: pydicom (strict) re-reads them and checks each
 * contour against the CT image it references; plastimatch rasterises them onto the CT; masks are compared by
 * Dice. Used by the RTSTRUCT tests and the benchmark. Node-only.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sameGrid, type ImageGeometry } from '../../src/domain/geometry.ts';
import { BinaryMask } from '../../src/domain/mask.ts';
import { resampleVolume } from '../../src/domain/resample.ts';
import { readVolumeNifti } from '../../src/io/itk/nifti.ts';
import { runPythonJson, runTool } from './external-tools.ts';

/** Dice coefficient 2|A∩B| / (|A| + |B|) of two masks on the same grid; 1 for two empty masks. */
export function dice(a: BinaryMask, b: BinaryMask): number {
  const na = a.count();
  const nb = b.count();
  if (na + nb === 0) return 1;
  return (2 * a.clone().combine(b, 'intersect').count()) / (na + nb);
}

/** What pydicom finds in one RT Structure Set checked against the CT folder it references. */
export interface PydicomRtstructCheck {
  readonly rs: string;
  readonly rois: {
    number: number;
    name: string;
    contours: number;
    algorithm: string;
    description: string;
    type: string;
    color: number[];
  }[];
  readonly contours: number;
  readonly points: number;
  /** Contours whose referenced SOP Instance UID is not a file of the CT folder. */
  readonly badReferences: number;
  /** Contours without a Contour Image Sequence. */
  readonly unreferenced: number;
  /** Largest distance (mm) of a contour point from the plane of the image it references. */
  readonly maxPlaneDistanceMm: number;
  /** Largest distance (pixels) of a contour point outside its image's edge (≤ 0 when all are inside). */
  readonly maxOutsidePixels: number;
  /** SOP Instance UIDs of the CT folder missing from the RT Referenced Series' Contour Image Sequence. */
  readonly unlistedImages: number;
  readonly sameStudy: boolean;
  readonly samePatient: boolean;
  readonly sameFrameOfReference: boolean;
  /** Contour Data elements whose VR is not DS (dcmjs re-types a DS over 64 KiB as UN in Explicit VR). */
  readonly nonDsContourData: number;
  /** Points of the longest contour. */
  readonly maxContourPoints: number;
  /** Contours per orientation about the image normal: counter-clockwise (outer) and clockwise (holes). */
  readonly counterClockwise: number;
  readonly clockwise: number;
}

// pydicom in strict mode: a value that breaks its VR (a DS over 16 characters, a malformed UID) raises.
const CHECK = `
import json, os, sys
import numpy as np
import pydicom
from pydicom import config
config.settings.reading_validation_mode = config.RAISE
CT_TAGS = ['SOPInstanceUID', 'Modality', 'ImagePositionPatient', 'ImageOrientationPatient', 'PixelSpacing', 'Rows', 'Columns',
           'StudyInstanceUID', 'SeriesInstanceUID', 'PatientID', 'FrameOfReferenceUID', 'SpecificCharacterSet']
out = []
for pair in json.loads(sys.argv[1]):
    rs = pydicom.dcmread(pair['rs'])
    cts = {}
    for f in os.listdir(pair['ct']):
        ds = pydicom.dcmread(os.path.join(pair['ct'], f), stop_before_pixels=True, force=True, specific_tags=CT_TAGS)
        if ds.get('Modality') == 'CT':
            cts[ds.SOPInstanceUID] = ds
    first = next(iter(cts.values()))
    series = rs.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0].RTReferencedSeriesSequence[0]
    listed = set(c.ReferencedSOPInstanceUID for c in series.ContourImageSequence)
    names = {r.ROINumber: r for r in rs.StructureSetROISequence}
    types = {o.ReferencedROINumber: o.RTROIInterpretedType for o in rs.RTROIObservationsSequence}
    res = dict(rs=pair['rs'], rois=[], contours=0, points=0, badReferences=0, unreferenced=0, maxPlaneDistanceMm=0.0,
               maxOutsidePixels=-1e9, unlistedImages=len(set(cts) - listed), counterClockwise=0, clockwise=0, nonDsContourData=0, maxContourPoints=0,
               sameStudy=rs.StudyInstanceUID == first.StudyInstanceUID, samePatient=rs.PatientID == first.PatientID,
               sameFrameOfReference=rs.FrameOfReferenceUID == first.FrameOfReferenceUID
                 and series.SeriesInstanceUID == first.SeriesInstanceUID)
    for rc in rs.ROIContourSequence:
        roi = names[rc.ReferencedROINumber]
        cs = rc.get('ContourSequence', [])
        res['rois'].append(dict(number=int(roi.ROINumber), name=str(roi.ROIName), contours=len(cs),
                                algorithm=str(roi.ROIGenerationAlgorithm), description=str(roi.get('ROIGenerationDescription', '')),
                                type=str(types[rc.ReferencedROINumber]), color=[int(x) for x in rc.ROIDisplayColor]))
        for c in cs:
            res['contours'] += 1
            if c['ContourData'].VR != 'DS':
                res['nonDsContourData'] += 1
                continue
            p = np.array(c.ContourData, dtype=float).reshape(-1, 3)
            res['maxContourPoints'] = max(res['maxContourPoints'], len(p))
            assert int(c.NumberOfContourPoints) == len(p), 'NumberOfContourPoints disagrees with ContourData'
            assert c.ContourGeometricType == 'CLOSED_PLANAR'
            res['points'] += len(p)
            if 'ContourImageSequence' not in c:
                res['unreferenced'] += 1
                continue
            ct = cts.get(c.ContourImageSequence[0].ReferencedSOPInstanceUID)
            if ct is None:
                res['badReferences'] += 1
                continue
            o = np.array(ct.ImagePositionPatient, float)
            iop = np.array(ct.ImageOrientationPatient, float)
            r, col = iop[:3], iop[3:]
            n = np.cross(r, col)
            d = p - o
            res['maxPlaneDistanceMm'] = max(res['maxPlaneDistanceMm'], float(np.abs(d @ n).max()))
            ps = np.array(ct.PixelSpacing, float)
            x = d @ r / ps[1]
            y = d @ col / ps[0]
            res['maxOutsidePixels'] = max(res['maxOutsidePixels'], float(max((-0.5 - x).max(), (x - (int(ct.Columns) - 0.5)).max(), (-0.5 - y).max(), (y - (int(ct.Rows) - 0.5)).max())))
            area = 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
            res['counterClockwise' if area > 0 else 'clockwise'] += 1
    out.append(res)
print(json.dumps(out))
`;

/** Checks RT Structure Sets with pydicom against the CT folders they reference (one Python process for all). */
export function checkRtstructWithPydicom(
  pairs: readonly { rs: string; ct: string }[],
): PydicomRtstructCheck[] {
  return runPythonJson<PydicomRtstructCheck[]>(CHECK, [JSON.stringify(pairs)]);
}

/**
 * Rasterises an RT Structure Set with plastimatch onto the referenced CT (`plastimatch convert --input rs
 * --referenced-ct ct --output-prefix out --prefix-format nii.gz`, plus `--xor-contours` when `xor`), and returns
 * the NIfTI written per ROI name. plastimatch ORs a slice's contours unless told to XOR them.
 */
export function plastimatchRasterize(
  rs: string,
  ctDir: string,
  outDir: string,
  xor: boolean,
): Map<string, string> {
  const args = [
    'convert',
    '--input',
    rs,
    '--referenced-ct',
    ctDir,
    '--output-prefix',
    outDir,
    '--prefix-format',
    'nii.gz',
  ];
  if (xor) args.push('--xor-contours');
  const r = runTool('plastimatch', args, { timeoutMs: 300_000 });
  if (r.status !== 0)
    throw new Error(
      `plastimatch convert failed (exit ${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`,
    );
  const files = new Map<string, string>();
  for (const f of readdirSync(outDir))
    if (f.endsWith('.nii.gz')) files.set(f.slice(0, -'.nii.gz'.length), join(outDir, f));
  return files;
}

/**
 * Reads a mask NIfTI (any non-zero voxel inside) onto `geometry`: directly when it is on that grid, else by
 * nearest-neighbour resampling (itk-wasm reports NIfTI in LPS, so orientation is handled by the geometry).
 */
export async function readMaskOnGrid(
  path: string,
  geometry: ImageGeometry,
): Promise<{ mask: BinaryMask; sameGrid: boolean }> {
  let v = await readVolumeNifti(path, 'MASK');
  const same = sameGrid(v, geometry, 0.01);
  if (!same) v = resampleVolume(v, geometry, { interpolation: 'nearest', fill: 0 });
  return { mask: BinaryMask.fromDense(geometry.dimensions, v.data), sameGrid: same };
}
