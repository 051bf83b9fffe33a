/**
 * The service's HTTP to the PACS: a `fetch` that gives each request a time limit and retries what a busy or
 * restarting PACS answers (no connection, a time-out, 408/429/5xx) with exponential back-off, and the
 * Authorization header read from the environment or a file. The DICOMweb client takes both as its `fetch` and
 * `headers` hooks, so QIDO, WADO and STOW all get them.
 */
import { readFileSync } from 'node:fs';
import { JobError } from '../jobs/job.ts';

/** Retry policy of {@link retryingFetch}. */
export interface RetryPolicy {
  /** Retries after the first attempt (default 4). */
  readonly retries?: number;
  /** First back-off in ms, doubled at each retry, ±25 % jitter (default 500). */
  readonly backoffMs?: number;
  /** Time limit of one attempt, response body included, in ms (default 300 000). */
  readonly timeoutMs?: number;
  /** Told about each retry (for the worker's log). */
  readonly onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

const sleep = (ms: number, signal?: AbortSignal | null) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Wraps `base` (default: the global fetch) with a per-attempt time limit and retries with back-off. A cancel by
 * the caller's own signal is never retried. After the last retry the last failure is returned or thrown as it
 * came, so the DICOMweb client reports it with the URL and status as usual.
 */
export function retryingFetch(policy: RetryPolicy = {}, base: typeof fetch = (i, init) => globalThis.fetch(i, init)): typeof fetch {
  const retries = policy.retries ?? 4;
  const backoff = policy.backoffMs ?? 500;
  const timeout = policy.timeoutMs ?? 300_000;
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const callerSignal = init?.signal ?? undefined;
    for (let attempt = 0; ; attempt++) {
      const signal = callerSignal ? AbortSignal.any([callerSignal, AbortSignal.timeout(timeout)]) : AbortSignal.timeout(timeout);
      let reason: string;
      try {
        const response = await base(input, { ...init, signal });
        if (!RETRY_STATUS.has(response.status) || attempt >= retries) return response;
        reason = `HTTP ${response.status}`;
        await response.body?.cancel();
      } catch (e) {
        if (callerSignal?.aborted || attempt >= retries) {
          if (!callerSignal?.aborted && (e as Error)?.name === 'TimeoutError') throw new Error(`no answer within ${timeout / 1000} s`, { cause: e });
          throw e;
        }
        reason = (e as Error)?.name === 'TimeoutError' ? `no answer within ${timeout / 1000} s` : String((e as Error)?.cause ?? (e as Error)?.message ?? e);
      }
      const delayMs = Math.round(backoff * 2 ** attempt * (0.75 + Math.random() * 0.5));
      policy.onRetry?.({ url, attempt: attempt + 1, delayMs, reason });
      await sleep(delayMs, callerSignal);
    }
  };
}

/** Thrown when the configured credentials cannot be read. */
export class CredentialsError extends JobError {
  override name = 'CredentialsError';
}

/** Where {@link authorizationFromEnvironment} looks. */
export const AUTH_ENV = 'DELINEO_DICOMWEB_AUTHORIZATION';
export const AUTH_FILE_ENV = 'DELINEO_DICOMWEB_AUTHORIZATION_FILE';

/**
 * The DICOMweb Authorization header, from the environment: `DELINEO_DICOMWEB_AUTHORIZATION` holds the header value
 * (e.g. `Bearer eyJ…` or `Basic dXNlcjpwYXNz`), or `DELINEO_DICOMWEB_AUTHORIZATION_FILE` names a file that holds
 * it. The file is read again before every request, so a token rotated on disk is used without a restart. Never a
 * command-line argument: those show in `ps` to every user of the machine. Returns a headers hook for
 * DicomWebClient, or undefined when neither is set.
 */
export function authorizationFromEnvironment(env: NodeJS.ProcessEnv = process.env): (() => Record<string, string>) | undefined {
  const value = env[AUTH_ENV];
  const file = env[AUTH_FILE_ENV];
  if (value && file) throw new CredentialsError('conflicting-credentials', `set ${AUTH_ENV} or ${AUTH_FILE_ENV}, not both`);
  if (value) return () => ({ Authorization: value.trim() });
  if (!file) return undefined;
  const read = () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new CredentialsError('credentials-unreadable', `the Authorization file cannot be read (${(e as Error).message})`, { file, cause: e });
    }
    if (!text) throw new CredentialsError('credentials-unreadable', 'the Authorization file is empty', { file });
    return { Authorization: text.split(/\r?\n/)[0] };
  };
  read();
  return read;
}
