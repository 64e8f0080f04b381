import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { hubProtocolByName } from './hub-protocol.js';
import type { HubProtocol } from './hub-protocol.js';
import { asInvalidMessage, invalidMessage } from './invalid-message.js';
import { isPlainObject } from './message-fields.js';
import { RECORD_SEPARATOR, RECORD_SEPARATOR_CODE } from './record-separator.js';

/**
 * The first message of a connection, client → server, always JSON text followed by `0x1E`, whatever
 * the hub protocol.
 *
 * @example
 * ```ts
 * socket.send(writeHandshakeRequest({ protocol: 'messagepack', version: 1 }));
 * ```
 */
export interface HandshakeRequest {
  readonly protocol: string;
  readonly version: number;
}

/**
 * The server's answer to a {@link HandshakeRequest}: `{}` on success, `{"error": "…"}` on failure
 * (the server closes the connection after it).
 *
 * @example
 * ```ts
 * socket.send(writeHandshakeResponse("The protocol 'xml' is not supported."));
 * ```
 */
export interface HandshakeResponse {
  readonly error?: string;
}

/**
 * A handshake message parsed from the start of a connection's data, and the bytes that followed it
 * in the same input (the first hub messages, possibly empty), to be fed to the hub protocol reader.
 *
 * @example
 * ```ts
 * const parsed = parseHandshakeRequest(buffered);     // undefined until the record separator arrives
 * if (parsed !== undefined) messages = reader.push(parsed.remaining);
 * ```
 */
export interface HandshakeParseResult<T> {
  readonly message: T;
  readonly remaining: Uint8Array;
}

/**
 * Largest handshake message accepted, in bytes: a handshake is a few dozen bytes, so anything
 * longer without a record separator is not a handshake.
 *
 * @example
 * ```ts
 * if (buffered.length > MAX_HANDSHAKE_SIZE) socket.close();
 * ```
 */
export const MAX_HANDSHAKE_SIZE = 4096;

/**
 * Handshake versions {@link selectHubProtocol} accepts. Version 2 adds the stateful-reconnect
 * messages (Ack, Sequence) to the same encoding, and current `@microsoft/signalr` clients ask for
 * it; those messages are only exchanged when stateful reconnect was negotiated, so both versions
 * read and write identically here.
 *
 * @example
 * ```ts
 * SUPPORTED_HANDSHAKE_VERSIONS.includes(request.version);
 * ```
 */
export const SUPPORTED_HANDSHAKE_VERSIONS: readonly number[] = [1, 2];

const textEncoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const successResponse = textEncoder.encode(`{}${RECORD_SEPARATOR}`);
const emptyBytes = new Uint8Array(0);

/**
 * Finds the first record and decodes it as a JSON object; `undefined` when the separator has not
 * arrived yet.
 */
function readHandshakeRecord(
  input: Uint8Array | string,
  what: string,
): { value: Record<string, unknown>; remaining: Uint8Array } | undefined {
  let text: string;
  let remaining: Uint8Array;
  if (typeof input === 'string') {
    const end = input.indexOf(RECORD_SEPARATOR);
    if (end === -1) {
      if (input.length > MAX_HANDSHAKE_SIZE)
        throw invalidMessage(
          `The ${what} is longer than ${MAX_HANDSHAKE_SIZE} bytes or does not end with a record separator (0x1E).`,
        );
      return undefined;
    }
    if (end > MAX_HANDSHAKE_SIZE) throw invalidMessage(`The ${what} is longer than ${MAX_HANDSHAKE_SIZE} bytes.`);
    text = input.slice(0, end);
    remaining = end + 1 < input.length ? textEncoder.encode(input.slice(end + 1)) : emptyBytes;
  } else {
    const end = input.indexOf(RECORD_SEPARATOR_CODE);
    if (end === -1) {
      if (input.length > MAX_HANDSHAKE_SIZE)
        throw invalidMessage(
          `The ${what} is longer than ${MAX_HANDSHAKE_SIZE} bytes or does not end with a record separator (0x1E).`,
        );
      return undefined;
    }
    if (end > MAX_HANDSHAKE_SIZE) throw invalidMessage(`The ${what} is longer than ${MAX_HANDSHAKE_SIZE} bytes.`);
    try {
      text = utf8Decoder.decode(input.subarray(0, end));
    } catch (error) {
      throw invalidMessage(`The ${what} is not valid UTF-8.`, error);
    }
    // A copy (Buffer#slice would return a view), so the caller may reuse its buffer.
    remaining = end + 1 < input.length ? new Uint8Array(input.subarray(end + 1)) : emptyBytes;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw asInvalidMessage(error, `The ${what} is not valid JSON`);
  }
  if (!isPlainObject(value)) throw invalidMessage(`The ${what} must be a JSON object.`);
  return { value, remaining };
}

