import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { main } from './main.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { log: (l: string) => out.push(l), error: (l: string) => err.push(l) }, out, err };
}

describe('delineo (the command line)', () => {
  it('prints the package version for --version, -v and version', async () => {
    for (const flag of ['--version', '-v', 'version']) {
      const c = capture();
      assert.equal(await main([flag], c.io), 0);
      assert.deepEqual(c.out, [VERSION]);
    }
  });

  it("prints a subcommand's usage for help <command>, the overview otherwise", async () => {
    const c = capture();
    assert.equal(await main(['help', 'export'], c.io), 0);
    assert.match(c.out[0], /^Usage: delineo export --ct <dir> --labels <nifti>/);
    const d = capture();
    assert.equal(await main(['help', 'predict-dose'], d.io), 0);
    assert.match(d.out[0], /^Usage: delineo predict-dose --ct <dir> --rtstruct <rs\.dcm> --out <rd\.dcm>/);
    const o = capture();
    assert.equal(await main(['--help'], o.io), 0);
    assert.match(o.out[0], /^Usage: delineo <command>/);
  });

  it('exits 2 naming an unknown command, and on no command at all', async () => {
    const c = capture();
    assert.equal(await main(['exprot'], c.io), 2);
    assert.match(c.err[0], /^delineo: unknown command "exprot"/);
    assert.equal(await main([], capture().io), 2);
  });
});
