// custom-elements.json is the embedding API's reference (docs/embedding.md): this runs the real analyzer CLI
// (@custom-elements-manifest/analyzer, as `npm run build` does) into a temporary folder and checks the
// manifest against the sources — every element with its tag, every documented and every emitted event,
// every event type of components/events/, the CSS parts and custom properties the templates and styles use.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Named {
  name: string;
  description?: string;
  type?: { text: string };
}
interface Declaration extends Named {
  kind: string;
  attributes?: Named[];
  customElement?: boolean;
  tagName?: string;
  summary?: string;
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
  slots?: Named[];
}
interface Manifest {
  schemaVersion: string;
  modules: { path: string; declarations: Declaration[]; exports?: { kind: string; name: string; declaration: { name: string } }[] }[];
}

/** One element as the sources describe it. */
interface ElementSource {
  tag: string;
  className: string;
  componentPath: string;
  /** The class's JSDoc comment. */
  jsDoc: string;
  /** `emit(this, 'name'` calls in the class file. */
  emitted: string[];
  /** Static `part="a b"` and `setAttribute('part', 'a')` names in the class file. */
  parts: string[];
  /** `var(--delineo-…)` custom properties read by the element's styles. */
  cssProperties: string[];
}

const unique = (xs: Iterable<string>) => [...new Set(xs)].sort();

