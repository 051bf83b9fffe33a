// Text from DICOM files (patient name, series description) and from users (structure names) is untrusted: a
// file can carry markup. <delineo-app> must show it as text — literally, in the status line, the title bar,
// the structure list and the edit messages — and never turn it into elements or run it.
import './helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import '../components/index.ts';
import type { DelineoApp } from '../components/index.ts';
import { ViewerSession, generatePhantom, personName, Volume } from '../src/index.ts';

const PATIENT = '<img src=x onerror="window.__pwned=1">^<script>window.__pwned=2</script>';
const SERIES = '<svg onload="window.__pwned=3"><script>window.__pwned=4</script></svg> Thorax';
const STRUCTURE = '<b onmouseover=alert(1)>x</b>';

type Pwned = Window & { __pwned?: unknown };

/** Every element under `root` and in every shadow root under it. */
function allElements(root: Document | ShadowRoot): Element[] {
  const out: Element[] = [];
  for (const el of root.querySelectorAll('*')) {
    out.push(el);
    if (el.shadowRoot) out.push(...allElements(el.shadowRoot));
  }
  return out;
}

describe('untrusted text in <delineo-app>', function () {
  this.timeout(120000);
  let app: DelineoApp;
  let session: ViewerSession;
  let structureId: string;
  /** The test page's own elements (the runner's scripts), before the app was added. */
  let pageElements: Set<Element>;
  const part = (name: string) => app.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
  const list = () => part('structure-list')! as HTMLElement & { updateComplete: Promise<unknown> };

  before(async () => {
    const phantom = generatePhantom({ dimensions: [96, 96, 40], spacing: [5.2, 5.2, 7] });
    const v = phantom.volume;
    const volume = new Volume({ ...v.geometry, data: v.data, modality: v.modality, name: SERIES, identity: { ...v.identity, patientName: PATIENT, seriesDescription: SERIES } });
    session = new ViewerSession(volume);
    structureId = session.store.add({ name: STRUCTURE, color: [255, 0, 0] });
    session.store.editMask(structureId, 'Brush', (m) => m.set(48, 48, 20, true));
    pageElements = new Set(allElements(document));
    app = document.createElement('delineo-app');
    app.style.cssText = 'position: fixed; left: 0; top: 0; width: 1000px; height: 600px;';
    app.session = session;
    document.body.append(app);
    await app.updateComplete;
    await list().updateComplete;
  });

  after(() => app?.remove());

  it('shows the patient name and the series as text in the status line and the title bar', () => {
    const status = part('status')!.textContent!;
    // A DICOM person name keeps its first component group (before '='), family^given shown as "family, given".
    expect(status).to.contain(personName(PATIENT));
    expect(personName(PATIENT)).to.match(/^<img src/);
    expect(status).to.contain(SERIES);
    expect(part('subtitle')!.textContent).to.contain(SERIES);
  });

  it('shows the structure name as text in the list', () => {
    const names = [...list().shadowRoot!.querySelectorAll('[part="name"]')].map((el) => el.textContent!.trim());
    expect(names).to.include(STRUCTURE);
  });

  it('shows the structure name as text in an edit message', async () => {
    const row = [...list().shadowRoot!.querySelectorAll<HTMLElement>('[part~="item"]')].find((el) => el.querySelector('[part="name"]')?.textContent?.trim() === STRUCTURE)!;
    row.querySelector<HTMLButtonElement>('[part="visibility-toggle"]')!.click();
    expect(session.store.record(structureId).visible).to.equal(false);
    app.focus();
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'z' });
    await sendKeys({ up: 'Control' });
    await app.updateComplete;
    expect(session.store.record(structureId).visible).to.equal(true);
    expect(part('message')!.textContent).to.contain(STRUCTURE);
  });

  it('creates no element from the text, anywhere in the page or its shadow roots, and runs none of it', async () => {
    // Give any injected handler (onerror of a broken image, onload) the chance to run.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const elements = allElements(document).filter((el) => !pageElements.has(el));
    expect(elements.length).to.be.greaterThan(50);
    expect(elements).to.include(part('status'));
    const injected = elements.filter((el) => ['img', 'script', 'b'].includes(el.localName) || (el.localName === 'svg' && el.hasAttribute('onload')));
    expect(injected.map((el) => el.outerHTML)).to.deep.equal([]);
    const handlers = elements.flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.localName} ${a.name}`));
    expect(handlers).to.deep.equal([]);
    expect((window as Pwned).__pwned).to.equal(undefined);
  });
});
