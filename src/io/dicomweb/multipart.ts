/**
 * multipart/related bodies of DICOMweb (PS3.18 §8.6): splitting a WADO-RS response into its DICOM parts
 * and building a STOW-RS request. Works on bytes (Uint8Array), never on strings, because the parts are
 * binary; browser-safe, no dependencies.
 */

/** One part of a multipart body: its headers (lower-case names) and its bytes (a view, not a copy). */
export interface MultipartPart {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** The `boundary` parameter of a multipart Content-Type, or undefined. */
export function multipartBoundary(contentType: string | null | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

const CRLF_CRLF = [13, 10, 13, 10];

/** First index of `needle` in `hay` at or after `from`, or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/**
 * Splits a multipart body into parts. The delimiter is CRLF "--boundary" (the first may lack the CRLF);
 * a part's headers end at the first blank line. Throws an Error when the body has no delimiter or ends
 * before its closing delimiter, which is how a cut connection shows.
 */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] {
  const enc = new TextEncoder();
  const delimiter = enc.encode(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let at = indexOfBytes(body, delimiter, 0);
  if (at < 0) throw new Error(`no "--${boundary}" delimiter in the multipart body`);
  for (;;) {
    let start = at + delimiter.length;
    if (body[start] === 45 && body[start + 1] === 45) return parts; // "--": closing delimiter
    // Skip transport padding and the CRLF after the delimiter.
    while (start < body.length && (body[start] === 32 || body[start] === 9)) start++;
    if (body[start] === 13 && body[start + 1] === 10) start += 2;
    const headerEnd = indexOfBytes(body, Uint8Array.from(CRLF_CRLF), start);
    if (headerEnd < 0) throw new Error('a multipart part has no end of headers: the response is truncated');
    const headers: Record<string, string> = {};
    for (const line of new TextDecoder('latin1').decode(body.subarray(start, headerEnd)).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyStart = headerEnd + 4;
    const next = indexOfBytes(body, delimiter, bodyStart);
    if (next < 0) throw new Error('the multipart body ends without its closing delimiter: the response is truncated');
    // The CRLF before the next delimiter belongs to the delimiter, not to the part.
    const bodyEnd = next >= 2 && body[next - 2] === 13 && body[next - 1] === 10 ? next - 2 : next;
    parts.push({ headers, body: body.subarray(bodyStart, bodyEnd) });
    at = next;
  }
}

/** A random boundary that will not occur in DICOM bytes by chance. */
export function newBoundary(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `delineo-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Builds a multipart/related body with one `Content-Type: contentType` part per item. */
export function buildMultipart(items: readonly Uint8Array[], boundary: string, contentType = 'application/dicom'): Uint8Array {
  const enc = new TextEncoder();
  const head = enc.encode(`--${boundary}\r\nContent-Type: ${contentType}\r\n\r\n`);
  const crlf = enc.encode('\r\n');
  const close = enc.encode(`--${boundary}--\r\n`);
  const total = items.reduce((n, b) => n + head.length + b.length + crlf.length, close.length);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of items) {
    out.set(head, o);
    o += head.length;
    out.set(b, o);
    o += b.length;
    out.set(crlf, o);
    o += crlf.length;
  }
  out.set(close, o);
  return out;
}
