// A @web/test-runner plugin that gives browser tests their screenshot baselines: the browser cannot read the
// environment or write into the repository, so it asks this server-side command (see screenshot.ts). Baselines
// live in test/fixtures/screenshots/<name>.png and are written only when UPDATE_BASELINES=1; a failing
// comparison leaves the actual image and a difference image in test/.out/screenshots/ for a person to look at.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const NAME = /^[a-z0-9][a-z0-9-]{0,80}$/;

/** The plugin; `root` is the repository root (the test runner's working directory by default). */
export function screenshotPlugin({ root = process.cwd() } = {}) {
  const baselines = join(root, 'test/fixtures/screenshots');
  const out = join(root, 'test/.out/screenshots');
  return {
    name: 'delineo-screenshots',
    async executeCommand({ command, payload, session }) {
      if (command !== 'delineo-screenshot') return undefined;
      const { action, name } = payload ?? {};
      if (action === 'capture') {
        // A real screenshot of a page region (WebGL, 2D overlays and HTML text as composited for the user),
        // taken through the Chrome launcher's Puppeteer page; the page runs at device-pixel ratio 1.
        if (typeof session?.browser?.getPage !== 'function')
          throw new Error('page screenshots need the Chrome (Puppeteer) launcher');
        const { x, y, width, height } = payload.clip;
        const png = await session.browser
          .getPage(session.id)
          .screenshot({ type: 'png', clip: { x, y, width, height }, captureBeyondViewport: false });
        return { png: Buffer.from(png).toString('base64') };
      }
      if (!NAME.test(String(name)))
        throw new Error(`screenshot name must be lower-case kebab case, got ${JSON.stringify(name)}`);
      const update = process.env.UPDATE_BASELINES === '1';
      const baselinePath = join(baselines, `${name}.png`);
      if (action === 'read') {
        return {
          update,
          baseline: existsSync(baselinePath) ? (await readFile(baselinePath)).toString('base64') : null,
          path: `test/fixtures/screenshots/${name}.png`,
        };
      }
      if (action === 'write-baseline') {
        if (!update) throw new Error('baselines are written only with UPDATE_BASELINES=1');
        await mkdir(baselines, { recursive: true });
        await writeFile(baselinePath, Buffer.from(payload.png, 'base64'));
        return { path: `test/fixtures/screenshots/${name}.png` };
      }
      if (action === 'write-failure') {
        await mkdir(out, { recursive: true });
        await writeFile(join(out, `${name}.actual.png`), Buffer.from(payload.png, 'base64'));
        if (payload.diff) await writeFile(join(out, `${name}.diff.png`), Buffer.from(payload.diff, 'base64'));
        return { path: `test/.out/screenshots/${name}.actual.png` };
      }
      throw new Error(`unknown delineo-screenshot action ${JSON.stringify(action)}`);
    },
  };
}
