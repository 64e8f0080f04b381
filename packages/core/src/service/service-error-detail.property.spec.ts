// Property tests of what the REST client takes from untrusted service answers and puts into URLs: an
// error body of any shape gives a bounded, single-line detail that never contains the token, even when
// the body echoes it; path segments escape so that decoding gives back the value, with only unreserved
// characters and %XX left.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeUriComponent } from './escape-uri-component.js';
import { parseServiceErrorDetail } from './service-error-detail.js';

const RUNS = 300;

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

const token = fc
  .tuple(
    fc.base64String({ minLength: 20, maxLength: 40 }),
    fc.base64String({ minLength: 20, maxLength: 80 }),
    fc.base64String({ minLength: 44, maxLength: 44 }),
  )
  .map(([header, payload, signature]) => `eyJ${header}.eyJ${payload}.${signature.slice(0, 43)}`.replace(/[+/=]/g, 'x'));

/** Bodies as services and proxies write them, with the token placed anywhere in them (or not at all). */
function bodyWith(secret: string): fc.Arbitrary<string> {
  const text = fc.oneof(
    anyText(40),
    fc.constantFrom('Unauthorized', `Bearer ${secret}`, secret, `${secret}${secret}`, '\r\n\u001b[31m', ' '),
  );
  return fc.oneof(
    text,
    fc
      .record({
        code: fc.option(text, { nil: undefined }),
        message: fc.option(text, { nil: undefined }),
        extra: fc.option(text, { nil: undefined }),
      })
      .map((record) => JSON.stringify(record)),
    fc.tuple(text, text).map(([before, after]) => `<html><body>${before}${secret}${after}</body></html>`),
    fc
      .tuple(fc.string({ maxLength: 600 }), fc.nat(600))
      .map(([filler, at]) => `${filler.slice(0, at)}${secret}${filler.slice(at)}`),
  );
}

describe('service error detail properties', () => {
  it('any body gives a bounded single-line detail without the token', () => {
    fc.assert(
      fc.property(
        token.chain((secret) => fc.tuple(fc.constant(secret), bodyWith(secret))),
        ([secret, body]) => {
          const detail = parseServiceErrorDetail(body, [secret]);
          for (const field of [detail.code, detail.message]) {
            if (field === undefined) continue;
            expect(field).not.toContain(secret);
            expect(field.length).toBeLessThanOrEqual(513);
            expect(['\r', '\n', '\u001b'].some((control) => field.includes(control))).toBe(false);
            expect(field).toBe(field.trim());
            expect(field).not.toBe('');
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('URI component escaping properties', () => {
  it('escaped well-formed text decodes to itself and contains only unreserved characters and %XX', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: 'grapheme' }), (value) => {
        const escaped = escapeUriComponent(value);
        expect(decodeURIComponent(escaped)).toBe(value);
        expect(escaped).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
        // As a path segment it stays one segment, except "." and "..", which URL parsers remove whatever
        // their escaping (%2E is a dot to them too): the argument checks refuse those ids and names.
        if (value !== '.' && value !== '..')
          expect(new URL(`http://h/a/${escaped}/b`).pathname.split('/')).toHaveLength(4);
      }),
      { numRuns: RUNS },
    );
  });
});
