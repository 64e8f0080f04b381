// Property tests of both hub protocol codecs over every message type: single messages and batches
// round-trip, also when the batch arrives cut into arbitrary chunks; upstream bodies (unframed
// invocations) round-trip; and valid frames that are mutated (bytes changed, removed, inserted, cut)
// only ever give messages or PROTOCOL_INVALID_MESSAGE, through parseMessages and the incremental reader.
// (codec-fuzz.spec.ts covers purely random bytes and message-shaped values.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { MessageType } from './hub-message.js';
import type { HubMessage, InvocationMessage } from './hub-message.js';
import type { HubProtocol } from './hub-protocol.js';
import { jsonHubProtocol } from './json-hub-protocol.js';
import { messagePackHubProtocol } from './message-pack-hub-protocol.js';

const RUNS = 150;

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

const nonEmpty = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  anyText(12).filter((text) => text !== ''),
);
const key = fc.string({ maxLength: 8 }).filter((text) => text !== '__proto__');

// Neither protocol keeps -0: JSON has no such number, and MessagePack writes it as the integer 0
// (as the official client does, with the same encoder).
function withoutNegativeZero(number: number): number {
  return Object.is(number, -0) ? 0 : number;
}

/** Values of one protocol: JSON values, plus what MessagePack adds (binary, dates, non-finite numbers, large integers). */
function values(protocol: 'json' | 'messagepack'): fc.Arbitrary<unknown> {
  const leaf =
    protocol === 'json'
      ? fc.oneof(
          fc.constant(null),
          fc.boolean(),
          fc.maxSafeInteger(),
          fc.double({ noNaN: true, noDefaultInfinity: true }).map(withoutNegativeZero),
          anyText(16),
        )
      : fc.oneof(
          fc.constant(null),
          fc.boolean(),
          fc.maxSafeInteger(),
          fc.double().map(withoutNegativeZero),
          anyText(16),
          fc.uint8Array({ maxLength: 16 }),
          fc.date({ noInvalidDate: true, min: new Date(-8_640_000_000_000), max: new Date(8_640_000_000_000) }),
        );
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
}

const headers = fc.option(fc.dictionary(key, fc.string({ maxLength: 8 }), { minKeys: 1, maxKeys: 3 }), {
  nil: undefined,
});
const streamIds = fc.option(fc.array(nonEmpty, { minLength: 1, maxLength: 3 }), { nil: undefined });

function withOptional<T extends object>(base: T, optional: Record<string, unknown>): T {
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [name, item] of Object.entries(optional)) if (item !== undefined) result[name] = item;
  return result as T;
}

function invocation(value: fc.Arbitrary<unknown>): fc.Arbitrary<InvocationMessage> {
  return fc
    .record({
      headers,
      invocationId: fc.option(nonEmpty, { nil: undefined }),
      target: nonEmpty,
      arguments: fc.array(value, { maxLength: 4 }),
      streamIds,
    })
    .map(({ headers: h, invocationId, target, arguments: args, streamIds: ids }) =>
      withOptional<InvocationMessage>(
        { type: MessageType.Invocation, target, arguments: args },
        { headers: h, invocationId, streamIds: ids },
      ),
    );
}

