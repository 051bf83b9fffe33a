import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isValidUid, newUid, uidFromUuid } from './uid.ts';

describe('DICOM UIDs', () => {
  it('mints 2.25 UIDs that are valid, at most 64 characters and distinct', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 2000; n++) {
      const uid = newUid();
      assert.match(uid, /^2\.25\.[1-9][0-9]*$/);
      assert.ok(uid.length <= 44, uid);
      assert.ok(isValidUid(uid), uid);
      seen.add(uid);
    }
    assert.equal(seen.size, 2000);
  });

  it('stamps the UUID version 4 and RFC 4122 variant bits into the integer', () => {
    for (let n = 0; n < 200; n++) {
      const value = BigInt(newUid().slice(5));
      assert.equal((value >> 76n) & 0xfn, 4n, 'version nibble');
      assert.equal((value >> 62n) & 0x3n, 2n, 'variant bits 10');
    }
  });

  it('converts a UUID string to its 2.25 UID (PS3.5 B.2 example)', () => {
    assert.equal(uidFromUuid('f81d4fae-7dec-11d0-a765-00a0c91e6bf6'), '2.25.329800735698586629295641978511506172918');
    assert.throws(() => uidFromUuid('not-a-uuid'), RangeError);
  });

  it('validates UID syntax: digits and dots, no empty component, no leading zero, ≤ 64 characters', () => {
    for (const ok of ['1.2.840.10008.5.1.4.1.1.2', '2.25.0', '1.0.3', '0.1']) assert.ok(isValidUid(ok), ok);
    const tooLong = `1.${'2'.repeat(63)}`;
    for (const bad of ['', '1', '1.', '.1', '1..2', '1.02', '1.2a', '1.2 ', '1.2\0', tooLong]) assert.ok(!isValidUid(bad), JSON.stringify(bad));
    assert.ok(isValidUid(`1.${'2'.repeat(62)}`), '64 characters is the limit');
  });
});
