import { MessageType, readLengthPrefix } from '@serverless-hub/core/protocol';
import type { HubMessage, HubProtocol } from '@serverless-hub/core/protocol';

/**
 * Bytes ready for a client: one or more framed messages in the client's protocol. `text` tells
 * WebSockets to send a text frame (JSON). Transports may memoize their own form of the frame on it
 * (Server-Sent Events keep `sse`), so a message fanned out to many clients is formatted once.
 */
export interface OutboundFrame {
  readonly bytes: Uint8Array;
  readonly text: boolean;
  sse?: Buffer;
}

/** A frame for bytes that are already framed in `protocol` (e.g. an upstream's Completion). */
export function rawFrame(bytes: Uint8Array, protocol: HubProtocol): OutboundFrame {
  return { bytes, text: protocol.transferFormat === 'Text' };
}

/**
 * A message to send to any number of clients: encoded at most once per protocol, however many
 * connections receive it (the fan-out hot path).
 */
export class OutboundMessage {
  private json: OutboundFrame | undefined;
  private messagePack: OutboundFrame | undefined;

  /**
   * @param framed the message already framed in some protocols (a binary REST payload carries each
   * protocol's bytes, which the service passes on as they are); the others are encoded from `message`.
   */
  constructor(
    readonly message: HubMessage,
    framed?: { readonly json?: Uint8Array | undefined; readonly messagepack?: Uint8Array | undefined },
  ) {
    if (framed?.json !== undefined) this.json = { bytes: framed.json, text: true };
    if (framed?.messagepack !== undefined) this.messagePack = { bytes: framed.messagepack, text: false };
  }

  frameFor(protocol: HubProtocol): OutboundFrame {
    if (protocol.name === 'json') return (this.json ??= rawFrame(protocol.writeMessage(this.message), protocol));
    return (this.messagePack ??= rawFrame(protocol.writeMessage(this.message), protocol));
  }
}

const pingMessage = new OutboundMessage({ type: MessageType.Ping });

/** The Ping frame of a protocol, encoded once for every connection. */
export function pingFrame(protocol: HubProtocol): OutboundFrame {
  return pingMessage.frameFor(protocol);
}

/**
 * The body of an upstream `messages` request: the framed message without its framing (no trailing
 * `0x1E` for JSON, no varint length prefix for MessagePack).
 */
export function unframe(framed: Uint8Array, protocol: HubProtocol): Uint8Array {
  if (protocol.transferFormat === 'Text') return framed.subarray(0, framed.length - 1);
  const prefix = readLengthPrefix(framed, 0);
  return prefix === undefined ? framed : framed.subarray(prefix.prefixLength, prefix.prefixLength + prefix.length);
}
