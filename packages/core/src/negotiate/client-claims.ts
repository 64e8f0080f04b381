import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { unreadableClaimText } from '../upstream/claims-header.js';
import { SYSTEM_CLAIM_PREFIX } from './system-claim-prefix.js';

/**
 * One claim: a type and a string value.
 *
 * @example
 * ```ts
 * await negotiate(endpoint, 'chat', { userId: 'alice', claims: [{ type: 'role', value: 'admin' }] });
 * ```
 */
export interface Claim {
  readonly type: string;
  readonly value: string;
}

/**
 * Custom claims of a client token: a record of claim type → value(s), or a list of `{ type, value }`
 * (a type may repeat). A type with several values becomes a JSON array in the token.
 *
 * @example
 * ```ts
 * await negotiate(endpoint, 'chat', { claims: { role: ['admin', 'editor'], tenant: 'contoso' } });
 * await negotiate(endpoint, 'chat', { claims: [{ type: 'role', value: 'admin' }, { type: 'role', value: 'editor' }] });
 * ```
 */
export type ClaimsInput = Readonly<Record<string, string | readonly string[]>> | readonly Claim[];

/** The claims of a client token, ready to sign: one value, or an array for a repeated type. */
export type TokenClaims = Record<string, string | string[]>;

/** Claim types the service interprets itself; custom claims of these types travel as `asrs.u.<type>`. */
export const RESERVED_CLAIM_TYPES: ReadonlySet<string> = new Set([
  'aud',
  'exp',
  'iat',
  'nbf',
  'iss',
  'actort',
  'acr',
  'azp',
  'c_hash',
  'jti',
  'nonce',
]);
export { SYSTEM_CLAIM_PREFIX } from './system-claim-prefix.js';
export const USER_CLAIM_PREFIX = 'asrs.u.';
export const USER_ID_CLAIM = 'asrs.s.uid';
export const DETAILED_ERRORS_CLAIM = 'asrs.s.derror';
/** Marks a diagnostic client (Azure/azure-signalr `Constants.ClaimType.DiagnosticClient`). */
export const DIAGNOSTIC_CLIENT_CLAIM = 'asrs.s.dc';
/** Asks the service to close the connection when its authentication expires (`Constants.ClaimType.CloseOnAuthExpiration`). */
export const CLOSE_ON_AUTH_EXPIRATION_CLAIM = 'asrs.s.coae';
/** When the authentication expires, in seconds since the epoch (`Constants.ClaimType.AuthExpiresOn`). */
export const AUTH_EXPIRES_ON_CLAIM = 'asrs.s.aeo';

/**
 * The system claims of a client token besides the user id, as the official SDKs write them.
 *
 * @example
 * ```ts
 * const claims = clientTokenClaims('alice', undefined, { enableDetailedErrors: true, authenticationExpiresOn: 1_700_003_600 });
 * // { 'asrs.s.uid': 'alice', 'asrs.s.derror': 'True', 'asrs.s.coae': 'true', 'asrs.s.aeo': '1700003600' }
 * ```
 */
export interface SystemClaimOptions {
  readonly enableDetailedErrors?: boolean;
  readonly isDiagnosticClient?: boolean;
  /** Set to close the connection when its authentication expires: that moment, in seconds since the epoch. */
  readonly authenticationExpiresOn?: number;
}

function invalidClaims(message: string): ServerlessHubError {
  return new ServerlessHubError('CLAIMS_INVALID', message);
}

// Types reach error messages; keep them short so a hostile token cannot flood a log.
function shown(type: string): string {
  return JSON.stringify(type.length > 64 ? `${type.slice(0, 64)}…` : type);
}

/*
 * The service hands claims upstream as "type: value, type: value" without escaping, so a claim whose text
 * reads as a separator or another claim would reach the hub as something else: a display name
 * "Mallory, admin: true" as two claims. Refused here, before any token carries it.
 */
