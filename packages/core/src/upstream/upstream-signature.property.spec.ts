// Property tests of upstream signatures, checked against node:crypto directly: a header the service
// writes for any connection id and keys is valid (in any letter case, with the entries in any order and
// other entries around them); a header with any one digest character changed, or signed with another
// key, is not; and any header, however malformed, gives a boolean.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeUpstreamSignature, createSignatureValidator } from './upstream-signature.js';

const RUNS = 200;

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

const wellFormed = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ minLength, maxLength, unit: 'grapheme' });
const key = wellFormed(1, 50);
const connectionId = fc.oneof(wellFormed(1, 40), fc.base64String({ minLength: 4, maxLength: 32 }));

function entryOf(secret: string, id: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(id, 'utf8')).digest('hex')}`;
}

const HEX = '0123456789abcdef';

describe('upstream signature properties', () => {
  it("the service's header validates for any connection id and keys, in any case and order", () => {
    fc.assert(
      fc.property(
        connectionId,
        fc.uniqueArray(key, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.array(fc.constantFrom('sha256=', 'sha1=abc', '', ' ', 'garbage', `sha256=${'0'.repeat(64)}`), {
          maxLength: 3,
        }),
        (id, keys, lowercase, noise) => {
          const written = computeUpstreamSignature(id, keys);
          expect(written).toBe(
            keys
              .map((secret) => entryOf(secret, id).replace(/=(.*)$/, (_match, hex: string) => `=${hex.toUpperCase()}`))
              .join(','),
          );
          const validator = createSignatureValidator(keys);
          expect(validator.isValid(id, written)).toBe(true);
          const entries = written.split(',').map((entry) => (lowercase ? entry.toLowerCase() : entry));
          expect(validator.isValid(id, [...noise, ...entries.reverse()].join(' ,  '))).toBe(true);
          // Any one configured key is enough, and one key's entry is enough.
          for (const [index, secret] of keys.entries()) {
            expect(createSignatureValidator([secret]).isValid(id, written)).toBe(true);
            expect(validator.isValid(id, entries[entries.length - 1 - index] ?? '')).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a digest with one character changed, another connection id or another key does not validate', () => {
    fc.assert(
      fc.property(
        connectionId,
        key,
        key,
        fc.nat(63),
        fc.nat(15),
        connectionId,
        (id, secret, otherSecret, position, digit, otherId) => {
          const validator = createSignatureValidator([secret]);
          const entry = entryOf(secret, id);
          const hexStart = 'sha256='.length;
          const current = entry.charAt(hexStart + position);
          const replacement = HEX.charAt(digit) === current ? HEX.charAt((digit + 1) % 16) : HEX.charAt(digit);
          const changed = entry.slice(0, hexStart + position) + replacement + entry.slice(hexStart + position + 1);
          expect(validator.isValid(id, changed)).toBe(false);
          if (otherId !== id) expect(validator.isValid(otherId, entry)).toBe(false);
          if (otherSecret !== secret) expect(validator.isValid(id, entryOf(otherSecret, id))).toBe(false);
          // Truncated or extended digests are refused rather than read as a prefix.
          expect(validator.isValid(id, entry.slice(0, -1))).toBe(false);
          expect(validator.isValid(id, `${entry}0`)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('any header gives a boolean, and only a header holding a matching digest gives true', () => {
    const pieces = fc.constantFrom('sha256=', 'SHA256=', ',', ', ', ' ', '0', 'f', 'F', 'g', '=');
    const header = fc.oneof(
      anyText(100),
      fc.array(fc.oneof(pieces, fc.string({ maxLength: 3 })), { maxLength: 80 }).map((list) => list.join('')),
    );
    const validator = createSignatureValidator(['primary-key', 'secondary-key']);
    fc.assert(
      fc.property(fc.option(header, { nil: undefined }), anyText(20), (text, id) => {
        expect(validator.isValid(id, text)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('stops reading after 16 entries, so a huge header costs a bounded number of comparisons', () => {
    const validator = createSignatureValidator(['k']);
    const valid = entryOf('k', 'c');
    const padding = Array.from({ length: 16 }, () => `sha256=${'0'.repeat(64)}`);
    expect(validator.isValid('c', [...padding.slice(0, 15), valid].join(','))).toBe(true);
    expect(validator.isValid('c', [...padding, valid].join(','))).toBe(false);
  });
});
