// Shared pieces of the emulator tests: an emulator on a free port, a plain Node upstream ("the app")
// that checks every request as an app must, tokens signed independently of the code under test, and
// official SignalR clients.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTransportType, HubConnectionBuilder, JsonHubProtocol, LogLevel } from '@microsoft/signalr';
import type { HubConnection, IHubProtocol } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { SignJWT } from 'jose';
import { hubProtocolByContentType, MessageType } from '@serverless-hub/core/protocol';
import { createFunctionsHost, createServiceEmulator, EMULATOR_ACCESS_KEY } from '@serverless-hub/emulator';
import type {
  FunctionsHost,
  ServiceEmulator,
  ServiceEmulatorOptions,
  UpstreamTemplate,
} from '@serverless-hub/emulator';

export const transports = {
  WebSockets: HttpTransportType.WebSockets,
  ServerSentEvents: HttpTransportType.ServerSentEvents,
  LongPolling: HttpTransportType.LongPolling,
} as const;
export type TransportKey = keyof typeof transports;
export type ProtocolKey = 'json' | 'messagepack';

/** Every transport × protocol pair the official client supports (SSE carries text only). */
export const transportMatrix: readonly (readonly [TransportKey, ProtocolKey])[] = [
  ['WebSockets', 'json'],
  ['WebSockets', 'messagepack'],
  ['ServerSentEvents', 'json'],
  ['LongPolling', 'json'],
  ['LongPolling', 'messagepack'],
];

export interface StartedEmulator {
  readonly emulator: ServiceEmulator;
  /** Every log line written, to check what is logged (and that no secret is). */
  readonly logLines: string[];
}

export async function startEmulator(options: ServiceEmulatorOptions = {}): Promise<StartedEmulator> {
  const logLines: string[] = [];
  const emulator = createServiceEmulator({
    port: 0,
    logLevel: 'debug',
    logSink: (level, line) => logLines.push(`${level} ${line}`),
    ...options,
  });
  await emulator.start();
  return { emulator, logLines };
}

const encoder = new TextEncoder();

/** A client access token as the negotiate of an app makes it (HS256, audience without port). */
export async function clientToken(
  hub: string,
  options: {
    userId?: string;
    claims?: Record<string, unknown>;
    key?: string;
    lifetimeSeconds?: number;
    audience?: string;
    algorithm?: 'HS256' | 'HS512';
  } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { ...options.claims };
  if (options.userId !== undefined) payload['asrs.s.uid'] = options.userId;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.algorithm ?? 'HS256', typ: 'JWT' })
    .setAudience(options.audience ?? `http://localhost/client/?hub=${hub}`)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (options.lifetimeSeconds ?? 3600))
    .sign(encoder.encode(options.key ?? EMULATOR_ACCESS_KEY));
}

/** A REST token: audience = the request URL without its query. */
export async function restToken(
  audience: string,
  options: { key?: string; lifetimeSeconds?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.lifetimeSeconds ?? 3600))
    .sign(encoder.encode(options.key ?? EMULATOR_ACCESS_KEY));
}

