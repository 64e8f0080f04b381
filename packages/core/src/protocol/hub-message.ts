/**
 * The message types of the SignalR hub protocol, as numbers on the wire (`type` in JSON, the first
 * array element in MessagePack).
 *
 * @example
 * ```ts
 * if (message.type === MessageType.Invocation) console.log(message.target);
 * ```
 */
export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
  Ack: 8,
  Sequence: 9,
} as const;

/**
 * One of the {@link MessageType} values.
 *
 * @example
 * ```ts
 * for (const message of reader.push(chunk)) if (message.type === MessageType.Ping) continue;
 * ```
 */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/**
 * Headers attached to a hub message: string keys, string values.
 *
 * @example
 * ```ts
 * jsonHubProtocol.writeMessage({ type: MessageType.Invocation, target: 'broadcast', arguments: ['hi'], headers: { 'x-trace': 'abc' } });
 * ```
 */
export type MessageHeaders = Readonly<Record<string, string>>;

/**
 * A call of a hub method (client → server) or of a client method (server → client). Without
 * `invocationId` it is fire-and-forget (`send`); with one the caller waits for a
 * {@link CompletionMessage} carrying the same id (`invoke`).
 *
 * @example
 * ```ts
 * const frame = jsonHubProtocol.writeMessage({ type: MessageType.Invocation, invocationId: '0', target: 'broadcast', arguments: ['hi'] });
 * ```
 */
export interface InvocationMessage {
  readonly type: typeof MessageType.Invocation;
  readonly headers?: MessageHeaders;
  readonly invocationId?: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
  /** Ids of client-to-server streams passed as arguments. */
  readonly streamIds?: readonly string[];
}

/**
 * One item of a stream: a server-to-client stream result, or an item of a client-to-server stream
 * argument.
 *
 * @example
 * ```ts
 * const frame = jsonHubProtocol.writeMessage({ type: MessageType.StreamItem, invocationId: '1', item: 42 });
 * ```
 */
export interface StreamItemMessage {
  readonly type: typeof MessageType.StreamItem;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly item: unknown;
}

/**
 * The end of an invocation or stream. Exactly one of three outcomes:
 * - **error**: `error` is a string (then `result` must be `undefined`);
 * - **result**: `result` is anything but `undefined`, including `null`;
 * - **void**: neither `error` nor a defined `result` (JSON omits both; MessagePack writes result kind 2).
 *
 * The upstream dispatcher writes `result: null` for a handler that returns nothing, as the C# Functions
 * extension does; a void completion is what the service itself sends for an empty upstream answer.
 *
 * @example
 * ```ts
 * jsonHubProtocol.writeMessage({ type: MessageType.Completion, invocationId: '0', result: { sum: 3 } });  // a result
 * jsonHubProtocol.writeMessage({ type: MessageType.Completion, invocationId: '0' });                         // done, no result
 * jsonHubProtocol.writeMessage({ type: MessageType.Completion, invocationId: '0', error: 'Not allowed.' });  // failed
 * ```
 */
export interface CompletionMessage {
  readonly type: typeof MessageType.Completion;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly result?: unknown;
  readonly error?: string;
}

/**
 * A call of a hub method whose result is a stream of {@link StreamItemMessage}s ended by a
 * {@link CompletionMessage}.
 *
 * @example
 * ```ts
 * const frame = jsonHubProtocol.writeMessage({ type: MessageType.StreamInvocation, invocationId: '2', target: 'counter', arguments: [10] });
 * ```
 */
export interface StreamInvocationMessage {
  readonly type: typeof MessageType.StreamInvocation;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly streamIds?: readonly string[];
}

/**
 * Asks the other side to stop a stream started by a {@link StreamInvocationMessage}.
 *
 * @example
 * ```ts
 * const frame = jsonHubProtocol.writeMessage({ type: MessageType.CancelInvocation, invocationId: '2' });
 * ```
 */
export interface CancelInvocationMessage {
  readonly type: typeof MessageType.CancelInvocation;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
}

/**
 * Keep-alive; carries nothing.
 *
 * @example
 * ```ts
 * const frame = jsonHubProtocol.writeMessage({ type: MessageType.Ping });
 * ```
 */
export interface PingMessage {
  readonly type: typeof MessageType.Ping;
}

/**
 * The sender closes the connection, with an error when it closes because of one.
 *
 * @example
 * ```ts
 * const frame = jsonHubProtocol.writeMessage({ type: MessageType.Close, error: 'Server shutting down.', allowReconnect: true });
 * ```
 */
export interface CloseMessage {
  readonly type: typeof MessageType.Close;
  readonly error?: string;
  /** Whether a client with automatic reconnect enabled should reconnect. */
  readonly allowReconnect?: boolean;
}

/**
 * Stateful reconnect: acknowledges every message up to and including `sequenceId`.
 *
 * @example
 * ```ts
 * const frame = jsonHubProtocol.writeMessage({ type: MessageType.Ack, sequenceId: 12 });
 * ```
 */
export interface AckMessage {
  readonly type: typeof MessageType.Ack;
  readonly sequenceId: number;
}

/**
 * Stateful reconnect: the sequence id of the next message after a reconnect.
 *
 * @example
 * ```ts
 * const frame = jsonHubProtocol.writeMessage({ type: MessageType.Sequence, sequenceId: 13 });
 * ```
 */
export interface SequenceMessage {
  readonly type: typeof MessageType.Sequence;
  readonly sequenceId: number;
}

/**
 * Every hub protocol message, discriminated by `type`.
 *
 * @example
 * ```ts
 * function describe(message: HubMessage): string {
 *   switch (message.type) {
 *     case MessageType.Invocation: return `call ${message.target}`;
 *     case MessageType.Completion: return `end of ${message.invocationId}`;
 *     default: return `type ${message.type}`;
 *   }
 * }
 * ```
 */
export type HubMessage =
  | InvocationMessage
  | StreamItemMessage
  | CompletionMessage
  | StreamInvocationMessage
  | CancelInvocationMessage
  | PingMessage
  | CloseMessage
  | AckMessage
  | SequenceMessage;
