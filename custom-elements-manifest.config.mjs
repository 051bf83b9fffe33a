// custom-elements.json: the documented API of every element (attributes, properties, events, slots, CSS
// parts and custom properties), generated from the JSDoc in components/ by `npm run build`.
export default {
  globs: ['components/**/*.ts'],
  exclude: ['**/*.test.ts', '**/*.browser.test.ts', 'components/internal/**'],
  outdir: 'dist',
  litelement: true,
};
