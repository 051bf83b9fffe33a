/**
 * Our RT Structure Sets against independent tools on real anatomy: plastimatch rasterises what we write, and
 * what clinical systems wrote, onto the CT; dciodvfy validates; pydicom re-reads in strict mode. Shares one set of
 * fixtures (phantom, OpenKBP patients written as DICOM CT, the NSCLC study) to keep the run short.
 *
 * OpenKBP patients: DELINEO_OPENKBP_PATIENTS=all runs every validation patient (33); the default runs four.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BinaryMask } from '../../domain/mask.ts';
import { createStructure, maskVolumeCc, type Structure } from '../../domain/structure.ts';
import { suggestStandardName } from '../../domain/tg263.ts';
import { Volume } from '../../domain/volume.ts';
import { generatePhantom, obliqueDirection } from '../../phantom/phantom.ts';
import { dciodvfy } from '../../../test/helpers/external-tools.ts';
import {
  checkRtstructWithPydicom,
  dice,
  plastimatchRasterize,
  readMaskOnGrid,
} from '../../../test/helpers/rtstruct.ts';
import { readVolumeNifti } from '../itk/nifti.ts';
import { loadDicomDirectory } from '../load-node.ts';
import { writeCtSeriesToDirectory } from './ct-writer-node.ts';
import { importRtstruct } from './rtstruct-reader.ts';
import { writeRtstruct } from './rtstruct-writer.ts';

const DATA = join(import.meta.dirname, '../../../../shared/data');
const scratch = mkdtempSync(join(tmpdir(), 'delineo-rtstruct-interop-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Every file we write, with its CT folder: dciodvfy and pydicom check them all at the end. */
const written: { rs: string; ct: string }[] = [];

/** Writes structures for a CT as an RTSTRUCT file, runs dciodvfy on it and remembers it for pydicom. */
function exportChecked(
  volume: Volume,
  structures: readonly Structure[],
  ctDir: string,
  path: string,
): ArrayBuffer {
  const r = writeRtstruct(volume, structures);
  writeFileSync(path, new Uint8Array(r.buffer));
  assert.deepEqual(dciodvfy(path).errors, [], `dciodvfy errors in ${path}`);
  written.push({ rs: path, ct: ctDir });
  return r.buffer;
}

/** Dice of each structure against plastimatch's rasterisation of `rs`; fails when a structure is missing. */
async function plastimatchDice(
  rs: string,
  ctDir: string,
  structures: readonly Structure[],
  volume: Volume,
  xor: boolean,
  tag: string,
): Promise<Map<string, number>> {
  const files = plastimatchRasterize(rs, ctDir, join(scratch, `pm-${tag}-${xor ? 'xor' : 'or'}`), xor);
  const out = new Map<string, number>();
  for (const s of structures) {
    const f = files.get(s.name);
    assert.ok(f, `plastimatch wrote no mask for ${s.name} (it wrote ${[...files.keys()].join(', ')})`);
    const { mask, sameGrid } = await readMaskOnGrid(f, volume);
    assert.ok(sameGrid, `plastimatch's ${s.name} is on the CT grid`);
    out.set(s.name, dice(s.mask, mask));
  }
  return out;
}

const fmt = (m: Map<string, number>): string => [...m].map(([n, d]) => `${n} ${d.toFixed(4)}`).join(', ');

/** A phantom CT on disk with the identity written. */
async function phantomCt(
  name: string,
  oblique = 0,
): Promise<{ volume: Volume; structures: Structure[]; ctDir: string }> {
  const ph = generatePhantom({
    dimensions: [160, 160, 56],
    spacing: [3.125, 3.125, 5],
    ...(oblique ? { direction: obliqueDirection(oblique) } : {}),
  });
  const ctDir = join(scratch, name, 'ct');
  const { identity } = await writeCtSeriesToDirectory(ph.volume, ctDir, { bodyPartExamined: 'CHEST' });
  return {
    volume: new Volume({ ...ph.volume.geometry, data: ph.volume.data, identity }),
    structures: ph.structures,
    ctDir,
  };
}

/** Structures as a label map holds them: each voxel belongs to the last structure containing it (External gets holes). */
function exclusive(structures: readonly Structure[]): Structure[] {
  return structures.map((s, n) => {
    const mask = s.mask.clone();
    for (const later of structures.slice(n + 1)) mask.combine(later.mask, 'subtract');
    return { ...s, mask };
  });
}

