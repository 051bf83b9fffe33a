// The same-origin DICOMweb proxy (scripts/dicomweb-proxy.js) against a recording upstream server, and the
// test-runner plugin (scripts/wtr-orthanc.js) that starts a seeded Orthanc and points the proxy at it.
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DICOMWEB_TARGET_ENV, dicomWebProxyConnect, dicomWebProxyKoa, upstreamUrl } from '../../scripts/dicomweb-proxy.js';
import { delineoOrthanc } from '../../scripts/wtr-orthanc.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

const listen = (server: Server) => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A raw request (no URL normalisation, so `..` reaches the server as sent). */
function raw(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
    const u = new URL(base);
    const req = request({ host: u.hostname, port: u.port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

let upstream: Server;
let upstreamBase: string;
const seen: Seen[] = [];
let target: string | undefined;

/** The proxy in a bare Connect-like server (what Vite gives it); `next` answers 404 "fell through". */
let connectBase: string;
let connectServer: Server;
/** The Koa wrapper, driven with the small part of a Koa context that it uses. */
let koaBase: string;
let koaServer: Server;
let koaStatus: number | undefined;

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url!.includes('/slow')) return; // never answers: the client gives up first
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      if (req.url!.includes('/secret')) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Orthanc"', 'Content-Type': 'text/plain' });
        res.end('no');
        return;
      }
      // A multipart body written in pieces, so the proxy has to stream it.
      res.writeHead(200, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=b', 'Set-Cookie': 'upstream=1', 'X-Internal': 'yes' });
      res.write('--b\r\n');
      setTimeout(() => res.end(`\r\n${Buffer.concat(chunks).length} bytes\r\n--b--`), 20);
    });
  });
  upstreamBase = await listen(upstream);
  target = `${upstreamBase}/dicom-web/`;
  const options = { target: () => target };
  const connect = dicomWebProxyConnect(options);
  connectServer = createServer((req, res) =>
    connect(req, res, () => {
      res.writeHead(404);
      res.end('fell through');
    }),
  );
  connectBase = await listen(connectServer);
  const koa = dicomWebProxyKoa(options);
  koaServer = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const ctx = { req, res, url: req.url!, respond: true, set status(s: number) {
      koaStatus = s;
    } };
    await koa(ctx, async () => {
      res.writeHead(404);
      res.end('fell through');
    });
  });
  koaBase = await listen(koaServer);
});

after(async () => {
  for (const server of [upstream, connectServer, koaServer]) server.closeAllConnections();
  await Promise.all([close(upstream), close(connectServer), close(koaServer)]);
});

