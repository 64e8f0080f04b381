import { randomUUID } from 'node:crypto';
import { MessageType } from './hub-message.js';
import type { HubMessage, InvocationMessage, MessageHeaders, StreamInvocationMessage } from './hub-message.js';
import type { HubMessageReader, HubMessageReaderOptions, HubProtocol } from './hub-protocol.js';
import { PendingBytes, messageTooLarge, resolveMaxMessageSize } from './framed-reader.js';
import { asInvalidMessage, invalidMessage, unknownMessageType } from './invalid-message.js';
import {
  assertMessageDepth,
  isPlainObject,
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
import { RECORD_SEPARATOR, RECORD_SEPARATOR_CODE } from './record-separator.js';

const textEncoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, as for ASP.NET Core's JSON reader, instead of silent U+FFFD.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (error) {
    throw invalidMessage('The JSON hub message is not valid UTF-8.', error);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

// JSON has no binary or 64-bit integer type. Binary values (any ArrayBuffer or view, Node Buffers
// included) become base64 strings, as ASP.NET Core writes byte[]; bigints become JSON numbers with
// every digit kept. A bigint outside the safe range cannot pass through JSON.stringify as a number,
// so it is written as a marked string and the marks are removed from the text afterwards.
const bigIntMark = `bigint:${randomUUID()}:`;
const bigIntMarkPattern = new RegExp(`"${bigIntMark}(-?\\d+)"`, 'g');
// Set by the replacer during a JSON.stringify call: whether the text has marks to remove.
const bigIntMarks = { found: false };

function toBase64(value: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    value instanceof ArrayBuffer ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return bytes.toString('base64');
}

function replaceSpecialValues(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'object') {
    if (value === null) return value;
    // `value` has been through toJSON already (a Buffer arrives as {type, data}); the holder has the original.
    const original = (this as Record<string, unknown>)[key];
    if (ArrayBuffer.isView(original) || original instanceof ArrayBuffer) return toBase64(original);
    return value;
  }
  if (typeof value === 'bigint') {
    if (value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER) return Number(value);
    bigIntMarks.found = true;
    return `${bigIntMark}${value.toString()}`;
  }
  return value;
}

// JSON.stringify returns undefined for a function, a symbol or undefined, whatever its declared type says.
const stringifyJson = JSON.stringify as (value: unknown, replacer: typeof replaceSpecialValues) => string | undefined;

function takeBigIntMarks(): boolean {
  const found = bigIntMarks.found;
  bigIntMarks.found = false;
  return found;
}

function stringifyValue(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = stringifyJson(value, replaceSpecialValues);
  } catch (error) {
    takeBigIntMarks();
    throw asInvalidMessage(error, `The ${what} cannot be written as JSON`);
  }
  if (text === undefined)
    throw invalidMessage(`The ${what} cannot be written as JSON: a ${typeof value} has no JSON form.`);
  return takeBigIntMarks() ? text.replace(bigIntMarkPattern, '$1') : text;
}

function headersField(headers: MessageHeaders | undefined): string {
  if (headers === undefined) return '';
  for (const _ in headers) return `,"headers":${stringifyValue(headers, 'headers')}`;
  return '';
}

function invocationIdField(invocationId: string | undefined): string {
  return invocationId === undefined ? '' : `,"invocationId":${JSON.stringify(invocationId)}`;
}

function streamIdsField(streamIds: readonly string[] | undefined): string {
  return streamIds === undefined || streamIds.length === 0 ? '' : `,"streamIds":${JSON.stringify(streamIds)}`;
}

