import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { MessageType } from './hub-message.js';
import type { HubMessage } from './hub-message.js';
import { messagePackHubProtocol } from './message-pack-hub-protocol.js';

/** Frames raw MessagePack bytes with a varint length prefix, written independently of the code under test. */
function frame(body: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let size = body.length;
  do {
    let part = size & 0x7f;
    size >>>= 7;
    if (size > 0) part |= 0x80;
    prefix.push(part);
  } while (size > 0);
  return new Uint8Array([...prefix, ...body]);
}

function framed(value: unknown): Uint8Array {
  return frame(encode(value));
}

/** The MessagePack array of a written message, checking its prefix on the way. */
function payloadOf(bytes: Uint8Array): unknown {
  let length = 0;
  let shift = 0;
  let index = 0;
  for (;;) {
    const byte = bytes[index++] ?? 0;
    length |= (byte & 0x7f) << shift;
    shift += 7;
    if ((byte & 0x80) === 0) break;
  }
  expect(bytes.length - index).toBe(length);
  return decode(bytes.subarray(index));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  parts.reduce((offset, part) => (all.set(part, offset), offset + part.length), 0);
  return all;
}

function invalid(pattern: RegExp): unknown {
  return expect.objectContaining({
    name: 'ServerlessHubError',
    code: 'PROTOCOL_INVALID_MESSAGE',
    message: expect.stringMatching(pattern),
  });
}

