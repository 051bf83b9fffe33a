/**
 * The engine end to end in Node with onnxruntime-node: a second, differently shaped network (the 3D
 * tiny-3d fixture, whose output is known analytically) through the whole pipeline; typed errors for a corrupt
 * model, a manifest that does not match the network, and a non-CT input; the rule-based model on the thorax
 * phantom against its exact ground truth.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GridTransform, type Vec3 } from '../domain/geometry.ts';
import { Volume } from '../domain/volume.ts';
import { generatePhantom } from '../phantom/phantom.ts';
import { dice } from './metrics.ts';
import { segmentNode } from './segment-node.ts';

const TINY = fileURLToPath(new URL('../../test/fixtures/models/tiny-3d/manifest.json', import.meta.url));

/** A CT with a tissue slab containing a bone cube, on a NIfTI-style flipped grid (tests reorientation). */
function boxCt(): { ct: Volume; tissue: (p: Vec3) => boolean; bone: (p: Vec3) => boolean } {
  const dims: Vec3 = [48, 44, 30];
  const spacing: Vec3 = [1.2, 1.25, 1.5];
  const direction = [-1, 0, 0, 0, -1, 0, 0, 0, 1] as const;
  const origin: Vec3 = [28, 27, -22];
  const tissue = (p: Vec3) => Math.abs(p[0]) < 18 && Math.abs(p[1]) < 16 && Math.abs(p[2]) < 15;
  const bone = (p: Vec3) => Math.abs(p[0] - 4) < 8 && Math.abs(p[1] + 2) < 7 && Math.abs(p[2]) < 8;
  const g = { dimensions: dims, spacing, origin, direction };
  const t = new GridTransform(g);
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, o = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, o++) {
    const p = t.toPatient([i, j, k]);
    data[o] = bone(p) ? 800 : tissue(p) ? 20 : -1000;
  }
  return { ct: new Volume({ ...g, data, modality: 'CT', name: 'box' }), tissue, bone };
}

describe('engine with a 3D network (onnxruntime-node)', () => {
  it('segments tissue and bone as the analytic network defines them, on the CT grid', async () => {
    const { ct, tissue, bone } = boxCt();
    const stages = new Set<string>();
    let tiles = 0;
    const r = await segmentNode(ct, TINY, { threads: 1, progress: (p) => (stages.add(p.stage), p.stage === 'inference' && (tiles = p.total)) });
    assert.deepEqual([...stages], ['preprocess', 'inference', 'postprocess']);
    assert.ok(tiles > 1, 'the volume is tiled');
    const t = new GridTransform(ct.geometry);
    const [nx, ny, nz] = ct.dimensions;
    const refTissue = new Uint8Array(nx * ny * nz);
    const refBone = new Uint8Array(nx * ny * nz);
    for (let k = 0, o = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, o++) {
      const p = t.toPatient([i, j, k]);
      refBone[o] = bone(p) ? 1 : 0;
      refTissue[o] = tissue(p) && !bone(p) ? 1 : 0;
    }
    const [tis, bon] = r.structures;
    assert.equal(tis.name, 'Tissue');
    assert.deepEqual(bon.provenance, { algorithm: 'AUTOMATIC', source: 'tiny-3d', version: '1.0.0' });
    // Edges move by up to a model voxel (2 mm) through the 3×3×3 mean and two resamplings.
    assert.ok(dice(bon.mask.toDense(), refBone) > 0.85, `bone Dice ${dice(bon.mask.toDense(), refBone)}`);
    assert.ok(dice(tis.mask.toDense(), refTissue) > 0.85, `tissue Dice ${dice(tis.mask.toDense(), refTissue)}`);
    // Deep inside each region the label is exact.
    const centre = ct.patientToIndex([4, -2, 0]).map(Math.round);
    assert.equal(r.labels[centre[0] + nx * (centre[1] + ny * centre[2])], 2);
    const soft = ct.patientToIndex([-12, 10, 0]).map(Math.round);
    assert.equal(r.labels[soft[0] + nx * (soft[1] + ny * soft[2])], 1);
    assert.equal(r.labels[0], 0);
  });
});

describe('uncertainty map', () => {
  it('is on the CT grid, zero where the labels are sure and high only along the edges between them', async () => {
    const { ct } = boxCt();
    const r = await segmentNode(ct, TINY, { threads: 1 });
    const u = r.uncertainty!;
    assert.ok(u, 'an ONNX model returns a map');
    assert.deepEqual(u.dimensions, ct.dimensions);
    assert.equal(u.data.length, ct.data.length);
    assert.equal(u.measure, 'entropy');
    const [nx, ny, nz] = ct.dimensions;
    // Distance (in voxels, up to 3) of each voxel to the nearest voxel with another label.
    const nearEdge = (i: number, j: number, k: number, d: number) => {
      const l = r.labels[i + nx * (j + ny * k)];
      for (let c = Math.max(0, k - d); c <= Math.min(nz - 1, k + d); c++)
        for (let b = Math.max(0, j - d); b <= Math.min(ny - 1, j + d); b++)
          for (let a = Math.max(0, i - d); a <= Math.min(nx - 1, i + d); a++) if (r.labels[a + nx * (b + ny * c)] !== l) return true;
      return false;
    };
    let edge = 0;
    let edgeN = 0;
    let far = 0;
    let farN = 0;
    for (let k = 0, o = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, o++) {
      if (nearEdge(i, j, k, 1)) {
        edge += u.data[o];
        edgeN++;
      } else if (!nearEdge(i, j, k, 3)) {
        far += u.data[o];
        farN++;
      }
    }
    assert.ok(edgeN > 0 && farN > 0);
    assert.ok(edge / edgeN > 20, `mean quantised uncertainty along the edges ${edge / edgeN}`);
    assert.ok(far / farN < 1, `mean quantised uncertainty away from them ${far / farN}`);
    const centre = ct.patientToIndex([4, -2, 0]).map(Math.round);
    assert.equal(u.data[centre[0] + nx * (centre[1] + ny * centre[2])], 0);
  });

  it('can be skipped or measured as the margin, and rule-based models have none', async () => {
    const { ct } = boxCt();
    assert.equal((await segmentNode(ct, TINY, { threads: 1, uncertainty: 'none' })).uncertainty, undefined);
    const margin = (await segmentNode(ct, TINY, { threads: 1, uncertainty: 'margin' })).uncertainty!;
    assert.equal(margin.measure, 'margin');
    assert.ok(Math.max(...margin.data) > 128, 'a near tie between two classes is close to 1');
    const ph = generatePhantom({ dimensions: [64, 64, 20], spacing: [6, 6, 10], seed: 3 });
    assert.equal((await segmentNode(ph.volume, 'ct-external-lungs-bones')).uncertainty, undefined);
  });
});