/** Calls the emulator's REST API with a valid token (unless `token` is given). */
export async function rest(
  emulator: ServiceEmulator,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; query?: string; contentType?: string } = {},
): Promise<{ status: number; errorCode: string | null; text: string }> {
  const url = `${emulator.url}${path}`;
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? await restToken(url) : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | Uint8Array | undefined;
  if (options.body !== undefined) {
    body =
      typeof options.body === 'string' || options.body instanceof Uint8Array
        ? options.body
        : JSON.stringify(options.body);
    headers['Content-Type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${url}${options.query ?? ''}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, errorCode: response.headers.get('x-ms-error-code'), text: await response.text() };
}

/** One request the upstream received, as the app sees it. */
export interface UpstreamRecord {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly category: string;
  readonly event: string;
  readonly connectionId: string;
}

/** What the test's app answers to an upstream request (default: 200, empty). */
export type UpstreamReply = (
  record: UpstreamRecord,
) => Promise<{ status: number; body?: Uint8Array | string }> | { status: number; body?: Uint8Array | string };

export interface FakeApp {
  readonly url: string;
  readonly records: UpstreamRecord[];
  /** Upstream templates pointing at this app. */
  readonly upstream: UpstreamTemplate[];
  /** Requests whose signature did not verify (must stay empty). */
  readonly badSignatures: string[];
  /** Highest number of upstream requests of one connection in flight at once (must stay 1). */
  readonly maxConcurrentPerConnection: () => number;
  reply: UpstreamReply;
  /** Resolves when a record matching the predicate arrives (or already has). */
  waitFor(predicate: (record: UpstreamRecord) => boolean): Promise<UpstreamRecord>;
  close(): Promise<void>;
}

function validSignature(headers: IncomingHttpHeaders, connectionId: string, key: string): boolean {
  const header = headers['x-asrs-signature'];
  if (typeof header !== 'string') return false;
  const expected = createHmac('sha256', key).update(connectionId).digest();
  return header.split(',').some((entry) => {
    const match = /^\s*sha256=([0-9A-F]{64})\s*$/.exec(entry);
    return match?.[1] !== undefined && timingSafeEqual(Buffer.from(match[1], 'hex'), expected);
  });
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A plain Node app: `/api/negotiate` answers `{ url, accessToken }` for hub `hub` (user from the
 * `x-user` header), and `/api/{hub}/{category}/{event}` receives the upstream requests.
 */
export async function startFakeApp(
  emulatorPort: () => number,
  options: { hub?: string; key?: string } = {},
): Promise<FakeApp> {
  const hub = options.hub ?? 'chat';
  const key = options.key ?? EMULATOR_ACCESS_KEY;
  const records: UpstreamRecord[] = [];
  const badSignatures: string[] = [];
  const waiters: { predicate: (record: UpstreamRecord) => boolean; resolve: (record: UpstreamRecord) => void }[] = [];
  const inFlight = new Map<string, number>();
  let maxConcurrent = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'OPTIONS') {
      response
        .writeHead(204, {
          'Access-Control-Allow-Origin': request.headers.origin ?? '*',
          'Access-Control-Allow-Credentials': 'true',
          'Access-Control-Allow-Headers': request.headers['access-control-request-headers'] ?? '*',
        })
        .end();
      return;
    }
    if (url.pathname === '/api/negotiate') {
      const userHeader = request.headers['x-user'];
      const userId = typeof userHeader === 'string' ? userHeader : undefined;
      const claimsHeader = request.headers['x-claims'];
      const claims =
        typeof claimsHeader === 'string' ? (JSON.parse(claimsHeader) as Record<string, unknown>) : undefined;
      const accessToken = await clientToken(hub, {
        ...(userId === undefined ? {} : { userId }),
        ...(claims === undefined ? {} : { claims }),
        key,
      });
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ url: `http://localhost:${emulatorPort()}/client/?hub=${hub}`, accessToken }));
      return;
    }
    const body = await readAll(request);
    const connectionId = String(request.headers['x-asrs-connection-id'] ?? '');
    if (!validSignature(request.headers, connectionId, key))
      badSignatures.push(`${request.method ?? ''} ${url.pathname}`);
    // The path as sent, not as URL resolves it: an event "." arrives as the segment %2E.
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const segments = path.split('/').map((segment) => decodeURIComponent(segment));
    const record: UpstreamRecord = {
      path,
      headers: request.headers,
      body,
      category: segments[3] ?? '',
      event: segments[4] ?? '',
      connectionId,
    };
    const current = (inFlight.get(connectionId) ?? 0) + 1;
    inFlight.set(connectionId, current);
    maxConcurrent = Math.max(maxConcurrent, current);
    try {
      records.push(record);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(record)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(record);
        }
      }
      const answer = await app.reply(record);
      response.statusCode = answer.status;
      response.end(answer.body === undefined ? undefined : answer.body);
    } finally {
      inFlight.set(connectionId, (inFlight.get(connectionId) ?? 1) - 1);
    }
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app: FakeApp = {
    url,
    records,
    upstream: [{ urlTemplate: `${url}/api/{hub}/{category}/{event}` }],
    badSignatures,
    maxConcurrentPerConnection: () => maxConcurrent,
    reply: () => ({ status: 200 }),
    waitFor(predicate) {
      const found = records.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
  return app;
}

export function protocolOf(key: ProtocolKey): IHubProtocol {
  return key === 'json' ? new JsonHubProtocol() : new MessagePackHubProtocol();
}

/** An official client that negotiates through the fake app (which redirects it to the emulator). */
export function buildClient(
  app: FakeApp,
  transport: TransportKey,
  protocol: ProtocolKey,
  options: { userId?: string; claims?: Record<string, unknown> } = {},
): HubConnection {
  const headers: Record<string, string> = {};
  if (options.userId !== undefined) headers['x-user'] = options.userId;
  if (options.claims !== undefined) headers['x-claims'] = JSON.stringify(options.claims);
  return new HubConnectionBuilder()
    .withUrl(`${app.url}/api`, { transport: transports[transport], headers })
    .withHubProtocol(protocolOf(protocol))
    .configureLogging(LogLevel.None)
    .build();
}

/** Resolves with the arguments of the next call of `target` on the client. */
export function nextMessage(connection: HubConnection, target: string): Promise<unknown[]> {
  return new Promise((resolve) => {
    const handler = (...args: unknown[]): void => {
      connection.off(target, handler);
      resolve(args);
    };
    connection.on(target, handler);
  });
}

/** Collects every call of `target` on the client. */
export function collect(connection: HubConnection, target: string): unknown[][] {
  const calls: unknown[][] = [];
  connection.on(target, (...args: unknown[]) => calls.push(args));
  return calls;
}

/** Resolves with the error the client's connection closed with. */
export function closed(connection: HubConnection): Promise<Error | undefined> {
  return new Promise((resolve) => {
    connection.onclose((error) => {
      resolve(error);
    });
  });
}

/** Polls `check` until it holds, for conditions observed across processes (no timing assertion). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A service emulator and a fake app wired to each other, and one way to close both. */
export interface EmulatorWithApp {
  readonly emulator: ServiceEmulator;
  readonly app: FakeApp;
  readonly logLines: string[];
  close(): Promise<void>;
}

/** Starts a fake app and an emulator whose upstream is that app (log level `info` unless given). */
export async function startEmulatorWithApp(
  options: ServiceEmulatorOptions = {},
  appOptions: { key?: string } = {},
): Promise<EmulatorWithApp> {
  let port = 0;
  const app = await startFakeApp(() => port, appOptions);
  const { emulator, logLines } = await startEmulator({ upstream: app.upstream, logLevel: 'info', ...options });
  port = emulator.port;
  return {
    emulator,
    app,
    logLines,
    close: async () => {
      await emulator.close();
      await app.close();
    },
  };
}

/** The app's answer to `echo`: the first argument back, as a framed Completion in the client's protocol. */
export function echoReply(record: UpstreamRecord): { status: number; body?: Uint8Array } {
  if (record.category !== 'messages') return { status: 200 };
  const protocol = hubProtocolByContentType(String(record.headers['content-type']));
  const invocation = protocol.parseUnframedInvocation(new Uint8Array(record.body));
  if (invocation.invocationId === undefined) return { status: 200 };
  return {
    status: 200,
    body: protocol.writeMessage({
      type: MessageType.Completion,
      invocationId: invocation.invocationId,
      result: invocation.arguments[0],
    }),
  };
}

export interface HubsOnLocalHost {
  readonly functionsHost: FunctionsHost;
  readonly emulator: ServiceEmulator;
  close(): Promise<void>;
}

/**
 * Runs hubs as a deployed app runs them: a local functions host, `register` adding the hubs to
 * `@azure/functions`' app once the host has hooked it (as the Functions worker does before the app loads),
 * and an emulator whose upstream is that host. Sets `AzureSignalRConnectionString` to the emulator's.
 */
export async function startHubsOnLocalHost(register: () => void): Promise<HubsOnLocalHost> {
  const functionsHost = createFunctionsHost({ port: 0, logLevel: 'error', logSink: () => undefined });
  register();
  await functionsHost.start();
  const { emulator } = await startEmulator({
    upstream: [{ urlTemplate: `http://127.0.0.1:${String(functionsHost.port)}/api/{hub}/{category}/{event}` }],
  });
  process.env.AzureSignalRConnectionString = emulator.connectionString;
  return {
    functionsHost,
    emulator,
    close: async () => {
      await emulator.close();
      await functionsHost.close();
    },
  };
}
