import type { JWTPayload } from 'jose';
import { decodeJwt } from 'jose/jwt/decode';
import { getSigningKey } from '../connection/access-key-provider.js';
import { endpointFromSettings } from '../connection/endpoint-from-settings.js';
import { namedEndpointsFromSettings } from '../connection/named-endpoints-from-settings.js';
import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import { joseVerifier } from '../token/jose-loader.js';
import { SYSTEM_CLAIM_PREFIX, USER_ID_CLAIM } from './client-claims.js';
import { clientAudience } from './negotiate.js';

/**
 * A negotiate request that carries the service's own client token for this hub: a client reconnecting.
 *
 * `@microsoft/signalr` keeps the access token of its last redirect negotiate and, when the app gave it no
 * `accessTokenFactory`, sends it as `Authorization: Bearer <token>` on its next negotiate (automatic
 * reconnect, or `start()` again). The framework recognises such a token when it is signed with one of
 * the hub's access keys and its audience is this hub's client URL, takes it off the request (the app's
 * own bearer-token checks never see it), and describes it here.
 *
 * @example
 * ```ts
 * @Negotiate()
 * connect(request: HttpRequest) {
 *   if (this.reconnection?.expired === false) this.log(`${this.reconnection.userId ?? 'anonymous'} is back`);
 *   return this.negotiate(request.headers.get('x-ms-client-principal-id') ?? undefined);
 * }
 * ```
 */
export interface Reconnection {
  /**
   * `true` when the previous token had expired: it still proves nothing was forged, but it is too old to
   * vouch for anyone, so nothing is carried over and negotiate goes on as for a client without a token.
   */
  readonly expired: boolean;
  /** The previous token's user id (`asrs.s.uid`); `undefined` when it had none or has expired. */
  readonly userId: string | undefined;
  /**
   * The previous token's custom claims, as negotiate wrote them (a repeated type as an array; reserved
   * types keep their `asrs.u.` prefix); empty when it had none or has expired.
   */
  readonly claims: Readonly<Record<string, string | readonly string[]>>;
}

// Claims every client token has that describe the token itself, not the user: never carried over.
const TOKEN_CLAIMS: ReadonlySet<string> = new Set(['aud', 'exp', 'iat', 'nbf', 'iss', 'jti']);
const BEARER = /^bearer[ \t]+(\S+)$/i;
// The audience of every client token ends like this; anything else is not the service's token.
const CLIENT_AUDIENCE_PATH = '/client/?hub=';
const ALGORITHMS = ['HS256', 'HS512'];
const MAX_TOKEN_LENGTH = 8192;
// Instances of a function app may disagree on the time by a few seconds; the token's `nbf` is its signing time.
const CLOCK_TOLERANCE_SECONDS = 30;

const NO_CLAIMS: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);
const EXPIRED: Reconnection = Object.freeze({ expired: true, userId: undefined, claims: NO_CLAIMS });

function carriedClaims(payload: JWTPayload): Readonly<Record<string, string | readonly string[]>> {
  const claims = Object.create(null) as Record<string, string | readonly string[]>;
  for (const [type, value] of Object.entries(payload)) {
    if (TOKEN_CLAIMS.has(type) || type.startsWith(SYSTEM_CLAIM_PREFIX)) continue;
    // Negotiate writes strings and arrays of strings only; anything else was not written by it.
    if (typeof value === 'string') claims[type] = value;
    else if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'))
      claims[type] = Object.freeze([...value]);
  }
  return Object.freeze(claims);
}

/**
 * Reads the `Authorization` value of a negotiate request as the service's client token for `hubName`.
 * Returns `undefined` when it is not one: no header, not a JWT, another audience (another hub or
 * service), or a signature that none of the endpoints' keys verifies; such a token is the app's to
 * check, and one that does not verify must be refused (401) as usual. Never throws.
 *
 * @param endpoints - Every endpoint whose key may have signed the token: the hub's connection string
 * and the named endpoints of a multi-endpoint configuration.
 *
 * @example
 * ```ts
 * const reconnection = await reconnectionOf(request.headers.get('authorization'), 'chat', [endpointFromSettings()]);
 * const info = await negotiate(endpoint, 'chat', { userId: reconnection?.userId, claims: reconnection?.claims });
 * ```
 */
