// Loaded with import() at registration and awaited by the first request (see register-hubs.ts): the
// dispatcher, both hub protocols, negotiate and token signing, the REST client and the endpoint fan-out
// are what a request needs, not what registering needs, and compiling them is most of a cold start's cost.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { endpointFromSettings } from '../connection/endpoint-from-settings.js';
import { namedEndpointsFromSettings } from '../connection/named-endpoints-from-settings.js';
import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import type { EndpointRouter } from '../endpoints/endpoint-router.js';
import type { HubEndpoints } from '../endpoints/hub-endpoints.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { HubDescriptor, HubEventDescriptor } from '../hub/hub-descriptor.js';
import { createEventCall } from '../hub/hub-invoker.js';
import { HubRuntime } from '../hub/hub-runtime.js';
import type { HubServicesFactory } from '../hub/hub-services.js';
import type { FilterStep } from '../hub/run-filters.js';
import type { ServerlessHub } from '../hub/serverless-hub.js';
import { createAzureFunctionsAdapter } from '../upstream/adapters/azure-functions-adapter.js';
import { createUpstreamAuthenticator } from '../upstream/upstream-authenticator.js';
import type {
  UpstreamAuthentication,
  UpstreamAuthenticator,
  UpstreamCredentials,
} from '../upstream/upstream-authenticator.js';
import { UpstreamDispatcher } from '../upstream/upstream-dispatcher.js';
import type { HandlerSlot } from './deferred-handler.js';
import { createNegotiateHandler } from './negotiate-handler.js';
import { negotiateFromOptions } from './negotiate-from-options.js';
import type { UpstreamOptions } from './register-hubs.js';
import { createSignalRTriggerHandler } from './signalr-trigger-handler.js';

/** An HTTP function's handler. */
export type HttpFunctionHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
/** A `signalRTrigger` function's handler. */
export type TriggerFunctionHandler = (invocation: unknown, context: InvocationContext) => Promise<unknown>;

/** One event function of a hub, as registration planned and checked it. */
export type PlannedEvent =
  | {
      readonly mode: 'http';
      readonly event: HubEventDescriptor;
      readonly steps: readonly FilterStep[];
      readonly slot: HandlerSlot<HttpFunctionHandler>;
    }
  | {
      readonly mode: 'binding';
      readonly event: HubEventDescriptor;
      readonly steps: readonly FilterStep[];
      readonly slot: HandlerSlot<TriggerFunctionHandler>;
    };

/** One hub of a registration, as registration planned and checked it. */
export interface PlannedHub {
  readonly descriptor: HubDescriptor;
  readonly endpoints: HubEndpoints;
  readonly createHub: () => ServerlessHub;
  /** Absent for a hub registered without a negotiate function. */
  readonly negotiate: HandlerSlot<HttpFunctionHandler> | undefined;
  readonly events: readonly PlannedEvent[];
}

/** What a registration's functions are built from. */
export interface HubFunctionsPlan {
  readonly hubs: readonly PlannedHub[];
  readonly upstream: UpstreamOptions;
  readonly services: HubServicesFactory | undefined;
  readonly endpointRouter: EndpointRouter | undefined;
}

/**
 * The endpoints whose keys may sign this hub's upstream requests: its own connection string and every
 * endpoint of a multi-endpoint configuration (`Azure__SignalR__Endpoints__*`), since the service signs
 * with the key of whichever endpoint carries the connection.
 */
function upstreamEndpoints(settingName: string): ServiceEndpoint[] {
  const named = namedEndpointsFromSettings().map(({ endpoint }) => endpoint);
  try {
    return [endpointFromSettings(settingName), ...named];
  } catch (error) {
    if (named.length > 0 && ServerlessHubError.is(error, 'SETTING_MISSING')) return named;
    throw error;
  }
}

/**
 * An authenticator for one hub, built at its first upstream request: the hub's connection string is read
 * then, so a missing or wrong setting fails requests (500, with the setting named in the function's log)
 * rather than the app's start-up, where the host would only report that the worker failed.
 */
function lazyAuthenticator(settingName: string, upstream: UpstreamOptions): UpstreamAuthenticator {
  let built: UpstreamAuthenticator | undefined;
  return {
    authenticate(credentials: UpstreamCredentials): UpstreamAuthentication | Promise<UpstreamAuthentication> {
      built ??= createUpstreamAuthenticator({
        ...(upstream.insecureSkipValidation === true
          ? { insecureSkipValidation: true }
          : { endpoints: upstreamEndpoints(settingName) }),
        ...(upstream.accessKeys === undefined ? {} : { accessKeys: upstream.accessKeys }),
        ...(upstream.entraId === undefined ? {} : { entraId: upstream.entraId }),
      });
      return built.authenticate(credentials);
    },
  };
}

function httpEventHandler(
  descriptor: HubDescriptor,
  event: HubEventDescriptor,
  call: ReturnType<typeof createEventCall>,
  authenticator: UpstreamAuthenticator,
  upstream: UpstreamOptions,
  runtime: HubRuntime,
): HttpFunctionHandler {
  // One small dispatcher per function: a request whose X-ASRS-* headers name another event than the
  // function's route is answered 404 instead of running that other event.
  const dispatcher = new UpstreamDispatcher<InvocationContext>({
    handlers: [
      {
        hub: descriptor.name,
        category: event.category,
        event: event.event,
        minArguments: event.minArguments,
        maxArguments: event.maxArguments,
        authenticator,
        handler: (context, { signal, host }) => call(context, signal, host),
        streams: (connectionId) => runtime.services.clients.client(connectionId),
      },
    ],
    ...(upstream.detailedErrors === undefined ? {} : { detailedErrors: upstream.detailedErrors }),
  });
  return createAzureFunctionsAdapter(
    dispatcher,
    upstream.maxBodyBytes === undefined ? undefined : { maxBodyBytes: upstream.maxBodyBytes },
  );
}

/**
 * Builds every handler of a registration into its slot: per hub its runtime (endpoints, REST services),
 * its negotiate handler, and per event the call and its transport (an upstream dispatcher in HTTP mode, a
 * trigger handler in binding mode). Registration has already checked everything that can be wrong.
 */
export function buildHubFunctionHandlers(plan: HubFunctionsPlan): void {
  for (const hub of plan.hubs) {
    const { descriptor } = hub;
    const runtime = new HubRuntime(
      descriptor.name,
      descriptor.connectionStringSetting,
      hub.endpoints,
      plan.services,
      plan.endpointRouter,
    );
    if (hub.negotiate !== undefined) {
      hub.negotiate.handler = createNegotiateHandler(
        descriptor,
        runtime,
        hub.createHub,
        negotiateFromOptions(descriptor, hub.endpoints),
      );
    }
    let authenticator: UpstreamAuthenticator | undefined;
    for (const planned of hub.events) {
      const call = createEventCall(planned.event, runtime, planned.steps, hub.createHub);
      if (planned.mode === 'http') {
        authenticator ??= lazyAuthenticator(descriptor.connectionStringSetting, plan.upstream);
        planned.slot.handler = httpEventHandler(descriptor, planned.event, call, authenticator, plan.upstream, runtime);
      } else {
        planned.slot.handler = createSignalRTriggerHandler(call, {
          hub: descriptor.name,
          category: planned.event.category,
          event: planned.event.event,
          minArguments: planned.event.minArguments,
          maxArguments: planned.event.maxArguments,
        });
      }
    }
  }
}
