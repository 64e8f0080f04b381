import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { errorDetail } from '@serverless-hub/core/upstream';
import { EmulatorError } from '../errors/emulator-error.js';
import { createBodySizeLimit } from '../http/body-size-limit.js';
import { applyCors, BodyTooLargeError, readBody, sendText } from '../http/http-utils.js';
import type { CorsPolicy } from '../http/http-utils.js';
import { checkListenPort, closeServers, listenLocally } from '../http/local-servers.js';
import { createLogger } from '../logging/emulator-logger.js';
import type { EmulatorLogger, LogLevel, LogSink } from '../logging/emulator-logger.js';
import { FunctionIndex, SIGNALR_WEBHOOK_PATH } from './function-index.js';
import type { HttpFunction, ListedFunction } from './function-index.js';
import type {
  ProgrammingModel,
  RegisteredFunction,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
  RpcParameterBinding,
  RpcTypedData,
} from './functions-core-contract.js';
import { FunctionsWorker } from './functions-worker.js';
import { loadApp } from './load-app.js';
import type { AppLocation } from './load-app.js';
import type { RegisteredApp } from './registered-app.js';
import { fromRpcHttpResponse } from './rpc-http-response.js';
import { toRpcHttpRequest } from './rpc-http-request.js';
import { runInvocation } from './run-invocation.js';
import { handleSignalRWebhook } from './signalr-webhook.js';
import { traceContextFor } from './trace-context.js';

/**
 * Options of {@link createFunctionsHost}.
 *
 * @example
 * ```ts
 * const host = createFunctionsHost({ port: 0, logLevel: 'warn' } satisfies FunctionsHostOptions);
 * ```
 */
export interface FunctionsHostOptions {
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

// The capabilities the Functions Node.js worker announces (its getWorkerCapabilities); the programming
// model adds its own (`app.setup({ capabilities })`) and locks `app.setup` when asked for them.
const WORKER_CAPABILITIES: Readonly<Record<string, string>> = Object.freeze({
  RawHttpBodyBytes: 'true',
  RpcHttpTriggerMetadataRemoved: 'true',
  RpcHttpBodyOnly: 'true',
  IgnoreEmptyValuedRpcHttpHeaders: 'true',
  UseNullableValueDictionaryForHttp: 'true',
  WorkerStatus: 'true',
  TypedDataCollection: 'true',
  HandlesWorkerTerminateMessage: 'true',
});

interface IndexedApp {
  readonly app: RegisteredApp;
  readonly model: ProgrammingModel;
  readonly index: FunctionIndex;
  /** Where the library serves HTTP streams (`app.setup({ enableHttpStream: true })`), as the worker tells the host. */
  readonly streamUri: URL | undefined;
}

// How long the stream server may take to start an answer it has already written (loopback only).
const STREAM_ANSWER_GRACE_MS = 5_000;

// Hop-by-hop headers are not forwarded to the library's stream server (RFC 9110, section 7.6.1).
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

const NO_FUNCTIONS = new FunctionIndex([], '');

/**
 * A local Azure Functions host for an app's functions, in this process. It provides the
 * `@azure/functions-core` module as the Functions Node.js worker does, so everything the app registers
 * with `@azure/functions` (`app.http`, `app.generic`, `app.hook.*`, `app.setup`, and `registerHubs`,
 * which registers through them) reaches it: HTTP functions are served under `/{routePrefix}/<route>`,
 * `signalRTrigger` functions at the SignalR webhook, other triggers are listed. Requests and responses go
 * through the library's own invocation model from the data the Functions host would send.
 *
 * The order matters as in the Functions host: create the host (which installs the module) before the app
 * registers its first function, then index the app with {@link FunctionsHost.start} or
 * {@link FunctionsHost.loadApp}.
 *
 * @example
 * ```ts
 * const host = createFunctionsHost({ port: 0 });
 * await host.start();                               // listens
 * await host.loadApp(await resolveApp('.'));        // imports the app, indexes it, runs appStart hooks
 * console.log(`${host.url}/api/hello`);
 * await host.close();                               // appTerminate hooks, then the servers close
 * ```
 */
export class FunctionsHost {
  readonly #worker: FunctionsWorker;
  readonly #host: string;
  readonly #requestedPort: number;
  readonly #prefix: string;
  readonly #prefixParts: readonly string[];
  readonly #maxBody: number;
  readonly #logger: EmulatorLogger;
  readonly #corsPolicy: CorsPolicy;
  readonly #servers: Server[] = [];
  #port: number | undefined;
  #state: 'new' | 'started' | 'closed' = 'new';
  #indexed: IndexedApp | undefined;

