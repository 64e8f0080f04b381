import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { decodeProtocolPayloadMap, encodeProtocolPayloadMap } from './protocol-payload-map.js';

// Azure/azure-signalr, src/Microsoft.Azure.SignalR.Common/Utilities/Rest/BinaryPayloadMessageContent.cs (and its
// test BinaryPayloadMessageContentTest): the body is a MessagePack map header with one entry per hub protocol,
// each key the protocol name written as str, each value that protocol's serialized message written as bin.
// The expected bytes come from an independent MessagePack encoder writing { name: Uint8Array } the same way.

const jsonFrame = new TextEncoder().encode('{"type":1,"target":"target","arguments":["a",1]}\u001e');
const messagePackFrame = Uint8Array.from([
  0x0c, 0x96, 0x01, 0x80, 0xc0, 0xa6, 0x74, 0x61, 0x72, 0x67, 0x65, 0x74, 0x92,
]);

function refusal(body: Uint8Array): string {
  try {
    decodeProtocolPayloadMap(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect((error as ServerlessHubError).code).toBe('PROTOCOL_INVALID_MESSAGE');
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('encodeProtocolPayloadMap', () => {
  it('writes the bytes of the SDK: a map of protocol name (str) to serialized message (bin), in order', () => {
    const written = encodeProtocolPayloadMap([
      ['messagepack', messagePackFrame],
      ['json', jsonFrame],
    ]);
    expect(Buffer.from(written)).toEqual(Buffer.from(encode({ messagepack: messagePackFrame, json: jsonFrame })));
  });

  it('uses bin 8, 16 and 32 headers as the payload grows', () => {
    for (const size of [0, 255, 256, 65_535, 65_536, 200_000]) {
      const payload = new Uint8Array(size).fill(7);
      const written = encodeProtocolPayloadMap([['json', payload]]);
      expect(Buffer.from(written).equals(Buffer.from(encode({ json: payload }))), String(size)).toBe(true);
      expect(decodeProtocolPayloadMap(written).get('json')?.length).toBe(size);
    }
  });
});

describe('decodeProtocolPayloadMap', () => {
  it('reads what an independent encoder writes, names lower-cased, payloads as views of the body', () => {
    const body = encode({ Json: jsonFrame, messagepack: messagePackFrame });
    const payloads = decodeProtocolPayloadMap(body);
    expect([...payloads.keys()]).toEqual(['json', 'messagepack']);
    expect(Buffer.from(payloads.get('json') ?? [])).toEqual(Buffer.from(jsonFrame));
    expect(payloads.get('messagepack')?.buffer).toBe(body.buffer);
  });

  it('accepts str values and map 16 headers', () => {
    const body = Uint8Array.from([0xde, 0x00, 0x01, 0xa4, ...Buffer.from('json'), 0xa2, 0x31, 0x32]);
    expect(Buffer.from(decodeProtocolPayloadMap(body).get('json') ?? []).toString()).toBe('12');
  });

  it.each([
    ['an empty body', new Uint8Array(0), 'ends too early'],
    ['an array', encode(['json', jsonFrame]), 'not a map'],
    ['a JSON object', new TextEncoder().encode('{"target":"x"}'), 'not a map'],
    ['a number value', encode({ json: 5 }), 'neither bin nor str'],
    [
      'a length beyond the body',
      Uint8Array.from([0x81, 0xa4, ...Buffer.from('json'), 0xc6, 0xff, 0xff, 0xff, 0xff]),
      'longer than the rest',
    ],
    ['bytes after the map', Uint8Array.from([...encode({ json: jsonFrame }), 0x00]), 'follow the map'],
    [
      'a name twice',
      Uint8Array.from([0x82, 0xa4, ...Buffer.from('json'), 0xc4, 0x00, 0xa4, ...Buffer.from('JSON'), 0xc4, 0x00]),
      'appears twice',
    ],
    ['too many entries', Uint8Array.from([0xdf, 0xff, 0xff, 0xff, 0xff]), 'at most 16'],
  ])('refuses %s', (_name, body, reason) => {
    expect(refusal(body)).toContain(reason);
  });
});
