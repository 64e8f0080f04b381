import type { HubProtocolName } from '../protocol/hub-protocol.js';

/**
 * The two upstream categories: connection lifetime events and client invocations.
 *
 * @example
 * ```ts
 * if (context.category === 'connections') console.log(`${context.connectionId} ${context.event}`);
 * ```
 */
export type UpstreamCategory = 'connections' | 'messages';

/**
 * Everything the service told the app about one upstream call: who (connection, user, claims), where
 * (hub, category, event), and what (arguments, error, invocation id). Frozen: handlers and filters can
 * share it without copying.
 *
 * Claims and query parameters come in two views: `claims` / `query` hold the first value of each name,
 * like the C# extension's dictionaries; `claimValues` / `queryValues` hold every value, in order.
 *
 * @example
 * ```ts
 * class Chat extends ServerlessHub<ChatClient> {
 *   async shutdown(reason: string) {
 *     const { connectionId, userId, claims, claimValues } = this.context; // this call's context
 *     if (claims.role !== 'admin') denyUpstream('admins only');
 *     console.log(connectionId, userId, claimValues.role, reason);
 *   }
 * }
 * ```
 */
export interface HubInvocationContext {
  /** `X-ASRS-Connection-Id`. */
  readonly connectionId: string;
  /** `X-ASRS-User-Id`; `undefined` for anonymous connections. */
  readonly userId: string | undefined;
  /** `X-ASRS-Hub`, as the service spelled it. */
  readonly hub: string;
  /** `X-ASRS-Category`, lowercased. */
  readonly category: UpstreamCategory;
  /** `X-ASRS-Event`: `connected` / `disconnected` (lowercased) or the invocation target as sent. */
  readonly event: string;
  /** First value of each claim type from `X-ASRS-User-Claims` (C# `InvocationContext.Claims`). */
  readonly claims: Readonly<Record<string, string>>;
  /** Every value of each claim type from `X-ASRS-User-Claims`, in header order. */
  readonly claimValues: Readonly<Record<string, readonly string[]>>;
  /** First value of each parameter of the client's query string (`X-ASRS-Client-Query`). */
  readonly query: Readonly<Record<string, string>>;
  /** Every value of each parameter of the client's query string. */
  readonly queryValues: Readonly<Record<string, readonly string[]>>;
  /**
   * The request headers, names lowercased, repeated headers joined with `", "`; without the credentials
   * (`X-ASRS-Signature`, `Authorization`, `Authentication`), which only authentication needs.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The invocation's arguments (`messages`); empty for connection events. */
  readonly arguments: readonly unknown[];
  /** The close error of a `disconnected` event; `undefined` when the connection closed cleanly. */
  readonly error: string | undefined;
  /** The invocation id of an `invoke` (the client awaits a result); `undefined` for `send` and connection events. */
  readonly invocationId: string | undefined;
  /** The client's hub protocol, from the request's content type. */
  readonly protocol: HubProtocolName;
  /**
   * `true` when the client called with `connection.stream(...)`: `invocationId` is then the stream's id,
   * and the method's async iterable feeds that stream.
   */
  readonly stream: boolean;
}

/**
 * What {@link createHubInvocationContext} needs; omitted collections are empty.
 *
 * @example
 * ```ts
 * const context = createHubInvocationContext({ connectionId: 'c1', hub: 'chat', category: 'connections', event: 'connected' });
 * ```
 */
export interface HubInvocationContextInit {
  readonly connectionId: string;
  readonly userId?: string | undefined;
  readonly hub: string;
  readonly category: UpstreamCategory;
  readonly event: string;
  /** One value or every value per claim type. */
  readonly claims?: Readonly<Record<string, string | readonly string[]>> | undefined;
  /** One value or every value per query parameter. */
  readonly query?: Readonly<Record<string, string | readonly string[]>> | undefined;
  /** Header names are lowercased. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly arguments?: readonly unknown[] | undefined;
  readonly error?: string | undefined;
  readonly invocationId?: string | undefined;
  readonly protocol?: HubProtocolName | undefined;
  readonly stream?: boolean | undefined;
}

const NO_ARGUMENTS: readonly unknown[] = Object.freeze([]);

/**
 * Builds a frozen {@link HubInvocationContext} from plain values: for transports that do not receive
 * the service's HTTP request (such as the Functions host's own SignalR trigger) and for tests.
 *
 * @example
 * ```ts
 * const context = createHubInvocationContext({
 *   connectionId: 'c1', hub: 'chat', category: 'messages', event: 'broadcast',
 *   claims: { sub: 'u1', role: ['admin', 'ops'] }, arguments: ['hello'],
 * });
 * context.claims.role;       // 'admin'
 * context.claimValues.role;  // ['admin', 'ops']
 * ```
 */
export function createHubInvocationContext(init: HubInvocationContextInit): HubInvocationContext {
  const claims = twoViews(init.claims);
  const query = twoViews(init.query);
  const headers = Object.create(null) as Record<string, string>;
  if (init.headers !== undefined) {
    for (const name of Object.keys(init.headers)) {
      const value = init.headers[name];
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
  }
  return Object.freeze({
    connectionId: init.connectionId,
    userId: init.userId,
    hub: init.hub,
    category: init.category,
    event: init.event,
    claims: claims.first,
    claimValues: claims.all,
    query: query.first,
    queryValues: query.all,
    headers: Object.freeze(headers),
    arguments: init.arguments === undefined ? NO_ARGUMENTS : Object.freeze([...init.arguments]),
    error: init.error,
    invocationId: init.invocationId,
    protocol: init.protocol ?? 'json',
    stream: init.stream ?? false,
  });
}

function twoViews(source: Readonly<Record<string, string | readonly string[]>> | undefined): {
  first: Readonly<Record<string, string>>;
  all: Readonly<Record<string, readonly string[]>>;
} {
  const first = Object.create(null) as Record<string, string>;
  const all = Object.create(null) as Record<string, readonly string[]>;
  if (source !== undefined) {
    for (const name of Object.keys(source)) {
      const value = source[name];
      if (value === undefined) continue;
      const values = typeof value === 'string' ? [value] : [...value];
      if (values.length === 0) continue;
      first[name] = values[0] as string;
      all[name] = Object.freeze(values);
    }
  }
  return { first: Object.freeze(first), all: Object.freeze(all) };
}
