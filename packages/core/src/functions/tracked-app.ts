import type { GenericFunctionOptions, HttpFunctionOptions, HttpHandler, HttpMethod, HttpMethodFunctionOptions } from '@azure/functions';
import { assertFunctionNameAvailable, recordFunction } from './function-registry.js';
import type { FunctionsApp } from './register-hubs.js';

/**
 * `@azure/functions`' `app`, recording the HTTP functions registered through it, so that a local
 * functions host and tests serve them next to the hubs' functions. Everything is passed on to the real
 * `app` unchanged; `generic` functions are passed on without being recorded (a local host could not
 * trigger them anyway).
 *
 * @example
 * ```ts
 * import { app as functionsApp } from '@azure/functions';
 * const app = trackedApp(functionsApp);
 * registerHubs(app, [Chat]);
 * app.get('index', { route: 'index', handler: servePage });  // served by the local host too
 * ```
 */
export interface TrackedApp extends FunctionsApp {
  http(name: string, options: HttpFunctionOptions): void;
  get(name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void;
  post(name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void;
  put(name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void;
  patch(name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void;
  deleteRequest(name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void;
  generic(name: string, options: GenericFunctionOptions): void;
}

const UNDERLYING: unique symbol = Symbol.for('@serverless-hub/core:tracked-app');

/** The app a {@link TrackedApp} wraps, so that `registerHubs` (which records by itself) does not record twice. */
export function untracked(app: FunctionsApp): FunctionsApp {
  return (app as Partial<Record<typeof UNDERLYING, FunctionsApp>>)[UNDERLYING] ?? app;
}

/**
 * Wraps `@azure/functions`' `app` in a {@link TrackedApp}.
 *
 * @example
 * ```ts
 * const app = trackedApp(functionsApp);
 * app.http('health', { methods: ['GET'], handler: () => ({ status: 200 }) });
 * getRegisteredFunctions().some((fn) => fn.name === 'health'); // true
 * ```
 */
export function trackedApp(app: FunctionsApp): TrackedApp {
  const target = untracked(app);
  const http = (name: string, options: HttpFunctionOptions): void => {
    assertFunctionNameAvailable(name, 'an HTTP function of the app');
    target.http(name, options);
    recordFunction({
      name,
      hub: undefined,
      role: 'other',
      category: undefined,
      event: undefined,
      trigger: 'http',
      route: options.route ?? name,
      methods: Object.freeze([...(options.methods ?? (['GET', 'POST'] as HttpMethod[]))]),
      authLevel: options.authLevel ?? 'anonymous',
      handler: options.handler,
    });
  };
  const withMethod =
    (method: HttpMethod) =>
    (name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void => {
      const options = typeof optionsOrHandler === 'function' ? { handler: optionsOrHandler } : optionsOrHandler;
      http(name, { ...options, methods: [method] });
    };
  return Object.freeze({
    [UNDERLYING]: target,
    http,
    get: withMethod('GET'),
    post: withMethod('POST'),
    put: withMethod('PUT'),
    patch: withMethod('PATCH'),
    deleteRequest: withMethod('DELETE'),
    generic: (name: string, options: GenericFunctionOptions) => {
      target.generic(name, options);
    },
  });
}
