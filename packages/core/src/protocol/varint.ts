import { invalidMessage } from './invalid-message.js';

/**
 * The largest message length a MessagePack length prefix can carry: 2^31 - 1 bytes, the limit of the
 * official implementations (5 prefix bytes, at most 3 bits used in the fifth).
 *
 * @example
 * ```ts
 * MAX_LENGTH_PREFIX_VALUE; // 2147483647
 * ```
 */
export const MAX_LENGTH_PREFIX_VALUE = 0x7fff_ffff;

const MAX_LENGTH_PREFIX_BYTES = 5;

/**
 * A decoded length prefix: the message length and how many bytes the prefix itself took.
 *
 * @example
 * ```ts
 * const prefix = readLengthPrefix(bytes, 0);           // undefined while the prefix is incomplete
 * if (prefix !== undefined) frame = bytes.subarray(prefix.prefixLength, prefix.prefixLength + prefix.length);
 * ```
 */
export interface LengthPrefix {
  readonly length: number;
  readonly prefixLength: number;
}

/**
 * Number of bytes the varint length prefix of a message of `length` bytes takes (1 to 5).
 *
 * @example
 * ```ts
 * lengthPrefixSize(127); // 1
 * lengthPrefixSize(128); // 2
 * ```
 */
export function lengthPrefixSize(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x4000) return 2;
  if (length < 0x20_0000) return 3;
  if (length < 0x1000_0000) return 4;
  return 5;
}

/**
 * Writes the varint length prefix of MessagePack hub messages (7 bits per byte, least significant
 * group first, high bit set when more bytes follow) into `target` at `offset`; returns the offset
 * after the prefix.
 *
 * @throws {ServerlessHubError} `PROTOCOL_INVALID_MESSAGE` when `length` is negative, not an integer
 * or above {@link MAX_LENGTH_PREFIX_VALUE}.
 * @example
 * ```ts
 * const prefix = new Uint8Array(5);
 * const end = writeLengthPrefix(300, prefix, 0); // prefix[0..2] = [0xac, 0x02], end = 2
 * ```
 */
export function writeLengthPrefix(length: number, target: Uint8Array, offset: number): number {
  if (!Number.isInteger(length) || length < 0 || length > MAX_LENGTH_PREFIX_VALUE) {
    throw invalidMessage(
      `A MessagePack message of ${length} bytes cannot be framed: the length must be an integer from 0 to ${MAX_LENGTH_PREFIX_VALUE}.`,
    );
  }
  let remaining = length;
  let position = offset;
  while (remaining >= 0x80) {
    target[position++] = (remaining & 0x7f) | 0x80;
    remaining >>>= 7;
  }
  target[position++] = remaining;
  return position;
}

/**
 * Reads a varint length prefix at `offset`. Returns `undefined` when `input` ends before the prefix
 * does (wait for more bytes).
 *
 * Non-minimal encodings (such as `0x80 0x00` for 0) are accepted, as the official parsers accept
 * them; a prefix longer than 5 bytes or a value above {@link MAX_LENGTH_PREFIX_VALUE} is rejected.
 *
 * @throws {ServerlessHubError} `PROTOCOL_INVALID_MESSAGE` for an over-long or overflowing prefix.
 * @example
 * ```ts
 * readLengthPrefix(new Uint8Array([0xac, 0x02, 0x93]), 0); // { length: 300, prefixLength: 2 }
 * readLengthPrefix(new Uint8Array([0xac]), 0); // undefined: incomplete
 * ```
 */
export function readLengthPrefix(input: Uint8Array, offset: number): LengthPrefix | undefined {
  let length = 0;
  for (let index = 0; index < MAX_LENGTH_PREFIX_BYTES; index++) {
    const position = offset + index;
    if (position >= input.length) return undefined;
    const byte = input[position] ?? 0;
    if (index === MAX_LENGTH_PREFIX_BYTES - 1) {
      if (byte > 0x07) {
        throw invalidMessage(
          (byte & 0x80) !== 0
            ? 'The MessagePack length prefix is longer than 5 bytes.'
            : 'The MessagePack length prefix declares a message of 2 GB or more, which is not supported.',
        );
      }
      // The fifth group lands in bits 28-30; multiply instead of shifting to stay clear of the sign bit.
      return { length: length + byte * 0x1000_0000, prefixLength: MAX_LENGTH_PREFIX_BYTES };
    }
    length |= (byte & 0x7f) << (7 * index);
    if ((byte & 0x80) === 0) return { length, prefixLength: index + 1 };
  }
  // Unreachable: the loop returns or throws on its fifth byte.
  throw invalidMessage('The MessagePack length prefix is longer than 5 bytes.');
}