function elementSources(): ElementSource[] {
  const out: ElementSource[] = [];
  for (const dir of readdirSync(join(root, 'components'), { withFileTypes: true })) {
    if (!dir.isDirectory() || !dir.name.startsWith('delineo-')) continue;
    const define = read(`components/${dir.name}/${dir.name}.ts`).match(/customElements\.define\('([^']+)',\s*(\w+)\)/);
    assert.ok(define, `components/${dir.name}/${dir.name}.ts defines its element`);
    const [, tag, className] = define;
    const componentPath = `components/${dir.name}/${dir.name}.component.ts`;
    const source = read(componentPath);
    const jsDoc = source.match(new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*export class ${className}\\b`))?.[1];
    assert.ok(jsDoc, `${componentPath} documents class ${className}`);
    const styles = read(`components/${dir.name}/${dir.name}.styles.ts`);
    out.push({
      tag,
      className,
      componentPath,
      jsDoc,
      emitted: unique([...source.matchAll(/\bemit\(this,\s*'([^']+)'/g)].map((m) => m[1])),
      parts: unique([...source.matchAll(/\bpart="([^"$]+)"|setAttribute\('part',\s*'([^']+)'\)/g)].flatMap((m) => (m[1] ?? m[2]).split(/\s+/))),
      cssProperties: unique([...styles.matchAll(/var\((--delineo-[\w-]+)/g)].map((m) => m[1])),
    });
  }
  return out;
}

/** `@event {Type} name - description` lines of a JSDoc comment. */
function documentedEvents(jsDoc: string): { name: string; type: string }[] {
  return [...jsDoc.matchAll(/@event\s+\{(\w+)\}\s+([\w-]+)/g)].map((m) => ({ type: m[1], name: m[2] }));
}

/** The event types of components/events/: name registered in GlobalEventHandlersEventMap and its exported type. */
function eventFiles(): { file: string; name: string; type: string }[] {
  return readdirSync(join(root, 'components/events'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => {
      const source = read(`components/events/${f}`);
      const registered = source.match(/'([\w-]+)':\s*(\w+);/);
      assert.ok(registered, `${f} adds its event to GlobalEventHandlersEventMap`);
      assert.match(source, new RegExp(`export type ${registered[2]}\\b`), `${f} exports ${registered[2]}`);
      return { file: f, name: registered[1], type: registered[2] };
    });
}

const code = (xs: readonly string[]) => xs.map((x) => `\`${x}\``).join(', ');
const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();

/** The elements table of docs/embedding.md: attributes, custom properties and parts of each element. */
function elementsTable(elements: readonly Declaration[]): string {
  const rows = elements.map((d) => `| \`<${d.tagName}>\` | ${code((d.attributes ?? []).map((a) => a.name))} | ${code((d.cssProperties ?? []).map((p) => p.name))} | ${code((d.cssParts ?? []).map((p) => p.name))} |`);
  return ['| element | attributes | CSS custom properties | CSS parts |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/**
 * The events table of docs/embedding.md: each event with its type, the elements that list it (the sender
 * first, then the containers it bubbles out of) and the sender's description of it.
 */
function eventsTable(elements: readonly Declaration[]): string {
  const containers = ['delineo-mpr', 'delineo-app'];
  const rank = (tag: string) => containers.indexOf(tag);
  const byName = new Map<string, { type: string; senders: Declaration[] }>();
  for (const d of elements) for (const e of d.events ?? []) {
    const entry = byName.get(e.name) ?? { type: e.type?.text ?? '', senders: [] };
    entry.senders.push(d);
    byName.set(e.name, entry);
  }
  const rows = [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, { type, senders }]) => {
      const ordered = [...senders].sort((a, b) => rank(a.tagName!) - rank(b.tagName!) || a.tagName!.localeCompare(b.tagName!));
      const description = ordered[0].events!.find((e) => e.name === name)!.description ?? '';
      return `| \`${name}\` | \`${type}\` | ${ordered.map((d) => `\`<${d.tagName}>\``).join(', ')} | ${cell(description)} |`;
    });
  return ['| event | type | sent by | what happened |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Replaces the generated block `name` of a Markdown text. */
function withGenerated(markdown: string, name: string, table: string): string {
  const re = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(\\n<!-- /generated:${name} -->)`);
  assert.match(markdown, re, `docs/embedding.md has a generated:${name} block`);
  return markdown.replace(re, (_, open: string, close: string) => `${open}${table}${close}`);
}

describe('custom-elements.json', () => {
  let dir: string;
  let manifest: Manifest;
  let elements: ElementSource[];
  const declarationOf = (tag: string) => manifest.modules.flatMap((m) => m.declarations).find((d) => d.tagName === tag);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'delineo-cem-'));
    // The analyzer joins --outdir onto its working directory, so the temporary folder is given relative to it.
    const cli = join(root, 'node_modules/@custom-elements-manifest/analyzer/cem.js');
    const r = spawnSync(process.execPath, [cli, 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet', '--outdir', relative(root, dir)], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `the analyzer failed:\n${r.stdout}\n${r.stderr}`);
    manifest = JSON.parse(readFileSync(join(dir, 'custom-elements.json'), 'utf8')) as Manifest;
    elements = elementSources();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('does not make the analyzer rewrite package.json, which names dist/custom-elements.json', () => {
    const pkg = JSON.parse(read('package.json')) as { customElements?: string };
    assert.equal(pkg.customElements, 'dist/custom-elements.json');
  });

  it('declares every delineo-* element with its tag name, class and a short summary', () => {
    const tags = elements.map((e) => e.tag);
    for (const tag of ['delineo-3d-view', 'delineo-app', 'delineo-mpr', 'delineo-slice-view', 'delineo-structure-list', 'delineo-toolbar']) assert.ok(tags.includes(tag), tag);
    for (const tag of tags) assert.match(tag, /^delineo-[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const e of elements) {
      const d = declarationOf(e.tag);
      assert.ok(d, `${e.tag} is declared`);
      assert.equal(d.customElement, true, e.tag);
      assert.equal(d.name, e.className, e.tag);
      assert.equal(typeof d.summary, 'string', `${e.tag}: summary is text (a {@link} once made it a TypeScript node)`);
      assert.ok(d.summary!.length > 20 && !d.summary!.includes('\n\n'), `${e.tag}: the summary is the first paragraph`);
      assert.ok(d.description && d.description.length > 20, `${e.tag}: the rest of the class comment is the description`);
      const definition = manifest.modules.flatMap((m) => m.exports ?? []).find((x) => x.kind === 'custom-element-definition' && x.name === e.tag);
      assert.equal(definition?.declaration.name, e.className, `${e.tag}: its customElements.define is linked`);
    }
    const declared = manifest.modules.flatMap((m) => m.declarations).filter((d) => d.customElement).map((d) => d.tagName);
    assert.deepEqual(declared.sort(), [...tags].sort(), 'no other elements');
  });

  it('renders {@link Name} in a summary or description as text', () => {
    const app = declarationOf('delineo-app')!;
    assert.match(app.description!, /one `ViewerSession`, created here/);
    assert.doesNotMatch(JSON.stringify(manifest), /\{@link/);
  });

  it('lists every event each element documents with @event, with its name and type', () => {
    for (const e of elements) {
      const documented = documentedEvents(e.jsDoc);
      const listed = (declarationOf(e.tag)!.events ?? []).map((x) => ({ name: x.name, type: x.type?.text ?? '' }));
      assert.deepEqual(listed, documented, e.tag);
      for (const x of declarationOf(e.tag)!.events ?? []) assert.ok(x.description, `${e.tag} ${x.name} has a description`);
    }
  });

  it('documents every event an element emits (emit(this, …) in its class)', () => {
    for (const e of elements) {
      const documented = documentedEvents(e.jsDoc).map((x) => x.name);
      for (const name of e.emitted) assert.ok(documented.includes(name), `${e.componentPath} emits ${name} but its JSDoc has no @event for it`);
    }
  });

  it('has every event type of components/events/ in at least one element, under the name it is registered with', () => {
    const listed = manifest.modules.flatMap((m) => m.declarations).flatMap((d) => d.events ?? []);
    const types = eventFiles();
    assert.ok(types.length >= 11);
    for (const t of types) {
      assert.equal(`${t.name}.ts`, t.file, 'one file per event, named after it');
      const found = listed.filter((x) => x.name === t.name);
      assert.ok(found.length > 0, `${t.name} (${t.type}) is listed by an element`);
      for (const x of found) assert.equal(x.type?.text, t.type, `${t.name} is typed ${t.type}`);
    }
    const known = new Set(types.map((t) => t.name));
    for (const x of listed) assert.ok(known.has(x.name), `${x.name} is an event type of components/events/`);
  });

  it('names every event delineo-… in lowercase kebab case', () => {
    const names = manifest.modules.flatMap((m) => m.declarations).flatMap((d) => d.events ?? []).map((x) => x.name);
    assert.ok(names.length > 0);
    for (const name of names) assert.match(name, /^delineo-[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('dispatches events only through emit() (bubbling, composed, typed)', () => {
    const files = readdirSync(join(root, 'components'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== join('internal', 'emit.ts'));
    for (const f of files) {
      const source = read(join('components', f));
      assert.doesNotMatch(source, /new CustomEvent\b|\.dispatchEvent\(/, `${f} dispatches an event without emit()`);
    }
  });

  it('lists the CSS parts and custom properties of delineo-app', () => {
    const app = declarationOf('delineo-app')!;
    const parts = (app.cssParts ?? []).map((p) => p.name);
    for (const name of ['header', 'title', 'subtitle', 'toolbar', 'viewport', '3d-view', 'sidebar', 'structure-list', 'status', 'message']) assert.ok(parts.includes(name), `part ${name}`);
    const properties = (app.cssProperties ?? []).map((p) => p.name);
    for (const name of ['--delineo-app-background', '--delineo-app-foreground', '--delineo-app-muted', '--delineo-app-accent', '--delineo-app-font', '--delineo-app-sidebar-width']) assert.ok(properties.includes(name), `custom property ${name}`);
    for (const x of [...(app.cssParts ?? []), ...(app.cssProperties ?? [])]) assert.ok(x.description, `${x.name} has a description`);
    assert.deepEqual((app.slots ?? []).map((s) => s.name), ['3d']);
  });

  it('documents every part an element renders and every custom property its styles read', () => {
    for (const e of elements) {
      const d = declarationOf(e.tag)!;
      const parts = new Set((d.cssParts ?? []).map((p) => p.name));
      for (const part of e.parts) assert.ok(parts.has(part), `${e.tag} renders part "${part}" without a @csspart`);
      const properties = new Set((d.cssProperties ?? []).map((p) => p.name));
      for (const property of e.cssProperties) assert.ok(properties.has(property), `${e.tag} reads ${property} without a @cssproperty`);
      for (const property of properties) assert.ok(property.startsWith(`--${e.tag}-`), `${e.tag}: ${property} is named after the element`);
    }
  });

  it('is what docs/embedding.md tables say (UPDATE_DOCS=1 rewrites them)', () => {
    const declarations = manifest.modules.flatMap((m) => m.declarations).filter((d) => d.customElement).sort((a, b) => a.tagName!.localeCompare(b.tagName!));
    const path = join(root, 'docs/embedding.md');
    const doc = readFileSync(path, 'utf8');
    const generated = withGenerated(withGenerated(doc, 'elements', elementsTable(declarations)), 'events', eventsTable(declarations));
    if (process.env.UPDATE_DOCS && generated !== doc) writeFileSync(path, generated);
    else assert.equal(doc, generated, 'docs/embedding.md is out of date: run UPDATE_DOCS=1 node --import tsx --test test/custom-elements-manifest.test.ts');
  });

  it('records the module of each element', () => {
    for (const e of elements) {
      const module = manifest.modules.find((m) => m.declarations.some((d) => d.tagName === e.tag));
      assert.equal(module?.path, e.componentPath);
      assert.equal(basename(module!.path), `${e.tag}.component.ts`);
    }
  });
});