describe('engine errors', () => {
  const copyModel = async (mutate: (bytes: Buffer, manifest: Record<string, unknown>) => void) => {
    const dir = await mkdtemp(join(tmpdir(), 'delineo-model-'));
    const bytes = await readFile(join(TINY, '..', 'model.onnx'));
    const manifest = JSON.parse(await readFile(TINY, 'utf8'));
    mutate(bytes, manifest);
    await writeFile(join(dir, 'model.onnx'), bytes);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return join(dir, 'manifest.json');
  };

  it('refuses a corrupt model file before ONNX Runtime sees it', async () => {
    const path = await copyModel((b) => {
      b[200] ^= 0xff;
    });
    await assert.rejects(segmentNode(boxCt().ct, path), (e: Error & { code?: string }) => e.name === 'InferenceError' && e.code === 'corrupt-model' && /SHA-256/.test(e.message));
    const truncated = await copyModel(() => {});
    await writeFile(join(truncated, '..', 'model.onnx'), (await readFile(join(TINY, '..', 'model.onnx'))).subarray(0, 100));
    await assert.rejects(segmentNode(boxCt().ct, truncated), /truncated/);
  });

  it('refuses a manifest that does not match the network', async () => {
    const wrongName = await copyModel((_b, m) => {
      (m.onnx as { model: { inputName: string } }).model.inputName = 'input';
    });
    await assert.rejects(segmentNode(boxCt().ct, wrongName), (e: Error & { code?: string }) => e.code === 'model-mismatch' && /"input"/.test(e.message));
    const wrongLayout = await copyModel((_b, m) => {
      (m.onnx as { layout: unknown; patch: number[]; mirror: unknown }).layout = { kind: '2.5d', contextSlices: 1 };
      (m.onnx as { patch: number[] }).patch = [24, 24];
      delete (m.onnx as { mirror?: unknown }).mirror;
    });
    await assert.rejects(segmentNode(boxCt().ct, wrongLayout), (e: Error & { code?: string }) => e.code === 'model-mismatch' && /rank 5/.test(e.message));
    const wrongClasses = await copyModel((_b, m) => {
      (m.onnx as { model: { classes: number } }).model.classes = 4;
    });
    await assert.rejects(segmentNode(boxCt().ct, wrongClasses), (e: Error & { code?: string }) => e.code === 'model-mismatch' && /3 channels, the manifest needs 4/.test(e.message));
  });

  it('refuses input that is not a CT in HU, and unknown models', async () => {
    const { ct } = boxCt();
    const mr = new Volume({ ...ct.geometry, data: ct.data, modality: 'MR' });
    await assert.rejects(segmentNode(mr, TINY), (e: Error & { code?: string }) => e.code === 'not-ct');
    const unrescaled = new Volume({ ...ct.geometry, data: Int16Array.from(ct.data, (v) => v + 1024), modality: 'CT' });
    await assert.rejects(segmentNode(unrescaled, TINY), /not Hounsfield units/);
    await assert.rejects(segmentNode(ct, 'no-such-model'), (e: Error & { code?: string }) => e.code === 'unknown-model');
  });
});

describe('rule-based External / lungs / bones', () => {
  it('finds the phantom body and lungs (left = +x) and returns AUTOMATIC structures', async () => {
    const ph = generatePhantom({ dimensions: [160, 160, 56], spacing: [3.125, 3.125, 5], seed: 3 });
    const r = await segmentNode(ph.volume, 'ct-external-lungs-bones');
    const byName = new Map(r.structures.map((s) => [s.name, s]));
    const truth = new Map(ph.structures.map((s) => [s.name, s.mask.toDense()]));
    const dExt = dice(byName.get('External')!.mask.toDense(), truth.get('External')!);
    const dL = dice(byName.get('Lung_L')!.mask.toDense(), truth.get('Lung_L')!);
    const dR = dice(byName.get('Lung_R')!.mask.toDense(), truth.get('Lung_R')!);
    assert.ok(dExt > 0.98, `External Dice ${dExt}`);
    assert.ok(dL > 0.9 && dR > 0.9, `lungs Dice L ${dL} R ${dR}`);
    assert.equal(byName.get('Lung_L')!.standardName, 'Lung_L');
    assert.deepEqual(byName.get('Bone')!.provenance, { algorithm: 'AUTOMATIC', source: 'ct-external-lungs-bones', version: '1.1.0' });
    assert.equal(r.provider, 'rules');
  });
});