export async function reconnectionOf(
  authorization: string | null | undefined,
  hubName: string,
  endpoints: readonly ServiceEndpoint[] | (() => readonly ServiceEndpoint[]),
): Promise<Reconnection | undefined> {
  if (typeof authorization !== 'string' || authorization.length > MAX_TOKEN_LENGTH) return undefined;
  const token = BEARER.exec(authorization.trim())?.[1];
  if (token === undefined) return undefined;
  let audience: unknown;
  try {
    audience = decodeJwt(token).aud;
  } catch {
    return undefined;
  }
  // Most bearer tokens are the app's own: a cheap look at the audience spares them the signature checks.
  if (typeof audience !== 'string' || !audience.includes(CLIENT_AUDIENCE_PATH)) return undefined;
  let candidates: readonly ServiceEndpoint[];
  try {
    candidates = typeof endpoints === 'function' ? endpoints() : endpoints;
  } catch {
    return undefined;
  }
  const { jwtVerify } = await joseVerifier();
  for (const endpoint of candidates) {
    let expected: string;
    try {
      expected = clientAudience(endpoint, hubName);
    } catch {
      return undefined;
    }
    if (audience !== expected) continue;
    let key: string;
    try {
      ({ key } = await getSigningKey(endpoint));
    } catch {
      // An identity endpoint whose key cannot be fetched now cannot vouch for the token.
      continue;
    }
    try {
      const { payload } = await jwtVerify(token, new TextEncoder().encode(key), {
        audience: expected,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      const userId = payload[USER_ID_CLAIM];
      return Object.freeze({
        expired: false,
        userId: typeof userId === 'string' && userId !== '' ? userId : undefined,
        claims: carriedClaims(payload),
      });
    } catch (error) {
      // jose checks the signature and the audience before the expiry: an expired token is genuine.
      if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_JWT_EXPIRED')
        return EXPIRED;
    }
  }
  return undefined;
}

/**
 * The endpoints whose keys may have signed a hub's client tokens: its connection string's and those of a
 * multi-endpoint configuration (`Azure__SignalR__Endpoints__*`). Internal to negotiate.
 */
export function tokenEndpoints(connectionStringSetting: string): readonly ServiceEndpoint[] {
  const named = namedEndpointsFromSettings().map(({ endpoint }) => endpoint);
  try {
    return [endpointFromSettings(connectionStringSetting), ...named];
  } catch (error) {
    if (named.length > 0) return named;
    throw error;
  }
}

/** A negotiate request as the app sees it: its `headers` (`get`, and `delete` where they allow it). */
interface RequestWithHeaders {
  readonly headers: { get(name: string): string | null };
}

/**
 * Recognises a reconnect in a negotiate request and, when it is one, takes the service's token off the
 * request, so that the app's own checks of `Authorization` see a request without a token. Internal to
 * the negotiate functions.
 */
export async function takeReconnection(
  request: RequestWithHeaders,
  hubName: string,
  connectionStringSetting: string,
): Promise<Reconnection | undefined> {
  const reconnection = await reconnectionOf(request.headers.get('authorization'), hubName, () =>
    tokenEndpoints(connectionStringSetting),
  );
  if (reconnection !== undefined) {
    const headers = request.headers as { delete?: (name: string) => void };
    try {
      headers.delete?.('authorization');
    } catch {
      // Read-only headers (a custom adapter): the default negotiate reads through a view without the
      // header; a @Negotiate() method still learns of the reconnect from this.reconnection.
    }
  }
  return reconnection;
}
