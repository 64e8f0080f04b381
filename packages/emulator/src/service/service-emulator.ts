import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { describeValue, errorDetail } from '@serverless-hub/core/upstream';
import { AccessTokenVerifier } from '../auth/access-token-verifier.js';
import { ClientEndpoint } from '../client/client-endpoint.js';
import { EmulatorError } from '../errors/emulator-error.js';
import { applyCors, sendText } from '../http/http-utils.js';
import type { CorsPolicy } from '../http/http-utils.js';
import { checkListenPort, closeServers, listenLocally } from '../http/local-servers.js';
import { createLogger } from '../logging/emulator-logger.js';
import { redactUrl } from '../logging/redact-url.js';
import type { EmulatorLogger, LogLevel, LogSink } from '../logging/emulator-logger.js';
import { RestApi } from '../rest/rest-api.js';
import { UpstreamClient } from '../upstream/upstream-client.js';
import { UpstreamRouter } from '../upstream/upstream-router.js';
import { DEFAULT_UPSTREAM_URL_TEMPLATE, validateUrlTemplate } from '../upstream/upstream-settings.js';
import type { UpstreamTemplate } from '../upstream/upstream-settings.js';
import { ConnectionRegistry } from './connection-registry.js';
import type { EmulatorLimits } from './emulator-limits.js';

/**
 * The access key of the official emulator, which this one uses by default so that the official
 * emulator's connection string works unchanged. It is public: never use it for a real service.
 *
 * @example
 * ```ts
 * const connectionString = `Endpoint=http://localhost;Port=8888;AccessKey=${EMULATOR_ACCESS_KEY};Version=1.0;`;
 * ```
 */
export const EMULATOR_ACCESS_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';

/**
 * The official emulator's port, this one's default.
 *
 * @example
 * ```ts
 * createServiceEmulator({ port: DEFAULT_EMULATOR_PORT });
 * ```
 */
export const DEFAULT_EMULATOR_PORT = 8888;

/**
 * Options of {@link createServiceEmulator}. Every option has a default compatible with the official
 * emulator; tests usually set `port: 0` and shorter timings.
 *
 * @example
 * ```ts
 * // A test's emulator: a free port, fast keep-alive and timeouts, quiet log.
 * const emulator = createServiceEmulator({ port: 0, keepAliveIntervalMs: 500, clientTimeoutMs: 2000, logLevel: 'warn' });
 * await emulator.start();
 * ```
 */
export interface ServiceEmulatorOptions {
  /** Address to listen on. Default `127.0.0.1`; with a loopback address `::1` is served too, so `localhost` reaches it. */
  readonly host?: string;
  /** Port; default 8888; `0` picks a free one (read it from {@link ServiceEmulator.port}). */
  readonly port?: number;
  /** The access key; default {@link EMULATOR_ACCESS_KEY}. */
  readonly accessKey?: string;
  /** A second key that is also accepted, and signs upstream requests too (the service's secondary key). */
  readonly secondaryAccessKey?: string;
  /**
   * Upstream URL templates, tried in order; default one template,
   * {@link DEFAULT_UPSTREAM_URL_TEMPLATE}, for every hub, category and event.
   */
  readonly upstream?: readonly UpstreamTemplate[];
  /** Interval of the Ping messages sent to idle clients; default 15 000 ms. */
  readonly keepAliveIntervalMs?: number;
  /**
   * A client that sends nothing (not even a ping) for this long is closed; default 30 000 ms. As in ASP.NET
   * Core, the check starts with the client's first Ping, and never applies to long polling.
   */
  readonly clientTimeoutMs?: number;
  /**
   * A long-polling client with no poll waiting for this long is closed (it stopped polling); default
   * 15 000 ms, ASP.NET Core's disconnect timeout.
   */
  readonly longPollingDisconnectTimeoutMs?: number;
  /** Time allowed for the handshake after the transport connects; default 15 000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** A negotiated connection that no transport starts within this time is discarded; default 30 000 ms. */
  readonly unusedConnectionTimeoutMs?: number;
  /** How long a long-polling request is held when there is nothing to send; default 90 000 ms. */
  readonly longPollingTimeoutMs?: number;
  /** Timeout of each upstream request; default 100 000 ms (the official HTTP client's). */
  readonly upstreamTimeoutMs?: number;
  /**
   * Largest amount of data waiting to be delivered to one client; a client that falls further behind
   * is closed with an error, so that it cannot hold up the others or the emulator's memory. Default 4 MiB.
   */
  readonly maxBufferedBytesPerConnection?: number;
  /** Largest hub message accepted from a client; default 1 MiB. */
  readonly maxMessageSize?: number;
  /** Most messages of one connection waiting for the upstream before it is closed; default 1 000. */
  readonly maxPendingUpstreamMessages?: number;
  /**
   * Most TCP connections open at once (client connections, polls, REST calls); connections beyond it are
   * closed as they arrive, so that a flood cannot exhaust file descriptors. Default 10 000.
   */
  readonly maxConnections?: number;
  /** Time allowed to receive a request's headers; default 30 000 ms (Kestrel's). */
  readonly requestHeadersTimeoutMs?: number;
  /** Leeway for `exp` and `nbf` of access tokens; default 30 s. */
  readonly clockToleranceSeconds?: number;
  /** Default `info`. Ignored when `logger` is given. */
  readonly logLevel?: LogLevel;
  /** Where log lines go (default the console). Ignored when `logger` is given. */
  readonly logSink?: LogSink;
  readonly logger?: EmulatorLogger;
}

