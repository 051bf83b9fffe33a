// Content-Security-Policy in the browser tests: the test server adds the policy to the HTML pages under
// /test/csp/ and /examples/ and to the workers they start (and the workers those start), and collects
// the violation reports the browser posts, from the page and from its workers, at /__csp-reports (which also
// lists what was served with a policy).
// docs/security.md explains the policy; test/csp/csp.browser.test.ts checks the app under it.

/**
 * The policy we recommend for a page that embeds Delineo (docs/security.md): everything from the page's
 * own origin, WebAssembly compilation allowed ('wasm-unsafe-eval', not 'unsafe-eval'), no inline script or
 * style, workers from the origin (no blob: workers), images from the origin only.
 */
export const RECOMMENDED_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  // data: — itk-wasm's zstd decompressor (zstddec) fetches its own wasm from a data: URL.
  "connect-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

const REPORTS_PATH = '/__csp-reports';

/**
 * Koa middleware for @web/test-runner. A page under one of `prefixes` gets `policy`, or the one in its `csp` query
 * parameter (to compare policies by hand); a worker script gets the policy of the document or worker that
 * started it (known from its Referer). `GET /__csp-reports` returns `{ reports, served }`: the reports received
 * so far and the responses that carried a policy; `DELETE /__csp-reports` clears both.
 */
export function cspTestPages({ prefixes = ['/test/csp/', '/examples/'], policy = RECOMMENDED_CSP } = {}) {
  /** Policy by URL (path + query) of each document or worker served with one. */
  const policies = new Map();
  const reports = [];
  /** Path (with query) and Sec-Fetch-Dest of every response served with a policy since the last clear. */
  const served = [];
  return async function cspMiddleware(ctx, next) {
    if (ctx.path === REPORTS_PATH) {
      if (ctx.method === 'POST') {
        const chunks = [];
        for await (const chunk of ctx.req) chunks.push(chunk);
        try {
          reports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reports.push({ unparsable: Buffer.concat(chunks).toString('utf8') });
        }
        ctx.status = 204;
      } else if (ctx.method === 'DELETE') {
        reports.length = 0;
        served.length = 0;
        ctx.status = 204;
      } else {
        ctx.type = 'application/json';
        ctx.body = JSON.stringify({ reports, served });
      }
      return;
    }
    let applied = null;
    const worker = ctx.get('Sec-Fetch-Dest') === 'worker';
    if (prefixes.some((prefix) => ctx.path.startsWith(prefix)) && ctx.path.endsWith('.html')) {
      applied = typeof ctx.query.csp === 'string' && ctx.query.csp ? ctx.query.csp : policy;
    } else if (worker) {
      const referer = ctx.get('Referer');
      if (referer) {
        const from = new URL(referer);
        applied = policies.get(from.pathname + from.search) ?? null;
      }
    }
    if (applied) policies.set(ctx.url, applied);
    await next();
    // A worker script's policy depends on who started it, so no cached copy may be reused for another page
    // (the browser would otherwise run a worker cached by an earlier test without the policy, or the reverse).
    if (worker || applied) {
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Vary', 'Referer');
    }
    if (applied) {
      served.push({ url: ctx.url, dest: ctx.get('Sec-Fetch-Dest'), status: ctx.status });
      ctx.set('Content-Security-Policy', `${applied}; report-uri ${REPORTS_PATH}`);
    }
  };
}
