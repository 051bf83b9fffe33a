// Every browser test file imports test/helpers/browser-setup.ts first: without its hook, a failed assertion on a
// DOM element stalls @web/test-runner instead of reporting the failure (see that file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

test('every browser test file imports the browser test setup before anything else', () => {
  const files = ['components', 'src', 'test'].flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.browser.test.ts'))
      .map((f) => join(dir, f)),
  );
  assert.ok(files.length >= 20, `found ${files.length} browser test files`);
  for (const file of files) {
    let rel = relative(dirname(file), 'test/helpers/browser-setup.ts');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    const firstImport = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('import '));
    assert.equal(firstImport, `import '${rel}';`, file);
  }
});
