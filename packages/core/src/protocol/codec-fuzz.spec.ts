// Untrusted input never crashes the codecs: whatever the bytes, parsing returns messages or throws a
// ServerlessHubError with code PROTOCOL_INVALID_MESSAGE. And any value a hub may send survives a
// round trip through both codecs. Run counts are bounded: the machine is shared.
import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { parseHandshakeRequest } from './handshake.js';
import { MessageType } from './hub-message.js';
import type { HubMessage } from './hub-message.js';
import type { HubProtocol } from './hub-protocol.js';
import { jsonHubProtocol } from './json-hub-protocol.js';
import { messagePackHubProtocol } from './message-pack-hub-protocol.js';

function expectOnlyProtocolErrors(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect((error as ServerlessHubError).code).toBe('PROTOCOL_INVALID_MESSAGE');
  }
}

function framed(body: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let size = body.length;
  do {
    prefix.push((size & 0x7f) | (size > 0x7f ? 0x80 : 0));
    size >>>= 7;
  } while (size > 0);
  return new Uint8Array([...prefix, ...body]);
}

/** Arrays shaped roughly like hub messages, so that the field checks, not just the decoder, get exercised. */
const messageLike = fc
  .tuple(fc.integer({ min: 0, max: 12 }), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 6 }))
  .map(([type, rest]) => [type, ...rest]);

const protocols: [string, HubProtocol][] = [
  ['json', jsonHubProtocol],
  ['messagepack', messagePackHubProtocol],
];

describe('malformed input', () => {
  it.each(protocols)('%s: random bytes give messages or PROTOCOL_INVALID_MESSAGE', (_name, protocol) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (bytes, split) => {
        expectOnlyProtocolErrors(() => protocol.parseMessages(bytes));
        expectOnlyProtocolErrors(() => protocol.parseUnframedInvocation(bytes));
        expectOnlyProtocolErrors(() => {
          const reader = protocol.createReader({ maxMessageSize: 150 });
          reader.push(bytes.subarray(0, split));
          reader.push(bytes.subarray(split));
        });
        expectOnlyProtocolErrors(() => parseHandshakeRequest(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('json: message-like objects give messages or PROTOCOL_INVALID_MESSAGE', () => {
    fc.assert(
      fc.property(
        fc.record(
          { type: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.jsonValue({ maxDepth: 1 })) },
          { requiredKeys: [] },
        ),
        fc.dictionary(
          fc.constantFrom(
            'invocationId',
            'target',
            'arguments',
            'headers',
            'streamIds',
            'item',
            'result',
            'error',
            'allowReconnect',
            'sequenceId',
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        (head, fields) => {
          const text = `${JSON.stringify({ ...head, ...fields })}\u001e`;
          expectOnlyProtocolErrors(() => jsonHubProtocol.parseMessages(text));
          expectOnlyProtocolErrors(() => jsonHubProtocol.parseUnframedInvocation(new TextEncoder().encode(text)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('messagepack: message-like arrays give messages or PROTOCOL_INVALID_MESSAGE', () => {
    fc.assert(
      fc.property(messageLike, (fields) => {
        const body = encode(fields);
        expectOnlyProtocolErrors(() => messagePackHubProtocol.parseMessages(framed(body)));
        expectOnlyProtocolErrors(() => messagePackHubProtocol.parseUnframedInvocation(body));
      }),
      { numRuns: 500 },
    );
  });
});

describe('round trips', () => {
  it.each(protocols)('%s: every JSON value survives as argument, stream item and result', (_name, protocol) => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.option(fc.string({ minLength: 1 }), { nil: undefined }), (value, invocationId) => {
        // MessagePack maps with a `__proto__` key are refused on purpose (see the test below).
        fc.pre(protocol !== messagePackHubProtocol || !hasProtoKey(value));
        const messages: HubMessage[] = [
          invocationId === undefined
            ? { type: MessageType.Invocation, target: 'target', arguments: [value] }
            : { type: MessageType.Invocation, invocationId, target: 'target', arguments: [value] },
          { type: MessageType.StreamItem, invocationId: invocationId ?? '1', item: value },
          { type: MessageType.Completion, invocationId: invocationId ?? '1', result: value },
        ];
        const bytes = messages.map((message) => protocol.writeMessage(message));
        // -0 has no JSON form distinct from 0; compare the way JSON sees values.
        const expected = JSON.parse(JSON.stringify(messages)) as unknown;
        expect(JSON.parse(JSON.stringify(bytes.flatMap((message) => protocol.parseMessages(message))))).toEqual(
          expected,
        );
      }),
      { numRuns: 300 },
    );
  });
});

function hasProtoKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasProtoKey);
  if (value === null || typeof value !== 'object') return false;
  return Object.keys(value).some((key) => key === '__proto__' || hasProtoKey((value as Record<string, unknown>)[key]));
}

describe('prototype keys', () => {
  it('messagepack: a map with a __proto__ key is PROTOCOL_INVALID_MESSAGE, json keeps it as a plain own property', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}') as unknown;
    const completion: HubMessage = { type: MessageType.Completion, invocationId: '1', result: value };
    expectOnlyProtocolErrors(() =>
      messagePackHubProtocol.parseMessages(messagePackHubProtocol.writeMessage(completion)),
    );
    expect(() => messagePackHubProtocol.parseMessages(messagePackHubProtocol.writeMessage(completion))).toThrow(
      /__proto__/,
    );
    const [parsed] = jsonHubProtocol.parseMessages(jsonHubProtocol.writeMessage(completion));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys((parsed as { result: object }).result)).toEqual(['__proto__']);
  });
});
