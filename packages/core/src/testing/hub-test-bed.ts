import type {
  HttpRequest,
  HttpResponse as FunctionsHttpResponse,
  HttpResponseInit,
  InvocationContext,
} from '@azure/functions';
import { forgetFunctions } from '../functions/function-registry.js';
import type { RegisteredFunction, RegisteredHttpFunction } from '../functions/function-registry.js';
import { registerHubs } from '../functions/register-hubs.js';
import type { FunctionsApp, UpstreamOptions } from '../functions/register-hubs.js';
import type { EventMode } from '@serverless-hub/decorators';
import { compileHub } from '../hub/compile-hub.js';
import { silentUpstreamLogger } from '../upstream/upstream-logger.js';
import type { UpstreamLogger } from '../upstream/upstream-logger.js';
import type { HubClass } from '../hub/hub-descriptor.js';
import type { HubContainer } from '../hub/hub-container.js';
import type { HubFilterType } from '../hub/hub-filter.js';
import { HttpRequest as FunctionsRequest, HttpResponse } from './azure-functions-runtime.js';
import { createRecordingServices } from './recording-services.js';
import type { RecordingServices } from './recording-services.js';
import { createTestInvocationContext } from './test-invocation-context.js';
import type { LoggedLine } from './test-invocation-context.js';
import { categoryOf, createUpstreamRequest } from './upstream-request.js';
import type { UpstreamRequestOptions } from './upstream-request.js';
import { readUpstreamResponse } from './upstream-response.js';
import type { UpstreamResponse } from './upstream-response.js';

/**
 * The connection string of the local emulator (and of the official one): what a test bed uses for a
 * hub whose connection setting is not set. *
 * @example
 * ```ts
 * process.env.AzureSignalRConnectionString ??= EMULATOR_CONNECTION_STRING;
 * ```
 */
export const EMULATOR_CONNECTION_STRING =
  'Endpoint=http://localhost;Port=8888;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;';

/**
 * Options of {@link createHubTestBed}: the `registerHubs` options that matter in tests.
 *
 * @example
 * ```ts
 * const bed = createHubTestBed([Chat], { filters: [signedIn], upstream: { detailedErrors: 'always' } });
 * ```
 */
export interface HubTestBedOptions {
  readonly container?: HubContainer;
  readonly filters?: readonly HubFilterType[];
  readonly upstream?: UpstreamOptions;
  /** Set for each hub whose connection setting is unset, until `dispose()`. Default: the emulator's. */
  readonly connectionString?: string;
  /** The registration-wide event mode (see `registerHubs`). */
  readonly eventMode?: EventMode;
  /** Where registration writes what it exposed. Default: nowhere (tests read `functions` instead). */
  readonly logger?: UpstreamLogger;
}

/**
 * An upstream answer with what the function logged.
 *
 * @example
 * ```ts
 * const answer: HubCallResult = await bed.invoke('echo', [1]);
 * answer.logs.filter((line) => line.level === 'error');
 * ```
 */
export interface HubCallResult extends UpstreamResponse {
  readonly logs: readonly LoggedLine[];
}

/**
 * A negotiate answer.
 *
 * @example
 * ```ts
 * const { status, json } = await bed.negotiate({ headers: { 'x-ms-client-principal-id': 'alice' } });
 * ```
 */
export interface NegotiateResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON, when it is JSON (`{ url, accessToken }` on success). */
  readonly json: unknown;
  readonly logs: readonly LoggedLine[];
}

/**
 * What {@link HubTestBed.negotiate} sends.
 *
 * @example
 * ```ts
 * await bed.negotiate({ hub: 'chat', method: 'GET', query: { room: 'lobby' } });
 * ```
 */
export interface NegotiateCallOptions {
  /** Default: the first hub. */
  readonly hub?: string;
  /** Default `POST`. */
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
}

/**
 * Per-call options of {@link HubTestBed.invoke} and friends.
 *
 * @example
 * ```ts
 * await bed.invoke('whoami', [], { userId: 'alice', claims: { role: ['admin', 'ops'] }, protocol: 'messagepack' });
 * ```
 */
export type HubCallOptions = Omit<Partial<UpstreamRequestOptions>, 'event' | 'arguments'>;

