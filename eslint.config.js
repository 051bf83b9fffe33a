// ESLint flat config. The architecture boundaries described in README.md (Layout) are enforced here, so a
// layering mistake fails `npm test` instead of review: the direction between our own folders by
// `delineo/layers` (scripts/eslint-layers.js), and which folder may use which library by `no-restricted-imports`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';
import layers from './scripts/eslint-layers.js';

const vtk = { group: ['@kitware/vtk.js', '@kitware/vtk.js/*'], message: 'vtk.js is used only in src/render and src/mesh.' };
const dcmjs = { group: ['dcmjs'], message: 'dcmjs is used only in src/io/dicom.' };
const ort = { group: ['onnxruntime-*', 'onnxruntime-*/*'], message: 'onnxruntime is used only in src/inference.' };
const itk = { group: ['itk-wasm', '@itk-wasm/*'], message: 'itk-wasm is used only in src/io/itk, src/registration (elastix) and workers.' };
const elastix = { group: ['@itk-wasm/elastix'], message: '@itk-wasm/elastix is used only in src/registration.' };
const lit_ = { group: ['lit', 'lit/*', '@lit/*'], message: 'Lit belongs to components/, the core stays framework-free.' };
const rxjs = { group: ['rxjs', 'rxjs/*'], message: 'The domain layer is pure: no rxjs (use src/state).' };
/** One restricted-imports rule with the given pattern groups. */
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'bench/results/', 'test/.out/', '.training-data/', 'models/**/*.onnx', 'wasm/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node }, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  { files: ['src/**/*.ts', 'components/**/*.ts', 'bench/**/*.ts', 'models/**/*.ts'], plugins: { delineo: layers }, rules: { 'delineo/layers': 'error' } },
  { files: ['src/**/*.ts'], ignores: ['src/domain/**', 'src/render/**', 'src/mesh/**', 'src/io/**', 'src/inference/**', 'src/registration/**'], rules: restrict(vtk, dcmjs, ort, itk, lit_) },
  { files: ['src/registration/**/*.ts'], rules: restrict(vtk, dcmjs, ort, lit_) },
  { files: ['src/domain/**/*.ts'], rules: restrict(vtk, dcmjs, ort, itk, lit_, rxjs) },
  { files: ['src/render/**/*.ts', 'src/mesh/**/*.ts'], rules: restrict(dcmjs, ort, itk, lit_) },
  { files: ['src/io/dicom/**/*.ts'], rules: restrict(vtk, ort, itk, lit_) },
  { files: ['src/io/itk/**/*.ts'], rules: restrict(vtk, dcmjs, ort, lit_, elastix) },
  { files: ['src/io/*.ts', 'src/io/dicomweb/**/*.ts'], rules: restrict(vtk, ort, itk, dcmjs, lit_) },
  { files: ['src/inference/**/*.ts'], rules: restrict(vtk, dcmjs, lit_) },
  {
    files: ['components/**/*.ts'],
    ignores: ['components/**/*.test.ts'],
    plugins: { lit, wc },
    rules: {
      ...lit.configs.recommended.rules,
      ...wc.configs.recommended.rules,
      ...restrict(vtk, dcmjs, ort, itk),
    },
  },
);
