import type { GenericFunctionOptions, HttpFunctionOptions, HttpMethod } from '@azure/functions';
import type { EndpointRouter } from '../endpoints/endpoint-router.js';
import { resolveEndpointHealthOptions } from '../endpoints/endpoint-health-options.js';
import type { EndpointHealthOptions, ResolvedEndpointHealthOptions } from '../endpoints/endpoint-health-options.js';
import { HubEndpoints } from '../endpoints/hub-endpoints.js';
import type { HubEndpointsHealth } from '../endpoints/hub-endpoints.js';
import type { HubServiceEndpoint } from '../endpoints/hub-service-endpoint.js';
import { errorMessage } from '../errors/describe-error.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { EventMode } from '@serverless-hub/decorators';
import { checkEventMode, compileFilter, compileHub, connectGuard } from '../hub/compile-hub.js';
import type { CompiledFilter, HubClass, HubDescriptor, HubEventDescriptor } from '../hub/hub-descriptor.js';
import type { HubContainer } from '../hub/hub-container.js';
import type { HubFilterType } from '../hub/hub-filter.js';
import { eventFilterSteps, hubFactory } from '../hub/hub-invoker.js';
import type { HubActivation } from '../hub/hub-invoker.js';
import { isRouteSafeHubName } from '../hub/hub-name.js';
import type { HubServicesFactory } from '../hub/hub-services.js';
import type { EntraIdTokenValidationOptions } from '../upstream/entra-id-token-validator.js';
import type { DetailedErrorsMode } from '../upstream/upstream-dispatcher.js';
import type { UpstreamLogger } from '../upstream/upstream-logger.js';
import { buildOnce, deferredHandler } from './deferred-handler.js';
import { functionNameFor } from './function-name.js';
import {
  assertFunctionNameAvailable,
  forgetRegistrationCloser,
  getRegisteredFunctions,
  recordFunction,
  recordRegistrationCloser,
} from './function-registry.js';
import type { RegisteredFunction, RegisteredHttpFunction, RegisteredSignalRFunction } from './function-registry.js';
import type { HandlerSlot } from './deferred-handler.js';
import type {
  HttpFunctionHandler,
  HubFunctionsPlan,
  PlannedEvent,
  PlannedHub,
  TriggerFunctionHandler,
} from './hub-function-handlers.js';

/**
 * The part of `@azure/functions`' `app` that registration uses. Pass `app` itself; tests may pass a
 * recording object with the same two methods.
 *
 * @example
 * ```ts
 * import { app } from '@azure/functions';
 * registerHubs(app, [Chat]);
 * ```
 */
export interface FunctionsApp {
  http(name: string, options: HttpFunctionOptions): void;
  generic(name: string, options: GenericFunctionOptions): void;
}

/**
 * How the service's upstream requests are checked (HTTP mode).
 *
 * @example
 * ```ts
 * registerHubs(app, [Chat], { upstream: { accessKeys: [process.env.SIGNALR_SECONDARY_KEY ?? ''], detailedErrors: 'claim' } });
 * ```
 */
export interface UpstreamOptions {
  /**
   * Extra access keys accepted for `X-ASRS-Signature` (e.g. the secondary key during rotation). The
   * `AccessKey` of each hub's connection string is always accepted.
   */
  readonly accessKeys?: readonly string[];
  /** Validate the service's Entra ID bearer token (upstream authentication with a managed identity). */
  readonly entraId?: EntraIdTokenValidationOptions;
  /**
   * Accept upstream requests without any check. Local development only: anyone who reaches the function
   * can impersonate any connection. Logs a warning once.
   */
  readonly insecureSkipValidation?: boolean;
  /** What clients see of unexpected failures: `off` (default), `claim` (`asrs.s.derror`), `always`. */
  readonly detailedErrors?: DetailedErrorsMode;
  /** Largest accepted upstream body in bytes (default 1 MiB); larger requests get 413. */
  readonly maxBodyBytes?: number;
}

/**
 * Options of {@link registerHubs}.
 *
 * @example
 * ```ts
 * const options: RegisterHubsOptions = { mode: 'binding', container, filters: [signedIn] };
 * registerHubs(app, [Chat], options);
 * ```
 */
