import type { HttpRequest as FunctionsHttpRequest } from '@azure/functions';
import { parseConnectionString } from '../connection/connection-string.js';
import { DEFAULT_CONNECTION_SETTING, endpointFromSettings } from '../connection/endpoint-from-settings.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { MessageType } from '../protocol/hub-message.js';
import { hubProtocolByName } from '../protocol/hub-protocol.js';
import { readLengthPrefix } from '../protocol/varint.js';
import { formatClaimsHeader } from '../upstream/claims-header.js';
import type { HubProtocolName } from '../protocol/hub-protocol.js';
import type { UpstreamCategory } from '../upstream/hub-invocation-context.js';
import { computeUpstreamSignature } from '../upstream/upstream-signature.js';
import { HttpRequest } from './azure-functions-runtime.js';

/**
 * An upstream call to build as Azure SignalR Service builds it. Only `hub` and `event` are required;
 * the category follows from the event (`connected` / `disconnected` are `connections`).
 *
 * @example
 * ```ts
 * const request = createUpstreamRequest({
 *   hub: 'chat', event: 'broadcast', arguments: ['hello'],
 *   userId: 'alice', claims: { role: ['admin', 'ops'] }, protocol: 'messagepack',
 * });
 * ```
 */
export interface UpstreamRequestOptions {
  readonly hub: string;
  /** `connected`, `disconnected`, or the invocation target. */
  readonly event: string;
  /** Default: `connections` for `connected` / `disconnected`, else `messages`. */
  readonly category?: UpstreamCategory;
  /** Default `connection-1`. */
  readonly connectionId?: string;
  /** Omit for an anonymous connection. */
  readonly userId?: string;
  /** Claims of the connection, as the `X-ASRS-User-Claims` header carries them (repeated types allowed). */
  readonly claims?: Readonly<Record<string, string | readonly string[]>> | Iterable<readonly [string, string]>;
  /** The client's query string (`X-ASRS-Client-Query`), e.g. `?room=1`, or its parameters. */
  readonly query?: string | Readonly<Record<string, string>>;
  /** The invocation's arguments (messages). */
  readonly arguments?: readonly unknown[];
  /**
   * The invocation id of an `invoke` (the client awaits a completion); `null` for a fire-and-forget
   * `send`. Default `'1'` for messages.
   */
  readonly invocationId?: string | null;
  /** The client's hub protocol; default `json`. */
  readonly protocol?: HubProtocolName;
  /** The close error of a `disconnected` event. */
  readonly error?: string;
  /**
   * Keys to sign with; default: the `AccessKey` of `connectionString`, else of the app setting
   * `connectionStringSetting` (default `AzureSignalRConnectionString`).
   */
  readonly accessKeys?: readonly string[];
  readonly connectionString?: string;
  readonly connectionStringSetting?: string;
  /** Replaces the computed `X-ASRS-Signature` (a wrong one, for negative tests); `null` sends none. */
  readonly signature?: string | null;
  /** Extra headers, or replacements for the computed ones (names as written). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default `http://localhost:7071/api/{hub}/{category}/{event}`. */
  readonly url?: string;
}

function signingKeys(options: UpstreamRequestOptions): readonly string[] {
  if (options.accessKeys !== undefined) return options.accessKeys;
  const endpoint =
    options.connectionString === undefined
      ? endpointFromSettings(options.connectionStringSetting ?? DEFAULT_CONNECTION_SETTING)
      : parseConnectionString(options.connectionString);
  if (endpoint.auth.type !== 'key') {
    throw new ServerlessHubError(
      'CONNECTION_STRING_INVALID',
      'The connection string has no AccessKey to sign the upstream request with; pass accessKeys.',
    );
  }
  return [endpoint.auth.accessKey];
}

/** The category of an event when none is given. */
export function categoryOf(options: {
  readonly event: string;
  readonly category?: UpstreamCategory;
}): UpstreamCategory {
  if (options.category !== undefined) return options.category;
  const event = options.event.toLowerCase();
  return event === 'connected' || event === 'disconnected' ? 'connections' : 'messages';
}

