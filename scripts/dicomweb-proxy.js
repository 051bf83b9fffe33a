// Same-origin DICOMweb proxy for the dev server (Vite) and the browser test runner (@web/test-runner).
//
// The app is cross-origin isolated (COOP/COEP), so every response it fetches must be same-origin or carry
// CORS/CORP headers, and PACS such as Orthanc send neither. In development and in tests the page therefore
// reaches its DICOMweb server through `/dicomweb/*` on its own origin, which this middleware forwards to the
// root named by the environment variable DELINEO_DICOMWEB_TARGET (e.g. http://127.0.0.1:8042/dicom-web).
// The variable is read on every request, so a test plugin can start a server and point the proxy at it
// later; while it is unset the middleware passes every request on untouched.
//
// Bodies stream both ways (STOW-RS multipart uploads, WADO-RS multipart downloads of hundreds of MB are never
// buffered), Authorization and the content negotiation headers pass through, and a client that goes away
// (an aborted fetch) aborts the upstream request. Production deployments use their own reverse proxy.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream';

/** The environment variable holding the upstream DICOMweb root. */
export const DICOMWEB_TARGET_ENV = 'DELINEO_DICOMWEB_TARGET';

/** The same-origin path the browser uses as its DICOMweb root. */
export const DICOMWEB_PREFIX = '/dicomweb';

// Request headers worth forwarding: authentication and content negotiation. Cookies of the app's origin and the
// browser's Accept-Encoding (the streaming parser wants identity bodies) stay behind.
const REQUEST_HEADERS = ['accept', 'authorization', 'content-type', 'content-length', 'cache-control', 'if-none-match', 'if-modified-since'];
// Response headers passed back. Not WWW-Authenticate: on a 401 it makes the browser open its own basic-auth
// dialog (and remember what is typed there), while the app shows the refusal itself. Not hop-by-hop headers.
const RESPONSE_HEADERS = ['content-type', 'content-length', 'content-location', 'cache-control', 'etag', 'last-modified', 'warning', 'retry-after'];

/**
 * Maps a request URL (path and query) to the upstream URL under `target`. Returns null when the path is not
 * under `prefix`, and `{ refused }` for a path that tries to leave the DICOMweb root (`..`, `.`, encoded
 * slashes or backslashes in a segment, malformed percent-encoding).
 */
export function upstreamUrl(requestUrl, target, prefix = DICOMWEB_PREFIX) {
  const q = requestUrl.indexOf('?');
  const path = q < 0 ? requestUrl : requestUrl.slice(0, q);
  const query = q < 0 ? '' : requestUrl.slice(q);
  if (path !== prefix && !path.startsWith(`${prefix}/`)) return null;
  const rest = path.slice(prefix.length);
  for (const segment of rest.split('/')) {
    let decoded;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { refused: 'malformed percent-encoding' };
    }
    if (decoded === '.' || decoded === '..' || /[\\/\0]/.test(decoded)) return { refused: 'path traversal' };
  }
  const root = new URL(target);
  return { url: new URL(`${root.origin}${root.pathname.replace(/\/+$/, '')}${rest}${query}`) };
}

function plain(res, status, message) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cross-Origin-Resource-Policy': 'same-origin', 'Cache-Control': 'no-store' });
  res.end(`DICOMweb proxy: ${message}\n`);
}

/**
 * Forwards one request (Node IncomingMessage / ServerResponse) to `url` and streams the answer back. Calls
 * `onStatus(status)` before the head is written (the Koa wrapper records it for the test runner's 404 tracking).
 * Resolves when the response has ended or the client has gone.
 */
function forward(req, res, url, onStatus) {
  return new Promise((resolve) => {
    const headers = {};
    for (const name of REQUEST_HEADERS) if (req.headers[name] !== undefined) headers[name] = req.headers[name];
    // Without a length the body (if any) goes chunked, which Orthanc and other servers accept.
    if (req.headers['transfer-encoding'] && headers['content-length'] === undefined) headers['transfer-encoding'] = req.headers['transfer-encoding'];
    const upstream = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: req.method, headers });
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      resolve();
    };
    // The browser aborted (a cancelled search, a closed tab): stop the upstream work too.
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
        // Not the default 404 the test runner would report as a missing file: "client closed request".
        if (!res.headersSent) onStatus?.(499);
      }
      done();
    });
    upstream.on('error', (e) => {
      if (res.destroyed || res.writableEnded) {
        /* the client went away first */
      } else if (res.headersSent) res.destroy(e);
      else {
        onStatus?.(502);
        plain(res, 502, `the DICOMweb server ${url.origin} could not be reached (${e.code ?? e.message})`);
      }
      done();
    });
    upstream.on('response', (answer) => {
      const out = { 'Cross-Origin-Resource-Policy': 'same-origin' };
      for (const name of RESPONSE_HEADERS) if (answer.headers[name] !== undefined) out[name] = answer.headers[name];
      onStatus?.(answer.statusCode);
      res.writeHead(answer.statusCode, answer.statusMessage, out);
      pipeline(answer, res, () => done());
    });
    if (req.method === 'GET' || req.method === 'HEAD') upstream.end();
    else
      pipeline(req, upstream, (e) => {
        if (e) upstream.destroy(e);
      });
  });
}

/** Options of the middleware factories. */
function resolveOptions(options = {}) {
  return { prefix: options.prefix ?? DICOMWEB_PREFIX, target: options.target ?? (() => process.env[DICOMWEB_TARGET_ENV]) };
}

/** Handles a request under the prefix: refuses, reports a bad target, or forwards. Returns false when it is not ours. */
function handle(req, res, requestUrl, options, onStatus) {
  const target = options.target();
  if (!target) return false;
  let mapped;
  try {
    mapped = upstreamUrl(requestUrl, target, options.prefix);
  } catch {
    onStatus?.(500);
    plain(res, 500, `${DICOMWEB_TARGET_ENV}="${target}" is not a URL`);
    return Promise.resolve();
  }
  if (!mapped) return false;
  if (mapped.refused) {
    onStatus?.(400);
    plain(res, 400, `refused (${mapped.refused})`);
    return Promise.resolve();
  }
  return forward(req, res, mapped.url, onStatus);
}

/**
 * Koa-style middleware (@web/test-runner, @web/dev-server) forwarding `/dicomweb/*` to DELINEO_DICOMWEB_TARGET.
 * It writes the response itself (`ctx.respond = false`), so no later middleware or plugin transform touches
 * the DICOM bytes and the test runner's year-long cache header for paths with a "file extension" (a UID
 * looks like one) never reaches a DICOMweb answer.
 */
export function dicomWebProxyKoa(options) {
  const o = resolveOptions(options);
  return async (ctx, next) => {
    const work = handle(ctx.req, ctx.res, ctx.url, o, (status) => (ctx.status = status));
    if (!work) return next();
    ctx.respond = false;
    await work;
  };
}

/** Connect-style middleware (Vite's dev and preview servers) forwarding `/dicomweb/*` to DELINEO_DICOMWEB_TARGET. */
export function dicomWebProxyConnect(options) {
  const o = resolveOptions(options);
  return (req, res, next) => {
    const work = handle(req, res, req.url ?? '/', o);
    if (!work) next();
  };
}
