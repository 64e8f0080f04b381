import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { UpstreamDispatcher } from '../upstream-dispatcher.js';
import type { UpstreamLogger, UpstreamLogLevel } from '../upstream-logger.js';
import type { UpstreamOutcome } from '../upstream-outcome.js';
import { declaredLength, joinChunks, payloadTooLarge, resolveBodyLimit } from './body-limit.js';
import { upstreamStatusFor } from './upstream-status.js';

/**
 * Options of {@link createAzureFunctionsAdapter}.
 *
 * @example
 * ```ts
 * createAzureFunctionsAdapter(dispatcher, { maxBodyBytes: 256 * 1024 });
 * ```
 */
export interface AzureFunctionsAdapterOptions {
  /** Largest accepted body in bytes; larger requests get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

/**
 * An `@azure/functions` v4 HTTP handler over an {@link UpstreamDispatcher}: reads the body (at most
 * `maxBodyBytes`), dispatches with the `InvocationContext` as `call.host` and as the logger (entries go to
 * the function's log), and turns the outcome into an `HttpResponseInit` (status from the shared table;
 * completions with their content type; refusals as `text/plain`).
 *
 * @example
 * ```ts
 * import { app } from '@azure/functions';
 *
 * app.http('chat-upstream', {
 *   methods: ['POST'],
 *   authLevel: 'anonymous',           // the service authenticates with its signature instead
 *   route: 'chat/{category}/{event}',
 *   handler: createAzureFunctionsAdapter(dispatcher),
 * });
 * ```
 */
export function createAzureFunctionsAdapter(
  dispatcher: UpstreamDispatcher<InvocationContext>,
  options?: AzureFunctionsAdapterOptions,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  const limit = resolveBodyLimit(options?.maxBodyBytes);
  return async (request, context) => {
    const logger = invocationLogger(context);
    const headers = request.headers;
    const declared = declaredLength(headers.get('content-length'));
    if (declared !== undefined && declared > limit) return toResponse(payloadTooLarge(limit));
    const body = await readBody(request, limit);
    if (body === undefined) return toResponse(payloadTooLarge(limit));
    // Read in place by the dispatcher: no copy of the headers per request.
    const outcome = await dispatcher.dispatch({ headers, body }, { host: context, logger });
    return toResponse(outcome);
  };
}

const EMPTY_BODY = new Uint8Array(0);

async function readBody(request: HttpRequest, limit: number): Promise<Uint8Array | undefined> {
  const stream = request.body;
  if (stream === null) return EMPTY_BODY;
  const reader = (stream as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return total === 0 ? EMPTY_BODY : joinChunks(chunks, total);
}

function toResponse(outcome: UpstreamOutcome): HttpResponseInit {
  switch (outcome.kind) {
    case 'accepted':
      return { status: 200 };
    case 'completion':
      return { status: 200, body: outcome.body, headers: { 'content-type': outcome.contentType } };
    case 'rejected':
      return {
        status: upstreamStatusFor(outcome),
        body: outcome.message,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      };
  }
}

function invocationLogger(context: InvocationContext): UpstreamLogger {
  return {
    log(level: UpstreamLogLevel, message: string, error?: unknown): void {
      if (error === undefined) context[level](message);
      else context[level](message, error);
    },
  };
}
