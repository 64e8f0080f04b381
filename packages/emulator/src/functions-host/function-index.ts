import { EmulatorError } from '../errors/emulator-error.js';
import type { RegisteredFunction, RpcBindingInfo } from './functions-core-contract.js';
import { RouteTemplate } from './route-template.js';

/**
 * An HTTP-triggered function as the host routes requests to it.
 *
 * @example
 * ```ts
 * const match = index.http.find((fn) => fn.route.match(['hello', 'bob']) !== undefined);
 * ```
 */
export interface HttpFunction {
  readonly fn: RegisteredFunction;
  readonly name: string;
  /** The trigger binding's name: the input the invocation carries the request in. */
  readonly triggerName: string;
  readonly route: RouteTemplate;
  /** Upper-case methods; `undefined` when the trigger names none (every method is accepted). */
  readonly methods: ReadonlySet<string> | undefined;
  /** The name of the `http` output binding whose value is the response (`$return` usually). */
  readonly outputName: string | undefined;
}

/**
 * A function the host lists: its name, trigger type, and where it is served (HTTP and `signalRTrigger`).
 *
 * @example
 * ```ts
 * for (const fn of host.functions()) console.log(fn.name, fn.trigger, fn.methods.join(','), fn.path ?? '(not served)');
 * // hello httpTrigger GET /api/hello
 * ```
 */
export interface ListedFunction {
  readonly name: string;
  readonly trigger: string;
  readonly methods: readonly string[];
  /** `undefined` for triggers the local host does not fire (timers, queues...). */
  readonly path: string | undefined;
}

/** The path of the Functions host's SignalR extension webhook (the service's upstream URL in binding mode). */
export const SIGNALR_WEBHOOK_PATH = '/runtime/webhooks/signalr';

/** The Functions host's answer to an app route under its own `admin` routes (azure-functions-host `ScriptHost`). */
export const BUILT_IN_ROUTE_CONFLICT = 'The specified route conflicts with one or more built in routes.';

function triggerOf(fn: RegisteredFunction): [string, RpcBindingInfo] | undefined {
  return Object.entries(fn.metadata.bindings).find(
    ([, binding]) => binding.direction === 'in' && /trigger$/i.test(binding.type ?? ''),
  );
}

/**
 * The functions of an app, sorted for serving: HTTP functions by route (literal segments before
 * parameters, as ASP.NET Core routing), `signalRTrigger` functions for the webhook, and every function
 * for listing. Built once when the host indexes the app; nothing here runs per request.
 *
 * @throws {EmulatorError} `APP_LOAD_FAILED` for a function without a trigger, and for an HTTP route that
 * starts with `admin`, which the Functions host refuses at start-up.
 * @example
 * ```ts
 * const index = new FunctionIndex(app.functions, 'api');
 * index.listed.map((fn) => `${fn.name} ${fn.path ?? '(not served)'}`);
 * ```
 */
export class FunctionIndex {
  readonly http: readonly HttpFunction[];
  readonly signalR: readonly RegisteredFunction[];
  readonly listed: readonly ListedFunction[];

  constructor(functions: readonly RegisteredFunction[], routePrefix: string) {
    const http: HttpFunction[] = [];
    const signalR: RegisteredFunction[] = [];
    const listed: ListedFunction[] = [];
    for (const fn of functions) {
      const name = fn.metadata.name;
      const trigger = triggerOf(fn);
      if (trigger === undefined)
        throw new EmulatorError(
          'APP_LOAD_FAILED',
          `The function ${name} has no trigger binding: register it with app.http(...), app.generic(...) or another trigger.`,
        );
      const [triggerName, binding] = trigger;
      const type = binding.type ?? '';
      if (type.toLowerCase() === 'httptrigger') {
        const template = (typeof binding.route === 'string' && binding.route !== '' ? binding.route : name).replace(
          /^\/+/,
          '',
        );
        if (template.toLowerCase().startsWith('admin')) {
          throw new EmulatorError(
            'APP_LOAD_FAILED',
            `The function ${name} has the route '${template}': ${BUILT_IN_ROUTE_CONFLICT} Routes starting with 'admin' belong to the Functions host; choose another route.`,
          );
        }
        const methods =
          Array.isArray(binding.methods) && binding.methods.length > 0
            ? new Set(binding.methods.map((method) => String(method).toUpperCase()))
            : undefined;
        const output = Object.entries(fn.metadata.bindings).find(
          ([, candidate]) => candidate.direction === 'out' && candidate.type?.toLowerCase() === 'http',
        );
        http.push({ fn, name, triggerName, route: new RouteTemplate(template), methods, outputName: output?.[0] });
        listed.push({
          name,
          trigger: type,
          methods: methods === undefined ? ['*'] : [...methods],
          path: `/${routePrefix === '' ? '' : `${routePrefix}/`}${template}`,
        });
      } else if (type.toLowerCase() === 'signalrtrigger') {
        signalR.push(fn);
        listed.push({ name, trigger: type, methods: ['POST'], path: SIGNALR_WEBHOOK_PATH });
      } else {
        listed.push({ name, trigger: type, methods: [], path: undefined });
      }
    }
    // Literal segments win over parameters; the sort is stable, so registration order breaks ties.
    http.sort((a, b) => b.route.specificity - a.route.specificity);
    this.http = http;
    this.signalR = signalR;
    this.listed = listed;
  }
}
