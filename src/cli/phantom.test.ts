import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPythonJson, runTool } from '../../test/helpers/external-tools.ts';
import { main } from './main.ts';
import { phantomCommand } from './phantom.ts';

const scratch = mkdtempSync(join(tmpdir(), 'delineo-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Captures what a command prints. */
function capture(): { io: { log: (l: string) => void; error: (l: string) => void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { log: (l) => out.push(l), error: (l) => err.push(l) }, out, err };
}

interface Manifest {
  seed: number;
  obliqueDegrees: number;
  geometry: { dimensions: number[]; spacing: number[]; origin: number[]; direction: number[] };
  identity: { seriesInstanceUid: string; sopInstanceUids: string[] };
  structures: { name: string; label: number; analyticVolumeCc: number; voxelVolumeCc: number; mask: string }[];
}

describe('delineo phantom', () => {
  const out = join(scratch, 'both');

  it('writes DICOM, NIfTI, per-structure masks, a label map and a manifest', async () => {
    const c = capture();
    const code = await phantomCommand(['--out', out, '--format', 'both', '--size', '96x96x12', '--spacing', '4x4x6', '--oblique', '10', '--seed', '9'], c.io);
    assert.equal(code, 0, c.err.join('\n'));
    assert.equal(readdirSync(join(out, 'ct')).length, 12);
    assert.ok(existsSync(join(out, 'ct.nii.gz')));
    assert.ok(existsSync(join(out, 'labels.nii.gz')));
    const manifest = JSON.parse(readFileSync(join(out, 'phantom.json'), 'utf8')) as Manifest;
    assert.equal(manifest.seed, 9);
    assert.equal(manifest.obliqueDegrees, 10);
    assert.deepEqual(manifest.geometry.dimensions, [96, 96, 12]);
    assert.deepEqual(
      manifest.structures.map((s) => s.name),
      ['External', 'Lung_L', 'Lung_R', 'SpinalCord', 'Heart', 'Esophagus', 'GTV'],
    );
    for (const s of manifest.structures) {
      assert.ok(existsSync(join(out, s.mask)), s.mask);
      assert.ok(s.analyticVolumeCc > 0 && s.voxelVolumeCc > 0, s.name);
    }
    assert.equal(manifest.identity.sopInstanceUids.length, 12);
    assert.ok(c.out.some((l) => l.includes('GTV')));
  });

  it('writes a DICOM series that plastimatch converts to exactly our NIfTI (same affine, same voxels)', () => {
    const converted = join(scratch, 'plastimatch.nii.gz');
    const r = runTool('plastimatch', ['convert', '--input', join(out, 'ct'), '--output-img', converted], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const cmp = runPythonJson<{ shapes: number[][]; affineDiff: number; voxelDiff: number }>(
      `
import json, sys
import nibabel as nib, numpy as np
a, b = nib.load(sys.argv[1]), nib.load(sys.argv[2])
da, db = np.asarray(a.dataobj).astype(np.float64), np.asarray(b.dataobj).astype(np.float64)
print(json.dumps(dict(shapes=[list(da.shape), list(db.shape)], affineDiff=float(np.abs(a.affine - b.affine).max()),
    voxelDiff=float(np.abs(da - db).max()) if da.shape == db.shape else -1)))
`,
      [join(out, 'ct.nii.gz'), converted],
    );
    assert.deepEqual(cmp.shapes[0], cmp.shapes[1]);
    assert.ok(cmp.affineDiff < 1e-3, `affines differ by ${cmp.affineDiff}`);
    assert.equal(cmp.voxelDiff, 0);
  });

  it('runs through bin/delineo.js (the tsx launcher)', () => {
    const dir = join(scratch, 'bin');
    const ok = spawnSync(process.execPath, ['bin/delineo.js', 'phantom', '--out', dir, '--format', 'nifti', '--size', '40x40x4', '--spacing', '10x10x10'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(existsSync(join(dir, 'ct.nii.gz')));
    assert.ok(!existsSync(join(dir, 'ct')), 'no DICOM for --format nifti');
    assert.match(ok.stdout, /wrote 10 files/);
  });

  it('explains a field of view too small for the body (exit 1) and unknown commands (exit 2)', async () => {
    const c = capture();
    assert.equal(await phantomCommand(['--out', join(scratch, 'small'), '--size', '32x32x4', '--spacing', '2x2x2'], c.io), 1);
    assert.match(c.err.join('\n'), /External leaves the field of view/);
    assert.equal(await main(['nonsense'], c.io), 2);
    assert.equal(await main(['phantom', '--help'], c.io), 0);
    assert.equal(await phantomCommand(['--out', scratch, '--format', 'png'], c.io), 2);
    assert.equal(await phantomCommand(['--out', scratch, '--size', '40x40'], c.io), 2);
    assert.match(c.err.join('\n'), /--size needs three positive integers/);
    assert.equal(await phantomCommand(['--size', '40x40x4'], c.io), 2);
    assert.match(c.err.join('\n'), /--out <dir> is required/);
  });
});
