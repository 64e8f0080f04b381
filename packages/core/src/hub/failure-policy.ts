import { describeError } from '../errors/describe-error.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/** How a failure is logged: its level, the line, and the error whose stack goes with it (unexpected failures only). */
export interface FailureLog {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly error?: unknown;
}

/**
 * What a failed hub event answers, whatever carries it (the upstream dispatcher in HTTP mode, the
 * `signalRTrigger` handler in binding mode):
 * - `accept`: nothing to tell (a `disconnected` event, whose connection is gone; a send, which has no
 *   completion): 200, the failure only logged;
 * - `refuse`: `UPSTREAM_FORBIDDEN` (403) with a fixed text: a denial, or any failure of `connected`;
 * - `complete`: the invocation completes with `error`: a `HubError`'s or an argument check's message, or a
 *   generic text for anything else (with its detail when detailed errors are on).
 */
export type EventFailureAnswer =
  | { readonly kind: 'accept' }
  | { readonly kind: 'refuse'; readonly message: string }
  | { readonly kind: 'complete'; readonly error: string };

/** The event that failed, as the failure policy needs to see it. */
export interface FailedEvent {
  /** `'{event}' on hub '{hub}' (connection '{id}')`, for the log. */
  readonly where: string;
  /** The event name the client used, for the generic message. */
  readonly event: string;
  readonly isConnected: boolean;
  readonly isDisconnected: boolean;
  /** Whether an error can reach the caller: false for a send (no invocation id) in HTTP mode. */
  readonly answerable: boolean;
  /** Whether the detail of an unexpected failure may reach the client (detailed errors). */
  readonly detailed: boolean;
}

/** The answer to a failed event and its log line. */
export interface EventFailure {
  readonly answer: EventFailureAnswer;
  readonly log: FailureLog;
}

/** The text of a refused `connected` event. */
export const CONNECTION_REFUSED = 'The connection was refused.';
/** The text of a denied message event. */
export const CALL_DENIED = 'The call was denied.';

/** A denial made because a filter threw something other than a denial (see runFilters). */
function filterFailureCause(error: ServerlessHubError): { readonly cause: unknown } | undefined {
  return error.details?.['filterFailed'] === true ? { cause: error.cause } : undefined;
}

/**
 * Decides what a failed hub event answers and how it is logged: the one policy of the dispatcher (HTTP
 * mode) and the `signalRTrigger` handler (binding mode), so that a hub behaves the same in both. As the
 * C# extension does, a failing `connected` refuses the connection and a failing `disconnected` is only
 * logged. A denial, a `HubError` and an argument check are the app's decisions (logged as info or
 * warning); anything else is a defect, logged as an error with its stack and told to the client only as a
 * generic text unless detailed errors are on. A filter that crashed rather than decided is logged as a
 * defect too.
 *
 * @example
 * ```ts
 * const { answer, log } = eventFailure(error, { where, event: 'send', isConnected: false, isDisconnected: false, answerable: true, detailed: false });
 * logger.log(log.level, log.message, log.error);
 * if (answer.kind === 'complete') return completionWithError(answer.error);
 * ```
 */
export function eventFailure(error: unknown, event: FailedEvent): EventFailure {
  const { where } = event;
  const denied = ServerlessHubError.is(error, 'UPSTREAM_FORBIDDEN');
  const invalidArguments = ServerlessHubError.is(error, 'HUB_ARGUMENTS_INVALID');
  const hubError = ServerlessHubError.is(error, 'HUB_ERROR');

  let log: FailureLog;
  if (denied) {
    const crashed = filterFailureCause(error);
    log =
      crashed === undefined
        ? { level: 'info', message: `Call ${where} denied: ${error.message}` }
        : { level: 'error', message: `Call ${where} refused: ${error.message}`, error: crashed.cause };
  } else if (invalidArguments) {
    log = { level: 'warn', message: `Invocation ${where} not run: ${error.message}` };
  } else if (hubError) {
    log = { level: 'info', message: `Handler of ${where} raised a hub error: ${error.message}` };
  } else {
    log = {
      level: 'error',
      message: `Handler of ${where} failed${event.isConnected ? '; the connection is refused' : ''}.`,
      error,
    };
  }

  if (event.isDisconnected || (!event.isConnected && !denied && !event.answerable))
    return { answer: { kind: 'accept' }, log };
  if (event.isConnected) return { answer: { kind: 'refuse', message: CONNECTION_REFUSED }, log };
  if (denied) return { answer: { kind: 'refuse', message: CALL_DENIED }, log };
  if (invalidArguments || hubError) return { answer: { kind: 'complete', error: error.message }, log };
  const generic = `An unexpected error occurred invoking '${event.event}' on the server.`;
  return { answer: { kind: 'complete', error: event.detailed ? `${generic} ${describeError(error)}` : generic }, log };
}

/** The answer to a failed negotiate: an HTTP status and the text the caller may see. */
export interface NegotiateFailure {
  readonly status: 400 | 401 | 403 | 500 | 503;
  readonly body: string;
  readonly log: FailureLog;
}

/**
 * Decides what a failed negotiate answers, with the same reading of the error as {@link eventFailure}:
 * 401 for a missing or invalid bearer token (`TOKEN_INVALID`), 403 for a denial (`denyUpstream`), 400
 * with the message of a `HubError` (or an argument check), 503 with what to check when no service
 * endpoint is online (`ENDPOINTS_OFFLINE`: the service is unreachable, not the app broken); anything else
 * is 500 with a generic text, its detail only in the log. Never a stack, a token or a key.
 *
 * @example
 * ```ts
 * const { status, body, log } = negotiateFailure(error, 'chat');
 * functionContext[log.level](log.message, log.error);
 * return { status, body };
 * ```
 */
export function negotiateFailure(error: unknown, hubName: string): NegotiateFailure {
  if (ServerlessHubError.is(error, 'TOKEN_INVALID')) {
    return {
      status: 401,
      body: error.message,
      log: { level: 'warn', message: `Negotiate for hub '${hubName}' refused with 401: ${error.message}` },
    };
  }
  if (ServerlessHubError.is(error, 'UPSTREAM_FORBIDDEN')) {
    return {
      status: 403,
      body: 'The negotiation was denied.',
      log: { level: 'info', message: `Negotiate for hub '${hubName}' denied: ${error.message}` },
    };
  }
  if (ServerlessHubError.is(error, 'HUB_ERROR') || ServerlessHubError.is(error, 'HUB_ARGUMENTS_INVALID')) {
    return {
      status: 400,
      body: error.message,
      log: { level: 'info', message: `Negotiate for hub '${hubName}' refused with 400: ${error.message}` },
    };
  }
  if (ServerlessHubError.is(error, 'ENDPOINTS_OFFLINE')) {
    return {
      status: 503,
      body: error.message,
      log: { level: 'warn', message: `Negotiate for hub '${hubName}' refused with 503: ${error.message}` },
    };
  }
  return {
    status: 500,
    body: NEGOTIATION_FAILED,
    log: { level: 'error', message: `Negotiate for hub '${hubName}' failed.`, error },
  };
}

/** The text of a negotiate that failed for a reason only the log tells. */
export const NEGOTIATION_FAILED = 'Negotiation failed; see the application log.';
