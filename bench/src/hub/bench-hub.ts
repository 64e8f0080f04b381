import type { HttpRequest, InvocationContext } from '@azure/functions';
import { Hub, Negotiate, ServerlessHub, Validate, registerHubs, silentUpstreamLogger } from '@serverless-hub/core';
import { getRegisteredFunctions } from '@serverless-hub/core/testing';
import * as v from 'valibot';
import type { FunctionsApp, RegisteredHttpFunction } from '@serverless-hub/core';
import { BENCH_CONNECTION_STRING, BENCH_HUB } from '../upstream/service-request.js';

/** The schema of the echoed chat message (`ECHO_ARGUMENT`), as an app would declare it. */
const chatMessage = v.object({
  from: v.pipe(v.string(), v.maxLength(1024)),
  text: v.pipe(v.string(), v.maxLength(4000)),
  sentAt: v.number(),
});

/** The hub of the micro-benchmarks: a negotiate with a user id and two custom claims, `echo`, and `echo` with a schema. */
@Hub(BENCH_HUB)
export class BenchHub extends ServerlessHub {
  @Negotiate()
  connect(request: HttpRequest) {
    return this.negotiate(request.headers.get('x-ms-signalr-user-id') ?? undefined, {
      role: 'member',
      tenant: request.headers.get('x-tenant') ?? 'none',
    });
  }

  echo(value: unknown) {
    return value;
  }

  echoValidated(@Validate(chatMessage) value: unknown) {
    return value;
  }
}

export type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<unknown>;

// Outside the Functions host `@azure/functions` registers nothing (and prints a warning per function);
// the framework records every function it registers, and the benchmark takes the handlers from there.
const silentApp: FunctionsApp = {
  http() {},
  generic() {},
};

let registered = false;

/** Registers {@link BenchHub} once (HTTP mode) and returns the handler of the function with `role` (and `event`). */
export function registeredHandler(role: 'negotiate' | 'upstream', event?: string): HttpHandler {
  if (!registered) {
    process.env['AzureSignalRConnectionString'] ??= BENCH_CONNECTION_STRING;
    registerHubs(silentApp, [BenchHub], { logger: silentUpstreamLogger });
    registered = true;
  }
  const found = getRegisteredFunctions().find(
    (fn): fn is RegisteredHttpFunction =>
      fn.trigger === 'http' && fn.hub === BENCH_HUB && fn.role === role && (event === undefined || fn.event === event),
  );
  if (found === undefined)
    throw new Error(
      `registerHubs recorded no HTTP ${role} function${event === undefined ? '' : ` for '${event}'`} of hub '${BENCH_HUB}'.`,
    );
  return found.handler as unknown as HttpHandler;
}
