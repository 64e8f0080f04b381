// Byte arrays compared as bytes in every test: the default deep equality visits each element of a
// 70,000-byte payload as a separate value (24 s of the protocol compatibility file, 0.1 s this way). The
// verdicts are the same: arrays of one kind holding the same bytes are equal; anything else is left to the
// default comparison.
import { expect } from 'vitest';

expect.addEqualityTesters([
  (a: unknown, b: unknown) =>
    a instanceof Uint8Array && b instanceof Uint8Array && a.constructor === b.constructor
      ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
      : undefined,
]);
