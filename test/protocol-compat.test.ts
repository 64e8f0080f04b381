// Byte compatibility of the hub protocol codecs with the official client: everything the official
// JavaScript client writes, ours reads to the same messages, and everything ours writes, the
// official client reads as it reads its own output.
import { createRequire } from 'node:module';
import { JsonHubProtocol, NullLogger } from '@microsoft/signalr';
import type { HubMessage as OfficialHubMessage } from '@microsoft/signalr';
import type { HandshakeProtocol as OfficialHandshakeProtocol } from '@microsoft/signalr/dist/esm/HandshakeProtocol.js';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import {
  MessageType,
  jsonHubProtocol,
  messagePackHubProtocol,
  parseHandshakeRequest,
  parseHandshakeResponse,
  writeHandshakeRequest,
  writeHandshakeResponse,
} from '@serverless-hub/core/protocol';
import type { HubMessage } from '@serverless-hub/core/protocol';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// The handshake codec is internal to the client package; load it from its CommonJS build.
const { HandshakeProtocol } = require('@microsoft/signalr/dist/cjs/HandshakeProtocol.js') as {
  HandshakeProtocol: new () => OfficialHandshakeProtocol;
};

const logger = NullLogger.instance;
const officialJson = new JsonHubProtocol();
const officialMessagePack = new MessagePackHubProtocol();
const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Values

const unicode = 'ascii, é, ß, 中文, emoji 😀👍🏽, RTL עברית, NUL \u0000, RS \u001e, quote " backslash \\ newline \n';

/** Values with a JSON form: every JSON type, nested. */
const jsonValues: Record<string, unknown> = {
  null: null,
  true: true,
  false: false,
  zero: 0,
  'negative integer': -42,
  float: 3.141592653589793,
  'negative float': -0.000123,
  'huge float': 1.7976931348623157e308,
  'max safe integer': Number.MAX_SAFE_INTEGER,
  'min safe integer': Number.MIN_SAFE_INTEGER,
  'integer beyond 32 bits': 2 ** 40 + 7,
  'empty string': '',
  unicode,
  'empty array': [],
  'empty map': {},
  'nested maps': {
    user: { name: 'Ada', tags: ['a', 'b'], address: { city: 'Zürich', zip: null } },
    count: 2,
    ok: true,
  },
  'array of everything': [null, true, 1, -1.5, 'x', [[], [[]]], { a: { b: { c: [1, { d: 'deep' }] } } }],
};

/** MessagePack adds binary, dates and 64-bit integers to the JSON values. */
const messagePackValues: Record<string, unknown> = {
  ...jsonValues,
  'empty binary': new Uint8Array(0),
  binary: new Uint8Array([0, 1, 2, 127, 128, 254, 255]),
  'large binary': new Uint8Array(70_000).map((_, index) => index % 251),
  'binary in a map': { file: new Uint8Array([1, 2, 3]), name: 'f.bin' },
  'int64 min': -(2 ** 63),
  'uint64 above 2^53': 2 ** 60,
  'negative beyond 32 bits': -(2 ** 40) - 3,
  date: new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
  'map with integer keys': { 1: 'one', 2: 'two' },
  'long string': 'x'.repeat(70_000),
};

// ---------------------------------------------------------------------------------------------
// Messages

/** One message of every type that carries a value, for every value; plus the value-less types. */
function messagesFor(value: unknown): HubMessage[] {
  return [
    { type: MessageType.Invocation, target: 'send', arguments: [value] },
    { type: MessageType.Invocation, invocationId: '17', target: 'invoke', arguments: [value, value] },
    {
      type: MessageType.Invocation,
      invocationId: '18',
      target: 'upload',
      arguments: [value],
      streamIds: ['s1', 's2'],
      headers: { h: 'v' },
    },
    { type: MessageType.StreamInvocation, invocationId: '19', target: 'counter', arguments: [value] },
    { type: MessageType.StreamItem, invocationId: '19', item: value },
    { type: MessageType.Completion, invocationId: '17', result: value },
  ];
}

