import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { drawOutlines, type PlaneAffine } from './slice-overlay.ts';

// A structure drawn in a light colour on white (bone at a soft-tissue window) must still be seen: the outline
// has a dark halo on both sides. Index (u, v) maps to pixels 10 + 10·u, 10 + 10·v.
const affine: PlaneAffine = { origin: [10, 10], du: [10, 0], dv: [0, 10] };

function canvasOnWhite(): CanvasRenderingContext2D {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 60;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, 60, 60);
  return ctx;
}

const luminance = (ctx: CanvasRenderingContext2D, x: number, y: number): number => {
  const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
  return Math.round(0.2126 * r! + 0.7152 * g! + 0.0722 * b!);
};

describe('drawOutlines', () => {
  it('draws a cream outline on white with a dark halo on both sides of the line, and leaves the rest white', () => {
    const ctx = canvasOnWhite();
    // A square from (1, 1) to (4, 4): its left edge is the vertical line x = 20 px.
    drawOutlines(ctx, [new Float64Array([1, 1, 4, 1, 4, 4, 1, 4])], affine, { color: [230, 230, 200], fillOpacity: 0, lineWidth: 2 });
    const [r, g, b] = ctx.getImageData(20, 35, 1, 1).data;
    expect([r, g, b], 'the line itself keeps the structure colour').to.deep.equal([230, 230, 200]);
    expect(luminance(ctx, 18, 35), 'halo outside the line').to.be.below(130);
    expect(luminance(ctx, 21, 35), 'halo inside the line').to.be.below(130);
    expect(luminance(ctx, 5, 35), 'far from the line').to.equal(255);
    expect(luminance(ctx, 35, 35), 'inside, unfilled').to.equal(255);
  });

  it('draws nothing, halo included, when the width is 0 (fill only)', () => {
    const ctx = canvasOnWhite();
    drawOutlines(ctx, [new Float64Array([1, 1, 4, 1, 4, 4, 1, 4])], affine, { color: [230, 230, 200], fillOpacity: 0, lineWidth: 0 });
    expect(luminance(ctx, 18, 35)).to.equal(255);
  });
});
