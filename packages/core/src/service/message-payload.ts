import { errorMessage } from '../errors/describe-error.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { MessageType } from '../protocol/hub-message.js';
import type { InvocationMessage } from '../protocol/hub-message.js';
import { jsonHubProtocol } from '../protocol/json-hub-protocol.js';
import { messagePackHubProtocol } from '../protocol/message-pack-hub-protocol.js';
import { encodeProtocolPayloadMap } from '../protocol/protocol-payload-map.js';
import { assertTarget } from './rest-arguments.js';

/**
 * How the REST client writes the body of a send:
 * - `auto` (default): JSON `{"target","arguments"}`, unless an argument holds binary data (an
 *   `ArrayBuffer` or a view such as `Uint8Array` or `Buffer`) or a `bigint`, which JSON cannot carry;
 *   then the binary form;
 * - `binary`: always the binary form, as the Management SDK sends when the app configures hub protocols:
 *   a MessagePack map from protocol name to the message in that protocol, so each client receives what
 *   the app encoded (MessagePack clients get real `bin` values and 64-bit integers, JSON clients base64
 *   strings and exact numbers, as hub results are written).
 *
 * @example
 * ```ts
 * const service = new ServiceHubClient(endpoint, 'chat', { messageEncoding: 'binary' });
 * ```
 */
export type MessageEncoding = 'auto' | 'binary';

/** A serialized send: its body and `Content-Type`. */
export interface MessagePayload {
  readonly body: Buffer;
  readonly contentType: string;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const BINARY_CONTENT_TYPE = 'application/octet-stream';
/** Deeper values are not searched for binary data; the service's protocols refuse them anyway. */
const MAX_SEARCH_DEPTH = 64;

function needsBinary(value: unknown, depth: number): boolean {
  if (typeof value === 'bigint') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  if (depth >= MAX_SEARCH_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (needsBinary(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (needsBinary((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

function invalidArguments(target: string, form: string, error: unknown): ServerlessHubError {
  return new ServerlessHubError(
    'REST_INVALID_ARGUMENT',
    `The arguments of ${JSON.stringify(target)} cannot be serialized as ${form} (${errorMessage(error)}).`,
    {
      cause: error,
    },
  );
}

function binaryPayload(target: string, args: readonly unknown[]): MessagePayload {
  const invocation: InvocationMessage = { type: MessageType.Invocation, target, arguments: args };
  let json: Uint8Array;
  let messagePack: Uint8Array;
  try {
    json = jsonHubProtocol.writeMessage(invocation);
    messagePack = messagePackHubProtocol.writeMessage(invocation);
  } catch (error) {
    throw invalidArguments(target, 'hub protocol messages', error);
  }
  return {
    body: encodeProtocolPayloadMap([
      ['json', json],
      ['messagepack', messagePack],
    ]),
    contentType: BINARY_CONTENT_TYPE,
  };
}

/**
 * Serializes one send as `encoding` says (see {@link MessageEncoding}).
 *
 * @throws {ServerlessHubError} `REST_INVALID_ARGUMENT` for an empty target or arguments that cannot be written.
 * @example
 * ```ts
 * const { body, contentType } = encodeMessagePayload('newMessage', [{ text: 'hi' }], 'auto');
 * ```
 */
export function encodeMessagePayload(
  target: string,
  args: readonly unknown[],
  encoding: MessageEncoding,
): MessagePayload {
  assertTarget(target);
  if (encoding === 'binary' || needsBinary(args, 0)) return binaryPayload(target, args);
  let json: string;
  try {
    json = JSON.stringify({ target, arguments: args });
  } catch (error) {
    throw invalidArguments(target, 'JSON', error);
  }
  return { body: Buffer.from(json, 'utf8'), contentType: JSON_CONTENT_TYPE };
}