function unreadableClaim(type: string, part: 'type' | 'value', text: string): ServerlessHubError {
  const shownText = JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
  return invalidClaims(
    `Claim ${shown(type)} cannot be passed on to the hub as written: its ${part} contains ${shownText}. ` +
      'Claim types must be free of whitespace, commas and NUL; values must not contain CR, LF, NUL, or a comma followed by a word and a colon ' +
      '(such as ", admin: "), which the service\'s claims header would read as another claim. Remove or replace that text.',
  );
}

function add(grouped: Map<string, string[]>, type: unknown, value: unknown): void {
  if (typeof type !== 'string' || type === '')
    throw invalidClaims('A claim type is empty or not a string. Give every claim a non-empty type.');
  if (type.startsWith(SYSTEM_CLAIM_PREFIX)) {
    throw invalidClaims(
      `Claim type ${shown(type)} is reserved: the prefix "${SYSTEM_CLAIM_PREFIX}" belongs to the service. ` +
        'Pass the user id as userId and detailed errors as enableDetailedErrors, or rename the claim.',
    );
  }
  if (typeof value !== 'string')
    throw invalidClaims(`Claim ${shown(type)} has a value that is not a string. Convert it to a string.`);
  const unreadable = unreadableClaimText(type, value);
  if (unreadable !== undefined) throw unreadableClaim(type, unreadable.part, unreadable.text);
  const tokenType = RESERVED_CLAIM_TYPES.has(type) ? USER_CLAIM_PREFIX + type : type;
  const values = grouped.get(tokenType);
  if (values === undefined) grouped.set(tokenType, [value]);
  else values.push(value);
}

/**
 * Builds the claims of a client token: the user id as `asrs.s.uid`, a diagnostic client as `asrs.s.dc`,
 * detailed errors as `asrs.s.derror`, closing on expiration as `asrs.s.coae` + `asrs.s.aeo`, then the custom claims, repeated types grouped into arrays and reserved types
 * renamed `asrs.u.<type>`. Internal to negotiate.
 *
 * @throws {@link ServerlessHubError} `CLAIMS_INVALID` for a malformed claim or an `asrs.s.*` type.
 */
export function clientTokenClaims(
  userId: string | undefined,
  claims: ClaimsInput | undefined,
  system: SystemClaimOptions,
): TokenClaims {
  // No prototype: a claim named "__proto__" must stay a claim.
  const result = Object.create(null) as TokenClaims;
  // The order of the official ClaimsUtility.BuildJwtClaims: user id, diagnostic client, detailed errors,
  // close on expiration, then the app's claims.
  if (userId !== undefined) result[USER_ID_CLAIM] = userId;
  if (system.isDiagnosticClient === true) result[DIAGNOSTIC_CLIENT_CLAIM] = 'true';
  if (system.enableDetailedErrors === true) result[DETAILED_ERRORS_CLAIM] = 'True';
  if (system.authenticationExpiresOn !== undefined) {
    result[CLOSE_ON_AUTH_EXPIRATION_CLAIM] = 'true';
    result[AUTH_EXPIRES_ON_CLAIM] = String(system.authenticationExpiresOn);
  }
  if (claims === undefined) return result;
  // Claims may come from plain JavaScript: check them as untrusted input.
  const input: unknown = claims;
  if (typeof input !== 'object' || input === null) {
    throw invalidClaims('claims must be a record of claim type → string | string[], or an array of { type, value }.');
  }
  const grouped = new Map<string, string[]>();
  if (Array.isArray(claims)) {
    for (const claim of claims as readonly unknown[]) {
      if (typeof claim !== 'object' || claim === null)
        throw invalidClaims('Every entry of the claims array must be an object { type, value }.');
      const { type, value } = claim as { type?: unknown; value?: unknown };
      add(grouped, type, value);
    }
  } else {
    for (const [type, value] of Object.entries(claims as Readonly<Record<string, unknown>>)) {
      if (Array.isArray(value)) for (const item of value as readonly unknown[]) add(grouped, type, item);
      else add(grouped, type, value);
    }
  }
  for (const [type, values] of grouped) {
    if (values.length === 0) continue;
    result[type] = values.length === 1 ? (values[0] as string) : values;
  }
  return result;
}
