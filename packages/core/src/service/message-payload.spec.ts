import { JsonHubProtocol, NullLogger } from '@microsoft/signalr';
import type { InvocationMessage } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { decodeProtocolPayloadMap } from '../protocol/protocol-payload-map.js';
import { encodeMessagePayload } from './message-payload.js';

// Azure/azure-signalr: the Management SDK sends `{"Target","Arguments"}` as JSON (JsonPayloadMessageContent), or,
// when the app configures hub protocols, an application/octet-stream MessagePack map from protocol name to the
// message in that protocol (BinaryPayloadMessageContent, chosen by PayloadBuilderResolver). The service gives each
// client its own protocol's bytes. The official JavaScript client's protocols decode what each client would get.

function parsed(bytes: Uint8Array | undefined, protocol: 'json' | 'messagepack'): InvocationMessage {
  expect(bytes).toBeDefined();
  const data = bytes ?? new Uint8Array(0);
  const messages =
    protocol === 'json'
      ? new JsonHubProtocol().parseMessages(Buffer.from(data).toString('utf8'), NullLogger.instance)
      : new MessagePackHubProtocol().parseMessages(
          data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
          NullLogger.instance,
        );
  expect(messages).toHaveLength(1);
  return messages[0] as InvocationMessage;
}

describe('encodeMessagePayload', () => {
  it('sends plain values as JSON {target, arguments}', () => {
    const payload = encodeMessagePayload('newMessage', [{ text: 'hi' }, 2], 'auto');
    expect(payload.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(payload.body.toString('utf8'))).toEqual({ target: 'newMessage', arguments: [{ text: 'hi' }, 2] });
  });

  it('sends binary data as the protocol map: real bin to MessagePack clients, base64 to JSON clients', () => {
    const bytes = Uint8Array.from([1, 2, 250]);
    const payload = encodeMessagePayload('file', [{ name: 'a.bin', bytes }], 'auto');
    expect(payload.contentType).toBe('application/octet-stream');
    const map = decodeProtocolPayloadMap(payload.body);
    expect([...map.keys()]).toEqual(['json', 'messagepack']);
    const json = parsed(map.get('json'), 'json');
    expect([json.target, json.arguments]).toEqual(['file', [{ name: 'a.bin', bytes: 'AQL6' }]]);
    const messagePack = parsed(map.get('messagepack'), 'messagepack');
    expect(messagePack.target).toBe('file');
    const received = (messagePack.arguments[0] as { bytes: Uint8Array }).bytes;
    expect(received).toBeInstanceOf(Uint8Array);
    expect([...received]).toEqual([1, 2, 250]);
  });

  it('finds binary data in a Buffer, an ArrayBuffer and deep inside arrays', () => {
    for (const value of [Buffer.from('x'), new ArrayBuffer(2), [[{ a: [new Uint16Array(1)] }]]]) {
      expect(encodeMessagePayload('t', [value], 'auto').contentType).toBe('application/octet-stream');
    }
  });

  it('sends a bigint as results are written: exact digits for JSON clients, a 64-bit integer for MessagePack ones', () => {
    const payload = encodeMessagePayload('count', [12345678901234567890n, 5n], 'auto');
    expect(payload.contentType).toBe('application/octet-stream');
    const map = decodeProtocolPayloadMap(payload.body);
    expect(Buffer.from(map.get('json') ?? []).toString('utf8')).toContain('"arguments":[12345678901234567890,5]');
    expect(parsed(map.get('messagepack'), 'messagepack').arguments).toEqual([12345678901234567000, 5]);
  });

  it("sends the protocol map for every message when the app asks for 'binary'", () => {
    const payload = encodeMessagePayload('newMessage', ['hi'], 'binary');
    expect(payload.contentType).toBe('application/octet-stream');
    expect(parsed(decodeProtocolPayloadMap(payload.body).get('json'), 'json').arguments).toEqual(['hi']);
  });

  it('refuses an empty target and arguments that cannot be written, naming the target', () => {
    expect(() => encodeMessagePayload('', [], 'auto')).toThrow(ServerlessHubError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const args of [[cyclic], [cyclic, new Uint8Array(1)]]) {
      try {
        encodeMessagePayload('loop', args, 'auto');
        throw new Error('expected a refusal');
      } catch (error) {
        expect((error as ServerlessHubError).code).toBe('REST_INVALID_ARGUMENT');
        expect((error as Error).message).toContain('"loop"');
      }
    }
  });
});
