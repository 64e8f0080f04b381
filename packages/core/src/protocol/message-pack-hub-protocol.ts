import { Decoder, Encoder } from '@msgpack/msgpack';
import { MessageType } from './hub-message.js';
import type { HubMessage, InvocationMessage, MessageHeaders, StreamInvocationMessage } from './hub-message.js';
import type { HubMessageReader, HubMessageReaderOptions, HubProtocol } from './hub-protocol.js';
import { PendingBytes, messageTooLarge, resolveMaxMessageSize } from './framed-reader.js';
import { asInvalidMessage, invalidMessage, unknownMessageType } from './invalid-message.js';
import {
  assertMessageDepth,
  messageTypeNames,
  readArguments,
  readMessageType,
  readOptionalBoolean,
  readOptionalError,
  readOptionalInvocationId,
  readRequiredString,
  readSequenceId,
  readOptionalHeaders,
  readOptionalStreamIds,
} from './message-fields.js';
import { notAnInvocation } from './not-an-invocation.js';
import { lengthPrefixSize, readLengthPrefix, writeLengthPrefix } from './varint.js';

const ERROR_RESULT = 1;
const VOID_RESULT = 2;
const NON_VOID_RESULT = 3;

// Encoders and decoders keep their buffers between calls (and clone themselves if re-entered), so
// one of each serves every message. The default encoder writes numbers exactly as the official
// client does (it uses the same library with default options): integers beyond 32 bits as
// int64/uint64, other numbers as float64. It cannot write bigints; a message containing one goes
// through the bigint encoder, which writes bigints as int64/uint64 but numbers beyond 32 bits as
// float64, which is why it is not the default. The decoder decodes as the official client does:
// int64/uint64 become numbers (beyond 2^53 they lose precision), bin becomes a Uint8Array, the
// timestamp extension becomes a Date.
interface Codecs {
  readonly encoder: Encoder;
  readonly bigIntEncoder: Encoder;
  readonly decoder: Decoder;
}
let codecs: Codecs | undefined;

// The codecs are made with the first MessagePack message: JSON-only apps never pay for their buffers. The
// library itself is part of the package's build (scripts/bundle-dist.mjs inlines it), a statically imported
// module that any bundler of an app follows, and one file to load rather than its many modules.
function messagePack(): Codecs {
  codecs ??= { encoder: new Encoder(), bigIntEncoder: new Encoder({ useBigInt64: true }), decoder: new Decoder() };
  return codecs;
}

function containsBigInt(value: unknown, depth: number): boolean {
  if (typeof value === 'bigint') return true;
  if (typeof value !== 'object' || value === null || depth > 100 || ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) return value.some((item) => containsBigInt(item, depth + 1));
  return Object.values(value).some((item) => containsBigInt(item, depth + 1));
}

function encodeFramed(payload: unknown[]): Uint8Array {
  let body: Uint8Array;
  try {
    body = messagePack().encoder.encodeSharedRef(payload);
  } catch (error) {
    if (!containsBigInt(payload, 0)) throw asInvalidMessage(error, 'The message cannot be written as MessagePack');
    try {
      body = messagePack().bigIntEncoder.encodeSharedRef(payload);
    } catch (bigIntError) {
      throw asInvalidMessage(bigIntError, 'The message cannot be written as MessagePack');
    }
  }
  const prefixSize = lengthPrefixSize(body.length);
  const framed = new Uint8Array(prefixSize + body.length);
  writeLengthPrefix(body.length, framed, 0);
  framed.set(body, prefixSize);
  return framed;
}

function headersOrEmpty(headers: MessageHeaders | undefined): MessageHeaders {
  return headers ?? {};
}

function toPayload(message: HubMessage): unknown[] {
  switch (message.type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      const invocationId =
        message.type === MessageType.Invocation ? (message.invocationId ?? null) : message.invocationId;
      const payload: unknown[] = [
        message.type,
        headersOrEmpty(message.headers),
        invocationId,
        message.target,
        message.arguments,
      ];
      if (message.streamIds !== undefined) payload.push(message.streamIds);
      return payload;
    }
    case MessageType.StreamItem:
      return [MessageType.StreamItem, headersOrEmpty(message.headers), message.invocationId, message.item];
    case MessageType.Completion: {
      const start = [MessageType.Completion, headersOrEmpty(message.headers), message.invocationId];
      if (message.error !== undefined) {
        if (message.result !== undefined)
          throw invalidMessage('A Completion message cannot carry both a result and an error.');
        return [...start, ERROR_RESULT, message.error];
      }
      return message.result === undefined ? [...start, VOID_RESULT] : [...start, NON_VOID_RESULT, message.result];
    }
    case MessageType.CancelInvocation:
      return [MessageType.CancelInvocation, headersOrEmpty(message.headers), message.invocationId];
    case MessageType.Ping:
      return [MessageType.Ping];
    case MessageType.Close:
      return message.allowReconnect === undefined
        ? [MessageType.Close, message.error ?? null]
        : [MessageType.Close, message.error ?? null, message.allowReconnect];
    case MessageType.Ack:
    case MessageType.Sequence:
      return [message.type, message.sequenceId];
    default:
      throw invalidMessage(
        `Cannot write a hub message of unknown type ${String((message as { type: unknown }).type)}.`,
      );
  }
}

