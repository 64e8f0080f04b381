import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { MAX_LENGTH_PREFIX_VALUE, lengthPrefixSize, readLengthPrefix, writeLengthPrefix } from './varint.js';

function encode(length: number): number[] {
  const target = new Uint8Array(5);
  const end = writeLengthPrefix(length, target, 0);
  return [...target.subarray(0, end)];
}

describe('writeLengthPrefix', () => {
  it('writes 7 bits per byte, least significant group first, high bit on all but the last byte', () => {
    expect(encode(0)).toEqual([0x00]);
    expect(encode(0x7f)).toEqual([0x7f]);
    expect(encode(0x80)).toEqual([0x80, 0x01]);
    expect(encode(300)).toEqual([0xac, 0x02]);
    expect(encode(0x3fff)).toEqual([0xff, 0x7f]);
    expect(encode(0x4000)).toEqual([0x80, 0x80, 0x01]);
    expect(encode(MAX_LENGTH_PREFIX_VALUE)).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
  });

  it('writes at the given offset and returns the offset after the prefix', () => {
    const target = new Uint8Array([9, 9, 9, 9]);
    expect(writeLengthPrefix(0x80, target, 1)).toBe(3);
    expect([...target]).toEqual([9, 0x80, 0x01, 9]);
  });

  it('agrees with lengthPrefixSize at every boundary', () => {
    for (const length of [
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
    ]) {
      expect(encode(length)).toHaveLength(lengthPrefixSize(length));
    }
  });

  it('rejects lengths that cannot be framed', () => {
    for (const length of [-1, 1.5, MAX_LENGTH_PREFIX_VALUE + 1, Number.NaN]) {
      expect(() => writeLengthPrefix(length, new Uint8Array(5), 0)).toThrow(ServerlessHubError);
    }
  });
});

describe('readLengthPrefix', () => {
  it('reads what writeLengthPrefix writes, for any length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_LENGTH_PREFIX_VALUE }), fc.nat(3), (length, offset) => {
        const target = new Uint8Array(offset + 5);
        const end = writeLengthPrefix(length, target, offset);
        expect(readLengthPrefix(target, offset)).toEqual({ length, prefixLength: end - offset });
      }),
    );
  });

  it('returns undefined while the prefix is incomplete', () => {
    expect(readLengthPrefix(new Uint8Array([]), 0)).toBeUndefined();
    expect(readLengthPrefix(new Uint8Array([0x80]), 0)).toBeUndefined();
    expect(readLengthPrefix(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 0)).toBeUndefined();
    expect(readLengthPrefix(new Uint8Array([0x05, 0x80]), 1)).toBeUndefined();
  });

  it('accepts non-minimal encodings, as the official parsers do', () => {
    expect(readLengthPrefix(new Uint8Array([0x80, 0x00]), 0)).toEqual({ length: 0, prefixLength: 2 });
    expect(readLengthPrefix(new Uint8Array([0x81, 0x80, 0x80, 0x80, 0x00]), 0)).toEqual({ length: 1, prefixLength: 5 });
  });

  it('rejects a prefix longer than 5 bytes', () => {
    const read = () => readLengthPrefix(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 0);
    expect(read).toThrow(ServerlessHubError);
    expect(read).toThrow(/longer than 5 bytes/);
  });

  it('rejects a value of 2 GB or more', () => {
    expect(() => readLengthPrefix(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x08]), 0)).toThrow(
      expect.objectContaining({ code: 'PROTOCOL_INVALID_MESSAGE', message: expect.stringMatching(/2 GB/) }),
    );
  });
});
