import type { JWTPayload } from 'jose';
import type { HubNegotiateOptions } from '@serverless-hub/decorators';
import { decodeClaimsUnverified } from '../auth/decode-claims-unverified.js';
import type { ClaimsVerifier } from '../auth/claims-verifier.js';
import { resolveAppSettingReferences } from '../connection/app-setting-reference.js';
import { DEFAULT_CONNECTION_SETTING } from '../connection/endpoint-from-settings.js';
import type { EndpointRouter } from '../endpoints/endpoint-router.js';
import { resolveEndpointHealthOptions } from '../endpoints/endpoint-health-options.js';
import type { EndpointHealthOptions } from '../endpoints/endpoint-health-options.js';
import { HubEndpoints, consoleHealthLog } from '../endpoints/hub-endpoints.js';
import type { HubServiceEndpoint } from '../endpoints/hub-service-endpoint.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { compileBindingExpression } from './binding-expression.js';
import type { BindingValue, NegotiateRequest } from './binding-expression.js';
import type { Claim, ClaimsInput } from './client-claims.js';
import { SYSTEM_CLAIM_PREFIX } from './client-claims.js';
import { assertHubName } from './hub-name.js';
import { checkLifetime, negotiate } from './negotiate.js';
import { takeReconnection } from './reconnection.js';
import type { ConnectionInfo } from './negotiate.js';

/**
 * The options of the official `SignalRConnectionInfo` input binding, for {@link createSignalRConnectionInfo}:
 * a hub's `@Hub({ negotiate })` options plus the hub, its connection setting and an optional verifier of
 * the idToken. `userId` and `idToken` are literals or binding expressions over the negotiate request:
 * `{headers.NAME}` or `{query.NAME}`.
 *
 * @example
 * ```ts
 * const chat = createSignalRConnectionInfo({
 *   hubName: 'chat',
 *   userId: '{headers.x-ms-client-principal-id}',
 *   idToken: '{headers.x-ms-token-aad-id-token}',
 *   claimTypeList: ['name', 'roles'],
 * });
 * ```
 */
export interface ConnectionInfoOptions extends HubNegotiateOptions {
  /** The hub clients connect to. */
  readonly hubName: string;
  /** The app setting holding the connection string. Default `AzureSignalRConnectionString`. */
  readonly connectionStringSetting?: string;
  /**
   * Verifies the idToken instead of reading it unverified (as the official extension does, which is safe
   * only for a value clients cannot forge, such as App Service authentication's `x-ms-token-aad-id-token`).
   */
  readonly verifyIdToken?: ClaimsVerifier;
  /**
   * With several service endpoints (`Azure__SignalR__Endpoints__*`): chooses each client's endpoint.
   * Default {@link DefaultEndpointRouter} (a random primary endpoint).
   */
  readonly endpointRouter?: EndpointRouter;
  /**
   * With several service endpoints: how their health is checked (default: as the official SDK, every
   * 2 minutes). Offline endpoints get no client; see {@link EndpointHealthOptions}.
   */
  readonly endpointHealth?: EndpointHealthOptions;
}

function isEndpointRouter(value: unknown): value is EndpointRouter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<EndpointRouter>).getNegotiateEndpoint === 'function'
  );
}

// The option names, one list per shape, checked against the interfaces by the compiler: a name added to
// an interface but not here (or the reverse) does not compile. The hub compiler checks @Hub negotiate
// options against the first; every SignalRConnectionInfo against the second.
const HUB_NEGOTIATE_OPTIONS: Readonly<Record<keyof HubNegotiateOptions, true>> = {
  userId: true,
  idToken: true,
  claimTypeList: true,
  lifetime: true,
  enableDetailedErrors: true,
  isDiagnosticClient: true,
  closeOnAuthenticationExpiration: true,
};
const CONNECTION_INFO_OPTIONS: Readonly<Record<keyof ConnectionInfoOptions, true>> = {
  ...HUB_NEGOTIATE_OPTIONS,
  hubName: true,
  connectionStringSetting: true,
  verifyIdToken: true,
  endpointRouter: true,
  endpointHealth: true,
};

/** The names of the `@Hub({ negotiate })` options. Internal: the hub compiler checks hub options with it. */
export const HUB_NEGOTIATE_OPTION_NAMES: ReadonlySet<string> = new Set(Object.keys(HUB_NEGOTIATE_OPTIONS));
const CONNECTION_INFO_OPTION_NAMES: ReadonlySet<string> = new Set(Object.keys(CONNECTION_INFO_OPTIONS));

