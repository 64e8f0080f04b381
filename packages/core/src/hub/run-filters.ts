import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { HubInvocationContext } from '../upstream/hub-invocation-context.js';
import type { HubFilter, HubFilterResult } from './hub-filter.js';
import { describeError } from '../errors/describe-error.js';

/** A filter ready to run: its name (for the log) and how to get its verdict. */
export interface FilterStep {
  readonly name: string;
  readonly check: (context: HubInvocationContext, signal: AbortSignal) => HubFilterResult | Promise<HubFilterResult>;
}

function isForbidden(error: unknown): error is ServerlessHubError {
  return ServerlessHubError.is(error, 'UPSTREAM_FORBIDDEN');
}

function denied(
  step: FilterStep,
  context: HubInvocationContext,
  why: string,
  cause?: unknown,
  failed = false,
): ServerlessHubError {
  return new ServerlessHubError(
    'UPSTREAM_FORBIDDEN',
    `Filter ${step.name} ${failed ? 'failed on' : 'denied'} the ${context.category} event '${context.event}' of hub '${context.hub}' (connection '${context.connectionId}'): ${why}`,
    cause === undefined ? undefined : { cause, ...(failed ? { details: { filterFailed: true } } : {}) },
  );
}

function isThenable(value: unknown): value is PromiseLike<HubFilterResult> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs filters in order and stops at the first denial: a filter that returns `false` (or a promise of
 * it) or throws. A denial is thrown as `UPSTREAM_FORBIDDEN`, which every transport turns into 403;
 * a filter's own error is kept as the cause. While filters answer synchronously no promise is made.
 */
export function runFilters(
  steps: readonly FilterStep[],
  context: HubInvocationContext,
  signal: AbortSignal,
  from = 0,
): void | Promise<void> {
  for (let index = from; index < steps.length; index++) {
    const step = steps[index] as FilterStep;
    let verdict: unknown;
    try {
      verdict = step.check(context, signal);
    } catch (error) {
      throw thrownBy(step, context, error);
    }
    if (isThenable(verdict)) {
      return settle(verdict, step, context).then(() => runFilters(steps, context, signal, index + 1));
    }
    if (verdict === false) throw denied(step, context, 'it returned false');
  }
  return undefined;
}

async function settle(
  pending: PromiseLike<HubFilterResult>,
  step: FilterStep,
  context: HubInvocationContext,
): Promise<void> {
  let verdict: HubFilterResult;
  try {
    verdict = await pending;
  } catch (error) {
    throw thrownBy(step, context, error);
  }
  if (verdict === false) throw denied(step, context, 'it returned false');
}

/**
 * A filter that throws a denial (`denyUpstream()`) or a `HubError` decided; anything else it throws is
 * a defect of the app. Either way the call is refused (a failing guard never lets a call through), but a
 * defect is marked `filterFailed` so that it is logged as an error with its stack.
 */
function thrownBy(step: FilterStep, context: HubInvocationContext, error: unknown): ServerlessHubError {
  if (isForbidden(error)) return error;
  const decided = ServerlessHubError.is(error, 'HUB_ERROR');
  return denied(step, context, `it threw ${describeError(error)}`, error, !decided);
}

/** A filter step over a filter instance. */
export function instanceStep(name: string, instance: HubFilter): FilterStep {
  return { name, check: (context, signal) => instance.canActivate(context, signal) };
}