function writeJson(message: HubMessage): string {
  switch (message.type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation:
      return (
        `{"type":${message.type}${headersField(message.headers)}${invocationIdField(message.invocationId)}` +
        `,"target":${JSON.stringify(message.target)},"arguments":${stringifyValue(message.arguments, 'arguments')}` +
        `${streamIdsField(message.streamIds)}}`
      );
    case MessageType.StreamItem:
      return `{"type":2${headersField(message.headers)},"invocationId":${JSON.stringify(message.invocationId)},"item":${stringifyValue(message.item ?? null, 'stream item')}}`;
    case MessageType.Completion: {
      const start = `{"type":3${headersField(message.headers)},"invocationId":${JSON.stringify(message.invocationId)}`;
      if (message.error !== undefined) {
        if (message.result !== undefined)
          throw invalidMessage('A Completion message cannot carry both a result and an error.');
        return `${start},"error":${JSON.stringify(message.error)}}`;
      }
      if (message.result !== undefined) return `${start},"result":${stringifyValue(message.result, 'result')}}`;
      return `${start}}`;
    }
    case MessageType.CancelInvocation:
      return `{"type":5${headersField(message.headers)},"invocationId":${JSON.stringify(message.invocationId)}}`;
    case MessageType.Ping:
      return '{"type":6}';
    case MessageType.Close: {
      const error = message.error === undefined ? '' : `,"error":${JSON.stringify(message.error)}`;
      const allowReconnect =
        message.allowReconnect === undefined ? '' : `,"allowReconnect":${String(message.allowReconnect)}`;
      return `{"type":7${error}${allowReconnect}}`;
    }
    case MessageType.Ack:
    case MessageType.Sequence:
      return `{"type":${message.type},"sequenceId":${String(message.sequenceId)}}`;
    default:
      throw invalidMessage(
        `Cannot write a hub message of unknown type ${String((message as { type: unknown }).type)}.`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A hub message from a parsed JSON object; `undefined` for a message type this codec does not know. */
function toHubMessage(value: unknown): HubMessage | undefined {
  if (!isPlainObject(value)) throw invalidMessage('A JSON hub message must be a JSON object.');
  const type = readMessageType(value.type);
  const name = messageTypeNames[type];
  if (name === undefined) return undefined;
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      const invocationId =
        type === MessageType.Invocation
          ? readOptionalInvocationId(value.invocationId, name)
          : readRequiredString(value.invocationId, 'invocationId', name);
      const message: {
        type: typeof type;
        target: string;
        arguments: unknown[];
        invocationId?: string;
        headers?: MessageHeaders;
        streamIds?: string[];
      } = {
        type,
        target: readRequiredString(value.target, 'target', name),
        arguments: readArguments(value.arguments, name),
      };
      if (invocationId !== undefined) message.invocationId = invocationId;
      const headers = readOptionalHeaders(value.headers, name);
      const streamIds = readOptionalStreamIds(value.streamIds, name);
      if (headers !== undefined) message.headers = headers;
      if (streamIds !== undefined) message.streamIds = streamIds;
      return message as HubMessage;
    }
    case MessageType.StreamItem: {
      const invocationId = readRequiredString(value.invocationId, 'invocationId', name);
      if (!('item' in value)) throw invalidMessage("A StreamItem message must have 'item'.");
      const headers = readOptionalHeaders(value.headers, name);
      return headers === undefined
        ? { type: MessageType.StreamItem, invocationId, item: value.item }
        : { type: MessageType.StreamItem, headers, invocationId, item: value.item };
    }
    case MessageType.Completion: {
      const invocationId = readRequiredString(value.invocationId, 'invocationId', name);
      const error = readOptionalError(value.error, name);
      const hasResult = 'result' in value;
      if (error !== undefined && hasResult)
        throw invalidMessage("A Completion message cannot have both 'result' and 'error'.");
      const message: { type: 3; invocationId: string; headers?: MessageHeaders; result?: unknown; error?: string } = {
        type: MessageType.Completion,
        invocationId,
      };
      const headers = readOptionalHeaders(value.headers, name);
      if (headers !== undefined) message.headers = headers;
      if (error !== undefined) message.error = error;
      else if (hasResult) message.result = value.result;
      return message;
    }
    case MessageType.CancelInvocation: {
      const invocationId = readRequiredString(value.invocationId, 'invocationId', name);
      const headers = readOptionalHeaders(value.headers, name);
      return headers === undefined
        ? { type: MessageType.CancelInvocation, invocationId }
        : { type: MessageType.CancelInvocation, headers, invocationId };
    }
    case MessageType.Ping:
      return { type: MessageType.Ping };
    case MessageType.Close: {
      const message: { type: 7; error?: string; allowReconnect?: boolean } = { type: MessageType.Close };
      const error = readOptionalError(value.error, name);
      const allowReconnect = readOptionalBoolean(value.allowReconnect, 'allowReconnect', name);
      if (error !== undefined) message.error = error;
      if (allowReconnect !== undefined) message.allowReconnect = allowReconnect;
      return message;
    }
    case MessageType.Ack:
      return { type: MessageType.Ack, sequenceId: readSequenceId(value.sequenceId, name) };
    default:
      return { type: MessageType.Sequence, sequenceId: readSequenceId(value.sequenceId, name) };
  }
}

function parseJsonMessage(text: string): HubMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw asInvalidMessage(error, 'A hub message is not valid JSON');
  }
  assertMessageDepth(value);
  return toHubMessage(value);
}

function parseRecords(text: string, messages: HubMessage[]): void {
  let start = 0;
  let end = text.indexOf(RECORD_SEPARATOR);
  while (end !== -1) {
    const message = parseJsonMessage(text.slice(start, end));
    if (message !== undefined) messages.push(message);
    start = end + 1;
    end = text.indexOf(RECORD_SEPARATOR, start);
  }
}

class JsonHubMessageReader implements HubMessageReader {
  private pendingText = '';
  private readonly pendingBytes = new PendingBytes();

  constructor(
    private readonly maxMessageSize: number,
    private readonly rejectUnknownTypes: boolean,
  ) {}

  get pendingSize(): number {
    return this.pendingText.length + this.pendingBytes.size;
  }

  push(chunk: Uint8Array | string): HubMessage[] {
    if (typeof chunk === 'string') {
      if (this.pendingBytes.size === 0) return this.pushText(chunk);
      return this.pushBytes(textEncoder.encode(chunk));
    }
    if (this.pendingText !== '') {
      this.pendingBytes.append(textEncoder.encode(this.pendingText));
      this.pendingText = '';
    }
    return this.pushBytes(chunk);
  }

