import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { HubMessage, InvocationMessage, StreamInvocationMessage } from './hub-message.js';
import { jsonHubProtocol } from './json-hub-protocol.js';
import { messagePackHubProtocol } from './message-pack-hub-protocol.js';

/**
 * Names of the hub protocols, as they appear in the handshake request.
 *
 * @example
 * ```ts
 * const protocol = hubProtocolByName(handshake.protocol); // 'json' or 'messagepack', any case
 * console.log(protocol.name);
 * ```
 */
export type HubProtocolName = 'json' | 'messagepack';

/**
 * Options of {@link HubProtocol.createReader}.
 *
 * @example
 * ```ts
 * const reader = jsonHubProtocol.createReader({ maxMessageSize: 64 * 1024 });
 * ```
 */
export interface HubMessageReaderOptions {
  /**
   * Largest accepted message, in bytes without framing (for text chunks: in UTF-16 code units).
   * A message announced or buffered beyond it is rejected before it is read further, so a client
   * cannot make the reader buffer without bound. Defaults to {@link DEFAULT_MAX_MESSAGE_SIZE}.
   */
  readonly maxMessageSize?: number;
  /**
   * What to do with a message of a type this codec does not know: `skip` it (default; what clients do,
   * so that later protocol versions can add types), or `reject` it as invalid input (what an ASP.NET Core
   * server does: such a message from a client closes its connection).
   */
  readonly unknownMessageTypes?: 'skip' | 'reject';
}

/**
 * Incremental parser for a stream of framed messages (a WebSocket, a long-polling body): feed each
 * chunk as it arrives; complete messages come out, an incomplete tail is kept for the next chunk.
 * After it has thrown, a reader is unusable (the stream is out of sync): close the connection.
 *
 * @example
 * ```ts
 * const reader = jsonHubProtocol.createReader();
 * socket.on('message', (chunk: Uint8Array) => {
 *   for (const message of reader.push(chunk)) handle(message);
 * });
 * ```
 */
export interface HubMessageReader {
  /**
   * Adds a chunk and returns every message completed by it, in order (possibly none).
   *
   * @throws {ServerlessHubError} `PROTOCOL_INVALID_MESSAGE` for malformed or oversized input.
   */
  push(chunk: Uint8Array | string): HubMessage[];
  /** Bytes (or, for text chunks, code units) held back waiting for the end of a message. */
  readonly pendingSize: number;
}

/**
 * A SignalR hub protocol codec (JSON or MessagePack). Implementations are stateless and safe to
 * share; use {@link jsonHubProtocol}, {@link messagePackHubProtocol}, {@link hubProtocolByName} or
 * {@link hubProtocolByContentType}.
 *
 * Every malformed input raises a `ServerlessHubError` with code `PROTOCOL_INVALID_MESSAGE` and a
 * message naming what is wrong. Messages of an unknown `type` are skipped, as the official clients
 * skip them, so that later protocol versions can add types.
 *
 * @example
 * ```ts
 * const protocol = hubProtocolByContentType(request.headers.get('content-type') ?? '');
 * const invocation = protocol.parseUnframedInvocation(body);
 * const answer = protocol.writeMessage({ type: MessageType.Completion, invocationId: invocation.invocationId ?? '', result: 42 });
 * ```
 */
export interface HubProtocol {
  /** The name used in the handshake request. */
  readonly name: HubProtocolName;
  /** The protocol version this codec writes; the handshake accepts versions 1 and 2 (see {@link parseHandshakeRequest}). */
  readonly version: 1;
  /** `Text` for JSON, `Binary` for MessagePack: which WebSocket frame type carries it. */
  readonly transferFormat: 'Text' | 'Binary';
  /** The upstream `Content-Type` of bodies in this protocol. */
  readonly contentType: 'application/json' | 'application/x-msgpack';
  /** Encodes one message with its framing (JSON + `0x1E`, or varint length + MessagePack). */
  writeMessage(message: HubMessage): Uint8Array;
  /**
   * Decodes complete framed input (one or more whole messages). Input that ends inside a message is
   * an error; use {@link HubProtocol.createReader} for input that arrives in pieces.
   */
  parseMessages(input: Uint8Array | string): HubMessage[];
  /** A new incremental reader for a stream of framed messages. */
  createReader(options?: HubMessageReaderOptions): HubMessageReader;
  /**
   * Decodes the body of an upstream `messages` request: exactly one Invocation message, or a
   * StreamInvocation (the client's `connection.stream(...)`), without framing (no trailing `0x1E`, no
   * length prefix).
   */
  parseUnframedInvocation(body: Uint8Array): InvocationMessage | StreamInvocationMessage;
}

/**
 * The protocol of a handshake `protocol` name, matched case-insensitively as ASP.NET Core does.
 *
 * @throws {ServerlessHubError} `PROTOCOL_UNSUPPORTED` for any other name.
 * @example
 * ```ts
 * const protocol = hubProtocolByName(handshake.protocol);
 * ```
 */
export function hubProtocolByName(name: string): HubProtocol {
  const normalized = name.toLowerCase();
  if (normalized === 'json') return jsonHubProtocol;
  if (normalized === 'messagepack') return messagePackHubProtocol;
  // ASP.NET Core's wording, so a client sees the same handshake error from the emulator.
  throw new ServerlessHubError('PROTOCOL_UNSUPPORTED', `The protocol '${name.slice(0, 100)}' is not supported.`);
}

/**
 * The protocol of an upstream request's `Content-Type` (`application/json` or
 * `application/x-msgpack`); media type parameters such as `; charset=utf-8` and letter case are
 * ignored.
 *
 * @throws {ServerlessHubError} `PROTOCOL_UNSUPPORTED` for any other media type.
 * @example
 * ```ts
 * hubProtocolByContentType('application/json; charset=utf-8'); // jsonHubProtocol
 * ```
 */
export function hubProtocolByContentType(contentType: string): HubProtocol {
  const separator = contentType.indexOf(';');
  const mediaType = (separator === -1 ? contentType : contentType.slice(0, separator)).trim().toLowerCase();
  if (mediaType === 'application/json') return jsonHubProtocol;
  if (mediaType === 'application/x-msgpack') return messagePackHubProtocol;
  throw new ServerlessHubError(
    'PROTOCOL_UNSUPPORTED',
    `The content type '${mediaType.slice(0, 100)}' is not a hub protocol; expected 'application/json' or 'application/x-msgpack'.`,
  );
}
