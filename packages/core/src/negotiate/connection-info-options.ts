import type { HubNegotiateOptions } from '@serverless-hub/decorators';
import type { ClaimsVerifier } from '../auth/claims-verifier.js';
import { resolveAppSettingReferences } from '../connection/app-setting-reference.js';
import { DEFAULT_CONNECTION_SETTING } from '../connection/default-connection-setting.js';
import type { EndpointRouter } from '../endpoints/endpoint-router.js';
import { resolveEndpointHealthOptions } from '../endpoints/endpoint-health-options.js';
import type { EndpointHealthOptions, ResolvedEndpointHealthOptions } from '../endpoints/endpoint-health-options.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { compileBindingExpression } from './binding-expression.js';
import type { BindingValue } from './binding-expression.js';
import { assertHubName } from './hub-name.js';
import { SYSTEM_CLAIM_PREFIX } from './system-claim-prefix.js';
import { checkLifetime } from './token-lifetime.js';

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

/**
 * {@link ConnectionInfoOptions} checked and compiled. Internal: apart from {@link SignalRConnectionInfo} so
 * that registration checks a hub's negotiate options without loading the negotiate code, which it loads
 * only when the first request needs it.
 */
export interface CompiledConnectionInfoOptions {
  readonly hubName: string;
  readonly connectionStringSetting: string;
  readonly userId: BindingValue | undefined;
  readonly idToken: BindingValue | undefined;
  readonly claimTypes: ReadonlySet<string>;
  readonly lifetime: number;
  readonly verifyIdToken: ClaimsVerifier | undefined;
  readonly enableDetailedErrors: boolean;
  readonly isDiagnosticClient: boolean;
  readonly closeOnAuthenticationExpiration: boolean;
  readonly endpointRouter: EndpointRouter | undefined;
  readonly endpointHealth: ResolvedEndpointHealthOptions;
}

/** An option that is a literal or a binding expression over the request, with `%AppSetting%` references. */
function bindingOption(value: unknown, name: 'userId' | 'idToken', requirement: string): BindingValue | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalidOptions(`${name} must be ${requirement}`);
  return compileBindingExpression(resolveAppSettingReferences(value, name), name);
}

/** Checks and compiles connection info options. Internal to the framework. */
export function compileConnectionInfoOptions(raw: unknown): CompiledConnectionInfoOptions {
  if (typeof raw !== 'object' || raw === null) throw invalidOptions('pass an object such as { hubName: "chat" }.');
  const o = raw as Partial<Record<keyof ConnectionInfoOptions, unknown>>;
  for (const key of Object.keys(o)) {
    if (!CONNECTION_INFO_OPTION_NAMES.has(key))
      throw invalidOptions(`unknown option "${key}" (known: ${[...CONNECTION_INFO_OPTION_NAMES].join(', ')}).`);
  }

  assertHubName(o.hubName);
  const hubName = o.hubName;

  const setting = o.connectionStringSetting ?? DEFAULT_CONNECTION_SETTING;
  if (typeof setting !== 'string' || setting.trim() === '')
    throw invalidOptions('connectionStringSetting must name an app setting.');
  const connectionStringSetting = resolveAppSettingReferences(setting, 'connectionStringSetting');

  const userId = bindingOption(
    o.userId,
    'userId',
    'a non-empty string (a literal or a binding expression); omit it for anonymous connections.',
  );
  const idToken = bindingOption(
    o.idToken,
    'idToken',
    'a non-empty string, usually a binding expression such as "{headers.x-ms-token-aad-id-token}".',
  );

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
  if (idToken !== undefined && claimTypes.size === 0) {
    throw invalidOptions(
      'idToken needs claimTypeList: name the idToken claims to copy into the access token, e.g. ["name", "roles"].',
    );
  }
  if (idToken === undefined && claimTypes.size > 0) {
    throw invalidOptions(
      'claimTypeList filters the claims of idToken; set idToken too, e.g. "{headers.x-ms-token-aad-id-token}".',
    );
  }

  const lifetime = checkLifetime(o.lifetime);

  let verifyIdToken: ClaimsVerifier | undefined;
  if (o.verifyIdToken !== undefined) {
    if (idToken === undefined) throw invalidOptions('verifyIdToken needs idToken.');
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
    verifyIdToken = verifier as ClaimsVerifier;
  }

  if (o.enableDetailedErrors !== undefined && typeof o.enableDetailedErrors !== 'boolean') {
    throw invalidOptions('enableDetailedErrors must be true or false.');
  }
  const enableDetailedErrors = o.enableDetailedErrors === true;
  for (const flag of ['isDiagnosticClient', 'closeOnAuthenticationExpiration'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean') throw invalidOptions(`${flag} must be true or false.`);
  }
  const isDiagnosticClient = o.isDiagnosticClient === true;
  const closeOnAuthenticationExpiration = o.closeOnAuthenticationExpiration === true;
  const router: unknown = o.endpointRouter;
  if (router !== undefined && !isEndpointRouter(router)) {
    throw invalidOptions(
      'endpointRouter must have a getNegotiateEndpoint(context, endpoints) method, e.g. new DefaultEndpointRouter().',
    );
  }
  const endpointHealth = resolveEndpointHealthOptions(
    o.endpointHealth,
    'Invalid SignalR connection info options: endpointHealth',
  );
  return {
    hubName,
    connectionStringSetting,
    userId,
    idToken,
    claimTypes,
    lifetime,
    verifyIdToken,
    enableDetailedErrors,
    isDiagnosticClient,
    closeOnAuthenticationExpiration,
    endpointRouter: router,
    endpointHealth,
  };
}