describe('phantom RTSTRUCT through plastimatch', () => {
  let axial: Awaited<ReturnType<typeof phantomCt>>;
  before(async () => {
    axial = await phantomCt('phantom');
  });

  it('plastimatch (default OR and --xor-contours) rasterises our contours back to our masks', async (t) => {
    const rs = join(scratch, 'phantom', 'rs.dcm');
    exportChecked(axial.volume, axial.structures, axial.ctDir, rs);
    for (const xor of [false, true]) {
      const d = await plastimatchDice(rs, axial.ctDir, axial.structures, axial.volume, xor, 'phantom');
      t.diagnostic(`phantom, plastimatch ${xor ? '--xor-contours' : 'default'}: ${fmt(d)}`);
      for (const [name, value] of d) assert.ok(value >= 0.98, `${name}: Dice ${value}`);
    }
  });

  it("holes: --xor-contours recovers them; plastimatch's default OR fills them (why we document XOR)", async (t) => {
    const structures = exclusive(axial.structures);
    const rs = join(scratch, 'phantom', 'rs-labels.dcm');
    exportChecked(axial.volume, structures, axial.ctDir, rs);
    const xor = await plastimatchDice(rs, axial.ctDir, structures, axial.volume, true, 'labels');
    const or = await plastimatchDice(rs, axial.ctDir, structures, axial.volume, false, 'labels');
    t.diagnostic(`label-map phantom, --xor-contours: ${fmt(xor)}`);
    t.diagnostic(`label-map phantom, default OR: ${fmt(or)}`);
    for (const [name, value] of xor) assert.ok(value >= 0.98, `${name}: Dice ${value}`);
    assert.ok(or.get('External')! < 0.95, "OR semantics fill the External's holes (the lungs, heart, …)");
    assert.ok(or.get('GTV')! >= 0.98, 'a structure without holes is the same either way');
  });

  it('oblique CT: plastimatch places our oblique-plane contours on the same voxels', async (t) => {
    const oblique = await phantomCt('oblique', 15);
    const rs = join(scratch, 'oblique', 'rs.dcm');
    exportChecked(oblique.volume, oblique.structures, oblique.ctDir, rs);
    const d = await plastimatchDice(rs, oblique.ctDir, oblique.structures, oblique.volume, true, 'oblique');
    t.diagnostic(`oblique 15° phantom, plastimatch --xor-contours: ${fmt(d)}`);
    for (const [name, value] of d) assert.ok(value >= 0.98, `${name}: Dice ${value}`);
  });
});

describe('OpenKBP head-and-neck masks: mask → RTSTRUCT → mask', () => {
  const root = join(DATA, 'openkbp/validation');
  const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as {
    labels: Record<string, Record<string, string>>;
    patients: Record<string, { structures: string[] }>;
  };
  const all = readdirSync(root)
    .filter((p) => p.startsWith('pt_'))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const patients = process.env.DELINEO_OPENKBP_PATIENTS === 'all' ? all : [all[0], all[8], all[16], all[24]];

  it(`round-trips every contoured structure of ${patients.length} validation patients (our import and plastimatch)`, async (t) => {
    const ours: number[] = [];
    const theirs: number[] = [];
    for (const pt of patients) {
      // OpenKBP has no DICOM: build the CT series from its NIfTI. Its affine diag(−sx, −sy, sz) is the identity
      // direction in LPS (itk-wasm converts), i right→left, j anterior→posterior, k inferior→superior.
      const ct = await readVolumeNifti(join(root, pt, 'ct.nii.gz'), 'CT');
      assert.deepEqual(
        [...ct.direction].map((x) => x + 0),
        [1, 0, 0, 0, 1, 0, 0, 0, 1],
        'OpenKBP CTs are axial LPS grids',
      );
      const ctDir = join(scratch, 'openkbp', pt, 'ct');
      const { identity } = await writeCtSeriesToDirectory(
        new Volume({ ...ct.geometry, data: ct.data }),
        ctDir,
        { patientId: pt, bodyPartExamined: 'HEADNECK' },
      );
      const volume = new Volume({ ...ct.geometry, data: ct.data, identity });
      const structures: Structure[] = [];
      for (const kind of ['oar', 'ptv'] as const) {
        const labels = await readVolumeNifti(join(root, pt, `${kind}.nii.gz`), 'LABELS');
        for (const [value, name] of Object.entries(index.labels[kind])) {
          if (!index.patients[pt].structures.includes(name)) continue; // not contoured for this patient: unknown, not absent
          const v = Number(value);
          const mask = BinaryMask.fromPredicate(
            volume.dimensions,
            (i, j, k) => labels.data[volume.offset(i, j, k)] === v,
          );
          if (mask.isEmpty()) continue;
          structures.push(
            createStructure({
              name,
              standardName: suggestStandardName(name),
              mask,
              interpretedType: kind === 'ptv' ? 'PTV' : 'ORGAN',
            }),
          );
        }
      }
      const rs = join(scratch, 'openkbp', pt, 'rs.dcm');
      const buffer = exportChecked(volume, structures, ctDir, rs);
      const imp = importRtstruct(buffer, volume, { file: rs });
      assert.deepEqual(imp.warnings, []);
      const pm = await plastimatchDice(rs, ctDir, structures, volume, true, `openkbp-${pt}`);
      for (const s of structures) {
        const d = dice(s.mask, imp.structures.find((x) => x.name === s.name)!.mask);
        ours.push(d);
        theirs.push(pm.get(s.name)!);
        assert.ok(d >= 0.99, `${pt} ${s.name}: our import Dice ${d}`);
        assert.ok(pm.get(s.name)! >= 0.98, `${pt} ${s.name}: plastimatch Dice ${pm.get(s.name)}`);
      }
      t.diagnostic(`${pt}: plastimatch --xor-contours ${fmt(pm)}`);
    }
    t.diagnostic(
      `${ours.length} structures: our import Dice min ${Math.min(...ours).toFixed(4)}; plastimatch Dice min ${Math.min(...theirs).toFixed(4)}, mean ${(theirs.reduce((a, b) => a + b, 0) / theirs.length).toFixed(4)}`,
    );
  });
});

