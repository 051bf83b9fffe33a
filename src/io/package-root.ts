/**
 * The folder of Delineo's package.json, found from a module's URL: the same answer from the TypeScript source
 * (src/…) in a checkout and from the compiled JavaScript (dist/lib/src/…) in an installed package, whose depth
 * below the root differs. Node-only: what ships beside the code (models/, package.json) is found from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above `moduleUrl` holding a package.json named "delineo"; throws when there is none. */
export function packageRoot(moduleUrl: string | URL): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'delineo') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json of delineo above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
}

/** The version of the Delineo package the module at `moduleUrl` belongs to (package.json `version`). */
export function packageVersion(moduleUrl: string | URL): string {
  return (JSON.parse(readFileSync(join(packageRoot(moduleUrl), 'package.json'), 'utf8')) as { version: string }).version;
}