/**
 * Hubs registered for a test, with recording stand-ins for the REST API: calls go through the same
 * functions (signature check, dispatch, filters, binding, completion encoding) that the Functions host
 * would run, with requests signed as the service signs them. *
 * @example
 * ```ts
 * const bed: HubTestBed = createHubTestBed([Chat]);
 * await bed.connect({ connectionId: 'c1' });
 * await bed.disconnect({ connectionId: 'c1', error: 'timeout' });
 * ```
 */
export interface HubTestBed {
  /** The functions registered for the hubs. */
  readonly functions: readonly RegisteredFunction[];
  /** The recording services of a hub (default: the first hub). */
  services(hubName?: string): RecordingServices;
  /** Sends an upstream request built from `options` (hub default: the first hub) to the function at its route. */
  call(options: Omit<UpstreamRequestOptions, 'hub'> & { readonly hub?: string }): Promise<HubCallResult>;
  /** A client's `invoke(event, ...args)`: the answer carries the completion. */
  invoke(event: string, args?: readonly unknown[], options?: HubCallOptions): Promise<HubCallResult>;
  /** A client's `send(event, ...args)`: no completion. */
  send(event: string, args?: readonly unknown[], options?: HubCallOptions): Promise<HubCallResult>;
  /** The `connected` event of a connection. */
  connect(options?: HubCallOptions): Promise<HubCallResult>;
  /** The `disconnected` event of a connection (`options.error` for an abnormal close). */
  disconnect(options?: HubCallOptions): Promise<HubCallResult>;
  /** Calls the hub's negotiate function. */
  negotiate(options?: NegotiateCallOptions): Promise<NegotiateResult>;
  /** Forgets the registered functions and restores the settings the bed set. */
  dispose(): void;
}

// Registration records the functions itself; the bed needs no Functions host.
const NO_HOST: FunctionsApp = Object.freeze({
  http: () => undefined,
  generic: () => undefined,
});

function routeOf(options: { readonly hub: string; readonly category: string; readonly event: string }): string {
  return `${options.hub}/${options.category}/${options.event}`.toLowerCase();
}

/**
 * Registers hubs for a test (HTTP mode) with recording stand-ins for `clients`, `groups`, `userGroups`
 * and `clientManager`, and calls them as the service would. Call `dispose()` after each test.
 *
 * @example
 * ```ts
 * const bed = createHubTestBed([Chat]);
 * afterEach(() => bed.dispose());
 *
 * const answer = await bed.invoke('echo', [42], { protocol: 'messagepack' });
 * expect(answer.completion?.result).toBe(42);
 * await bed.invoke('broadcast', ['hi'], { userId: 'alice' });
 * expect(bed.services().messages[0]).toEqual({ to: { kind: 'all' }, target: 'newMessage', arguments: [{ from: 'alice', text: 'hi' }] });
 * expect((await bed.connect({ claims: { admin: 'false' } })).status).toBe(200);
 * ```
 */
