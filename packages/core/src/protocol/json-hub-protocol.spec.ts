import { describe, expect, it } from 'vitest';
import { MessageType } from './hub-message.js';
import type { HubMessage } from './hub-message.js';
import { jsonHubProtocol } from './json-hub-protocol.js';

const RS = '\u001e';
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function written(message: HubMessage): string {
  return decoder.decode(jsonHubProtocol.writeMessage(message));
}

function invalid(pattern: RegExp): unknown {
  return expect.objectContaining({
    name: 'ServerlessHubError',
    code: 'PROTOCOL_INVALID_MESSAGE',
    message: expect.stringMatching(pattern),
  });
}

describe('jsonHubProtocol', () => {
  it('describes itself', () => {
    expect(jsonHubProtocol).toMatchObject({
      name: 'json',
      version: 1,
      transferFormat: 'Text',
      contentType: 'application/json',
    });
  });

  describe('writeMessage', () => {
    it('writes each message as one JSON object followed by 0x1E', () => {
      const text = written({
        type: MessageType.Invocation,
        invocationId: '0',
        target: 'broadcast',
        arguments: ['hi', 1],
      });
      expect(text.endsWith(RS)).toBe(true);
      expect(text.indexOf(RS)).toBe(text.length - 1);
      expect(JSON.parse(text.slice(0, -1))).toEqual({
        type: 1,
        invocationId: '0',
        target: 'broadcast',
        arguments: ['hi', 1],
      });
    });

    it('omits invocationId for a fire-and-forget invocation, and empty headers and streamIds', () => {
      const text = written({ type: MessageType.Invocation, target: 'send', arguments: [], headers: {}, streamIds: [] });
      expect(JSON.parse(text.slice(0, -1))).toEqual({ type: 1, target: 'send', arguments: [] });
    });

    it('keeps headers and streamIds when there are some', () => {
      const text = written({
        type: MessageType.StreamInvocation,
        invocationId: '3',
        target: 'upload',
        arguments: [],
        headers: { a: 'b' },
        streamIds: ['s1'],
      });
      expect(JSON.parse(text.slice(0, -1))).toEqual({
        type: 4,
        invocationId: '3',
        target: 'upload',
        arguments: [],
        headers: { a: 'b' },
        streamIds: ['s1'],
      });
    });

    it('writes the three completion outcomes: result (null included), void and error', () => {
      const parse = (message: HubMessage) => JSON.parse(written(message).slice(0, -1)) as unknown;
      expect(parse({ type: MessageType.Completion, invocationId: '1', result: 42 })).toEqual({
        type: 3,
        invocationId: '1',
        result: 42,
      });
      const withNull = written({ type: MessageType.Completion, invocationId: '1', result: null });
      expect(withNull).toContain('"result":null');
      const voidText = written({ type: MessageType.Completion, invocationId: '1' });
      expect(voidText).not.toContain('result');
      expect(written({ type: MessageType.Completion, invocationId: '1', result: undefined })).toBe(voidText);
      expect(parse({ type: MessageType.Completion, invocationId: '1', error: 'boom' })).toEqual({
        type: 3,
        invocationId: '1',
        error: 'boom',
      });
    });

    it('refuses a completion with both a result and an error', () => {
      expect(() =>
        jsonHubProtocol.writeMessage({ type: MessageType.Completion, invocationId: '1', result: 1, error: 'x' }),
      ).toThrow(invalid(/both a result and an error/));
    });

    it('writes Ping, Close, CancelInvocation, StreamItem, Ack and Sequence', () => {
      const parse = (message: HubMessage) => JSON.parse(written(message).slice(0, -1)) as unknown;
      expect(written({ type: MessageType.Ping })).toBe(`{"type":6}${RS}`);
      expect(parse({ type: MessageType.Close })).toEqual({ type: 7 });
      expect(parse({ type: MessageType.Close, error: 'bye', allowReconnect: false })).toEqual({
        type: 7,
        error: 'bye',
        allowReconnect: false,
      });
      expect(parse({ type: MessageType.CancelInvocation, invocationId: '9' })).toEqual({ type: 5, invocationId: '9' });
      expect(parse({ type: MessageType.StreamItem, invocationId: '9', item: { a: [1] } })).toEqual({
        type: 2,
        invocationId: '9',
        item: { a: [1] },
      });
      expect(parse({ type: MessageType.StreamItem, invocationId: '9', item: undefined })).toEqual({
        type: 2,
        invocationId: '9',
        item: null,
      });
      expect(parse({ type: MessageType.Ack, sequenceId: 4 })).toEqual({ type: 8, sequenceId: 4 });
      expect(parse({ type: MessageType.Sequence, sequenceId: 5 })).toEqual({ type: 9, sequenceId: 5 });
    });

    it('writes binary values as base64, as ASP.NET Core writes byte[]', () => {
      const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
      const text = written({
        type: MessageType.Completion,
        invocationId: '1',
        result: { raw: bytes, buffer: Buffer.from([1, 2]), whole: bytes.buffer },
      });
      expect(JSON.parse(text.slice(0, -1))).toEqual({
        type: 3,
        invocationId: '1',
        result: {
          raw: Buffer.from(bytes).toString('base64'),
          buffer: 'AQI=',
          whole: Buffer.from(bytes).toString('base64'),
        },
      });
    });

    it('writes bigints as JSON numbers with every digit', () => {
      const text = written({
        type: MessageType.Invocation,
        target: 't',
        arguments: [12345678901234567890n, -9007199254740993n, 5n, 'bigint'],
      });
      expect(text).toContain('"arguments":[12345678901234567890,-9007199254740993,5,"bigint"]');
    });

    it('escapes strings so that no raw 0x1E reaches the output before the separator', () => {
      const text = written({ type: MessageType.Invocation, target: 'a\u001eb', arguments: ['\u001e', 'é😀'] });
      expect(text.indexOf(RS)).toBe(text.length - 1);
      expect(jsonHubProtocol.parseMessages(text)).toEqual([
        { type: 1, target: 'a\u001eb', arguments: ['\u001e', 'é😀'] },
      ]);
    });

    it('reports values without a JSON form instead of writing broken JSON', () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(() =>
        jsonHubProtocol.writeMessage({ type: MessageType.Completion, invocationId: '1', result: circular }),
      ).toThrow(invalid(/result cannot be written as JSON/));
      expect(() =>
        jsonHubProtocol.writeMessage({ type: MessageType.Completion, invocationId: '1', result: () => 1 }),
      ).toThrow(invalid(/no JSON form/));
    });
  });

  describe('parseMessages', () => {
    it('reads every message type', () => {
      const input =
        [
          '{"type":1,"invocationId":"1","target":"t","arguments":[1,"a",null,true,1.5,{"n":[]}],"headers":{"h":"v"},"streamIds":["s"]}',
          '{"type":1,"target":"t","arguments":[]}',
          '{"type":2,"invocationId":"1","item":null}',
          '{"type":3,"invocationId":"1","result":null}',
          '{"type":3,"invocationId":"1"}',
          '{"type":3,"invocationId":"1","error":"e"}',
          '{"type":4,"invocationId":"2","target":"s","arguments":[]}',
          '{"type":5,"invocationId":"2"}',
          '{"type":6}',
          '{"type":7,"error":"bye","allowReconnect":true}',
          '{"type":7}',
          '{"type":8,"sequenceId":3}',
          '{"type":9,"sequenceId":4}',
        ].join(RS) + RS;
      expect(jsonHubProtocol.parseMessages(input)).toEqual([
        {
          type: 1,
          invocationId: '1',
          target: 't',
          arguments: [1, 'a', null, true, 1.5, { n: [] }],
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

    it('keeps a null result apart from a void completion', () => {
      const [withNull, withoutResult] = jsonHubProtocol.parseMessages(
        `{"type":3,"invocationId":"1","result":null}${RS}{"type":3,"invocationId":"1"}${RS}`,
      );
      expect(withNull).toHaveProperty('result', null);
      expect(withoutResult).not.toHaveProperty('result');
    });

    it('reads bytes and text alike, and returns nothing for empty input', () => {
      const text = `{"type":1,"target":"t","arguments":["ü"]}${RS}`;
      expect(jsonHubProtocol.parseMessages(encoder.encode(text))).toEqual(jsonHubProtocol.parseMessages(text));
      expect(jsonHubProtocol.parseMessages('')).toEqual([]);
      expect(jsonHubProtocol.parseMessages(new Uint8Array(0))).toEqual([]);
    });

    it('skips message types it does not know, as the official clients do', () => {
      expect(jsonHubProtocol.parseMessages(`{"type":99,"whatever":1}${RS}{"type":6}${RS}{"type":10}${RS}`)).toEqual([
        { type: 6 },
      ]);
    });

    it('ignores unknown properties', () => {
      expect(jsonHubProtocol.parseMessages(`{"type":6,"extra":{"a":1}}${RS}`)).toEqual([{ type: 6 }]);
    });

    it.each([
      ['input without a final separator', '{"type":6}', /does not end with a record separator/],
      ['bad JSON', `{"type":6${RS}`, /not valid JSON/],
      ['an empty record', RS, /not valid JSON/],
      ['a JSON array', `[6]${RS}`, /must be a JSON object/],
      ['a JSON string', `"x"${RS}`, /must be a JSON object/],
      ['a missing type', `{}${RS}`, /A hub message must have 'type'/],
      ['a string type', `{"type":"1"}${RS}`, /'type' of a hub message must be an integer, got a string/],
      ['a fractional type', `{"type":1.5}${RS}`, /must be an integer/],
      ['a missing target', `{"type":1,"arguments":[]}${RS}`, /An Invocation message must have 'target'/],
      [
        'an empty target',
        `{"type":1,"target":"","arguments":[]}${RS}`,
        /The 'target' of an Invocation message must not be empty/,
      ],
      [
        'a numeric target',
        `{"type":1,"target":5,"arguments":[]}${RS}`,
        /The 'target' of an Invocation message must be a string, got a number/,
      ],
      ['missing arguments', `{"type":1,"target":"t"}${RS}`, /An Invocation message must have 'arguments'/],
      [
        'object arguments',
        `{"type":1,"target":"t","arguments":{}}${RS}`,
        /The 'arguments' of an Invocation message must be an array, got an object/,
      ],
      [
        'a numeric invocationId',
        `{"type":1,"invocationId":1,"target":"t","arguments":[]}${RS}`,
        /'invocationId' .* must be a string/,
      ],
      [
        'headers that are not strings',
        `{"type":1,"target":"t","arguments":[],"headers":{"a":1}}${RS}`,
        /header 'a' .* must be a string/,
      ],
      [
        'headers that are an array',
        `{"type":1,"target":"t","arguments":[],"headers":[]}${RS}`,
        /headers .* must be a map of strings/,
      ],
      [
        'stream ids that are not strings',
        `{"type":1,"target":"t","arguments":[],"streamIds":[1]}${RS}`,
        /'streamIds' .* must be strings/,
      ],
      [
        'a stream invocation without id',
        `{"type":4,"target":"t","arguments":[]}${RS}`,
        /A StreamInvocation message must have 'invocationId'/,
      ],
      ['a stream item without item', `{"type":2,"invocationId":"1"}${RS}`, /A StreamItem message must have 'item'/],
      ['a completion without id', `{"type":3,"result":1}${RS}`, /A Completion message must have 'invocationId'/],
      [
        'a completion with result and error',
        `{"type":3,"invocationId":"1","result":1,"error":"e"}${RS}`,
        /both 'result' and 'error'/,
      ],
      [
        'a completion with a numeric error',
        `{"type":3,"invocationId":"1","error":5}${RS}`,
        /'error' .* must be a string/,
      ],
      ['a cancel without id', `{"type":5}${RS}`, /A CancelInvocation message must have 'invocationId'/],
      [
        'a close with a string allowReconnect',
        `{"type":7,"allowReconnect":"yes"}${RS}`,
        /'allowReconnect' .* must be a boolean/,
      ],
      ['an ack without sequence id', `{"type":8}${RS}`, /'sequenceId' .* must be a non-negative integer/],
      [
        'a sequence with a negative id',
        `{"type":9,"sequenceId":-1}${RS}`,
        /'sequenceId' .* must be a non-negative integer/,
      ],
    ])('rejects %s with a specific message', (_name, input, pattern) => {
      expect(() => jsonHubProtocol.parseMessages(input)).toThrow(invalid(pattern));
    });

    it('rejects bytes that are not UTF-8', () => {
      const input = new Uint8Array([
        ...encoder.encode('{"type":1,"target":"'),
        0xc3,
        0x28,
        ...encoder.encode(`","arguments":[]}${RS}`),
      ]);
      expect(() => jsonHubProtocol.parseMessages(input)).toThrow(invalid(/not valid UTF-8/));
    });

    it('refuses deeply nested arguments (which no writer could write again) instead of crashing', () => {
      const depth = 5000;
      const input = `{"type":1,"target":"t","arguments":[${'['.repeat(depth)}${']'.repeat(depth)}]}${RS}`;
      expect(() => jsonHubProtocol.parseMessages(input)).toThrow(
        expect.objectContaining({
          code: 'PROTOCOL_INVALID_MESSAGE',
          message: expect.stringContaining('nested deeper than 64'),
        }) as Error,
      );
    });
  });

  describe('createReader', () => {
    const messages: HubMessage[] = [
      { type: MessageType.Invocation, invocationId: '1', target: 'échø', arguments: ['😀', { a: [1, 2] }] },
      { type: MessageType.Ping },
      { type: MessageType.Completion, invocationId: '1', result: null },
    ];
    const stream = messages.map((message) => jsonHubProtocol.writeMessage(message));
    const all = new Uint8Array(stream.reduce((sum, bytes) => sum + bytes.length, 0));
    stream.reduce((offset, bytes) => (all.set(bytes, offset), offset + bytes.length), 0);

    it('returns the same messages for every split of the byte stream, multi-byte characters included', () => {
      for (let split = 0; split <= all.length; split++) {
        const reader = jsonHubProtocol.createReader();
        const got = [...reader.push(all.subarray(0, split)), ...reader.push(all.subarray(split))];
        expect(got).toEqual(messages);
        expect(reader.pendingSize).toBe(0);
      }
    });

    it('reassembles a stream fed one byte at a time', () => {
      const reader = jsonHubProtocol.createReader();
      const got: HubMessage[] = [];
      for (let index = 0; index < all.length; index++) got.push(...reader.push(all.subarray(index, index + 1)));
      expect(got).toEqual(messages);
    });

    it('reads text chunks, and text and binary chunks mixed', () => {
      const text = decoder.decode(all);
      for (let split = 0; split <= text.length; split += 7) {
        const textReader = jsonHubProtocol.createReader();
        expect([...textReader.push(text.slice(0, split)), ...textReader.push(text.slice(split))]).toEqual(messages);
        const mixedReader = jsonHubProtocol.createReader();
        expect([
          ...mixedReader.push(text.slice(0, split)),
          ...mixedReader.push(encoder.encode(text.slice(split))),
        ]).toEqual(messages);
        const otherReader = jsonHubProtocol.createReader();
        expect([
          ...otherReader.push(encoder.encode(text.slice(0, split))),
          ...otherReader.push(text.slice(split)),
        ]).toEqual(messages);
      }
    });

    it('keeps the incomplete tail and reports its size', () => {
      const reader = jsonHubProtocol.createReader();
      expect(reader.push('{"type":6}\u001e{"type"')).toEqual([{ type: 6 }]);
      expect(reader.pendingSize).toBe(7);
      expect(reader.push(':6}\u001e')).toEqual([{ type: 6 }]);
    });

    it('does not depend on the caller keeping its chunk intact', () => {
      const reader = jsonHubProtocol.createReader();
      const chunk = encoder.encode('{"type":1,"target":"t","argu');
      reader.push(chunk);
      chunk.fill(0x20);
      const buffer = Buffer.from('{"type":1,"target":"t","argu');
      const bufferReader = jsonHubProtocol.createReader();
      bufferReader.push(buffer);
      buffer.fill(0x20);
      expect(bufferReader.push(`ments":[1]}${RS}`)).toEqual([{ type: 1, target: 't', arguments: [1] }]);
      expect(reader.push(`ments":[1]}${RS}`)).toEqual([{ type: 1, target: 't', arguments: [1] }]);
    });

    it('rejects a message over the maximum size while it is still arriving', () => {
      const reader = jsonHubProtocol.createReader({ maxMessageSize: 16 });
      expect(reader.push('{"type":6}\u001e')).toEqual([{ type: 6 }]);
      expect(() => reader.push(encoder.encode('{"type":1,"target":"'))).toThrow(
        invalid(/exceeds the maximum message size of 16 bytes/),
      );
      const textReader = jsonHubProtocol.createReader({ maxMessageSize: 16 });
      expect(() => textReader.push('{"type":1,"target":"')).toThrow(invalid(/exceeds the maximum message size/));
      const completeReader = jsonHubProtocol.createReader({ maxMessageSize: 16 });
      expect(() => completeReader.push(`{"type":1,"target":"tt","arguments":[]}${RS}`)).toThrow(
        invalid(/exceeds the maximum message size/),
      );
    });

    it('rejects an invalid maxMessageSize option', () => {
      expect(() => jsonHubProtocol.createReader({ maxMessageSize: 0 })).toThrow(
        expect.objectContaining({ code: 'PROTOCOL_UNSUPPORTED' }),
      );
      expect(() => jsonHubProtocol.createReader({ maxMessageSize: Number.NaN })).toThrow(
        expect.objectContaining({ code: 'PROTOCOL_UNSUPPORTED' }),
      );
    });
  });

  describe('parseUnframedInvocation', () => {
    it('reads an upstream body: one invocation without a record separator', () => {
      const body = encoder.encode('{"type":1,"invocationId":"7","target":"echo","arguments":["x"]}');
      expect(jsonHubProtocol.parseUnframedInvocation(body)).toEqual({
        type: 1,
        invocationId: '7',
        target: 'echo',
        arguments: ['x'],
      });
    });

    it('tolerates one trailing record separator', () => {
      const body = encoder.encode(`{"type":1,"target":"echo","arguments":[]}${RS}`);
      expect(jsonHubProtocol.parseUnframedInvocation(body)).toEqual({ type: 1, target: 'echo', arguments: [] });
    });

    it.each([
      ['an empty body', '', /body is empty/],
      ['a separator only', RS, /body is empty/],
      [
        'another message type',
        '{"type":6}',
        /must be an Invocation message \(type 1\) or a StreamInvocation \(type 4\), got a Ping message \(type 6\)/,
      ],
      [
        'an unknown message type',
        '{"type":42}',
        /must be an Invocation message \(type 1\) or a StreamInvocation \(type 4\), got an unknown message type/,
      ],
      ['two messages', `{"type":6}${RS}{"type":6}`, /not valid JSON/],
      ['bad JSON', '{"type":1,', /not valid JSON/],
    ])('rejects %s', (_name, body, pattern) => {
      expect(() => jsonHubProtocol.parseUnframedInvocation(encoder.encode(body))).toThrow(invalid(pattern));
    });
  });
});
