import type { JWTPayload } from 'jose';
import type { ClientIdentity } from './client-connection.js';

const nameIdentifierUri = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier';

function firstText(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof first === 'string') return first === '' ? undefined : first;
  if (typeof first === 'number') return String(first);
  return undefined;
}

/** The user and claims of a verified client token: user from `asrs.s.uid`, else `nameid`. */
export function identityFromClaims(claims: Readonly<JWTPayload>): ClientIdentity {
  const userId = firstText(claims['asrs.s.uid']) ?? firstText(claims.nameid) ?? firstText(claims[nameIdentifierUri]);
  return { userId, claims };
}
