/**
 * The service's HTTP front for browsers (`delineo api`): a browser cannot reach Redis, so the app submits a
 * series and follows its job here. Three routes, JSON in and out, Node's http module only:
 *
 *   POST /jobs      {studyInstanceUid, seriesInstanceUid, model} → 202 {id, state, created}: the same idempotent
 *                   job as `delineo submit` (same id; a failed job is put back to run, as a user's explicit retry)
 *   GET  /jobs/:id  → {id, state, progress, failedReason?, rtstruct?: {studyInstanceUid, seriesInstanceUid,
 *                   sopInstanceUid}, skipped?}; 404 for a job the queue does not hold
 *   GET  /models    → {models: [{id, version, name}]}: the models this front accepts (its `--model` flags)
 *
 * Security: CORS headers only for the configured origin (never `*`); with a token configured, every request but a
 * CORS preflight must carry `Authorization: Bearer <token>` (compared in constant time). TLS belongs to a reverse
 * proxy in front (docs/service.md). Errors are `{error: message}` with a status that says whose fault it is.
 * Node-only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { JobError } from '../jobs/job.ts';
import type { ServiceJob, ServiceModel } from './api-client.ts';
import type { ServiceQueue } from './queue.ts';

/** Where {@link apiTokenFromEnvironment} looks. */
export const API_TOKEN_ENV = 'DELINEO_API_TOKEN';
export const API_TOKEN_FILE_ENV = 'DELINEO_API_TOKEN_FILE';

/** Options of {@link startApi}. */
export interface ApiOptions {
  readonly queue: ServiceQueue;
  readonly models: readonly ServiceModel[];
  readonly port: number;
  /** Default 127.0.0.1: exposed to a network only through a TLS proxy, or on purpose. */
  readonly host?: string;
  /** The one origin (scheme://host[:port]) whose pages may call the API from a browser. */
  readonly allowOrigin?: string;
  /** The bearer token clients must send; read per request (a rotated file needs no restart). */
  readonly token?: () => string;
  /** One line per request that failed on the server's side. */
  readonly log?: (line: string) => void;
}

/** Thrown when the configured token cannot be read. */
export class ApiTokenError extends JobError {
  override name = 'ApiTokenError';
}

/**
 * The token clients must present, from `DELINEO_API_TOKEN` or from the file named by `DELINEO_API_TOKEN_FILE`
 * (re-read on every request); never from the command line, which every user of the machine sees in `ps`.
 * Undefined when neither is set (then the API asks for no token: only behind a proxy that authenticates).
 */
export function apiTokenFromEnvironment(env: NodeJS.ProcessEnv = process.env): (() => string) | undefined {
  const value = env[API_TOKEN_ENV]?.trim();
  const file = env[API_TOKEN_FILE_ENV];
  if (value && file) throw new ApiTokenError('conflicting-credentials', `set ${API_TOKEN_ENV} or ${API_TOKEN_FILE_ENV}, not both`);
  if (value) return () => value;
  if (!file) return undefined;
  const read = () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').split(/\r?\n/)[0].trim();
    } catch (e) {
      throw new ApiTokenError('credentials-unreadable', `the API token file cannot be read (${(e as Error).message})`, { file, cause: e });
    }
    if (!text) throw new ApiTokenError('credentials-unreadable', 'the API token file is empty', { file });
    return text;
  };
  read();
  return read;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const UID = /^[0-9]+(\.[0-9]+)*$/;
const MAX_BODY = 16 * 1024;

/** Reads a JSON object body of at most 16 kB. */
async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'the body must be JSON (Content-Type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new HttpError(413, `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

function uidField(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || !UID.test(v) || v.length > 64) throw new HttpError(400, `${name}: a DICOM UID is required (digits and dots, at most 64 characters), got ${JSON.stringify(v ?? null)}`);
  return v;
}

