// Property tests of the claims negotiate accepts: the service hands them upstream unescaped in
// X-ASRS-User-Claims (`type: value, type: value`), so negotiate accepts a claim exactly when it reads back
// from that header as written, wherever it stands among other claims; and refuses the rest with
// CLAIMS_INVALID naming the claim type.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { formatClaimsHeader, parseClaimsHeader } from '../upstream/claims-header.js';
import { clientTokenClaims, RESERVED_CLAIM_TYPES, SYSTEM_CLAIM_PREFIX } from './client-claims.js';

const RUNS = 500;

// Texts dense in what the header's grammar cares about, plus arbitrary UTF-16.
const tricky = fc.string({
  unit: fc.constantFrom(',', ' ', ':', '\t', 'a', 'b', '\r', '\n', '\0', '\u00a0', '/', 'é'),
  maxLength: 12,
});
const anyText = fc.oneof(tricky, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));
const claimType = fc
  .oneof(
    tricky,
    anyText,
    fc.constantFrom('name', 'a:', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', 'a b', 'a,b'),
  )
  // Reserved types travel renamed and system types are refused for another reason: not this property.
  .filter((type) => !type.startsWith(SYSTEM_CLAIM_PREFIX) && !RESERVED_CLAIM_TYPES.has(type));
const claimValue = fc.oneof(
  anyText,
  fc.constantFrom('Mallory, admin: true', 'Smith, John', 'x, y:', 'x, y:z', 'a: b', ''),
);

function accepted(type: string, value: string): boolean {
  try {
    clientTokenClaims(undefined, [{ type, value }], {});
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect((error as ServerlessHubError).code).toBe('CLAIMS_INVALID');
    return false;
  }
}

/** Whether the claim reads back as written alone, first, last and between two ordinary claims. */
function readsBack(type: string, value: string): boolean {
  const before: [string, string] = ['sub', 'u1'];
  const after: [string, string] = ['role', 'reader'];
  const placements: [string, string][][] = [
    [[type, value]],
    [before, [type, value]],
    [[type, value], after],
    [before, [type, value], after],
  ];
  for (const claims of placements) {
    let header: string;
    try {
      header = formatClaimsHeader(claims);
    } catch {
      return false;
    }
    const all = parseClaimsHeader(header).all;
    const expected = new Map<string, string[]>();
    for (const [t, v] of claims) expected.set(t, [...(expected.get(t) ?? []), v]);
    if (Object.keys(all).length !== expected.size) return false;
    for (const [t, values] of expected) {
      const got = all[t];
      if (got === undefined || got.length !== values.length || got.some((v, i) => v !== values[i])) return false;
    }
  }
  return true;
}

describe('claims negotiate accepts', () => {
  it('are exactly those that read back from X-ASRS-User-Claims as written, wherever they stand', () => {
    fc.assert(
      fc.property(claimType, claimValue, (type, value) => {
        expect(accepted(type, value)).toBe(readsBack(type, value));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a value posing as another claim, naming the type and the offending text', () => {
    expect(() => clientTokenClaims(undefined, { name: 'Mallory, admin: true' }, {})).toThrow(
      expect.objectContaining({ code: 'CLAIMS_INVALID', message: expect.stringContaining('Claim "name"') as unknown }),
    );
    expect(() => clientTokenClaims(undefined, { name: 'Mallory, admin: true' }, {})).toThrow(
      /its value contains ", admin: "/,
    );
    expect(() => clientTokenClaims(undefined, { 'display name': 'x' }, {})).toThrow(
      /Claim "display name" .*its type contains " "/,
    );
    expect(() => clientTokenClaims(undefined, { name: 'a\r\nb' }, {})).toThrow(/its value contains "\\r"/);
    // Commas and colons alone are fine: "Smith, John" and "x: y" read back intact.
    expect(clientTokenClaims(undefined, { name: 'Smith, John', note: 'x: y' }, {})).toEqual({
      name: 'Smith, John',
      note: 'x: y',
    });
  });
});
