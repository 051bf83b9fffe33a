// The app's RTSTRUCT export and import in Chromium, through the public surface (src/index.ts): no Node Buffer,
// no fs, dcmjs as the browser bundle resolves it. The structures survive the round trip voxel for voxel.
import '../../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import {
  exportRtstruct,
  generatePhantom,
  importRtstruct,
  parseRtstruct,
  RtstructError,
  Volume,
  writeCtSeries,
} from '../../index.ts';

describe('RTSTRUCT in the browser', () => {
  it('exports a structure set as a Part-10 ArrayBuffer and imports it back exactly', () => {
    expect(typeof (globalThis as { Buffer?: unknown }).Buffer).to.equal('undefined');
    const ph = generatePhantom({ dimensions: [96, 96, 20], spacing: [5.2, 5.2, 14], noiseHu: 0 });
    const { identity } = writeCtSeries(ph.volume);
    const volume = new Volume({ ...ph.volume.geometry, data: ph.volume.data, identity });
    const buffer = exportRtstruct(volume, ph.structures);
    expect(buffer).to.be.instanceOf(ArrayBuffer);
    expect(String.fromCharCode(...new Uint8Array(buffer, 128, 4))).to.equal('DICM');
    const parsed = parseRtstruct(buffer, 'rs.dcm');
    expect(parsed.rois.map((r) => r.name)).to.deep.equal(ph.structures.map((s) => s.name));
    const imp = importRtstruct(buffer, volume, { file: 'rs.dcm' });
    expect(imp.warnings).to.deep.equal([]);
    for (const s of ph.structures) {
      const back = imp.structures.find((x) => x.name === s.name);
      expect(back?.mask.equals(s.mask), s.name).to.equal(true);
    }
  });

  it('reports a structure set from another CT as a typed error', () => {
    const a = generatePhantom({ dimensions: [64, 64, 8], spacing: [7.8, 7.8, 35], noiseHu: 0 });
    const b = generatePhantom({ dimensions: [64, 64, 8], spacing: [7.8, 7.8, 35], noiseHu: 0 });
    const va = new Volume({
      ...a.volume.geometry,
      data: a.volume.data,
      identity: writeCtSeries(a.volume).identity,
    });
    const vb = new Volume({
      ...b.volume.geometry,
      data: b.volume.data,
      identity: writeCtSeries(b.volume).identity,
    });
    let error: unknown;
    try {
      importRtstruct(exportRtstruct(va, a.structures), vb, { file: 'a.dcm' });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RtstructError);
    expect((error as RtstructError).code).to.equal('frame-of-reference-mismatch');
  });
});
