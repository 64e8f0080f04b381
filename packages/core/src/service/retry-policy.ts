import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { describeValue } from '../errors/describe-value.js';

/**
 * How REST calls are retried. Retries are on by default; pass `retry: false` to a client to turn them off.
 *
 * Which failures are retried follows the official SDK: calls that do not send a message retry on status
 * ≥ 500, 408, timeouts and connection failures; message sends retry only on status > 500 (the service answers
 * 500 when it may already have delivered the message) and on failures before any byte of the request left,
 * so a retry never delivers a message twice.
 *
 * @example
 * ```ts
 * const client = new ServiceHubClient(endpoint, 'chat', {
 *   retry: { mode: 'exponential', maxRetries: 5, delayMs: 500, maxDelayMs: 10_000 },
 * });
 * ```
 */
export interface RestRetryOptions {
  /** Retries after the first attempt (0 to 10). Default 3, as the official SDK. */
  readonly maxRetries?: number;
  /** `fixed`: always `delayMs`; `exponential`: `delayMs`, then doubled each retry up to `maxDelayMs`. Default `exponential`. */
  readonly mode?: 'fixed' | 'exponential';
  /** The first (or every, when fixed) delay in milliseconds. Default 800, as the official SDK. */
  readonly delayMs?: number;
  /** The longest delay in milliseconds. Default 60 000, as the official SDK. */
  readonly maxDelayMs?: number;
}

/** A resolved, validated retry policy. */
export interface RetryPolicy {
  readonly maxRetries: number;
  /** The delay before retry number `retry` (1-based). */
  delayBeforeRetry(retry: number): number;
}

/** What an attempt ended with, as far as retrying is concerned. */
export type AttemptOutcome =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'timeout'; readonly beforeSend: boolean }
  | { readonly kind: 'network'; readonly beforeSend: boolean }
  | { readonly kind: 'aborted' };

const MAX_RETRIES_LIMIT = 10;

/** No retries at all. */
export const NO_RETRIES: RetryPolicy = { maxRetries: 0, delayBeforeRetry: () => 0 };

function assertNonNegativeMilliseconds(value: number, name: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new ServerlessHubError(
      'REST_INVALID_ARGUMENT',
      `Invalid retry option ${name}: ${describeValue(value)}; expected milliseconds ≥ 0.`,
    );
  }
}

/** Validates retry options and fills in the defaults. `false` means no retries. */
export function resolveRetryPolicy(options: RestRetryOptions | false | undefined): RetryPolicy {
  if (options === false) return NO_RETRIES;
  const maxRetries = options?.maxRetries ?? 3;
  const mode = options?.mode ?? 'exponential';
  const delayMs = options?.delayMs ?? 800;
  const maxDelayMs = options?.maxDelayMs ?? Math.max(60_000, delayMs);
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
    throw new ServerlessHubError(
      'REST_INVALID_ARGUMENT',
      `Invalid retry option maxRetries: ${String(maxRetries)}; expected a whole number from 0 to ${MAX_RETRIES_LIMIT}.`,
    );
  }
  if ((mode as string) !== 'fixed' && (mode as string) !== 'exponential') {
    throw new ServerlessHubError(
      'REST_INVALID_ARGUMENT',
      `Invalid retry option mode: ${mode}; expected 'fixed' or 'exponential'.`,
    );
  }
  assertNonNegativeMilliseconds(delayMs, 'delayMs');
  assertNonNegativeMilliseconds(maxDelayMs, 'maxDelayMs');
  if (maxDelayMs < delayMs) {
    throw new ServerlessHubError(
      'REST_INVALID_ARGUMENT',
      `Invalid retry options: maxDelayMs (${maxDelayMs}) is below delayMs (${delayMs}).`,
    );
  }
  if (mode === 'fixed') return { maxRetries, delayBeforeRetry: () => delayMs };
  return { maxRetries, delayBeforeRetry: (retry) => Math.min(maxDelayMs, delayMs * 2 ** (retry - 1)) };
}

/**
 * Whether an attempt that ended with `outcome` may be retried. `isSend` marks message sends, which must
 * never be delivered twice: they retry only on status > 500 and on failures before any byte was sent.
 */
export function isRetriable(isSend: boolean, outcome: AttemptOutcome): boolean {
  switch (outcome.kind) {
    case 'status':
      return isSend ? outcome.status > 500 : outcome.status >= 500 || outcome.status === 408;
    case 'timeout':
    case 'network':
      return isSend ? outcome.beforeSend : true;
    case 'aborted':
      return false;
  }
}
