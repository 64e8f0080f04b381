import type { HubProtocolName } from '../protocol/hub-protocol.js';
import { parseClaimsHeader } from './claims-header.js';
import type { ParsedClaims } from './claims-header.js';
import { parseClientQuery } from './client-query.js';
import type { ParsedQuery } from './client-query.js';
import type { HubInvocationContext, UpstreamCategory } from './hub-invocation-context.js';
import type { RequestHeaders } from './request-headers.js';

/** What the dispatcher knows of an upstream call once it has parsed the body. */
export interface UpstreamInvocationContextFields {
  readonly connectionId: string;
  readonly userId: string | undefined;
  readonly hub: string;
  readonly category: UpstreamCategory;
  readonly event: string;
  readonly arguments: readonly unknown[];
  readonly error: string | undefined;
  readonly invocationId: string | undefined;
  readonly protocol: HubProtocolName;
  readonly stream: boolean;
}

interface LazyViews {
  readonly claims: PropertyDescriptor;
  readonly claimValues: PropertyDescriptor;
  readonly query: PropertyDescriptor;
  readonly queryValues: PropertyDescriptor;
  readonly headers: PropertyDescriptor;
}

// Filled in by the class's static block, which can reach its private members.
let LAZY_VIEWS: LazyViews | undefined;

/**
 * The frozen context of one upstream call. Most handlers never read the claims, the client query or the
 * headers, so those are built on first read, each at most once (later reads return the same frozen
 * object). They are own, enumerable, read-only properties in the same order as on a plain frozen object,
 * so spreading, `Object.keys`, `JSON.stringify` and deep equality see exactly the values a plain object
 * would show.
 */
class UpstreamInvocationContext {
  static {
    // One set of accessor functions for every context; only the state they read is per call.
    const view = (read: (context: UpstreamInvocationContext) => unknown): PropertyDescriptor => ({
      enumerable: true,
      get(this: UpstreamInvocationContext): unknown {
        return read(this);
      },
    });
    LAZY_VIEWS = {
      claims: view((context) => context.#parsedClaims().first),
      claimValues: view((context) => context.#parsedClaims().all),
      query: view((context) => context.#parsedQuery().first),
      queryValues: view((context) => context.#parsedQuery().all),
      headers: view((context) => (context.#contextHeaders ??= context.#headers.contextHeaders())),
    };
  }

  readonly #headers: RequestHeaders;
  #claims: ParsedClaims | undefined;
  #query: ParsedQuery | undefined;
  #contextHeaders: Readonly<Record<string, string>> | undefined;

  constructor(fields: UpstreamInvocationContextFields, headers: RequestHeaders) {
    this.#headers = headers;
    const target = this as unknown as Record<string, unknown>;
    target.connectionId = fields.connectionId;
    target.userId = fields.userId;
    target.hub = fields.hub;
    target.category = fields.category;
    target.event = fields.event;
    const views = LAZY_VIEWS as LazyViews;
    Object.defineProperty(this, 'claims', views.claims);
    Object.defineProperty(this, 'claimValues', views.claimValues);
    Object.defineProperty(this, 'query', views.query);
    Object.defineProperty(this, 'queryValues', views.queryValues);
    Object.defineProperty(this, 'headers', views.headers);
    target.arguments = fields.arguments;
    target.error = fields.error;
    target.invocationId = fields.invocationId;
    target.protocol = fields.protocol;
    target.stream = fields.stream;
    // Private fields stay writable on a frozen object, so the views can still be filled in on first read.
    Object.freeze(this);
  }

  #parsedClaims(): ParsedClaims {
    return (this.#claims ??= parseClaimsHeader(this.#headers.get('x-asrs-user-claims')));
  }

  #parsedQuery(): ParsedQuery {
    return (this.#query ??= parseClientQuery(this.#headers.get('x-asrs-client-query')));
  }

  /** Printed (console.log, util.inspect) with its values, as a plain object, rather than as "[Getter]". */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    return inspect(Object.fromEntries(Object.entries(this)), options);
  }
}

/**
 * The context the dispatcher gives handlers: the fields it has read, and the claims, client query and
 * headers built from `headers` only when a handler reads them.
 */
export function upstreamInvocationContext(
  fields: UpstreamInvocationContextFields,
  headers: RequestHeaders,
): HubInvocationContext {
  return new UpstreamInvocationContext(fields, headers) as unknown as HubInvocationContext;
}
