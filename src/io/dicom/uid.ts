/**
 * DICOM unique identifiers (PS3.5 §9). Delineo mints UIDs under the `2.25` root, which ISO/IEC 9834-8 and
 * PS3.5 Annex B.2 reserve for UIDs derived from a UUID: `2.25.` followed by the UUID read as one unsigned
 * 128-bit decimal integer. No registered organisation root is needed and collisions are as unlikely as
 * for random UUIDs, which matters because an app running in many browsers cannot coordinate a counter.
 *
 * Pure and browser-safe: only `crypto.getRandomValues` (Web Crypto, also global in Node ≥ 19 and present
 * on `globalThis.crypto` in Node 20).
 */

/** The maximum length of a UID value (VR UI), PS3.5 §9.1. */
export const UID_MAX_LENGTH = 64;

/**
 * A fresh random DICOM UID of the form `2.25.<decimal of a version-4 UUID>` (at most 44 characters). The
 * 128 random bits are stamped with the UUID version (4) and RFC 4122 variant bits so the integer is a real
 * UUID, as PS3.5 B.2 describes; 122 bits remain random.
 */
export function newUid(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  // BigInt's decimal rendering never has a leading zero, and a zero UUID is impossible after stamping.
  return `2.25.${value.toString(10)}`;
}

/**
 * The `2.25.` UID of a given UUID string (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, any case), for callers
 * that already hold a UUID (e.g. from `crypto.randomUUID()`) and want the matching DICOM identifier.
 */
export function uidFromUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: "${uuid}"`);
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

/**
 * True when `uid` is a syntactically valid DICOM UID (PS3.5 §9.1): at most 64 characters, at least two
 * dot-separated components, each made of digits only, none empty and none with a leading zero (a lone `0`
 * is allowed). Trailing NUL padding is not part of the value and is rejected here: strip it when reading.
 */
export function isValidUid(uid: string): boolean {
  if (typeof uid !== 'string' || uid.length === 0 || uid.length > UID_MAX_LENGTH) return false;
  const parts = uid.split('.');
  if (parts.length < 2) return false;
  return parts.every((p) => /^(0|[1-9][0-9]*)$/.test(p));
}
