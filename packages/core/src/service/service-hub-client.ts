import type { Agent } from 'node:http';
import { getCredential } from '../connection/identity-credential.js';
import type { TokenCredential } from '../connection/identity-credential.js';
import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import { describeValue } from '../errors/describe-value.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { AccessKeyAuthorizer } from './access-key-authorizer.js';
import { RestClientManager } from './client-manager.js';
import type { ClientManager } from './client-manager.js';
import { RestConnectionGroups } from './connection-groups.js';
import type { ConnectionGroups } from './connection-groups.js';
import { defaultAgent } from './default-agent.js';
import { EntraIdAuthorizer } from './entra-id-authorizer.js';
import type { MessageEncoding } from './message-payload.js';
import { productInfo } from './product-info.js';
import { RestHubClients } from './hub-clients.js';
import type { HubClients } from './hub-clients.js';
import { HEALTH_PATH, HEALTH_QUERY, HubRestRoutes } from './hub-rest-routes.js';
import type { RestCallOptions } from './rest-call-options.js';
import { assertHubName } from './rest-arguments.js';
import type { RestAuthorizer } from './rest-authorizer.js';
import { RestTransport } from './rest-transport.js';
import { resolveRetryPolicy } from './retry-policy.js';
import type { RestRetryOptions } from './retry-policy.js';
import { RestUserGroups } from './user-groups.js';
import type { UserGroups } from './user-groups.js';

/**
 * Options of {@link ServiceHubClient}. Every option has a production default.
 *
 * @example
 * ```ts
 * const client = new ServiceHubClient(endpoint, 'chat', {
 *   application: 'contoso',
 *   timeoutMs: 10_000,
 *   retry: { mode: 'fixed', maxRetries: 2, delayMs: 500 },
 * });
 * ```
 */
export interface ServiceHubClientOptions {
  /** Application name: the service prefixes the hub with it (`{application}_{hub}`); same rule as hub names. */
  readonly application?: string;
  /** Time limit of each attempt, in milliseconds (1 to 2 147 483 647). Default 100 000, as the official SDK. */
  readonly timeoutMs?: number;
  /** Retry policy; `false` turns retries off. Default: 3 retries, exponential from 800 ms up to 60 s. */
  readonly retry?: RestRetryOptions | false;
  /**
   * For identity-based connection strings (`AuthType`): the Microsoft Entra ID credential. Default: the
   * one `getCredential(endpoint)` builds from the connection string (loading `@azure/identity` lazily).
   */
  readonly credential?: TokenCredential;
  /** HTTP agent (e.g. for a proxy). Default: a shared keep-alive agent per scheme. */
  readonly agent?: Agent;
  /**
   * How sends are written: `auto` (default) sends JSON unless an argument holds binary data or a `bigint`;
   * `binary` always sends every protocol's encoding, as the Management SDK with configured hub protocols.
   */
  readonly messageEncoding?: MessageEncoding;
}

const DEFAULT_TIMEOUT_MS = 100_000;
const MAX_TIMEOUT_MS = 2_147_483_647;

// Token caches are shared by every hub client of one endpoint (audiences differ per route anyway).
const sharedAuthorizers = new WeakMap<ServiceEndpoint, RestAuthorizer>();

function createAuthorizer(endpoint: ServiceEndpoint, credential: TokenCredential | undefined): RestAuthorizer {
  if (endpoint.auth.type === 'key') return new AccessKeyAuthorizer(endpoint.auth.accessKey);
  if (credential !== undefined) return new EntraIdAuthorizer(() => Promise.resolve(credential));
  return new EntraIdAuthorizer(() => getCredential(endpoint));
}

function authorizerFor(endpoint: ServiceEndpoint, credential: TokenCredential | undefined): RestAuthorizer {
  if (credential !== undefined && endpoint.auth.type !== 'key') return createAuthorizer(endpoint, credential);
  let authorizer = sharedAuthorizers.get(endpoint);
  if (authorizer === undefined) {
    authorizer = createAuthorizer(endpoint, undefined);
    sharedAuthorizers.set(endpoint, authorizer);
  }
  return authorizer;
}

function resolveTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new ServerlessHubError(
      'REST_INVALID_ARGUMENT',
      `Invalid timeoutMs ${String(timeoutMs)}: expected whole milliseconds from 1 to ${MAX_TIMEOUT_MS}.`,
    );
  }
  return timeoutMs;
}