const valuelessMessages: HubMessage[] = [
  { type: MessageType.Invocation, target: 'noArguments', arguments: [] },
  { type: MessageType.Completion, invocationId: '1' },
  { type: MessageType.Completion, invocationId: '2', error: 'Something failed: ümlaut 😀' },
  { type: MessageType.Completion, invocationId: '3', result: null, headers: { trace: 'abc' } },
  { type: MessageType.CancelInvocation, invocationId: '4' },
  { type: MessageType.Ping },
  { type: MessageType.Close },
  { type: MessageType.Ack, sequenceId: 1 },
  { type: MessageType.Sequence, sequenceId: 2 ** 40 },
];

/** What our parser returns for a message: empty headers and stream ids mean none. */
function normalized(message: HubMessage): HubMessage {
  const copy: Record<string, unknown> = { ...message };
  if (copy.headers !== undefined && Object.keys(copy.headers as object).length === 0) delete copy.headers;
  if (Array.isArray(copy.streamIds) && copy.streamIds.length === 0) delete copy.streamIds;
  if (copy.result === undefined) delete copy.result;
  return copy as unknown as HubMessage;
}

function asOfficial(message: HubMessage): OfficialHubMessage {
  return message as unknown as OfficialHubMessage;
}

function officialMessagePackBytes(message: HubMessage): Uint8Array {
  return new Uint8Array(officialMessagePack.writeMessage(asOfficial(message)));
}

/** A standalone ArrayBuffer holding exactly `bytes`, as the official parser requires. */
function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

/** Length of the varint prefix at the start of a framed MessagePack message, read independently. */
function prefixLength(bytes: Uint8Array): number {
  let index = 0;
  while (((bytes[index] ?? 0) & 0x80) !== 0) index++;
  return index + 1;
}

const jsonCases = Object.entries(jsonValues).flatMap(([name, value]) =>
  messagesFor(value).map((message) => [`${messageName(message)} with ${name}`, message] as const),
);
const messagePackCases = Object.entries(messagePackValues).flatMap(([name, value]) =>
  messagesFor(value).map((message) => [`${messageName(message)} with ${name}`, message] as const),
);
const valuelessCases = valuelessMessages.map(
  (message) => [`${messageName(message)} ${JSON.stringify(message)}`, message] as const,
);

function messageName(message: HubMessage): string {
  return Object.entries(MessageType).find(([, type]) => type === message.type)?.[0] ?? String(message.type);
}

// ---------------------------------------------------------------------------------------------

