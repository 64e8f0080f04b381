import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NEGOTIATION_FAILED, negotiateFailure } from '../hub/failure-policy.js';
import type { HubDescriptor } from '../hub/hub-descriptor.js';
import type { HubRuntime } from '../hub/hub-runtime.js';
import { NEVER_ABORTED } from '../hub/never-aborted.js';
import { attachInvocation } from '../hub/serverless-hub.js';
import type { ServerlessHub } from '../hub/serverless-hub.js';
import { takeReconnection } from '../negotiate/reconnection.js';

/** The connection info produced by the options-based negotiate (no `@Negotiate()` method). */
export type NegotiateFromRequest = (
  request: HttpRequest,
) => Promise<{ readonly url: string; readonly accessToken: string }>;

const TEXT = { 'content-type': 'text/plain; charset=utf-8' } as const;

function isConnectionInfo(value: unknown): value is { url: string; accessToken: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { url?: unknown }).url === 'string' &&
    typeof (value as { accessToken?: unknown }).accessToken === 'string'
  );
}

function isResponse(value: unknown): value is HttpResponseInit {
  if (typeof value !== 'object' || value === null) return false;
  return ['status', 'body', 'jsonBody', 'headers', 'cookies'].some((key) => key in value);
}

function describeNegotiateResult(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object without url and accessToken`;
  return typeof value;
}

/** The answer to a failed negotiate, as the failure policy decides it; the detail only in the function's log. */
function failure(error: unknown, hubName: string, functionContext: InvocationContext): HttpResponseInit {
  const { status, body, log } = negotiateFailure(error, hubName);
  functionContext[log.level](log.message, ...(log.error === undefined ? [] : [log.error]));
  return status === 401
    ? { status, body, headers: { ...TEXT, 'www-authenticate': 'Bearer' } }
    : { status, body, headers: TEXT };
}

/**
 * The HTTP handler of a hub's negotiate function (`{hub}/negotiate`, GET and POST). With a
 * `@Negotiate()` method, a fresh hub instance runs it with `(request, functionContext)`; it returns
 * connection info (answered as exactly `{"url","accessToken"}`) or an `HttpResponseInit` / `HttpResponse`
 * passed through as it is. Without one, `fromRequest` negotiates with the hub's negotiate options.
 * Either way a reconnecting client's service token is recognised first (see `Reconnection`).
 */
export function createNegotiateHandler(
  descriptor: HubDescriptor,
  runtime: HubRuntime,
  createHub: () => ServerlessHub,
  fromRequest: NegotiateFromRequest,
): (request: HttpRequest, functionContext: InvocationContext) => Promise<HttpResponseInit> {
  const method = descriptor.negotiate;
  return async (request, functionContext) => {
    try {
      let result: unknown;
      if (method === undefined) {
        result = await fromRequest(request);
      } else {
        // Before the app's method runs, so that its own bearer-token checks never see the service's token.
        const reconnection = await takeReconnection(request, runtime.hubName, runtime.connectionStringSetting);
        const hub = createHub();
        attachInvocation(hub, {
          runtime,
          context: undefined,
          functionContext,
          signal: NEVER_ABORTED,
          reconnection,
          request,
        });
        result = await method.method.call(hub, request, functionContext);
      }
      if (isConnectionInfo(result))
        return { status: 200, jsonBody: { url: result.url, accessToken: result.accessToken } };
      if (isResponse(result)) return result;
      functionContext.error(
        `The @Negotiate() method ${descriptor.className}.${method?.methodName ?? ''} returned ${describeNegotiateResult(result)}; return this.negotiate(...) or an HTTP response.`,
      );
      return { status: 500, body: NEGOTIATION_FAILED, headers: TEXT };
    } catch (error) {
      return failure(error, descriptor.name, functionContext);
    }
  };
}
