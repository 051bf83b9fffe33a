// @web/test-runner plugin: server commands for browser tests that must check a file with a real DICOM tool
// (the browser cannot run dicom3tools) or write documentation screenshots.
// - `delineo-dciodvfy` { base64, name }: writes the bytes to a temporary file, runs `dciodvfy -new` on it and
//   answers { errors, warnings, output } — lines starting with "Error" / "Warning", as test/helpers/external-tools.ts
//   sorts them for the Node tests.
// - `delineo-doc-screenshot` { query: true } answers { enabled } (whether DOC_SCREENSHOTS=1);
//   `delineo-doc-screenshot` { name, png }: with DOC_SCREENSHOTS=1 writes docs/screenshots/<name>.png (the
//   README's pictures of each stage of the flow); otherwise does nothing and answers { written: false }.
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NAME = /^[a-z0-9][a-z0-9-]{0,80}$/;

export function dicomCommands({ root = process.cwd() } = {}) {
  return {
    name: 'delineo-dicom-commands',
    async executeCommand({ command, payload }) {
      if (command === 'delineo-dciodvfy') {
        const bytes = Buffer.from(String(payload?.base64 ?? ''), 'base64');
        if (bytes.length < 132) throw new Error('delineo-dciodvfy: no DICOM file in the payload');
        const dir = await mkdtemp(join(tmpdir(), 'delineo-dciodvfy-'));
        try {
          const file = join(dir, 'file.dcm');
          await writeFile(file, bytes);
          const r = spawnSync('dciodvfy', ['-new', file], { encoding: 'utf8', timeout: 60000 });
          if (r.error) throw new Error(`dciodvfy could not run (${r.error.message}): apt-get install dicom3tools`);
          const output = `${r.stdout}\n${r.stderr}`;
          const lines = output.split('\n').map((l) => l.trim());
          return { errors: lines.filter((l) => l.startsWith('Error')), warnings: lines.filter((l) => l.startsWith('Warning')), output };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
      if (command === 'delineo-doc-screenshot') {
        if (payload?.query) return { enabled: process.env.DOC_SCREENSHOTS === '1' };
        if (process.env.DOC_SCREENSHOTS !== '1') return { written: false };
        if (!NAME.test(String(payload?.name))) throw new Error(`doc screenshot name must be lower-case kebab case, got ${JSON.stringify(payload?.name)}`);
        const dir = join(root, 'docs/screenshots');
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, `${payload.name}.png`), Buffer.from(String(payload.png), 'base64'));
        return { written: true, path: `docs/screenshots/${payload.name}.png` };
      }
      return undefined;
    },
  };
}
