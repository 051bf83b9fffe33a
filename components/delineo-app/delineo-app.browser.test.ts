import { expect } from '@esm-bundle/chai';
import { generatePhantom } from '../../src/index.ts';
import { discVolume } from '../../test/helpers/synthetic-volume.ts';
import type { DelineoVolumeLoadEvent } from '../events/delineo-volume-load.ts';
import { DelineoApp } from './delineo-app.ts';

/** Resolves with the next `delineo-volume-load` heard on `document` (so it must bubble and be composed). */
function nextVolumeLoad(timeoutMs = 20000): Promise<DelineoVolumeLoadEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no delineo-volume-load event')), timeoutMs);
    document.addEventListener(
      'delineo-volume-load',
      (event) => {
        clearTimeout(timer);
        resolve(event);
      },
      { once: true },
    );
  });
}

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/**
 * Waits until the element has no update pending. Its first update attaches the renderer, which sets the
 * slice and so requests a second update; Lit's `updateComplete` resolves false while one is still queued.
 */
async function settled(el: DelineoApp): Promise<void> {
  while (!(await el.updateComplete));
}

function mount(init?: (el: DelineoApp) => void): DelineoApp {
  const el = document.createElement('delineo-app');
  el.style.cssText = 'display: grid; width: 640px; height: 480px;';
  init?.(el);
  document.body.append(el);
  return el;
}

const part = (el: DelineoApp, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part="${name}"]`)!;

describe('<delineo-app>', () => {
  let el: DelineoApp | null = null;

  afterEach(() => {
    el?.remove();
    el = null;
  });

  it('is defined under its tag', () => {
    expect(customElements.get('delineo-app')).to.equal(DelineoApp);
    expect(document.createElement('delineo-app')).to.be.instanceOf(DelineoApp);
  });

  it('shows a given volume in a WebGL2 canvas, announces it, and describes it in the status line', async () => {
    const volume = discVolume();
    const loaded = nextVolumeLoad();
    el = mount((e) => (e.volume = volume));
    const event = await loaded;
    expect(event.target).to.equal(el);
    expect(event.bubbles && event.composed).to.equal(true);
    expect(event.detail).to.deep.equal({ dimensions: [64, 64, 9], spacing: [2, 2, 3], seriesInstanceUid: '2.25.1234567890', name: 'disc' });
    // Serialisable: survives structured cloning unchanged.
    expect(structuredClone(event.detail)).to.deep.equal(event.detail);

    await settled(el);
    const canvas = part(el, 'viewport').querySelector('canvas');
    expect(canvas, 'canvas in the viewport').to.not.equal(null);
    expect(canvas!.width).to.be.greaterThan(100);
    expect(canvas!.height).to.be.greaterThan(100);
    expect(canvas!.getContext('webgl2'), 'the canvas holds a WebGL2 context').to.be.instanceOf(WebGL2RenderingContext);
    expect(part(el, 'status').textContent).to.equal('disc · 64 × 64 × 9 voxels · 2.00 × 2.00 × 3.00 mm');
  });

  it("names the patient in the status line when the volume carries one", async () => {
    el = mount((e) => (e.volume = discVolume({ patientName: 'DOE^JANE', seriesInstanceUid: '2.25.42' })));
    await settled(el);
    expect(part(el, 'status').textContent).to.equal('DOE, JANE · disc · 64 × 64 × 9 voxels · 2.00 × 2.00 × 3.00 mm');
  });

  it('moves through slices with the slider', async () => {
    el = mount((e) => (e.volume = discVolume()));
    await settled(el);
    const slider = part(el, 'slice-slider') as HTMLInputElement;
    expect(slider.max).to.equal('8');
    expect(slider.value).to.equal('4');
    expect(el.shadowRoot!.querySelector('.slice-label')!.textContent).to.equal('Slice 5 / 9');
    slider.value = '7';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    await settled(el);
    expect(el.shadowRoot!.querySelector('.slice-label')!.textContent).to.equal('Slice 8 / 9');
    expect(slider.getAttribute('aria-valuetext')).to.equal('slice 8 of 9');
  });

  it('generates and shows the thorax phantom when no volume is given', async () => {
    const loaded = nextVolumeLoad(60000);
    el = mount();
    await settled(el);
    expect(part(el, 'status').textContent).to.match(/generating/i);
    const { detail } = await loaded;
    // The phantom's defaults belong to src/phantom; what the shell must show is the default phantom.
    const reference = generatePhantom().volume;
    expect(detail.dimensions).to.deep.equal(reference.dimensions);
    expect(detail.spacing).to.deep.equal(reference.spacing);
    expect(detail.name).to.equal(reference.name).and.match(/phantom/i);
    expect(detail.seriesInstanceUid).to.match(/^2\.25\.\d+$/);
    expect(el.volume!.identity.seriesInstanceUid).to.equal(detail.seriesInstanceUid);
    await settled(el);
    const [nx, ny, nz] = reference.dimensions;
    expect(part(el, 'status').textContent).to.contain(reference.name).and.contain(`${nx} × ${ny} × ${nz} voxels`);
    expect((part(el, 'slice-slider') as HTMLInputElement).max).to.equal(String(nz - 1));
  });

  it('releases its canvas when removed and rebuilds it, on the same slice, when put back', async () => {
    el = mount((e) => (e.volume = discVolume()));
    await settled(el);
    const slider = part(el, 'slice-slider') as HTMLInputElement;
    slider.value = '2';
    slider.dispatchEvent(new Event('input'));
    await frame(); // the renderer draws on the next frame, creating its WebGL context
    const viewport = part(el, 'viewport');
    const first = viewport.querySelector('canvas')!;
    const gl = first.getContext('webgl2')!;
    el.remove();
    expect(viewport.querySelector('canvas')).to.equal(null);
    expect(gl.isContextLost()).to.equal(true);

    let announced = 0;
    const count = () => (announced += 1);
    document.addEventListener('delineo-volume-load', count);
    document.body.append(el);
    await settled(el);
    document.removeEventListener('delineo-volume-load', count);
    const second = viewport.querySelector('canvas');
    expect(second).to.not.equal(null);
    expect(second).to.not.equal(first);
    expect(slider.value).to.equal('2');
    expect(announced, 'moving the element does not announce the volume again').to.equal(0);
  });
});