export interface RegisterHubsOptions {
  /**
   * `http` (default): one HTTP function per event at `{hub}/{category}/{event}`, for the service's upstream
   * URL template `https://<app>.azurewebsites.net/api/{hub}/{category}/{event}`.
   * `binding`: one `signalRTrigger` function per event, for apps that use the Functions host's SignalR
   * extension (upstream URL `https://<app>.azurewebsites.net/runtime/webhooks/signalr?code=<key>`).
   * Both register the negotiate function at `{hub}/negotiate`.
   */
  readonly mode?: 'http' | 'binding';
  /** Resolve hubs and filter classes from this DI container (e.g. an inversify `Container`). */
  readonly container?: HubContainer;
  /** Filters for every event of every hub given here; they run before class and method filters. */
  readonly filters?: readonly HubFilterType[];
  /** Upstream request checks (HTTP mode). */
  readonly upstream?: UpstreamOptions;
  /** Stand-ins for the REST API (tests); default: the service's REST API for each hub's connection string. */
  readonly services?: HubServicesFactory;
  /** Authorization level of the HTTP functions; default `anonymous` (upstream requests are signed instead). */
  readonly authLevel?: 'anonymous' | 'function' | 'admin';
  /**
   * The event mode of every hub whose `@Hub` options name none: `implicit` (default, every public method
   * is an event) or `explicit` (only `@HubEvent()` methods are).
   */
  readonly eventMode?: EventMode;
  /**
   * Where registration writes what it exposed: one `info` line per hub with its negotiate route and every
   * event (category, event name, method). Default: `console.info`.
   */
  readonly logger?: UpstreamLogger;
  /**
   * With several service endpoints (`Azure__SignalR__Endpoints__*`): chooses each negotiating client's
   * endpoint, per request. Default {@link DefaultEndpointRouter} (a random primary endpoint).
   */
  readonly endpointRouter?: EndpointRouter;
  /**
   * With several service endpoints: how their health is checked (default: as the official SDK, a round
   * every 2 minutes, 3 attempts 3 s apart). Offline endpoints get no client. Health changes are written to
   * `logger`.
   */
  readonly endpointHealth?: EndpointHealthOptions;
}

/**
 * What {@link registerHubs} registered.
 *
 * @example
 * ```ts
 * const registration = registerHubs(app, [Chat]);
 * registration.functions.map((fn) => fn.name); // ['chat_negotiate', 'chat_broadcast', ...]
 * registration.serviceEndpoints('chat').map(({ name, online }) => `${name}: ${online ? 'online' : 'offline'}`);
 * registration.close(); // stops the endpoint health checks
 * ```
 */
export interface HubRegistration {
  /** The functions, in registration order (negotiate first, then each event, per hub). */
  readonly functions: readonly RegisteredFunction[];
  /**
   * The service endpoints of a registered hub with their `online` state now (a copy): with
   * `Azure__SignalR__Endpoints__*` settings, each of them; otherwise the hub's one connection setting.
   * Reading them starts the health checks if no negotiate has yet.
   *
   * @throws {@link ServerlessHubError} `HUB_REGISTRATION_INVALID` for a hub not in this registration;
   * `SETTING_MISSING` or `CONNECTION_STRING_INVALID` for unusable settings.
   */
  serviceEndpoints(hubName: string): readonly HubServiceEndpoint[];
  /**
   * Stops the endpoint health checks of these hubs (their timers keep no process alive, so an app rarely
   * needs this; tests and hosts that reload the app do). `clearRegisteredFunctions()` does it too.
   */
  close(): void;
}

const NEGOTIATE_METHODS: readonly HttpMethod[] = Object.freeze(['GET', 'POST']);
const UPSTREAM_METHODS: readonly HttpMethod[] = Object.freeze(['POST']);

function registrationError(message: string): ServerlessHubError {
  return new ServerlessHubError('HUB_REGISTRATION_INVALID', message);
}