// As the service: any origin, echoed with credentials; REST error codes readable by pages.
const SERVICE_CORS: CorsPolicy = {
  credentials: true,
  methods: 'GET, POST, PUT, DELETE, HEAD, OPTIONS',
  exposeHeaders: 'x-ms-error-code',
};

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new EmulatorError('CONFIG_INVALID', `${name} must be a positive number, got ${describeValue(value)}.`);
  return value;
}

/**
 * A local Azure SignalR Service (serverless mode) with the real service's wire behaviour: the client
 * endpoint (negotiate, WebSockets, Server-Sent Events, long polling, JSON and MessagePack), upstream calls
 * to the app, and the data-plane REST API. Create it with {@link createServiceEmulator}, then
 * {@link ServiceEmulator.start} it.
 *
 * @example
 * ```ts
 * const emulator = createServiceEmulator({ port: 0 });
 * await emulator.start();
 * process.env.AzureSignalRConnectionString = emulator.connectionString;
 * // ...
 * await emulator.close();
 * ```
 */
export class ServiceEmulator {
  /** The primary access key. */
  readonly accessKey: string;
  readonly #host: string;
  readonly #requestedPort: number;
  readonly #templates: readonly UpstreamTemplate[];
  readonly #logger: EmulatorLogger;
  readonly #maxConnections: number;
  readonly #requestHeadersTimeoutMs: number;
  readonly #heartbeatIntervalMs: number;
  readonly #upstreamClient: UpstreamClient;
  readonly #registry = new ConnectionRegistry();
  readonly #clientEndpoint: ClientEndpoint;
  readonly #restApi: RestApi;
  readonly #servers: Server[] = [];
  #heartbeat: NodeJS.Timeout | undefined;
  #port: number | undefined;
  #state: 'new' | 'starting' | 'started' | 'closed' = 'new';

