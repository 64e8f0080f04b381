import { errorMessage } from '@serverless-hub/core/upstream';
import {
  assertMessageDepth,
  decodeProtocolPayloadMap,
  jsonHubProtocol,
  messagePackHubProtocol,
  MessageType,
} from '@serverless-hub/core/protocol';
import type { HubProtocol, InvocationMessage } from '@serverless-hub/core/protocol';
import { OutboundMessage } from '../protocol/outbound-message.js';

/** A REST message ready for fan-out, or why it cannot be sent (answered 400). */
export type RestMessageResult =
  { readonly ok: true; readonly message: OutboundMessage } | { readonly ok: false; readonly reason: string };

/** The media types of the `:send` routes (REST API 2024-12-01 `consumes`). */
export type RestMessageFormat = 'json' | 'binary';

/**
 * Which form a `Content-Type` announces: JSON (also when absent, as the official emulator binds it), or the
 * binary protocol map (`application/octet-stream`, `application/x-msgpack`); `undefined` for anything else.
 */
export function restMessageFormat(mediaType: string): RestMessageFormat | undefined {
  if (mediaType === '' || mediaType === 'application/json' || mediaType === 'text/json' || mediaType.endsWith('+json'))
    return 'json';
  if (mediaType === 'application/octet-stream' || mediaType === 'application/x-msgpack') return 'binary';
  return undefined;
}

// Every failure below is a fault of the body; readRestMessage turns it into its answer.
function invalid(message: string): Error {
  return new Error(message);
}

/**
 * The JSON body `{"target": …, "arguments": […]}`. Property names are matched regardless of letter case, as
 * the service and the official emulator (Newtonsoft.Json binding) read them: the Management SDK writes
 * `Target` and `Arguments`. Other properties are ignored.
 */
function fromJson(body: Buffer): OutboundMessage {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalid(`The message is not valid JSON: ${errorMessage(error)}`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw invalid('The message must be a JSON object {"target": "...", "arguments": [...]}.');
  }
  let target: unknown;
  let args: unknown;
  for (const [name, value] of Object.entries(payload)) {
    const lower = name.toLowerCase();
    if (lower === 'target') target = value;
    else if (lower === 'arguments') args = value;
  }
  if (typeof target !== 'string' || target === '') throw invalid("The message must have a non-empty string 'target'.");
  if (args !== undefined && args !== null && !Array.isArray(args))
    throw invalid("The message's 'arguments' must be an array.");
  const message = new OutboundMessage({ type: MessageType.Invocation, target, arguments: (args ?? []) as unknown[] });
  try {
    // Checked once, before any client gets it: a message that one protocol cannot write must reach nobody.
    assertMessageDepth(payload);
    message.frameFor(jsonHubProtocol);
    message.frameFor(messagePackHubProtocol);
  } catch (error) {
    throw invalid(`The message cannot be sent to clients: ${errorMessage(error)}`);
  }
  return message;
}

function invocationIn(framed: Uint8Array, protocol: HubProtocol): InvocationMessage {
  let messages;
  try {
    messages = protocol.parseMessages(framed);
  } catch (error) {
    throw invalid(`The '${protocol.name}' payload is not a valid ${protocol.name} hub message: ${errorMessage(error)}`);
  }
  const [message] = messages;
  if (messages.length !== 1 || message?.type !== MessageType.Invocation) {
    throw invalid(
      `The '${protocol.name}' payload must be exactly one Invocation message, got ${messages.length} message(s).`,
    );
  }
  if (message.invocationId !== undefined)
    throw invalid(`The '${protocol.name}' payload must not carry an invocation id: a REST send expects no result.`);
  return message;
}

/**
 * The binary body: a MessagePack map from protocol name to that protocol's framed Invocation
 * (Azure/azure-signalr, BinaryPayloadMessageContent). Each client gets the bytes of its own protocol as sent;
 * a protocol missing from the map is encoded from another one's message.
 */
function fromProtocolMap(body: Buffer): OutboundMessage {
  let payloads: Map<string, Uint8Array>;
  try {
    payloads = decodeProtocolPayloadMap(body);
  } catch (error) {
    throw invalid(errorMessage(error));
  }
  const json = payloads.get('json');
  const messagePack = payloads.get('messagepack');
  if (json === undefined && messagePack === undefined) {
    throw invalid(
      `The binary payload has no 'json' or 'messagepack' entry (it has ${payloads.size === 0 ? 'none' : [...payloads.keys()].map((name) => JSON.stringify(name.slice(0, 40))).join(', ')}).`,
    );
  }
  const fromJsonEntry = json === undefined ? undefined : invocationIn(json, jsonHubProtocol);
  const fromMessagePackEntry =
    messagePack === undefined ? undefined : invocationIn(messagePack, messagePackHubProtocol);
  const invocation = (fromJsonEntry ?? fromMessagePackEntry) as InvocationMessage;
  const message = new OutboundMessage(
    { type: MessageType.Invocation, target: invocation.target, arguments: invocation.arguments },
    { json, messagepack: messagePack },
  );
  try {
    message.frameFor(jsonHubProtocol);
    message.frameFor(messagePackHubProtocol);
  } catch (error) {
    throw invalid(`The message cannot be sent to clients: ${errorMessage(error)}`);
  }
  return message;
}

/** Reads the message of a REST send, checked for every protocol before any client receives it. */
export function readRestMessage(body: Buffer, format: RestMessageFormat): RestMessageResult {
  try {
    return { ok: true, message: format === 'json' ? fromJson(body) : fromProtocolMap(body) };
  } catch (error) {
    return { ok: false, reason: errorMessage(error) };
  }
}
