import type { UpstreamOutcome, UpstreamRejectionCode } from '../upstream-outcome.js';

/**
 * The HTTP status of each rejection code, the one table every upstream adapter uses. The codes match
 * what the official C# extension answers (415, 400, 401, 403, 404, 500) plus 413 for bodies over the limit.
 *
 * @example
 * ```ts
 * UPSTREAM_STATUS_BY_CODE.UPSTREAM_UNAUTHORIZED; // 401
 * ```
 */
export const UPSTREAM_STATUS_BY_CODE: Readonly<Record<UpstreamRejectionCode, number>> = Object.freeze({
  UPSTREAM_UNSUPPORTED_MEDIA_TYPE: 415,
  UPSTREAM_BAD_REQUEST: 400,
  UPSTREAM_UNAUTHORIZED: 401,
  UPSTREAM_FORBIDDEN: 403,
  UPSTREAM_NOT_FOUND: 404,
  UPSTREAM_PAYLOAD_TOO_LARGE: 413,
  UPSTREAM_INTERNAL: 500,
});

/**
 * The HTTP status for an outcome: 200 for `accepted` and `completion`, the table's status for `rejected`.
 *
 * @example
 * ```ts
 * response.statusCode = upstreamStatusFor(await dispatcher.dispatch(request));
 * ```
 */
export function upstreamStatusFor(outcome: UpstreamOutcome): number {
  return outcome.kind === 'rejected' ? UPSTREAM_STATUS_BY_CODE[outcome.code] : 200;
}