describe('JSON protocol against @microsoft/signalr JsonHubProtocol', () => {
  it.each([...jsonCases, ...valuelessCases])('official → ours: %s', (_name, message) => {
    const written = officialJson.writeMessage(asOfficial(message));
    expect(jsonHubProtocol.parseMessages(written)).toEqual([normalized(message)]);
    expect(jsonHubProtocol.parseMessages(textEncoder.encode(written))).toEqual([normalized(message)]);
  });

  it.each([...jsonCases, ...valuelessCases])('ours → official: %s', (_name, message) => {
    const ours = textDecoder.decode(jsonHubProtocol.writeMessage(message));
    const theirs = officialJson.writeMessage(asOfficial(message));
    expect(officialJson.parseMessages(ours, logger)).toEqual(officialJson.parseMessages(theirs, logger));
  });

  it('keeps a null result apart from a void completion in both directions', () => {
    const nullResult = officialJson.writeMessage(
      asOfficial({ type: MessageType.Completion, invocationId: '1', result: null }),
    );
    const voidResult = officialJson.writeMessage(asOfficial({ type: MessageType.Completion, invocationId: '1' }));
    expect(jsonHubProtocol.parseMessages(nullResult)[0]).toHaveProperty('result', null);
    expect(jsonHubProtocol.parseMessages(voidResult)[0]).not.toHaveProperty('result');
    const [ourNull] = officialJson.parseMessages(
      textDecoder.decode(jsonHubProtocol.writeMessage({ type: 3, invocationId: '1', result: null })),
      logger,
    );
    const [ourVoid] = officialJson.parseMessages(
      textDecoder.decode(jsonHubProtocol.writeMessage({ type: 3, invocationId: '1' })),
      logger,
    );
    expect(ourNull).toHaveProperty('result', null);
    expect(ourVoid).not.toHaveProperty('result');
  });

  it('writes binary as base64 and bigints as exact numbers, which the official client reads as a string and a number', () => {
    const written = textDecoder.decode(
      jsonHubProtocol.writeMessage({
        type: MessageType.Invocation,
        target: 't',
        arguments: [new Uint8Array([104, 105]), 2n ** 62n],
      }),
    );
    expect(officialJson.parseMessages(written, logger)).toEqual([
      { type: 1, target: 't', arguments: ['aGk=', 2 ** 62] },
    ]);
    expect(written).toContain(`${(2n ** 62n).toString()}]`);
  });

  it('writes Close with error and allowReconnect so that the official client reads both', () => {
    const written = textDecoder.decode(
      jsonHubProtocol.writeMessage({ type: MessageType.Close, error: 'Server shutting down.', allowReconnect: true }),
    );
    expect(officialJson.parseMessages(written, logger)).toEqual([
      { type: 7, error: 'Server shutting down.', allowReconnect: true },
    ]);
  });

  const batchMessages = [...messagesFor(jsonValues['nested maps']), ...messagesFor(unicode), ...valuelessMessages];

  it('reads a batch the official client wrote, split at every position, as text and as bytes', () => {
    const text = batchMessages.map((message) => officialJson.writeMessage(asOfficial(message))).join('');
    const bytes = textEncoder.encode(text);
    const expected = batchMessages.map(normalized);
    expect(jsonHubProtocol.parseMessages(text)).toEqual(expected);
    for (let split = 0; split <= bytes.length; split += 3) {
      const reader = jsonHubProtocol.createReader();
      expect([...reader.push(bytes.subarray(0, split)), ...reader.push(bytes.subarray(split))]).toEqual(expected);
    }
    for (let split = 0; split <= text.length; split += 5) {
      const reader = jsonHubProtocol.createReader();
      expect([...reader.push(text.slice(0, split)), ...reader.push(text.slice(split))]).toEqual(expected);
    }
  });

  it('writes a batch the official client reads in one go', () => {
    const batch = textDecoder.decode(concat(batchMessages.map((message) => jsonHubProtocol.writeMessage(message))));
    const theirs = batchMessages.map((message) => officialJson.writeMessage(asOfficial(message))).join('');
    expect(officialJson.parseMessages(batch, logger)).toEqual(officialJson.parseMessages(theirs, logger));
  });

  it.each(jsonCases.filter(([, message]) => message.type === MessageType.Invocation))(
    'reads the upstream body of %s',
    (_name, message) => {
      const framed = officialJson.writeMessage(asOfficial(message));
      const body = textEncoder.encode(framed.slice(0, -1));
      expect(jsonHubProtocol.parseUnframedInvocation(body)).toEqual(normalized(message));
    },
  );
});

