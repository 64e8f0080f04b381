// Property tests of the X-ASRS-User-Claims header: claims written as the service writes them read back
// with every value of every type, in order, whenever a value cannot be mistaken for the start of another
// claim; any header, however malformed, is read without throwing; and writing refuses only what cannot
// go into a header, with CLAIMS_INVALID.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { formatClaimsHeader, parseClaimsHeader } from './claims-header.js';

const RUNS = 200;

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

// Claim types: no whitespace or comma (as in JWT claim names and URI claim types), never ending in ":"
// followed by a space; plus names that would be special on an ordinary object.
const claimType = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.\-/:#]{1,16}$/).filter((type) => !type.endsWith(':')),
  fc.constantFrom(
    'sub',
    'role',
    'name',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
    'asrs.s.uid',
    '__proto__',
    'constructor',
    'toString',
  ),
);

// Where a value may contain ", type: " it is read as two claims (documented); such values are left out here.
const AMBIGUOUS = /,[ \t]*[^\s,]+?:(?: |$)/;
const claimValue = fc
  .oneof(
    fc.string({ maxLength: 20 }),
    anyText(20),
    fc.constantFrom('Smith, John', 'a,b', 'x: y', '', ' padded ', 'http://a/b?c=d'),
  )
  .filter((text) => !/[\r\n\0]/.test(text) && !AMBIGUOUS.test(text));

describe('claims header properties', () => {
  it('formatted claims parse back: every value of every type, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(claimType, claimValue), { maxLength: 8 }), (claims) => {
        const parsed = parseClaimsHeader(formatClaimsHeader(claims));
        const expected = new Map<string, string[]>();
        for (const [type, text] of claims) expected.set(type, [...(expected.get(type) ?? []), text]);
        expect(Object.keys(parsed.all).sort()).toEqual([...expected.keys()].sort());
        for (const [type, values] of expected) {
          expect(parsed.all[type]).toEqual(values);
          expect(parsed.first[type]).toBe(values[0]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('any header parses without throwing into consistent views of its own text', () => {
    const pieces = fc.constantFrom(', ', ': ', ',', ':', 'role', 'sub: ', '\t', ' ');
    const header = fc.oneof(
      anyText(80),
      fc.array(fc.oneof(pieces, fc.string({ maxLength: 5 })), { maxLength: 16 }).map((list) => list.join('')),
    );
    fc.assert(
      fc.property(fc.option(header, { nil: undefined }), (text) => {
        const parsed = parseClaimsHeader(text);
        expect(Object.isFrozen(parsed.all) && Object.isFrozen(parsed.first)).toBe(true);
        for (const type of Object.keys(parsed.all)) {
          const values = parsed.all[type] ?? [];
          expect(values.length).toBeGreaterThan(0);
          expect(parsed.first[type]).toBe(values[0]);
          expect(text).toContain(`${type}:`);
          for (const item of values) expect(text).toContain(item);
        }
        expect(Object.keys(parsed.first).sort()).toEqual(Object.keys(parsed.all).sort());
      }),
      { numRuns: RUNS },
    );
  });

  it('writing gives a header or CLAIMS_INVALID, the latter exactly for empty types and CR, LF or NUL', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(anyText(6), claimType), fc.oneof(anyText(10), claimValue)), { maxLength: 5 }),
        (claims) => {
          const writable = claims.every(([type, text]) => type !== '' && !/[\r\n\0]/.test(type + text));
          try {
            const header = formatClaimsHeader(claims);
            expect(writable).toBe(true);
            expect(header).toBe(claims.map(([type, text]) => `${type}: ${text}`).join(', '));
          } catch (error) {
            expect(writable).toBe(false);
            expect(error).toBeInstanceOf(ServerlessHubError);
            expect((error as ServerlessHubError).code).toBe('CLAIMS_INVALID');
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
