import { describe, expect, it, vi } from 'vitest';
import { EmulatorError } from './emulator-error.js';

describe('EmulatorError.is', () => {
  it('knows the errors of this copy, and with a code only those of that code', () => {
    const error = new EmulatorError('LISTEN_FAILED', 'Port 8888 is in use.');
    expect(EmulatorError.is(error)).toBe(true);
    expect(EmulatorError.is(error, 'LISTEN_FAILED')).toBe(true);
    expect(EmulatorError.is(error, 'CONFIG_INVALID')).toBe(false);
  });

  it('refuses every value without the brand, whatever it looks like', () => {
    const lookalike = Object.assign(new Error('no'), { name: 'EmulatorError', code: 'LISTEN_FAILED' });
    for (const value of [undefined, null, 'EmulatorError', {}, new Error('x'), lookalike, { code: 'LISTEN_FAILED' }]) {
      expect(EmulatorError.is(value)).toBe(false);
    }
    // The core package's brand is another brand.
    expect(
      EmulatorError.is({ [Symbol.for('@serverless-hub/core/ServerlessHubError')]: true, code: 'LISTEN_FAILED' }),
    ).toBe(false);
  });

  it('knows the errors of another copy of the package, where instanceof does not', async () => {
    vi.resetModules();
    const other = (await import('./emulator-error.js')).EmulatorError;
    expect(other).not.toBe(EmulatorError);
    const theirs = new other('APP_LOAD_FAILED', 'The app registered no functions.');
    expect(theirs instanceof EmulatorError).toBe(false);
    expect(EmulatorError.is(theirs, 'APP_LOAD_FAILED')).toBe(true);
    expect(other.is(new EmulatorError('INVALID_STATE', 'Started twice.'), 'INVALID_STATE')).toBe(true);
  });

  it('knows a plain object that carries the brand', () => {
    const branded = {
      [Symbol.for('@serverless-hub/emulator/EmulatorError')]: true,
      code: 'CONFIG_INVALID',
      message: 'bad',
    };
    expect(EmulatorError.is(branded, 'CONFIG_INVALID')).toBe(true);
    expect(EmulatorError.is(branded, 'LISTEN_FAILED')).toBe(false);
  });

  it('keeps the brand off the instance', () => {
    expect(Object.getOwnPropertySymbols(new EmulatorError('CONFIG_INVALID', 'bad'))).toEqual([]);
  });
});