describe('MessagePack protocol against @microsoft/signalr-protocol-msgpack MessagePackHubProtocol', () => {
  it.each([...messagePackCases, ...valuelessCases])(
    'writes the same bytes as the official client: %s',
    (_name, message) => {
      expect(messagePackHubProtocol.writeMessage(message)).toEqual(officialMessagePackBytes(message));
    },
  );

  it.each([...messagePackCases, ...valuelessCases])('official → ours: %s', (_name, message) => {
    expect(messagePackHubProtocol.parseMessages(officialMessagePackBytes(message))).toEqual([normalized(message)]);
  });

  it.each([...messagePackCases, ...valuelessCases])('ours → official: %s', (_name, message) => {
    const ours = officialMessagePack.parseMessages(arrayBufferOf(messagePackHubProtocol.writeMessage(message)), logger);
    const theirs = officialMessagePack.parseMessages(arrayBufferOf(officialMessagePackBytes(message)), logger);
    expect(ours).toEqual(theirs);
  });

  it('keeps a nil result apart from a void completion in both directions', () => {
    const nullResult = officialMessagePackBytes({ type: 3, invocationId: '1', result: null });
    const voidResult = officialMessagePackBytes({ type: 3, invocationId: '1' });
    expect(messagePackHubProtocol.parseMessages(nullResult)[0]).toHaveProperty('result', null);
    expect(messagePackHubProtocol.parseMessages(voidResult)[0]).not.toHaveProperty('result');
  });

  it('writes bigints that the official client reads as 64-bit integers', () => {
    const written = messagePackHubProtocol.writeMessage({
      type: MessageType.Invocation,
      target: 't',
      arguments: [2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 5n],
    });
    expect(officialMessagePack.parseMessages(arrayBufferOf(written), logger)).toEqual([
      { type: 1, headers: {}, target: 't', arguments: [2 ** 63, -(2 ** 63), 2 ** 64, 5], streamIds: [] },
    ]);
  });

  it('writes Close with error and allowReconnect as ASP.NET Core does, and the official client reads both', () => {
    const written = messagePackHubProtocol.writeMessage({
      type: MessageType.Close,
      error: 'Server shutting down.',
      allowReconnect: true,
    });
    expect(officialMessagePack.parseMessages(arrayBufferOf(written), logger)).toEqual([
      { type: 7, error: 'Server shutting down.', allowReconnect: true },
    ]);
  });

  const batchMessages = [
    ...messagesFor(messagePackValues['binary in a map']),
    ...messagesFor(unicode),
    ...valuelessMessages,
  ];

  it('reads a batch the official client wrote, split at every position', () => {
    const bytes = concat(batchMessages.map(officialMessagePackBytes));
    const expected = batchMessages.map(normalized);
    expect(messagePackHubProtocol.parseMessages(bytes)).toEqual(expected);
    for (let split = 0; split <= bytes.length; split++) {
      const reader = messagePackHubProtocol.createReader();
      expect([...reader.push(bytes.subarray(0, split)), ...reader.push(bytes.subarray(split))]).toEqual(expected);
    }
  });

  it('reads large messages arriving in small chunks', () => {
    const messages = messagesFor(messagePackValues['large binary']);
    const bytes = concat(messages.map(officialMessagePackBytes));
    const reader = messagePackHubProtocol.createReader();
    const got: HubMessage[] = [];
    for (let offset = 0; offset < bytes.length; offset += 1000)
      got.push(...reader.push(bytes.subarray(offset, offset + 1000)));
    expect(got).toEqual(messages.map(normalized));
  });

  it('writes a batch the official client reads in one go', () => {
    const ours = officialMessagePack.parseMessages(
      arrayBufferOf(concat(batchMessages.map((message) => messagePackHubProtocol.writeMessage(message)))),
      logger,
    );
    const theirs = officialMessagePack.parseMessages(
      arrayBufferOf(concat(batchMessages.map(officialMessagePackBytes))),
      logger,
    );
    expect(ours).toEqual(theirs);
  });

  it.each(messagePackCases.filter(([, message]) => message.type === MessageType.Invocation))(
    'reads the upstream body of %s',
    (_name, message) => {
      const framed = officialMessagePackBytes(message);
      expect(messagePackHubProtocol.parseUnframedInvocation(framed.subarray(prefixLength(framed)))).toEqual(
        normalized(message),
      );
    },
  );
});

describe('handshake against the official HandshakeProtocol', () => {
  const official = new HandshakeProtocol();

  it('reads the request the official client writes, and writes the same bytes', () => {
    for (const request of [
      { protocol: 'json', version: 1 },
      { protocol: 'messagepack', version: 2 },
    ]) {
      const theirs = official.writeHandshakeRequest(request);
      expect(parseHandshakeRequest(theirs)?.message).toEqual(request);
      expect(textDecoder.decode(writeHandshakeRequest(request))).toBe(theirs);
    }
  });

  it('writes responses the official client reads, with the messages that follow', () => {
    const ping = messagePackHubProtocol.writeMessage({ type: MessageType.Ping });
    const [remaining, response] = official.parseHandshakeResponse(
      arrayBufferOf(concat([writeHandshakeResponse(), ping])),
    ) as [ArrayBuffer, unknown];
    expect(response).toEqual({});
    expect(new Uint8Array(remaining)).toEqual(ping);
    const [, refused] = official.parseHandshakeResponse(
      textDecoder.decode(writeHandshakeResponse("The protocol 'xml' is not supported.")),
    );
    expect(refused).toEqual({ error: "The protocol 'xml' is not supported." });
  });

  it('reads a response written the way the official client expects it', () => {
    expect(parseHandshakeResponse('{}\u001e{"type":6}\u001e')?.message).toEqual({});
  });
});
