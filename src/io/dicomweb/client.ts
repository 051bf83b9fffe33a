/**
 * A DICOMweb client (PS3.18) for the three services a contouring app needs from a PACS or a portal:
 * QIDO-RS to find studies and series, WADO-RS to retrieve a series as DICOM Part-10 files, STOW-RS to
 * store what we write (an RTSTRUCT, or any Part-10 file). Built on `fetch` alone: dicomweb-client
 * (the usual library) is XMLHttpRequest-based, which Node — our CLI and tests — does not have, and it
 * would add nothing that fetch does not do here.
 *
 * Portals authenticate in many ways; `headers()` is called before every request, so a bearer token can
 * be refreshed between calls. Failures are {@link DicomWebError}s naming the URL and the HTTP status;
 * cancellation (an AbortSignal) rejects with the platform's AbortError.
 *
 * Browser use: the server must be same-origin or send CORS headers (and, because the app is
 * cross-origin isolated, `Cross-Origin-Resource-Policy: cross-origin` or CORS on every response). Orthanc
 * sends neither, so deployments put it behind the app's origin with a reverse proxy (in development and
 * tests, scripts/dicomweb-proxy.js at `/dicomweb`).
 */
import { throwIfAborted, type JobOptions } from '../../jobs/job.ts';
import { DicomWebError, type DicomWebErrorCode } from '../errors.ts';
import { readInput, type BufferInput, type FileInput } from '../input.ts';
import { buildMultipart, indexOfBytes, multipartBoundary, newBoundary, parseMultipart } from './multipart.ts';

/** Extra request headers (authorization, portal tokens), fetched before each request. */
export type HeadersHook = () => Record<string, string> | Promise<Record<string, string>>;

/** Options of {@link DicomWebClient}. */
export interface DicomWebClientOptions {
  /**
   * The DICOMweb root, e.g. `https://pacs.example.org/dicom-web` (no trailing slash needed); in a browser also a
   * path on the page's origin such as `/dicomweb`.
   */
  readonly baseUrl: string;
  /** Auth hook: headers added to every request. */
  readonly headers?: HeadersHook;
  /** fetch implementation (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** A DICOM JSON data set (PS3.18 F.2): tag → { vr, Value }. */
export type DicomJson = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string }>;

/** Query parameters of a QIDO-RS search (attribute keywords or tags → value; includefield, limit, offset…). */
export type QidoQuery = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** A study found by QIDO-RS. */
export interface DicomWebStudy {
  readonly studyInstanceUid: string;
  readonly patientName: string;
  readonly patientId: string;
  readonly studyDate: string;
  readonly studyDescription: string;
  readonly accessionNumber: string;
  readonly modalitiesInStudy: readonly string[];
  readonly numberOfSeries?: number;
  readonly numberOfInstances?: number;
  /** The full DICOM JSON, for attributes not summarised here. */
  readonly json: DicomJson;
}

/** A series found by QIDO-RS. */
export interface DicomWebSeries {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly modality: string;
  readonly seriesDescription: string;
  readonly seriesNumber?: number;
  readonly numberOfInstances?: number;
  readonly json: DicomJson;
}

/** An instance found by QIDO-RS. */
export interface DicomWebInstance {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly instanceNumber?: number;
  readonly json: DicomJson;
}

/** What STOW-RS reports. */
export interface StoreResult {
  /** SOP Instance UIDs the server stored. */
  readonly stored: readonly string[];
  /** The server's retrieve URLs for them, when it gives them. */
  readonly retrieveUrls: readonly string[];
}