/** An Invocation message as the service forwards it: encoded in the client's protocol, without framing. */
function invocationBody(
  protocol: HubProtocolName,
  target: string,
  args: readonly unknown[],
  invocationId: string | undefined,
): Uint8Array {
  const codec = hubProtocolByName(protocol);
  const framed = codec.writeMessage({
    type: MessageType.Invocation,
    target,
    arguments: args,
    ...(invocationId === undefined ? {} : { invocationId }),
  });
  if (protocol === 'json') return framed.subarray(0, framed.length - 1);
  const prefix = readLengthPrefix(framed, 0);
  if (prefix === undefined)
    throw new ServerlessHubError('PROTOCOL_INVALID_MESSAGE', 'The encoded invocation has no length prefix.');
  return framed.subarray(prefix.prefixLength);
}

function queryString(query: UpstreamRequestOptions['query']): string | undefined {
  if (query === undefined) return undefined;
  if (typeof query === 'string') return query.startsWith('?') || query === '' ? query : `?${query}`;
  return `?${new URLSearchParams(query as Record<string, string>).toString()}`;
}

/**
 * Builds the `@azure/functions` `HttpRequest` that Azure SignalR Service sends upstream for a hub event:
 * every `X-ASRS-*` header, the signature (uppercase hex, one entry per key, `", "` between them), the
 * claims header, the client query, and the body in the client's protocol (`{"type":10}` for connected,
 * `{"type":11,"error":…}` for disconnected, the unframed Invocation for messages).
 *
 * @example
 * ```ts
 * const request = createUpstreamRequest({ hub: 'chat', event: 'echo', arguments: [42], protocol: 'messagepack' });
 * const response = await handler(request, createTestInvocationContext('chat_echo').context);
 * ```
 */
export function createUpstreamRequest(options: UpstreamRequestOptions): FunctionsHttpRequest {
  const category = categoryOf(options);
  const connectionId = options.connectionId ?? 'connection-1';
  const protocol = options.protocol ?? 'json';
  const event = category === 'connections' ? options.event.toLowerCase() : options.event;

  let body: Uint8Array;
  let contentType: string;
  if (category === 'connections') {
    // Connection events are always JSON, whatever the client's protocol.
    contentType = 'application/json';
    const message =
      event === 'disconnected'
        ? { type: 11, ...(options.error === undefined ? {} : { error: options.error }) }
        : { type: 10 };
    body = Buffer.from(JSON.stringify(message), 'utf8');
  } else {
    contentType = protocol === 'json' ? 'application/json' : 'application/x-msgpack';
    const invocationId = options.invocationId === null ? undefined : (options.invocationId ?? '1');
    body = invocationBody(protocol, options.event, options.arguments ?? [], invocationId);
  }

  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'X-ASRS-Connection-Id': connectionId,
    'X-ASRS-Hub': options.hub.toLowerCase(),
    'X-ASRS-Category': category,
    'X-ASRS-Event': event,
  };
  if (options.userId !== undefined) headers['X-ASRS-User-Id'] = options.userId;
  if (options.claims !== undefined) {
    const claims = formatClaimsHeader(options.claims);
    if (claims !== '') headers['X-ASRS-User-Claims'] = claims;
  }
  const query = queryString(options.query);
  if (query !== undefined) headers['X-ASRS-Client-Query'] = query;
  const signature =
    options.signature === undefined ? computeUpstreamSignature(connectionId, signingKeys(options)) : options.signature;
  if (signature !== null) headers['X-ASRS-Signature'] = signature;
  Object.assign(headers, options.headers);

  const url =
    options.url ??
    `http://localhost:7071/api/${encodeURIComponent(options.hub.toLowerCase())}/${category}/${encodeURIComponent(event)}`;
  return new HttpRequest({ method: 'POST', url, headers, body: { bytes: body } });
}