export function createHubTestBed(hubs: readonly HubClass[], options: HubTestBedOptions = {}): HubTestBed {
  const descriptors = hubs.map((hub) =>
    compileHub(hub, options.eventMode === undefined ? {} : { eventMode: options.eventMode }),
  );
  const connectionString = options.connectionString ?? EMULATOR_CONNECTION_STRING;
  const restored = new Map<string, string | undefined>();
  for (const { connectionStringSetting } of descriptors) {
    if (process.env[connectionStringSetting] === undefined && !restored.has(connectionStringSetting)) {
      restored.set(connectionStringSetting, undefined);
      process.env[connectionStringSetting] = connectionString;
    }
  }

  const settings = new Map(
    descriptors.map((descriptor) => [descriptor.name.toLowerCase(), descriptor.connectionStringSetting]),
  );
  const services = new Map<string, RecordingServices>();
  const servicesFor = (hubName: string): RecordingServices => {
    const key = hubName.toLowerCase();
    let recording = services.get(key);
    if (recording === undefined) {
      recording = createRecordingServices();
      services.set(key, recording);
    }
    return recording;
  };

  let registration;
  try {
    registration = registerHubs(NO_HOST, hubs, {
      services: ({ hubName }) => servicesFor(hubName),
      ...(options.container === undefined ? {} : { container: options.container }),
      ...(options.filters === undefined ? {} : { filters: options.filters }),
      ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
      ...(options.eventMode === undefined ? {} : { eventMode: options.eventMode }),
      logger: options.logger ?? silentUpstreamLogger,
    });
  } catch (error) {
    restore();
    throw error;
  }
  const functions = registration.functions;
  const registered = registration;
  const stopHealthChecks = (): void => {
    registered.close();
  };
  const firstHub = (descriptors[0] as { name: string }).name;
  const byRoute = new Map<string, RegisteredHttpFunction>();
  for (const fn of functions) if (fn.trigger === 'http') byRoute.set(fn.route.toLowerCase(), fn);

  function restore(): void {
    for (const [setting, value] of restored) {
      if (value === undefined) Reflect.deleteProperty(process.env, setting);
      else process.env[setting] = value;
    }
    restored.clear();
  }

  async function run(
    fn: RegisteredHttpFunction,
    request: HttpRequest,
  ): Promise<{ answer: HttpResponseInit | FunctionsHttpResponse; logs: readonly LoggedLine[] }> {
    const { context, logs } = createTestInvocationContext(fn.name);
    const handler = fn.handler as unknown as (
      request: HttpRequest,
      context: InvocationContext,
    ) => Promise<HttpResponseInit | FunctionsHttpResponse>;
    return { answer: await handler(request, context), logs };
  }

  const call: HubTestBed['call'] = async (callOptions) => {
    const hub = callOptions.hub ?? firstHub;
    const category = categoryOf(callOptions);
    const event = category === 'connections' ? callOptions.event.toLowerCase() : callOptions.event;
    const setting = settings.get(hub.toLowerCase());
    const request = createUpstreamRequest({
      // Signed with the hub's own connection setting, as the service signs with the hub's key.
      ...(setting === undefined ? {} : { connectionStringSetting: setting }),
      ...callOptions,
      hub,
    });
    const fn = byRoute.get(routeOf({ hub, category, event }));
    if (fn === undefined) {
      const text = `No function is registered at route ${routeOf({ hub, category, event })}.`;
      return { status: 404, headers: {}, body: Buffer.from(text), text, completion: undefined, logs: [] };
    }
    const { answer, logs } = await run(fn, request);
    return { ...(await readUpstreamResponse(answer)), logs };
  };

  return {
    functions,
    services: (hubName = firstHub) => servicesFor(hubName),
    call,
    invoke: (event, args = [], callOptions = {}) =>
      call({
        ...callOptions,
        event,
        category: 'messages',
        arguments: args,
        invocationId: callOptions.invocationId ?? '1',
      }),
    send: (event, args = [], callOptions = {}) =>
      call({ ...callOptions, event, category: 'messages', arguments: args, invocationId: null }),
    connect: (callOptions = {}) => call({ ...callOptions, event: 'connected', category: 'connections' }),
    disconnect: (callOptions = {}) => call({ ...callOptions, event: 'disconnected', category: 'connections' }),
    async negotiate(negotiateOptions = {}) {
      const hub = negotiateOptions.hub ?? firstHub;
      const fn = functions.find(
        (candidate): candidate is RegisteredHttpFunction =>
          candidate.role === 'negotiate' &&
          candidate.trigger === 'http' &&
          candidate.hub?.toLowerCase() === hub.toLowerCase(),
      );
      if (fn === undefined) throw new Error(`No negotiate function is registered for hub ${hub}.`);
      const query = new URLSearchParams(negotiateOptions.query ?? {}).toString();
      const request = new FunctionsRequest({
        method: negotiateOptions.method ?? 'POST',
        url: `http://localhost:7071/api/${fn.route}${query === '' ? '' : `?${query}`}`,
        headers: { ...negotiateOptions.headers },
        ...(negotiateOptions.query === undefined ? {} : { query: { ...negotiateOptions.query } }),
      });
      const { answer, logs } = await run(fn, request);
      const response = answer instanceof HttpResponse ? answer : new HttpResponse(answer);
      const text = await response.text();
      const headers: Record<string, string> = {};
      for (const [name, value] of response.headers) headers[name.toLowerCase()] = value;
      let json: unknown;
      if (headers['content-type']?.includes('json') === true) json = JSON.parse(text) as unknown;
      return { status: response.status, headers, text, json, logs };
    },
    dispose() {
      forgetFunctions(functions.map((fn) => fn.name));
      // With Azure__SignalR__Endpoints__* set, the hubs' negotiate started endpoint health checks.
      stopHealthChecks();
      restore();
    },
  };
}