  constructor(options: FunctionsHostOptions = {}) {
    this.#host = options.host ?? '127.0.0.1';
    this.#requestedPort = options.port ?? 7071;
    checkListenPort(this.#requestedPort);
    this.#prefix = (options.routePrefix ?? 'api').replace(/^\/+|\/+$/g, '');
    this.#prefixParts = this.#prefix === '' ? [] : this.#prefix.split('/').map((part) => part.toLowerCase());
    this.#maxBody = options.maxRequestBodyBytes ?? 100 * 1024 * 1024;
    this.#logger =
      options.logger ??
      createLogger({
        level: options.logLevel ?? 'info',
        name: 'functions',
        ...(options.logSink === undefined ? {} : { sink: options.logSink }),
      });
    // As the Functions host: every origin when none is configured or '*' is listed, credentials unless
    // the configuration turns them off.
    const cors = options.cors;
    const allowedOrigins = cors?.allowedOrigins.map((allowed) => allowed.toLowerCase());
    this.#corsPolicy = {
      ...(allowedOrigins === undefined || allowedOrigins.includes('*')
        ? {}
        : { allowOrigin: (origin: string) => allowedOrigins.includes(origin.toLowerCase()) }),
      credentials: cors === undefined || cors.supportCredentials,
      methods: 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
    };
    this.#worker = FunctionsWorker.install();
  }

