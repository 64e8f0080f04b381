import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { format } from 'node:util';
import type * as AzureFunctions from '@azure/functions';
import { errorDetail } from '@serverless-hub/core';
import type { Cookie, HttpRequest, InvocationContext as InvocationContextType } from '@azure/functions';
import { EmulatorError } from '../errors/emulator-error.js';
import { applyCors, BodyTooLargeError, readBody, sendText } from '../http/http-utils.js';
import type { CorsPolicy } from '../http/http-utils.js';
import { checkListenPort, closeServers, listenLocally } from '../http/local-servers.js';
import { createLogger } from '../logging/emulator-logger.js';
import type { EmulatorLogger, LogLevel, LogSink } from '../logging/emulator-logger.js';
import { RouteTemplate } from './route-template.js';
import { handleSignalRWebhook, SIGNALR_WEBHOOK_PATH } from './signalr-webhook.js';
import type { SignalRTriggerFunction } from './signalr-webhook.js';

/**
 * A function the host can serve. The framework's registry (`getRegisteredFunctions()` of
 * `@serverless-hub/core`) gives exactly these; functions with another trigger are listed but not
 * served over HTTP.
 *
 * @example
 * ```ts
 * const health: HostedFunction = { name: 'health', trigger: 'http', route: 'health', methods: ['GET'], handler: () => ({ status: 200 }) };
 * ```
 */
export type HostedFunction =
  | {
      readonly name: string;
      readonly trigger: 'http';
      /** The route after the prefix (`/api/`), e.g. `chat/negotiate` or `items/{id}`. */
      readonly route: string;
      readonly methods: readonly string[];
      readonly handler: (request: never, context: InvocationContextType) => unknown;
    }
  | {
      readonly name: string;
      /** Served at `/runtime/webhooks/signalr`, as the Functions host's SignalR extension does (binding mode). */
      readonly trigger: 'signalRTrigger';
      /** `hubName`, `category`, `event`, `connectionStringSetting`, `parameterNames`. */
      readonly binding: Readonly<Record<string, unknown>>;
      readonly handler: (invocation: never, context: InvocationContextType) => unknown;
    }
  | { readonly name: string; readonly trigger: string };

/**
 * Options of {@link createFunctionsHost}.
 *
 * @example
 * ```ts
 * const options: FunctionsHostOptions = { functions: getRegisteredFunctions, port: 0, logLevel: 'warn' };
 * ```
 */
export interface FunctionsHostOptions {
  /** The functions, or a function returning them (read again at each start). */
  readonly functions: readonly HostedFunction[] | (() => readonly HostedFunction[]);
  /** Default `127.0.0.1`; with a loopback address `::1` is served too, so `localhost` reaches it. */
  readonly host?: string;
  /** Default 7071, the Functions host's; `0` picks a free port. */
  readonly port?: number;
  /** Default `api`, as `extensions.http.routePrefix` of `host.json`. */
  readonly routePrefix?: string;
  /**
   * CORS as `Host.CORS` / `Host.CORSCredentials` of `local.settings.json` set it: allowed origins (`*`
   * for any). Default: any origin is echoed back with credentials allowed, which browsers on other
   * local ports need for the SignalR client's negotiate.
   */
  readonly cors?: { readonly allowedOrigins: readonly string[]; readonly supportCredentials: boolean };
  /** Largest request body; default 100 MB (the Functions host's limit). */
  readonly maxRequestBodyBytes?: number;
  readonly logLevel?: LogLevel;
  readonly logSink?: LogSink;
  readonly logger?: EmulatorLogger;
}

/**
 * A local Azure Functions host for the HTTP functions of an app.
 *
 * @example
 * ```ts
 * const host = createFunctionsHost({ functions: getRegisteredFunctions, port: 7071 });
 * await host.start();
 * console.log(`${host.url}/api/chat/negotiate`);
 * await host.close();
 * ```
 */