function requireLength(fields: readonly unknown[], minimum: number, name: string): void {
  if (fields.length < minimum) {
    throw invalidMessage(`A MessagePack ${name} message must have at least ${minimum} elements, got ${fields.length}.`);
  }
}

// Headers are always written, as an empty map when there are none; nil is tolerated.
const optionalHeaders = readOptionalHeaders;

/** A hub message from a decoded MessagePack array; `undefined` for a message type this codec does not know. */
function toHubMessage(value: unknown): HubMessage | undefined {
  if (!Array.isArray(value) || value.length === 0)
    throw invalidMessage('A MessagePack hub message must be a non-empty array.');
  const fields = value as unknown[];
  const type = readMessageType(fields[0]);
  const name = messageTypeNames[type];
  if (name === undefined) return undefined;
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      requireLength(fields, 5, name);
      const headers = optionalHeaders(fields[1], name);
      const invocationId =
        type === MessageType.Invocation
          ? readOptionalInvocationId(fields[2], name)
          : readRequiredString(fields[2], 'invocationId', name);
      const message: {
        type: typeof type;
        target: string;
        arguments: unknown[];
        invocationId?: string;
        headers?: MessageHeaders;
        streamIds?: string[];
      } = { type, target: readRequiredString(fields[3], 'target', name), arguments: readArguments(fields[4], name) };
      if (headers !== undefined) message.headers = headers;
      if (invocationId !== undefined) message.invocationId = invocationId;
      const streamIds = readOptionalStreamIds(fields[5], name);
      if (streamIds !== undefined) message.streamIds = streamIds;
      return message as HubMessage;
    }
    case MessageType.StreamItem: {
      requireLength(fields, 4, name);
      const headers = optionalHeaders(fields[1], name);
      const invocationId = readRequiredString(fields[2], 'invocationId', name);
      return headers === undefined
        ? { type: MessageType.StreamItem, invocationId, item: fields[3] }
        : { type: MessageType.StreamItem, headers, invocationId, item: fields[3] };
    }
    case MessageType.Completion: {
      requireLength(fields, 4, name);
      const headers = optionalHeaders(fields[1], name);
      const message: { type: 3; invocationId: string; headers?: MessageHeaders; result?: unknown; error?: string } = {
        type: MessageType.Completion,
        invocationId: readRequiredString(fields[2], 'invocationId', name),
      };
      if (headers !== undefined) message.headers = headers;
      const resultKind = fields[3];
      if (resultKind === ERROR_RESULT) {
        requireLength(fields, 5, name);
        const error = readOptionalError(fields[4], name);
        if (error === undefined)
          throw invalidMessage('The error of a Completion message with result kind 1 (error) must be a string.');
        message.error = error;
      } else if (resultKind === NON_VOID_RESULT) {
        requireLength(fields, 5, name);
        message.result = fields[4];
      } else if (resultKind !== VOID_RESULT) {
        throw invalidMessage(
          `The result kind of a Completion message must be 1 (error), 2 (void) or 3 (result), got ${String(resultKind)}.`,
        );
      }
      return message;
    }
    case MessageType.CancelInvocation: {
      requireLength(fields, 3, name);
      const headers = optionalHeaders(fields[1], name);
      const invocationId = readRequiredString(fields[2], 'invocationId', name);
      return headers === undefined
        ? { type: MessageType.CancelInvocation, invocationId }
        : { type: MessageType.CancelInvocation, headers, invocationId };
    }
    case MessageType.Ping:
      return { type: MessageType.Ping };
    case MessageType.Close: {
      requireLength(fields, 2, name);
      const message: { type: 7; error?: string; allowReconnect?: boolean } = { type: MessageType.Close };
      const error = readOptionalError(fields[1], name);
      const allowReconnect = fields.length > 2 ? readOptionalBoolean(fields[2], 'allowReconnect', name) : undefined;
      // ASP.NET Core writes a missing error as nil and the JS client as nil too; an empty string means none.
      if (error !== undefined && error !== '') message.error = error;
      if (allowReconnect !== undefined) message.allowReconnect = allowReconnect;
      return message;
    }
    case MessageType.Ack:
      requireLength(fields, 2, name);
      return { type: MessageType.Ack, sequenceId: readSequenceId(fields[1], name) };
    default:
      requireLength(fields, 2, name);
      return { type: MessageType.Sequence, sequenceId: readSequenceId(fields[1], name) };
  }
}

function decodeMessage(bytes: Uint8Array): HubMessage | undefined {
  if (bytes.length === 0) throw invalidMessage('A MessagePack hub message is empty.');
  let value: unknown;
  try {
    value = messagePack().decoder.decode(bytes);
  } catch (error) {
    throw asInvalidMessage(error, 'A hub message is not valid MessagePack');
  }
  assertMessageDepth(value);
  return toHubMessage(value);
}

class MessagePackHubMessageReader implements HubMessageReader {
  private readonly pending = new PendingBytes();
  /** Bytes (prefix included) of the message at the start of `pending`, once its prefix is complete. */
  private expected: number | undefined;

