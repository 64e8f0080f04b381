import { errorMessage } from '../errors/describe-error.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';

/** One endpoint's part of an operation sent to several endpoints. */
export type EndpointCall<T> = readonly [NamedServiceEndpoint, () => Promise<T>];

/** What each endpoint answered: the values of those that succeeded, the errors of the others. */
export interface SettledEndpoints<T> {
  readonly values: readonly T[];
  readonly failed: readonly (readonly [NamedServiceEndpoint, unknown])[];
  readonly succeeded: readonly NamedServiceEndpoint[];
}

// Failures that come from the call itself rather than an endpoint: every endpoint fails the same way.
const CALLER_CODES: ReadonlySet<string> = new Set(['REST_INVALID_ARGUMENT', 'REST_ABORTED']);

/**
 * Runs one operation on several endpoints at once and waits for all of them, so that a failing or slow
 * endpoint never keeps the message from the others.
 */
export async function settleEndpoints<T>(calls: readonly EndpointCall<T>[]): Promise<SettledEndpoints<T>> {
  const results = await Promise.allSettled(calls.map(([, run]) => run()));
  const values: T[] = [];
  const failed: (readonly [NamedServiceEndpoint, unknown])[] = [];
  const succeeded: NamedServiceEndpoint[] = [];
  results.forEach((result, index) => {
    const status = (calls[index] as EndpointCall<T>)[0];
    if (result.status === 'fulfilled') {
      values.push(result.value);
      succeeded.push(status);
    } else {
      failed.push([status, result.reason]);
    }
  });
  return { values, failed, succeeded };
}

/**
 * The error of an operation that failed on some endpoints: `REST_ENDPOINTS_FAILED`, naming each failed
 * endpoint with its error, with `details.failed` (`[{ endpoint, code, status }]`) and `details.succeeded`
 * (endpoint names). A failure of the call itself (an invalid argument, a cancellation) is rethrown as it is.
 */
export function endpointsFailure(what: string, settled: SettledEndpoints<unknown>): ServerlessHubError | undefined {
  const [first] = settled.failed;
  if (first === undefined) return undefined;
  const [, firstError] = first;
  if (firstError instanceof ServerlessHubError && CALLER_CODES.has(firstError.code)) return firstError;
  const total = settled.failed.length + settled.succeeded.length;
  const failures = settled.failed.map(([status, error]) => `'${status.name}': ${errorMessage(error)}`).join('; ');
  return new ServerlessHubError(
    'REST_ENDPOINTS_FAILED',
    `${what} failed on ${String(settled.failed.length)} of ${String(total)} service endpoints (the others received it): ${failures}`,
    {
      cause: firstError,
      details: {
        failed: settled.failed.map(([status, error]) => ({
          endpoint: status.name,
          code: error instanceof ServerlessHubError ? error.code : undefined,
          status: error instanceof ServerlessHubError ? error.status : undefined,
        })),
        succeeded: settled.succeeded.map((status) => status.name),
      },
    },
  );
}

/** Runs the calls on every endpoint; rejects with {@link endpointsFailure} when any failed. */
export async function onEveryEndpoint<T>(what: string, calls: readonly EndpointCall<T>[]): Promise<readonly T[]> {
  const settled = await settleEndpoints(calls);
  const failure = endpointsFailure(what, settled);
  if (failure !== undefined) throw failure;
  return settled.values;
}

/**
 * Asks every endpoint and answers `true` when any does (a connection, a user or a group lives on one
 * endpoint only). Endpoints that fail matter only when none answered `true`: then the failure is thrown.
 */
export async function onAnyEndpoint(what: string, calls: readonly EndpointCall<boolean>[]): Promise<boolean> {
  const settled = await settleEndpoints(calls);
  if (settled.values.includes(true)) return true;
  const failure = endpointsFailure(what, settled);
  if (failure !== undefined) throw failure;
  return false;
}
