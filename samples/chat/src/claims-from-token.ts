import type { ClaimsInput } from '@serverless-hub/core';

// Registered JWT claims describe the bearer token itself (its issuer, audience, lifetime), not the user:
// they are not passed on to the connection, whose token has its own.
const TOKEN_CLAIMS: ReadonlySet<string> = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti']);
// The service reserves this prefix for its own claims (user id, detailed errors).
const SYSTEM_PREFIX = 'asrs.s.';

/**
 * Turns the verified claims of a bearer token into connection claims: registered JWT claims and the
 * service's `asrs.s.*` claims are dropped; strings stay, numbers and booleans become their text
 * (`admin: true` → `"true"`), arrays become repeated claims, objects become JSON text. With `types`, only
 * claims of those types are kept: an app should pass on only what it reads.
 *
 * @example
 * ```ts
 * claimsFromToken({ sub: 'alice', admin: true, roles: ['a', 'b'], exp: 1700000000 });
 * // { sub: 'alice', admin: 'true', roles: ['a', 'b'] }
 * claimsFromToken({ sub: 'alice', admin: true, name: 'Alice' }, ['admin']); // { admin: 'true' }
 * ```
 */
export function claimsFromToken(payload: Readonly<Record<string, unknown>>, types?: readonly string[]): ClaimsInput {
  const claims: Record<string, string | string[]> = {};
  for (const [type, value] of Object.entries(payload)) {
    if (types !== undefined && !types.includes(type)) continue;
    if (
      type === '' ||
      TOKEN_CLAIMS.has(type) ||
      type.startsWith(SYSTEM_PREFIX) ||
      value === null ||
      value === undefined
    )
      continue;
    if (Array.isArray(value)) {
      const values = value.filter((item) => item !== null && item !== undefined).map(claimText);
      if (values.length > 0) claims[type] = values;
    } else {
      claims[type] = claimText(value);
    }
  }
  return claims;
}

function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}
