import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.dcm': 'application/dicom',
  // A bundled worker kept at its source name (.ts), where bundled code's `new URL('./x.worker.ts', import.meta.url)` looks.
  '.ts': 'text/javascript',
};

/**
 * A static HTTP server on a free loopback port for the browser benchmarks: serves folders by URL prefix
 * (longest prefix wins; `/` maps to index.html) with the app's COOP/COEP headers, so the page is
 * cross-origin isolated and WASM threads work as in the app, and refuses paths outside the folders.
 */
export async function serveIsolated(roots: Record<string, string>): Promise<{ port: number; close: () => void }> {
  const prefixes = Object.keys(roots).sort((a, b) => b.length - a.length);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/$/, '/index.html');
    const prefix = prefixes.find((p) => url.startsWith(p));
    const root = prefix === undefined ? undefined : resolve(roots[prefix]);
    const path = root === undefined ? undefined : resolve(root, decodeURIComponent(url.slice(prefix!.length)));
    if (!root || !path || !(path === root || path.startsWith(root + sep)) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}
