import type { HttpMethod, InvocationContext } from '@azure/functions';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { UpstreamCategory } from '../upstream/hub-invocation-context.js';

/** Function names the Functions host accepts. */
const FUNCTION_NAME = /^[a-z][a-z0-9_-]{0,127}$/;

/**
 * One function `registerHubs` registered with `@azure/functions`, as the framework recorded it: what
 * tests and tools inspect (names, routes, roles) and what keeps function names unique across calls. A
 * functions host learns the functions from `@azure/functions` itself, not from this record.
 *
 * - `trigger: 'http'`: served at `/api/<route>` for `methods`; the handler takes
 *   `(HttpRequest, InvocationContext)` and returns an `HttpResponseInit` (or `HttpResponse`).
 * - `trigger: 'signalRTrigger'`: called by the Functions host's SignalR extension with its PascalCase
 *   invocation context; `binding` holds the trigger binding as registered.
 *
 * Routes are matched case-insensitively, as the Functions host does.
 *
 * @example
 * ```ts
 * for (const fn of getRegisteredFunctions()) {
 *   if (fn.trigger === 'http') console.log(fn.name, fn.methods.join(','), `/api/${fn.route}`);
 * }
 * ```
 */
export type RegisteredFunction = RegisteredHttpFunction | RegisteredSignalRFunction;

/** Facts common to every {@link RegisteredFunction}. */
interface RegisteredFunctionBase {
  /** The function name, valid for the Functions host (`^[a-z][a-z0-9_-]{0,127}$`). */
  readonly name: string;
  /** The hub it belongs to (as declared). */
  readonly hub: string | undefined;
  /** What it does for the hub: `negotiate` or an upstream event. */
  readonly role: 'negotiate' | 'upstream';
  /** For upstream functions: the event's category and name. */
  readonly category: UpstreamCategory | undefined;
  readonly event: string | undefined;
}

/**
 * An HTTP-triggered function.
 *
 * @example
 * ```ts
 * const fn = getRegisteredFunctions().find((f): f is RegisteredHttpFunction => f.trigger === 'http' && f.route === 'chat/negotiate');
 * ```
 */
export interface RegisteredHttpFunction extends RegisteredFunctionBase {
  readonly trigger: 'http';
  /** The route after `/api/`, e.g. `chat/messages/broadcast`. */
  readonly route: string;
  readonly methods: readonly HttpMethod[];
  readonly authLevel: 'anonymous' | 'function' | 'admin';
  readonly handler: (request: never, context: InvocationContext) => unknown;
}

/**
 * A function triggered by the Functions host's own SignalR extension (`signalRTrigger`).
 *
 * @example
 * ```ts
 * const triggers = getRegisteredFunctions().filter((f): f is RegisteredSignalRFunction => f.trigger === 'signalRTrigger');
 * triggers[0]?.binding.hubName; // 'chat'
 * ```
 */
export interface RegisteredSignalRFunction extends RegisteredFunctionBase {
  readonly trigger: 'signalRTrigger';
  /** The trigger binding as registered: `hubName`, `category`, `event`, `parameterNames`, `connectionStringSetting`. */
  readonly binding: Readonly<Record<string, unknown>>;
  readonly handler: (invocation: unknown, context: InvocationContext) => unknown;
}

// Kept on globalThis so that two copies of this package in one process (an app bundled with its own copy,
// and a local functions host) still share one list.
const REGISTRY_KEY = Symbol.for('@serverless-hub/core:registered-functions');

function registry(): Map<string, RegisteredFunction> {
  const holder = globalThis as unknown as Record<symbol, Map<string, RegisteredFunction> | undefined>;
  let functions = holder[REGISTRY_KEY];
  if (functions === undefined) {
    functions = new Map();
    Object.defineProperty(globalThis, REGISTRY_KEY, {
      value: functions,
      enumerable: false,
      configurable: true,
      writable: false,
    });
  }
  return functions;
}

/**
 * Every function `registerHubs` registered in this process, in registration order.
 *
 * @example
 * ```ts
 * registerHubs(app, [Chat]);
 * getRegisteredFunctions().map((fn) => fn.name); // ['chat_negotiate', 'chat_onconnected', 'chat_broadcast', ...]
 * ```
 */
export function getRegisteredFunctions(): readonly RegisteredFunction[] {
  return [...registry().values()];
}

/**
 * Forgets every recorded function, so that a test (or a local host reloading the app) can register again,
 * and stops the endpoint health checks of those registrations. It does not unregister anything from the
 * Functions host.
 *
 * @example
 * ```ts
 * afterEach(() => clearRegisteredFunctions());
 * ```
 */
export function clearRegisteredFunctions(): void {
  registry().clear();
  const closing = [...closers];
  closers.clear();
  for (const close of closing) close();
}

// What the registrations of this copy of the package hold that runs on its own (endpoint health checks).
const closers = new Set<() => void>();

/** Remembers how to stop what a registration runs, so that forgetting the functions stops it too. */
export function recordRegistrationCloser(close: () => void): void {
  closers.add(close);
}

/** Forgets a closer that its registration ran itself. */
export function forgetRegistrationCloser(close: () => void): void {
  closers.delete(close);
}

/** Checks a function name and that no recorded function has it yet. */
export function assertFunctionNameAvailable(name: string, what: string): void {
  if (!FUNCTION_NAME.test(name)) {
    throw new ServerlessHubError(
      'HUB_REGISTRATION_INVALID',
      `The function name ${JSON.stringify(name)} for ${what} is not valid for the Functions host: it must match ^[a-z][a-z0-9_-]{0,127}$ (a lowercase letter, then up to 127 lowercase letters, digits, _ or -).`,
    );
  }
  const existing = registry().get(name);
  if (existing !== undefined) {
    throw new ServerlessHubError(
      'HUB_REGISTRATION_INVALID',
      `The function name "${name}" for ${what} is already taken by ${describeFunction(existing)}. Function names are unique within an app: rename the hub (@Hub('name')) or the method, or register the hub only once.`,
    );
  }
}

function describeFunction(fn: RegisteredFunction): string {
  if (fn.role === 'negotiate') return `the negotiate function of hub "${fn.hub ?? ''}"`;
  return `the ${fn.category ?? ''} event "${fn.event ?? ''}" of hub "${fn.hub ?? ''}"`;
}

/** Records a function (after {@link assertFunctionNameAvailable}). */
export function recordFunction(fn: RegisteredFunction): void {
  registry().set(fn.name, Object.freeze(fn));
}

/** Forgets the named functions (a test bed disposing of what it registered). */
export function forgetFunctions(names: Iterable<string>): void {
  const functions = registry();
  for (const name of names) functions.delete(name);
}