/**
 * Server side: reads the handshake request at the start of a connection's data. Returns `undefined`
 * while the record separator has not arrived (keep the bytes, append the next chunk, call again);
 * otherwise the request and whatever followed it. Does not check that the protocol is supported:
 * that is {@link selectHubProtocol}.
 *
 * @throws {ServerlessHubError} `PROTOCOL_INVALID_MESSAGE` when the input is not a handshake request
 * (bad JSON, missing or mistyped `protocol` / `version`, over {@link MAX_HANDSHAKE_SIZE} bytes).
 * @example
 * ```ts
 * const parsed = parseHandshakeRequest(buffered);
 * if (parsed !== undefined) {
 *   const protocol = selectHubProtocol(parsed.message);
 *   socket.send(writeHandshakeResponse());
 *   const reader = protocol.createReader();
 *   for (const message of reader.push(parsed.remaining)) handle(message);
 * }
 * ```
 */
export function parseHandshakeRequest(input: Uint8Array | string): HandshakeParseResult<HandshakeRequest> | undefined {
  const record = readHandshakeRecord(input, 'handshake request');
  if (record === undefined) return undefined;
  const { protocol, version } = record.value;
  if (protocol === undefined) throw invalidMessage("The handshake request must have a 'protocol'.");
  if (typeof protocol !== 'string') throw invalidMessage("The 'protocol' of the handshake request must be a string.");
  if (version === undefined) throw invalidMessage("The handshake request must have a 'version'.");
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) {
    throw invalidMessage("The 'version' of the handshake request must be an integer.");
  }
  return { message: { protocol, version }, remaining: record.remaining };
}

/**
 * Server side: the hub protocol a handshake request asks for. Names are matched case-insensitively,
 * as ASP.NET Core does; versions in {@link SUPPORTED_HANDSHAKE_VERSIONS} are accepted. The error
 * messages are those of ASP.NET Core, meant to be sent back with {@link writeHandshakeResponse}.
 *
 * @throws {ServerlessHubError} `PROTOCOL_UNSUPPORTED` for an unknown protocol or version.
 * @example
 * ```ts
 * try {
 *   protocol = selectHubProtocol(parsed.message);
 * } catch (error) {
 *   if (ServerlessHubError.is(error)) socket.send(writeHandshakeResponse(error.message));
 *   socket.close();
 * }
 * ```
 */
export function selectHubProtocol(request: HandshakeRequest): HubProtocol {
  const protocol = hubProtocolByName(request.protocol);
  if (!SUPPORTED_HANDSHAKE_VERSIONS.includes(request.version)) {
    throw new ServerlessHubError(
      'PROTOCOL_UNSUPPORTED',
      `The server does not support version ${request.version} of the '${request.protocol}' protocol.`,
    );
  }
  return protocol;
}

/**
 * Server side: the framed handshake response, `{}` + `0x1E` on success, `{"error":"…"}` + `0x1E` on
 * failure.
 *
 * @example
 * ```ts
 * socket.send(writeHandshakeResponse()); // accepted
 * socket.send(writeHandshakeResponse("The protocol 'xml' is not supported.")); // refused
 * ```
 */
export function writeHandshakeResponse(error?: string): Uint8Array {
  if (error === undefined) return successResponse.slice();
  return textEncoder.encode(`${JSON.stringify({ error })}${RECORD_SEPARATOR}`);
}

/**
 * Client side: the framed handshake request.
 *
 * @example
 * ```ts
 * socket.send(writeHandshakeRequest({ protocol: 'json', version: 1 })); // '{"protocol":"json","version":1}\x1e'
 * ```
 */
export function writeHandshakeRequest(request: HandshakeRequest): Uint8Array {
  return textEncoder.encode(
    `${JSON.stringify({ protocol: request.protocol, version: request.version })}${RECORD_SEPARATOR}`,
  );
}

/**
 * Client side: reads the server's handshake response at the start of the received data. Returns
 * `undefined` while the record separator has not arrived; otherwise the response and the hub
 * messages that followed it in the same input. A response carrying an `error` is returned, not
 * thrown: the caller decides how to report it.
 *
 * @throws {ServerlessHubError} `PROTOCOL_INVALID_MESSAGE` when the input is not a handshake response
 * (bad JSON, a hub message with a `type`, a non-string `error`).
 * @example
 * ```ts
 * const parsed = parseHandshakeResponse(received);
 * if (parsed?.message.error !== undefined) throw new Error(parsed.message.error);
 * ```
 */
export function parseHandshakeResponse(
  input: Uint8Array | string,
): HandshakeParseResult<HandshakeResponse> | undefined {
  const record = readHandshakeRecord(input, 'handshake response');
  if (record === undefined) return undefined;
  const { error, type } = record.value;
  if (type !== undefined) throw invalidMessage('Expected a handshake response from the server, got a hub message.');
  if (error === undefined || error === null) return { message: {}, remaining: record.remaining };
  if (typeof error !== 'string') throw invalidMessage("The 'error' of the handshake response must be a string.");
  return { message: { error }, remaining: record.remaining };
}
