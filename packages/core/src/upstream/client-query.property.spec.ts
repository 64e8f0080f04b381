// Property tests of the X-ASRS-Client-Query header: a query string written by URLSearchParams (as clients
// build it) reads back with every value of every name, in order; any header is read without throwing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientQuery } from './client-query.js';

const RUNS = 200;

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

// Well-formed text: URLSearchParams replaces lone surrogates, so they cannot round-trip through any query.
const wellFormed = fc.string({ maxLength: 12, unit: 'grapheme' });
const name = fc.oneof(wellFormed, fc.constantFrom('hub', 'id', 'access_token', '__proto__', 'constructor'));

describe('client query properties', () => {
  it('a query written by URLSearchParams parses back: every value of every name, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, wellFormed), { maxLength: 8 }), (pairs) => {
        const parsed = parseClientQuery(`?${new URLSearchParams(pairs).toString()}`);
        const expected = new Map<string, string[]>();
        for (const [key, value] of pairs) expected.set(key, [...(expected.get(key) ?? []), value]);
        expect(Object.keys(parsed.all).sort()).toEqual([...expected.keys()].sort());
        for (const [key, values] of expected) {
          expect(parsed.all[key]).toEqual(values);
          expect(parsed.first[key]).toBe(values[0]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('any header parses without throwing, with the first value of each name in both views', () => {
    const pieces = fc.constantFrom('?', '&', '=', '%', '%2', '%zz', '+', '%E2%82', '#');
    const header = fc.oneof(
      anyText(60),
      fc.array(fc.oneof(pieces, fc.string({ maxLength: 4 })), { maxLength: 14 }).map((list) => list.join('')),
    );
    fc.assert(
      fc.property(fc.option(header, { nil: undefined }), (text) => {
        const parsed = parseClientQuery(text);
        for (const key of Object.keys(parsed.all)) expect(parsed.first[key]).toBe(parsed.all[key]?.[0]);
        expect(Object.keys(parsed.first).sort()).toEqual(Object.keys(parsed.all).sort());
      }),
      { numRuns: RUNS },
    );
  });
});