export interface FunctionsHost {
  start(): Promise<void>;
  close(): Promise<void>;
  /** The port listened on; throws before {@link FunctionsHost.start}. */
  readonly port: number;
  /** Base URL, `http://localhost:<port>`. */
  readonly url: string;
  /**
   * Reads the functions again (from the list or function given as `functions`): for a host started
   * before the app was loaded, so that its port can be given to the app's settings first.
   */
  reload(): void;
  /**
   * The functions served, with their URL paths, e.g. `{ name: 'chat_negotiate', methods: ['GET', 'POST'], path: '/api/chat/negotiate' }`;
   * `signalRTrigger` functions are listed with the webhook's path.
   */
  routes(): { name: string; methods: readonly string[]; path: string }[];
}

interface ServedFunction {
  readonly name: string;
  readonly route: RouteTemplate;
  readonly methods: ReadonlySet<string>;
  readonly handler: (request: HttpRequest, context: InvocationContextType) => unknown;
}

function cookieHeader(cookie: Cookie): string {
  let text = `${cookie.name}=${encodeURIComponent(cookie.value)}`;
  if (cookie.domain !== undefined) text += `; Domain=${cookie.domain}`;
  if (cookie.path !== undefined) text += `; Path=${cookie.path}`;
  if (cookie.expires !== undefined) text += `; Expires=${(typeof cookie.expires === 'number' ? new Date(cookie.expires) : cookie.expires).toUTCString()}`;
  if (cookie.maxAge !== undefined) text += `; Max-Age=${cookie.maxAge}`;
  if (cookie.secure === true) text += '; Secure';
  if (cookie.httpOnly === true) text += '; HttpOnly';
  if (cookie.sameSite !== undefined) text += `; SameSite=${cookie.sameSite}`;
  return text;
}

// As console.log (and the Functions worker) format: errors with their stack, circular values, bigints and
// null-prototype objects included, where JSON.stringify threw inside the user's function.
function logArguments(args: readonly unknown[]): string {
  return format(...args);
}

/**
 * Creates a local functions host serving HTTP functions under `/{routePrefix}/<route>` with the
 * `HttpRequest` and `InvocationContext` objects of `@azure/functions`, as the Functions host passes
 * them, plus CORS for browsers.
 *
 * @example
 * ```ts
 * import { getRegisteredFunctions } from '@serverless-hub/core';
 * import { createFunctionsHost } from '@serverless-hub/emulator';
 *
 * await import('./dist/index.js'); // the app registers its hubs and functions
 * const host = createFunctionsHost({ functions: getRegisteredFunctions });
 * await host.start(); // http://localhost:7071/api/...
 * ```
 */
