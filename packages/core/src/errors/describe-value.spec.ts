import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeValue } from './describe-value.js';

describe('describeValue', () => {
  it('quotes strings and cuts them at 64 characters', () => {
    expect(describeValue('chat')).toBe('"chat"');
    expect(describeValue('x'.repeat(100))).toBe(JSON.stringify(`${'x'.repeat(64)}…`));
  });

  it('shows numbers, booleans and bigints, and names every other kind', () => {
    expect(describeValue(42)).toBe('42');
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue(false)).toBe('false');
    expect(describeValue(12n)).toBe('12n');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(Symbol('s'))).toBe('a symbol');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue(new Uint8Array(2))).toBe('binary data');
    expect(describeValue({ a: 1 })).toBe('an object');
  });

  it('runs none of the value’s own code', () => {
    let called = 0;
    const hostile = {
      toString: () => (called++, 'x'),
      valueOf: () => (called++, 1),
      toJSON: () => (called++, 'x'),
      [Symbol.toPrimitive]: () => (called++, 'x'),
    };
    expect(describeValue(hostile)).toBe('an object');
    expect(describeValue({ toString: '' })).toBe('an object');
    expect(describeValue(Object.create(null))).toBe('an object');
    expect(called).toBe(0);
  });

  it('survives proxies that throw from every trap, and revoked proxies', () => {
    const throwing = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('trap');
        },
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(describeValue(throwing)).toBe('a proxy that refuses inspection');
    const { proxy, revoke } = Proxy.revocable([], {});
    revoke();
    expect(describeValue(proxy)).toBe('a proxy that refuses inspection');
  });

  it('never throws and stays short for any value', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withNullPrototype: true,
          withObjectString: true,
        }),
        (value) => {
          const shown = describeValue(value);
          // 64 characters, each escaped to at most 6 (\u0000), an ellipsis, quotes or a bigint's n.
          expect(shown.length).toBeLessThanOrEqual(64 * 6 + 3);
          if (typeof value === 'string') expect((JSON.parse(shown) as string).length).toBeLessThanOrEqual(65);
        },
      ),
    );
  });
});
