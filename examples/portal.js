// The portal's own code (examples/portal.html): plain JavaScript, no framework. It imports the components
// entry, which defines every <delineo-*> element, builds one ViewerSession on a generated phantom, gives it
// to the elements on the page, logs their events and drives them from its own controls.
//
// Under the dev server (`npm start`, then /examples/portal.html) the sources are imported as they are; a
// production portal imports the bundle it builds from the same entry (see examples/README.md).
import '/components/index.ts';
import { TOOLS, ViewerSession, generatePhantom } from '/src/index.ts';

/** Every event the elements send (custom-elements.json lists them per element). */
const EVENTS = [
  'delineo-volume-load',
  'delineo-slice-change',
  'delineo-crosshair-change',
  'delineo-window-change',
  'delineo-structure-select',
  'delineo-structure-delete',
  'delineo-structure-edit',
  'delineo-tool-change',
  'delineo-edit-refuse',
  'delineo-surface-update',
  'delineo-volume-preset-change',
];

/** Longest the on-page log grows. */
const LOG_LIMIT = 200;

const $ = (id) => document.getElementById(id);

const mpr = $('mpr');
const view3d = $('view-3d');
const structures = $('structures');
const toolbar = $('toolbar');
const log = $('log');
const structureSelect = $('structure-select');
const toolSelect = $('tool-select');
const position = $('position');

/** Adds one line to the event log; text only (textContent), never markup. */
function logEvent(event) {
  const origin = event.composedPath()[0];
  const item = document.createElement('li');
  item.dataset.type = event.type;
  item.dataset.target = event.target.localName;
  item.dataset.origin = origin.localName;
  const where = origin === event.target ? event.target.localName : `${event.target.localName} ← ${origin.localName}`;
  item.textContent = `${event.type} (${where}) ${JSON.stringify(event.detail)}`;
  log.prepend(item);
  while (log.childElementCount > LOG_LIMIT) log.lastElementChild.remove();
}

// The events bubble and are composed, so one listener on the document hears every element, including the
// slice views inside <delineo-mpr>'s shadow root (event.target is then the <delineo-mpr>; composedPath()[0]
// is the view itself).
for (const type of EVENTS) document.addEventListener(type, logEvent);

// A smaller grid than the app's demo phantom (same field of view), so the page starts quickly.
const phantom = generatePhantom({ dimensions: [160, 160, 56], spacing: [3.125, 3.125, 5] });
const session = ViewerSession.withStructures(phantom.volume, phantom.structures);
const gtv = session.store.state.structures.find((s) => s.name === 'GTV');
if (gtv) session.store.setActive(gtv.id);
session.setCrosshair(phantom.anatomy.gtvCenter);

// Session injection: every element gets the same session as a property (there are no attributes for it).
for (const el of [mpr, view3d, structures, toolbar]) el.session = session;

/** Moves the crosshair by `delta` axial slices (grid axis k), keeping its other coordinates. */
function moveSlice(delta) {
  const index = [...session.volume.patientToIndex(session.crosshair.position)];
  const count = session.volume.dimensions[2];
  index[2] = Math.min(count - 1, Math.max(0, Math.round(index[2]) + delta));
  session.setCrosshair(session.volume.indexToPatient(index));
}

$('previous-slice').addEventListener('click', () => moveSlice(-1));
$('next-slice').addEventListener('click', () => moveSlice(1));
$('to-tumour').addEventListener('click', () => session.setCrosshair(phantom.anatomy.gtvCenter));

// The structure menu follows the store (the list's own clicks and keys included) and selects through it.
structureSelect.addEventListener('change', () => session.store.setActive(structureSelect.value || null));
session.store.state$.subscribe((state) => {
  const options = [new Option('(none)', ''), ...state.structures.map((s) => new Option(s.name, s.id))];
  structureSelect.replaceChildren(...options);
  structureSelect.value = state.activeId ?? '';
});

toolSelect.replaceChildren(...TOOLS.map((t) => new Option(t.label, t.id)));
toolSelect.addEventListener('change', () => session.setTool({ tool: toolSelect.value }));
session.tool$.subscribe((tool) => (toolSelect.value = tool.tool));

session.crosshair$.subscribe(({ position: p }) => {
  const k = Math.round(session.volume.patientToIndex(p)[2]);
  position.value = `Crosshair ${p.map((x) => x.toFixed(1)).join(', ')} mm · axial slice ${k + 1} / ${session.volume.dimensions[2]}`;
  position.dataset.slice = String(k);
});

await mpr.frame();
document.body.dataset.ready = 'true';
