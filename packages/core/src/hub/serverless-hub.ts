import type { HttpRequest, InvocationContext } from '@azure/functions';
import type { JWTPayload } from 'jose';
import type { ClaimsVerifier } from '../auth/claims-verifier.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { ClaimsInput } from '../negotiate/client-claims.js';
import type { ConnectionInfo, NegotiateOptions } from '../negotiate/negotiate.js';
import type { Reconnection } from '../negotiate/reconnection.js';
import type { ClientManager } from '../service/client-manager.js';
import type { ConnectionGroups } from '../service/connection-groups.js';
import type { UserGroups } from '../service/user-groups.js';
import type { HubInvocationContext } from '../upstream/hub-invocation-context.js';
import type { HubInvocation } from './hub-runtime.js';
import type { TypedHubClients } from './typed-clients.js';

let attach: (hub: ServerlessHub, invocation: HubInvocation) => void;

/**
 * Sets the invocation on a fresh hub instance, once. Internal to the framework.
 *
 * @throws {ServerlessHubError} `HUB_REGISTRATION_INVALID` when the instance already served a call, which
 * happens when a DI container hands out one instance for every call (a singleton binding).
 */
export function attachInvocation(hub: ServerlessHub, invocation: HubInvocation): void {
  attach(hub, invocation);
}

/** The invocation of a hub instance, for the framework's own helpers (negotiate, getClaims). */
export let invocationOf: (hub: ServerlessHub, member: string) => HubInvocation;

/**
 * The base class of every hub. A hub instance is created for each call (with `new`, or by the DI
 * container given to `registerHubs`), and the framework sets its invocation before the method runs.
 *
 * - `this.context`: the upstream event's details (connection id, user id, claims, query, headers, hub,
 *   event, error, arguments);
 * - `this.clients`: send to clients, typed by `TClient` (`this.clients.all.newMessage(...)`), plus the
 *   untyped `send(target, ...args)` on every target;
 * - `this.groups`, `this.userGroups`, `this.clientManager`: groups and connections through the
 *   service's REST API;
 * - `this.negotiate(...)`, `this.getClaims(...)`: connection info for clients, and verified bearer claims;
 * - `this.log(...)`: the function's log.
 *
 * Public methods declared on the subclass are the hub's events; see `registerHubs` for the rules.
 *
 * @typeParam TClient the methods clients implement (what the hub can call on them). Without it, only the
 * untyped `send(target, ...args)` is available on client targets.
 *
 * @example
 * ```ts
 * interface ChatClient { newMessage(message: { from: string; text: string }): void }
 *
 * @Hub('chat')
 * export class Chat extends ServerlessHub<ChatClient> {
 *   async onConnected() { this.log(`${this.context.connectionId} connected`); }
 *   async broadcast(text: string) {
 *     await this.clients.all.newMessage({ from: this.context.userId ?? this.context.connectionId, text });
 *   }
 *   echo(value: unknown) { return value; }
 * }
 * ```
 */
export abstract class ServerlessHub<TClient = unknown> {
  #invocation: HubInvocation | undefined;

  static {
    attach = (hub, invocation) => {
      if (hub.#invocation !== undefined) {
        throw new ServerlessHubError(
          'HUB_REGISTRATION_INVALID',
          `The DI container returned a ${hub.constructor.name} instance that already served a call. Hubs hold per-call state: bind hub classes in transient scope (inversify's default), not as singletons.`,
        );
      }
      hub.#invocation = invocation;
    };
    invocationOf = (hub, member) => {
      // `#invocation in hub` also covers objects that never ran ServerlessHub's constructor.
      const invocation = #invocation in hub ? hub.#invocation : undefined;
      if (invocation === undefined) {
        throw new ServerlessHubError(
          'HUB_CONTEXT_UNAVAILABLE',
          `this.${member} is available while the hub handles a call, not in its constructor or on an instance the framework did not create.`,
        );
      }
      return invocation;
    };
  }

  /**
   * The current upstream event: connection id, user id, claims, query, headers, hub, category, event,
   * arguments, and the close error of `onDisconnected`.
   *
   * @throws {ServerlessHubError} `HUB_CONTEXT_UNAVAILABLE` outside an event (in the constructor, or in the
   * `@Negotiate()` method, which works from its `HttpRequest`).
   *
   * @example
   * ```ts
   * async broadcast(text: string) {
   *   const from = this.context.userId ?? this.context.connectionId;
   *   await this.clients.all.newMessage({ from, text });
   * }
   * ```
   */
  get context(): HubInvocationContext {
    const context = invocationOf(this, 'context').context;
    if (context === undefined) {
      throw new ServerlessHubError(
        'HUB_CONTEXT_UNAVAILABLE',
        'this.context describes an upstream event; the negotiate method has none. Read the HttpRequest it receives instead.',
      );
    }
    return context;
  }

