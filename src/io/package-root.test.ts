import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot, packageVersion } from './package-root.ts';

const scratch = mkdtempSync(join(tmpdir(), 'delineo-package-root-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('packageRoot', () => {
  it('finds the package from the source in a checkout and from the compiled module in an installed package', () => {
    const pkg = join(scratch, 'node_modules', 'delineo');
    mkdirSync(join(pkg, 'dist/lib/src/inference'), { recursive: true });
    // A package.json of another package on the way up (a consumer project's) is not Delineo's.
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', version: '9.9.9' }));
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'delineo', version: '1.2.3' }));
    const compiled = pathToFileURL(join(pkg, 'dist/lib/src/inference/segment-node.js'));
    assert.equal(packageRoot(compiled), pkg);
    assert.equal(packageVersion(compiled), '1.2.3');
    assert.equal(packageRoot(new URL('../../package.json', import.meta.url)), join(import.meta.dirname, '..', '..'));
  });

  it('throws, naming the module, outside any Delineo package', () => {
    const lonely = pathToFileURL(join(scratch, 'lonely', 'x.js'));
    assert.throws(() => packageRoot(lonely), /no package\.json of delineo above .*lonely\/x\.js/);
  });
});