  /** The port listened on; throws before {@link FunctionsHost.start}. */
  get port(): number {
    if (this.#port === undefined)
      throw new EmulatorError('INVALID_STATE', 'The functions host has no port before start() resolves.');
    return this.#port;
  }

  /** Base URL, `http://localhost:<port>`. */
  get url(): string {
    return `http://localhost:${this.port}`;
  }

  /**
   * Starts listening, and indexes what the app registered so far (if anything): in tests, register first
   * and start then; with {@link FunctionsHost.loadApp}, start first so that the port is known to the app's
   * settings.
   *
   * @throws {EmulatorError} `LISTEN_FAILED` when the port is taken; `APP_LOAD_FAILED` when a function
   * cannot be served (a route starting with `admin`).
   */
  async start(): Promise<void> {
    if (this.#state !== 'new')
      throw new EmulatorError('INVALID_STATE', 'The functions host was already started; create a new one.');
    try {
      if (this.#worker.hasPending) await this.#index(process.cwd());
      this.#port = await listenLocally(
        this.#servers,
        () =>
          createServer({ keepAlive: true }, (request, response) => {
            this.#onRequest(request, response);
          }),
        {
          host: this.#host,
          port: this.#requestedPort,
          portInUseMessage: `Port ${this.#requestedPort} on ${this.#host} is already in use (another functions host?): stop it, or choose another port (--functions-port).`,
          logger: this.#logger,
        },
      );
    } catch (error) {
      this.#state = 'closed';
      throw error;
    }
    this.#state = 'started';
    const index = this.#indexed?.index ?? NO_FUNCTIONS;
    this.#logger.info(
      `listening on ${this.url} with ${index.http.length} HTTP and ${index.signalR.length} signalRTrigger function(s)`,
    );
  }

  /**
   * Loads an app as the Functions host does: the working directory and `AzureWebJobsScriptRoot` become
   * the app's folder, its entry is imported (a `.ts` entry through the app's own `tsx`), what it registered
   * is indexed, and its `appStart` hooks run.
   *
   * @throws {EmulatorError} `APP_LOAD_FAILED` when the entry fails to load or a function cannot be served.
   */
  async loadApp(app: AppLocation): Promise<void> {
    if (this.#indexed !== undefined)
      throw new EmulatorError(
        'INVALID_STATE',
        'This functions host already serves an app; create a new host for another one.',
      );
    process.chdir(app.directory);
    process.env.AzureWebJobsScriptRoot = app.directory;
    await loadApp(app);
    await this.#index(app.directory);
  }

  /** Every function of the app: HTTP and `signalRTrigger` ones with where they are served, others with no path. */
  functions(): ListedFunction[] {
    return [...(this.#indexed?.index ?? NO_FUNCTIONS).listed];
  }

  /**
   * The functions served, with their URL paths, e.g. `{ name: 'chat_negotiate', methods: ['GET', 'POST'], path: '/api/chat/negotiate' }`;
   * `signalRTrigger` functions are listed with the webhook's path.
   */
  routes(): { name: string; methods: readonly string[]; path: string }[] {
    return this.functions().flatMap(({ name, methods, path }) => (path === undefined ? [] : [{ name, methods, path }]));
  }

  /** Runs the app's `appTerminate` hooks (as the worker does when the host stops it) and closes the servers. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const indexed = this.#indexed;
    try {
      if (indexed !== undefined) await this.#runAppHooks(indexed.app, 'appTerminate', {});
    } finally {
      await closeServers(this.#servers);
    }
  }

  async #index(directory: string): Promise<void> {
    const app = this.#worker.takeApp();
    const model = this.#worker.programmingModel;
    if (model === undefined) {
      throw new EmulatorError(
        'APP_LOAD_FAILED',
        'The app registered no function through @azure/functions v4 (its first registration sets the programming model).',
      );
    }
    const index = new FunctionIndex(app.functions, this.#prefix);
    this.#worker.logSink = (level, category, message) => {
      this.#log(level, category, message);
    };
    // Asking for the capabilities locks app.setup(...), as at the real worker's start; with
    // enableHttpStream the library starts its stream server and answers with its address.
    const capabilities = await model.getCapabilities?.({ ...WORKER_CAPABILITIES });
    const streamUri = typeof capabilities?.HttpUri === 'string' ? new URL(capabilities.HttpUri) : undefined;
    this.#indexed = { app, model, index, streamUri };
    await this.#runAppHooks(app, 'appStart', { functionAppDirectory: directory });
  }

  async #runAppHooks(
    app: RegisteredApp,
    name: 'appStart' | 'appTerminate',
    extra: Record<string, unknown>,
  ): Promise<void> {
    const context = {
      get hookData() {
        return app.appLevelHookData;
      },
      get appHookData() {
        return app.appHookData;
      },
      ...extra,
    };
    for (const hook of [...app.hooksOf(name)]) await (hook as (context: unknown) => unknown)(context);
  }

  #log(level: RpcLogLevel, category: RpcLogCategory, message: string, functionName?: string): void {
    const line = functionName === undefined ? message : `${functionName}: ${message}`;
    if (level === 'error' || level === 'critical') this.#logger.error(line);
    else if (level === 'warning') this.#logger.warn(line);
    else if (level === 'trace' || level === 'debug' || category === 'system') this.#logger.debug(line);
    else this.#logger.info(line);
  }

  /** Runs one invocation of a function of the indexed app, as the host asks the worker. */
  async #invoke(
    fn: RegisteredFunction,
    inputData: RpcParameterBinding[],
    triggerMetadata: Record<string, RpcTypedData>,
    trace: { parent?: string; state?: string },
    invocationId: string = randomUUID(),
  ): Promise<RpcInvocationResponse> {
    const indexed = this.#indexed as IndexedApp;
    const name = fn.metadata.name;
    return runInvocation({
      app: indexed.app,
      model: indexed.model,
      fn,
      request: {
        invocationId,
        functionId: fn.metadata.functionId ?? name,
        inputData,
        triggerMetadata,
        traceContext: traceContextFor(trace.parent, trace.state),
      },
      log: (level, category, message) => {
        this.#log(level, category, message, name);
      },
    });
  }

  async #invokeHttp(
    fn: HttpFunction,
    params: Record<string, string>,
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<number> {
    const method = (request.method ?? 'GET').toUpperCase();
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const streamUri = this.#indexed?.streamUri;
    if (streamUri !== undefined)
      return this.#invokeStreamed(fn, params, request, response, url, streamUri, {
        ...optional('parent', header('traceparent')),
        ...optional('state', header('tracestate')),
      });
    const body = await readBody(request, this.#maxBody);
    const http = toRpcHttpRequest({ method, url: url.href, rawHeaders: request.rawHeaders, params, body });
    let answer: RpcInvocationResponse;
    try {
      answer = await this.#invoke(
        fn.fn,
        [{ name: fn.triggerName, data: { http } }],
        {},
        { ...optional('parent', header('traceparent')), ...optional('state', header('tracestate')) },
      );
    } catch (error) {
      this.#logger.error(`${fn.name} threw: ${errorDetail(error)}`);
      sendText(response, 500, '');
      return 500;
    }
    const output =
      fn.outputName === '$return' || fn.outputName === undefined
        ? answer.returnValue
        : answer.outputData?.find((binding) => binding.name === fn.outputName)?.data;
    const result = fromRpcHttpResponse(output);
    if (result === undefined) {
      this.#logger.error(
        `${fn.name} answered the status ${String(output?.http?.statusCode)}: an HTTP status is a number from 100 to 999`,
      );
      sendText(response, 500, '');
      return 500;
    }
    response.statusCode = result.status;
    for (const [name, value] of result.headers) response.setHeader(name, value);
    if (result.cookies.length > 0) response.setHeader('Set-Cookie', [...result.cookies]);
    response.setHeader('Content-Length', result.body.length);
    response.end(method === 'HEAD' ? undefined : result.body);
    return result.status;
  }