function resolveMessageEncoding(encoding: unknown): MessageEncoding {
  if (encoding === 'auto' || encoding === 'binary') return encoding;
  throw new ServerlessHubError(
    'REST_INVALID_ARGUMENT',
    `Invalid messageEncoding ${describeValue(encoding)}: expected 'auto' or 'binary'.`,
  );
}

/**
 * The Azure SignalR Service data-plane REST API (2024-12-01) for one hub: send messages, manage groups,
 * close connections and ask what exists. Create one per hub and keep it: it holds no connection itself,
 * but its token cache and the shared keep-alive agent make every call after the first cheap.
 *
 * Every request carries `Authorization: Bearer <token>`: with an AccessKey, a JWT whose audience is the
 * request URL without its query, cached per audience for just under its one-hour lifetime; with an
 * identity (`AuthType`), a Microsoft Entra ID token for `https://signalr.azure.com/.default`. Calls take an
 * optional AbortSignal, time out per attempt (default 100 s) and are retried as {@link RestRetryOptions}
 * describes. Failures reject with a {@link ServerlessHubError} (`REST_*` code, `status`, `details`).
 *
 * @throws {@link ServerlessHubError} `REST_INVALID_ARGUMENT` for an invalid hub or application name or option.
 *
 * @example
 * ```ts
 * const service = new ServiceHubClient(endpointFromSettings(), 'chat');
 * await service.clients.all.send('newMessage', { from: 'system', text: 'welcome' });
 * await service.groups.addToGroup(connectionId, 'room-1');
 * await service.userGroups.addToGroup('alice', 'vip', { ttl: 3600 });
 * if (await service.clientManager.userExists('bob')) await service.clientManager.closeUserConnections('bob', { reason: 'bye' });
 * ```
 */
export class ServiceHubClient {
  /** The hub name as given (the service lower-cases it). */
  readonly hubName: string;
  /** The application name, when given. */
  readonly application: string | undefined;
  /** Sends messages to all, some connections, users or groups. */
  readonly clients: HubClients;
  /** Adds and removes single connections to and from groups. */
  readonly groups: ConnectionGroups;
  /** Adds and removes users to and from groups. */
  readonly userGroups: UserGroups;
  /** Closes connections; checks connections, users and groups exist. */
  readonly clientManager: ClientManager;
  readonly #transport: RestTransport;

  constructor(endpoint: ServiceEndpoint, hubName: string, options: ServiceHubClientOptions = {}) {
    assertHubName(hubName);
    if (options.application !== undefined) assertHubName(options.application, 'application name');
    const timeoutMs = resolveTimeout(options.timeoutMs);
    const retry = resolveRetryPolicy(options.retry);
    this.hubName = hubName;
    this.application = options.application;
    this.#transport = new RestTransport({
      serverEndpoint: endpoint.serverEndpoint,
      authorizer: authorizerFor(endpoint, options.credential),
      agent: options.agent ?? defaultAgent(endpoint.serverEndpoint.startsWith('https:')),
      timeoutMs,
      retry,
      userAgent: productInfo(),
      ...(options.messageEncoding === undefined
        ? {}
        : { messageEncoding: resolveMessageEncoding(options.messageEncoding) }),
    });
    const routes = new HubRestRoutes(hubName, options.application);
    this.clients = new RestHubClients(this.#transport, routes);
    this.groups = new RestConnectionGroups(this.#transport, routes);
    this.userGroups = new RestUserGroups(this.#transport, routes);
    this.clientManager = new RestClientManager(this.#transport, routes);
  }

  /**
   * Probes the service (`HEAD /api/health`, one attempt): `true` when it answers 2xx, `false` when it
   * answers a server error, times out or cannot be reached. Rejects when the answer shows a
   * misconfiguration (401, 404, ...) or the call is cancelled.
   *
   * @example
   * ```ts
   * if (!(await service.isServiceHealthy({ signal: AbortSignal.timeout(5_000) }))) console.warn('SignalR Service unavailable');
   * ```
   */
  async isServiceHealthy(options?: RestCallOptions): Promise<boolean> {
    try {
      return await this.#transport.call(
        { method: 'HEAD', path: HEALTH_PATH, query: HEALTH_QUERY, isSend: false, retry: false },
        options?.signal,
      );
    } catch (error) {
      const unavailable =
        ServerlessHubError.is(error) &&
        (error.code === 'REST_TIMEOUT' ||
          error.code === 'REST_NETWORK' ||
          (error.status !== undefined && error.status >= 500));
      if (unavailable) return false;
      throw error;
    }
  }
}
