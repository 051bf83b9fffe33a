// custom-elements.json: the documented API of every element (attributes, properties, events, slots, CSS
// parts and custom properties), generated from the JSDoc in components/ by `npm run build` (or
// `npm run manifest`) into dist/custom-elements.json; package.json's `customElements` points there.

/** A TypeScript AST node (the analyzer hands some JSDoc comments over as nodes instead of strings). */
function isTsNode(value) {
  return value !== null && typeof value === 'object' && typeof value.kind === 'number' && typeof value.pos === 'number' && typeof value.end === 'number';
}

/**
 * The text of a JSDoc comment that TypeScript parsed into parts: plain text, and `{@link Name}` /
 * `{@link Name | label}` as `Name` in backticks (or the label).
 */
function commentText(parts) {
  return parts
    .map((part) => {
      if (!part.name) return part.text ?? '';
      const label = (part.text ?? '').replace(/^\s*\|?\s*/, '').trim();
      return label || `\`${part.name.getText()}\``;
    })
    .join('');
}

/** Replaces, in place, every TypeScript node (or array of them) under `value` with its comment text. */
function replaceTsNodes(value) {
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (Array.isArray(child) && child.length > 0 && child.every(isTsNode)) value[key] = commentText(child);
    else if (isTsNode(child)) value[key] = commentText([child]);
    else replaceTsNodes(child);
  }
}

/**
 * The analyzer (0.11) copies a class's `@summary` tag comment as TypeScript returns it. When that comment
 * contains an inline tag such as `{@link ViewerSession}`, TypeScript returns an array of JSDoc nodes (each
 * linked to its parent) instead of a string, and writing the manifest fails with "Converting circular
 * structure to JSON". This plugin turns such nodes back into text before anything is written.
 *
 * Our class comments open with `@summary` and run on into the long description, which the analyzer would
 * put whole into `summary`; the schema wants a short summary and a separate description, so the first
 * paragraph stays the summary and the rest becomes the description (when the class has none).
 */
function jsDocTextPlugin() {
  return {
    name: 'delineo-jsdoc-text',
    moduleLinkPhase({ moduleDoc }) {
      replaceTsNodes(moduleDoc);
      for (const declaration of moduleDoc.declarations ?? []) {
        if (typeof declaration.summary !== 'string' || declaration.description) continue;
        const [first, ...rest] = declaration.summary.trim().split(/\n\s*\n/);
        declaration.summary = first.replace(/\s*\n\s*/g, ' ');
        if (rest.length) declaration.description = rest.join('\n\n');
      }
    },
  };
}

export default {
  globs: ['components/**/*.ts'],
  exclude: ['**/*.test.ts', '**/*.browser.test.ts', 'components/internal/**'],
  outdir: 'dist',
  litelement: true,
  // The analyzer would otherwise rewrite package.json's `customElements` to whatever --outdir a run used
  // (the manifest test writes to a temporary folder); package.json names dist/custom-elements.json itself.
  packagejson: false,
  plugins: [jsDocTextPlugin()],
};