  /**
   * In the `@Negotiate()` method: set when the client is reconnecting, that is when the request carried
   * this hub's own service token (which `@microsoft/signalr` re-sends as `Authorization: Bearer` when the
   * app gave it no `accessTokenFactory`); `undefined` for a first connection and outside negotiate. The
   * token has been taken off the request. Unless it had `expired`, `this.negotiate(...)` carries its user
   * id and claims over (unless told `carryOver: false`) and `this.getClaims(request, ...)` resolves to its claims.
   *
   * @example
   * ```ts
   * @Negotiate()
   * connect(request: HttpRequest) {
   *   if (this.reconnection !== undefined) this.log(`reconnect of ${this.reconnection.userId ?? 'an anonymous client'}`);
   *   return this.negotiate(request.headers.get('x-ms-client-principal-id') ?? undefined);
   * }
   * ```
   */
  get reconnection(): Reconnection | undefined {
    return invocationOf(this, 'reconnection').reconnection;
  }

  /**
   * The hub's name, as declared (`@Hub('chat')` or the class name).
   *
   * @example
   * ```ts
   * this.log(`hub ${this.hubName}`);
   * ```
   */
  get hubName(): string {
    return invocationOf(this, 'hubName').runtime.hubName;
  }

  /**
   * The hub's clients, typed by `TClient`: `all`, `allExcept(ids)`, `client(id)`, `clients(ids)`,
   * `user(id)`, `users(ids)`, `group(name)`, `groups(names)`, `groupExcept(name, ids)`. Each target has
   * the client methods of `TClient` and the untyped `send(target, ...args)`.
   *
   * @example
   * ```ts
   * await this.clients.all.newMessage({ from, text });
   * await this.clients.user('bob').send('ping');
   * ```
   */
  get clients(): TypedHubClients<TClient> {
    return invocationOf(this, 'clients').runtime.clients as TypedHubClients<TClient>;
  }

  /**
   * Group membership of connections: `addToGroup(connectionId, group)`, `removeFromGroup(...)`,
   * `removeFromAllGroups(connectionId)`.
   *
   * @example
   * ```ts
   * async joinGroup(group: string) { await this.groups.addToGroup(this.context.connectionId, group); }
   * ```
   */
  get groups(): ConnectionGroups {
    return invocationOf(this, 'groups').runtime.services.groups;
  }

  /**
   * Group membership of users (all their connections, present and future): `addToGroup(userId, group,
   * { ttl })`, `removeFromGroup`, `removeFromAllGroups`, `isUserInGroup`.
   *
   * @example
   * ```ts
   * await this.userGroups.addToGroup(this.context.userId!, 'vip', { ttl: 3600 });
   * ```
   */
  get userGroups(): UserGroups {
    return invocationOf(this, 'userGroups').runtime.services.userGroups;
  }

  /**
   * Connections: close one, or all of the hub's, a group's or a user's; check whether a connection, user
   * or group exists.
   *
   * @example
   * ```ts
   * await this.clientManager.closeConnection(this.context.connectionId, 'bye');
   * ```
   */
  get clientManager(): ClientManager {
    return invocationOf(this, 'clientManager').runtime.services.clientManager;
  }

  /**
   * The Azure Functions `InvocationContext` of the current function call (logging at every level,
   * invocation id, trigger metadata); `undefined` when a transport without one runs the hub.
   *
   * @example
   * ```ts
   * this.functionContext?.warn('slow client', this.context.connectionId);
   * ```
   */
  get functionContext(): InvocationContext | undefined {
    return invocationOf(this, 'functionContext').functionContext;
  }

  /**
   * Aborts when the call is abandoned; pass it to slow work.
   *
   * @example
   * ```ts
   * const response = await fetch(url, { signal: this.signal });
   * ```
   */
  get signal(): AbortSignal {
    return invocationOf(this, 'signal').signal;
  }

