// emit() is how every element dispatches its events (test/custom-elements-manifest.test.ts checks that no
// component dispatches any other way): here every registered Delineo event type, dispatched from deep inside
// two shadow roots, reaches a listener on `document` — bubbling, composed, retargeted to the outer host,
// with its detail untouched.
import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { Volume, IDENTITY } from '../../src/index.ts';
import type { DelineoEventName, DetailOf } from './emit.ts';
import { emit } from './emit.ts';

/** One sample detail per event name; the type makes the list exhaustive (a new event type fails tsc here). */
const SAMPLES: { readonly [K in DelineoEventName]: DetailOf<K> } = {
  'delineo-volume-load': { dimensions: [4, 5, 6], spacing: [1, 1, 2], seriesInstanceUid: '2.25.1', name: 'ct' },
  'delineo-slice-change': { orientation: 'axial', axis: 2, index: 3, count: 6 },
  'delineo-crosshair-change': { position: [1, 2, 3], index: [0.5, 1, 1.5] },
  'delineo-window-change': { window: 400, level: 40, preset: 'soft-tissue' },
  'delineo-structure-select': { id: 's1', name: 'GTV' },
  'delineo-structure-delete': { id: 's1', name: 'GTV' },
  'delineo-structure-edit': { structureId: 's1', label: 'Brush' },
  'delineo-tool-change': { tool: 'brush', radiusMm: 5, shape: 'disc', contourMode: 'add' },
  'delineo-edit-refuse': { structureId: null, reason: 'no-structure', message: 'Select a structure to edit first' },
  'delineo-surface-update': { structureId: 's1', maskVersion: 2, triangles: 100, elapsedMs: 12, pending: 0 },
  'delineo-volume-preset-change': { preset: 'ct-bone' },
  'delineo-series-open': { studyInstanceUid: '2.25.1', seriesInstanceUid: '2.25.2', modality: 'CT', description: 'Thorax' },
  'delineo-auto-contour': { modelId: 'hn-oar', modelVersion: '1.0.0', structureIds: ['s1'], replacedIds: [], provider: 'onnxruntime-web wasm (2 threads)', seconds: 4.2, source: 'local' },
  'delineo-dose-predicted': {
    modelId: 'hn-dose',
    modelVersion: '0.1.0',
    label: 'Predicted dose (hn-dose 0.1.0)',
    trigger: 'edit',
    seconds: 3.1,
    maxGy: 71.2,
    targets: [{ structureId: 's2', name: 'PTV70', prescriptionGy: 70 }],
    missingOrgans: ['Larynx'],
    dose: new Volume({ dimensions: [2, 2, 2], spacing: [4, 4, 3], origin: [0, 0, 0], direction: IDENTITY, data: new Float32Array(8), modality: 'RTDOSE' }),
  },
  'delineo-model-ready': { modelId: 'hn-oar', modelVersion: '0.3.0', provider: 'onnxruntime-web wasm (2 threads: 2 tile workers)', seconds: 4.3 },
  'delineo-structure-approve': { structureId: 's1', name: 'Brainstem', approved: true },
  'delineo-export': { destination: 'download', fileName: 'RS.dcm', sopInstanceUid: '2.25.3', seriesInstanceUid: '2.25.4', structureNames: ['Brainstem'], unapprovedNames: [], warnings: [], file: new Blob(['x']) },
  'delineo-error': { operation: 'open', code: 'gap-too-large', message: 'a.dcm: gap', file: 'a.dcm' },
  'delineo-job-progress': { operation: 'auto-contour', state: 'running', stage: 'inference', done: 3, total: 12, unit: 'tiles' },
  'delineo-propagate': { reference: { seriesInstanceUid: '2.25.2', seriesDescription: 'planning CT', studyDate: '20240101', patientId: 'P1' }, patientMismatch: false, structureIds: ['s1'], volumes: [{ name: 'GTV', beforeCc: 10, afterCc: 9.5, changePercent: -5 }], rigid: [1, 0, 0, 2, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], mode: 'rigid', meanAbsHuBefore: 120, meanAbsHuAfter: 30, jacobian: null, seconds: 12 },
  'delineo-fusion-change': { mode: 'checkerboard', blendPercent: 50, checkerMm: 20, referenceContours: true },
};

describe('emit()', () => {
  let outer: HTMLElement;
  let inner: HTMLElement;
  let origin: HTMLElement;

  beforeEach(() => {
    // document > outer #shadow > inner #shadow > origin: the depth of a slice view inside <delineo-mpr> inside <delineo-app>.
    outer = document.createElement('div');
    inner = document.createElement('div');
    origin = document.createElement('span');
    outer.attachShadow({ mode: 'open' }).append(inner);
    inner.attachShadow({ mode: 'open' }).append(origin);
    document.body.append(outer);
  });
  afterEach(() => outer.remove());

  for (const name of Object.keys(SAMPLES) as DelineoEventName[]) {
    it(`${name} bubbles out of nested shadow roots to document, composed, retargeted to the outer host`, () => {
      const heard: { event: Event; target: EventTarget | null; path: EventTarget[] }[] = [];
      const listener = (event: Event) => heard.push({ event, target: event.target, path: event.composedPath() });
      document.addEventListener(name, listener);
      try {
        const detail = SAMPLES[name];
        const sent = emit(origin, name, detail as never);
        expect(heard).to.have.length(1);
        const { event, target, path } = heard[0];
        expect(event).to.equal(sent);
        expect(event).to.be.instanceOf(CustomEvent);
        expect(event.bubbles, 'bubbles').to.equal(true);
        expect(event.composed, 'composed').to.equal(true);
        expect(event.cancelable, 'not cancelable unless asked').to.equal(false);
        expect((event as CustomEvent).detail).to.equal(detail);
        expect(structuredClone(detail), 'the detail is serialisable').to.deep.equal(detail);
        expect(target, 'seen from the page, the target is the outer host').to.equal(outer);
        expect(path[0]).to.equal(origin);
      } finally {
        document.removeEventListener(name, listener);
      }
    });
  }

  it('makes a request event cancelable when asked, and reports preventDefault()', () => {
    const veto = (e: Event) => e.preventDefault();
    document.addEventListener('delineo-structure-delete', veto);
    try {
      const event = emit(origin, 'delineo-structure-delete', { id: 's1', name: 'GTV' }, { cancelable: true });
      expect(event.cancelable).to.equal(true);
      expect(event.defaultPrevented).to.equal(true);
      expect(event.bubbles && event.composed).to.equal(true);
    } finally {
      document.removeEventListener('delineo-structure-delete', veto);
    }
  });
});