  constructor(
    private readonly maxMessageSize: number,
    private readonly rejectUnknownTypes: boolean,
  ) {}

  get pendingSize(): number {
    return this.pending.size;
  }

  push(chunk: Uint8Array | string): HubMessage[] {
    if (typeof chunk === 'string') {
      throw invalidMessage(
        'The MessagePack hub protocol reads binary data; a text chunk cannot be part of its stream.',
      );
    }
    let buffer = chunk;
    if (this.pending.size > 0) {
      if (this.expected !== undefined && this.pending.size + chunk.length < this.expected) {
        this.pending.append(chunk);
        return [];
      }
      buffer = this.pending.takeAll(chunk);
      this.expected = undefined;
    }
    const messages: HubMessage[] = [];
    let offset = 0;
    while (offset < buffer.length) {
      const prefix = readLengthPrefix(buffer, offset);
      if (prefix === undefined) break;
      if (prefix.length > this.maxMessageSize) throw messageTooLarge(prefix.length, this.maxMessageSize, 'bytes');
      const start = offset + prefix.prefixLength;
      const end = start + prefix.length;
      if (end > buffer.length) {
        this.expected = end - offset;
        break;
      }
      const message = decodeMessage(buffer.subarray(start, end));
      if (message !== undefined) messages.push(message);
      else if (this.rejectUnknownTypes) throw unknownMessageType();
      offset = end;
    }
    if (offset < buffer.length) this.pending.append(buffer.subarray(offset));
    return messages;
  }
}

/**
 * Creates the MessagePack hub protocol codec. The shared {@link messagePackHubProtocol} is what you
 * normally want; the codec holds no per-connection state and takes no options.
 *
 * Values map as in the official JavaScript client (both use `@msgpack/msgpack` defaults):
 * - bin ↔ `Uint8Array` (any ArrayBuffer view is written as bin); decoded binaries are views into the
 *   input bytes, so do not reuse an input buffer while its messages are in use;
 * - integers: numbers beyond 32 bits are written as int64/uint64; int64/uint64 are read as numbers,
 *   losing precision beyond 2^53 exactly as the official client does; `bigint` values are written as
 *   int64/uint64;
 * - the timestamp extension ↔ `Date`; maps ↔ plain objects (string or number keys; `__proto__` is
 *   rejected); strings that are not valid UTF-8 are decoded with U+FFFD replacement characters, as
 *   the .NET MessagePack reader does.
 *
 * @example
 * ```ts
 * const protocol = createMessagePackHubProtocol();
 * protocol.writeMessage({ type: MessageType.Ping }); // Uint8Array [0x02, 0x91, 0x06]
 * ```
 */
export function createMessagePackHubProtocol(): HubProtocol {
  return {
    name: 'messagepack',
    version: 1,
    transferFormat: 'Binary',
    contentType: 'application/x-msgpack',
    writeMessage(message: HubMessage): Uint8Array {
      return encodeFramed(toPayload(message));
    },
    parseMessages(input: Uint8Array | string): HubMessage[] {
      if (typeof input === 'string') throw invalidMessage('The MessagePack hub protocol reads binary data, not text.');
      const messages: HubMessage[] = [];
      let offset = 0;
      while (offset < input.length) {
        const prefix = readLengthPrefix(input, offset);
        if (prefix === undefined)
          throw invalidMessage('The MessagePack input ends inside a length prefix: its last message is incomplete.');
        const start = offset + prefix.prefixLength;
        const end = start + prefix.length;
        if (end > input.length) {
          throw invalidMessage(
            `The MessagePack input ends ${end - input.length} bytes before the end of its last message: the message is incomplete.`,
          );
        }
        const message = decodeMessage(input.subarray(start, end));
        if (message !== undefined) messages.push(message);
        offset = end;
      }
      return messages;
    },
    createReader(options?: HubMessageReaderOptions): HubMessageReader {
      return new MessagePackHubMessageReader(
        resolveMaxMessageSize(options?.maxMessageSize),
        options?.unknownMessageTypes === 'reject',
      );
    },
    parseUnframedInvocation(body: Uint8Array): InvocationMessage | StreamInvocationMessage {
      if (body.length === 0)
        throw invalidMessage('The message body is empty; expected a MessagePack Invocation message.');
      const message = decodeMessage(body);
      if (message?.type !== MessageType.Invocation && message?.type !== MessageType.StreamInvocation)
        throw notAnInvocation(message);
      return message;
    },
  };
}

/**
 * The MessagePack hub protocol (`messagepack`, `application/x-msgpack`): each message is a
 * MessagePack array preceded by its length as a varint. See {@link createMessagePackHubProtocol}
 * for how values are mapped.
 *
 * @example
 * ```ts
 * const bytes = messagePackHubProtocol.writeMessage({ type: MessageType.Completion, invocationId: '0', result: new Uint8Array([1, 2]) });
 * const [message] = messagePackHubProtocol.parseMessages(bytes);
 * ```
 */
export const messagePackHubProtocol: HubProtocol = createMessagePackHubProtocol();
