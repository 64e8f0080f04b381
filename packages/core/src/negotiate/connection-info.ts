import type { JWTPayload } from 'jose';
import { decodeClaimsUnverified } from '../auth/decode-claims-unverified.js';
import type { ClaimsVerifier } from '../auth/claims-verifier.js';
import { HubEndpoints, consoleHealthLog } from '../endpoints/hub-endpoints.js';
import type { HubServiceEndpoint } from '../endpoints/hub-service-endpoint.js';
import type { BindingValue, NegotiateRequest } from './binding-expression.js';
import type { Claim, ClaimsInput } from './client-claims.js';
import { compileConnectionInfoOptions } from './connection-info-options.js';
import type { ConnectionInfoOptions } from './connection-info-options.js';
import { negotiate } from './negotiate.js';
import { takeReconnection } from './reconnection.js';
import type { ConnectionInfo } from './negotiate.js';

export type { ConnectionInfoOptions } from './connection-info-options.js';

/** JWT claim values become claim strings the way the official extension reads an idToken. */
function claimStrings(value: unknown, into: string[]): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') into.push(String(value));
  else if (Array.isArray(value)) for (const item of value as unknown[]) claimStrings(item, into);
  else into.push(JSON.stringify(value));
}

/** The request without its `Authorization` header, for headers that could not be changed in place. */
function withoutAuthorization(request: NegotiateRequest): NegotiateRequest {
  return {
    query: request.query,
    headers: { get: (name: string) => (name.toLowerCase() === 'authorization' ? null : request.headers.get(name)) },
  };
}

// A registered hub's own endpoints, for the connection info of its options-based negotiate: one router and
// one set of health checks per hub. Keyed by the options object that connection info is made from.
const sharedEndpoints = new WeakMap<object, HubEndpoints>();

/**
 * The connection info of a registered hub's options-based negotiate, on the hub's own endpoints (shared
 * with its `negotiate()`). Internal to the framework.
 */
export function hubConnectionInfo(options: ConnectionInfoOptions, endpoints: HubEndpoints): SignalRConnectionInfo {
  sharedEndpoints.set(options, endpoints);
  return new SignalRConnectionInfo(options);
}

/**
 * Validated, compiled {@link ConnectionInfoOptions}: create once at start-up with
 * {@link createSignalRConnectionInfo}, negotiate with it for every request.
 *
 * @example
 * ```ts
 * const chat = createSignalRConnectionInfo({ hubName: 'chat', userId: '{query.user}' });
 * const info = await chat.negotiate(request);
 * ```
 */
export class SignalRConnectionInfo {
  readonly hubName: string;
  readonly connectionStringSetting: string;
  readonly #userId: BindingValue | undefined;
  readonly #idToken: BindingValue | undefined;
  readonly #claimTypes: ReadonlySet<string>;
  readonly #lifetime: number;
  readonly #verifyIdToken: ClaimsVerifier | undefined;
  readonly #enableDetailedErrors: boolean;
  readonly #isDiagnosticClient: boolean;
  readonly #closeOnAuthenticationExpiration: boolean;
  readonly #endpoints: HubEndpoints;

  /** @internal Use {@link createSignalRConnectionInfo}. */
  constructor(options: ConnectionInfoOptions) {
    const compiled = compileConnectionInfoOptions(options);
    this.hubName = compiled.hubName;
    this.connectionStringSetting = compiled.connectionStringSetting;
    this.#userId = compiled.userId;
    this.#idToken = compiled.idToken;
    this.#claimTypes = compiled.claimTypes;
    this.#lifetime = compiled.lifetime;
    this.#verifyIdToken = compiled.verifyIdToken;
    this.#enableDetailedErrors = compiled.enableDetailedErrors;
    this.#isDiagnosticClient = compiled.isDiagnosticClient;
    this.#closeOnAuthenticationExpiration = compiled.closeOnAuthenticationExpiration;
    this.#endpoints =
      sharedEndpoints.get(options) ??
      new HubEndpoints(this.hubName, this.connectionStringSetting, compiled.endpointRouter, {
        options: compiled.endpointHealth,
        log: consoleHealthLog,
      });
  }