describe('NSCLC Lung1-001 (XiO RTSTRUCT, stale contour image references)', () => {
  const study = join(DATA, 'nsclc-lung1-001/dicom');
  let ctDir: string;
  let volume: Volume;
  let structures: Structure[];
  before(async () => {
    // plastimatch wants a folder of the CT alone: link the 134 CT files (3.dcm … 136.dcm) into one.
    ctDir = join(scratch, 'nsclc-ct');
    mkdirSync(ctDir);
    for (let n = 3; n <= 136; n++) symlinkSync(join(study, `${n}.dcm`), join(ctDir, `${n}.dcm`));
    const ct = await loadDicomDirectory(ctDir);
    assert.equal(ct.kind, 'volume');
    if (ct.kind !== 'volume') return;
    volume = ct.volume;
  });

  it("imports with warnings, and each ROI volume agrees with plastimatch's rasterisation within 2 %", async (t) => {
    const rs = join(study, '2.dcm');
    const imp = importRtstruct(readFileSync(rs), volume, { file: '2.dcm' });
    structures = imp.structures;
    assert.deepEqual(
      imp.structures.map((s) => [s.name, s.standardName]),
      [
        ['Patient', 'External'],
        ['GTV-1', 'GTV_1'],
        ['PTV-1', 'PTV_1'],
        ['CTV-1', 'CTV_1'],
        ['1,SUV_primair', undefined],
        ['Spinal cord', 'SpinalCord'],
        ['Lung L', 'Lung_L'],
        ['Lung R', 'Lung_R'],
      ],
    );
    assert.equal(imp.markers.length, 9, 'I1–I4 and Isocenter 6–10 are points');
    assert.deepEqual(imp.markers.find((m) => m.name === 'I1')?.points, [[0.5, -210.5, -500]]);
    assert.deepEqual(imp.warnings.map((w) => w.code).sort(), [
      'duplicate-contour',
      'unmatched-image-reference',
    ]);
    // plastimatch's default (OR) is how XiO meant these: no ROI here has holes, and the SUV ROI's copies are duplicates.
    const files = plastimatchRasterize(rs, ctDir, join(scratch, 'pm-nsclc'), false);
    const lines: string[] = [];
    for (const s of imp.structures) {
      const { mask, sameGrid } = await readMaskOnGrid(files.get(s.name)!, volume);
      assert.ok(sameGrid);
      const a = maskVolumeCc(s.mask, volume);
      const b = maskVolumeCc(mask, volume);
      const d = dice(s.mask, mask);
      lines.push(`${s.name} ${a.toFixed(2)} cc vs plastimatch ${b.toFixed(2)} cc (Dice ${d.toFixed(4)})`);
      assert.ok(Math.abs(a - b) <= 0.02 * b, `${s.name}: ${a} cc vs plastimatch ${b} cc`);
    }
    t.diagnostic(lines.join('; '));
  });

  it('re-exports the clinical structures on the real CT: dciodvfy clean, exact round trip, plastimatch agrees', async (t) => {
    const rs = join(scratch, 'nsclc-rs.dcm');
    const buffer = exportChecked(volume, structures, ctDir, rs);
    const imp = importRtstruct(buffer, volume, { file: rs });
    assert.deepEqual(
      imp.warnings.map((w) => w.code),
      ['empty-roi'].filter(() => structures.some((s) => s.mask.isEmpty())),
    );
    for (const s of structures)
      assert.ok(imp.structures.find((x) => x.name === s.name)!.mask.equals(s.mask), s.name);
    const d = await plastimatchDice(rs, ctDir, structures, volume, true, 'nsclc-ours');
    t.diagnostic(`NSCLC re-export, plastimatch --xor-contours: ${fmt(d)}`);
    for (const [name, value] of d) assert.ok(value >= 0.98, `${name}: Dice ${value}`);
  });
});

describe('every RTSTRUCT written above', () => {
  it('is read by pydicom in strict mode, each contour in the plane of the image it references', () => {
    assert.ok(written.length >= 5, 'the suites above wrote their files');
    for (const c of checkRtstructWithPydicom(written)) {
      assert.equal(c.badReferences + c.unreferenced + c.unlistedImages + c.nonDsContourData, 0, c.rs);
      assert.ok(c.maxPlaneDistanceMm < 2e-3, `${c.rs}: ${c.maxPlaneDistanceMm} mm`);
      assert.ok(c.maxOutsidePixels <= 2e-3, `${c.rs}: ${c.maxOutsidePixels} px`);
      assert.ok(c.sameStudy && c.samePatient && c.sameFrameOfReference, c.rs);
    }
  });
});