function message(protocol: 'json' | 'messagepack'): fc.Arbitrary<HubMessage> {
  const value = values(protocol);
  return fc.oneof(
    invocation(value),
    fc
      .record({ headers, invocationId: nonEmpty, item: value })
      .map(({ headers: h, invocationId, item }) =>
        withOptional<HubMessage>({ type: MessageType.StreamItem, invocationId, item }, { headers: h }),
      ),
    fc
      .record({
        headers,
        invocationId: nonEmpty,
        outcome: fc.oneof(fc.record({ result: value }), fc.record({ error: anyText(20) }), fc.constant({})),
      })
      .map(({ headers: h, invocationId, outcome }) =>
        withOptional<HubMessage>({ type: MessageType.Completion, invocationId, ...outcome }, { headers: h }),
      ),
    fc
      .record({
        headers,
        invocationId: nonEmpty,
        target: nonEmpty,
        arguments: fc.array(value, { maxLength: 3 }),
        streamIds,
      })
      .map(({ headers: h, invocationId, target, arguments: args, streamIds: ids }) =>
        withOptional<HubMessage>(
          { type: MessageType.StreamInvocation, invocationId, target, arguments: args },
          { headers: h, streamIds: ids },
        ),
      ),
    fc
      .record({ headers, invocationId: nonEmpty })
      .map(({ headers: h, invocationId }) =>
        withOptional<HubMessage>({ type: MessageType.CancelInvocation, invocationId }, { headers: h }),
      ),
    fc.constant<HubMessage>({ type: MessageType.Ping }),
    fc
      // An empty Close error means "no error" in MessagePack (as ASP.NET Core reads it), so errors here are non-empty.
      .record({
        error: fc.option(nonEmpty, { nil: undefined }),
        allowReconnect: fc.option(fc.boolean(), { nil: undefined }),
      })
      .map(({ error, allowReconnect }) =>
        withOptional<HubMessage>({ type: MessageType.Close }, { error, allowReconnect }),
      ),
    fc.maxSafeNat().map((sequenceId): HubMessage => ({ type: MessageType.Ack, sequenceId })),
    fc.maxSafeNat().map((sequenceId): HubMessage => ({ type: MessageType.Sequence, sequenceId })),
  );
}

const codecs = [
  { name: 'json', protocol: jsonHubProtocol, messages: message('json'), invocations: invocation(values('json')) },
  {
    name: 'messagepack',
    protocol: messagePackHubProtocol,
    messages: message('messagepack'),
    invocations: invocation(values('messagepack')),
  },
] as const;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/** Cuts `bytes` at the given (sorted, deduplicated) offsets. */
function chunks(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const result: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    result.push(bytes.slice(start, point));
    start = point;
  }
  result.push(bytes.slice(start));
  return result;
}

function mutated(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(
    fc.constantFrom('set', 'delete', 'insert', 'truncate', 'duplicate'),
    fc.nat(Math.max(0, bytes.length - 1)),
    fc.nat(255),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let result: Uint8Array = Uint8Array.from(bytes);
    for (const [kind, at, byte] of edits) {
      const index = Math.min(at, result.length);
      if (kind === 'set' && index < result.length) result[index] = byte;
      else if (kind === 'delete') result = concat([result.subarray(0, index), result.subarray(index + 1)]);
      else if (kind === 'insert')
        result = concat([result.subarray(0, index), Uint8Array.of(byte), result.subarray(index)]);
      else if (kind === 'truncate') result = result.slice(0, index);
      else result = concat([result, result.subarray(index, index + 1 + (byte % 16))]);
    }
    return result;
  });
}

function expectOnlyInvalidMessage(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect((error as ServerlessHubError).code).toBe('PROTOCOL_INVALID_MESSAGE');
  }
}

function unframed(protocol: HubProtocol, message: InvocationMessage): Uint8Array {
  const framed = protocol.writeMessage(message);
  if (protocol.name === 'json') return framed.subarray(0, framed.length - 1);
  let prefix = 0;
  while (((framed[prefix] ?? 0) & 0x80) !== 0) prefix++;
  return framed.subarray(prefix + 1);
}

