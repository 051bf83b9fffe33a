// Surface meshing (viewer issue, 3D part): labelmap → smoothed closed surface in patient coordinates must take
// ≤ 300 ms median per organ at risk on real-size structures. Measures what the meshing worker runs for one
// structure (crop, marching cubes, windowed-sinc smoothing, normals, typed arrays out) on the thorax phantom
// at 512 × 512 × 134 with 0.977 × 0.977 × 3 mm voxels, a stage breakdown for the largest organ, vtk.js's own
// filters on the same input as the peer comparison, and the organs and targets of real head-and-neck
// patients (OpenKBP validation set, 128³ clinical masks) when ../shared/data is present.
import { existsSync, readFileSync } from 'node:fs';
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray.js';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData.js';
import vtkImageMarchingCubes from '@kitware/vtk.js/Filters/General/ImageMarchingCubes.js';
import vtkWindowedSincPolyDataFilter from '@kitware/vtk.js/Filters/General/WindowedSincPolyDataFilter.js';
import { BinaryMask, generatePhantom, marchingCubes, paddedCrop, surfaceFromMask, surfaceVolumeMm3, triangleCount, vertexNormals, voxelVolumeMm3, windowedSincSmooth, type ImageGeometry, readVolumeNifti } from '../src/node.ts';
import { gc, median } from './util.ts';
import { report } from './util.ts';

const RUNS = 7;
const TARGET_MS = 300;