  /**
   * HTTP streams (`app.setup({ enableHttpStream: true })`), as the Functions host runs them: the invocation
   * carries the headers and route parameters as trigger metadata, while the request itself, body unread, is
   * forwarded to the library's stream server with the invocation id; the library answers there, and that
   * answer is streamed back to the caller.
   */
  async #invokeStreamed(
    fn: HttpFunction,
    params: Record<string, string>,
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    streamUri: URL,
    trace: { parent?: string; state?: string },
  ): Promise<number> {
    // The host's request size limit holds for streamed bodies too: an announced length over it is refused
    // before the function runs, and a body that goes past it is cut there.
    const overLimit = (): string => new BodyTooLargeError(this.#maxBody).message;
    const declared = Number(request.headers['content-length']);
    if (declared > this.#maxBody) {
      request.resume();
      sendText(response, 413, overLimit());
      return 413;
    }
    const invocationId = randomUUID();
    const http = toRpcHttpRequest({
      method: request.method ?? 'GET',
      url: url.href,
      rawHeaders: request.rawHeaders,
      params,
      body: undefined,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(http.nullableHeaders ?? {})) headers[name] = value.value ?? '';
    const triggerMetadata: Record<string, RpcTypedData> = { Headers: { json: JSON.stringify(headers) } };
    for (const [name, value] of Object.entries(params)) triggerMetadata[name] = { string: value };
    const forwardedHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (value !== undefined && !NOT_FORWARDED.has(name)) forwardedHeaders[name] = value;
    forwardedHeaders['x-ms-invocation-id'] = invocationId;
    forwardedHeaders['x-forwarded-host'] = url.host;
    forwardedHeaders['x-forwarded-proto'] = url.protocol.replace(/:$/, '');
    const forwarded = httpRequest(new URL(`${url.pathname.replace(/^\/+/, '')}${url.search}`, streamUri), {
      method: request.method ?? 'GET',
      headers: forwardedHeaders,
    });
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      forwarded.on('response', resolve);
      forwarded.on('error', reject);
    });
    answered.catch(() => undefined);
    // Piped, not pipelined: a function may answer before it read the whole body (it needed none of it, or its
    // own limit is smaller), and its answer must still reach the caller over the caller's connection, which a
    // pipeline would destroy with the forwarded request. The rest of such a body is drained.
    const limited = createBodySizeLimit(this.#maxBody);
    const drainRest = (): void => {
      request.unpipe(limited);
      limited.unpipe(forwarded);
      request.resume();
    };
    // Set from the stream's error event, which the compiler's narrowing does not see.
    const body = { tooLarge: false };
    limited.on('error', (error) => {
      body.tooLarge = error instanceof BodyTooLargeError;
      drainRest();
      forwarded.destroy(error);
    });
    forwarded.on('error', drainRest);
    request.pipe(limited).pipe(forwarded);
    const refuse = (status: number, reason: string): number => {
      drainRest();
      forwarded.destroy();
      sendText(response, status, reason);
      return status;
    };
    try {
      await this.#invoke(fn.fn, [{ name: fn.triggerName, data: { http: {} } }], triggerMetadata, trace, invocationId);
    } catch (error) {
      if (body.tooLarge) return refuse(413, overLimit());
      this.#logger.error(`${fn.name} threw: ${errorDetail(error)}`);
      return refuse(500, '');
    }
    // The library has written its whole answer before the invocation ends; only a handler that returned
    // nothing leaves the stream server silent, and that answer is the host's 200 with an empty body.
    let grace: NodeJS.Timeout | undefined;
    const silent = new Promise<undefined>((resolve) => {
      grace = setTimeout(resolve, STREAM_ANSWER_GRACE_MS, undefined);
    });
    let streamed: IncomingMessage | undefined;
    try {
      streamed = await Promise.race([answered, silent]);
    } catch (error) {
      if (body.tooLarge) return refuse(413, overLimit());
      throw error;
    } finally {
      clearTimeout(grace);
    }
    if (body.tooLarge) {
      streamed?.resume();
      return refuse(413, overLimit());
    }
    if (streamed === undefined) return refuse(200, '');
    response.statusCode = streamed.statusCode ?? 200;
    for (const [name, value] of Object.entries(streamed.headers))
      if (value !== undefined && !NOT_FORWARDED.has(name) && name !== 'x-ms-invocation-id')
        response.setHeader(name, value);
    await pipeline(streamed, response);
    return response.statusCode;
  }

  #onRequest(request: IncomingMessage, response: ServerResponse): void {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(
        request.url ?? '/',
        `http://${request.headers.host ?? `localhost:${this.#port ?? this.#requestedPort}`}`,
      );
    } catch {
      sendText(response, 400, 'The request URL is malformed.');
      return;
    }
    if (applyCors(request, response, this.#corsPolicy)) return;
    const method = (request.method ?? 'GET').toUpperCase();
    let parts: string[];
    try {
      parts = url.pathname
        .split('/')
        .filter((part) => part !== '')
        .map((part) => decodeURIComponent(part));
    } catch {
      sendText(response, 400, 'The request path is not valid percent-encoding.');
      return;
    }
    const index = this.#indexed?.index ?? NO_FUNCTIONS;
    if (method === 'POST' && url.pathname.toLowerCase() === SIGNALR_WEBHOOK_PATH) {
      const invoke = (
        fn: RegisteredFunction,
        inputData: RpcParameterBinding[],
        triggerMetadata: Record<string, RpcTypedData>,
      ): Promise<RpcInvocationResponse> => this.#invoke(fn, inputData, triggerMetadata, {});
      readBody(request, this.#maxBody)
        .then((body) => handleSignalRWebhook(request, response, body, index.signalR, invoke, this.#logger))
        .then((status) => {
          this.#logger.info(
            `POST ${SIGNALR_WEBHOOK_PATH} (${String(request.headers['x-asrs-category'])}/${String(request.headers['x-asrs-event'])}) -> ${status} in ${(performance.now() - started).toFixed(1)} ms`,
          );
        })
        .catch((error: unknown) => {
          this.#logger.error(`POST ${SIGNALR_WEBHOOK_PATH} failed: ${errorDetail(error)}`);
          if (!response.headersSent) sendText(response, error instanceof BodyTooLargeError ? 413 : 500, '');
        });
      return;
    }
    const underPrefix = this.#prefixParts.every((part, position) => parts[position]?.toLowerCase() === part);
    const routeParts = underPrefix ? parts.slice(this.#prefixParts.length) : undefined;
    let allowed: string[] = [];
    if (routeParts !== undefined) {
      for (const fn of index.http) {
        const params = fn.route.match(routeParts);
        if (params === undefined) continue;
        if (fn.methods !== undefined && !fn.methods.has(method)) {
          allowed.push(...fn.methods);
          continue;
        }
        this.#invokeHttp(fn, params, request, response, url)
          .then((status) => {
            this.#logger.info(
              `${method} ${url.pathname} -> ${fn.name} ${status} in ${(performance.now() - started).toFixed(1)} ms`,
            );
          })
          .catch((error: unknown) => {
            if (error instanceof BodyTooLargeError) {
              sendText(response, 413, error.message);
              return;
            }
            this.#logger.error(`${method} ${url.pathname} -> ${fn.name} failed: ${errorDetail(error)}`);
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
    this.#logger.info(`${method} ${url.pathname} -> 404`);
    sendText(response, 404, message);
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;
}

/**
 * Creates a {@link FunctionsHost} and installs the `@azure/functions-core` module in this process (once),
 * so that the app's registrations from now on reach it.
 *
 * @example
 * ```ts
 * import { app } from '@azure/functions';
 * import { createFunctionsHost } from '@serverless-hub/emulator';
 *
 * const host = createFunctionsHost({ port: 0 });
 * app.http('hello', { handler: () => ({ body: 'hello' }) });
 * await host.start(); // GET http://localhost:<port>/api/hello
 * ```
 */
export function createFunctionsHost(options: FunctionsHostOptions = {}): FunctionsHost {
  return new FunctionsHost(options);
}