describe('DICOMweb proxy', () => {
  it('maps paths under /dicomweb to the target root and refuses traversal', () => {
    const t = 'http://pacs.local:8042/dicom-web/';
    assert.equal(upstreamUrl('/dicomweb/studies?PatientID=1*&limit=5', t)!.url!.href, 'http://pacs.local:8042/dicom-web/studies?PatientID=1*&limit=5');
    assert.equal(upstreamUrl('/dicomweb', t)!.url!.href, 'http://pacs.local:8042/dicom-web');
    assert.equal(upstreamUrl('/dicomwebx/studies', t), null);
    assert.equal(upstreamUrl('/src/index.ts', t), null);
    for (const p of ['/dicomweb/../system', '/dicomweb/studies/%2e%2e/%2E%2E/system', '/dicomweb/a%2fb', '/dicomweb/a%5c..', '/dicomweb/./x', '/dicomweb/%zz'])
      assert.ok(upstreamUrl(p, t)!.refused, `${p} is refused`);
  });

  for (const kind of ['Connect', 'Koa'] as const) {
    const base = () => (kind === 'Connect' ? connectBase : koaBase);

    it(`${kind}: streams a GET with its query, forwards auth and Accept, filters the answer's headers, adds CORP`, async () => {
      seen.length = 0;
      const r = await raw(base(), '/dicomweb/studies/1.2.3/series?Modality=CT', { headers: { Authorization: 'Basic abc', Accept: 'multipart/related; type="application/dicom"', Cookie: 'app=secret' } });
      assert.equal(r.status, 200);
      assert.equal(r.headers['cross-origin-resource-policy'], 'same-origin');
      assert.match(r.headers['content-type']!, /boundary=b/);
      assert.equal(r.headers['set-cookie'], undefined);
      assert.equal(r.headers['x-internal'], undefined);
      assert.equal(r.body.toString(), '--b\r\n\r\n0 bytes\r\n--b--');
      assert.equal(seen[0].url, '/dicom-web/studies/1.2.3/series?Modality=CT');
      assert.equal(seen[0].headers.authorization, 'Basic abc');
      assert.match(seen[0].headers.accept!, /multipart\/related/);
      assert.equal(seen[0].headers.cookie, undefined, "the app's cookies stay behind");
      if (kind === 'Koa') assert.equal(koaStatus, 200);
    });

    it(`${kind}: streams a POST body (STOW-RS) with its Content-Type`, async () => {
      seen.length = 0;
      const body = Buffer.alloc(3_000_000, 7);
      const r = await raw(base(), '/dicomweb/studies', { method: 'POST', body, headers: { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=x', 'Content-Length': String(body.length) } });
      assert.equal(r.status, 200);
      assert.equal(seen[0].method, 'POST');
      assert.equal(seen[0].body.length, body.length);
      assert.ok(seen[0].body.equals(body));
      assert.match(seen[0].headers['content-type']!, /boundary=x/);
    });

    it(`${kind}: passes a 401 without WWW-Authenticate (no browser login dialog)`, async () => {
      const r = await raw(base(), '/dicomweb/secret');
      assert.equal(r.status, 401);
      assert.equal(r.headers['www-authenticate'], undefined);
      if (kind === 'Koa') assert.equal(koaStatus, 401);
    });

    it(`${kind}: stops the upstream request when the client goes away`, async () => {
      const u = new URL(base());
      const upstreamClosed = new Promise<void>((resolve) => upstream.once('request', (req: IncomingMessage) => req.socket.once('close', () => resolve())));
      const req = request({ host: u.hostname, port: u.port, path: '/dicomweb/slow' });
      req.on('error', () => {});
      req.end();
      await new Promise((r) => setTimeout(r, 100));
      req.destroy();
      await upstreamClosed;
      if (kind === 'Koa') {
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(koaStatus, 499, 'reported as "client closed request", not as a missing file');
      }
    });

    it(`${kind}: refuses traversal with 400, answers 502 when the server is down, does nothing without a target`, async () => {
      seen.length = 0;
      const refused = await raw(base(), '/dicomweb/../../etc/passwd');
      assert.equal(refused.status, 400);
      assert.match(refused.body.toString(), /refused/);
      assert.equal(seen.length, 0);
      const saved = target;
      try {
        target = 'http://127.0.0.1:9/dicom-web';
        const down = await raw(base(), '/dicomweb/studies');
        assert.equal(down.status, 502);
        assert.match(down.body.toString(), /could not be reached/);
        assert.equal(down.headers['cross-origin-resource-policy'], 'same-origin');
        target = undefined;
        const off = await raw(base(), '/dicomweb/studies');
        assert.equal(off.status, 404);
        assert.equal(off.body.toString(), 'fell through');
      } finally {
        target = saved;
      }
      assert.equal((await raw(base(), '/index.html')).body.toString(), 'fell through');
    });
  }

  it(`reads ${DICOMWEB_TARGET_ENV} on every request by default`, async () => {
    const proxy = dicomWebProxyConnect();
    const server = createServer((req, res) =>
      proxy(req, res, () => {
        res.writeHead(404);
        res.end('fell through');
      }),
    );
    const base = await listen(server);
    const saved = process.env[DICOMWEB_TARGET_ENV];
    try {
      delete process.env[DICOMWEB_TARGET_ENV];
      assert.equal((await raw(base, '/dicomweb/studies')).status, 404);
      process.env[DICOMWEB_TARGET_ENV] = `${upstreamBase}/dicom-web`;
      assert.equal((await raw(base, '/dicomweb/studies')).status, 200);
    } finally {
      if (saved === undefined) delete process.env[DICOMWEB_TARGET_ENV];
      else process.env[DICOMWEB_TARGET_ENV] = saved;
      await close(server);
    }
  });
});

describe('wtr-orthanc plugin', () => {
  it('starts a seeded Orthanc on demand, points the proxy at it, and stops it with the server', async () => {
    const saved = process.env[DICOMWEB_TARGET_ENV];
    const plugin = delineoOrthanc();
    assert.equal(await plugin.executeCommand({ command: 'something-else' }), undefined);
    assert.equal(process.env[DICOMWEB_TARGET_ENV], saved, 'nothing starts before the command');
    const t0 = performance.now();
    let answer: Record<string, unknown>;
    let orthancRoot = '';
    for (;;) {
      answer = (await plugin.executeCommand({ command: 'delineo-orthanc-start' })) as Record<string, unknown>;
      if (!answer.pending) break;
    }
    const startedMs = performance.now() - t0;
    const proxy = dicomWebProxyConnect();
    const server = createServer((req, res) => proxy(req, res, () => res.end()));
    const base = await listen(server);
    try {
      assert.equal(answer.dicomWebRoot, '/dicomweb');
      assert.equal(answer.dicomWebUrl, undefined, "Orthanc's own address stays on the server");
      assert.match(String(answer.authorization), /^Basic /);
      assert.equal(answer.instances, 48);
      orthancRoot = process.env[DICOMWEB_TARGET_ENV]!;
      assert.match(orthancRoot, /^http:\/\/127\.0\.0\.1:\d+\/dicom-web$/);
      // A second call answers at once with the same server.
      assert.deepEqual(await plugin.executeCommand({ command: 'delineo-orthanc-start' }), answer);
      const qido = await raw(base, `/dicomweb/studies/${answer.studyInstanceUid}/series?includefield=00201209`, { headers: { Authorization: String(answer.authorization), Accept: 'application/dicom+json' } });
      assert.equal(qido.status, 200);
      const [series] = JSON.parse(qido.body.toString()) as { '0020000E': { Value: string[] }; '00201209': { Value: number[] } }[];
      assert.equal(series['0020000E'].Value[0], answer.seriesInstanceUid);
      assert.equal(series['00201209'].Value[0], 48);
      const refused = await raw(base, '/dicomweb/studies', { headers: { Authorization: 'Basic d3Jvbmc6d3Jvbmc=' } });
      assert.equal(refused.status, 401);
      console.log(`orthanc ready in ${startedMs.toFixed(0)} ms (helper: ${JSON.stringify(answer.timings)})`);
    } finally {
      await close(server);
      await plugin.serverStop();
    }
    assert.equal(process.env[DICOMWEB_TARGET_ENV], saved, 'the target is restored');
    await assert.rejects(fetch(`${orthancRoot}/studies`), 'Orthanc is stopped');
  });
});
