import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { describeError, errorDetail, errorMessage } from './describe-error.js';

class HubFailure extends Error {
  override name = 'HubFailure';
}

const hostileValues: unknown[] = [
  null,
  undefined,
  Object.create(null),
  { toString: '' },
  {
    toString() {
      throw new Error('toString');
    },
  },
  Symbol('thrown'),
  (() => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  })(),
];

describe('describeError / errorMessage / errorDetail', () => {
  it('show the name and message of an Error, and its stack for logs', () => {
    const error = new HubFailure('room is full');
    expect(describeError(error)).toBe('HubFailure: room is full');
    expect(errorMessage(error)).toBe('room is full');
    expect(errorDetail(error)).toContain('HubFailure: room is full\n    at ');
    expect(describeError(new Error(''))).toBe('Error');
  });

  it('describe non-Error values without running their code', () => {
    expect(describeError('boom')).toBe('a non-Error value was thrown: "boom"');
    expect(errorMessage(42)).toBe('a non-Error value was thrown: 42');
    expect(errorDetail(null)).toBe('a non-Error value was thrown: null');
    expect(describeError(Object.create(null))).toBe('a non-Error value was thrown: an object');
  });

  it('never throw, whatever was thrown', () => {
    for (const value of hostileValues) {
      for (const format of [describeError, errorMessage, errorDetail]) {
        expect(typeof format(value)).toBe('string');
      }
    }
  });

  it('recognize an Error made in another realm', () => {
    const foreign: unknown = runInNewContext("new RangeError('from a vm context')");
    expect(foreign instanceof Error).toBe(false);
    expect(describeError(foreign)).toBe('RangeError: from a vm context');
    expect(errorMessage(foreign)).toBe('from a vm context');
  });

  it('survive an Error whose fields are getters that throw', () => {
    const error = new Error('hidden');
    // stack first: replacing it after name would make V8 format the stack, reading the throwing name.
    for (const field of ['stack', 'message', 'name']) {
      Object.defineProperty(error, field, {
        get() {
          throw new Error(field);
        },
      });
    }
    expect(describeError(error)).toBe('Error');
    expect(errorMessage(error)).toBe('');
    expect(errorDetail(error)).toBe('Error');
  });
});
