// The load runs, shared by the quick forms (robustness-load.test.ts) and the full ones (*.stress.test.ts):
// the whole system on one machine — a hub written with the framework and registered with registerHubs,
// served by the emulator's functions host, behind the service emulator — driven by official clients.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { app as functionsApp, HttpRequest, InvocationContext } from '@azure/functions';
import type { HttpResponseInit } from '@azure/functions';
import {
  HttpTransportType,
  HubConnectionBuilder,
  HubConnectionState,
  JsonHubProtocol,
  LogLevel,
} from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { Hub, ServerlessHub, parseConnectionString, registerHubs } from '@serverless-hub/core';
import { ServiceHubClient } from '@serverless-hub/core/service';
import { clearRegisteredFunctions, createRecordingServices, createUpstreamRequest } from '@serverless-hub/core/testing';
import type { FunctionsApp, RegisteredHttpFunction } from '@serverless-hub/core';
import { createFunctionsHost, createServiceEmulator } from '@serverless-hub/emulator';
import { clientToken } from './emulator-helpers.js';
import { RawWebSocket } from './robustness-raw-client.js';
import type { FunctionsHost, ServiceEmulator, ServiceEmulatorOptions } from '@serverless-hub/emulator';

/** What the hub saw of each connection's messages, in arrival order. */
export const upstreamSeen = new Map<string, number[]>();

@Hub('load')
export class LoadHub extends ServerlessHub {
  static connected = 0;
  static disconnected = 0;

  onConnected(): void {
    LoadHub.connected++;
  }

  onDisconnected(): void {
    LoadHub.disconnected++;
  }

  /** A message goes upstream, and back to its sender through the REST API. */
  async relay(sequence: number): Promise<void> {
    const { connectionId } = this.context;
    let seen = upstreamSeen.get(connectionId);
    if (seen === undefined) upstreamSeen.set(connectionId, (seen = []));
    seen.push(sequence);
    await this.clients.client(connectionId).send('relayed', sequence);
  }

  echo(value: unknown): unknown {
    return value;
  }
}

export interface LoadStack {
  readonly emulator: ServiceEmulator;
  readonly host: FunctionsHost;
  /** Warnings and errors of the emulator and the functions host. */
  readonly problems: string[];
  close(): Promise<void>;
}

const NO_HOST: FunctionsApp = { http: () => undefined, generic: () => undefined };

/**
 * The whole system: the load hub on the local functions host, behind the service emulator. `setUpApp` runs
 * once the host is installed and before the hub registers, where an app calls `app.setup(...)`.
 */
export async function startLoadStack(
  options: ServiceEmulatorOptions = {},
  setUpApp: () => void = () => undefined,
): Promise<LoadStack> {
  clearRegisteredFunctions();
  const problems: string[] = [];
  const sink = (level: string, line: string): void => {
    problems.push(`${level} ${line}`);
  };
  const host = createFunctionsHost({ port: 0, logLevel: 'warn', logSink: sink });
  setUpApp();
  registerHubs(functionsApp, [LoadHub]);
  await host.start();
  const emulator = createServiceEmulator({
    port: 0,
    logLevel: 'warn',
    logSink: sink,
    upstream: [{ urlTemplate: `http://127.0.0.1:${String(host.port)}/api/{hub}/{category}/{event}` }],
    ...options,
  });
  await emulator.start();
  process.env.AzureSignalRConnectionString = emulator.connectionString;
  return {
    emulator,
    host,
    problems,
    async close() {
      await emulator.close();
      await host.close();
    },
  };
}

export function loadClient(
  stack: LoadStack,
  protocol: 'json' | 'messagepack' = 'json',
  transport: HttpTransportType = HttpTransportType.WebSockets,
): HubConnection {
  return new HubConnectionBuilder()
    .withUrl(`${stack.host.url}/api/load`, { transport })
    .withHubProtocol(protocol === 'json' ? new JsonHubProtocol() : new MessagePackHubProtocol())
    .configureLogging(LogLevel.None)
    .build();
}

/** Runs `task` for 0..count-1 with at most `concurrency` at a time. */
export async function pooled(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/**
 * Waits while `progress()` keeps growing until it reaches `target`. It gives up only when nothing has
 * moved for `stallMs`: on a shared, noisy machine a slow run is not a lost message, a stuck one is.
 */
export async function waitForProgress(
  progress: () => number,
  target: number,
  what: () => string,
  stallMs: number,
): Promise<void> {
  let last = progress();
  let movedAt = Date.now();
  while (last < target) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = progress();
    if (now !== last) {
      last = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`Nothing moved for ${String(stallMs)} ms while waiting until ${what()}`);
    }
  }
}

