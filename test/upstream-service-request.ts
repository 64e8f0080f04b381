// Builds upstream requests byte for byte as Azure SignalR Service sends them, independently of the code
// under test: signatures with node:crypto, bodies with the official @microsoft/signalr protocols.
import { createHmac } from 'node:crypto';
import { JsonHubProtocol, MessageType } from '@microsoft/signalr';
import type { CompletionMessage, InvocationMessage } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';

export const PRIMARY_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
export const SECONDARY_KEY = 'zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVUT';

export type WireProtocol = 'json' | 'messagepack';

export const CONTENT_TYPES: Readonly<Record<WireProtocol, string>> = {
  json: 'application/json',
  messagepack: 'application/x-msgpack',
};

const officialJson = new JsonHubProtocol();
const officialMessagePack = new MessagePackHubProtocol();

export interface ServiceRequest {
  /** Header names as the service spells them. */
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

export interface ServiceRequestOptions {
  readonly hub?: string;
  readonly category: string;
  readonly event: string;
  readonly connectionId?: string;
  readonly userId?: string;
  /** Written as the service writes them: "type: value" entries joined by ", ". */
  readonly claims?: readonly (readonly [string, string])[];
  /** The client's query string, leading "?" included. */
  readonly query?: string;
  readonly protocol?: WireProtocol;
  readonly body?: Uint8Array;
  /** Keys the service signs with (primary, secondary). */
  readonly keys?: readonly string[];
  /** Replaces the computed signature header; `null` leaves it out. */
  readonly signature?: string | null;
  /** Replaces the content type; `null` leaves it out. */
  readonly contentType?: string | null;
}

/** `sha256=` + uppercase hex HMAC-SHA256 per key, joined by ", " — what the service writes. */
export function serviceSignature(connectionId: string, keys: readonly string[]): string {
  return keys
    .map(
      (key) =>
        `sha256=${createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(connectionId, 'utf8')).digest('hex').toUpperCase()}`,
    )
    .join(', ');
}

export function serviceRequest(options: ServiceRequestOptions): ServiceRequest {
  const connectionId = options.connectionId ?? 'aK9pzJv3DUyDbGj6IQ1dcQ9b1c7b1ce1';
  const headers: Record<string, string> = {
    'X-ASRS-Connection-Id': connectionId,
    'X-ASRS-Hub': options.hub ?? 'chat',
    'X-ASRS-Category': options.category,
    'X-ASRS-Event': options.event,
  };
  if (options.userId !== undefined) headers['X-ASRS-User-Id'] = options.userId;
  if (options.claims !== undefined)
    headers['X-ASRS-User-Claims'] = options.claims.map(([type, value]) => `${type}: ${value}`).join(', ');
  if (options.query !== undefined) headers['X-ASRS-Client-Query'] = options.query;
  const signature =
    options.signature === undefined
      ? serviceSignature(connectionId, options.keys ?? [PRIMARY_KEY, SECONDARY_KEY])
      : options.signature;
  if (signature !== null) headers['X-ASRS-Signature'] = signature;
  const contentType =
    options.contentType === undefined ? CONTENT_TYPES[options.protocol ?? 'json'] : options.contentType;
  if (contentType !== null) headers['Content-Type'] = contentType;
  return { headers, body: options.body ?? new Uint8Array(0) };
}

const encoder = new TextEncoder();

/** The connected body the service sends. */
export function connectedBody(): Uint8Array {
  return encoder.encode('{"type":10}');
}

/** The disconnected body as the official emulator writes it: PascalCase, `Error` omitted when null. */
export function disconnectedBody(error?: string): Uint8Array {
  return encoder.encode(error === undefined ? '{"Type":11}' : JSON.stringify({ Type: 11, Error: error }));
}

/** The client's Invocation message without framing, as the service forwards it upstream. */
export function invocationBody(
  protocol: WireProtocol,
  invocation: { readonly invocationId?: string; readonly target: string; readonly arguments: readonly unknown[] },
): Uint8Array {
  const message: InvocationMessage = {
    type: MessageType.Invocation,
    target: invocation.target,
    arguments: [...invocation.arguments],
    ...(invocation.invocationId === undefined ? {} : { invocationId: invocation.invocationId }),
  };
  if (protocol === 'json') {
    const framed = officialJson.writeMessage(message);
    return encoder.encode(framed.slice(0, -1)); // drop the record separator
  }
  const framed = new Uint8Array(officialMessagePack.writeMessage(message));
  return framed.subarray(varintLength(framed));
}

/** The framed Completion the official protocols write: the bytes a correct answer must have. */
export function officialCompletion(
  protocol: WireProtocol,
  completion: { readonly invocationId: string; readonly result?: unknown; readonly error?: string },
): Uint8Array {
  const message: CompletionMessage = { type: MessageType.Completion, ...completion };
  if (protocol === 'json') return encoder.encode(officialJson.writeMessage(message));
  return new Uint8Array(officialMessagePack.writeMessage(message));
}

function varintLength(bytes: Uint8Array): number {
  let index = 0;
  while (((bytes[index] ?? 0) & 0x80) !== 0) index++;
  return index + 1;
}