export function createFunctionsHost(options: FunctionsHostOptions): FunctionsHost {
  // A CommonJS package whose classes Node's ESM loader cannot see as named exports; loaded only when a
  // host is made, so that the service emulator alone does not pay for it.
  const { HttpRequest, HttpResponse, InvocationContext } = createRequire(import.meta.url)('@azure/functions') as typeof AzureFunctions;
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 7071;
  checkListenPort(requestedPort);
  const prefix = (options.routePrefix ?? 'api').replace(/^\/+|\/+$/g, '');
  const maxBody = options.maxRequestBodyBytes ?? 100 * 1024 * 1024;
  const logger = options.logger ?? createLogger({ level: options.logLevel ?? 'info', name: 'functions', ...(options.logSink === undefined ? {} : { sink: options.logSink }) });
  const cors = options.cors;
  let served: ServedFunction[] = [];
  let inRegistrationOrder: ServedFunction[] = [];
  let signalRFunctions: SignalRTriggerFunction[] = [];
  const servers: Server[] = [];
  let actualPort: number | undefined;
  let state: 'new' | 'started' | 'closed' = 'new';

  const load = (): void => {
    const list = typeof options.functions === 'function' ? options.functions() : options.functions;
    served = [];
    signalRFunctions = [];
    for (const fn of list) {
      if (fn.trigger === 'signalRTrigger' && 'binding' in fn) {
        signalRFunctions.push({ name: fn.name, binding: fn.binding, handler: fn.handler });
        continue;
      }
      if (fn.trigger !== 'http' || !('route' in fn)) {
        logger.warn(`function ${fn.name} (${fn.trigger} trigger) is not served: the local host serves HTTP and signalRTrigger functions only`);
        continue;
      }
      served.push({
        name: fn.name,
        route: new RouteTemplate(fn.route),
        methods: new Set(fn.methods.map((method) => method.toUpperCase())),
        handler: fn.handler as ServedFunction['handler'],
      });
    }
    inRegistrationOrder = [...served];
    // Literal segments win over parameters, as in ASP.NET Core routing.
    served.sort((a, b) => b.route.specificity - a.route.specificity);
  };

  // As the Functions host: every origin when none is configured or '*' is listed, credentials unless
  // the configuration turns them off.
  const allowedOrigins = cors?.allowedOrigins.map((allowed) => allowed.toLowerCase());
  const corsPolicy: CorsPolicy = {
    ...(allowedOrigins === undefined || allowedOrigins.includes('*') ? {} : { allowOrigin: (origin: string) => allowedOrigins.includes(origin.toLowerCase()) }),
    credentials: cors === undefined || cors.supportCredentials,
    methods: 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
  };

  const makeContext = (functionName: string, trigger: string): InvocationContextType =>
    new InvocationContext({
      invocationId: randomUUID(),
      functionName,
      logHandler: (level, ...args) => {
        const line = `${functionName}: ${logArguments(args)}`;
        if (level === 'error' || level === 'critical') logger.error(line);
        else if (level === 'warning') logger.warn(line);
        else if (level === 'trace' || level === 'debug') logger.debug(line);
        else logger.info(line);
      },
      options: { trigger: { type: trigger, name: trigger === 'httpTrigger' ? 'httpTrigger' : 'invocation' } },
    });

  const invoke = async (fn: ServedFunction, params: Record<string, string>, request: IncomingMessage, response: ServerResponse, url: URL): Promise<number> => {
    const method = (request.method ?? 'GET').toUpperCase();
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(request, maxBody);
    const headers: Record<string, string> = {};
    for (let index = 0; index < request.rawHeaders.length; index += 2) {
      const name = (request.rawHeaders[index] as string).toLowerCase();
      const value = request.rawHeaders[index + 1] ?? '';
      // Repeated headers are joined as fetch's Headers joins them; cookies with '; ' as a Cookie header.
      headers[name] = headers[name] === undefined ? value : `${headers[name]}${name === 'cookie' ? '; ' : ', '}${value}`;
    }
    const httpRequest = new HttpRequest({
      method,
      url: url.href,
      headers,
      params,
      ...(body === undefined || body.length === 0 ? {} : { body: { bytes: body } }),
    });
    const context = makeContext(fn.name, 'httpTrigger');
    const invocationId = context.invocationId;
    let result: unknown;
    try {
      result = await fn.handler(httpRequest, context);
    } catch (error) {
      logger.error(`${fn.name} (invocation ${invocationId}) threw: ${errorDetail(error)}`);
      sendText(response, 500, '');
      return 500;
    }
    if (result === undefined || result === null) {
      sendText(response, 204, '');
      return 204;
    }
    if (typeof result !== 'object') {
      logger.error(`${fn.name} returned a ${typeof result}: an HTTP function must return an object with optional "body", "status", "headers", "jsonBody" and "cookies"`);
      sendText(response, 500, '');
      return 500;
    }
    const answer = result instanceof HttpResponse ? result : new HttpResponse(result);
    const bytes = Buffer.from(await answer.arrayBuffer());
    response.statusCode = answer.status;
    for (const [name, value] of answer.headers.entries()) if (name !== 'content-length' && name !== 'transfer-encoding') response.setHeader(name, value);
    const cookies = answer.cookies.map(cookieHeader);
    if (cookies.length > 0) response.setHeader('Set-Cookie', cookies);
    response.setHeader('Content-Length', bytes.length);
    response.end(method === 'HEAD' ? undefined : bytes);
    return answer.status;
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(request.url ?? '/', `http://${request.headers.host ?? `localhost:${actualPort ?? requestedPort}`}`);
    } catch {
      sendText(response, 400, 'The request URL is malformed.');
      return;
    }
    if (applyCors(request, response, corsPolicy)) return;
    const method = (request.method ?? 'GET').toUpperCase();
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter((part) => part !== '').map((part) => decodeURIComponent(part));
    } catch {
      sendText(response, 400, 'The request path is not valid percent-encoding.');
      return;
    }
    if (method === 'POST' && url.pathname.toLowerCase() === SIGNALR_WEBHOOK_PATH) {
      readBody(request, maxBody)
        .then((body) => handleSignalRWebhook(request, response, body, signalRFunctions, (name) => makeContext(name, 'signalRTrigger'), logger))
        .then((status) => {
          logger.info(`POST ${SIGNALR_WEBHOOK_PATH} (${String(request.headers['x-asrs-category'])}/${String(request.headers['x-asrs-event'])}) -> ${status} in ${(performance.now() - started).toFixed(1)} ms`);
        })
        .catch((error: unknown) => {
          logger.error(`POST ${SIGNALR_WEBHOOK_PATH} failed: ${errorDetail(error)}`);
          if (!response.headersSent) sendText(response, error instanceof BodyTooLargeError ? 413 : 500, '');
        });
      return;
    }
    const prefixParts = prefix === '' ? [] : prefix.split('/');
    const underPrefix = prefixParts.every((part, index) => parts[index]?.toLowerCase() === part.toLowerCase());
    const routeParts = underPrefix ? parts.slice(prefixParts.length) : undefined;
    let allowed: string[] = [];
    if (routeParts !== undefined) {
      for (const fn of served) {
        const params = fn.route.match(routeParts);
        if (params === undefined) continue;
        if (!fn.methods.has(method)) {
          allowed.push(...fn.methods);
          continue;
        }
        invoke(fn, params, request, response, url)
          .then((status) => {
            logger.info(`${method} ${url.pathname} -> ${fn.name} ${status} in ${(performance.now() - started).toFixed(1)} ms`);
          })
          .catch((error: unknown) => {
            if (error instanceof BodyTooLargeError) {
              sendText(response, 413, error.message);
              return;
            }
            logger.error(`${method} ${url.pathname} -> ${fn.name} failed: ${errorDetail(error)}`);
            if (!response.headersSent) sendText(response, 500, '');
            else response.destroy();
          });
        return;
      }
    }
    request.resume();
    allowed = [...new Set(allowed)];
    const message =
      allowed.length > 0
        ? `No function accepts ${method} ${url.pathname}; it accepts ${allowed.join(', ')}.`
        : `No function is registered for ${url.pathname}.`;
    logger.info(`${method} ${url.pathname} -> 404`);
    sendText(response, 404, message);
  };

  const functionsHost: FunctionsHost = {
    async start() {
      if (state !== 'new') throw new EmulatorError('INVALID_STATE', 'The functions host was already started; create a new one.');
      load();
      try {
        actualPort = await listenLocally(servers, () => createServer({ keepAlive: true }, onRequest), {
          host,
          port: requestedPort,
          portInUseMessage: `Port ${requestedPort} on ${host} is already in use (another functions host?): stop it, or choose another port (--functions-port).`,
          logger,
        });
      } catch (error) {
        state = 'closed';
        throw error;
      }
      state = 'started';
      logger.info(`listening on ${functionsHost.url} with ${served.length} HTTP and ${signalRFunctions.length} signalRTrigger function(s)`);
    },
    async close() {
      if (state === 'closed') return;
      state = 'closed';
      await closeServers(servers);
    },
    get port() {
      if (actualPort === undefined) throw new EmulatorError('INVALID_STATE', 'The functions host has no port before start() resolves.');
      return actualPort;
    },
    get url() {
      return `http://localhost:${functionsHost.port}`;
    },
    reload() {
      load();
      logger.info(`serving ${served.length} HTTP and ${signalRFunctions.length} signalRTrigger function(s)`);
    },
    routes() {
      return [
        ...inRegistrationOrder.map((fn) => ({ name: fn.name, methods: [...fn.methods], path: `/${prefix === '' ? '' : `${prefix}/`}${fn.route.template.replace(/^\/+/, '')}` })),
        ...signalRFunctions.map((fn) => ({ name: fn.name, methods: ['POST'], path: SIGNALR_WEBHOOK_PATH })),
      ];
    },
  };
  return functionsHost;
}
