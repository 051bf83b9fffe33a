// The architecture's dependency direction is enforced by lint (scripts/eslint-layers.js, README "Layout"):
// an import that points up a layer must fail `npm test`. These tests plant such imports in files at real
// nested paths and lint them with the project's own configuration, and check that the core has no import
// cycle (a type-only one included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ESLint } from 'eslint';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it were the file at `path` (repository-relative), written there for the run and removed. */
async function lintPlanted(path: string, code: string): Promise<string[]> {
  const file = join(root, path);
  writeFileSync(file, code);
  try {
    const [result] = await eslint.lintFiles([file]);
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
  } finally {
    rmSync(file, { force: true });
  }
}

test('lint rejects an upward import planted in src/domain/ops/ (state, io, render) however deep the path', async () => {
  const messages = await lintPlanted(
    'src/domain/ops/lint-probe-upward.ts',
    [
      "import type { StructureSetStore } from '../../state/structure-set.store.ts';",
      "import { scanDicom } from '../../io/dicom/series-loader.ts';",
      "export type Probe = StructureSetStore | typeof scanDicom;",
      '',
    ].join('\n'),
  );
  assert.equal(messages.filter((m) => m.startsWith('delineo/layers')).length, 2, messages.join('\n'));
  assert.ok(messages.some((m) => m.includes('src/domain must not import src/state')), messages.join('\n'));
});

test('lint rejects src/render importing src/cli or components, and a component reaching past src/index.ts', async () => {
  const render = await lintPlanted(
    'src/render/lint-probe-upward.ts',
    ["import type { CommandIo } from '../cli/phantom.ts';", "import '../../components/delineo-app/delineo-app.ts';", 'export type Probe = CommandIo;', ''].join('\n'),
  );
  assert.equal(render.filter((m) => m.startsWith('delineo/layers')).length, 2, render.join('\n'));
  const component = await lintPlanted(
    'components/internal/lint-probe-deep.ts',
    ["import type { Volume } from '../../src/domain/volume.ts';", 'export type Probe = Volume;', ''].join('\n'),
  );
  assert.ok(component.some((m) => m.startsWith('delineo/layers') && m.includes('src/index.ts')), component.join('\n'));
});

test('lint accepts the allowed directions: down a layer, between peers, components through src/index.ts', async () => {
  const ok = await lintPlanted(
    'src/state/lint-probe-allowed.ts',
    ["import type { Volume } from '../domain/volume.ts';", "import type { JobOptions } from '../jobs/job.ts';", "import type { ModelManifest } from '../inference/manifest.ts';", 'export type Probe = Volume | JobOptions | ModelManifest;', ''].join('\n'),
  );
  assert.deepEqual(ok.filter((m) => m.startsWith('delineo/layers')), []);
});

/** Relative imports (type-only included) of every non-test module of src/, as repository-relative paths. */
function coreImportGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.includes('/fixtures/')) {
        const text = readFileSync(path, 'utf8');
        const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*'(\.[^']+)'/g)].map((m) => relative(root, resolve(dirname(path), m[1]!)));
        graph.set(relative(root, path), targets);
      }
    }
  };
  walk(join(root, 'src'));
  return graph;
}

/** Every import cycle of the graph, each as "a → b → a". */
function findCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
      return;
    }
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  return cycles;
}

test('the core has no import cycle, type-only imports included', () => {
  const graph = coreImportGraph();
  assert.ok(graph.size > 50, 'the walk found the core');
  assert.deepEqual(findCycles(graph), []);
});

test('the cycle check finds a planted type-only loop', () => {
  const dir = mkdtempSync(join(root, 'src', 'inference', 'cycle-probe-'));
  try {
    writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.ts';\nexport type A = B[];\n");
    writeFileSync(join(dir, 'b.ts'), "import type { A } from './a.ts';\nexport type B = A | null;\n");
    const cycles = findCycles(coreImportGraph());
    const a = relative(root, join(dir, 'a.ts'));
    assert.equal(cycles.length, 1, cycles.join('\n'));
    assert.ok(cycles[0]!.includes(a), cycles[0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