  /**
   * Creates the connection info (`{ url, accessToken }`) a client needs to connect to this hub through the
   * service, signed with the hub's connection string: what a `@Negotiate()` method returns. Pass the user
   * id, custom claims and token lifetime (seconds) positionally, or as options (which also take
   * `enableDetailedErrors` and `algorithm`). On a reconnect (see {@link ServerlessHub.reconnection}) the token
   * carries the user id and claims of the client's previous token, unless the options say `carryOver: false`.
   *
   * @example
   * ```ts
   * @Negotiate()
   * connect(request: HttpRequest) {
   *   return this.negotiate(request.headers.get('x-ms-client-principal-id') ?? undefined, { role: 'reader' });
   * }
   * // or: return this.negotiate({ userId, claims: [{ type: 'role', value: 'reader' }], lifetime: 600 });
   * ```
   */
  negotiate(userId?: string, claims?: ClaimsInput, lifetime?: number): Promise<ConnectionInfo>;
  negotiate(options: NegotiateOptions): Promise<ConnectionInfo>;
  async negotiate(
    userIdOrOptions?: string | NegotiateOptions,
    claims?: ClaimsInput,
    lifetime?: number,
  ): Promise<ConnectionInfo> {
    const { runtime, reconnection, request } = invocationOf(this, 'negotiate');
    let options: NegotiateOptions;
    if (typeof userIdOrOptions === 'object') {
      if (claims !== undefined || lifetime !== undefined) {
        throw new ServerlessHubError(
          'NEGOTIATE_OPTIONS_INVALID',
          'negotiate(options) takes one argument; put claims and lifetime in the options object.',
        );
      }
      options = userIdOrOptions;
    } else {
      options = {
        ...(userIdOrOptions === undefined ? {} : { userId: userIdOrOptions }),
        ...(claims === undefined ? {} : { claims }),
        ...(lifetime === undefined ? {} : { lifetime }),
      };
    }
    const { carryOver, userId, claims: given, ...rest } = options;
    if (reconnection?.expired === false && carryOver !== false) {
      // The framework issued these, and the old token's signature and expiry bound them. They win over what
      // the method worked out from a request whose token has just been taken off (an app that reads its
      // claims from that token would otherwise drop them on every reconnect).
      const endpoint = runtime.negotiateEndpoint({
        ...(request === undefined ? {} : { request }),
        ...(reconnection.userId === undefined ? {} : { userId: reconnection.userId }),
      });
      return runtime.issueConnectionInfo(endpoint, {
        ...rest,
        ...(reconnection.userId === undefined ? {} : { userId: reconnection.userId }),
        claims: reconnection.claims,
      });
    }
    const endpoint = runtime.negotiateEndpoint({
      ...(request === undefined ? {} : { request }),
      ...(userId === undefined ? {} : { userId }),
    });
    return runtime.issueConnectionInfo(endpoint, {
      ...rest,
      ...(userId === undefined ? {} : { userId }),
      ...(given === undefined ? {} : { claims: given }),
    });
  }

  /**
   * Verifies a bearer JWT and returns its claims: pass the negotiate `HttpRequest` (its `Authorization`
   * header is read), the header value, or the bare token, and the verifier made once with
   * `createClaimsVerifier`. A missing or invalid token rejects with `TOKEN_INVALID`, which the negotiate function
   * answers with 401. On a reconnect (see {@link ServerlessHub.reconnection}), the request's token was the
   * service's own and has been taken off: the claims of that previous token are returned instead (none
   * when it had expired, which rejects as a request without a token does).
   *
   * @example
   * ```ts
   * const bearer = createClaimsVerifier({ secret: process.env.AUTH_SECRET ?? '' });
   *
   * @Negotiate()
   * async connect(request: HttpRequest) {
   *   const claims = await this.getClaims(request, bearer);
   *   return this.negotiate({ userId: claims.sub, claims: { role: String(claims.role) } });
   * }
   * ```
   */
  getClaims(authorization: HttpRequest | string | null | undefined, verifier: ClaimsVerifier): Promise<JWTPayload> {
    const header =
      typeof authorization === 'object' && authorization !== null
        ? authorization.headers.get('authorization')
        : authorization;
    const reconnection = #invocation in this ? this.#invocation?.reconnection : undefined;
    if (reconnection?.expired === false && (header === null || header === undefined || header === '')) {
      return Promise.resolve({ ...reconnection.claims } as JWTPayload);
    }
    return verifier.verify(header);
  }

  /**
   * Writes to the function's log (information level), like `context.log` in a plain function; to the
   * console when there is no function context.
   *
   * @example
   * ```ts
   * async onConnected() { this.log(`${this.context.connectionId} connected`); }
   * ```
   */
  log(...args: unknown[]): void {
    const functionContext = #invocation in this ? this.#invocation?.functionContext : undefined;
    if (functionContext === undefined) console.log(...args);
    else functionContext.log(...args);
  }
}