function checkOptions(app: unknown, hubs: unknown, options: RegisterHubsOptions): void {
  if (typeof app !== 'object' && typeof app !== 'function')
    throw registrationError("registerHubs needs the Functions app: import { app } from '@azure/functions'.");
  const candidate = app as Partial<FunctionsApp> | null;
  if (candidate === null || typeof candidate.http !== 'function' || typeof candidate.generic !== 'function') {
    throw registrationError(
      "registerHubs needs the Functions app (with http and generic): import { app } from '@azure/functions'.",
    );
  }
  if (!Array.isArray(hubs) || hubs.length === 0)
    throw registrationError('registerHubs needs a non-empty array of hub classes, e.g. registerHubs(app, [Chat]).');
  // Options come from JavaScript too: check the values, not only the types.
  const mode: unknown = options.mode ?? 'http';
  if (mode !== 'http' && mode !== 'binding')
    throw registrationError(`registerHubs mode must be 'http' or 'binding', got ${JSON.stringify(mode)}.`);
  if (
    options.container !== undefined &&
    typeof (options.container as Partial<HubContainer> | null)?.get !== 'function'
  ) {
    throw registrationError(
      'The container given to registerHubs has no get(...) method; pass an inversify Container or an object with get(Class).',
    );
  }
  if (options.filters !== undefined && !Array.isArray(options.filters))
    throw registrationError('registerHubs filters must be an array of filters.');
  if (options.services !== undefined && typeof options.services !== 'function') {
    throw registrationError(
      'registerHubs services must be a function ({ hubName, connectionStringSetting }) => HubServices.',
    );
  }
  if (
    options.endpointRouter !== undefined &&
    typeof (options.endpointRouter as Partial<EndpointRouter> | null)?.getNegotiateEndpoint !== 'function'
  ) {
    throw registrationError(
      'registerHubs endpointRouter must have a getNegotiateEndpoint(context, endpoints) method, e.g. new DefaultEndpointRouter().',
    );
  }
  if (options.endpointRouter !== undefined) {
    const router = options.endpointRouter as unknown as Record<string, unknown>;
    for (const method of ROUTER_MESSAGE_METHODS) {
      if (router[method] !== undefined && typeof router[method] !== 'function')
        throw registrationError(`registerHubs endpointRouter.${method} must be a method or absent.`);
    }
  }
  if (options.eventMode !== undefined) checkEventMode(options.eventMode, 'registerHubs eventMode');
  if (options.logger !== undefined && typeof (options.logger as Partial<UpstreamLogger> | null)?.log !== 'function') {
    throw registrationError(
      'registerHubs logger must have a log(level, message, error?) method, e.g. consoleUpstreamLogger.',
    );
  }
  const authLevel: unknown = options.authLevel ?? 'anonymous';
  if (authLevel !== 'anonymous' && authLevel !== 'function' && authLevel !== 'admin') {
    throw registrationError(
      `registerHubs authLevel must be 'anonymous', 'function' or 'admin', got ${JSON.stringify(authLevel)}.`,
    );
  }
}

/** Registration's own lines are worth seeing by default: they say what clients can call. */
const registrationLogger: UpstreamLogger = Object.freeze({
  log(level: string, message: string, error?: unknown): void {
    if (level === 'error') console.error(message, ...(error === undefined ? [] : [error]));
    else if (level === 'warn') console.warn(message);
    else console.info(message);
  },
});

/** One line naming what a hub exposes: its negotiate route and each event with the method behind it. */
function describeExposure(
  descriptor: HubDescriptor,
  events: readonly HubEventDescriptor[],
  mode: 'http' | 'binding',
): string {
  const negotiate =
    descriptor.negotiateRoute === false ? 'no negotiate function' : `negotiate at ${descriptor.negotiateRoute}`;
  const exposed = events.map(
    (event) =>
      `${event.category}/${event.event} → ${event.methodName}${event.validateArguments === undefined ? '' : ' (validated)'}`,
  );
  return (
    `Hub '${descriptor.name}' (class ${descriptor.className || '(anonymous)'}, ${descriptor.eventMode} events, ${mode} mode): ${negotiate}; ` +
    `${String(exposed.length)} event${exposed.length === 1 ? '' : 's'}${exposed.length === 0 ? '' : `: ${exposed.join(', ')}`}.`
  );
}