function invalidOptions(message: string): ServerlessHubError {
  return new ServerlessHubError('NEGOTIATE_OPTIONS_INVALID', `Invalid SignalR connection info options: ${message}`);
}

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
    const raw: unknown = options;
    if (typeof raw !== 'object' || raw === null) throw invalidOptions('pass an object such as { hubName: "chat" }.');
    const o = raw as Partial<Record<keyof ConnectionInfoOptions, unknown>>;
    for (const key of Object.keys(o)) {
      if (!CONNECTION_INFO_OPTION_NAMES.has(key))
        throw invalidOptions(`unknown option "${key}" (known: ${[...CONNECTION_INFO_OPTION_NAMES].join(', ')}).`);
    }

    assertHubName(o.hubName);
    this.hubName = o.hubName;

    const setting = o.connectionStringSetting ?? DEFAULT_CONNECTION_SETTING;
    if (typeof setting !== 'string' || setting.trim() === '')
      throw invalidOptions('connectionStringSetting must name an app setting.');
    this.connectionStringSetting = resolveAppSettingReferences(setting, 'connectionStringSetting');

    if (o.userId !== undefined && (typeof o.userId !== 'string' || o.userId === '')) {
      throw invalidOptions(
        'userId must be a non-empty string (a literal or a binding expression); omit it for anonymous connections.',
      );
    }
    this.#userId =
      o.userId === undefined
        ? undefined
        : compileBindingExpression(resolveAppSettingReferences(o.userId, 'userId'), 'userId');

    if (o.idToken !== undefined && (typeof o.idToken !== 'string' || o.idToken === '')) {
      throw invalidOptions(
        'idToken must be a non-empty string, usually a binding expression such as "{headers.x-ms-token-aad-id-token}".',
      );
    }
    this.#idToken =
      o.idToken === undefined
        ? undefined
        : compileBindingExpression(resolveAppSettingReferences(o.idToken, 'idToken'), 'idToken');

    const list = o.claimTypeList;
    if (
      list !== undefined &&
      (!Array.isArray(list) || (list as unknown[]).some((type) => typeof type !== 'string' || type === ''))
    ) {
      throw invalidOptions('claimTypeList must be an array of claim type names.');
    }
    const claimTypes = new Set((list ?? []) as string[]);
    for (const type of claimTypes) {
      if (type.startsWith(SYSTEM_CLAIM_PREFIX)) {
        throw invalidOptions(
          `claimTypeList names ${JSON.stringify(type)}; the prefix "${SYSTEM_CLAIM_PREFIX}" is reserved for the service.`,
        );
      }
    }
    // The official extension silently copies nothing in these cases; an error says why instead.
    if (this.#idToken !== undefined && claimTypes.size === 0) {
      throw invalidOptions(
        'idToken needs claimTypeList: name the idToken claims to copy into the access token, e.g. ["name", "roles"].',
      );
    }
    if (this.#idToken === undefined && claimTypes.size > 0) {
      throw invalidOptions(
        'claimTypeList filters the claims of idToken; set idToken too, e.g. "{headers.x-ms-token-aad-id-token}".',
      );
    }
    this.#claimTypes = claimTypes;

    this.#lifetime = checkLifetime(o.lifetime);

    if (o.verifyIdToken !== undefined) {
      if (this.#idToken === undefined) throw invalidOptions('verifyIdToken needs idToken.');
      const verifier = o.verifyIdToken;
      if (
        typeof verifier !== 'object' ||
        verifier === null ||
        typeof (verifier as { verify?: unknown }).verify !== 'function'
      ) {
        throw invalidOptions(
          'verifyIdToken must be a verifier made with createClaimsVerifier({ jwksUrl, issuer, audience }) or createClaimsVerifier({ secret }).',
        );
      }
      this.#verifyIdToken = verifier as ClaimsVerifier;
    }

    if (o.enableDetailedErrors !== undefined && typeof o.enableDetailedErrors !== 'boolean') {
      throw invalidOptions('enableDetailedErrors must be true or false.');
    }
    this.#enableDetailedErrors = o.enableDetailedErrors === true;
    for (const flag of ['isDiagnosticClient', 'closeOnAuthenticationExpiration'] as const) {
      if (o[flag] !== undefined && typeof o[flag] !== 'boolean') throw invalidOptions(`${flag} must be true or false.`);
    }
    this.#isDiagnosticClient = o.isDiagnosticClient === true;
    this.#closeOnAuthenticationExpiration = o.closeOnAuthenticationExpiration === true;
    const router: unknown = o.endpointRouter;
    if (router !== undefined && !isEndpointRouter(router)) {
      throw invalidOptions(
        'endpointRouter must have a getNegotiateEndpoint(context, endpoints) method, e.g. new DefaultEndpointRouter().',
      );
    }
    const health = resolveEndpointHealthOptions(
      o.endpointHealth,
      'Invalid SignalR connection info options: endpointHealth',
    );
    this.#endpoints =
      sharedEndpoints.get(options) ??
      new HubEndpoints(this.hubName, this.connectionStringSetting, router, { options: health, log: consoleHealthLog });
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