export async function waitUntil(check: () => boolean, what: string | (() => string), timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface RelayResult {
  readonly clients: number;
  readonly messagesPerClient: number;
  readonly seconds: number;
  /** Per connection: whether all messages came back, in order, and reached the hub in order. */
  readonly lost: number;
  readonly outOfOrder: number;
}

/**
 * `clients` official clients each send `messages` messages (fire-and-forget), which go upstream to the hub,
 * which sends each back to its sender through the REST API; every client must get all of them, in order.
 */
export async function runRelay(stack: LoadStack, clients: number, messages: number): Promise<RelayResult> {
  upstreamSeen.clear();
  const connections: HubConnection[] = [];
  const received = new Map<HubConnection, number[]>();
  await pooled(clients, 25, async (index) => {
    const connection = loadClient(stack, index % 2 === 0 ? 'json' : 'messagepack');
    const got: number[] = [];
    connection.on('relayed', (sequence: number) => got.push(sequence));
    received.set(connection, got);
    await connection.start();
    connections.push(connection);
  });
  const started = performance.now();
  await Promise.all(
    connections.map(async (connection) => {
      for (let sequence = 0; sequence < messages; sequence++) await connection.send('relay', sequence);
    }),
  );
  const total = clients * messages;
  const count = (): number => [...received.values()].reduce((sum, got) => sum + got.length, 0);
  try {
    await waitForProgress(
      count,
      total,
      () =>
        `${String(total)} messages came back (${String(count())} so far; problems: ${stack.problems.slice(0, 3).join(' | ')})`,
      20_000,
    );
  } catch (error) {
    // Leave no client behind to load the runs that follow, and keep this error, not a failed stop's.
    await Promise.allSettled(connections.map((connection) => connection.stop()));
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  const expected = Array.from({ length: messages }, (_, index) => index);
  let lost = 0;
  let outOfOrder = 0;
  for (const connection of connections) {
    const got = received.get(connection) ?? [];
    const seen = upstreamSeen.get(connection.connectionId ?? '') ?? [];
    lost += messages - new Set(got).size;
    if (JSON.stringify(got) !== JSON.stringify(expected) || JSON.stringify(seen) !== JSON.stringify(expected))
      outOfOrder++;
  }
  await pooled(connections.length, 50, async (index) => {
    await connections[index]?.stop();
  });
  return { clients, messagesPerClient: messages, seconds, lost, outOfOrder };
}

// --------------------------------------------------------------------------------------------------
// Memory and handles

let collect: (() => void) | undefined;

/** A full garbage collection, without starting node with --expose-gc. */
export function collectGarbage(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  collect();
}

export interface Footprint {
  readonly heapUsedMb: number;
  readonly rssMb: number;
  /** Active handles and requests (sockets, servers, timers) of the process. */
  readonly resources: number;
  readonly resourceKinds: Readonly<Record<string, number>>;
}

/**
 * Memory and handles after `settleMs`, for closing sockets to finish and the timers of closed connections
 * to fire (the emulator waits up to 5 s for a client to answer its WebSocket close handshake).
 */
export async function footprint(settleMs = 200): Promise<Footprint> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  collectGarbage();
  const memory = process.memoryUsage();
  const kinds: Record<string, number> = {};
  const resources = process.getActiveResourcesInfo();
  for (const kind of resources) kinds[kind] = (kinds[kind] ?? 0) + 1;
  return {
    heapUsedMb: memory.heapUsed / 2 ** 20,
    rssMb: memory.rss / 2 ** 20,
    resources: resources.length,
    resourceKinds: kinds,
  };
}

/**
 * The footprint after a run, as the lowest heap of `samples` measurements `settleMs` apart: garbage that
 * is still in flight (a closing socket's buffers, code compiled late) is gone by a later sample, while a
 * leak stays in all of them.
 */
export async function settledFootprint(samples: number, settleMs: number): Promise<Footprint> {
  let lowest = await footprint(settleMs);
  for (let sample = 1; sample < samples; sample++) {
    const next = await footprint(settleMs);
    if (next.heapUsedMb < lowest.heapUsedMb) lowest = next;
  }
  return lowest;
}

/** `count` connect/disconnect cycles of official clients, `concurrency` at a time. */
export async function runCycles(stack: LoadStack, count: number, concurrency: number): Promise<number> {
  const started = performance.now();
  await pooled(count, concurrency, async (index) => {
    const connection = loadClient(stack, index % 2 === 0 ? 'json' : 'messagepack');
    await connection.start();
    if (connection.state !== HubConnectionState.Connected) throw new Error(`cycle ${String(index)} did not connect`);
    await connection.stop();
  });
  await waitUntil(
    () => Object.values(stack.emulator.connectionCounts()).every((connections) => connections === 0),
    'every connection is gone',
    30_000,
  );
  return (performance.now() - started) / 1000;
}

// --------------------------------------------------------------------------------------------------
// Sustained load on the registered upstream handler

export interface SustainedResult {
  readonly requests: number;
  readonly seconds: number;
  readonly errors: string[];
  readonly rssStartMb: number;
  readonly rssEndMb: number;
  readonly rssPeakMb: number;
}

/**
 * Calls the registered upstream functions of a hub in-process, as the Functions host does (an HttpRequest
 * and an InvocationContext per call), `concurrency` at a time, for `durationMs`: invocations of `echo` in
 * both protocols, sends, connects and disconnects, each answer checked.
 */
export async function runSustained(
  durationMs: number,
  concurrency: number,
  warmUpMs: number,
): Promise<SustainedResult> {
  clearRegisteredFunctions();
  const connectionString =
    'Endpoint=https://load.service.signalr.net;AccessKey=SustainedLoadKey0123456789abcdefghijklmnopqrst;Version=1.0;';
  process.env.AzureSignalRConnectionString = connectionString;
  const services = createRecordingServices();
  const registration = registerHubs(NO_HOST, [LoadHub], { services: () => services });
  const functions = new Map<string, RegisteredHttpFunction>();
  for (const fn of registration.functions)
    if (fn.trigger === 'http' && fn.event !== undefined) functions.set(fn.event, fn);
  const call = async (index: number): Promise<string | undefined> => {
    const kind = index % 8;
    const protocol = index % 2 === 0 ? 'json' : 'messagepack';
    const connectionId = `load-${String(index % 1000)}`;
    const event = kind === 0 ? 'connected' : kind === 1 ? 'disconnected' : kind === 2 ? 'relay' : 'echo';
    const fn = functions.get(event);
    if (fn === undefined) return `no function for ${event}`;
    const request: HttpRequest = createUpstreamRequest({
      hub: 'load',
      event,
      connectionId,
      protocol,
      connectionString,
      ...(event === 'echo'
        ? { arguments: [{ index, text: 'payload' }], invocationId: String(index) }
        : event === 'relay'
          ? { arguments: [index], invocationId: null }
          : {}),
    });
    const context = new InvocationContext({
      invocationId: String(index),
      functionName: fn.name,
      logHandler: () => undefined,
    });
    const answer = await (
      fn.handler as unknown as (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>
    )(request, context);
    if ((answer.status ?? 200) !== 200) return `${event}: status ${String(answer.status)}`;
    if (event === 'echo' && !(answer.body instanceof Uint8Array && answer.body.length > 10))
      return 'echo: no completion';
    return undefined;
  };
  const errors: string[] = [];
  let requests = 0;
  let index = 0;
  const runFor = async (milliseconds: number): Promise<void> => {
    const deadline = performance.now() + milliseconds;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const error = await call(index++);
          requests++;
          if (error !== undefined && errors.length < 20) errors.push(error);
          // Recording services keep every message: forget them as a real REST client would.
          if (services.messages.length > 10_000) services.reset();
        }
      }),
    );
  };
  await runFor(warmUpMs);
  const start = await footprint();
  requests = 0;
  let peak = start.rssMb;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20);
  }, 500);
  const started = performance.now();
  await runFor(durationMs);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  services.reset();
  const end = await footprint();
  return {
    requests,
    seconds,
    errors,
    rssStartMb: start.rssMb,
    rssEndMb: end.rssMb,
    rssPeakMb: Math.max(peak, end.rssMb),
  };
}

