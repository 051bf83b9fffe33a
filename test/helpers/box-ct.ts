/**
 * A small synthetic CT for the tests that run the tiny 3D test network (test/fixtures/models/tiny-3d) through a
 * whole app or page: a 40 × 36 × 24 box of soft tissue (20 HU) in air with a 10 × 10 × 10 bone block (800 HU) at
 * its centre, 2 mm voxels, identity direction — a few tiles of that network. Plain data (no imports), so a page
 * can load it from its own server and build a Volume with whatever copy of the core it uses.
 */
export function boxCtInit() {
  const dimensions: [number, number, number] = [40, 36, 24];
  const data = new Int16Array(dimensions[0] * dimensions[1] * dimensions[2]);
  for (let k = 0, o = 0; k < dimensions[2]; k++) for (let j = 0; j < dimensions[1]; j++) for (let i = 0; i < dimensions[0]; i++, o++) {
    const bone = Math.abs(i - 20) < 5 && Math.abs(j - 18) < 5 && Math.abs(k - 12) < 5;
    data[o] = bone ? 800 : Math.abs(i - 20) < 14 && Math.abs(j - 18) < 12 && Math.abs(k - 12) < 9 ? 20 : -1000;
  }
  return {
    dimensions,
    spacing: [2, 2, 2] as [number, number, number],
    origin: [0, 0, 0] as [number, number, number],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as [number, number, number, number, number, number, number, number, number],
    data,
    modality: 'CT' as const,
  };
}