const ROUTER_MESSAGE_METHODS = [
  'getEndpointsForBroadcast',
  'getEndpointsForConnection',
  'getEndpointsForUser',
  'getEndpointsForGroup',
] as const;

interface PlannedFunction {
  readonly record: RegisteredFunction;
  readonly register: () => void;
}

/**
 * Registers hub classes with Azure Functions (`@azure/functions` v4). Each hub is compiled once into a
 * frozen descriptor (see the hub model guide for the rules); then, per hub:
 *
 * - the negotiate function `<hub>_negotiate`, HTTP GET and POST at `{hub}/negotiate`: the hub's
 *   `@Negotiate()` method, or a negotiate with the hub's `@Hub({ negotiate })` options;
 * - HTTP mode (default): one function `<hub>_<method>` per event, HTTP POST at `{hub}/{category}/{event}`,
 *   checking the service's signature with the hub's connection string (the service's upstream URL
 *   template is then `https://<app>.azurewebsites.net/api/{hub}/{category}/{event}`);
 * - binding mode: one `signalRTrigger` function `<hub>_<method>` per event.
 *
 * Function names are lowercased, with characters the host refuses replaced by `_`. Everything is
 * validated before anything is registered; every registered function is recorded (see
 * `getRegisteredFunctions`) for tests and tools. A hub whose routes would start with `admin` is refused:
 * the Functions host keeps those routes for itself.
 *
 * @throws {ServerlessHubError} `HUB_DEFINITION_INVALID` for a hub class that breaks a rule,
 * `HUB_REGISTRATION_INVALID` for bad options, two hubs with one name, a hub registered twice, function
 * name collisions, or hubs and filters that need constructor arguments but no container was given.
 *
 * @example
 * ```ts
 * import { app } from '@azure/functions';
 * import { registerHubs } from '@serverless-hub/core';
 * import { Chat } from './chat.js';
 *
 * registerHubs(app, [Chat]);                                     // upstream over HTTP
 * // registerHubs(app, [Chat], { mode: 'binding' });            // the host's signalRTrigger
 * // registerHubs(app, [Chat], { container, filters: [signedIn] });
 * ```
 */
