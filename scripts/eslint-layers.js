// The architecture's dependency direction as one ESLint rule, `delineo/layers`. Every relative import or
// re-export is resolved to the file it names and checked against the layer of the importing file, so nested
// folders (src/domain/ops/*, src/io/dicom/*) are held to their layer however many `../` the path has.
//
//   domain ← jobs ← state / io / inference / mesh / phantom / registration (peers) ← render, service ← cli
//   (service: the Node-only auto-contouring service; it imports jobs, io and inference, never render)
//   components import the core only through src/index.ts; bench/ and models/ only through the public
//   entry points (src/index.ts, src/node.ts, and the worker modules `*.worker.ts`, which bundlers load by
//   URL); inside src/ nothing but an entry point imports an entry point (concrete modules only, so the
//   entry points never take part in an import cycle).
//
// Tests are not layered: a test may reach into any module it checks.
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** The rank of each folder of src/: a module may import its own folder and any folder of lower rank; peers (equal rank) may import each other. */
const RANK = { domain: 0, jobs: 1, state: 2, io: 2, inference: 2, mesh: 2, phantom: 2, registration: 2, render: 3, service: 3, cli: 4 };
const PEERS = new Set([2]);
const ENTRY_POINTS = new Set(['src/index.ts', 'src/node.ts']);

/** Where a repository path belongs: { area: 'src', folder } inside src/, or its top folder. */
function place(path) {
  const parts = path.split('/');
  if (parts[0] === 'src') return { area: 'src', folder: parts.length > 2 ? parts[1] : null, path };
  return { area: parts[0], folder: null, path };
}

const isTest = (path) => /\.test\.ts$/.test(path) || path.includes('/fixtures/');

/** Why `from` may not import `to` (both repository-relative paths), or null when it may. */
export function layerViolation(from, to) {
  const a = place(from);
  const b = place(to);
  if (a.area === 'src') {
    if (ENTRY_POINTS.has(a.path) && b.area === 'src') return null;
    if (b.area === 'components') return 'src/ must not depend on components/: the core is framework-free.';
    if (b.area !== 'src') return null;
    if (ENTRY_POINTS.has(b.path)) return `inside src/, import the concrete module, not the entry point ${b.path} (import cycles).`;
    if (a.folder === null || b.folder === null || a.folder === b.folder) return null;
    const ra = RANK[a.folder];
    const rb = RANK[b.folder];
    if (ra === undefined || rb === undefined) return `src/${ra === undefined ? a.folder : b.folder} has no layer: add it to RANK in scripts/eslint-layers.js.`;
    if (rb < ra || (rb === ra && PEERS.has(ra))) return null;
    return `src/${a.folder} must not import src/${b.folder}: dependencies point down, domain ← jobs ← state/io/inference/mesh/phantom ← render, service ← cli (README, Layout).`;
  }
  if (b.area !== 'src') return null;
  if (a.area === 'components' && b.path !== 'src/index.ts') return 'components/ import the core only through its public surface, src/index.ts.';
  if ((a.area === 'bench' || a.area === 'models') && !ENTRY_POINTS.has(b.path) && !b.path.endsWith('.worker.ts')) {
    return `${a.area}/ imports the core only through its public entry points: src/index.ts, src/node.ts or a worker module.`;
  }
  return null;
}

const rule = {
  meta: { type: 'problem', docs: { description: 'Imports follow the architecture layers of README.md (Layout).' }, schema: [] },
  create(context) {
    const file = relative(ROOT, context.filename).split(sep).join('/');
    if (file.startsWith('..') || isTest(file)) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = relative(ROOT, resolve(dirname(context.filename), source)).split(sep).join('/');
      const why = layerViolation(file, target);
      if (why) context.report({ node, message: `${source}: ${why}` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { layers: rule } };