describe.each(codecs)('$name codec properties', ({ protocol, messages, invocations }) => {
  it('every message type round-trips, alone and as a batch cut into arbitrary chunks', () => {
    fc.assert(
      fc.property(
        fc.array(messages, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (list, cuts) => {
          const frames = list.map((item) => protocol.writeMessage(item));
          for (const [index, frame] of frames.entries()) expect(protocol.parseMessages(frame)).toEqual([list[index]]);
          const batch = concat(frames);
          expect(protocol.parseMessages(batch)).toEqual(list);
          const reader = protocol.createReader();
          const read = chunks(batch, cuts).flatMap((chunk) => reader.push(chunk));
          expect(read).toEqual(list);
          expect(reader.pendingSize).toBe(0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('an invocation round-trips as an upstream body (no framing)', () => {
    fc.assert(
      fc.property(invocations, (item) => {
        expect(protocol.parseUnframedInvocation(unframed(protocol, item))).toEqual(item);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated frames give messages or PROTOCOL_INVALID_MESSAGE, wherever they are parsed', () => {
    const input = fc
      .array(messages, { minLength: 1, maxLength: 3 })
      .chain((list) => mutated(concat(list.map((item) => protocol.writeMessage(item)))));
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 4 }), (bytes, cuts) => {
        expectOnlyInvalidMessage(() => protocol.parseMessages(bytes));
        expectOnlyInvalidMessage(() => protocol.parseUnframedInvocation(bytes));
        expectOnlyInvalidMessage(() => {
          const reader = protocol.createReader({ maxMessageSize: 256 });
          for (const chunk of chunks(bytes, cuts)) reader.push(chunk);
        });
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('values nested up to 64 levels (the message being level 1) are read; deeper ones give PROTOCOL_INVALID_MESSAGE', () => {
    // Written by hand: the codecs' writers use JSON.stringify / the MessagePack encoder, which a deep enough value overflows.
    const nested = (depth: number, maps: boolean): unknown => {
      let value: unknown = 'leaf';
      for (let level = 0; level < depth; level++) value = maps && level % 2 === 1 ? { k: value } : [value];
      return value;
    };
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 70, max: 20_000 })),
        fc.boolean(),
        (depth, maps) => {
          // Message (level 1) > arguments (level 2) > the argument's containers (levels 3 and on).
          const accepted = 2 + depth <= 64;
          const argument = nested(depth, maps);
          let bytes: Uint8Array;
          if (protocol.name === 'json') {
            const open = Array.from({ length: depth }, (_, level) => (maps && level % 2 === 1 ? '{"k":' : '['))
              .reverse()
              .join('');
            const close = Array.from({ length: depth }, (_, level) => (maps && level % 2 === 1 ? '}' : ']')).join('');
            bytes = new TextEncoder().encode(`{"type":1,"target":"t","arguments":[${open}"leaf"${close}]}\u001e`);
          } else {
            // MessagePack: fixarray(1) = 0x91, fixmap(1) = 0x81 + fixstr "k"; the invocation as [1, {}, nil, "t", [argument]].
            const head = Array.from({ length: depth }, (_, level) =>
              maps && level % 2 === 1 ? [0x81, 0xa1, 0x6b] : [0x91],
            )
              .reverse()
              .flat();
            const body = Uint8Array.from([
              0x95,
              0x01,
              0x80,
              0xc0,
              0xa1,
              0x74,
              0x91,
              ...head,
              0xa4,
              0x6c,
              0x65,
              0x61,
              0x66,
            ]);
            const prefix: number[] = [];
            for (let size = body.length; ; size >>>= 7) {
              prefix.push((size & 0x7f) | (size > 0x7f ? 0x80 : 0));
              if (size <= 0x7f) break;
            }
            bytes = Uint8Array.from([...prefix, ...body]);
          }
          let read: unknown;
          try {
            read = protocol.parseMessages(bytes);
          } catch (error) {
            read = error;
          }
          if (accepted) expect(read).toEqual([{ type: MessageType.Invocation, target: 't', arguments: [argument] }]);
          else expect((read as ServerlessHubError).code).toBe('PROTOCOL_INVALID_MESSAGE');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a reader refuses a message over its size limit instead of buffering it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 4096 }), (limit, size) => {
        const frame = protocol.writeMessage({
          type: MessageType.Invocation,
          target: 't',
          arguments: ['x'.repeat(size)],
        });
        const reader = protocol.createReader({ maxMessageSize: limit });
        let refused: unknown;
        try {
          for (let offset = 0; offset < frame.length; offset += 16) reader.push(frame.slice(offset, offset + 16));
        } catch (error) {
          refused = error;
        }
        expect((refused as ServerlessHubError | undefined)?.code).toBe('PROTOCOL_INVALID_MESSAGE');
        expect(reader.pendingSize).toBeLessThanOrEqual(limit + 16);
      }),
      { numRuns: 50 },
    );
  });
});