  /** @throws {EmulatorError} `CONFIG_INVALID` for an invalid option. */
  constructor(options: ServiceEmulatorOptions = {}) {
    this.#host = options.host ?? '127.0.0.1';
    this.#requestedPort = options.port ?? DEFAULT_EMULATOR_PORT;
    checkListenPort(this.#requestedPort);
    const accessKey = options.accessKey ?? EMULATOR_ACCESS_KEY;
    if (accessKey === '') throw new EmulatorError('CONFIG_INVALID', 'accessKey must not be empty.');
    this.accessKey = accessKey;
    const accessKeys =
      options.secondaryAccessKey === undefined || options.secondaryAccessKey === ''
        ? [accessKey]
        : [accessKey, options.secondaryAccessKey];
    const templates = options.upstream ?? [{ urlTemplate: DEFAULT_UPSTREAM_URL_TEMPLATE }];
    templates.forEach((template, index) => {
      validateUrlTemplate(template.urlTemplate, `upstream[${index}]`);
    });
    this.#templates = templates;
    const keepAliveIntervalMs = positive(options.keepAliveIntervalMs, 15_000, 'keepAliveIntervalMs');
    const clientTimeoutMs = positive(options.clientTimeoutMs, 30_000, 'clientTimeoutMs');
    const limits: EmulatorLimits = {
      keepAliveIntervalMs,
      clientTimeoutMs,
      handshakeTimeoutMs: positive(options.handshakeTimeoutMs, 15_000, 'handshakeTimeoutMs'),
      unusedConnectionTimeoutMs: positive(options.unusedConnectionTimeoutMs, 30_000, 'unusedConnectionTimeoutMs'),
      longPollingTimeoutMs: positive(options.longPollingTimeoutMs, 90_000, 'longPollingTimeoutMs'),
      longPollingDisconnectTimeoutMs: positive(
        options.longPollingDisconnectTimeoutMs,
        15_000,
        'longPollingDisconnectTimeoutMs',
      ),
      maxBufferedBytesPerConnection: positive(
        options.maxBufferedBytesPerConnection,
        4 * 1024 * 1024,
        'maxBufferedBytesPerConnection',
      ),
      maxMessageSize: positive(options.maxMessageSize, 1024 * 1024, 'maxMessageSize'),
      closedConnectionGraceMs: 10_000,
    };
    // The sweep runs often enough to ping and time out on schedule, and at least every second.
    this.#heartbeatIntervalMs = Math.max(10, Math.min(1000, keepAliveIntervalMs / 2, clientTimeoutMs / 4));
    const logger =
      options.logger ??
      createLogger({
        level: options.logLevel ?? 'info',
        name: 'emulator',
        ...(options.logSink === undefined ? {} : { sink: options.logSink }),
      });
    this.#logger = logger;
    this.#maxConnections = positive(options.maxConnections, 10_000, 'maxConnections');
    this.#requestHeadersTimeoutMs = positive(options.requestHeadersTimeoutMs, 30_000, 'requestHeadersTimeoutMs');
    this.#upstreamClient = new UpstreamClient(
      positive(options.upstreamTimeoutMs, 100_000, 'upstreamTimeoutMs'),
      16 * 1024 * 1024,
    );
    const verifier = new AccessTokenVerifier(accessKeys, options.clockToleranceSeconds ?? 30);
    const upstream = {
      router: new UpstreamRouter(templates),
      client: this.#upstreamClient,
      logger,
      maxPending: positive(options.maxPendingUpstreamMessages, 1000, 'maxPendingUpstreamMessages'),
    };
    this.#clientEndpoint = new ClientEndpoint(
      this.#registry,
      { limits, logger, accessKeys, upstream, lifecycle: this.#registry },
      verifier,
    );
    this.#restApi = new RestApi(this.#registry, verifier, logger);
  }