  /**
   * The hub's service endpoints with their `online` state now (see {@link EndpointHealthOptions}): with
   * `Azure__SignalR__Endpoints__*` settings, each of them; otherwise the hub's one connection setting.
   * Reading them starts the health checks if no negotiate has yet.
   *
   * @throws {@link ServerlessHubError} `SETTING_MISSING` or `CONNECTION_STRING_INVALID` for unusable settings.
   *
   * @example
   * ```ts
   * const offline = chatConnection.serviceEndpoints().filter((e) => !e.online).map((e) => e.name);
   * ```
   */
  serviceEndpoints(): readonly HubServiceEndpoint[] {
    return this.#endpoints.snapshot();
  }

  /**
   * Stops the endpoint health checks (their timers keep no process alive, so an app rarely needs this;
   * tests and hosts that reload the app do). Negotiate goes on with the last known state.
   *
   * @example
   * ```ts
   * afterAll(() => chatConnection.close());
   * ```
   */
  close(): void {
    this.#endpoints.close();
  }

  /**
   * The negotiate answer for an HTTP request, as the official `SignalRConnectionInfo` input binding
   * produces it: `{ url, accessToken }` for the hub, with the user id and idToken claims read from the
   * request through the options' binding expressions.
   *
   * @param request - An `@azure/functions` `HttpRequest`, or anything with `headers.get` and a `query` `URLSearchParams`.
   * @throws {@link ServerlessHubError} `SETTING_MISSING`, `CONNECTION_STRING_INVALID`, `TOKEN_INVALID` (a
   * malformed or unverifiable idToken — answer 401), `CLAIMS_INVALID`, `TOKEN_TOO_LONG`, `ACCESS_KEY_UNAVAILABLE`.
   */
  async negotiate(request: NegotiateRequest): Promise<ConnectionInfo> {
    // A reconnecting client's service token is not an idToken: taken off, it carries the previous identity.
    const reconnection = await takeReconnection(request, this.hubName, this.connectionStringSetting);
    const seen = reconnection === undefined ? request : withoutAuthorization(request);
    const previous = reconnection?.expired === false ? reconnection : undefined;
    // The previous identity wins: the framework issued it, and the request no longer holds the token it came from.
    const userId = previous === undefined ? this.#userId?.(seen) : previous.userId;
    const claims: ClaimsInput | undefined = previous === undefined ? await this.#idTokenClaims(seen) : previous.claims;
    const endpoint = this.#endpoints.negotiateEndpoint({ request: seen, ...(userId === undefined ? {} : { userId }) });
    return negotiate(endpoint, this.hubName, {
      lifetime: this.#lifetime,
      enableDetailedErrors: this.#enableDetailedErrors,
      isDiagnosticClient: this.#isDiagnosticClient,
      closeOnAuthenticationExpiration: this.#closeOnAuthenticationExpiration,
      ...(userId === undefined ? {} : { userId }),
      ...(claims === undefined ? {} : { claims }),
    });
  }

  async #idTokenClaims(request: NegotiateRequest): Promise<Claim[] | undefined> {
    const idToken = this.#idToken?.(request);
    if (idToken === undefined) return undefined;
    const payload: JWTPayload =
      this.#verifyIdToken === undefined ? decodeClaimsUnverified(idToken) : await this.#verifyIdToken.verify(idToken);
    const claims: Claim[] = [];
    for (const [type, value] of Object.entries(payload)) {
      if (!this.#claimTypes.has(type)) continue;
      const values: string[] = [];
      claimStrings(value, values);
      for (const item of values) claims.push({ type, value: item });
    }
    return claims;
  }
}

/**
 * Validates and compiles the options of the official `SignalRConnectionInfo` input binding once,
 * so a malformed option or binding expression fails at start-up, not on the first request.
 *
 * @throws {@link ServerlessHubError} `NEGOTIATE_OPTIONS_INVALID` naming the option.
 *
 * @example
 * ```ts
 * const chatConnection = createSignalRConnectionInfo({ hubName: 'chat', userId: '{headers.x-ms-client-principal-id}' });
 * app.http('negotiate', {
 *   methods: ['POST'],
 *   authLevel: 'anonymous',
 *   handler: async (request) => ({ jsonBody: await chatConnection.negotiate(request) }),
 * });
 * ```
 */
export function createSignalRConnectionInfo(options: ConnectionInfoOptions): SignalRConnectionInfo {
  return new SignalRConnectionInfo(options);
}
