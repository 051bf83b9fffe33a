/**
 * A small synthetic head-and-neck-like case for the dose engine's browser-vs-Node test (browser-safe): a CT of
 * water with a bone column in air, two PTVs named with their prescriptions and three OARs under OpenKBP and
 * TG-263 names, all built from formulas so the browser and Node build the same voxels.
 */
import { BinaryMask } from '../../src/domain/mask.ts';
import { createStructure, type Structure } from '../../src/domain/structure.ts';
import { Volume } from '../../src/domain/volume.ts';

export function doseCase(): { ct: Volume; structures: Structure[] } {
  const dims = [72, 64, 40] as const;
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) {
        const body = ((i - 36) / 26) ** 2 + ((j - 32) / 22) ** 2 <= 1;
        const bone = Math.hypot(i - 36, j - 44) < 5;
        data[i + dims[0] * (j + dims[1] * k)] = bone ? 900 : body ? ((i * 13 + j * 7 + k * 3) % 90) - 45 : -1000;
      }
  const ct = new Volume({ dimensions: dims, spacing: [2.5, 2.5, 3], origin: [-90, -80, -60], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data, modality: 'CT', identity: { frameOfReferenceUid: '1.2.826.0.1.3680043.2.1125.1' } });
  const cube = (name: string, lo: number[], hi: number[]) =>
    createStructure({ name, interpretedType: name.startsWith('PTV') ? 'PTV' : 'ORGAN', mask: BinaryMask.fromPredicate(dims, (i, j, k) => i >= lo[0] && i < hi[0] && j >= lo[1] && j < hi[1] && k >= lo[2] && k < hi[2]) });
  return {
    ct,
    structures: [
      cube('PTV70', [26, 20, 12], [38, 32, 26]),
      cube('PTV_5600', [38, 20, 12], [48, 32, 26]),
      cube('SpinalCord', [34, 40, 2], [38, 44, 38]),
      cube('RightParotid', [14, 22, 20], [20, 30, 28]),
      cube('Mandible', [24, 8, 16], [48, 12, 24]),
    ],
  };
}
