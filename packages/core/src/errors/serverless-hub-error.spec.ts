import { describe, expect, it, vi } from 'vitest';
import { HubError } from '../upstream/hub-error.js';
import { ServerlessHubError } from './serverless-hub-error.js';

/**
 * A second copy of the package's error classes, as an app gets when it and a library each install (or
 * bundle) their own `@serverless-hub/core`: the module graph evaluated again, so every class is another
 * object than the one imported above.
 */
async function anotherCopy(): Promise<{ ServerlessHubError: typeof ServerlessHubError; HubError: typeof HubError }> {
  vi.resetModules();
  const [errors, hubErrors] = await Promise.all([
    import('./serverless-hub-error.js'),
    import('../upstream/hub-error.js'),
  ]);
  return { ServerlessHubError: errors.ServerlessHubError, HubError: hubErrors.HubError };
}

describe('ServerlessHubError.is', () => {
  it('knows the errors of this copy, and with a code only those of that code', () => {
    const error = new ServerlessHubError('REST_TIMEOUT', 'POST /api/hubs/chat/:send timed out', { status: 504 });
    expect(ServerlessHubError.is(error)).toBe(true);
    expect(ServerlessHubError.is(error, 'REST_TIMEOUT')).toBe(true);
    expect(ServerlessHubError.is(error, 'REST_NETWORK')).toBe(false);
    expect(ServerlessHubError.is(new HubError('Room is full.'), 'HUB_ERROR')).toBe(true);
  });

  it('refuses every value without the brand, whatever it looks like', () => {
    const lookalike = Object.assign(new Error('no'), { name: 'ServerlessHubError', code: 'REST_TIMEOUT' });
    class ServerlessHubErrorLookalike extends Error {
      readonly code = 'REST_TIMEOUT';
    }
    for (const value of [
      undefined,
      null,
      0,
      'ServerlessHubError',
      Symbol('x'),
      {},
      new Error('x'),
      lookalike,
      new ServerlessHubErrorLookalike(),
      { code: 'REST_TIMEOUT' },
    ]) {
      expect(ServerlessHubError.is(value), typeof value).toBe(false);
      expect(ServerlessHubError.is(value, 'REST_TIMEOUT')).toBe(false);
    }
    // A brand of another value than `true` is not the brand either.
    expect(
      ServerlessHubError.is({ [Symbol.for('@serverless-hub/core/ServerlessHubError')]: 'yes', code: 'REST_TIMEOUT' }),
    ).toBe(false);
  });

  it('knows the errors of another copy of the package, where instanceof does not', async () => {
    const other = await anotherCopy();
    expect(other.ServerlessHubError).not.toBe(ServerlessHubError);
    const theirs = new other.ServerlessHubError(
      'SETTING_MISSING',
      'The app setting AzureSignalRConnectionString is not set.',
    );
    const theirHubError = new other.HubError('Room is full.');
    expect(theirs instanceof ServerlessHubError).toBe(false);
    expect(ServerlessHubError.is(theirs)).toBe(true);
    expect(ServerlessHubError.is(theirs, 'SETTING_MISSING')).toBe(true);
    expect(ServerlessHubError.is(theirs, 'TOKEN_INVALID')).toBe(false);
    expect(ServerlessHubError.is(theirHubError, 'HUB_ERROR')).toBe(true);
    // And the other way round.
    expect(other.ServerlessHubError.is(new HubError('mine'), 'HUB_ERROR')).toBe(true);
  });

  it('knows a plain object that carries the brand (an error rebuilt by a copy that only shares the symbol)', () => {
    const branded = {
      [Symbol.for('@serverless-hub/core/ServerlessHubError')]: true,
      code: 'UPSTREAM_FORBIDDEN',
      message: 'no',
    };
    expect(ServerlessHubError.is(branded)).toBe(true);
    expect(ServerlessHubError.is(branded, 'UPSTREAM_FORBIDDEN')).toBe(true);
    expect(ServerlessHubError.is(branded, 'HUB_ERROR')).toBe(false);
  });

  it('keeps the brand off the instance: an error has no own symbol key and compares and logs as before', () => {
    const error = new ServerlessHubError('TOKEN_INVALID', 'The token has expired.');
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(Object.keys(error).sort()).toEqual(['code', 'details', 'name', 'status']);
    expect(error).toEqual(new ServerlessHubError('TOKEN_INVALID', 'The token has expired.'));
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'ServerlessHubError', code: 'TOKEN_INVALID' });
  });
});