  private pushText(chunk: string): HubMessage[] {
    const messages: HubMessage[] = [];
    let start = 0;
    let end = chunk.indexOf(RECORD_SEPARATOR);
    while (end !== -1) {
      let text = chunk.slice(start, end);
      if (this.pendingText !== '') {
        text = this.pendingText + text;
        this.pendingText = '';
      }
      if (text.length > this.maxMessageSize) throw messageTooLarge(text.length, this.maxMessageSize, 'characters');
      const message = parseJsonMessage(text);
      if (message !== undefined) messages.push(message);
      else if (this.rejectUnknownTypes) throw unknownMessageType();
      start = end + 1;
      end = chunk.indexOf(RECORD_SEPARATOR, start);
    }
    if (start < chunk.length) {
      this.pendingText += chunk.slice(start);
      if (this.pendingText.length > this.maxMessageSize)
        throw messageTooLarge(this.pendingText.length, this.maxMessageSize, 'characters');
    }
    return messages;
  }

  private pushBytes(chunk: Uint8Array): HubMessage[] {
    const messages: HubMessage[] = [];
    let start = 0;
    let end = chunk.indexOf(RECORD_SEPARATOR_CODE);
    while (end !== -1) {
      const bytes =
        this.pendingBytes.size === 0
          ? chunk.subarray(start, end)
          : this.pendingBytes.takeAll(chunk.subarray(start, end));
      if (bytes.length > this.maxMessageSize) throw messageTooLarge(bytes.length, this.maxMessageSize, 'bytes');
      const message = parseJsonMessage(decodeUtf8(bytes));
      if (message !== undefined) messages.push(message);
      else if (this.rejectUnknownTypes) throw unknownMessageType();
      start = end + 1;
      end = chunk.indexOf(RECORD_SEPARATOR_CODE, start);
    }
    if (start < chunk.length) {
      this.pendingBytes.append(chunk.subarray(start));
      if (this.pendingBytes.size > this.maxMessageSize)
        throw messageTooLarge(this.pendingBytes.size, this.maxMessageSize, 'bytes');
    }
    return messages;
  }
}

/**
 * Creates the JSON hub protocol codec. The shared {@link jsonHubProtocol} is what you normally
 * want; the codec holds no state and takes no options.
 *
 * Writing: binary values (Uint8Array, Buffer, any ArrayBuffer view) are written as base64 strings,
 * as ASP.NET Core writes `byte[]`; bigints are written as JSON numbers with every digit. Reading:
 * numbers become JavaScript numbers (integers beyond 2^53 lose precision, as with `JSON.parse` in
 * the official client); property names are case-sensitive; unknown properties are ignored.
 *
 * @example
 * ```ts
 * const protocol = createJsonHubProtocol();
 * protocol.writeMessage({ type: MessageType.Ping }); // bytes of '{"type":6}\x1e'
 * ```
 */
export function createJsonHubProtocol(): HubProtocol {
  return {
    name: 'json',
    version: 1,
    transferFormat: 'Text',
    contentType: 'application/json',
    writeMessage(message: HubMessage): Uint8Array {
      return textEncoder.encode(writeJson(message) + RECORD_SEPARATOR);
    },
    parseMessages(input: Uint8Array | string): HubMessage[] {
      const text = typeof input === 'string' ? input : decodeUtf8(input);
      if (text.length === 0) return [];
      if (text.charCodeAt(text.length - 1) !== RECORD_SEPARATOR_CODE) {
        throw invalidMessage(
          'The JSON input does not end with a record separator (0x1E): its last message is incomplete.',
        );
      }
      const messages: HubMessage[] = [];
      parseRecords(text, messages);
      return messages;
    },
    createReader(options?: HubMessageReaderOptions): HubMessageReader {
      return new JsonHubMessageReader(
        resolveMaxMessageSize(options?.maxMessageSize),
        options?.unknownMessageTypes === 'reject',
      );
    },
    parseUnframedInvocation(body: Uint8Array): InvocationMessage | StreamInvocationMessage {
      // The service sends no record separator; one left at the end by another sender is tolerated.
      const end = body.length > 0 && body[body.length - 1] === RECORD_SEPARATOR_CODE ? body.length - 1 : body.length;
      if (end === 0) throw invalidMessage('The message body is empty; expected a JSON Invocation message.');
      const message = parseJsonMessage(decodeUtf8(body.subarray(0, end)));
      if (message?.type !== MessageType.Invocation && message?.type !== MessageType.StreamInvocation)
        throw notAnInvocation(message);
      return message;
    },
  };
}

/**
 * The JSON hub protocol (`json`, `application/json`): one UTF-8 JSON object per message, each
 * followed by `0x1E`. See {@link createJsonHubProtocol} for how values are mapped.
 *
 * @example
 * ```ts
 * const bytes = jsonHubProtocol.writeMessage({ type: MessageType.Completion, invocationId: '0', result: 42 });
 * const [message] = jsonHubProtocol.parseMessages(bytes);
 * ```
 */
export const jsonHubProtocol: HubProtocol = createJsonHubProtocol();