function sameToken(given: string, expected: string): boolean {
  // Hashes first: equal lengths for timingSafeEqual, and the comparison time says nothing about the token.
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(given), h(expected));
}

/** The JSON answer of GET /jobs/:id for a job the queue holds. */
export async function apiJob(queue: ServiceQueue, id: string): Promise<ServiceJob | undefined> {
  const j = await queue.job(id);
  if (!j) return undefined;
  const r = j.result;
  return {
    id,
    state: j.state,
    model: { id: j.data.modelId, version: j.data.modelVersion },
    progress: j.progress ?? null,
    ...(j.state === 'failed' && j.failedReason ? { failedReason: j.failedReason } : {}),
    ...(r && r.status !== 'skipped' ? { rtstruct: { studyInstanceUid: j.data.studyInstanceUid, seriesInstanceUid: r.rtstructSeriesUid, sopInstanceUid: r.rtstructSopUid } } : {}),
    ...(r?.status === 'skipped' ? { skipped: r.reason } : {}),
  };
}

/** Starts the API; resolves once it listens. `url` is where it listens (port 0 picks a free one). */
export async function startApi(options: ApiOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const { queue, models, allowOrigin, token } = options;
  const log = options.log ?? (() => {});

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = req.headers.origin;
    const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', Vary: 'Origin' };
    if (allowOrigin && origin === allowOrigin) {
      headers['Access-Control-Allow-Origin'] = allowOrigin;
      headers['Access-Control-Allow-Headers'] = 'Authorization, Content-Type';
      headers['Access-Control-Allow-Methods'] = 'GET, POST, OPTIONS';
      headers['Access-Control-Max-Age'] = '600';
    }
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://api');
      // A preflight carries no credentials (Fetch standard), so it is answered before the token check; it grants
      // nothing without the CORS headers above, which only the configured origin gets.
      if (req.method === 'OPTIONS') {
        res.writeHead(204, headers);
        res.end();
        return;
      }
      if (token) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
        if (!m || !sameToken(m[1], token())) {
          headers['WWW-Authenticate'] = 'Bearer';
          throw new HttpError(401, 'a valid bearer token is required (Authorization: Bearer …)');
        }
      }
      const path = url.pathname.replace(/\/+$/, '');
      if (path === '/models') {
        if (req.method !== 'GET') throw new HttpError(405, 'GET /models');
        return send(200, { models });
      }
      if (path === '/jobs') {
        if (req.method !== 'POST') throw new HttpError(405, 'POST /jobs');
        const body = await jsonBody(req);
        const studyInstanceUid = uidField(body, 'studyInstanceUid');
        const seriesInstanceUid = uidField(body, 'seriesInstanceUid');
        const model = models.find((m) => m.id === body.model);
        if (!model) throw new HttpError(400, `model: ${JSON.stringify(body.model ?? null)} is not a model this service runs (${models.map((m) => m.id).join(', ')})`);
        const r = await queue.submit({ studyInstanceUid, seriesInstanceUid, modelId: model.id, modelVersion: model.version }, { retryFailed: true });
        return send(202, { id: r.jobId, state: r.state, created: r.created });
      }
      const jobPath = /^\/jobs\/([^/]+)$/.exec(path);
      if (jobPath) {
        if (req.method !== 'GET') throw new HttpError(405, 'GET /jobs/:id');
        const id = decodeURIComponent(jobPath[1]);
        const job = await apiJob(queue, id);
        if (!job) throw new HttpError(404, `no job ${id} (never submitted, or removed after its retention time)`);
        return send(200, job);
      }
      throw new HttpError(404, `no route ${req.method} ${url.pathname} (POST /jobs, GET /jobs/:id, GET /models)`);
    } catch (e) {
      if (e instanceof HttpError) return send(e.status, { error: e.message });
      log(`${req.method} ${req.url}: ${(e as Error)?.stack ?? e}`);
      return send(503, { error: `the job queue cannot be reached: ${(e as Error)?.message ?? e}` });
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as { address: string; port: number };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
