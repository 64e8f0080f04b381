// Property tests of the MessagePack length prefix: every length from 0 to 2^31 - 1 round-trips in the
// size lengthPrefixSize announces; a prefix cut short reads as "wait for more"; any bytes read as a
// prefix or give PROTOCOL_INVALID_MESSAGE; lengths that cannot be written are refused the same way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { MAX_LENGTH_PREFIX_VALUE, lengthPrefixSize, readLengthPrefix, writeLengthPrefix } from './varint.js';

const RUNS = 500;

const length = fc.oneof(
  fc.integer({ min: 0, max: MAX_LENGTH_PREFIX_VALUE }),
  // the edges between prefix sizes
  fc.constantFrom(
    0,
    0x7f,
    0x80,
    0x3fff,
    0x4000,
    0x1f_ffff,
    0x20_0000,
    0xfff_ffff,
    0x1000_0000,
    MAX_LENGTH_PREFIX_VALUE,
  ),
);

function expectInvalid(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect((error as ServerlessHubError).code).toBe('PROTOCOL_INVALID_MESSAGE');
    return;
  }
  expect.fail('expected PROTOCOL_INVALID_MESSAGE');
}

describe('length prefix properties', () => {
  it('every length round-trips at any offset, in the announced number of bytes', () => {
    fc.assert(
      fc.property(length, fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 4 }), (value, before, after) => {
        const target = new Uint8Array(before.length + 5 + after.length);
        target.set(before);
        const end = writeLengthPrefix(value, target, before.length);
        expect(end - before.length).toBe(lengthPrefixSize(value));
        target.set(after, end);
        expect(readLengthPrefix(target, before.length)).toEqual({
          length: value,
          prefixLength: lengthPrefixSize(value),
        });
        // Cut anywhere inside the prefix: not an error, just incomplete.
        for (let cut = before.length; cut < end; cut++)
          expect(readLengthPrefix(target.subarray(0, cut), before.length)).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('any bytes read as a prefix within limits, as incomplete, or give PROTOCOL_INVALID_MESSAGE', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), (bytes) => {
        let result: ReturnType<typeof readLengthPrefix>;
        try {
          result = readLengthPrefix(bytes, 0);
        } catch (error) {
          expect((error as ServerlessHubError).code).toBe('PROTOCOL_INVALID_MESSAGE');
          // Only a fifth byte can overflow.
          expect(bytes.length).toBeGreaterThanOrEqual(5);
          return;
        }
        if (result === undefined) {
          expect(bytes.every((byte) => byte >= 0x80)).toBe(true);
          expect(bytes.length).toBeLessThan(5);
          return;
        }
        expect(result.length).toBeGreaterThanOrEqual(0);
        expect(result.length).toBeLessThanOrEqual(MAX_LENGTH_PREFIX_VALUE);
        expect(result.prefixLength).toBeLessThanOrEqual(5);
      }),
      { numRuns: RUNS },
    );
  });

  it('lengths that are negative, fractional, not numbers or too large cannot be written', () => {
    const bad = fc.oneof(
      fc.integer({ max: -1 }),
      fc.integer({ min: MAX_LENGTH_PREFIX_VALUE + 1, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ noInteger: true }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53),
    );
    fc.assert(
      fc.property(bad, (value) => {
        expectInvalid(() => writeLengthPrefix(value, new Uint8Array(5), 0));
      }),
      { numRuns: RUNS },
    );
  });
});
