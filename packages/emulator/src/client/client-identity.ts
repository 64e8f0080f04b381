import type { JWTPayload } from 'jose';
import type { ClientIdentity } from './client-connection.js';

const nameIdentifierUri = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier';

function firstNameIdentifier(claims: Readonly<JWTPayload>): string | undefined {
  for (const [type, value] of Object.entries(claims)) {
    if (type !== 'nameid' && type !== 'sub' && type !== nameIdentifierUri) continue;
    const text = firstText(value);
    if (text !== undefined) return text;
  }
  return undefined;
}

function firstText(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof first === 'string') return first === '' ? undefined : first;
  if (typeof first === 'number') return String(first);
  return undefined;
}

/**
 * The user and claims of a verified client token: the user is `asrs.s.uid`, else the name identifier. As in
 * the service (Azure/azure-signalr, ClaimTypeMapping and GetUserIdentifier), both `nameid` and `sub` map to
 * the name identifier claim type; when a token has several, the first in the token wins.
 */
export function identityFromClaims(claims: Readonly<JWTPayload>): ClientIdentity {
  const userId = firstText(claims['asrs.s.uid']) ?? firstNameIdentifier(claims);
  return { userId, claims };
}
