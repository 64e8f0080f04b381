import { getSigningKey } from '../connection/access-key-provider.js';
import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { signAccessTokenNow } from '../token/sign-access-token.js';
import { clientTokenClaims } from './client-claims.js';
import type { ClaimsInput } from './client-claims.js';
import { assertHubName } from './hub-name.js';
import { checkLifetime } from './token-lifetime.js';

export {
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  MAX_TOKEN_LIFETIME_SECONDS,
  MIN_TOKEN_LIFETIME_SECONDS,
} from './token-lifetime.js';

/**
 * The longest access token the service accepts, in characters; `negotiate` refuses longer ones.
 *
 * @example
 * ```ts
 * if (accessToken.length > MAX_ACCESS_TOKEN_LENGTH) throw new Error('too many claims');
 * ```
 */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;

/**
 * What a client needs to connect to the service: the negotiate function's answer, serialized as
 * exactly `{"url":"...","accessToken":"..."}`.
 *
 * @example
 * ```ts
 * const info: ConnectionInfo = await negotiate(endpoint, 'chat');
 * return { jsonBody: info };
 * ```
 */
export interface ConnectionInfo {
  /** `{ClientEndpoint}/client/?hub={hub}`. */
  readonly url: string;
  /** A JWT for this client only: never cache or share it. */
  readonly accessToken: string;
}

/**
 * Options of {@link negotiate}.
 *
 * @example
 * ```ts
 * const info = await negotiate(endpointFromSettings(), 'chat', { userId: 'alice', claims: { role: ['admin'] }, lifetime: 1800 });
 * ```
 */
export interface NegotiateOptions {
  /** The user id (`asrs.s.uid`); omit for an anonymous connection. Sends to this user reach the connection. */
  readonly userId?: string;
  /** Custom claims; the upstream sees them as the connection's claims. */
  readonly claims?: ClaimsInput;
  /** Token lifetime in seconds, a whole number from 60 to 86 400. Default 3600. */
  readonly lifetime?: number;
  /** Asks the service to send detailed error messages to this client (`asrs.s.derror`). Default false. */
  readonly enableDetailedErrors?: boolean;
  /**
   * Marks the connection as a diagnostic client, whose messages the service logs in detail (`asrs.s.dc`,
   * C# `NegotiationOptions.IsDiagnosticClient`). Default false.
   */
  readonly isDiagnosticClient?: boolean;
  /**
   * Asks the service to close the connection when its authentication expires (`asrs.s.coae`, with the
   * moment in `asrs.s.aeo`; C# `CloseOnAuthenticationExpiration`): by default when this access token
   * expires, or at `authenticationExpiresOn`. Default false.
   */
  readonly closeOnAuthenticationExpiration?: boolean;
  /**
   * When the client's authentication expires (e.g. the `exp` of the bearer token it negotiated with), in
   * seconds since the epoch or as a `Date`; only with `closeOnAuthenticationExpiration`. Default: when
   * the access token expires.
   */
  readonly authenticationExpiresOn?: number | Date;
  /** Signing algorithm. Default `HS256`. */
  readonly algorithm?: 'HS256' | 'HS512';
  /**
   * For `this.negotiate(...)` in a `@Negotiate()` method, on a reconnect (`this.reconnection`): `true`
   * (default) issues the token with the previous token's user id and claims, whatever `userId` and
   * `claims` say; `false` uses the given ones. Ignored elsewhere.
   */
  readonly carryOver?: boolean;
}

interface HubTarget {
  readonly url: string;
  readonly audience: string;
}

// Per endpoint and hub name, the URL and audience are computed and validated once.
const targets = new WeakMap<ServiceEndpoint, Map<string, HubTarget>>();
const MAX_HUBS_PER_ENDPOINT = 1024;

function hubTarget(endpoint: ServiceEndpoint, hubName: string): HubTarget {
  let perEndpoint = targets.get(endpoint);
  if (perEndpoint === undefined) {
    perEndpoint = new Map();
    targets.set(endpoint, perEndpoint);
  }
  let target = perEndpoint.get(hubName);
  if (target !== undefined) return target;
  assertHubName(hubName);
  const hub = hubName.toLowerCase();
  // The service checks `aud` against its own host: no port, no ClientEndpoint, no path.
  const { protocol, hostname } = new URL(endpoint.endpoint);
  target = {
    url: `${endpoint.clientEndpoint}/client/?hub=${hub}`,
    audience: `${protocol}//${hostname}/client/?hub=${hub}`,
  };
  if (perEndpoint.size >= MAX_HUBS_PER_ENDPOINT) perEndpoint.clear();
  perEndpoint.set(hubName, target);
  return target;
}

/**
 * The `aud` of this hub's client tokens on an endpoint: `{scheme}://{host of Endpoint}/client/?hub={hub}`.
 * Internal: lets negotiate recognise a token it issued itself.
 */