/** Reads the first value of a DICOM JSON attribute as text (PN → its alphabetic form). */
export function jsonString(json: DicomJson, tag: string): string {
  const v = json[tag]?.Value?.[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return String((v as { Alphabetic?: string }).Alphabetic ?? '');
  return String(v);
}

/** Reads the first value of a DICOM JSON attribute as a number (undefined when absent or not a number). */
export function jsonNumber(json: DicomJson, tag: string): number | undefined {
  const v = json[tag]?.Value?.[0];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

const opt = <K extends string>(key: K, value: number | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, number>));

function studyOf(json: DicomJson): DicomWebStudy {
  return {
    studyInstanceUid: jsonString(json, '0020000D'),
    patientName: jsonString(json, '00100010'),
    patientId: jsonString(json, '00100020'),
    studyDate: jsonString(json, '00080020'),
    studyDescription: jsonString(json, '00081030'),
    accessionNumber: jsonString(json, '00080050'),
    modalitiesInStudy: (json['00080061']?.Value ?? []).map(String),
    ...opt('numberOfSeries', jsonNumber(json, '00201206')),
    ...opt('numberOfInstances', jsonNumber(json, '00201208')),
    json,
  };
}

function seriesOf(json: DicomJson): DicomWebSeries {
  return {
    studyInstanceUid: jsonString(json, '0020000D'),
    seriesInstanceUid: jsonString(json, '0020000E'),
    modality: jsonString(json, '00080060'),
    seriesDescription: jsonString(json, '0008103E'),
    ...opt('seriesNumber', jsonNumber(json, '00200011')),
    ...opt('numberOfInstances', jsonNumber(json, '00201209')),
    json,
  };
}

function instanceOf(json: DicomJson): DicomWebInstance {
  return {
    studyInstanceUid: jsonString(json, '0020000D'),
    seriesInstanceUid: jsonString(json, '0020000E'),
    sopInstanceUid: jsonString(json, '00080018'),
    sopClassUid: jsonString(json, '00080016'),
    ...opt('instanceNumber', jsonNumber(json, '00200013')),
    json,
  };
}

/**
 * Percent-encodes a QIDO-RS query key or value, except the characters DICOM matching gives a meaning to —
 * `^` between person-name components, the `?` wildcard (`*` is never encoded), `\` between values and `,`
 * in attribute lists — which a URL may carry raw in its query. Orthanc's DICOMweb plugin (1.7, Debian 12)
 * does not percent-decode query values, so an encoded `^` or `?` never matches there; servers that do decode
 * read the raw characters the same.
 */
const queryComponent = (s: string): string => encodeURIComponent(s).replace(/%(?:5E|3F|5C|2C)/g, (m) => decodeURIComponent(m));

const STATUS_CODES: Record<number, DicomWebErrorCode> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not-found' };

const isAbort = (e: unknown) => typeof e === 'object' && e !== null && (e as { name?: string }).name === 'AbortError';

/** Options of one retrieval. */
export interface RetrieveOptions extends JobOptions {
  /** Number of instances expected (from QIDO), so progress can count parts; bytes are counted otherwise. */
  readonly expectedInstances?: number;
}

/** A DICOMweb client; see the module comment. */
export class DicomWebClient {
  readonly baseUrl: string;
  private readonly headersHook: HeadersHook | undefined;
  private readonly fetchImpl: typeof fetch;

  /** Creates a client for the DICOMweb root `options.baseUrl`. */
  constructor(options: DicomWebClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headersHook = options.headers;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  private url(path: string, query?: QidoQuery): string {
    // A path such as `/dicomweb` (the app's same-origin proxy) resolves against the page or worker.
    const u = new URL(`${this.baseUrl}${path}`, globalThis.location?.href);
    const pairs = Object.entries(query ?? {}).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${queryComponent(k)}=${queryComponent(String(x))}`));
    if (pairs.length) u.search = pairs.join('&');
    return u.href;
  }

  /** One request: auth headers, network and HTTP errors mapped to DicomWebError naming the URL. */
  private async request(url: string, init: RequestInit & { accept: string }, signal?: AbortSignal): Promise<Response> {
    throwIfAborted(signal);
    const extra = this.headersHook ? await this.headersHook() : {};
    let response: Response;
    try {
      response = await this.fetchImpl(url, { ...init, headers: { Accept: init.accept, ...(init.headers as Record<string, string> | undefined), ...extra }, ...(signal ? { signal } : {}) });
    } catch (e) {
      if (isAbort(e)) throw e;
      throw new DicomWebError('network', `the DICOMweb server could not be reached (${(e as Error)?.message ?? e}); check the address and the network`, { file: url, cause: e });
    }
    if (!response.ok) {
      let detail = '';
      try {
        detail = (await response.text()).replace(/\s+/g, ' ').trim().slice(0, 300);
      } catch {
        /* the status says enough */
      }
      const code = STATUS_CODES[response.status] ?? 'http-error';
      const hint = code === 'unauthorized' ? ': sign in again or check the credentials' : code === 'forbidden' ? ': the account may not access this data' : code === 'not-found' ? ': it may have been deleted or the UID is wrong' : '';
      throw new DicomWebError(code, `HTTP ${response.status} ${response.statusText}${hint}${detail ? ` (${detail})` : ''}`, { file: url, status: response.status });
    }
    return response;
  }

  private async json(path: string, query: QidoQuery | undefined, options: JobOptions): Promise<DicomJson[]> {
    const url = this.url(path, query);
    const response = await this.request(url, { method: 'GET', accept: 'application/dicom+json' }, options.signal);
    if (response.status === 204) return [];
    const text = await response.text();
    if (!text.trim()) return [];
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!Array.isArray(parsed)) throw new Error('not an array');
      return parsed as DicomJson[];
    } catch (e) {
      throw new DicomWebError('bad-response', `the QIDO-RS answer is not a DICOM JSON array (${(e as Error).message})`, { file: url, cause: e });
    }
  }

  /** QIDO-RS: studies matching `query` (e.g. `{ PatientID: '123', includefield: 'all' }`). */
  async searchStudies(query?: QidoQuery, options: JobOptions = {}): Promise<DicomWebStudy[]> {
    return (await this.json('/studies', query, options)).map(studyOf);
  }

  /** QIDO-RS: the series of a study (or of all studies when `studyInstanceUid` is undefined). */
  async searchSeries(studyInstanceUid?: string, query?: QidoQuery, options: JobOptions = {}): Promise<DicomWebSeries[]> {
    const path = studyInstanceUid ? `/studies/${encodeURIComponent(studyInstanceUid)}/series` : '/series';
    return (await this.json(path, query, options)).map(seriesOf);
  }

  /** QIDO-RS: the instances of a series. */
  async searchInstances(studyInstanceUid: string, seriesInstanceUid: string, query?: QidoQuery, options: JobOptions = {}): Promise<DicomWebInstance[]> {
    return (await this.json(`/studies/${encodeURIComponent(studyInstanceUid)}/series/${encodeURIComponent(seriesInstanceUid)}/instances`, query, options)).map(instanceOf);
  }

  /**
   * WADO-RS: every instance of a series as Part-10 files, in the transfer syntax they are stored in
   * (`transfer-syntax=*`: no lossy or costly transcoding on the server). Reports progress as parts
   * received (when `expectedInstances` is given) or bytes; cancellable. Returns named in-memory inputs
   * ready for the series loader.
   */
  async retrieveSeries(studyInstanceUid: string, seriesInstanceUid: string, options: RetrieveOptions = {}): Promise<BufferInput[]> {
    const url = this.url(`/studies/${encodeURIComponent(studyInstanceUid)}/series/${encodeURIComponent(seriesInstanceUid)}`);
    return this.retrieveMultipart(url, options);
  }

  /** WADO-RS: one instance as a Part-10 file. */
  async retrieveInstance(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string, options: JobOptions = {}): Promise<BufferInput> {
    const url = this.url(`/studies/${encodeURIComponent(studyInstanceUid)}/series/${encodeURIComponent(seriesInstanceUid)}/instances/${encodeURIComponent(sopInstanceUid)}`);
    const parts = await this.retrieveMultipart(url, options);
    if (parts.length !== 1) throw new DicomWebError('bad-response', `expected one instance, received ${parts.length}`, { file: url });
    return parts[0];
  }

  private async retrieveMultipart(url: string, options: RetrieveOptions): Promise<BufferInput[]> {
    const { signal, progress } = options;
    const response = await this.request(url, { method: 'GET', accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' }, signal);
    const boundary = multipartBoundary(response.headers.get('content-type'));
    if (!boundary) throw new DicomWebError('bad-response', `expected a multipart/related answer, got "${response.headers.get('content-type')}"`, { file: url });
    const length = Number(response.headers.get('content-length')) || 0;
    const expected = options.expectedInstances;
    const delimiter = new TextEncoder().encode(`--${boundary}`);
    // Stream the body so progress moves and a cancel stops the download; count delimiters as they pass.
    const chunks: Uint8Array[] = [];
    let received = 0;
    let partsSeen = 0;
    let tail = new Uint8Array(0);
    const report = (done: number, total: number, unit: string) => progress?.({ stage: 'download', done, total, unit });
    report(0, expected ?? length, expected ? 'instances' : 'bytes');
    try {
      const reader = response.body?.getReader();
      if (!reader) {
        const all = new Uint8Array(await response.arrayBuffer());
        chunks.push(all);
        received = all.length;
      } else {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          received += value.length;
          if (expected) {
            const window = new Uint8Array(tail.length + value.length);
            window.set(tail);
            window.set(value, tail.length);
            for (let i = indexOfBytes(window, delimiter); i >= 0; i = indexOfBytes(window, delimiter, i + 1)) partsSeen++;
            tail = window.slice(Math.max(0, window.length - delimiter.length + 1));
            // The closing delimiter also matches: at most `expected` parts are reported.
            report(Math.min(expected, Math.max(0, partsSeen - 1)), expected, 'instances');
          } else report(received, Math.max(length, received), 'bytes');
        }
      }
    } catch (e) {
      if (isAbort(e) || signal?.aborted) throw signal?.reason instanceof Error ? signal.reason : e;
      throw new DicomWebError('network', `the download was interrupted after ${received} bytes (${(e as Error)?.message ?? e})`, { file: url, cause: e });
    }
    throwIfAborted(signal);
    const body = new Uint8Array(received);
    let o = 0;
    for (const c of chunks) {
      body.set(c, o);
      o += c.length;
    }
    let parts;
    try {
      parts = parseMultipart(body, boundary);
    } catch (e) {
      throw new DicomWebError('bad-response', (e as Error).message, { file: url, cause: e });
    }
    report(expected ?? received, expected ?? received, expected ? 'instances' : 'bytes');
    return parts
      .filter((p) => !p.headers['content-type'] || /application\/dicom/i.test(p.headers['content-type']))
      .map((p, i) => ({ name: p.headers['content-location'] || `${url.split('/').pop()}#${i + 1}`, data: p.body }));
  }

  /**
   * STOW-RS: stores Part-10 files (an RTSTRUCT we wrote, any DICOM object). Throws `store-failed` naming
   * each instance the server refused and why (its FailureReason code), so nothing is silently lost.
   */
  async store(files: readonly (FileInput | Uint8Array | ArrayBuffer)[], options: JobOptions & { studyInstanceUid?: string } = {}): Promise<StoreResult> {
    const url = this.url(options.studyInstanceUid ? `/studies/${encodeURIComponent(options.studyInstanceUid)}` : '/studies');
    const bytes = await Promise.all(
      files.map(async (f) => {
        if (f instanceof Uint8Array) return f;
        if (f instanceof ArrayBuffer) return new Uint8Array(f);
        return (await readInput(f)).bytes;
      }),
    );
    const boundary = newBoundary();
    const body = buildMultipart(bytes, boundary);
    options.progress?.({ stage: 'upload', done: 0, total: files.length, unit: 'instances' });
    const response = await this.request(url, { method: 'POST', accept: 'application/dicom+json', headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}` }, body: body as Uint8Array<ArrayBuffer> }, options.signal);
    const text = await response.text();
    let json: DicomJson = {};
    if (text.trim()) {
      try {
        const parsed = JSON.parse(text) as DicomJson | DicomJson[];
        json = Array.isArray(parsed) ? (parsed[0] ?? {}) : parsed;
      } catch (e) {
        throw new DicomWebError('bad-response', `the STOW-RS answer is not DICOM JSON (${(e as Error).message})`, { file: url, cause: e });
      }
    }
    const items = (tag: string) => (json[tag]?.Value ?? []) as DicomJson[];
    const failed = items('00081198').map((i) => `${jsonString(i, '00081155') || '(unknown instance)'}: failure reason ${jsonNumber(i, '00081197') ?? '?'}`);
    if (failed.length) throw new DicomWebError('store-failed', `the server refused ${failed.length} of ${files.length} instance(s): ${failed.join('; ')}`, { file: url, status: response.status });
    const stored = items('00081199');
    options.progress?.({ stage: 'upload', done: files.length, total: files.length, unit: 'instances' });
    return { stored: stored.map((i) => jsonString(i, '00081155')), retrieveUrls: stored.map((i) => jsonString(i, '00081190')).filter(Boolean) };
  }
}