export interface StalledClientResult {
  readonly messages: number;
  readonly seconds: number;
  /** Per reader, the sequence numbers it received, in arrival order. */
  readonly received: readonly (readonly number[])[];
  /** Whether the service still knew the stalled connection once every reader had everything. */
  readonly stalledStillConnected: boolean;
  /** Whether the stalled client, reading again, found the documented Close error. */
  readonly closeErrorSeen: boolean;
}

/**
 * `readers` official clients and one raw client that completes the handshake and then stops reading its
 * socket; `messages` broadcasts of 64 KB each through the REST API, enough to fill the kernel's socket
 * buffers of the stalled connection and then the emulator's own limit for it. Every reader must get
 * everything, in order, while the stalled client reads not a byte until the emulator has closed it.
 */
export async function runStalledClient(
  stack: LoadStack,
  options: {
    readonly readers: number;
    readonly messages: number;
    readonly deliveryTimeoutMs: number;
    readonly closeTimeoutMs: number;
  },
): Promise<StalledClientResult> {
  const readers = Array.from({ length: options.readers }, () => loadClient(stack));
  const received = readers.map(() => [] as number[]);
  readers.forEach((reader, index) => {
    reader.on('bulk', (sequence: number) => received[index]?.push(sequence));
  });
  await pooled(readers.length, 10, async (index) => {
    await readers[index]?.start();
  });
  const token = await clientToken('load');
  const negotiated = (await (
    await fetch(`${stack.emulator.url}/client/negotiate?hub=load&negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    })
  ).json()) as { connectionToken: string; connectionId: string };
  const stalled = await RawWebSocket.connect(
    `${stack.emulator.url}/client/?hub=load&id=${negotiated.connectionToken}`,
    { Authorization: `Bearer ${token}` },
  );
  try {
    stalled.send('{"protocol":"json","version":1}\u001e');
    await stalled.until((raw) => raw.text().startsWith('{}\u001e'));
    stalled.stall();
    // The emulator closes the stalled connection when its buffer overflows, then gives the client 5 s to
    // read up to the Close frame before it drops the socket (and what was still queued with it). So the
    // client reads again as soon as the emulator has closed it, however long the readers take after that.
    const connectedWithStalled = stack.emulator.connectionCounts()['load'] ?? 0;
    const closedByEmulator = waitUntil(
      () => (stack.emulator.connectionCounts()['load'] ?? 0) < connectedWithStalled,
      'the emulator closed the stalled connection',
      options.deliveryTimeoutMs,
    ).then(() => {
      stalled.socket.resume();
    });
    // Awaited below; until then a timeout must not count as an unhandled rejection.
    closedByEmulator.catch(() => undefined);

    const rest = new ServiceHubClient(parseConnectionString(stack.emulator.connectionString), 'load');
    const chunk = 'x'.repeat(64 * 1024);
    const started = performance.now();
    for (let sequence = 0; sequence < options.messages; sequence++)
      await rest.clients.all.send('bulk', sequence, chunk);
    await waitUntil(
      () => received.every((list) => list.length === options.messages),
      'every reader got every message',
      options.deliveryTimeoutMs,
    );
    const seconds = (performance.now() - started) / 1000;
    await closedByEmulator;
    const stalledStillConnected = await rest.clientManager.connectionExists(negotiated.connectionId);
    // Reading again, it finds the Close error at the end of what was queued for it.
    const closeErrorSeen = await stalled.until(
      (raw) => raw.text().includes('did not read its messages fast enough'),
      options.closeTimeoutMs,
    );
    return { messages: options.messages, seconds, received, stalledStillConnected, closeErrorSeen };
  } finally {
    stalled.close();
    await Promise.all(readers.map((reader) => reader.stop()));
  }
}

// --------------------------------------------------------------------------------------------------
// Idle clients, long polling among them

export interface IdleRunResult {
  readonly clients: number;
  readonly longPolling: number;
  readonly idleSeconds: number;
  /** Clients the emulator closed (or that closed) before the end of the run. */
  readonly closed: number;
  /** The first few close errors, with the transport. */
  readonly closeErrors: readonly string[];
  /** Broadcast deliveries and relayed messages that did not arrive, over every client. */
  readonly lost: number;
  /** Clients whose broadcasts arrived out of order. */
  readonly outOfOrder: number;
  readonly deliveries: number;
  /** Calls of the canary client during the run, and how many failed. */
  readonly canaryCalls: number;
  readonly canaryFailures: number;
  readonly rssPeakMb: number;
  readonly seconds: number;
}

/**
 * `clients` official clients, `longPolling` of them on long polling (the rest on WebSockets; JSON and
 * MessagePack alternate), sit idle for `idleMs` while a canary client calls the hub every 200 ms. Then every
 * client must still be connected and get `broadcasts` REST broadcasts in order, and one message of its own
 * through upstream and REST. The resident memory of the process (emulator, functions host and clients) is
 * sampled throughout.
 */
export async function runIdleClients(
  stack: LoadStack,
  options: {
    readonly clients: number;
    readonly longPolling: number;
    readonly idleMs: number;
    readonly broadcasts: number;
    readonly stallMs: number;
    /** The clients' keep-alive interval (pings on WebSockets; long polling sends none); default the client's 15 s. */
    readonly clientKeepAliveMs?: number;
  },
): Promise<IdleRunResult> {
  upstreamSeen.clear();
  let rssPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 250);
  const started = performance.now();
  const connections: HubConnection[] = [];
  const broadcastsGot = new Map<HubConnection, number[]>();
  const relayedGot = new Map<HubConnection, number[]>();
  let closed = 0;
  const closeErrors: string[] = [];
  const canary = loadClient(stack);
  if (options.clientKeepAliveMs !== undefined) canary.keepAliveIntervalInMilliseconds = options.clientKeepAliveMs;
  let canaryCalls = 0;
  let canaryFailures = 0;
  const canaryState = { running: true };
  try {
    await canary.start();
    const canaryLoop = (async () => {
      while (canaryState.running) {
        canaryCalls++;
        try {
          if ((await canary.invoke('echo', canaryCalls)) !== canaryCalls) canaryFailures++;
        } catch {
          canaryFailures++;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    await pooled(options.clients, 25, async (index) => {
      const transport = index < options.longPolling ? HttpTransportType.LongPolling : HttpTransportType.WebSockets;
      const connection = loadClient(stack, index % 2 === 0 ? 'json' : 'messagepack', transport);
      if (options.clientKeepAliveMs !== undefined)
        connection.keepAliveIntervalInMilliseconds = options.clientKeepAliveMs;
      const broadcasts: number[] = [];
      const relayed: number[] = [];
      connection.on('broadcast', (sequence: number) => broadcasts.push(sequence));
      connection.on('relayed', (sequence: number) => relayed.push(sequence));
      connection.onclose((error) => {
        closed++;
        if (closeErrors.length < 5)
          closeErrors.push(
            `${transport === HttpTransportType.LongPolling ? 'long polling' : 'WebSockets'}: ${error?.message ?? 'no error'}`,
          );
      });
      broadcastsGot.set(connection, broadcasts);
      relayedGot.set(connection, relayed);
      await connection.start();
      connections.push(connection);
    });
    await new Promise((resolve) => setTimeout(resolve, options.idleMs));
    const rest = new ServiceHubClient(parseConnectionString(stack.emulator.connectionString), 'load');
    for (let sequence = 0; sequence < options.broadcasts; sequence++)
      await rest.clients.all.send('broadcast', sequence);
    await Promise.all(
      connections.map((connection) =>
        connection.state === HubConnectionState.Connected ? connection.send('relay', 0) : Promise.resolve(),
      ),
    );
    const deliveries = connections.length * (options.broadcasts + 1);
    const count = (): number =>
      [...broadcastsGot.values()].reduce((sum, got) => sum + got.length, 0) +
      [...relayedGot.values()].reduce((sum, got) => sum + got.length, 0);
    try {
      await waitForProgress(
        count,
        deliveries,
        () => `${String(deliveries)} deliveries (${String(count())} so far, ${String(closed)} clients closed)`,
        options.stallMs,
      );
    } catch {
      // Counted below as lost.
    }
    canaryState.running = false;
    await canaryLoop;
    const expected = Array.from({ length: options.broadcasts }, (_, index) => index);
    let lost = 0;
    let outOfOrder = 0;
    for (const connection of connections) {
      const got = broadcastsGot.get(connection) ?? [];
      lost += options.broadcasts - new Set(got).size;
      if (JSON.stringify(got) !== JSON.stringify(expected)) outOfOrder++;
      if ((relayedGot.get(connection) ?? []).length === 0) lost++;
    }
    return {
      clients: options.clients,
      longPolling: options.longPolling,
      idleSeconds: options.idleMs / 1000,
      closed,
      closeErrors,
      lost,
      outOfOrder,
      deliveries,
      canaryCalls,
      canaryFailures,
      rssPeakMb: rssPeak / 2 ** 20,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    canaryState.running = false;
    clearInterval(sampler);
    await pooled(connections.length, 50, async (index) => {
      await connections[index]?.stop();
    });
    await canary.stop();
  }
}