export function clientAudience(endpoint: ServiceEndpoint, hubName: string): string {
  return hubTarget(endpoint, hubName).audience;
}

function invalidOption(message: string): ServerlessHubError {
  return new ServerlessHubError('NEGOTIATE_OPTIONS_INVALID', message);
}

function checkFlag(value: unknown, name: string): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw invalidOption(`${name} must be true or false.`);
  return value === true;
}

function closeOnExpiration(options: NegotiateOptions, tokenExpiresAt: number): { authenticationExpiresOn?: number } {
  const close = checkFlag(options.closeOnAuthenticationExpiration, 'closeOnAuthenticationExpiration');
  const at: unknown = options.authenticationExpiresOn;
  if (at === undefined) return close ? { authenticationExpiresOn: tokenExpiresAt } : {};
  if (!close) throw invalidOption('authenticationExpiresOn applies only with closeOnAuthenticationExpiration: true.');
  const seconds = at instanceof Date ? Math.floor(at.getTime() / 1000) : at;
  if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds <= 0) {
    throw invalidOption(
      'authenticationExpiresOn must be a Date or a whole number of seconds since the epoch, e.g. the exp claim of the bearer token.',
    );
  }
  return { authenticationExpiresOn: seconds };
}

function checkUserId(userId: unknown): string | undefined {
  if (userId === undefined) return undefined;
  if (typeof userId !== 'string' || userId === '') {
    throw invalidOption('userId must be a non-empty string; omit it for an anonymous connection.');
  }
  return userId;
}

/**
 * Creates the connection info a SignalR client needs to connect to Azure SignalR Service in
 * serverless mode — what the app's `negotiate` function returns. The answer has exactly `url` and
 * `accessToken`. The token is an HS256 JWT signed with the endpoint's access key (with `kid` for
 * identity-based endpoints), with `aud` = `{scheme}://{host of Endpoint}/client/?hub={hub}`,
 * `nbf`/`iat` = now, `exp` = now + lifetime, the user id in `asrs.s.uid` and the custom claims
 * (repeated types as arrays, reserved types such as `aud` or `nonce` renamed `asrs.u.<type>`).
 *
 * @param endpoint - From {@link parseConnectionString} or {@link endpointFromSettings}.
 * @param hubName - The hub; matched case-insensitively by the service (sent lowercased).
 * @throws {@link ServerlessHubError} `NEGOTIATE_OPTIONS_INVALID` (hub name, user id, lifetime),
 * `CLAIMS_INVALID` (malformed or `asrs.s.*` claims), `TOKEN_TOO_LONG` (over 4096 characters),
 * `ACCESS_KEY_UNAVAILABLE` (identity endpoints whose key cannot be fetched).
 *
 * @example
 * ```ts
 * app.http('negotiate', {
 *   methods: ['POST'],
 *   authLevel: 'anonymous',
 *   handler: async (request) => {
 *     const userId = request.headers.get('x-ms-client-principal-id') ?? undefined;
 *     const info = await negotiate(endpointFromSettings(), 'chat', { userId, claims: { role: 'reader' } });
 *     return { jsonBody: info };
 *   },
 * });
 * ```
 */
export async function negotiate(
  endpoint: ServiceEndpoint,
  hubName: string,
  options: NegotiateOptions = {},
): Promise<ConnectionInfo> {
  const target = hubTarget(endpoint, hubName);
  const lifetimeSeconds = checkLifetime(options.lifetime);
  const algorithm: unknown = options.algorithm;
  if (algorithm !== undefined && algorithm !== 'HS256' && algorithm !== 'HS512') {
    throw invalidOption('algorithm must be HS256 or HS512.');
  }
  const now = Math.floor(Date.now() / 1000);
  const claims = clientTokenClaims(checkUserId(options.userId), options.claims, {
    enableDetailedErrors: options.enableDetailedErrors === true,
    isDiagnosticClient: checkFlag(options.isDiagnosticClient, 'isDiagnosticClient'),
    ...closeOnExpiration(options, now + lifetimeSeconds),
  });
  const { key, kid } = await getSigningKey(endpoint);
  const accessToken = signAccessTokenNow({
    audience: target.audience,
    key,
    lifetimeSeconds,
    now,
    claims,
    ...(kid === undefined ? {} : { kid }),
    ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
  });
  if (accessToken.length > MAX_ACCESS_TOKEN_LENGTH) {
    throw new ServerlessHubError(
      'TOKEN_TOO_LONG',
      `The access token would be ${String(accessToken.length)} characters long; Azure SignalR Service accepts at most ` +
        `${String(MAX_ACCESS_TOKEN_LENGTH)}. Send fewer or shorter claims (e.g. a shorter claimTypeList) or a shorter user id.`,
    );
  }
  return { url: target.url, accessToken };
}
