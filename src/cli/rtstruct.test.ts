import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BinaryMask } from '../domain/mask.ts';
import { resampleVolume } from '../domain/resample.ts';
import { Volume } from '../domain/volume.ts';
import { dciodvfy } from '../../test/helpers/external-tools.ts';
import { readMaskOnGrid } from '../../test/helpers/rtstruct.ts';
import { parseRtstruct } from '../io/dicom/rtstruct-reader.ts';
import { readVolumeNifti, writeVolumeNifti } from '../io/itk/nifti.ts';
import { labelMasks, parseNames } from './rtstruct.ts';
import { main } from './main.ts';

const scratch = mkdtempSync(join(tmpdir(), 'delineo-cli-rtstruct-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function capture(): {
  io: { log: (l: string) => void; error: (l: string) => void };
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { log: (l) => out.push(l), error: (l) => err.push(l) }, out, err };
}

const NAMES = 'External,Lung_L,Lung_R,SpinalCord,Heart,Esophagus,GTV';

describe('delineo export / import', () => {
  const ph = join(scratch, 'phantom');
  const rs = join(scratch, 'rs.dcm');
  let labels: Volume;
  before(async () => {
    const c = capture();
    assert.equal(
      await main(
        ['phantom', '--out', ph, '--size', '96x96x24', '--spacing', '5.2x5.2x11', '--noise', '0'],
        c.io,
      ),
      0,
      c.err.join('\n'),
    );
    labels = await readVolumeNifti(join(ph, 'labels.nii.gz'), 'LABELS');
  });

  it('exports a label map as an RT Structure Set dciodvfy accepts, naming labels in order', async () => {
    const c = capture();
    const code = await main(
      [
        'export',
        '--ct',
        join(ph, 'ct'),
        '--labels',
        join(ph, 'labels.nii.gz'),
        '--names',
        NAMES,
        '--out',
        rs,
        '--operator',
        'Doe^Jane',
      ],
      c.io,
    );
    assert.equal(code, 0, c.err.join('\n'));
    assert.deepEqual(dciodvfy(rs).errors, []);
    const parsed = parseRtstruct(readFileSync(rs), rs);
    assert.deepEqual(
      parsed.rois.map((r) => [r.name, r.interpretedType, r.generationAlgorithm, r.generationDescription]),
      NAMES.split(',').map((n) => [
        n,
        n === 'External' ? 'EXTERNAL' : n === 'GTV' ? 'GTV' : 'ORGAN',
        'AUTOMATIC',
        'Delineo auto-contour: labels.nii.gz',
      ]),
    );
    assert.ok(c.out[0].startsWith(`wrote ${rs}: 7 ROIs`));
  });

  it('imports it back into one NIfTI per ROI equal to the label map, with a manifest', async () => {
    const out = join(scratch, 'imported');
    const c = capture();
    const code = await main(['import', '--ct', join(ph, 'ct'), '--rtstruct', rs, '--out-dir', out], c.io);
    assert.equal(code, 0, c.err.join('\n'));
    assert.deepEqual(c.err, [], 'no warnings for our own file');
    const manifest = JSON.parse(readFileSync(join(out, 'structures.json'), 'utf8')) as {
      structures: { name: string; file: string; standardName: string; provenance: { algorithm: string } }[];
      warnings: unknown[];
    };
    assert.deepEqual(
      manifest.structures.map((s) => s.name),
      NAMES.split(','),
    );
    const masks = labelMasks(labels);
    for (const [n, s] of manifest.structures.entries()) {
      assert.equal(s.standardName, s.name);
      assert.equal(s.provenance.algorithm, 'AUTOMATIC');
      const { mask, sameGrid } = await readMaskOnGrid(join(out, s.file), labels);
      assert.ok(sameGrid);
      assert.ok(mask.equals(masks.get(n + 1)!), `${s.name} equals label ${n + 1}`);
    }
  });

  it('resamples a label map on another grid onto the CT (nearest neighbour) and says so', async () => {
    const coarse = resampleVolume(
      labels,
      {
        ...labels.geometry,
        dimensions: [48, 48, 12],
        spacing: [10.4, 10.4, 22],
        origin: [labels.origin[0] + 2.6, labels.origin[1] + 2.6, labels.origin[2] + 5.5],
      },
      { interpolation: 'nearest', fill: 0 },
    );
    const path = join(scratch, 'coarse.nii.gz');
    await writeVolumeNifti(coarse, path);
    const c = capture();
    const code = await main(
      [
        'export',
        '--ct',
        join(ph, 'ct'),
        '--labels',
        path,
        '--names',
        '7=GTV,1=External',
        '--out',
        join(scratch, 'coarse.dcm'),
      ],
      c.io,
    );
    assert.equal(code, 0, c.err.join('\n'));
    assert.ok(c.err.some((l) => /resampled onto the CT grid/.test(l)));
    const names = parseRtstruct(readFileSync(join(scratch, 'coarse.dcm'))).rois.map((r) => r.name);
    assert.deepEqual(names, ['External', 'Label_2', 'Label_3', 'Label_4', 'Label_5', 'Label_6', 'GTV']);
  });

  it('exits 2 on a malformed command line and 1 on a failed job, with the reason on stderr', async () => {
    const cases: [string[], number, RegExp][] = [
      [['export', '--ct', join(ph, 'ct')], 2, /--labels <file> is required/],
      [['export', '--bogus'], 2, /Unknown option/],
      [
        [
          'export',
          '--ct',
          join(ph, 'ct'),
          '--labels',
          join(ph, 'labels.nii.gz'),
          '--out',
          join(scratch, 'x.dcm'),
          '--algorithm',
          'GUESSED',
        ],
        2,
        /--algorithm/,
      ],
      [
        [
          'export',
          '--ct',
          join(ph, 'ct'),
          '--labels',
          join(ph, 'labels.nii.gz'),
          '--out',
          join(scratch, 'x.dcm'),
          '--names',
          '1=A,1=B',
        ],
        2,
        /named twice/,
      ],
      [
        [
          'export',
          '--ct',
          join(scratch, 'nowhere'),
          '--labels',
          join(ph, 'labels.nii.gz'),
          '--out',
          join(scratch, 'x.dcm'),
        ],
        1,
        /nowhere/,
      ],
      [['import', '--ct', join(ph, 'ct'), '--out-dir', join(scratch, 'y')], 2, /holds no RT Structure Set/],
      [
        [
          'import',
          '--ct',
          join(ph, 'ct'),
          '--rtstruct',
          join(scratch, 'missing.dcm'),
          '--out-dir',
          join(scratch, 'y'),
        ],
        1,
        /missing\.dcm/,
      ],
      [
        [
          'import',
          '--ct',
          join(ph, 'ct'),
          '--rtstruct',
          join(ph, 'ct', 'CT.0001.dcm'),
          '--out-dir',
          join(scratch, 'y'),
        ],
        1,
        /not an RT Structure Set/,
      ],
    ];
    for (const [argv, expected, message] of cases) {
      const c = capture();
      const code = await main(argv, c.io);
      assert.equal(code, expected, `${argv.join(' ')}: ${c.err.join('\n')}`);
      assert.match(c.err.join('\n'), message);
    }
    assert.equal(existsSync(join(scratch, 'x.dcm')), false, 'nothing is written when the job fails');
  });

  it('refuses a structure set from another frame of reference through the real binary (exit 1, stderr)', () => {
    const other = join(scratch, 'other');
    let r = spawnSync(
      process.execPath,
      [
        'bin/delineo.js',
        'phantom',
        '--out',
        other,
        '--size',
        '64x64x8',
        '--spacing',
        '7.8x7.8x30',
        '--format',
        'dicom',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    r = spawnSync(
      process.execPath,
      [
        'bin/delineo.js',
        'import',
        '--ct',
        join(other, 'ct'),
        '--rtstruct',
        rs,
        '--out-dir',
        join(scratch, 'z'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /^delineo import: .*rs\.dcm: the structure set is in Frame of Reference .* but the CT is in /m,
    );
    assert.equal(r.stdout, '');
  });

  it('of several structure sets in the CT folder, imports the one on this CT and says why the other was not', async () => {
    const dir = join(scratch, 'two-rtstructs');
    cpSync(join(ph, 'ct'), dir, { recursive: true });
    copyFileSync(rs, join(dir, 'ours.dcm'));
    copyFileSync(join(import.meta.dirname, '../../../shared/data/nsclc-lung1-001/dicom/2.dcm'), join(dir, 'other-patient.dcm'));
    const c = capture();
    const code = await main(['import', '--ct', dir, '--out-dir', join(scratch, 'two-out')], c.io);
    assert.equal(code, 0, c.err.join('\n'));
    assert.match(c.out.join('\n'), /from .*ours\.dcm/);
    assert.ok(c.err.some((l) => /holds 2 RT Structure Sets\. ours\.dcm .*was loaded: it was drawn on this CT series/.test(l)), c.err.join('\n'));
    assert.ok(c.err.some((l) => /other-patient\.dcm not loaded: it is on another Frame of Reference/.test(l)), c.err.join('\n'));
  });
});

describe('CLI helpers', () => {
  it('parses --names in both forms', () => {
    assert.deepEqual(
      [...parseNames('A, B,C')],
      [
        [1, 'A'],
        [2, 'B'],
        [3, 'C'],
      ],
    );
    assert.deepEqual(
      [...parseNames('3=GTV,10=Lung_L')],
      [
        [3, 'GTV'],
        [10, 'Lung_L'],
      ],
    );
    assert.throws(() => parseNames('A,,B'), /empty/);
  });

  for (const [Type, width] of [[Uint16Array, 37], [Uint8Array, 36]] as const)
    it(`splits an interleaved label map into exactly the voxels of each label (${Type.name}, ${width} wide)`, () => {
      // Labels whose extents on a slice overlap (rings, stripes, scattered voxels) and that start and stop
      // mid-volume: each mask must hold exactly the voxels carrying its value.
      const dims: [number, number, number] = [width, 29, 21];
      const data = new Type(dims[0] * dims[1] * dims[2]);
      let seed = 7;
      const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
      for (let k = 3; k < dims[2]; k++)
        for (let j = 0; j < dims[1]; j++)
          for (let i = 0; i < dims[0]; i++) {
            const r = Math.hypot(i - 18, j - 14);
            data[i + dims[0] * (j + dims[1] * k)] = r < 4 ? 1 : r < 8 ? 2 : (i + j) % 5 === 0 && k < 15 ? 3 : rand() < 0.02 ? 4 : 0;
          }
      const v = new Volume({ dimensions: dims, spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data, modality: 'LABELS' });
      const masks = labelMasks(v);
      assert.deepEqual([...masks.keys()], [1, 2, 3, 4]);
      for (const [label, mask] of masks) {
        const expected = BinaryMask.fromDense(dims, Uint8Array.from(data, (x) => (x === label ? 1 : 0)));
        assert.ok(expected.count() > 0);
        assert.ok(mask.equals(expected), `label ${label}: ${mask.count()} voxels, expected ${expected.count()}`);
      }
    });

  it('splits a label map into one mask per label and refuses non-integer labels', () => {
    const data = new Float32Array([0, 1, 1, 2, 0, 2, 2, 0]);
    const v = new Volume({
      dimensions: [2, 2, 2],
      spacing: [1, 1, 1],
      origin: [0, 0, 0],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      data,
      modality: 'LABELS',
    });
    const m = labelMasks(v);
    assert.deepEqual([...m.keys()], [1, 2]);
    assert.equal(m.get(1)!.count(), 2);
    assert.equal(m.get(2)!.count(), 3);
    data[0] = 1.5;
    assert.throws(() => labelMasks(v), /non-negative integers/);
  });
});