/** Median and max of `runs` timed meshings of one mask, after one warm-up, with the surface's figures. */
async function measure(mask: BinaryMask, geometry: ImageGeometry, runs = RUNS) {
  await surfaceFromMask(mask, geometry); // warm-up (JIT)
  const ms: number[] = [];
  const cpu: number[] = [];
  let mesh = await surfaceFromMask(mask, geometry);
  for (let r = 0; r < runs; r++) {
    gc();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    mesh = await surfaceFromMask(mask, geometry);
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const voxelCc = (mask.count() * voxelVolumeMm3(geometry)) / 1000;
  const staircase = surfaceVolumeMm3(await surfaceFromMask(mask, geometry, { smoothing: 0 }));
  return {
    medianMs: +median(ms).toFixed(1),
    maxMs: +Math.max(...ms).toFixed(1),
    // CPU time of the process over the same runs: on a shared machine the wall clock also counts the time
    // other processes held the cores, this does not.
    medianCpuMs: +median(cpu).toFixed(1),
    triangles: triangleCount(mesh),
    vertices: mesh.points.length / 3,
    voxelCc: +voxelCc.toFixed(2),
    // Smoothing must keep the organ's volume: the surface's enclosed volume over the voxels' and over the
    // unsmoothed marching-cubes surface's (which cuts the voxels' corners), and the smoothing it took.
    meshToVoxelVolume: +(surfaceVolumeMm3(mesh) / 1000 / voxelCc).toFixed(4),
    meshToStaircaseVolume: +(surfaceVolumeMm3(mesh) / staircase).toFixed(4),
    smoothing: mesh.smoothing,
  };
}

/** vtk.js ImageMarchingCubes + WindowedSincPolyDataFilter with the same parameters, on the same crop. */
function vtkPipeline(mask: BinaryMask, geometry: ImageGeometry) {
  const crop = paddedCrop(mask)!;
  const image = vtkImageData.newInstance();
  image.setDimensions([...crop.dimensions]);
  image.setSpacing([...geometry.spacing]);
  image.getPointData().setScalars(vtkDataArray.newInstance({ values: crop.data, numberOfComponents: 1 }));
  const mc = vtkImageMarchingCubes.newInstance({
    contourValue: 0.5,
    computeNormals: false,
    mergePoints: true,
  });
  mc.setInputData(image);
  const { time, timeEnd } = console;
  console.time = console.timeEnd = () => {}; // vtk.js logs its own timing on every run
  try {
    const t0 = performance.now();
    const polyData = mc.getOutputData();
    const t1 = performance.now();
    const smoother = vtkWindowedSincPolyDataFilter.newInstance({
      numberOfIterations: 20,
      passBand: 0.01,
      boundarySmoothing: 0,
      nonManifoldSmoothing: 1,
      normalizeCoordinates: 1,
    });
    smoother.setInputData(polyData);
    smoother.getOutputData();
    const t2 = performance.now();
    smoother.delete();
    return {
      marchingCubesMs: +(t1 - t0).toFixed(0),
      smoothingMs: +(t2 - t1).toFixed(0),
      totalMs: +(t2 - t0).toFixed(0),
    };
  } finally {
    Object.assign(console, { time, timeEnd });
    mc.delete();
    image.delete();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Thorax phantom at clinical resolution.
const t0 = performance.now();
const phantom = generatePhantom({ dimensions: [512, 512, 134], spacing: [0.977, 0.977, 3], noiseHu: 0 });
const geometry = phantom.volume.geometry;
console.log(`phantom generated in ${(performance.now() - t0).toFixed(0)} ms`);
const byName = Object.fromEntries(phantom.structures.map((s) => [s.name, s]));
const OARS = ['Lung_L', 'Lung_R', 'Heart', 'SpinalCord', 'Esophagus', 'GTV'];

const phantomFigures: Record<string, Awaited<ReturnType<typeof measure>>> = {};
for (const name of [...OARS, 'External']) {
  phantomFigures[name] = await measure(byName[name].mask, geometry, name === 'External' ? 3 : RUNS);
  console.log(name, phantomFigures[name]);
}
const oarMedians = OARS.map((n) => phantomFigures[n].medianMs);

// Where the time of the largest organ goes.
const lung = byName.Lung_R.mask;
const stage = (f: () => unknown) => {
  const ms: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return +median(ms).toFixed(1);
};
const crop = paddedCrop(lung)!;
const indexMesh = marchingCubes(crop);
const smoothed = windowedSincSmooth(indexMesh.points, indexMesh.triangles);
const stagesLungR = {
  cropMs: stage(() => paddedCrop(lung)),
  marchingCubesMs: stage(() => marchingCubes(crop)),
  smoothingMs: stage(() => windowedSincSmooth(indexMesh.points, indexMesh.triangles)),
  normalsMs: stage(() => vertexNormals(smoothed, indexMesh.triangles)),
};
console.log('Lung_R stages', stagesLungR);
const vtkHeart = vtkPipeline(byName.Heart.mask, geometry);
const vtkLungR = vtkPipeline(lung, geometry);
console.log('vtk.js filters', { Heart: vtkHeart, Lung_R: vtkLungR });

// ---------------------------------------------------------------------------------------------------------
// Real clinical masks: OpenKBP validation patients (head and neck, 128³, 2.5–5.4 mm voxels).
const openKbpDir = new URL('../../shared/data/openkbp/validation/', import.meta.url);
let openKbp: Record<string, unknown> = { skipped: 'no ../shared/data/openkbp/validation' };
if (existsSync(openKbpDir)) {
  const index = JSON.parse(readFileSync(new URL('index.json', openKbpDir), 'utf8')) as {
    labels: Record<'oar' | 'ptv', Record<string, string>>;
    patients: Record<string, { structures: string[] }>;
  };
  const patients = Object.keys(index.patients).sort().slice(0, 10);
  const perStructure: {
    patient: string;
    name: string;
    ms: number;
    triangles: number;
    ratio: number;
    smoothing: number;
  }[] = [];
  for (const patient of patients) {
    for (const kind of ['oar', 'ptv'] as const) {
      const labels = await readVolumeNifti(new URL(`${patient}/${kind}.nii.gz`, openKbpDir).pathname, 'SEG');
      for (const [value, name] of Object.entries(index.labels[kind])) {
        if (!index.patients[patient].structures.includes(name)) continue;
        const mask = BinaryMask.fromDense(
          labels.dimensions,
          Uint8Array.from(labels.data, (v) => (v === Number(value) ? 1 : 0)),
        );
        if (mask.isEmpty()) continue;
        const m = await measure(mask, labels.geometry, 3);
        perStructure.push({
          patient,
          name,
          ms: m.medianMs,
          triangles: m.triangles,
          ratio: m.meshToStaircaseVolume,
          smoothing: m.smoothing,
        });
      }
    }
  }
  const ms = perStructure.map((p) => p.ms);
  const ratios = perStructure.map((p) => p.ratio);
  openKbp = {
    patients: patients.length,
    structures: perStructure.length,
    medianMs: +median(ms).toFixed(1),
    maxMs: +Math.max(...ms).toFixed(1),
    medianTriangles: median(perStructure.map((p) => p.triangles)),
    meshToStaircaseVolume: {
      median: +median(ratios).toFixed(4),
      min: Math.min(...ratios),
      max: Math.max(...ratios),
    },
    // How many structures kept the full smoothing, and how many needed less to keep their volume.
    smoothingApplied: perStructure.reduce<Record<string, number>>(
      (n, p) => ({ ...n, [p.smoothing]: (n[p.smoothing] ?? 0) + 1 }),
      {},
    ),
    slowest: perStructure.sort((a, b) => b.ms - a.ms).slice(0, 3),
  };
  console.log('OpenKBP', openKbp);
}

report('mesh', {
  what: 'surfaceFromMask per structure (crop + marching cubes + windowed-sinc 20 it., pass-band 0.01 + normals), Node, one thread',
  grid: '512x512x134 @ 0.977x0.977x3 mm (thorax phantom)',
  runs: RUNS,
  targetMs: TARGET_MS,
  oarMedianOfMediansMs: +median(oarMedians).toFixed(1),
  oarWorstMedianMs: Math.max(...oarMedians),
  oarWorstMedianCpuMs: Math.max(...OARS.map((n) => phantomFigures[n].medianCpuMs)),
  loadAverage: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)),
  withinTarget: oarMedians.every((ms) => ms <= TARGET_MS),
  phantom: phantomFigures,
  stagesLungR,
  vtkjsFilters: { Heart: vtkHeart, Lung_R: vtkLungR },
  openKbp,
});
