import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { isRetriable, resolveRetryPolicy } from './retry-policy.js';

describe('resolveRetryPolicy', () => {
  it('defaults to 3 retries, exponential from 800 ms', () => {
    const policy = resolveRetryPolicy(undefined);
    expect(policy.maxRetries).toBe(3);
    expect([1, 2, 3].map((retry) => policy.delayBeforeRetry(retry))).toEqual([800, 1600, 3200]);
  });

  it('caps exponential delays at maxDelayMs', () => {
    const policy = resolveRetryPolicy({ maxRetries: 10, delayMs: 1000, maxDelayMs: 5000 });
    expect([1, 2, 3, 4, 5, 10].map((retry) => policy.delayBeforeRetry(retry))).toEqual([
      1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });

  it('fixed mode always waits delayMs', () => {
    const policy = resolveRetryPolicy({ mode: 'fixed', delayMs: 250 });
    expect([1, 2, 3].map((retry) => policy.delayBeforeRetry(retry))).toEqual([250, 250, 250]);
  });

  it('false turns retries off', () => {
    expect(resolveRetryPolicy(false).maxRetries).toBe(0);
  });

  it.each([
    [{ maxRetries: -1 }, /maxRetries: -1/],
    [{ maxRetries: 11 }, /maxRetries: 11/],
    [{ maxRetries: 1.5 }, /maxRetries: 1.5/],
    [{ delayMs: -5 }, /delayMs: -5/],
    [{ delayMs: Number.NaN }, /delayMs: NaN/],
    [{ delayMs: 100, maxDelayMs: 50 }, /maxDelayMs \(50\) is below delayMs \(100\)/],
    [{ mode: 'linear' as 'fixed' }, /mode: linear/],
  ])('rejects %j', (options, message) => {
    let error: unknown;
    try {
      resolveRetryPolicy(options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect((error as ServerlessHubError).code).toBe('REST_INVALID_ARGUMENT');
    expect((error as ServerlessHubError).message).toMatch(message);
  });
});

describe('isRetriable', () => {
  it('non-send calls retry on 5xx and 408, not on other 4xx', () => {
    const retried = [400, 401, 403, 404, 408, 409, 429, 499, 500, 501, 502, 503, 504].filter((status) =>
      isRetriable(false, { kind: 'status', status }),
    );
    expect(retried).toEqual([408, 500, 501, 502, 503, 504]);
  });

  it('sends retry only on status > 500', () => {
    const retried = [400, 404, 408, 429, 500, 501, 502, 503, 504].filter((status) =>
      isRetriable(true, { kind: 'status', status }),
    );
    expect(retried).toEqual([501, 502, 503, 504]);
  });

  it('non-send calls retry on every timeout and network failure', () => {
    expect(isRetriable(false, { kind: 'timeout', beforeSend: false })).toBe(true);
    expect(isRetriable(false, { kind: 'network', beforeSend: false })).toBe(true);
  });

  it('sends retry on timeouts and network failures only before any byte was sent', () => {
    expect(isRetriable(true, { kind: 'timeout', beforeSend: true })).toBe(true);
    expect(isRetriable(true, { kind: 'network', beforeSend: true })).toBe(true);
    expect(isRetriable(true, { kind: 'timeout', beforeSend: false })).toBe(false);
    expect(isRetriable(true, { kind: 'network', beforeSend: false })).toBe(false);
  });

  it('never retries a cancelled call', () => {
    expect(isRetriable(false, { kind: 'aborted' })).toBe(false);
    expect(isRetriable(true, { kind: 'aborted' })).toBe(false);
  });
});