  /** Starts listening. Rejects with `EmulatorError` `LISTEN_FAILED` when the port is taken. */
  async start(): Promise<void> {
    if (this.#state !== 'new')
      throw new EmulatorError(
        'INVALID_STATE',
        `The emulator was already ${this.#state === 'closed' ? 'closed' : 'started'}; create a new one.`,
      );
    this.#state = 'starting';
    const requestHeadersTimeoutMs = this.#requestHeadersTimeoutMs;
    const serve = (): Server => {
      const server = createServer(
        // Slow or stalled request heads are cut as Kestrel cuts them; the check runs every second.
        {
          keepAlive: true,
          headersTimeout: requestHeadersTimeoutMs,
          // Node requires the whole-request timeout (default 300 s) to be at least the headers timeout.
          requestTimeout: Math.max(300_000, requestHeadersTimeoutMs),
          connectionsCheckingInterval: Math.min(1000, requestHeadersTimeoutMs),
        },
        (request, response) => {
          this.#onRequest(request, response);
        },
      ).on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        this.#onUpgrade(request, socket, head);
      });
      server.maxConnections = this.#maxConnections;
      return server;
    };
    try {
      this.#port = await listenLocally(this.#servers, serve, {
        host: this.#host,
        port: this.#requestedPort,
        portInUseMessage: `Port ${this.#requestedPort} on ${this.#host} is already in use: stop what uses it, or choose another port (--port).`,
        logger: this.#logger,
      });
    } catch (error) {
      this.#state = 'closed';
      throw error;
    }
    this.#heartbeat = setInterval(() => {
      this.#registry.sweep(Date.now());
    }, this.#heartbeatIntervalMs);
    this.#heartbeat.unref();
    this.#state = 'started';
    this.#logger.info(
      `listening on ${this.url} (upstream: ${this.#templates.map((template) => redactUrl(template.urlTemplate)).join(', ')})`,
    );
  }

  /** Closes every client connection and stops listening. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#registry.closeAll();
    this.#clientEndpoint.close();
    this.#upstreamClient.close();
    await closeServers(this.#servers);
    this.#logger.info('stopped');
  }

  /** The port listened on (the real one when `port` was 0); throws before {@link ServiceEmulator.start}. */
  get port(): number {
    if (this.#port === undefined)
      throw new EmulatorError('INVALID_STATE', 'The emulator has no port before start() resolves.');
    return this.#port;
  }

  /** Base URL, `http://localhost:<port>`. */
  get url(): string {
    return `http://localhost:${this.port}`;
  }

  /** The connection string of this emulator, e.g. `Endpoint=http://localhost;Port=8888;AccessKey=…;Version=1.0;`. */
  get connectionString(): string {
    return `Endpoint=http://localhost;Port=${this.port};AccessKey=${this.accessKey};Version=1.0;`;
  }

  /** Live connections per hub, e.g. `{ chat: 2 }`. */
  connectionCounts(): Record<string, number> {
    return this.#registry.connectionCounts();
  }

  #onRequest(request: IncomingMessage, response: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      sendText(response, 400, 'The request URL is malformed.');
      return;
    }
    if (applyCors(request, response, SERVICE_CORS)) return;
    const path = url.pathname;
    let work: Promise<void> | undefined;
    if (path === '/client' || path.startsWith('/client/'))
      work = this.#clientEndpoint.handleRequest(request, response, url);
    else if (path === '/api/v1' || path.startsWith('/api/v1/'))
      work = this.#restApi.handle(request, response, url, path.slice('/api/v1'.length));
    else if (path === '/api' || path.startsWith('/api/'))
      work = this.#restApi.handle(request, response, url, path.slice('/api'.length));
    else {
      request.resume();
      sendText(response, 404, `Nothing here: the emulator serves /client (SignalR clients) and /api (REST API).`);
      return;
    }
    work.catch((error: unknown) => {
      this.#logger.error(`${request.method ?? ''} ${path} failed: ${errorDetail(error)}`);
      if (!response.headersSent) sendText(response, 500, 'The emulator failed to process the request.');
      else response.destroy();
    });
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      socket.destroy();
      return;
    }
    if (url.pathname !== '/client' && url.pathname !== '/client/') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#clientEndpoint.handleUpgrade(request, socket, head, url).catch((error: unknown) => {
      this.#logger.error(`WebSocket upgrade failed: ${errorDetail(error)}`);
      socket.destroy();
    });
  }
}

/**
 * Creates a local Azure SignalR Service (serverless mode), a {@link ServiceEmulator}, ready to start.
 *
 * @throws {EmulatorError} `CONFIG_INVALID` for an invalid option.
 * @example
 * ```ts
 * import { createServiceEmulator } from '@serverless-hub/emulator';
 *
 * const emulator = createServiceEmulator({
 *   port: 0,
 *   upstream: [{ urlTemplate: 'http://127.0.0.1:7071/api/{hub}/{category}/{event}' }],
 * });
 * await emulator.start();
 * console.log(emulator.connectionString);
 * ```
 */
export function createServiceEmulator(options: ServiceEmulatorOptions = {}): ServiceEmulator {
  return new ServiceEmulator(options);
}