export function registerHubs(
  functionsApp: FunctionsApp,
  hubs: readonly HubClass[],
  options: RegisterHubsOptions = {},
): HubRegistration {
  checkOptions(functionsApp, hubs, options);
  let endpointHealthOptions: ResolvedEndpointHealthOptions;
  try {
    endpointHealthOptions = resolveEndpointHealthOptions(options.endpointHealth, 'registerHubs endpointHealth');
  } catch (error) {
    throw registrationError(errorMessage(error));
  }
  const app = functionsApp;
  const mode = options.mode ?? 'http';
  const activation: HubActivation = { container: options.container, filterInstances: new Map() };
  const upstream = options.upstream ?? {};
  const authLevel = options.authLevel ?? 'anonymous';
  const servicesFactory = options.services;
  const globalFilters: CompiledFilter[] = (options.filters ?? []).map((filter) =>
    compileFilter(filter, 'registerHubs (global filters)'),
  );
  const logger = options.logger ?? registrationLogger;
  const compileDefaults = options.eventMode === undefined ? {} : { eventMode: options.eventMode };
  const health: HubEndpointsHealth = {
    options: endpointHealthOptions,
    log: (level, message) => {
      logger.log(level, message);
    },
  };

  // Compile and check everything first: a failing registration registers nothing.
  const descriptors: HubDescriptor[] = [];
  const names = new Map<string, string>();
  const alreadyRegistered = new Set(
    getRegisteredFunctions().flatMap((fn) => (fn.hub === undefined ? [] : [fn.hub.toLowerCase()])),
  );
  for (const hubClass of hubs) {
    const descriptor = compileHub(hubClass, compileDefaults);
    const key = descriptor.name.toLowerCase();
    const other = names.get(key);
    if (other !== undefined) {
      throw registrationError(
        other === descriptor.className
          ? `Hub class ${other} is given to registerHubs twice.`
          : `Hubs ${other} and ${descriptor.className} are both named "${descriptor.name}" (hub names are case-insensitive). Give one of them another name with @Hub('name').`,
      );
    }
    if (key.startsWith('admin')) {
      throw registrationError(
        `Hub name "${descriptor.name}" makes its routes start with "admin" (${key}/negotiate), which the Functions host refuses at start-up ("The specified route conflicts with one or more built in routes."): routes starting with admin belong to the host. Name the hub with @Hub('name') so that it does not start with "admin".`,
      );
    }
    if (alreadyRegistered.has(key))
      throw registrationError(
        `A hub named "${descriptor.name}" is already registered in this app; register each hub once.`,
      );
    if (mode === 'http' && !isRouteSafeHubName(descriptor.name)) {
      throw registrationError(
        `Hub name "${descriptor.name}" becomes a route segment of its functions, so it may contain only letters, digits, _, - and . in HTTP mode. Name the hub with @Hub('name').`,
      );
    }
    names.set(key, descriptor.className);
    descriptors.push(descriptor);
  }

  const planned: PlannedFunction[] = [];
  const plannedNames = new Set<string>();
  const plannedRoutes = new Map<string, string>();
  const exposures: string[] = [];
  const plan = (fn: PlannedFunction, what: string): void => {
    assertFunctionNameAvailable(fn.record.name, what);
    if (fn.record.trigger === 'http') {
      // Routes are matched case-insensitively by the Functions host.
      const route = fn.record.route.toLowerCase();
      const other =
        plannedRoutes.get(route) ??
        getRegisteredFunctions().find(
          (registered) => registered.trigger === 'http' && registered.route.toLowerCase() === route,
        )?.name;
      if (other !== undefined) {
        throw registrationError(
          `${what} and the function "${other}" would both serve the route "${fn.record.route}". Give one hub another negotiateRoute (or false for none).`,
        );
      }
      plannedRoutes.set(route, fn.record.name);
    }
    if (plannedNames.has(fn.record.name)) {
      throw registrationError(
        `Two functions of this registration would both be named "${fn.record.name}" (names are lowercased and characters other than a-z, 0-9, _ and - become _). Rename a hub (@Hub('name')) or a method.`,
      );
    }
    plannedNames.add(fn.record.name);
    planned.push(fn);
  };

  const hubEndpoints = new Map<string, HubEndpoints>();
  const plannedHubs: PlannedHub[] = [];
  const plannedFunctions: HubFunctionsPlan = {
    hubs: plannedHubs,
    upstream,
    services: servicesFactory,
    endpointRouter: options.endpointRouter,
  };
  const built = buildOnce(() =>
    import('./hub-function-handlers.js').then(({ buildHubFunctionHandlers }) => {
      buildHubFunctionHandlers(plannedFunctions);
    }),
  );
  for (const descriptor of descriptors) {
    const endpoints = new HubEndpoints(
      descriptor.name,
      descriptor.connectionStringSetting,
      options.endpointRouter,
      health,
    );
    hubEndpoints.set(descriptor.name.toLowerCase(), endpoints);
    const createHub = hubFactory(descriptor, activation);
    const routeHub = descriptor.name.toLowerCase();

    let negotiateSlot: HandlerSlot<HttpFunctionHandler> | undefined;
    if (descriptor.negotiateRoute !== false) {
      const negotiateName = functionNameFor(descriptor.name, 'negotiate');
      negotiateSlot = { handler: undefined };
      const negotiateHandler = deferredHandler(negotiateSlot, built);
      const negotiateRecord: RegisteredHttpFunction = {
        name: negotiateName,
        hub: descriptor.name,
        role: 'negotiate',
        category: undefined,
        event: undefined,
        trigger: 'http',
        route: descriptor.negotiateRoute,
        methods: NEGOTIATE_METHODS,
        authLevel,
        handler: negotiateHandler,
      };
      plan(
        {
          record: negotiateRecord,
          register: () => {
            app.http(negotiateName, {
              methods: [...NEGOTIATE_METHODS],
              authLevel,
              route: negotiateRecord.route,
              handler: negotiateHandler,
            });
          },
        },
        `the negotiate function of hub "${descriptor.name}"`,
      );
    }

    const guardsConnect =
      globalFilters.length > 0 &&
      !descriptor.events.some(({ category, event }) => category === 'connections' && event === 'connected');
    const events = guardsConnect ? [...descriptor.events, connectGuard([])] : descriptor.events;
    exposures.push(describeExposure(descriptor, events, mode));
    const plannedEvents: PlannedEvent[] = [];
    for (const event of events) {
      const steps = eventFilterSteps(event, globalFilters, activation);
      const name = functionNameFor(descriptor.name, event.methodName);
      const what = `${descriptor.className}.${event.methodName}`;
      if (mode === 'http') {
        const slot: HandlerSlot<HttpFunctionHandler> = { handler: undefined };
        plannedEvents.push({ mode, event, steps, slot });
        plan(httpEventFunction(app, name, descriptor, event, deferredHandler(slot, built), authLevel, routeHub), what);
      } else {
        const slot: HandlerSlot<TriggerFunctionHandler> = { handler: undefined };
        plannedEvents.push({ mode, event, steps, slot });
        plan(bindingEventFunction(app, name, descriptor, event, deferredHandler(slot, built)), what);
      }
    }
    plannedHubs.push({ descriptor, endpoints, createHub, negotiate: negotiateSlot, events: plannedEvents });
  }

  for (const fn of planned) {
    fn.register();
    recordFunction(fn.record);
  }
  for (const line of exposures) logger.log('info', line);
  // Started as soon as the app's entry has been evaluated, so that the request-time code loads while the
  // host finishes starting the app rather than during the entry's import; the first request awaits it.
  setImmediate(() => {
    built().catch(() => undefined);
  });
  const close = (): void => {
    forgetRegistrationCloser(close);
    for (const endpoints of hubEndpoints.values()) endpoints.close();
  };
  recordRegistrationCloser(close);
  return Object.freeze({
    functions: Object.freeze(planned.map((fn) => fn.record)),
    serviceEndpoints(hubName: string): readonly HubServiceEndpoint[] {
      const endpoints = typeof hubName === 'string' ? hubEndpoints.get(hubName.toLowerCase()) : undefined;
      if (endpoints === undefined) {
        throw registrationError(
          `serviceEndpoints(${JSON.stringify(hubName)}): no hub of that name in this registration (hubs: ${descriptors.map((item) => item.name).join(', ')}).`,
        );
      }
      return endpoints.snapshot();
    },
    close,
  });
}