describe('messagePackHubProtocol', () => {
  it('describes itself', () => {
    expect(messagePackHubProtocol).toMatchObject({
      name: 'messagepack',
      version: 1,
      transferFormat: 'Binary',
      contentType: 'application/x-msgpack',
    });
  });

  describe('writeMessage', () => {
    it('writes Ping as the spec shows it: length 2, fixarray of one, 6', () => {
      expect([...messagePackHubProtocol.writeMessage({ type: MessageType.Ping })]).toEqual([0x02, 0x91, 0x06]);
    });

    it('writes invocations as [1, headers, invocationId|nil, target, arguments, streamIds?]', () => {
      expect(
        payloadOf(messagePackHubProtocol.writeMessage({ type: MessageType.Invocation, target: 't', arguments: [1] })),
      ).toEqual([1, {}, null, 't', [1]]);
      expect(
        payloadOf(
          messagePackHubProtocol.writeMessage({
            type: MessageType.Invocation,
            invocationId: '4',
            target: 't',
            arguments: [],
            headers: { a: 'b' },
            streamIds: ['s'],
          }),
        ),
      ).toEqual([1, { a: 'b' }, '4', 't', [], ['s']]);
      expect(
        payloadOf(
          messagePackHubProtocol.writeMessage({
            type: MessageType.StreamInvocation,
            invocationId: '5',
            target: 's',
            arguments: [2],
          }),
        ),
      ).toEqual([4, {}, '5', 's', [2]]);
    });

    it('writes completions with result kind 1 (error), 2 (void) and 3 (result, null included)', () => {
      const payload = (message: HubMessage) => payloadOf(messagePackHubProtocol.writeMessage(message));
      expect(payload({ type: MessageType.Completion, invocationId: '1', error: 'boom' })).toEqual([
        3,
        {},
        '1',
        1,
        'boom',
      ]);
      expect(payload({ type: MessageType.Completion, invocationId: '1' })).toEqual([3, {}, '1', 2]);
      expect(payload({ type: MessageType.Completion, invocationId: '1', result: undefined })).toEqual([3, {}, '1', 2]);
      expect(payload({ type: MessageType.Completion, invocationId: '1', result: null })).toEqual([3, {}, '1', 3, null]);
      expect(payload({ type: MessageType.Completion, invocationId: '1', result: { a: 1 } })).toEqual([
        3,
        {},
        '1',
        3,
        { a: 1 },
      ]);
      expect(() =>
        messagePackHubProtocol.writeMessage({ type: MessageType.Completion, invocationId: '1', result: 1, error: 'e' }),
      ).toThrow(invalid(/both a result and an error/));
    });

    it('writes the other message types', () => {
      const payload = (message: HubMessage) => payloadOf(messagePackHubProtocol.writeMessage(message));
      expect(payload({ type: MessageType.StreamItem, invocationId: '1', item: 'x' })).toEqual([2, {}, '1', 'x']);
      expect(payload({ type: MessageType.CancelInvocation, invocationId: '1' })).toEqual([5, {}, '1']);
      expect(payload({ type: MessageType.Close })).toEqual([7, null]);
      expect(payload({ type: MessageType.Close, error: 'bye', allowReconnect: true })).toEqual([7, 'bye', true]);
      expect(payload({ type: MessageType.Ack, sequenceId: 3 })).toEqual([8, 3]);
      expect(payload({ type: MessageType.Sequence, sequenceId: 4 })).toEqual([9, 4]);
    });

    it('writes binary as bin and bigints as 64-bit integers', () => {
      const bytes = messagePackHubProtocol.writeMessage({
        type: MessageType.Invocation,
        target: 't',
        arguments: [new Uint8Array([1, 2, 3]), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n],
      });
      const payload = payloadOf(bytes) as unknown[];
      expect(payload[4]).toEqual([new Uint8Array([1, 2, 3]), 2 ** 63, -(2 ** 63), 2 ** 64]);
      const body = bytes.subarray(1);
      expect(decode(body, { useBigInt64: true })).toEqual([
        1,
        {},
        null,
        't',
        [new Uint8Array([1, 2, 3]), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n],
      ]);
    });

    it('frames messages of 128 bytes and more with a multi-byte prefix', () => {
      const text = 'x'.repeat(300);
      const bytes = messagePackHubProtocol.writeMessage({
        type: MessageType.Invocation,
        target: 't',
        arguments: [text],
      });
      expect(bytes[0]! & 0x80).toBe(0x80);
      expect((payloadOf(bytes) as unknown[])[4]).toEqual([text]);
    });

    it('reports values it cannot encode', () => {
      expect(() =>
        messagePackHubProtocol.writeMessage({ type: MessageType.Completion, invocationId: '1', result: Symbol('s') }),
      ).toThrow(invalid(/cannot be written as MessagePack/));
    });
  });

  describe('parseMessages', () => {
    it('reads every message type', () => {
      const input = concat(
        framed([1, { h: 'v' }, '1', 't', [1, 'a', null, true, 1.5, { n: [] }, new Uint8Array([9])], ['s']]),
        framed([1, {}, null, 't', []]),
        framed([2, {}, '1', null]),
        framed([3, {}, '1', 3, null]),
        framed([3, {}, '1', 2]),
        framed([3, {}, '1', 1, 'e']),
        framed([4, {}, '2', 's', []]),
        framed([5, {}, '2']),
        framed([6]),
        framed([7, 'bye', true]),
        framed([7, null]),
        framed([8, 3]),
        framed([9, 4]),
      );
      expect(messagePackHubProtocol.parseMessages(input)).toEqual([
        {
          type: 1,
          invocationId: '1',
          target: 't',
          arguments: [1, 'a', null, true, 1.5, { n: [] }, new Uint8Array([9])],
          headers: { h: 'v' },
          streamIds: ['s'],
        },
        { type: 1, target: 't', arguments: [] },
        { type: 2, invocationId: '1', item: null },
        { type: 3, invocationId: '1', result: null },
        { type: 3, invocationId: '1' },
        { type: 3, invocationId: '1', error: 'e' },
        { type: 4, invocationId: '2', target: 's', arguments: [] },
        { type: 5, invocationId: '2' },
        { type: 6 },
        { type: 7, error: 'bye', allowReconnect: true },
        { type: 7 },
        { type: 8, sequenceId: 3 },
        { type: 9, sequenceId: 4 },
      ]);
    });

    it('keeps a nil result apart from a void completion', () => {
      const [withNil, withoutResult] = messagePackHubProtocol.parseMessages(
        concat(framed([3, {}, '1', 3, null]), framed([3, {}, '1', 2])),
      );
      expect(withNil).toHaveProperty('result', null);
      expect(withoutResult).not.toHaveProperty('result');
    });

    it('reads integers beyond 2^53 as numbers, as the official client does', () => {
      const [message] = messagePackHubProtocol.parseMessages(
        frame(encode([1, {}, null, 't', [2n ** 63n - 1n, 2n ** 64n - 1n, -(2n ** 63n)]], { useBigInt64: true })),
      );
      expect(message).toEqual({ type: 1, target: 't', arguments: [2 ** 63, 2 ** 64, -(2 ** 63)] });
    });

    it('reads the timestamp extension as a Date', () => {
      const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
      expect(messagePackHubProtocol.parseMessages(framed([1, {}, null, 't', [date]]))).toEqual([
        { type: 1, target: 't', arguments: [date] },
      ]);
    });

    it('accepts extra trailing elements, which later protocol versions may add', () => {
      expect(
        messagePackHubProtocol.parseMessages(concat(framed([6, 'future']), framed([5, {}, '1', 'future']))),
      ).toEqual([{ type: 6 }, { type: 5, invocationId: '1' }]);
    });

    it('skips message types it does not know, as the official clients do', () => {
      expect(messagePackHubProtocol.parseMessages(concat(framed([99, 'x']), framed([6])))).toEqual([{ type: 6 }]);
    });

    it('returns nothing for empty input and rejects text', () => {
      expect(messagePackHubProtocol.parseMessages(new Uint8Array(0))).toEqual([]);
      expect(() => messagePackHubProtocol.parseMessages('[6]')).toThrow(invalid(/binary data, not text/));
    });

    it.each([
      ['an incomplete length prefix', new Uint8Array([0x80]), /ends inside a length prefix/],
      ['a truncated message', new Uint8Array([0x05, 0x93, 0x01]), /ends 3 bytes before the end of its last message/],
      ['a six-byte length prefix', new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), /longer than 5 bytes/],
      ['a length of 2 GB', new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x08]), /2 GB/],
      ['an empty message', new Uint8Array([0x00]), /message is empty/],
      [
        'truncated MessagePack inside a message',
        frame(new Uint8Array([0x93, 0x01, 0xa5, 0x61])),
        /not valid MessagePack/,
      ],
      ['bytes after the array inside a message', frame(new Uint8Array([0x91, 0x06, 0x06])), /not valid MessagePack/],
      ['a reserved byte', frame(new Uint8Array([0xc1])), /not valid MessagePack/],
      ['a map', framed({ type: 6 }), /must be a non-empty array/],
      ['an empty array', framed([]), /must be a non-empty array/],
      ['a string type', framed(['6']), /'type' of a hub message must be an integer, got a string/],
      ['a short invocation', framed([1, {}, null, 't']), /Invocation message must have at least 5 elements, got 4/],
      [
        'a numeric target',
        framed([1, {}, null, 5, []]),
        /The 'target' of an Invocation message must be a string, got a number/,
      ],
      [
        'a numeric invocation id',
        framed([1, {}, 5, 't', []]),
        /'invocationId' of an Invocation message must be a string/,
      ],
      [
        'arguments that are a map',
        framed([1, {}, null, 't', {}]),
        /'arguments' of an Invocation message must be an array/,
      ],
      [
        'headers that are an array',
        framed([1, [], null, 't', []]),
        /headers of an Invocation message must be a map of strings, got an array/,
      ],
      [
        'header values that are not strings',
        framed([1, { a: 1 }, null, 't', []]),
        /header 'a' of an Invocation message must be a string/,
      ],
      [
        'stream ids that are not strings',
        framed([1, {}, null, 't', [], [1]]),
        /'streamIds' of an Invocation message must be strings/,
      ],
      [
        'a stream invocation without id',
        framed([4, {}, null, 't', []]),
        /'invocationId' of a StreamInvocation message must be a string, got null/,
      ],
      ['a short stream item', framed([2, {}, '1']), /StreamItem message must have at least 4 elements/],
      ['a short completion', framed([3, {}, '1']), /Completion message must have at least 4 elements/],
      [
        'an error completion without error',
        framed([3, {}, '1', 1]),
        /Completion message must have at least 5 elements/,
      ],
      [
        'an error completion with a nil error',
        framed([3, {}, '1', 1, null]),
        /result kind 1 \(error\) must be a string/,
      ],
      [
        'a result completion without result',
        framed([3, {}, '1', 3]),
        /Completion message must have at least 5 elements/,
      ],
      [
        'an unknown result kind',
        framed([3, {}, '1', 4, 'x']),
        /result kind .* must be 1 \(error\), 2 \(void\) or 3 \(result\), got 4/,
      ],
      ['a short cancel', framed([5, {}]), /CancelInvocation message must have at least 3 elements/],
      ['a short close', framed([7]), /Close message must have at least 2 elements/],
      ['a close with a numeric error', framed([7, 5]), /'error' of a Close message must be a string/],
      [
        'a close with a string allowReconnect',
        framed([7, null, 'yes']),
        /'allowReconnect' of a Close message must be a boolean/,
      ],
      ['an ack without sequence id', framed([8]), /Ack message must have at least 2 elements/],
      [
        'a sequence with a string id',
        framed([9, '1']),
        /'sequenceId' of a Sequence message must be a non-negative integer/,
      ],
      [
        'a map key __proto__',
        frame(
          new Uint8Array([
            0x95,
            0x01,
            0x81,
            0xa9,
            ...new TextEncoder().encode('__proto__'),
            0xa1,
            0x78,
            0xc0,
            0xa1,
            0x74,
            0x90,
          ]),
        ),
        /__proto__/,
      ],
    ])('rejects %s with a specific message', (_name, input, pattern) => {
      expect(() => messagePackHubProtocol.parseMessages(input)).toThrow(invalid(pattern));
    });
  });

  describe('createReader', () => {
    const messages: HubMessage[] = [
      {
        type: MessageType.Invocation,
        invocationId: '1',
        target: 'échø',
        arguments: ['😀', new Uint8Array([1, 2]), 'x'.repeat(200)],
      },
      { type: MessageType.Ping },
      { type: MessageType.Completion, invocationId: '1', result: null },
    ];
    const all = concat(...messages.map((message) => messagePackHubProtocol.writeMessage(message)));

    it('returns the same messages for every split of the stream, inside the length prefix included', () => {
      for (let split = 0; split <= all.length; split++) {
        const reader = messagePackHubProtocol.createReader();
        expect([...reader.push(all.subarray(0, split)), ...reader.push(all.subarray(split))]).toEqual(messages);
        expect(reader.pendingSize).toBe(0);
      }
    });

    it('reassembles a stream fed one byte at a time', () => {
      const reader = messagePackHubProtocol.createReader();
      const got: HubMessage[] = [];
      for (let index = 0; index < all.length; index++) got.push(...reader.push(all.subarray(index, index + 1)));
      expect(got).toEqual(messages);
    });

    it('does not depend on the caller keeping its chunk intact', () => {
      const reader = messagePackHubProtocol.createReader();
      const bytes = messagePackHubProtocol.writeMessage({
        type: MessageType.Invocation,
        target: 't',
        arguments: ['abc'],
      });
      const chunk = bytes.slice(0, 5);
      reader.push(chunk);
      chunk.fill(0);
      expect(reader.push(bytes.subarray(5))).toEqual([{ type: 1, target: 't', arguments: ['abc'] }]);
      const buffer = Buffer.from(bytes.subarray(0, 5));
      const bufferReader = messagePackHubProtocol.createReader();
      bufferReader.push(buffer);
      buffer.fill(0);
      expect(bufferReader.push(Buffer.from(bytes.subarray(5)))).toEqual([{ type: 1, target: 't', arguments: ['abc'] }]);
    });

    it('rejects an announced length over the maximum before the message arrives', () => {
      const reader = messagePackHubProtocol.createReader({ maxMessageSize: 100 });
      expect(() => reader.push(new Uint8Array([0xe5, 0x00]))).toThrow(
        invalid(/A message of 101 bytes or more exceeds the maximum message size of 100 bytes/),
      );
    });

    it('rejects text chunks', () => {
      expect(() => messagePackHubProtocol.createReader().push('[6]')).toThrow(invalid(/text chunk/));
    });
  });

  describe('parseUnframedInvocation', () => {
    it('reads an upstream body: one invocation without a length prefix', () => {
      const body = encode([1, {}, '7', 'echo', ['x', new Uint8Array([1])]]);
      expect(messagePackHubProtocol.parseUnframedInvocation(body)).toEqual({
        type: 1,
        invocationId: '7',
        target: 'echo',
        arguments: ['x', new Uint8Array([1])],
      });
    });

    it.each([
      ['an empty body', new Uint8Array(0), /body is empty/],
      [
        'another message type',
        encode([6]),
        /must be an Invocation message \(type 1\) or a StreamInvocation \(type 4\), got a Ping message \(type 6\)/,
      ],
      ['an unknown message type', encode([42]), /got an unknown message type/],
      ['a framed message', frame(encode([1, {}, null, 't', []])), /not valid MessagePack|must be a non-empty array/],
      ['a truncated body', encode([1, {}, '7', 'echo', ['x']]).subarray(0, 8), /not valid MessagePack/],
    ])('rejects %s', (_name, body, pattern) => {
      expect(() => messagePackHubProtocol.parseUnframedInvocation(body)).toThrow(invalid(pattern));
    });
  });
});