function httpEventFunction(
  app: FunctionsApp,
  name: string,
  descriptor: HubDescriptor,
  event: HubEventDescriptor,
  handler: HttpFunctionHandler,
  authLevel: 'anonymous' | 'function' | 'admin',
  routeHub: string,
): PlannedFunction {
  const route = `${routeHub}/${event.category}/${event.event.toLowerCase()}`;
  const record: RegisteredHttpFunction = {
    name,
    hub: descriptor.name,
    role: 'upstream',
    category: event.category,
    event: event.event,
    trigger: 'http',
    route,
    methods: UPSTREAM_METHODS,
    authLevel,
    handler,
  };
  return {
    record,
    register: () => {
      app.http(name, { methods: [...UPSTREAM_METHODS], authLevel, route, handler });
    },
  };
}

function bindingEventFunction(
  app: FunctionsApp,
  name: string,
  descriptor: HubDescriptor,
  event: HubEventDescriptor,
  handler: TriggerFunctionHandler,
): PlannedFunction {
  // `parameterNames` makes the host fail calls whose argument count differs, so it is given only when
  // the method takes an exact number of named arguments; otherwise the handler checks the bounds itself.
  const names = event.argumentNames;
  const exact = names !== undefined && event.minArguments === event.maxArguments && event.category === 'messages';
  const binding = Object.freeze({
    type: 'signalRTrigger',
    name: 'invocation',
    hubName: descriptor.name,
    category: event.category,
    event: event.event,
    connectionStringSetting: descriptor.connectionStringSetting,
    ...(exact ? { parameterNames: [...names] } : {}),
  });
  const record: RegisteredSignalRFunction = {
    name,
    hub: descriptor.name,
    role: 'upstream',
    category: event.category,
    event: event.event,
    trigger: 'signalRTrigger',
    binding,
    handler,
  };
  return {
    record,
    register: () => {
      app.generic(name, { trigger: { ...binding }, handler });
    },
  };
}
